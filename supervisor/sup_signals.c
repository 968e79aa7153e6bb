/* Signals sent to tend (tend(8) SIGNALS), read through signalfd as loop events:
 * which are caught, and where each goes. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "exit_status.h"
#include "log.h"
#include "signames.h"
#include "spawn.h"
#include "sup.h"
#include "shed.h"

static bool takes(const struct program *p, int sig)
{
	return program_has_process(p) && (p->svc.cfg->forward_signals & (UINT64_C(1) << sig));
}

/* Every program that takes the signal gets it before any of them is
 * named for the log: one kill after the other, nothing in between. */
static void forward(struct supervisor *sup, int sig)
{
	for (size_t i = 0; i < sup->n; i++)
		if (takes(&sup->programs[i], sig))
			spawn_signal(sup->programs[i].svc.pid, sig, sup->programs[i].svc.cfg->stopasgroup);
	char names[512] = "";
	size_t used = 0;
	for (size_t i = 0; i < sup->n && used < sizeof names; i++)
		if (takes(&sup->programs[i], sig))
			used += (size_t)snprintf(names + used, sizeof names - used, "%s%s", used ? ", " : "",
						 sup->programs[i].svc.cfg->name);
	if (used)
		log_event(LOG_INFO, NULL, "signal", LOG_KV(KV_S("signal", signal_name(sig)), KV_S("programs", names)),
			  "SIG%s forwarded to %s", signal_name(sig), names);
	else
		log_event(LOG_INFO, NULL, "signal", LOG_KV(KV_S("signal", signal_name(sig))),
			  "SIG%s received; no running program takes it", signal_name(sig));
}

static void on_signal(struct ev_loop *loop, ev_signal *w, int revents)
{
	(void)loop, (void)revents;
	struct supervisor *sup = w->data;
	int sig = w->signum;
	bool stop_signal = sig == SIGTERM || sig == SIGINT || sig == SIGQUIT;

	/* what this signal asks for (stop signals, forwarded ones, a restart's
	 * fork) is done before the log lines that tell of it are written: they
	 * wait until the end of the loop's turn (on_prepare) */
	log_hold();
	if (sig == SIGCHLD) {
		bool children = sup_reap(sup);
		if (sup->mode == MODE_SINGLE)
			single_follow_stop(&sup->programs[0]);
		if (!children)
			shutdown_children_gone(sup);
		else if (!sup_supervising(sup))
			/* shutting down, and one process has gone: tend's exit
			 * comes soon. Its code is mapped back now, while the
			 * others finish, not after the last one; not in the turn
			 * that sent the stop signals, where it would keep this
			 * CPU from the programs they woke */
			shed_warm_exit((const void *)config_free);
	} else if (sup->mode == MODE_SINGLE) {
		single_signal(sup, sig);
	} else if (stop_signal) {
		char why[32];
		snprintf(why, sizeof why, "SIG%s", signal_name(sig));
		if (sup->phase == PHASE_RUNNING) {
			shutdown_begin(sup, TEND_EXIT_OK, why);
		} else if (sup->phase == PHASE_DRAINING) {
			shutdown_end_drain(sup, why);	/* QUIT too: it acts as a second TERM there */
		} else if (sig != SIGQUIT) {
			log_event(LOG_WARN, NULL, "kill_all", NULL, "second SIG%s: killing every program now",
				  signal_name(sig));
			shutdown_kill_all(sup);
		}
	} else if (sig == SIGHUP || sig == SIGUSR1 || sig == SIGUSR2 || sig == SIGWINCH) {
		forward(sup, sig);
	}
	/* anything else (TSTP, TTIN, TTOU, PIPE): caught so that it does nothing */
	sup_changed(sup);
}

/* Every signal tend catches. In single-command mode, every signal it can
 * catch (tend(8) SIGNALS), the faults too, so that `kill -SEGV` reaches the command
 * as with tini and dumb-init. Blocked for signalfd, a fault of tend's own
 * still kills it: the kernel unblocks a synchronous SIGSEGV, SIGBUS,
 * SIGILL, SIGFPE, SIGTRAP or seccomp's SIGSYS and resets it to SIG_DFL
 * before delivering it, and abort() unblocks SIGABRT. In program mode they
 * are not caught: no program takes them, and `kill -ABRT` on tend is how
 * one gets its core. */
STARTUP_ONLY static bool watched(enum run_mode mode, int sig)
{
	switch (sig) {
	case SIGKILL: case SIGSTOP:
		return false;
	case SIGSEGV: case SIGBUS: case SIGILL: case SIGFPE: case SIGABRT: case SIGTRAP: case SIGSYS:
		return mode == MODE_SINGLE;
	case SIGCHLD: case SIGTERM: case SIGINT: case SIGQUIT: case SIGHUP: case SIGUSR1: case SIGUSR2:
	case SIGWINCH: case SIGTSTP: case SIGTTIN: case SIGTTOU: case SIGPIPE:
		return true;
	default:
		return mode == MODE_SINGLE && (sig < 32 || (sig >= SIGRTMIN && sig <= SIGRTMAX));
	}
}

STARTUP_ONLY bool watch_signals(struct supervisor *sup)
{
	size_t n = 0;
	for (int sig = 1; sig < NSIG; sig++)
		n += watched(sup->mode, sig);
	sup->signals = calloc(n, sizeof *sup->signals);
	if (!sup->signals)
		return false;
	/* Blocked first, so that none can act between the two steps below;
	 * signalfd reads them while blocked. */
	sigset_t set;
	sigemptyset(&set);
	for (int sig = 1; sig < NSIG; sig++)
		if (watched(sup->mode, sig))
			sigaddset(&set, sig);
	sigprocmask(SIG_BLOCK, &set, NULL);
	for (int sig = 1; sig < NSIG; sig++) {
		if (!watched(sup->mode, sig))
			continue;
		/* an inherited SIG_IGN (a background job gets SIGINT ignored)
		 * would discard the signal before signalfd could read it */
		signal(sig, SIG_DFL);
		ev_signal *w = &sup->signals[sup->nsignals++];
		ev_signal_init(w, on_signal, sig);
		w->data = sup;
		ev_signal_start(sup->loop, w);
	}
	return true;
}

/* The loop that owns everything that happens at run time (tend(8) SIGNALS): it is
 * set up, runs the reconcile step once per turn, arms each program's
 * deadline timer, and is torn down at exit. The programs' state machines
 * (svc.h) only decide; the sup_*.c files feed them events and carry out
 * the timing. */
#include "exit_status.h"
#include "supervisor.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "http_server.h"
#include "listen.h"
#include "log.h"
#include "ostream.h"
#include "shed.h"
#include "sup.h"


static void on_deadline(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop, (void)revents;
	struct program *p = container_of(w, struct program, timer);
	p->timer_at = 0;
	program_deliver(p, SVC_DEADLINE, NULL);
	sup_changed(p->sup);
}

/* Arms each program's timer for its state machine's deadline. */
static void sync_timer(struct program *p)
{
	double deadline = p->svc.deadline;
	if (deadline == p->timer_at)
		return;
	ev_timer_stop(p->sup->loop, &p->timer);
	p->timer_at = deadline;
	if (deadline > 0) {
		double delay = deadline - mono_now();
		ev_timer_set(&p->timer, delay > 0 ? delay : 0, 0);
		ev_timer_start(p->sup->loop, &p->timer);
	}
}

/* After the events of a turn: start, stop, end and arm whatever the table
 * now calls for, once, before the loop waits again. */
static void reconcile(struct supervisor *sup)
{
	sup->changed = false;
	if (sup->mode == MODE_SINGLE)
		check_single_done(sup);
	else if (sup->phase == PHASE_RUNNING)
		check_fatal(sup);
	if (sup_supervising(sup))
		start_free_programs(sup);
	shutdown_step(sup);
	for (size_t i = 0; i < sup->n; i++)
		sync_timer(&sup->programs[i]);
}

static void on_prepare(struct ev_loop *loop, ev_prepare *w, int revents)
{
	(void)loop, (void)revents;
	struct supervisor *sup = container_of(w, struct supervisor, reconcile);
	/* what one settling changes (a start failing at once, say) is
	 * settled too, before the loop waits */
	for (int rounds = 0; sup->changed && rounds < 8; rounds++)
		reconcile(sup);
	log_release();	/* what a signal held back (sup_signals.c) */
}

/* ---- tend's own output, and the programs' relayed through it ---- */

/* A stream that could not take everything has taken it now. */
static void on_output_drained(struct ostream *o, unsigned long dropped)
{
	if (dropped)
		log_event(LOG_WARN, NULL, "log_dropped", LOG_KV(KV_N("count", dropped)),
			  "%lu log line%s dropped: %s could not take them", dropped, dropped == 1 ? "" : "s",
			  o == &tend_stderr ? "stderr" : "stdout");
	relay_resume(o);
}

/* From here on tend's stdout and stderr never block it (tend(8) LOG). */
STARTUP_ONLY static void attach_output(struct supervisor *sup)
{
	ostream_attach(&tend_stdout, STDOUT_FILENO, sup->loop, on_output_drained);
	ostream_attach(&tend_stderr, STDERR_FILENO, sup->loop, on_output_drained);
	relay_setup(sup->loop, sup->cfg->log_format);
}

STARTUP_ONLY static void open_relays(struct supervisor *sup)
{
	char err[256];
	for (size_t i = 0; i < sup->n; i++) {
		struct program *p = &sup->programs[i];
		const struct program_config *c = p->svc.cfg;
		if (!c->log_prefix)
			continue;	/* no pipes: no room for them either */
		p->relay = calloc(1, sizeof *p->relay);
		if (!p->relay)
			fatal(TEND_EXIT_FAILED, "out of memory");
		p->relay->out = p->relay->err = (struct relay_pipe){ .read_fd = -1, .write_fd = -1 };
		if (!relay_open(p->relay, c->name, c->redirect_stderr, err, sizeof err))
			fatal(TEND_EXIT_FAILED, "%s", err);
	}
}

/* Every program's `listen` sockets, before anything starts: one that
 * cannot be made is a config error (tend.ini(5)), and nothing starts. They
 * stay open until tend exits (close-on-exec: only spawn.c passes them on).
 * Not inlined: its path-sized buffer would stay in supervisor_run's frame,
 * under which the whole loop runs, and make every call a page deeper. */
static __attribute__((noinline)) STARTUP_ONLY void open_listen_sockets(struct supervisor *sup)
{
	char err[256], where[PATH_MAX + 16];
	for (size_t i = 0; i < sup->n; i++) {
		struct program *p = &sup->programs[i];
		const struct program_config *c = p->svc.cfg;
		if (c->listen.count == 0)
			continue;
		if (!(p->listen_fds = calloc(c->listen.count, sizeof *p->listen_fds)))
			fatal(TEND_EXIT_FAILED, "out of memory");
		for (size_t k = 0; k < c->listen.count; k++) {
			const struct listen_spec *s = &c->listen.items[k];
			if ((p->listen_fds[k] = listen_open(s, c->listen_backlog, err, sizeof err)) < 0) {
				config_where(sup->cfg, c->listen_line, where, sizeof where);
				fatal(TEND_EXIT_ERROR, "%s: [program:%s] listen %s: %s", where, c->name, s->address, err);
			}
		}
	}
}

/* Dropping the startup pages costs tend some CPU; done once the first
 * programs have had time to exec, it does not delay them. */
#define SHED_DELAY 0.05

static void on_shed_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop, (void)w, (void)revents;
	shed_startup_pages();
}

STARTUP_ONLY static void init_programs(struct supervisor *sup)
{
	sup->programs = calloc(sup->n ? sup->n : 1, sizeof *sup->programs);
	if (!sup->programs)
		fatal(TEND_EXIT_FAILED, "out of memory");
	for (size_t i = 0; i < sup->n; i++) {
		struct program *p = &sup->programs[i];
		if (!svc_init(&p->svc, &sup->cfg->programs[i], &sup_os))
			fatal(TEND_EXIT_FAILED, "out of memory");
		p->sup = sup;
		p->report_fd = -1;
		ev_init(&p->timer, on_deadline);
		senses_init(p);
	}
}

static void free_programs(struct supervisor *sup)
{
	for (size_t i = 0; i < sup->n; i++) {
		report_close(&sup->programs[i]);
		senses_close(&sup->programs[i]);
		if (sup->programs[i].relay)
			relay_close(sup->programs[i].relay);
		free(sup->programs[i].relay);
		free(sup->programs[i].listen_fds);	/* the sockets close as tend exits */
		svc_free(&sup->programs[i].svc);
	}
	free(sup->programs);
}

/* Everything before the loop, up to the first programs' start: startup
 * code (dropped once the loop runs), in a frame of its own, dead while the
 * loop runs over supervisor_run's. */
static __attribute__((noinline)) STARTUP_ONLY void set_up(struct supervisor *sup)
{
	sup->pid1 = getpid() == 1;
	/* not PID 1: orphans of our programs must still come to us */
	if (!sup->pid1 && prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		log_warn("cannot become the child subreaper: %s; orphans will not be reaped", strerror(errno));
	/* signalfd: signals arrive as events in the loop, never interrupting it */
	sup->loop = ev_loop_new(EVBACKEND_EPOLL | EVFLAG_SIGNALFD | EVFLAG_NOENV);
	if (!sup->loop)
		fatal(TEND_EXIT_FAILED, "cannot create the event loop");
	attach_output(sup);
	if (!watch_signals(sup))
		fatal(TEND_EXIT_FAILED, "out of memory");
	init_programs(sup);
	open_listen_sockets(sup);
	shutdown_init(sup);
	ev_prepare_init(&sup->reconcile, on_prepare);
	ev_prepare_start(sup->loop, &sup->reconcile);
	sup->started_at = mono_now();
	sup_api_open(sup);
	senses_open(sup);
	open_relays(sup);

	/* the first programs' forks before any of tend's lines is written
	 * (on_prepare releases them) */
	log_hold();
	log_event(LOG_INFO, NULL, "boot", LOG_KV(KV_N("pid", getpid()), KV_N("programs", sup->n)),
		  "starting %zu program%s%s", sup->n, sup->n == 1 ? "" : "s", sup->pid1 ? " as PID 1" : "");
	/* from here on tend may not die: errors are logged and lived with */
	sup_changed(sup);
	on_prepare(sup->loop, &sup->reconcile, 0);	/* the first programs start now */
	/* the command has been started in tend's working directory: tend lets
	 * go of it (as dumb-init does), not to keep a mounted volume busy */
	if (sup->mode == MODE_SINGLE && chdir("/") < 0)
		log_warn("cannot change directory to /: %s", strerror(errno));
	/* not now: the first programs are being exec'd on the machine's CPUs */
	ev_timer_init(&sup->shed_timer, on_shed_timer, SHED_DELAY, 0);
	ev_timer_start(sup->loop, &sup->shed_timer);
}

int supervisor_run(struct config *cfg, enum run_mode mode)
{
	struct supervisor sup = { .cfg = cfg, .mode = mode, .n = cfg->nprograms };

	set_up(&sup);
	ev_run(sup.loop, 0);
	log_release();	/* held by the turn that ended the loop */

	log_event(LOG_INFO, NULL, "exit", LOG_KV(KV_N("status", sup.exit_status)), "exiting with status %d",
		  sup.exit_status);
	http_server_free(sup.http);
	ev_timer_stop(sup.loop, &sup.shed_timer);
	ev_prepare_stop(sup.loop, &sup.reconcile);
	free_programs(&sup);
	free(sup.signals);
	ostream_detach(&tend_stdout);
	ostream_detach(&tend_stderr);
	ev_loop_destroy(sup.loop);
	return sup.exit_status;
}

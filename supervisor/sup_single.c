/* Single-command mode's signals and job control (tend(8) SIGNALS): tend stands in
 * for the command before the shell that started it. */
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "exit_status.h"
#include "signames.h"
#include "spawn.h"
#include "sup.h"

/* Where the shell gave the terminal to tend's process group (`fg` does,
 * and sends SIGCONT), it goes on to the command's group, as at its start. */
static void pass_terminal_on(const struct program *p)
{
	if (p->svc.cfg->tty_foreground && p->svc.pid > 0 && tcgetpgrp(STDIN_FILENO) == getpgrp())
		tcsetpgrp(STDIN_FILENO, p->svc.pid);	/* SIGTTOU is blocked: never stops tend */
}

/* Continues the command's whole process group (the terminal stopped all of
 * it), handing it the terminal if the shell gave it to tend. */
static void continue_command(const struct program *p)
{
	pass_terminal_on(p);
	spawn_signal(p->svc.pid, SIGCONT, true);
}

/* Stops tend with the job-control stop signal sig (TSTP, TTIN or TTOU).
 * The kernel applies it with the rules it would apply to the command in
 * tend's place: not to PID 1, and not to a process group that no shell can
 * continue (orphaned). Returns true when tend was stopped and has been
 * continued since; the SIGCONT that continued it is taken here, so that it
 * is not forwarded on top. */
static bool stop_self(int sig)
{
	sigset_t one, cont, pending;
	sigemptyset(&one);
	sigaddset(&one, sig);
	sigemptyset(&cont);
	sigaddset(&cont, SIGCONT);
	/* sending a stop signal discards a pending SIGCONT: one pending below
	 * came after it, and continued tend */
	kill(getpid(), sig);
	/* it is blocked for signalfd: unblocked, it takes its default action
	 * (SIG_DFL, see watch_signals) and tend stops inside this call */
	sigprocmask(SIG_UNBLOCK, &one, NULL);
	sigprocmask(SIG_BLOCK, &one, NULL);
	sigemptyset(&pending);
	if (sigpending(&pending) < 0 || !sigismember(&pending, SIGCONT))
		return false;
	struct timespec none = { 0, 0 };
	sigtimedwait(&cont, NULL, &none);
	return true;
}

/* SIGTSTP sent to tend (`kill`, or the terminal while tend's group has
 * it): the command gets it, then tend stops too, so that the job stops as a
 * whole, as dumb-init does; tend continues the command when it is
 * continued. Where tend cannot stop, a command that the signal stopped is
 * for single_follow_stop. */
static void job_stop_received(const struct program *p, int sig)
{
	if (p->svc.pid <= 0)
		return;
	spawn_signal(p->svc.pid, sig, false);
	if (stop_self(sig))
		continue_command(p);
}

/* The command stopped (Ctrl-Z: the terminal stopped its group; it used the
 * terminal from the background; SIGSTOP): tend stops the same way, so that
 * the shell sees the job stop and takes the terminal back; continued by
 * `fg` or `bg`, tend continues the command. SIGSTOP is passed up as SIGTSTP,
 * which the kernel applies only where a shell can continue tend. Where tend
 * cannot stop (PID 1, or no shell above), a command stopped by SIGTSTP is
 * continued at once, as it would not have stopped in tend's place; one
 * stopped by TTIN or TTOU would only stop again, and one stopped by SIGSTOP
 * was stopped on purpose: those wait for a SIGCONT. Not a reap: WSTOPPED
 * alone only reads the stop. */
void single_follow_stop(const struct program *p)
{
	siginfo_t info;
	memset(&info, 0, sizeof info);
	if (p->svc.pid <= 0 || waitid(P_PID, (id_t)p->svc.pid, &info, WSTOPPED | WNOHANG) < 0 ||
	    info.si_pid != p->svc.pid)
		return;
	int sig = info.si_status;
	bool job_control = sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
	if (stop_self(job_control ? sig : SIGTSTP) || sig == SIGTSTP)
		continue_command(p);
}

/* Every signal but CHLD goes to the command itself (not its group, as
 * with tini); TERM, INT and QUIT also begin the shutdown. */
void single_signal(struct supervisor *sup, int sig)
{
	const struct program *p = &sup->programs[0];
	if ((sig == SIGTERM || sig == SIGINT || sig == SIGQUIT) && sup->phase == PHASE_RUNNING) {
		/* stopsignal is the signal received: it is what gets forwarded */
		sup->cfg->programs[0].stopsignal = sig;
		shutdown_begin(sup, TEND_EXIT_OK, signal_name(sig));
	} else if (sig == SIGTSTP) {
		job_stop_received(p, sig);
	} else if (sig == SIGTTIN || sig == SIGTTOU) {
		/* not passed on (tend(8) SIGNALS): in tend's place the command would have
		 * been stopped by them only through the terminal, which stops the
		 * command's own group directly (single_follow_stop) */
	} else {
		if (sig == SIGCONT)
			pass_terminal_on(p);	/* `fg` of a job that was running in the background */
		spawn_signal(p->svc.pid, sig, false);
	}
}

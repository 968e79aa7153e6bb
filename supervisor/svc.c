#include "svc.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "log.h"
#include "signames.h"
#include "svc_record.h"
#include "shed.h"

bool svc_held(const struct svc *s)
{
	return s->goal == GOAL_HOLD || s->goal == GOAL_QUIT;
}

/* Shutting down wins over any other goal. */
static void aim(struct svc *s, enum svc_goal goal)
{
	if (!svc_held(s) || goal == GOAL_QUIT)
		s->goal = goal;
}

STARTUP_ONLY bool svc_init(struct svc *s, const struct program_config *cfg, const struct svc_os *os)
{
	memset(s, 0, sizeof *s);
	s->cfg = cfg;
	s->os = os;
	s->state = SVC_STOPPED;
	s->goal = cfg->autostart ? GOAL_WAIT : GOAL_OFF;
	if (cfg->restart_limit > 0) {
		s->restart_times = malloc(cfg->restart_limit * sizeof *s->restart_times);
		if (!s->restart_times)
			return false;
		for (unsigned i = 0; i < cfg->restart_limit; i++)
			s->restart_times[i] = -INFINITY;
	}
	return true;
}

void svc_free(struct svc *s)
{
	free(s->restart_times);
	s->restart_times = NULL;
}

/* ---- actions ---- */

typedef void svc_action(struct svc *s, double now, const struct svc_exit *e);

static void fail_start(struct svc *s, double now, const char *what);

/* fork or pipe failed for lack of something tend itself is short of: the
 * program did nothing wrong, so this is not a failed start (tend(8) PROGRAM STATES). */
static bool short_of_resources(int err)
{
	return err == EAGAIN || err == EMFILE || err == ENFILE || err == ENOMEM;
}

static void wait_for_resources(struct svc *s, double now, int err)
{
	double delay = RESOURCE_RETRY_FIRST;
	for (unsigned i = 0; i < s->resource_waits && delay < RESOURCE_RETRY_MAX; i++)
		delay *= 2;
	if (delay > RESOURCE_RETRY_MAX)
		delay = RESOURCE_RETRY_MAX;
	s->resource_waits++;
	s->state = SVC_BACKOFF;
	s->deadline = now + delay;
	note(s, LOG_WARN, "spawn_deferred", false,
	     "cannot be started now: %s; trying again in %gs (not counted as a failed start)", strerror(err), delay);
}

static void spawn(struct svc *s, double now, const struct svc_exit *e)
{
	(void)e;
	pid_t pid = s->os->spawn(s);
	if (pid < 0) {
		int err = errno;
		if (short_of_resources(err) && !svc_held(s)) {
			wait_for_resources(s, now, err);
			return;
		}
		s->spawn_errno = err;
		char what[160];
		snprintf(what, sizeof what, "could not be started: %s", strerror(err));
		fail_start(s, now, what);
		return;
	}
	s->resource_waits = 0;
	s->spawn_errno = 0;
	s->pid = pid;
	s->starts++;
	s->spawned_at = now;
	if (s->cfg->oneshot) {
		/* a task's start lasts as long as it runs: it succeeds when the
		 * task exits as expected (task_exited), whatever startsecs */
		s->state = SVC_STARTING;
		s->deadline = 0;
		note(s, LOG_INFO, "start", false, "started with pid %d; a task, done when it exits", (int)pid);
	} else if (s->cfg->startsecs > 0) {
		s->state = SVC_STARTING;
		s->deadline = now + s->cfg->startsecs;
		note(s, LOG_INFO, "start", false, "started with pid %d", (int)pid);
	} else {
		/* failed_starts is kept: an exec failure may still come back
		 * (running_exited); an exit after a real run resets it */
		s->state = SVC_RUNNING;
		s->deadline = 0;
		note(s, LOG_INFO, "start", false, "started with pid %d; running", (int)pid);
	}
}

/* A start at boot or on request gets a fresh set of retries. */
static void start_fresh(struct svc *s, double now, const struct svc_exit *e)
{
	s->failed_starts = 0;
	aim(s, GOAL_UP);
	spawn(s, now, e);
}

/* A start failed (exit before startsecs, or no process at all). */
static void fail_start(struct svc *s, double now, const char *what)
{
	s->pid = 0;
	s->failed_starts++;
	if (svc_held(s)) {
		s->state = SVC_EXITED;
		s->deadline = 0;
		note(s, LOG_INFO, "exit", true, "%s; not restarted (shutting down)", what);
	} else if (s->failed_starts > s->cfg->startretries) {
		s->state = SVC_FATAL;
		s->deadline = 0;
		note(s, LOG_ERROR, "fatal", true, "%s; giving up after %u failed start%s (FATAL)", what,
		     s->failed_starts, s->failed_starts == 1 ? "" : "s");
	} else {
		double delay = svc_backoff_delay(s->cfg, s->failed_starts);
		s->state = SVC_BACKOFF;
		s->deadline = now + delay;
		note(s, LOG_INFO, "exit", true, "%s; restart %u of %u in %gs", what, s->failed_starts,
		     s->cfg->startretries, delay);
	}
}

static void start_failed(struct svc *s, double now, const struct svc_exit *e)
{
	char what[96];
	record_exit(s, e);
	describe_exit(s, what, sizeof what);
	fail_start(s, now, what);
}

static void start_succeeded(struct svc *s, double now, const struct svc_exit *e)
{
	(void)e;
	s->state = SVC_RUNNING;
	s->deadline = 0;
	s->failed_starts = 0;
	note(s, LOG_INFO, "running", false, "running (up %.1fs)", now - s->spawned_at);
}

static void running_exited(struct svc *s, double now, const struct svc_exit *e)
{
	char what[96];
	if (e->exec_errno) {	/* startsecs = 0, but it never ran: a failed start */
		start_failed(s, now, e);
		return;
	}
	record_exit(s, e);
	describe_exit(s, what, sizeof what);
	s->pid = 0;
	s->failed_starts = 0;	/* it did run: the start had succeeded */
	bool expected = svc_exited_expected(s);
	enum autorestart policy = s->cfg->autorestart;
	bool restart = !svc_held(s) && (policy == AUTORESTART_TRUE || (policy == AUTORESTART_UNEXPECTED && !expected));
	if (!restart) {
		s->state = SVC_EXITED;
		note(s, expected ? LOG_INFO : LOG_WARN, "exit", true, "%s (%s); not restarted", what,
		     expected ? "expected" : "unexpected");
		return;
	}
	if (restart_limit_reached(s, now)) {
		s->state = SVC_FATAL;
		note(s, LOG_ERROR, "fatal", true, "%s; restart limit reached (%u in %gs), giving up (FATAL)", what,
		     s->cfg->restart_limit, s->cfg->restart_window);
		return;
	}
	count_restart(s, now);
	note(s, LOG_INFO, "exit", true, "%s; restarting", what);
	spawn(s, now, e);
}

/* A task's process is gone (oneshot): with an expected code its start has
 * succeeded and it is done; with any other it is a failed start. */
static void task_exited(struct svc *s, double now, const struct svc_exit *e)
{
	char what[96];
	record_exit(s, e);
	describe_exit(s, what, sizeof what);
	if (e->exec_errno || !svc_exited_expected(s)) {
		fail_start(s, now, what);
		return;
	}
	s->pid = 0;
	s->state = SVC_EXITED;
	s->deadline = 0;
	s->failed_starts = 0;
	note(s, LOG_INFO, "done", true, "%s (expected) after %.1fs; done", what, now - s->spawned_at);
}

/* Sends the stop signal; SIGKILL comes at the deadline. */
static void send_stop(struct svc *s, double now)
{
	s->os->kill(s, s->cfg->stopsignal, s->cfg->stopasgroup);
	s->state = SVC_STOPPING;
	s->deadline = now + s->cfg->stopwaitsecs;
	note(s, LOG_INFO, "stop", false, "stopping with signal %s", signal_name(s->cfg->stopsignal));
}

static void stop(struct svc *s, double now, const struct svc_exit *e)
{
	(void)e;
	send_stop(s, now);
}

static void kill_now(struct svc *s, double now, const struct svc_exit *e)
{
	(void)now, (void)e;
	s->os->kill(s, SIGKILL, s->cfg->killasgroup);
	s->state = SVC_STOPPING;
	s->deadline = 0;
	note(s, LOG_WARN, "kill", false, "sending SIGKILL");
}

static void stop_timed_out(struct svc *s, double now, const struct svc_exit *e)
{
	(void)now, (void)e;
	s->os->kill(s, SIGKILL, s->cfg->killasgroup);
	s->deadline = 0;
	note(s, LOG_WARN, "kill", false, "still running %gs after %s; sending SIGKILL", s->cfg->stopwaitsecs,
	     signal_name(s->cfg->stopsignal));
}

/* The process is gone after a stop: what the goal says comes next. */
static void stopped(struct svc *s, double now, const struct svc_exit *e)
{
	char what[96];
	record_exit(s, e);
	describe_exit(s, what, sizeof what);
	s->pid = 0;
	s->state = SVC_STOPPED;
	s->deadline = 0;
	bool killed = s->last_exit_kind == EXIT_SIGNAL && s->last_exit_value == SIGKILL;
	if (s->goal == GOAL_FATAL) {
		s->state = SVC_FATAL;
		note(s, LOG_ERROR, "fatal", true, "stopped (%s); unhealthy past restart_limit (FATAL)", what);
	} else {
		note(s, killed ? LOG_WARN : LOG_INFO, "stopped", true, "stopped (%s)", what);
	}
	if (s->goal == GOAL_RESTART)
		start_fresh(s, now, NULL);
}

static void stop_then_start(struct svc *s, double now, const struct svc_exit *e)
{
	(void)e;
	send_stop(s, now);
	aim(s, GOAL_RESTART);
}

static void start_after_stop(struct svc *s, double now, const struct svc_exit *e)
{
	(void)now, (void)e;
	aim(s, GOAL_RESTART);
}

/* restart_on_unhealthy: an automatic restart, so restart_limit applies;
 * past it the program is stopped and becomes FATAL. */
static void unhealthy(struct svc *s, double now, const struct svc_exit *e)
{
	(void)e;
	if (restart_limit_reached(s, now)) {
		note(s, LOG_ERROR, "unhealthy", false, "unhealthy; restart limit reached (%u in %gs), stopping it",
		     s->cfg->restart_limit, s->cfg->restart_window);
		send_stop(s, now);
		aim(s, GOAL_FATAL);
		return;
	}
	count_restart(s, now);
	note(s, LOG_WARN, "unhealthy", false, "unhealthy; restarting");
	send_stop(s, now);
	aim(s, GOAL_RESTART);
}

static void cancel_retry(struct svc *s, double now, const struct svc_exit *e)
{
	(void)now, (void)e;
	s->state = SVC_STOPPED;
	s->deadline = 0;
	note(s, LOG_INFO, "stopped", false, "retry cancelled; stopped");
}

static void retry(struct svc *s, double now, const struct svc_exit *e)
{
	if (svc_held(s)) {	/* shutting down: the retry is not made */
		cancel_retry(s, now, e);
		return;
	}
	spawn(s, now, e);
}

/* The event changes nothing in this state (a start of a running program, a
 * stop of a stopped one); its goal may have changed (svc_handle). */
static void nothing(struct svc *s, double now, const struct svc_exit *e)
{
	(void)s, (void)now, (void)e;
}

/* Cannot happen: the supervisor never delivers this event in this state
 * (an exit without a process, a deadline that was never set). */
static void impossible(struct svc *s, double now, const struct svc_exit *e)
{
	(void)now, (void)e;
	note(s, LOG_WARN, "bug", false, "unexpected event in state %s; ignored", svc_state_name(s->state));
}

/* What each event does in each state. The states an action can lead to:
 *   start_fresh, spawn, retry:  STARTING, RUNNING, BACKOFF (no process), FATAL
 *   start_failed:               BACKOFF, FATAL, EXITED (shutting down)
 *   start_succeeded:            RUNNING
 *   running_exited:             STARTING/RUNNING (restarted), EXITED, FATAL, BACKOFF
 *   task_exited:                EXITED (done), or as start_failed
 *   stop, stop_then_start, unhealthy, kill_now:  STOPPING
 *   stop_timed_out, start_after_stop:  STOPPING (stays)
 *   stopped:                    STOPPED, FATAL (goal FATAL), or started again (goal RESTART)
 *   cancel_retry:               STOPPED
 *   nothing, impossible:        the same state */
typedef svc_action *const svc_row[SVC_NEVENTS];

/* A program: it runs until it is stopped, and is restarted per autorestart. */
static const svc_row program_transitions[SVC_NSTATES] = {
	/*                 START        STOP          KILL          EXIT            DEADLINE         RESTART           UNHEALTHY   HOLD */
	[SVC_STOPPED]  = { start_fresh, nothing,      nothing,      impossible,     impossible,      start_fresh,      nothing,    nothing },
	[SVC_STARTING] = { nothing,     stop,         kill_now,     start_failed,   start_succeeded, stop_then_start,  unhealthy,  nothing },
	[SVC_RUNNING]  = { nothing,     stop,         kill_now,     running_exited, impossible,      stop_then_start,  unhealthy,  nothing },
	[SVC_BACKOFF]  = { start_fresh, cancel_retry, cancel_retry, impossible,     retry,           start_fresh,      nothing,    nothing },
	[SVC_STOPPING] = { nothing,     nothing,      kill_now,     stopped,        stop_timed_out,  start_after_stop, nothing,    nothing },
	[SVC_EXITED]   = { start_fresh, nothing,      nothing,      impossible,     impossible,      start_fresh,      nothing,    nothing },
	[SVC_FATAL]    = { start_fresh, nothing,      nothing,      impossible,     impossible,      start_fresh,      nothing,    nothing },
};

/* A task (oneshot = true): its start lasts until its process exits, so it is
 * STARTING while it runs, with no startsecs deadline, and never RUNNING;
 * its exit is the start's outcome (task_exited); it has no health (the
 * config refuses healthcheck, notify and restart_on_unhealthy with it). A
 * start or restart request runs it again; a stop stops it like a program.
 * The rows of STARTING and RUNNING are where it differs from a program. */
static const svc_row task_transitions[SVC_NSTATES] = {
	/*                 START        STOP          KILL          EXIT            DEADLINE         RESTART           UNHEALTHY   HOLD */
	[SVC_STOPPED]  = { start_fresh, nothing,      nothing,      impossible,     impossible,      start_fresh,      nothing,    nothing },
	[SVC_STARTING] = { nothing,     stop,         kill_now,     task_exited,    impossible,      stop_then_start,  impossible, nothing },
	[SVC_RUNNING]  = { impossible,  impossible,   impossible,   impossible,     impossible,      impossible,       impossible, impossible },
	[SVC_BACKOFF]  = { start_fresh, cancel_retry, cancel_retry, impossible,     retry,           start_fresh,      nothing,    nothing },
	[SVC_STOPPING] = { nothing,     nothing,      kill_now,     stopped,        stop_timed_out,  start_after_stop, nothing,    nothing },
	[SVC_EXITED]   = { start_fresh, nothing,      nothing,      impossible,     impossible,      start_fresh,      nothing,    nothing },
	[SVC_FATAL]    = { start_fresh, nothing,      nothing,      impossible,     impossible,      start_fresh,      nothing,    nothing },
};

/* What an event asks of the program's goal, before its action runs. A stop
 * request keeps it stopped (or, shutting down, records that it was told);
 * one that comes while an unhealthy program is stopped on its way to FATAL
 * leaves that so. */
static void aim_for(struct svc *s, enum svc_event event)
{
	if (event == SVC_HOLD)
		s->goal = GOAL_HOLD;
	else if (event == SVC_STOP && svc_held(s))
		s->goal = GOAL_QUIT;
	else if (event == SVC_STOP && !(s->state == SVC_STOPPING && s->goal == GOAL_FATAL))
		s->goal = GOAL_DOWN;
	else if (event == SVC_START && (s->state != SVC_STOPPING || s->goal == GOAL_DOWN))
		aim(s, GOAL_UP);	/* stopping to restart, or to FATAL: that stands */
}

void svc_handle(struct svc *s, enum svc_event event, double now, const struct svc_exit *exit)
{
	const svc_row *table = s->cfg->oneshot ? task_transitions : program_transitions;
	aim_for(s, event);
	table[s->state][event](s, now, exit);
}

/* One supervised program as a state machine (tend(8) PROGRAM STATES). Events come in
 * (start, stop, kill, exit, deadline), the table in svc.c picks the action:
 * a program's table, or a task's (oneshot), which differs in a few cells.
 * The machine never touches the OS or the clock itself: `now` is passed in,
 * and processes are made and signalled through struct svc_os, so unit tests
 * drive every transition with a fake clock and a fake spawner. */
#ifndef TEND_SVC_H
#define TEND_SVC_H

#include <stdbool.h>
#include <sys/types.h>

#include "config.h"

enum svc_state {
	SVC_STOPPED,	/* not started, or stopped on request */
	SVC_STARTING,	/* spawned, startsecs not yet elapsed; a task (oneshot): until it exits */
	SVC_RUNNING,
	SVC_BACKOFF,	/* a start failed; waiting to retry */
	SVC_STOPPING,	/* stop signal sent */
	SVC_EXITED,	/* exited and not restarted, per autorestart; a task: done (or shutting down) */
	SVC_FATAL,	/* startretries used up, or restart_limit exceeded */
	SVC_NSTATES
};

enum svc_event {
	SVC_START,	/* start it (at boot, or on request) */
	SVC_STOP,	/* stop it gracefully: stopsignal, SIGKILL after stopwaitsecs */
	SVC_KILL,	/* SIGKILL now (second TERM, shutdown_timeout) */
	SVC_EXIT,	/* its process was reaped */
	SVC_DEADLINE,	/* svc.deadline has come */
	SVC_RESTART,	/* stop it gracefully if it runs, then start it (a request) */
	SVC_UNHEALTHY,	/* restart_on_unhealthy: like RESTART, within restart_limit */
	SVC_HOLD,	/* shutting down: never start it again */
	SVC_NEVENTS
};

/* What the program should be, apart from what it is (its state). Changed
 * only by the events the machine handles (svc_handle); read by the
 * supervisor to decide what to ask next. */
enum svc_goal {
	GOAL_WAIT,	/* autostart: to be started at its turn (depends_on, priority) */
	GOAL_OFF,	/* autostart = false, never asked for */
	GOAL_UP,	/* keep it running (restarted per autorestart) */
	GOAL_DOWN,	/* stopped on request: it stays stopped */
	GOAL_RESTART,	/* stop it, then start it again (a request, or unhealthy) */
	GOAL_FATAL,	/* unhealthy past restart_limit: stop it, then FATAL */
	GOAL_HOLD,	/* shutting down: never started again; not yet told to stop */
	GOAL_QUIT,	/* shutting down: told to stop */
	SVC_NGOALS
};

/* A start put off because tend was short of fds or processes is tried
 * again after this long, doubling up to the max. */
#define RESOURCE_RETRY_FIRST 0.1
#define RESOURCE_RETRY_MAX 5.0

struct svc;

struct svc_os {
	/* Makes the process. Returns its pid, or -1 with errno set. */
	pid_t (*spawn)(struct svc *s);
	/* Sends sig to the process, or to its process group. */
	void (*kill)(struct svc *s, int sig, bool group);
};

/* What the reaper learned about an exit. */
struct svc_exit {
	int status;		/* as from waitpid */
	int exec_errno;		/* nonzero: the command could not be executed */
};

enum exit_kind { EXIT_NONE, EXIT_CODE, EXIT_SIGNAL };

struct svc {
	const struct program_config *cfg;
	const struct svc_os *os;
	enum svc_state state;
	pid_t pid;		/* 0 while there is no process */
	double spawned_at;
	double deadline;	/* 0: none; else when SVC_DEADLINE is due */
	unsigned failed_starts;	/* consecutive failed starts */
	unsigned starts;	/* every spawn; restarts = starts - 1 */
	enum exit_kind last_exit_kind;
	int last_exit_value;	/* exit code or signal number */
	enum svc_goal goal;
	int spawn_errno;	/* the last start made no process: why (else 0) */
	unsigned resource_waits;	/* starts put off in a row: tend was short of fds/processes */
	double *restart_times;	/* ring of the last restart_limit automatic restarts */
	unsigned restart_next;
};

bool svc_init(struct svc *s, const struct program_config *cfg, const struct svc_os *os);
void svc_free(struct svc *s);
void svc_handle(struct svc *s, enum svc_event event, double now, const struct svc_exit *exit);

const char *svc_state_name(enum svc_state state);
/* Shutting down: HOLD or QUIT. */
bool svc_held(const struct svc *s);
unsigned svc_restarts(const struct svc *s);
/* The delay before retry number `failed_starts` (1 = first retry). */
double svc_backoff_delay(const struct program_config *cfg, unsigned failed_starts);
/* Exited with an expected code: a finished one-shot task. */
bool svc_exited_expected(const struct svc *s);

#endif

/* The supervisor's module header: the table of programs and what its files
 * share. The files, in the order an event goes through them:
 *   sup_loop.c      supervisor_run: set-up, the loop, the reconcile step once
 *                   per turn, each program's deadline timer, tear-down
 *   sup_signals.c   signals sent to tend, and where each goes
 *   sup_single.c    single-command mode's signals and job control
 *   sup_reap.c      the OS side of the state machines, and the one reaper
 *   sup_senses.c    a program's probes, sd_notify and watchdog
 *   sup_start.c     readiness and start policy; what ends tend on failure
 *   sup_shutdown.c  the shutdown's phases
 *   sup_api.c       the HTTP API's view of the table, and its control
 * A callback changes state through the programs' state machines
 * (program_deliver) and marks the table changed (sup_changed); the loop
 * then settles the consequences once, before it next waits. */
#ifndef TEND_SUP_H
#define TEND_SUP_H

#include <ev.h>
#include <stdbool.h>
#include <stddef.h>

#include "api.h"
#include "config.h"
#include "health.h"
#include "notify.h"
#include "probe.h"
#include "relay.h"
#include "supervisor.h"
#include "svc.h"
#include "util.h"


/* The shutdown, as states (sup_shutdown.c). */
enum phase {
	PHASE_RUNNING,
	PHASE_DRAINING,		/* /health says "stopping"; programs supervised as usual */
	PHASE_STOPPING,		/* stopping the programs in order */
	PHASE_STOPPING_KILLED,	/* shutdown_timeout came first: all got SIGKILL */
	PHASE_LEFTOVERS,	/* programs gone; the other processes got SIGTERM */
	PHASE_LEFTOVERS_KILLED,	/* ...and then SIGKILL: waiting for the kernel */
};

struct program {
	struct svc svc;
	struct supervisor *sup;
	ev_timer timer;		/* the svc's deadline */
	double timer_at;	/* deadline the timer is armed for; 0: not armed */
	ev_io report;		/* the exec-failure pipe of the current process */
	int report_fd;		/* -1: closed */
	int exec_errno;		/* the current process could not be executed */
	struct relay *relay;	/* log_prefix: its stdout and stderr pipes; else NULL */
	int *listen_fds;	/* its `listen` sockets, held while tend runs; NULL: none */
	bool said_blocked;	/* "not started: its dependency is FATAL" logged */
	struct probe probe;	/* its healthcheck, while one runs */
	struct health health;
	ev_timer probe_timer;	/* when the next probe is due */
	int notify_fd;		/* notify: its datagram socket; -1 */
	ev_io notify_io;
	ev_timer watchdog_timer;	/* watchdog_sec without WATCHDOG=1: unhealthy */
	bool watchdog_expired;	/* that happened, and no WATCHDOG=1 came since */
	bool notified_ready;	/* READY=1 came from the current process */
	char status_text[NOTIFY_STATUS_MAX + 1];	/* its last STATUS= */
};

struct supervisor {
	struct ev_loop *loop;
	struct config *cfg;
	enum run_mode mode;
	struct program *programs;
	size_t n;
	enum phase phase;
	int exit_status;
	bool pid1;
	bool changed;		/* the reconcile step has work */
	ev_prepare reconcile;	/* runs it, once per loop turn */
	double shutdown_started;
	ev_timer shutdown_timer;	/* shutdown_timeout: SIGKILL everything */
	ev_timer drain_timer;		/* the drain is over: stop in order */
	ev_timer leftover_timer;	/* SIGKILL leftovers, then give up waiting */
	ev_timer leftover_poll;		/* as PID 1: are the non-children gone yet? */
	ev_timer shed_timer;		/* once, just after start: drop startup-only pages */
	ev_signal *signals;
	size_t nsignals;
	unsigned long orphans_reaped;
	double started_at;
	struct http_server *http;
	struct api_backend api;
	const char *waiting[64];	/* api view: names of unsatisfied depends_on */
};


/* Programs are started, restarted and controlled as usual: before the
 * shutdown, and during its drain. */
static inline bool sup_supervising(const struct supervisor *sup)
{
	return sup->phase == PHASE_RUNNING || sup->phase == PHASE_DRAINING;
}

/* The table changed: settle it before the loop next waits. */
static inline void sup_changed(struct supervisor *sup)
{
	sup->changed = true;
}

/* Feeds one event to a program's state machine. */
static inline void program_deliver(struct program *p, enum svc_event event, const struct svc_exit *exit)
{
	svc_handle(&p->svc, event, mono_now(), exit);
	sup_changed(p->sup);
}

static inline bool program_has_process(const struct program *p)
{
	return p->svc.pid > 0;
}

/* sup_reap.c */
extern const struct svc_os sup_os;
/* The one place that reaps. Returns true while tend still has children. */
bool sup_reap(struct supervisor *sup);
void report_close(struct program *p);

/* sup_senses.c */
void senses_open(struct supervisor *sup);
void senses_init(struct program *p);
/* A new process: health and readiness unknown again; probes begin. */
void senses_start(struct program *p);
/* The process is gone: no more probes; the last verdict stays on show. */
void senses_stop(struct program *p);
void senses_close(struct program *p);

/* sup_start.c */
/* Ready (tend(8) PROGRAM STATES): RUNNING, healthy when it has a healthcheck, READY=1
 * with notify. */
bool program_ready(const struct program *p);
/* Ready or finished, so that its dependents may start (tend(8) PROGRAM STATES). */
bool program_satisfies_dependents(const struct program *p);
/* Done (tend(8) PROGRAM STATES): finished, or stopped as asked. */
bool program_done(const struct program *p);
void start_free_programs(struct supervisor *sup);
void check_fatal(struct supervisor *sup);
void check_single_done(struct supervisor *sup);

/* sup_shutdown.c */
void shutdown_init(struct supervisor *sup);
void shutdown_begin(struct supervisor *sup, int status, const char *why);
/* A step of the phase machine, after the table changed. */
void shutdown_step(struct supervisor *sup);
void shutdown_kill_all(struct supervisor *sup);
/* A second TERM/INT, or a QUIT/INT, during the drain: the stop begins now. */
void shutdown_end_drain(struct supervisor *sup, const char *why);
/* Children gone in the leftover phase: whether tend may exit now. */
void shutdown_children_gone(struct supervisor *sup);

/* sup_signals.c */
bool watch_signals(struct supervisor *sup);

/* sup_single.c */
void single_signal(struct supervisor *sup, int sig);
void single_follow_stop(const struct program *p);

/* sup_api.c: opens the listeners (before the loop: fatal on failure). */
void sup_api_open(struct supervisor *sup);

#endif

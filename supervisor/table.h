/* The table of programs that supervisor.c runs and backend.c shows to the
 * HTTP API: shared by those two files only. */
#ifndef TEND_TABLE_H
#define TEND_TABLE_H

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

enum phase {
	PHASE_RUNNING,
	PHASE_STOPPING,		/* stopping the programs in order */
	PHASE_LEFTOVERS,	/* programs gone; other processes get TERM then KILL */
};

struct program {
	struct svc svc;
	struct supervisor *sup;
	ev_timer timer;		/* the svc's deadline */
	double timer_at;	/* deadline the timer is armed for; 0: not armed */
	ev_io report;		/* the exec-failure pipe of the current process */
	int report_fd;		/* -1: closed */
	int exec_errno;		/* the current process could not be executed */
	struct relay relay;	/* log_prefix: its stdout and stderr pipes */
	bool launched;		/* autostart done (or started on request) */
	bool stop_sent;		/* shutdown: stop event delivered */
	bool stopped_on_request;	/* stopped through the API: done, not failing */
	bool blocked_logged;	/* "waiting for a FATAL dependency" said once */
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
	bool final_kill_sent;
	double shutdown_started;
	ev_timer shutdown_timer;	/* shutdown_timeout: SIGKILL everything */
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

/* The monotonic clock, in seconds: what the state machines are given. */
double mono_now(void);
/* Feeds one event to a program's state machine. */
void table_deliver(struct program *p, enum svc_event event, const struct svc_exit *exit);
/* After any event: start, stop and arm whatever the table now calls for. */
void table_update(struct supervisor *sup);
bool table_has_process(const struct program *p);
/* Ready (SPEC §3): RUNNING, and healthy when it has a healthcheck. */
bool table_ready(const struct program *p);
/* Ready or finished, so that its dependents may start (SPEC §3). */
bool table_satisfies_dependents(const struct program *p);

/* backend.c: the API's view of the table, and its control requests.
 * Opens the listeners (before the loop: fatal on failure). */
void backend_start_http(struct supervisor *sup);

#endif

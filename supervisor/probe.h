/* Health probes at work (tend.ini(5) `healthcheck`; what a probe is, parsed from
 * the config: probe_spec.h): http (healthy on 2xx/3xx), tcp (healthy when
 * the connect succeeds) and exec (healthy on exit 0). Each runs inside the
 * event loop without blocking it and has its timeout; whatever goes wrong
 * (refused, silent server, garbage, a command that hangs) is a failed
 * probe, nothing more. An exec probe is a child of tend: the one reaper
 * hands its exit back through probe_reaped(). */
#ifndef TEND_PROBE_H
#define TEND_PROBE_H

#include <ev.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "http_parser.h"
#include "probe_spec.h"

struct probe;
/* The verdict of one probe; why says what failed ("connection refused"). */
typedef void probe_done_fn(struct probe *p, bool ok, const char *why);
/* Starts an exec probe's process; returns its pid or -1. */
typedef pid_t probe_spawn_fn(struct probe *p);

struct probe {
	struct ev_loop *loop;
	const struct probe_spec *spec;
	probe_done_fn *done;
	probe_spawn_fn *spawn;
	bool running;		/* started, no verdict yet */
	int fd;			/* http, tcp: the connection; -1 */
	pid_t pid;		/* exec: the child, until it is reaped; 0 */
	ev_io io;
	ev_timer timer;
	size_t sent;		/* http: bytes of the request sent */
	char reply[HTTP_STATUS_START];	/* http: the start of the status line */
	size_t got;
};

void probe_init(struct probe *p, struct ev_loop *loop, const struct probe_spec *spec, probe_done_fn *done,
		probe_spawn_fn *spawn);
void probe_start(struct probe *p, double timeout);
/* Stops a probe without a verdict (the program stopped); an exec child is
 * killed, and stays in p->pid until reaped. */
void probe_cancel(struct probe *p);
/* The reaper found p->pid's exit. */
void probe_reaped(struct probe *p, int status);

#endif

/* Health probes (SPEC §2 `healthcheck`): http://HOST:PORT/PATH (healthy on
 * 2xx/3xx), tcp://HOST:PORT (healthy when the connect succeeds) and
 * exec:COMMAND (healthy on exit 0). Each runs inside the event loop without
 * blocking it and has its timeout; whatever goes wrong (refused, silent
 * server, garbage, a command that hangs) is a failed probe, nothing more.
 * An exec probe is a child of tend: the one reaper hands its exit back
 * through probe_reaped(). */
#ifndef TEND_PROBE_H
#define TEND_PROBE_H

#include <ev.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

enum probe_kind { PROBE_NONE, PROBE_HTTP, PROBE_TCP, PROBE_EXEC };

struct probe_spec {
	enum probe_kind kind;
	struct sockaddr_storage addr;	/* http, tcp */
	socklen_t addr_len;
	char *request;			/* http: the whole GET request */
	char **argv;			/* exec */
};

bool probe_parse(const char *text, struct probe_spec *out, char *err, size_t n);
void probe_spec_free(struct probe_spec *spec);

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
	char reply[16];		/* http: the start of the status line */
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

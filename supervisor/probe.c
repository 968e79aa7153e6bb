#include "probe.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "net.h"
#include "spawn.h"
#include "util.h"
#include "shed.h"

STARTUP_ONLY void probe_init(struct probe *p, struct ev_loop *loop, const struct probe_spec *spec, probe_done_fn *done,
		probe_spawn_fn *spawn)
{
	memset(p, 0, sizeof *p);
	p->loop = loop;
	p->spec = spec;
	p->done = done;
	p->spawn = spawn;
	p->fd = -1;
}

static void release(struct probe *p)
{
	ev_io_stop(p->loop, &p->io);
	ev_timer_stop(p->loop, &p->timer);
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
	if (p->pid > 0)
		spawn_signal(p->pid, SIGKILL, true);	/* its whole group; reaped later */
	p->running = false;
}

static void verdict(struct probe *p, bool ok, const char *why)
{
	release(p);
	p->done(p, ok, why);
}

/* http: the start of the status line, as much of it as came; closed: the
 * server closed the connection. */
static void judge_reply(struct probe *p, bool closed)
{
	int status;
	int r = http_parse_status(p->reply, p->got, &status);
	if (r == HTTP_PARTIAL && !closed)
		return;	/* more to come */
	char why[64];
	if (r < 0) {
		verdict(p, false, "no HTTP status line in the answer");
	} else if (status >= 200 && status < 400) {
		verdict(p, true, "");
	} else {
		snprintf(why, sizeof why, "answered %d", status);
		verdict(p, false, why);
	}
}

/* After a send or recv that returned n: whether to stop here, to wait
 * (n < 0 but nothing is wrong) or because the probe failed. */
static bool io_stopped(struct probe *p, ssize_t n)
{
	if (n >= 0)
		return false;
	if (errno != EAGAIN && errno != EINTR)
		verdict(p, false, strerror(errno));
	return true;
}

static void on_io(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop, (void)revents;
	struct probe *p = container_of(w, struct probe, io);
	if (p->sent == 0 && p->got == 0 && (w->events & EV_WRITE)) {
		int err = 0;
		socklen_t len = sizeof err;
		getsockopt(p->fd, SOL_SOCKET, SO_ERROR, &err, &len);
		if (err) {
			verdict(p, false, strerror(err));
			return;
		}
		if (p->spec->kind == PROBE_TCP) {
			verdict(p, true, "");
			return;
		}
	}
	if (w->events & EV_WRITE) {
		const char *req = p->spec->request;
		size_t left = strlen(req) - p->sent;
		ssize_t n = send(p->fd, req + p->sent, left, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (io_stopped(p, n))
			return;
		p->sent += (size_t)n;
		if (p->sent == strlen(req)) {
			ev_io_stop(p->loop, &p->io);
			ev_io_set(&p->io, p->fd, EV_READ);
			ev_io_start(p->loop, &p->io);
		}
		return;
	}
	ssize_t n = recv(p->fd, p->reply + p->got, sizeof p->reply - p->got, MSG_DONTWAIT);
	if (io_stopped(p, n))
		return;
	p->got += (size_t)n;
	judge_reply(p, n == 0);	/* judged by the time reply is full: a server that floods is cut off */
}

static void on_timeout(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop, (void)revents;
	verdict(container_of(w, struct probe, timer), false, "timed out");
}

void probe_start(struct probe *p, double timeout)
{
	if (p->running)
		return;
	if (p->pid > 0) {
		/* the last exec probe was killed but is not reaped yet */
		p->done(p, false, "the previous check is still exiting");
		return;
	}
	p->sent = p->got = 0;
	p->running = true;
	ev_timer_init(&p->timer, on_timeout, timeout, 0);
	ev_timer_start(p->loop, &p->timer);
	if (p->spec->kind == PROBE_EXEC) {
		p->pid = p->spawn(p);
		if (p->pid < 0) {
			p->pid = 0;
			verdict(p, false, strerror(errno));
		}
		return;
	}
	char err[128];
	p->fd = net_tcp_connect(&p->spec->addr, p->spec->addr_len, err, sizeof err);
	if (p->fd < 0) {
		verdict(p, false, strerror(errno));	/* the cause alone: the log line names the probe */
		return;
	}
	ev_io_init(&p->io, on_io, p->fd, EV_WRITE);
	ev_io_start(p->loop, &p->io);
}

void probe_cancel(struct probe *p)
{
	release(p);
}

void probe_reaped(struct probe *p, int status)
{
	p->pid = 0;
	if (!p->running)
		return;	/* it already failed on its timeout */
	char why[64] = "";
	bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
	if (WIFEXITED(status) && !ok)
		snprintf(why, sizeof why, "exited with code %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(why, sizeof why, "killed by signal %d", WTERMSIG(status));
	verdict(p, ok, why);
}

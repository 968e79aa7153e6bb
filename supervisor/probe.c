#include "probe.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "http_server.h"
#include "spawn.h"
#include "words.h"

#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))

bool probe_parse(const char *text, struct probe_spec *out, char *err, size_t n)
{
	memset(out, 0, sizeof *out);
	if (strncmp(text, "exec:", 5) == 0) {
		const char *why;
		out->argv = words_split(text + 5, &why);
		if (!out->argv) {
			snprintf(err, n, "exec: %s", why);
			return false;
		}
		out->kind = PROBE_EXEC;
		return true;
	}
	bool http = strncmp(text, "http://", 7) == 0;
	if (!http && strncmp(text, "tcp://", 6) != 0) {
		snprintf(err, n, "\"%s\" is not http://HOST:PORT/PATH, tcp://HOST:PORT or exec:COMMAND", text);
		return false;
	}
	const char *host_port = text + (http ? 7 : 6);
	const char *slash = strchr(host_port, '/');
	if (!http && slash) {
		snprintf(err, n, "a tcp:// check takes no path");
		return false;
	}
	size_t hp_len = slash ? (size_t)(slash - host_port) : strlen(host_port);
	char hp[128];
	if (hp_len >= sizeof hp) {
		snprintf(err, n, "address too long");
		return false;
	}
	memcpy(hp, host_port, hp_len);
	hp[hp_len] = '\0';
	if (!http_parse_listen(hp, &out->addr, &out->addr_len, err, n))
		return false;
	if (http) {
		const char *path = slash ? slash : "/";
		for (const char *c = path; *c; c++) {
			if ((unsigned char)*c <= ' ' || *c == 0x7f) {
				snprintf(err, n, "the path may not hold spaces or control characters");
				return false;
			}
		}
		if (asprintf(&out->request, "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: tend\r\nConnection: close\r\n\r\n",
			     path, hp) < 0) {
			snprintf(err, n, "out of memory");
			return false;
		}
	}
	out->kind = http ? PROBE_HTTP : PROBE_TCP;
	return true;
}

void probe_spec_free(struct probe_spec *spec)
{
	free(spec->request);
	free(spec->argv);
	memset(spec, 0, sizeof *spec);
}

void probe_init(struct probe *p, struct ev_loop *loop, const struct probe_spec *spec, probe_done_fn *done,
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

/* http: enough of "HTTP/1.1 200" to judge, or the server closed. */
static void judge_reply(struct probe *p)
{
	int status = 0;
	if (p->got >= 12 && memcmp(p->reply, "HTTP/1.", 7) == 0 && p->reply[8] == ' ')
		status = atoi(p->reply + 9);
	char why[64];
	if (status >= 200 && status < 400) {
		verdict(p, true, "");
	} else if (status > 0) {
		snprintf(why, sizeof why, "answered %d", status);
		verdict(p, false, why);
	} else {
		verdict(p, false, "no HTTP status line in the answer");
	}
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
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n < 0) {
			verdict(p, false, strerror(errno));
			return;
		}
		p->sent += (size_t)n;
		if (p->sent == strlen(req)) {
			ev_io_stop(p->loop, &p->io);
			ev_io_set(&p->io, p->fd, EV_READ);
			ev_io_start(p->loop, &p->io);
		}
		return;
	}
	ssize_t n = recv(p->fd, p->reply + p->got, sizeof p->reply - p->got, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n < 0) {
		verdict(p, false, strerror(errno));
		return;
	}
	p->got += (size_t)n;
	if (n == 0 || p->got >= 12)
		judge_reply(p);	/* a server that floods is cut off here */
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
	p->fd = socket(p->spec->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (p->fd < 0) {
		verdict(p, false, strerror(errno));
		return;
	}
	if (connect(p->fd, (const struct sockaddr *)&p->spec->addr, p->spec->addr_len) < 0 && errno != EINPROGRESS) {
		verdict(p, false, strerror(errno));
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

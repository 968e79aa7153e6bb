#include "http_server.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dirs.h"
#include "http_conn.h"
#include "log.h"
#include "net.h"
#include "util.h"
#include "shed.h"

/* After accept() fails for lack of fds, wait this long before trying again. */
#define ACCEPT_PAUSE 0.1

/* Descriptors that HTTP connections may never take, so that a flood cannot
 * stop tend from doing its work. Kept for tend itself: stdin, stdout and
 * stderr, the event loop's epoll and signalfd, the listeners, the pipe pair
 * of a program being spawned, a file it reads (/proc for the leftovers at
 * shutdown), the connection accepted only to be refused, and room for what
 * the libraries open. Kept for each program: its exec-failure pipe, its
 * notify socket, its healthcheck's socket, or the pipe pair of an exec
 * probe being spawned, and both ends of its two output pipes (relay.h).
 * Whatever else comes to hold descriptors for a program (the sockets of
 * its `listen`) is counted as it is: held_fds. */
#define RESERVE_FOR_TEND 16
#define RESERVE_PER_PROGRAM 8

struct listener {
	struct http_server *server;
	enum listener_kind kind;
	int fd;
	ev_io io;
	ev_timer pause;
	unsigned connections;
	unsigned long refused;
};

struct http_server {
	struct http_conns conns;
	struct listener listeners[LISTENER_KINDS];
	unsigned max_connections;	/* on each listener, from RLIMIT_NOFILE */
	uid_t uid;		/* tend's effective uid: its peers may control */
	char *socket_path;	/* to remove at exit */
};

static void on_accept_pause(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)revents;
	struct listener *l = container_of(w, struct listener, pause);
	ev_io_start(loop, &l->io);
}

/* tend(8) HTTP API: control from root or tend's own uid, on the unix socket only.
 * The peer's credentials are those it had when it connected. */
static enum api_access access_of(const struct listener *l, int fd)
{
	if (l->kind == LISTENER_TCP)
		return API_READ_TCP;
	struct ucred peer;
	socklen_t len = sizeof peer;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &len) == 0 && (peer.uid == 0 || peer.uid == l->server->uid))
		return API_CONTROL;
	return API_READ_PEER;
}

static void on_accept(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)revents;
	struct listener *l = container_of(w, struct listener, io);
	for (;;) {
		int fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
				/* out of fds: level-triggered accept would spin; pause */
				log_warn("cannot accept a connection: %s; pausing %gs", strerror(errno), ACCEPT_PAUSE);
				ev_io_stop(loop, &l->io);
				ev_timer_set(&l->pause, ACCEPT_PAUSE, 0);
				ev_timer_start(loop, &l->pause);
			}
			return;
		}
		if (l->connections >= l->server->max_connections ||
		    !http_conn_open(&l->server->conns, fd, access_of(l, fd), &l->connections)) {
			close(fd);	/* over the limit: closed at once and counted */
			l->refused++;
		}
	}
}

static bool start_listener(struct http_server *s, enum listener_kind kind, int fd)
{
	struct listener *l = &s->listeners[kind];
	l->server = s;
	l->kind = kind;
	l->fd = fd;
	ev_io_init(&l->io, on_accept, fd, EV_READ);
	ev_io_start(s->conns.loop, &l->io);
	ev_init(&l->pause, on_accept_pause);
	return true;
}

/* The caps on connections, from RLIMIT_NOFILE less the reserve, split
 * evenly between the listeners, so that a flood on one never takes the
 * other's share nor the reserve. A low soft limit is first raised as far
 * as the full caps want, when the hard limit allows: no further, since the
 * programs inherit it. */
static unsigned size_connection_caps(size_t nprograms, size_t held_fds)
{
	rlim_t reserve = RESERVE_FOR_TEND + RESERVE_PER_PROGRAM * (rlim_t)nprograms + (rlim_t)held_fds;
	rlim_t wanted = reserve + LISTENER_KINDS * HTTP_MAX_CONNECTIONS;
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		rl.rlim_cur = rl.rlim_max = wanted;	/* cannot tell: as if it were enough */
	if (rl.rlim_cur < wanted && rl.rlim_cur < rl.rlim_max) {
		struct rlimit raised = { .rlim_cur = rl.rlim_max < wanted ? rl.rlim_max : wanted, .rlim_max = rl.rlim_max };
		if (setrlimit(RLIMIT_NOFILE, &raised) == 0)
			rl.rlim_cur = raised.rlim_cur;
	}
	rlim_t share = rl.rlim_cur > reserve ? (rl.rlim_cur - reserve) / LISTENER_KINDS : 0;
	if (share >= HTTP_MAX_CONNECTIONS)
		return HTTP_MAX_CONNECTIONS;
	/* one at least, so that `tend status` can still get in */
	unsigned cap = share > 0 ? (unsigned)share : 1;
	log_warn("RLIMIT_NOFILE is %llu: at most %u HTTP connections at once on each listener, not %d "
		 "(%llu descriptors are kept for tend and its programs)",
		 (unsigned long long)rl.rlim_cur, cap, HTTP_MAX_CONNECTIONS, (unsigned long long)reserve);
	return cap;
}

STARTUP_ONLY struct http_server *http_server_new(struct ev_loop *loop, const struct api_backend *backend, size_t held_fds)
{
	struct http_server *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->conns.loop = loop;
	s->conns.backend = backend;
	s->uid = geteuid();
	s->max_connections = size_connection_caps(backend->count(backend->ctx), held_fds);
	for (int k = 0; k < LISTENER_KINDS; k++)
		s->listeners[k].fd = -1;
	return s;
}

/* A socket file left by a tend that died is replaced; a live one is not. */
STARTUP_ONLY static bool clear_stale_socket(const char *path, char *err, size_t n)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return errno == ENOENT || (snprintf(err, n, "cannot use %s: %s", path, strerror(errno)), false);
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, n, "%s exists and is not a socket", path);
		return false;
	}
	int fd = net_socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, err, n);
	if (fd < 0)
		return false;
	char ignored[128];
	bool connected = net_unix_connect(fd, path, ignored, sizeof ignored);
	int e = errno;
	close(fd);
	if (connected || e == EAGAIN) {
		snprintf(err, n, "another tend is already serving %s", path);
		return false;
	}
	unlink(path);
	return true;
}

STARTUP_ONLY bool http_listen_unix(struct http_server *s, const char *path, mode_t mode, char *err, size_t n)
{
	if (!net_unix_path_fits(path)) {
		snprintf(err, n, "socket path too long (at most %zu bytes)", NET_UNIX_PATH_MAX);
		return false;
	}
	if (!dirs_make_parents(path, err, n) || !dirs_check_private(path, s->uid, err, n) ||
	    !clear_stale_socket(path, err, n))
		return false;
	int fd = net_unix_listen(path, mode, HTTP_MAX_CONNECTIONS, err, n);
	if (fd < 0)
		return false;
	s->socket_path = strdup(path);
	return start_listener(s, LISTENER_UNIX, fd);
}

STARTUP_ONLY bool http_listen_tcp(struct http_server *s, const char *host_port, char *err, size_t n)
{
	int fd = net_tcp_listen(host_port, HTTP_MAX_CONNECTIONS, err, n);
	if (fd < 0)
		return false;
	/* No Nagle: each answer is one send(), and answers to pipelined requests
	 * follow each other; Nagle would hold the second one until the client's
	 * delayed ACK, ~40 ms. Set on the listener, Linux gives it to every
	 * accepted connection (no syscall per connection). Only speed is at stake. */
	int one = 1;
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	return start_listener(s, LISTENER_TCP, fd);
}

unsigned long http_connections_refused(const struct http_server *s, enum listener_kind kind)
{
	return s->listeners[kind].refused;
}

void http_server_free(struct http_server *s)
{
	if (!s)
		return;
	http_conns_free(&s->conns);
	for (int k = 0; k < LISTENER_KINDS; k++) {
		struct listener *l = &s->listeners[k];
		if (l->fd < 0)
			continue;
		ev_io_stop(s->conns.loop, &l->io);
		ev_timer_stop(s->conns.loop, &l->pause);
		close(l->fd);
	}
	if (s->socket_path)
		unlink(s->socket_path);
	free(s->socket_path);
	free(s);
}

#include "http_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "dirs.h"
#include "log.h"

#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))

/* Past this much unsent output, stop reading more requests from a client
 * that does not read its answers. */
#define OUTPUT_HIGH_WATER (64 * 1024)
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
 * Whatever else comes to hold descriptors for a program (sockets it is
 * given) belongs in the second. */
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

struct conn {
	struct listener *listener;
	int fd;
	ev_io io;
	ev_timer timer;
	struct strbuf in;	/* bytes of requests not yet answered */
	struct strbuf out;	/* bytes of answers not yet sent */
	enum api_access access;	/* what the peer may ask, known at accept */
	bool head_pending;	/* a request has begun: its 5 s run from its first byte */
	bool input_done;	/* the client shut down its side: answer what came, then close */
	bool closing;		/* close once out is sent */
	struct conn *next, *prev;
};

struct http_server {
	struct ev_loop *loop;
	const struct api_backend *backend;
	struct listener listeners[LISTENER_KINDS];
	unsigned max_connections;	/* on each listener, from RLIMIT_NOFILE */
	uid_t uid;		/* tend's effective uid: its peers may control */
	char *socket_path;	/* to remove at exit */
	struct conn *conns;
	struct strbuf answer;	/* shared: every answer is rendered here first */
	struct api_answer api;
};

static const char *reason_phrase(int status)
{
	switch (status) {
	case 200: return "OK";
	case 202: return "Accepted";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Content Too Large";
	case 431: return "Request Header Fields Too Large";
	case 503: return "Service Unavailable";
	default: return "Internal Server Error";
	}
}

/* ---- connections ---- */

static void conn_close(struct conn *c)
{
	struct http_server *s = c->listener->server;
	ev_io_stop(s->loop, &c->io);
	ev_timer_stop(s->loop, &c->timer);
	close(c->fd);
	sb_free(&c->in);
	sb_free(&c->out);
	if (c->prev)
		c->prev->next = c->next;
	else
		s->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	c->listener->connections--;
	free(c);
}

static void restart_timer(struct conn *c)
{
	struct ev_loop *loop = c->listener->server->loop;
	ev_timer_stop(loop, &c->timer);
	ev_timer_set(&c->timer, HTTP_TIMEOUT, 0);
	ev_timer_start(loop, &c->timer);
}

/* Reads when there is room for more answers; writes while output waits. */
static void update_events(struct conn *c)
{
	int events = 0;
	if (!c->closing && !c->input_done && c->out.len < OUTPUT_HIGH_WATER)
		events |= EV_READ;
	if (c->out.len > 0)
		events |= EV_WRITE;
	struct ev_loop *loop = c->listener->server->loop;
	if (events == (c->io.events & (EV_READ | EV_WRITE)) && ev_is_active(&c->io))
		return;
	ev_io_stop(loop, &c->io);
	ev_io_set(&c->io, c->fd, events);
	if (events)
		ev_io_start(loop, &c->io);
}

/* Sends as much of buf as the socket takes now; queues the rest in c->out.
 * Returns false when the connection broke. */
static bool send_or_queue(struct conn *c, const char *buf, size_t len)
{
	size_t sent = 0;
	if (c->out.len == 0) {	/* nothing queued ahead of it: try now */
		while (sent < len) {
			ssize_t n = send(c->fd, buf + sent, len - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
				break;
			if (n <= 0)
				return false;
			sent += (size_t)n;
		}
	}
	if (sent < len) {
		sb_put(&c->out, buf + sent, len - sent);
		if (c->out.failed)
			return false;
	}
	return true;
}

static bool respond(struct conn *c, const struct http_request *req, int status, bool keep_alive)
{
	struct http_server *s = c->listener->server;
	struct strbuf *a = &s->answer;
	struct api_answer *api = &s->api;
	sb_reset(a);
	sb_printf(a, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\nCache-Control: no-store\r\n", status,
		  reason_phrase(status), api->content_type ? api->content_type : "application/json", api->body.len);
	if (api->allow)
		sb_printf(a, "Allow: %s\r\n", api->allow);
	if (!keep_alive)
		sb_puts(a, "Connection: close\r\n");
	else if (req && req->minor_version == 0)
		sb_puts(a, "Connection: keep-alive\r\n");
	sb_puts(a, "\r\n");
	if (!req || req->method != HTTP_HEAD)
		sb_put(a, api->body.data ? api->body.data : "", api->body.len);
	if (a->failed)
		return false;
	return send_or_queue(c, a->data, a->len);
}

/* An answer that ends the connection (400, 413, 431). */
static bool refuse(struct conn *c, int status, const char *message)
{
	struct api_answer *api = &c->listener->server->api;
	sb_reset(&api->body);
	sb_printf(&api->body, "{\"error\":\"%s\"}\n", message);
	api->content_type = "application/json";
	api->allow = NULL;
	c->closing = true;
	return respond(c, NULL, status, false);
}

/* Answers every complete request in buf, in order. Returns how many bytes
 * were consumed, or -1 when the connection is to be dropped now. */
static ssize_t serve(struct conn *c, const char *buf, size_t len)
{
	struct http_server *s = c->listener->server;
	size_t used = 0;
	while (used < len && !c->closing && c->out.len < OUTPUT_HIGH_WATER) {
		struct http_request req;
		int r = http_parse_request(buf + used, len - used, &req);
		if (r == HTTP_PARTIAL)
			break;
		bool ok;
		if (r == HTTP_BAD)
			ok = refuse(c, 400, "malformed request");
		else if (r == HTTP_TOO_LARGE)
			ok = refuse(c, 431, "request head over 8 KiB");
		else if (req.has_body)
			ok = refuse(c, 413, "this API takes no request body");
		else {
			api_answer(s->backend, &req, c->access, &s->api);
			c->closing = !req.keep_alive;
			ok = respond(c, &req, s->api.status, req.keep_alive);
		}
		if (!ok)
			return -1;
		if (r > 0)
			used += (size_t)r;
		else
			return (ssize_t)len;	/* refused: the rest is not read */
	}
	return (ssize_t)used;
}

/* After input was consumed: what the timer now measures. */
static void note_progress(struct conn *c, bool answered)
{
	if (answered || (!c->head_pending && c->in.len > 0)) {
		c->head_pending = c->in.len > 0;
		restart_timer(c);
	}
}

/* Once answers were made: close when all is said, else wait for what is
 * needed next. When the client has shut down its side and serve() stopped
 * short of the high-water mark, every whole request is answered: what is
 * left is a request cut off by the end of input, never to be answered. */
static void settle(struct conn *c)
{
	if (c->input_done && c->out.len < OUTPUT_HIGH_WATER)
		c->closing = true;
	if (c->closing && c->out.len == 0) {
		conn_close(c);
		return;
	}
	update_events(c);
}

/* The client shut down its sending side (a half-close) or closed: its
 * answers are still sent, as long as it reads them. */
static void on_end_of_input(struct conn *c)
{
	c->input_done = true;
	if (c->in.len > 0 && !c->closing && c->out.len < OUTPUT_HIGH_WATER) {
		ssize_t used = serve(c, c->in.data, c->in.len);
		if (used < 0) {
			conn_close(c);
			return;
		}
		sb_consume(&c->in, (size_t)used);
	}
	settle(c);
}

static void on_readable(struct conn *c)
{
	/* A probe's request is a few hundred bytes. A bigger buffer would only
	 * leave more stack pages resident once the first request has come. */
	char buf[4096];
	ssize_t n = recv(c->fd, buf, sizeof buf, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n < 0) {
		conn_close(c);	/* reset by the client, or broken */
		return;
	}
	if (n == 0) {
		on_end_of_input(c);
		return;
	}
	bool was_pending = c->head_pending || c->in.len > 0;
	ssize_t used;
	if (c->in.len == 0) {
		/* the usual case: whole requests in one read, no copy */
		used = serve(c, buf, (size_t)n);
		if (used >= 0 && used < n)
			sb_put(&c->in, buf + used, (size_t)(n - used));
	} else {
		sb_put(&c->in, buf, (size_t)n);
		used = serve(c, c->in.data, c->in.len);
		if (used > 0)
			sb_consume(&c->in, (size_t)used);
	}
	if (used < 0 || c->in.failed) {
		conn_close(c);
		return;
	}
	if (!was_pending && c->in.len > 0 && used == 0)
		c->head_pending = false;	/* first bytes of a head: its clock starts now */
	note_progress(c, used > 0);
	settle(c);
}

static void on_writable(struct conn *c)
{
	while (c->out.len > 0) {
		ssize_t n = send(c->fd, c->out.data, c->out.len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			conn_close(c);
			return;
		}
		sb_consume(&c->out, (size_t)n);
	}
	if (c->out.len == 0 && c->closing) {
		conn_close(c);
		return;
	}
	/* room again: answer requests that waited behind the backlog */
	if (c->out.len < OUTPUT_HIGH_WATER && c->in.len > 0 && !c->closing) {
		ssize_t used = serve(c, c->in.data, c->in.len);
		if (used < 0) {
			conn_close(c);
			return;
		}
		sb_consume(&c->in, (size_t)used);
		note_progress(c, used > 0);
	}
	settle(c);
}

static void on_conn_io(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	struct conn *c = container_of(w, struct conn, io);
	if (revents & EV_WRITE) {
		on_writable(c);
		return;	/* c may be gone; a pending read is seen next turn */
	}
	if (revents & EV_READ)
		on_readable(c);
}

static void on_conn_timeout(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop, (void)revents;
	conn_close(container_of(w, struct conn, timer));
}

/* ---- listeners ---- */

static void on_accept_pause(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)revents;
	struct listener *l = container_of(w, struct listener, pause);
	ev_io_start(loop, &l->io);
}

/* SPEC §4: control from root or tend's own uid, on the unix socket only.
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
		struct conn *c = l->connections < l->server->max_connections ? calloc(1, sizeof *c) : NULL;
		if (!c) {
			close(fd);	/* over the limit: closed at once and counted */
			l->refused++;
			continue;
		}
		c->listener = l;
		c->fd = fd;
		c->access = access_of(l, fd);
		l->connections++;
		struct http_server *s = l->server;
		c->next = s->conns;
		if (s->conns)
			s->conns->prev = c;
		s->conns = c;
		ev_io_init(&c->io, on_conn_io, fd, EV_READ);
		ev_io_start(loop, &c->io);
		ev_init(&c->timer, on_conn_timeout);
		restart_timer(c);
	}
}

static bool start_listener(struct http_server *s, enum listener_kind kind, int fd)
{
	struct listener *l = &s->listeners[kind];
	l->server = s;
	l->kind = kind;
	l->fd = fd;
	ev_io_init(&l->io, on_accept, fd, EV_READ);
	ev_io_start(s->loop, &l->io);
	ev_init(&l->pause, on_accept_pause);
	return true;
}

/* The caps on connections, from RLIMIT_NOFILE less the reserve, split
 * evenly between the listeners, so that a flood on one never takes the
 * other's share nor the reserve. A low soft limit is first raised as far
 * as the full caps want, when the hard limit allows: no further, since the
 * programs inherit it. */
static unsigned size_connection_caps(size_t nprograms)
{
	rlim_t reserve = RESERVE_FOR_TEND + RESERVE_PER_PROGRAM * (rlim_t)nprograms;
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

struct http_server *http_server_new(struct ev_loop *loop, const struct api_backend *backend)
{
	struct http_server *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	s->loop = loop;
	s->backend = backend;
	s->uid = geteuid();
	s->max_connections = size_connection_caps(backend->count(backend->ctx));
	for (int k = 0; k < LISTENER_KINDS; k++)
		s->listeners[k].fd = -1;
	return s;
}

/* A socket file left by a tend that died is replaced; a live one is not. */
static bool clear_stale_socket(const struct sockaddr_un *addr, char *err, size_t n)
{
	struct stat st;
	if (lstat(addr->sun_path, &st) < 0)
		return errno == ENOENT || (snprintf(err, n, "cannot use %s: %s", addr->sun_path, strerror(errno)), false);
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, n, "%s exists and is not a socket", addr->sun_path);
		return false;
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, n, "socket: %s", strerror(errno));
		return false;
	}
	int r = connect(fd, (const struct sockaddr *)addr, sizeof *addr);
	int e = errno;
	close(fd);
	if (r == 0 || e == EAGAIN) {
		snprintf(err, n, "another tend is already serving %s", addr->sun_path);
		return false;
	}
	unlink(addr->sun_path);
	return true;
}

bool http_listen_unix(struct http_server *s, const char *path, mode_t mode, char *err, size_t n)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof addr.sun_path) {
		snprintf(err, n, "socket path too long (at most %zu bytes)", sizeof addr.sun_path - 1);
		return false;
	}
	strcpy(addr.sun_path, path);
	if (!dirs_make_parents(path, err, n) || !dirs_check_private(path, s->uid, err, n) ||
	    !clear_stale_socket(&addr, err, n))
		return false;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, n, "socket: %s", strerror(errno));
		return false;
	}
	/* Made with its mode by bind() itself, through the umask (unix(7)):
	 * no window where it is wider, and no chmod() by path afterwards, which
	 * would follow whatever had been put at the path meanwhile. (fchmod()
	 * on the socket before bind() happens to work on Linux, masked by the
	 * umask all the same, but no manual promises it.) */
	mode_t old = umask(~mode & 0777);
	int r = bind(fd, (struct sockaddr *)&addr, sizeof addr);
	int e = errno;
	umask(old);
	if (r < 0 || listen(fd, HTTP_MAX_CONNECTIONS) < 0) {
		snprintf(err, n, "cannot listen on %s: %s", path, strerror(r < 0 ? e : errno));
		close(fd);
		return false;
	}
	s->socket_path = strdup(path);
	return start_listener(s, LISTENER_UNIX, fd);
}

bool http_parse_listen(const char *host_port, void *addr_out, socklen_t *addr_len, char *err, size_t n)
{
	char host[64];
	const char *port_text;
	if (host_port[0] == '[') {
		const char *close_bracket = strchr(host_port, ']');
		if (!close_bracket || close_bracket[1] != ':' || (size_t)(close_bracket - host_port) > sizeof host) {
			snprintf(err, n, "\"%s\" is not [IPV6]:PORT", host_port);
			return false;
		}
		snprintf(host, sizeof host, "%.*s", (int)(close_bracket - host_port - 1), host_port + 1);
		port_text = close_bracket + 2;
	} else {
		const char *colon = strrchr(host_port, ':');
		if (!colon || (size_t)(colon - host_port) >= sizeof host) {
			snprintf(err, n, "\"%s\" is not HOST:PORT", host_port);
			return false;
		}
		snprintf(host, sizeof host, "%.*s", (int)(colon - host_port), host_port);
		port_text = colon + 1;
	}
	char *end;
	long port = strtol(port_text, &end, 10);
	if (!*port_text || *end || port < 1 || port > 65535) {
		snprintf(err, n, "\"%s\" has no port from 1 to 65535", host_port);
		return false;
	}
	struct sockaddr_storage *ss = addr_out;
	memset(ss, 0, sizeof *ss);
	struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
	if (strcmp(host, "localhost") == 0)
		strcpy(host, "127.0.0.1");
	if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)port);
		*addr_len = sizeof *v4;
	} else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)port);
		*addr_len = sizeof *v6;
	} else {
		snprintf(err, n, "\"%s\" is not a numeric address (or localhost)", host);
		return false;
	}
	return true;
}

bool http_listen_tcp(struct http_server *s, const char *host_port, char *err, size_t n)
{
	struct sockaddr_storage addr;
	socklen_t len;
	if (!http_parse_listen(host_port, &addr, &len, err, n))
		return false;
	int fd = socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1;
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
	    bind(fd, (struct sockaddr *)&addr, len) < 0 || listen(fd, HTTP_MAX_CONNECTIONS) < 0) {
		snprintf(err, n, "cannot listen on %s: %s", host_port, strerror(errno));
		if (fd >= 0)
			close(fd);
		return false;
	}
	/* No Nagle: each answer is one send(), and answers to pipelined requests
	 * follow each other; Nagle would hold the second one until the client's
	 * delayed ACK, ~40 ms. Set on the listener, Linux gives it to every
	 * accepted connection (no syscall per connection). Only speed is at stake. */
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
	while (s->conns)
		conn_close(s->conns);
	for (int k = 0; k < LISTENER_KINDS; k++) {
		struct listener *l = &s->listeners[k];
		if (l->fd < 0)
			continue;
		ev_io_stop(s->loop, &l->io);
		ev_timer_stop(s->loop, &l->pause);
		close(l->fd);
	}
	if (s->socket_path)
		unlink(s->socket_path);
	free(s->socket_path);
	sb_free(&s->answer);
	sb_free(&s->api.body);
	free(s);
}

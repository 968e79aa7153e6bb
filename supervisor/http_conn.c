#include "http_conn.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http_parser.h"
#include "util.h"

/* Past this much unsent output, stop reading more requests from a client
 * that does not read its answers. */
#define OUTPUT_HIGH_WATER (64 * 1024)

struct http_conn {
	struct http_conns *conns;
	unsigned *count;	/* its listener's open connections */
	int fd;
	ev_io io;
	ev_timer timer;
	struct strbuf in;	/* bytes of requests not yet answered */
	struct strbuf out;	/* bytes of answers not yet sent */
	enum api_access access;	/* what the peer may ask, known at accept */
	bool head_pending;	/* a request has begun: its HTTP_TIMEOUT runs from its first byte */
	bool input_done;	/* the client shut down its side: answer what came, then close */
	bool closing;		/* close once out is sent */
	struct http_conn *next, *prev;
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

void http_conn_close(struct http_conn *c)
{
	struct http_conns *cs = c->conns;
	ev_io_stop(cs->loop, &c->io);
	ev_timer_stop(cs->loop, &c->timer);
	close(c->fd);
	sb_free(&c->in);
	sb_free(&c->out);
	if (c->prev)
		c->prev->next = c->next;
	else
		cs->list = c->next;
	if (c->next)
		c->next->prev = c->prev;
	(*c->count)--;
	free(c);
}

static void restart_timer(struct http_conn *c)
{
	struct ev_loop *loop = c->conns->loop;
	ev_timer_stop(loop, &c->timer);
	ev_timer_set(&c->timer, HTTP_TIMEOUT, 0);
	ev_timer_start(loop, &c->timer);
}

/* Reads when there is room for more answers; writes while output waits. */
static void update_events(struct http_conn *c)
{
	int events = 0;
	if (!c->closing && !c->input_done && c->out.len < OUTPUT_HIGH_WATER)
		events |= EV_READ;
	if (c->out.len > 0)
		events |= EV_WRITE;
	struct ev_loop *loop = c->conns->loop;
	if (events == (c->io.events & (EV_READ | EV_WRITE)) && ev_is_active(&c->io))
		return;
	ev_io_stop(loop, &c->io);
	ev_io_set(&c->io, c->fd, events);
	if (events)
		ev_io_start(loop, &c->io);
}

/* Sends as much of buf as the socket takes now; queues the rest in c->out.
 * Returns false when the connection broke. */
static bool send_or_queue(struct http_conn *c, const char *buf, size_t len)
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

static bool respond(struct http_conn *c, const struct http_request *req, int status, bool keep_alive)
{
	struct strbuf *a = &c->conns->answer;
	struct api_answer *api = &c->conns->api;
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
static bool refuse(struct http_conn *c, int status, const char *message)
{
	struct api_answer *api = &c->conns->api;
	sb_reset(&api->body);
	sb_puts(&api->body, "{\"error\":");
	sb_json_string(&api->body, message);
	sb_puts(&api->body, "}\n");
	api->content_type = "application/json";
	api->allow = NULL;
	c->closing = true;
	return respond(c, NULL, status, false);
}

/* Answers every complete request in buf, in order. Returns how many bytes
 * were consumed, or -1 when the connection is to be dropped now. */
static ssize_t serve(struct http_conn *c, const char *buf, size_t len)
{
	struct http_conns *cs = c->conns;
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
			api_answer(cs->backend, &req, c->access, &cs->api);
			c->closing = !req.keep_alive;
			ok = respond(c, &req, cs->api.status, req.keep_alive);
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
static void note_progress(struct http_conn *c, bool answered)
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
static void settle(struct http_conn *c)
{
	if (c->input_done && c->out.len < OUTPUT_HIGH_WATER)
		c->closing = true;
	if (c->closing && c->out.len == 0) {
		http_conn_close(c);
		return;
	}
	update_events(c);
}

/* The client shut down its sending side (a half-close) or closed: its
 * answers are still sent, as long as it reads them. */
static void on_end_of_input(struct http_conn *c)
{
	c->input_done = true;
	if (c->in.len > 0 && !c->closing && c->out.len < OUTPUT_HIGH_WATER) {
		ssize_t used = serve(c, c->in.data, c->in.len);
		if (used < 0) {
			http_conn_close(c);
			return;
		}
		sb_consume(&c->in, (size_t)used);
	}
	settle(c);
}

static void on_readable(struct http_conn *c)
{
	/* A probe's request is a few hundred bytes. A bigger buffer would only
	 * leave more stack pages resident once the first request has come. */
	char buf[4096];
	ssize_t n = recv(c->fd, buf, sizeof buf, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n < 0) {
		http_conn_close(c);	/* reset by the client, or broken */
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
		http_conn_close(c);
		return;
	}
	if (!was_pending && c->in.len > 0 && used == 0)
		c->head_pending = false;	/* first bytes of a head: its clock starts now */
	note_progress(c, used > 0);
	settle(c);
}

static void on_writable(struct http_conn *c)
{
	while (c->out.len > 0) {
		ssize_t n = send(c->fd, c->out.data, c->out.len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			http_conn_close(c);
			return;
		}
		sb_consume(&c->out, (size_t)n);
	}
	if (c->out.len == 0 && c->closing) {
		http_conn_close(c);
		return;
	}
	/* room again: answer requests that waited behind the backlog */
	if (c->out.len < OUTPUT_HIGH_WATER && c->in.len > 0 && !c->closing) {
		ssize_t used = serve(c, c->in.data, c->in.len);
		if (used < 0) {
			http_conn_close(c);
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
	struct http_conn *c = container_of(w, struct http_conn, io);
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
	http_conn_close(container_of(w, struct http_conn, timer));
}

struct http_conn *http_conn_open(struct http_conns *conns, int fd, enum api_access access, unsigned *count)
{
	struct http_conn *c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->conns = conns;
	c->count = count;
	c->fd = fd;
	c->access = access;
	(*count)++;
	c->next = conns->list;
	if (conns->list)
		conns->list->prev = c;
	conns->list = c;
	ev_io_init(&c->io, on_conn_io, fd, EV_READ);
	ev_io_start(conns->loop, &c->io);
	ev_init(&c->timer, on_conn_timeout);
	restart_timer(c);
	return c;
}

void http_conns_free(struct http_conns *conns)
{
	while (conns->list)
		http_conn_close(conns->list);
	sb_free(&conns->answer);
	sb_free(&conns->api.body);
}

#include "client_http.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "http_parser.h"
#include "net.h"
#include "util.h"

/* An answer larger than this is not tend's. */
#define ANSWER_MAX (16u << 20)

/* What went wrong in an exchange, once connected. */
struct failure {
	const char *step;	/* what failed, with errnum */
	int errnum;
	const char *why;	/* what went wrong, without */
	bool timed_out;
};

static bool fail_step(struct failure *f, const char *step)
{
	f->step = step;
	f->errnum = errno;
	return false;
}

static bool fail_why(struct failure *f, const char *why)
{
	f->why = why;
	return false;
}

static bool fail_time(struct failure *f)
{
	f->timed_out = true;
	return false;
}

/* Both timeouts of fd to what is left until deadline; false when nothing is. */
static bool set_timeouts(int fd, double deadline)
{
	double left = deadline - mono_now();
	if (left <= 0)
		return false;
	time_t whole = (time_t)left;	/* left > 0: the cast rounds down */
	struct timeval tv = { .tv_sec = whole, .tv_usec = (suseconds_t)((left - (double)whole) * 1e6) };
	if (tv.tv_sec == 0 && tv.tv_usec == 0)
		tv.tv_usec = 1;	/* 0 would mean no timeout */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	return true;
}

/* A blocking socket connected to tend, waiting no longer than deadline for
 * room in its backlog; -1 with the message in err. */
static int connect_tend(const char *socket_path, double deadline, struct strbuf *err)
{
	if (!net_unix_path_fits(socket_path)) {
		sb_printf(err, "cannot reach tend at %s: the path is longer than a socket address allows", socket_path);
		return -1;
	}
	char why[256];
	int fd = net_socket(AF_UNIX, SOCK_STREAM, why, sizeof why);
	if (fd < 0) {
		sb_puts(err, why);
		return -1;
	}
	set_timeouts(fd, deadline);
	if (!net_unix_connect(fd, socket_path, why, sizeof why)) {
		int e = errno;
		close(fd);
		if (e == EAGAIN || e == EINPROGRESS)
			sb_printf(err, "cannot reach tend at %s: no connection within %gs", socket_path, CLIENT_TIMEOUT);
		else
			sb_printf(err, "cannot reach tend at %s: %s", socket_path, strerror(e));
		return -1;
	}
	return fd;
}

static bool send_request(int fd, const char *method, const char *path, double deadline, struct failure *f)
{
	char request[1024];
	int n = snprintf(request, sizeof request,
			 "%s %s HTTP/1.1\r\nHost: tend\r\nUser-Agent: tend-client\r\n%sConnection: close\r\n\r\n",
			 method, path, strcmp(method, "POST") == 0 ? "Content-Length: 0\r\n" : "");
	if (n < 0 || (size_t)n >= sizeof request) {
		errno = ENAMETOOLONG;
		return fail_step(f, "request too long");
	}
	for (size_t sent = 0; sent < (size_t)n;) {
		if (!set_timeouts(fd, deadline))
			return fail_time(f);
		ssize_t w = send(fd, request + sent, (size_t)n - sent, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return fail_step(f, "cannot send the request");
		sent += (size_t)w;
	}
	return true;
}

/* Where the answer's body is, once its head has come. */
struct framing {
	size_t head;		/* the head's length; 0 until it is complete */
	long long length;	/* the body's; -1: up to the end */
};

/* Parses the head if it is all there. False when it cannot be read. */
static bool take_head(struct client_answer *a, struct framing *fr, struct failure *f)
{
	struct http_response resp;
	int r = http_parse_response(a->raw.data, a->raw.len, &resp);
	if (r == HTTP_PARTIAL)
		return true;
	if (r == HTTP_TOO_LARGE)
		return fail_why(f, "the answer is too large");
	if (r == HTTP_BAD) {
		int status;
		bool answer = http_parse_status(a->raw.data, a->raw.len, &status) != HTTP_BAD;
		return fail_why(f, answer ? "malformed head" : "not an HTTP/1.x answer");
	}
	if (resp.has_transfer_encoding)
		return fail_why(f, "Transfer-Encoding is not expected from tend");
	if (resp.has_length && resp.content_length > ANSWER_MAX)
		return fail_why(f, "the answer is too large");
	a->status = resp.status;
	fr->head = (size_t)r;
	fr->length = resp.has_length ? (long long)resp.content_length : -1;
	return true;
}

/* The bytes got, added to the answer. */
static bool take_bytes(struct client_answer *a, const char *buf, size_t got, struct framing *fr, struct failure *f)
{
	sb_put(&a->raw, buf, got);
	if (a->raw.failed)
		return fail_why(f, "out of memory");
	if (a->raw.len > ANSWER_MAX)
		return fail_why(f, "the answer is too large");
	return fr->head || take_head(a, fr, f);
}

/* The connection closed before the answer was whole, as far as it knew. */
static bool at_end(const struct client_answer *a, const struct framing *fr, struct failure *f)
{
	if (!fr->head)
		return fail_why(f, a->raw.len ? "the connection closed in the middle of the answer"
					      : "the connection closed without an answer");
	if (fr->length >= 0)
		return fail_why(f, "the answer was cut short");
	return true;	/* no Content-Length: the body runs to the end */
}

static bool read_answer(int fd, double deadline, struct client_answer *a, struct framing *fr, struct failure *f)
{
	for (;;) {
		if (!set_timeouts(fd, deadline))
			return fail_time(f);
		char buf[16384];
		ssize_t got = recv(fd, buf, sizeof buf, 0);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return fail_time(f);
		if (got < 0)
			return fail_step(f, "cannot read the answer");
		if (got > 0 && !take_bytes(a, buf, (size_t)got, fr, f))
			return false;
		if (fr->head && fr->length >= 0 && a->raw.len >= fr->head + (size_t)fr->length)
			return true;
		if (got == 0)
			return at_end(a, fr, f);
	}
}

bool client_exchange(const char *socket_path, const char *method, const char *path, struct client_answer *a,
		     struct strbuf *err)
{
	memset(a, 0, sizeof *a);
	double deadline = mono_now() + CLIENT_TIMEOUT;
	int fd = connect_tend(socket_path, deadline, err);
	if (fd < 0)
		return false;
	struct failure f = { 0 };
	struct framing fr = { .head = 0, .length = -1 };
	bool done = send_request(fd, method, path, deadline, &f) && read_answer(fd, deadline, a, &fr, &f);
	close(fd);
	if (f.step)
		sb_printf(err, "tend at %s: %s: %s", socket_path, f.step, strerror(f.errnum));
	else if (f.timed_out)
		sb_printf(err, "tend at %s did not answer within %gs", socket_path, CLIENT_TIMEOUT);
	else if (f.why)
		sb_printf(err, "bad answer from tend at %s: %s", socket_path, f.why);
	if (!done) {
		client_answer_free(a);
		return false;
	}
	a->body = a->raw.data + fr.head;
	a->body_len = fr.length >= 0 ? (size_t)fr.length : a->raw.len - fr.head;
	a->raw.data[fr.head + a->body_len] = '\0';
	return true;
}

void client_answer_free(struct client_answer *a)
{
	sb_free(&a->raw);
}

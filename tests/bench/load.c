/*
 * load: the zero-downtime benchmark's load generator (tests/bench/).
 *
 *   load [-c CONNS] [-i MS] [-t SECS] [-d SECS] -o FILE PORT PATH
 *
 * CONNS connections (default 4) to 127.0.0.1:PORT, each sending GET PATH
 * (HTTP/1.1, keep-alive) every MS milliseconds (default 4; the connections
 * staggered over that interval), one request at a time: a paced load, so
 * that the systems under test keep the CPUs they need to restart, and so
 * that a gap in service shows as failed requests rather than as a lower
 * rate. When an answer comes late, the next request goes at once (no
 * burst to catch up). A connection that fails or that the server closes is
 * opened again for the next request; every attempt counts.
 *
 * Every request's outcome is kept, and written to FILE at the end, one line
 * each: "SENT_US DONE_US STATUS", times in microseconds of CLOCK_REALTIME
 * (the clock of bash's $EPOCHREALTIME, which the harness stamps its events
 * with), STATUS the HTTP status, or a failure without an answer:
 *   -1  the connection could not be made (refused, reset during connect)
 *   -2  the connection broke or was closed before the whole answer came
 *   -3  no whole answer within -t SECS (default 5): the connection is dropped
 *
 * Runs until SIGTERM or SIGINT, or for -d SECS at most (default 600): then
 * sends no more requests, waits for those under way (-t bounds it) and
 * writes FILE. Prints "requests N ok N non2xx N failed_connections N" (ok:
 * 2xx). Exit 0, or 2 on bad usage or when FILE cannot be written.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { FAIL_CONNECT = -1, FAIL_BROKEN = -2, FAIL_TIMEOUT = -3 };

struct record {
	int64_t r_sent;
	int64_t r_done;
	int r_status;
};

enum conn_state { CONN_IDLE, CONN_CONNECTING, CONN_WAITING };

struct conn {
	int c_fd;
	enum conn_state c_state;
	int64_t c_next;		/* when the next request is due */
	int64_t c_sent;		/* when the current one was started */
	char c_buf[16384];
	size_t c_len;
};

static volatile sig_atomic_t stop_requested;
static struct record *records;
static size_t nrecords, records_cap;
static char request[512];
static size_t request_len;
static struct sockaddr_in target;
static int epfd;
static int64_t interval_us = 4000, timeout_us = 5000000;

static void on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static int64_t now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void record(int64_t sent, int status)
{
	if (nrecords == records_cap) {
		size_t cap = records_cap ? records_cap * 2 : 65536;
		struct record *r = realloc(records, cap * sizeof *r);
		if (!r) {
			perror("load: realloc");
			exit(2);
		}
		records = r;
		records_cap = cap;
	}
	records[nrecords++] = (struct record){ sent, now_us(), status };
}

static void conn_close(struct conn *c)
{
	if (c->c_fd >= 0)
		close(c->c_fd);
	c->c_fd = -1;
	c->c_len = 0;
}

/* The request under way ended (STATUS as in record()): the next one is due
 * one interval after this one was, or now if that has passed. */
static void conn_done(struct conn *c, int status, bool keep)
{
	int64_t now;
	record(c->c_sent, status);
	if (!keep)
		conn_close(c);
	c->c_state = CONN_IDLE;
	c->c_len = 0;
	c->c_next += interval_us;
	now = now_us();
	if (c->c_next < now)
		c->c_next = now;
}

static void conn_watch(struct conn *c, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = c };
	if (epoll_ctl(epfd, EPOLL_CTL_MOD, c->c_fd, &ev) < 0 && errno == ENOENT)
		epoll_ctl(epfd, EPOLL_CTL_ADD, c->c_fd, &ev);
}

static void conn_send(struct conn *c)
{
	ssize_t n = send(c->c_fd, request, request_len, MSG_NOSIGNAL);
	if (n != (ssize_t)request_len) {	/* a fresh or idle socket takes a small request whole */
		conn_done(c, FAIL_BROKEN, false);
		return;
	}
	c->c_state = CONN_WAITING;
	conn_watch(c, EPOLLIN);
}

static void conn_start(struct conn *c)
{
	c->c_sent = now_us();
	if (c->c_fd >= 0) {
		conn_send(c);
		return;
	}
	c->c_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->c_fd < 0) {
		perror("load: socket");
		exit(2);
	}
	int one = 1;
	setsockopt(c->c_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (connect(c->c_fd, (struct sockaddr *)&target, sizeof target) == 0) {
		conn_send(c);
	} else if (errno == EINPROGRESS) {
		c->c_state = CONN_CONNECTING;
		conn_watch(c, EPOLLOUT);
	} else {
		conn_done(c, FAIL_CONNECT, false);
	}
}

static void conn_connected(struct conn *c)
{
	int err = 0;
	socklen_t len = sizeof err;
	if (getsockopt(c->c_fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err != 0)
		conn_done(c, FAIL_CONNECT, false);
	else
		conn_send(c);
}

/* The value of header NAME in the head [HEAD, END), or NULL. */
static const char *header(const char *head, const char *end, const char *name)
{
	size_t nlen = strlen(name);
	const char *p = memchr(head, '\n', (size_t)(end - head));
	while (p && p + 1 < end) {
		p++;
		if ((size_t)(end - p) > nlen && strncasecmp(p, name, nlen) == 0 && p[nlen] == ':') {
			p += nlen + 1;
			while (p < end && (*p == ' ' || *p == '\t'))
				p++;
			return p;
		}
		p = memchr(p, '\n', (size_t)(end - p));
	}
	return NULL;
}

/* Whether a chunked body [BODY, END) is complete. */
static bool chunked_complete(const char *body, const char *end)
{
	for (;;) {
		char *after;
		const char *eol = memmem(body, (size_t)(end - body), "\r\n", 2);
		if (!eol)
			return false;
		unsigned long size = strtoul(body, &after, 16);
		if (size == 0)	/* no trailers from the servers measured */
			return end - eol >= 4 && memcmp(eol + 2, "\r\n", 2) == 0;
		if ((size_t)(end - (eol + 2)) < size + 2)
			return false;
		body = eol + 2 + size + 2;
	}
}

/* The answer in c_buf, when whole: its status (and whether the server keeps
 * the connection); 0 while incomplete; FAIL_BROKEN when it cannot be read. */
static int parse_answer(struct conn *c, bool closed, bool *keep)
{
	const char *buf = c->c_buf, *end = buf + c->c_len;
	const char *head_end = memmem(buf, c->c_len, "\r\n\r\n", 4);
	if (!head_end)
		return closed || c->c_len == sizeof c->c_buf ? FAIL_BROKEN : 0;
	head_end += 4;
	int status = 0;
	if (sscanf(buf, "HTTP/1.%*d %d", &status) != 1 || status < 100 || status > 999)
		return FAIL_BROKEN;
	const char *conn_h = header(buf, head_end, "Connection");
	*keep = !(conn_h && strncasecmp(conn_h, "close", 5) == 0);
	const char *cl = header(buf, head_end, "Content-Length");
	const char *te = header(buf, head_end, "Transfer-Encoding");
	if (cl) {
		size_t want = (size_t)strtoul(cl, NULL, 10);
		if ((size_t)(end - head_end) >= want)
			return status;
	} else if (te && strncasecmp(te, "chunked", 7) == 0) {
		if (chunked_complete(head_end, end))
			return status;
	} else if (closed) {	/* the body ends with the connection */
		*keep = false;
		return status;
	}
	if (closed || c->c_len == sizeof c->c_buf)
		return FAIL_BROKEN;
	return 0;
}

static void conn_readable(struct conn *c)
{
	bool closed = false, keep = true;
	ssize_t n = recv(c->c_fd, c->c_buf + c->c_len, sizeof c->c_buf - c->c_len, 0);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0)
		closed = true;
	else
		c->c_len += (size_t)n;
	int status = parse_answer(c, closed, &keep);
	if (status != 0)
		conn_done(c, status, keep && !closed);
}

/* An idle keep-alive connection became readable: the server closed it
 * (nothing else is expected there); the next request opens a new one. */
static void conn_idle_event(struct conn *c)
{
	char scrap[512];
	ssize_t n = recv(c->c_fd, scrap, sizeof scrap, MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	conn_close(c);
}

static void usage(void)
{
	fprintf(stderr, "usage: load [-c CONNS] [-i MS] [-t SECS] [-d SECS] -o FILE PORT PATH\n");
	exit(2);
}

static int write_records(const char *path)
{
	FILE *f = fopen(path, "we");
	if (!f)
		return -1;
	for (size_t i = 0; i < nrecords; i++)
		fprintf(f, "%lld %lld %d\n", (long long)records[i].r_sent, (long long)records[i].r_done,
			records[i].r_status);
	return fclose(f);
}

int main(int argc, char **argv)
{
	int nconns = 4, opt;
	double max_secs = 600;
	const char *out = NULL;
	while ((opt = getopt(argc, argv, "c:i:t:d:o:")) != -1) {
		switch (opt) {
		case 'c': nconns = atoi(optarg); break;
		case 'i': interval_us = (int64_t)(atof(optarg) * 1000); break;
		case 't': timeout_us = (int64_t)(atof(optarg) * 1e6); break;
		case 'd': max_secs = atof(optarg); break;
		case 'o': out = optarg; break;
		default: usage();
		}
	}
	if (!out || argc - optind != 2 || nconns < 1 || nconns > 256 || interval_us < 100 || timeout_us < 1000)
		usage();
	int port = atoi(argv[optind]);
	if (port < 1 || port > 65535)
		usage();
	target = (struct sockaddr_in){ .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				       .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int len = snprintf(request, sizeof request, "GET %s HTTP/1.1\r\nHost: localhost\r\nUser-Agent: tend-bench-load\r\n\r\n",
			   argv[optind + 1]);
	if (len < 0 || (size_t)len >= sizeof request)
		usage();
	request_len = (size_t)len;

	struct sigaction sa = { .sa_handler = on_stop };
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	epfd = epoll_create1(EPOLL_CLOEXEC);
	struct conn *conns = calloc((size_t)nconns, sizeof *conns);
	if (epfd < 0 || !conns) {
		perror("load");
		return 2;
	}
	int64_t start = now_us(), end = start + (int64_t)(max_secs * 1e6), stop_at = 0;
	for (int i = 0; i < nconns; i++)
		conns[i] = (struct conn){ .c_fd = -1, .c_next = start + interval_us * i / nconns };

	for (;;) {
		int64_t now = now_us(), wake = now + 10000;
		bool busy = false;
		if (!stop_at && (stop_requested || now >= end))
			stop_at = now;
		for (int i = 0; i < nconns; i++) {
			struct conn *c = &conns[i];
			if (c->c_state == CONN_IDLE) {
				if (stop_at)
					continue;
				if (c->c_next <= now)
					conn_start(c);
				else if (c->c_next < wake)
					wake = c->c_next;
			}
			if (c->c_state != CONN_IDLE) {
				busy = true;
				if (now - c->c_sent >= timeout_us)
					conn_done(c, FAIL_TIMEOUT, false);
				else if (c->c_sent + timeout_us < wake)
					wake = c->c_sent + timeout_us;
			}
		}
		if (stop_at && !busy)
			break;
		struct epoll_event evs[64];
		int wait_ms = (int)((wake - now + 999) / 1000);
		int n = epoll_wait(epfd, evs, 64, wait_ms < 0 ? 0 : wait_ms);
		for (int k = 0; k < n; k++) {
			struct conn *c = evs[k].data.ptr;
			if (c->c_state == CONN_IDLE)
				conn_idle_event(c);
			else if (c->c_state == CONN_CONNECTING)
				conn_connected(c);
			else if (c->c_state == CONN_WAITING)
				conn_readable(c);
		}
	}

	size_t ok = 0, non2xx = 0, failed = 0;
	for (size_t i = 0; i < nrecords; i++) {
		if (records[i].r_status < 0)
			failed++;
		else if (records[i].r_status >= 200 && records[i].r_status < 300)
			ok++;
		else
			non2xx++;
	}
	if (write_records(out) != 0) {
		perror(out);
		return 2;
	}
	printf("requests %zu ok %zu non2xx %zu failed_connections %zu\n", nrecords, ok, non2xx, failed);
	return 0;
}

/* httpc: raw HTTP clients for the integration tests, for what curl cannot do.
 * ADDR is a unix socket path (starts with '/'), HOST:PORT or [V6]:PORT.
 *
 * httpc send ADDR [-n COUNT] [-w MS] [-t SECS] [-s] [-p]
 *	Sends all of stdin (in one write when the socket takes it all, else
 *	the rest as the server reads, reading its answers only while it cannot
 *	send), then prints every byte received, followed by a line "[closed]"
 *	(the server closed, or reset, the connection) or "[open]". With -s,
 *	shuts down its sending side once everything is sent (a half-close: the
 *	server sees EOF). With -p, reads at most 4 KiB a millisecond, so that
 *	answers pile up in the server. With
 *	-n, stops reading once COUNT whole answers have come (their lengths from
 *	Content-Length; an answer to a HEAD request, told by the requests sent,
 *	has no body) and then waits MS more milliseconds (default 300) to see
 *	whether the server closes. Without -n, reads until the server closes.
 *	Either way it gives up after SECS seconds (default 8) and then prints
 *	"[timeout]".
 *
 * httpc slow ADDR MAXSECS
 *	Sends "GET /health HTTP/1.1\r\nHost: tend\r\n\r\n" one byte per second
 *	and prints "closed after N bytes in S s, K bytes received" when the
 *	server closes the connection (exit 0), or "not closed ..." after
 *	MAXSECS or once the whole request was sent (exit 1).
 *
 * httpc idle ADDR COUNT MAXSECS
 *	Opens COUNT connections and sends nothing. Prints "opened N" once they
 *	are open, then "at_once M": how many the server had closed 0.5 s later,
 *	then waits until the server has closed every one or MAXSECS have
 *	passed since the start, and prints "closed C open O after S s", then
 *	closes what is left and exits 0 (1 if a connect failed).
 *
 * httpc hold ADDR COUNT MAXSECS
 *	Opens COUNT connections at once (non-blocking connects), then every
 *	second sends "GET /livez HTTP/1.1" on each one still open, so that the
 *	server's idle timeout never ends them, and reads what comes back. Before
 *	each round after the first it prints "round R answering A closed C
 *	waiting W": A connections have had an answer and are open, the server
 *	closed (or reset) C, and W are open without any answer yet (or still
 *	connecting). Ends after MAXSECS.
 *
 * Every run is bounded in time; nothing but the given address is contacted. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
	fprintf(stderr, "httpc: %s: %s\n", what, strerror(errno));
	exit(2);
}

/* ADDR (a unix socket path, HOST:PORT or [V6]:PORT) as a socket address. */
static socklen_t parse_addr(const char *addr, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof *ss);
	if (addr[0] == '/') {
		struct sockaddr_un *un = (struct sockaddr_un *)ss;
		un->sun_family = AF_UNIX;
		if (strlen(addr) >= sizeof un->sun_path) {
			fprintf(stderr, "httpc: socket path too long\n");
			exit(2);
		}
		strcpy(un->sun_path, addr);
		return sizeof *un;
	}
	char host[128];
	const char *port;
	if (addr[0] == '[') {
		const char *e = strchr(addr, ']');
		if (!e || e[1] != ':' || (size_t)(e - addr) >= sizeof host)
			goto bad;
		snprintf(host, sizeof host, "%.*s", (int)(e - addr - 1), addr + 1);
		port = e + 2;
	} else {
		const char *c = strrchr(addr, ':');
		if (!c || (size_t)(c - addr) >= sizeof host)
			goto bad;
		snprintf(host, sizeof host, "%.*s", (int)(c - addr), addr);
		port = c + 1;
	}
	struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
	if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((unsigned short)atoi(port));
		return sizeof *v4;
	}
	if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((unsigned short)atoi(port));
		return sizeof *v6;
	}
bad:
	fprintf(stderr, "httpc: bad address %s\n", addr);
	exit(2);
}

static int connect_to(const char *addr)
{
	struct sockaddr_storage ss;
	socklen_t len = parse_addr(addr, &ss);
	int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket");
	struct timeval tv = { .tv_sec = 5 };	/* bounds connect() too */
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	if (connect(fd, (struct sockaddr *)&ss, len) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* ---- send ---- */

/* Whether request i (0-based) of the data sent is a HEAD: the requests are
 * the heads ended by an empty line (CRLF CRLF or LF LF). */
/* Whether the request at *pos in req is a HEAD; moves *pos past it, so
 * that the requests are walked once in all, not once per answer. */
static bool next_request_is_head(const char *req, size_t len, size_t *pos)
{
	size_t p = *pos;
	while (p < len && (req[p] == '\r' || req[p] == '\n'))
		p++;
	bool head = len - p >= 5 && memcmp(req + p, "HEAD ", 5) == 0;
	size_t e = p;
	while (e < len && !(e + 3 < len && memcmp(req + e, "\r\n\r\n", 4) == 0) &&
	       !(e + 1 < len && memcmp(req + e, "\n\n", 2) == 0))
		e++;
	*pos = e + 2;
	return head;
}

/* The length of the whole answer at the start of buf, or 0 if incomplete. */
static size_t answer_length(const char *buf, size_t len, bool head)
{
	const char *end = memmem(buf, len, "\r\n\r\n", 4);
	if (!end)
		return 0;
	size_t head_len = (size_t)(end - buf) + 4;
	size_t body = 0;
	for (const char *l = buf; l < end;) {
		const char *eol = memmem(l, (size_t)(end - l), "\r\n", 2);
		if (!eol)
			eol = end;
		if ((size_t)(eol - l) > 15 && strncasecmp(l, "Content-Length:", 15) == 0)
			body = strtoul(l + 15, NULL, 10);
		l = eol + 2;
	}
	if (head)
		body = 0;
	return len - head_len >= body ? head_len + body : 0;
}

static int cmd_send(int argc, char **argv)
{
	int count = -1, wait_ms = 300;
	double secs = 8;
	bool shut = false, paced = false;
	if (argc < 1)
		return 2;
	const char *addr = argv[0];
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-s") == 0)
			shut = true;
		else if (strcmp(argv[i], "-p") == 0)
			paced = true;
		else if (i + 1 >= argc)
			return 2;
		else if (strcmp(argv[i], "-n") == 0)
			count = atoi(argv[++i]);
		else if (strcmp(argv[i], "-w") == 0)
			wait_ms = atoi(argv[++i]);
		else if (strcmp(argv[i], "-t") == 0)
			secs = atof(argv[++i]);
		else
			return 2;
	}
	size_t rlen = 0, rcap = 1 << 16;
	char *req = malloc(rcap);
	for (;;) {
		if (rlen == rcap && !(req = realloc(req, rcap *= 2)))
			die("realloc");
		ssize_t n = read(0, req + rlen, rcap - rlen);
		if (n < 0)
			die("read stdin");
		if (n == 0)
			break;
		rlen += (size_t)n;
	}
	int fd = connect_to(addr);
	if (fd < 0)
		die("connect");
	/* the rest of the requests is sent as the server takes it: a server
	 * that stops reading while its answers wait must not deadlock us */
	size_t sent = 0;
	bool shut_done = false;

	size_t len = 0, cap = 1 << 16, parsed = 0, req_pos = 0;
	char *buf = malloc(cap);
	int answers = 0;
	double deadline = now() + secs, done_at = 0;
	const char *how = "[timeout]";
	for (;;) {
		if (sent == rlen && shut && !shut_done) {
			shutdown(fd, SHUT_WR);
			shut_done = true;
		}
		double t = now();
		double until = done_at > 0 ? done_at : deadline;
		if (t >= until) {
			if (done_at > 0)
				how = "[open]";
			break;
		}
		struct pollfd p = { .fd = fd, .events = POLLIN | (sent < rlen ? POLLOUT : 0) };
		int r = poll(&p, 1, (int)((until - t) * 1000) + 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			continue;
		if ((p.revents & POLLOUT) && sent < rlen) {
			ssize_t w = send(fd, req + sent, rlen - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
			if (w > 0)
				sent += (size_t)w;
			else if (w < 0 && errno != EAGAIN && errno != EINTR)
				sent = rlen;	/* broken: what comes back tells */
			continue;	/* sending first: the answers wait */
		}
		if (!(p.revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		if (len == cap && !(buf = realloc(buf, cap *= 2)))
			die("realloc");
		if (paced)
			usleep(1000);
		ssize_t n = recv(fd, buf + len, paced && cap - len > 4096 ? 4096 : cap - len, MSG_DONTWAIT);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0) {	/* EOF, or ECONNRESET after the data */
			how = "[closed]";
			break;
		}
		len += (size_t)n;
		while (count >= 0 && answers < count) {
			size_t next = req_pos;
			size_t a = answer_length(buf + parsed, len - parsed, next_request_is_head(req, rlen, &next));
			if (!a)
				break;
			req_pos = next;
			parsed += a;
			if (++answers == count)
				done_at = now() + wait_ms / 1000.0;
		}
	}
	fwrite(buf, 1, len, stdout);
	printf("\n%s\n", how);
	close(fd);
	return 0;
}

/* ---- slow ---- */

static int cmd_slow(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	static const char request[] = "GET /health HTTP/1.1\r\nHost: tend\r\n\r\n";
	double max = atof(argv[1]), start = now();
	int fd = connect_to(argv[0]);
	if (fd < 0)
		die("connect");
	size_t sent = 0, received = 0;
	while (now() - start < max && sent < sizeof request - 1) {
		if (send(fd, request + sent, 1, MSG_NOSIGNAL) < 0)
			break;	/* EPIPE: closed */
		sent++;
		/* a second until the next byte, watching for the close */
		double next = now() + 1;
		bool closed = false;
		while (!closed && now() < next) {
			struct pollfd p = { .fd = fd, .events = POLLIN };
			if (poll(&p, 1, (int)((next - now()) * 1000) + 1) <= 0)
				continue;
			char b[4096];
			ssize_t n = recv(fd, b, sizeof b, 0);
			if (n > 0)
				received += (size_t)n;
			else if (n == 0 || errno != EINTR)
				closed = true;
		}
		if (closed) {
			printf("closed after %zu bytes in %.1f s, %zu bytes received\n", sent, now() - start, received);
			return 0;
		}
	}
	printf("not closed after %zu bytes in %.1f s, %zu bytes received\n", sent, now() - start, received);
	return 1;
}

/* ---- idle ---- */

static bool closed_by_server(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	if (poll(&p, 1, 0) <= 0)
		return false;
	char b[256];
	ssize_t n = recv(fd, b, sizeof b, MSG_DONTWAIT);
	return n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR);
}

/* Raises the soft file limit to the hard one when count connections would
 * not fit under it. */
static void room_for_connections(int count)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)count + 16) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static int cmd_idle(int argc, char **argv)
{
	if (argc != 3)
		return 2;
	int count = atoi(argv[1]);
	double max = atof(argv[2]), start = now();
	setvbuf(stdout, NULL, _IOLBF, 0);
	room_for_connections(count);
	int *fds = calloc((size_t)count, sizeof *fds);
	bool *gone = calloc((size_t)count, sizeof *gone);
	int opened = 0, rc = 0;
	for (; opened < count && now() - start < max; opened++) {
		fds[opened] = connect_to(argv[0]);
		if (fds[opened] < 0) {
			fprintf(stderr, "httpc: connect %d: %s\n", opened, strerror(errno));
			rc = 1;
			break;
		}
	}
	printf("opened %d\n", opened);
	usleep(500 * 1000);
	int closed = 0;
	for (int i = 0; i < opened; i++)
		if ((gone[i] = closed_by_server(fds[i])))
			closed++;
	printf("at_once %d\n", closed);
	while (closed < opened && now() - start < max) {
		usleep(50 * 1000);
		for (int i = 0; i < opened; i++)
			if (!gone[i] && (gone[i] = closed_by_server(fds[i])))
				closed++;
	}
	printf("closed %d open %d after %.1f s\n", closed, opened - closed, now() - start);
	for (int i = 0; i < opened; i++)
		close(fds[i]);
	return rc;
}

/* ---- hold ---- */

struct held {
	int fd;
	bool connecting, answered, closed;
};

static void start_connect(const char *addr, struct held *h)
{
	struct sockaddr_storage ss;
	socklen_t len = parse_addr(addr, &ss);
	h->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (h->fd < 0)
		die("socket");
	if (connect(h->fd, (struct sockaddr *)&ss, len) == 0)
		return;
	if (errno != EINPROGRESS && errno != EAGAIN)
		die("connect");
	/* a unix socket with a full backlog: EAGAIN, a refused connection */
	h->connecting = errno == EINPROGRESS;
	h->closed = errno == EAGAIN;
}

static void held_event(struct held *h, short revents)
{
	if (h->connecting && (revents & (POLLOUT | POLLERR | POLLHUP))) {
		int err = 0;
		socklen_t l = sizeof err;
		getsockopt(h->fd, SOL_SOCKET, SO_ERROR, &err, &l);
		h->connecting = false;
		h->closed = err != 0;
	}
	if (h->closed || !(revents & (POLLIN | POLLHUP | POLLERR)))
		return;
	char b[4096];
	ssize_t n = recv(h->fd, b, sizeof b, MSG_DONTWAIT);
	if (n > 0)
		h->answered = true;
	else if (n == 0 || (errno != EAGAIN && errno != EINTR))
		h->closed = true;
}

static int cmd_hold(int argc, char **argv)
{
	static const char request[] = "GET /livez HTTP/1.1\r\nHost: tend\r\n\r\n";
	if (argc != 3)
		return 2;
	int count = atoi(argv[1]);
	double max = atof(argv[2]), start = now();
	setvbuf(stdout, NULL, _IOLBF, 0);
	room_for_connections(count);
	struct held *h = calloc((size_t)count, sizeof *h);
	struct pollfd *p = calloc((size_t)count, sizeof *p);
	if (!h || !p)
		die("calloc");
	for (int i = 0; i < count; i++)
		start_connect(argv[0], &h[i]);
	double next_round = now() + 0.2;
	for (int round = 0; now() - start < max;) {
		if (now() >= next_round) {
			if (round > 0) {
				int answering = 0, closed = 0;
				for (int i = 0; i < count; i++) {
					closed += h[i].closed;
					answering += !h[i].closed && h[i].answered;
				}
				printf("round %d answering %d closed %d waiting %d\n", round, answering, closed,
				       count - answering - closed);
			}
			for (int i = 0; i < count; i++)
				if (!h[i].closed && !h[i].connecting &&
				    send(h[i].fd, request, sizeof request - 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0 &&
				    errno != EAGAIN)
					h[i].closed = true;
			round++;
			next_round += 1;
		}
		for (int i = 0; i < count; i++)
			p[i] = (struct pollfd){ .fd = h[i].closed ? -1 : h[i].fd,
						.events = (short)(POLLIN | (h[i].connecting ? POLLOUT : 0)) };
		double t = now();
		int r = poll(p, (nfds_t)count, t < next_round ? (int)((next_round - t) * 1000) + 1 : 0);
		if (r < 0 && errno != EINTR)
			die("poll");
		for (int i = 0; r > 0 && i < count; i++)
			if (p[i].revents)
				held_event(&h[i], p[i].revents);
	}
	for (int i = 0; i < count; i++)
		close(h[i].fd);
	return 0;
}

int main(int argc, char **argv)
{
	int rc = 2;
	if (argc >= 2 && strcmp(argv[1], "send") == 0)
		rc = cmd_send(argc - 2, argv + 2);
	else if (argc >= 2 && strcmp(argv[1], "slow") == 0)
		rc = cmd_slow(argc - 2, argv + 2);
	else if (argc >= 2 && strcmp(argv[1], "idle") == 0)
		rc = cmd_idle(argc - 2, argv + 2);
	else if (argc >= 2 && strcmp(argv[1], "hold") == 0)
		rc = cmd_hold(argc - 2, argv + 2);
	if (rc == 2)
		fprintf(stderr, "usage: httpc send ADDR [-n COUNT] [-w MS] [-t SECS] [-s] | slow ADDR MAXSECS | "
				"idle ADDR COUNT MAXSECS | hold ADDR COUNT MAXSECS\n");
	return rc;
}

/* httpc: raw HTTP clients for the integration tests, for what curl cannot do.
 * ADDR is a unix socket path (starts with '/'), HOST:PORT or [V6]:PORT.
 *
 * httpc send ADDR [-n COUNT] [-w MS] [-t SECS]
 *	Sends all of stdin in one write, then prints every byte received,
 *	followed by a line "[closed]" (the server closed, or reset, the
 *	connection) or "[open]". With -n, stops reading once COUNT whole
 *	answers have come (their lengths from Content-Length; an answer to a
 *	HEAD request, told by the requests sent, has no body) and then waits
 *	MS more milliseconds (default 300) to see whether the server closes.
 *	Without -n, reads until the server closes. Either way it gives up after
 *	SECS seconds (default 8) and then prints "[timeout]".
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

static int connect_to(const char *addr)
{
	struct sockaddr_storage ss;
	socklen_t len;
	memset(&ss, 0, sizeof ss);
	if (addr[0] == '/') {
		struct sockaddr_un *un = (struct sockaddr_un *)&ss;
		un->sun_family = AF_UNIX;
		if (strlen(addr) >= sizeof un->sun_path) {
			fprintf(stderr, "httpc: socket path too long\n");
			exit(2);
		}
		strcpy(un->sun_path, addr);
		len = sizeof *un;
	} else {
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
		struct sockaddr_in *v4 = (struct sockaddr_in *)&ss;
		struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&ss;
		if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
			v4->sin_family = AF_INET;
			v4->sin_port = htons((unsigned short)atoi(port));
			len = sizeof *v4;
		} else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
			v6->sin6_family = AF_INET6;
			v6->sin6_port = htons((unsigned short)atoi(port));
			len = sizeof *v6;
		} else {
			goto bad;
		}
	}
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
bad:
	fprintf(stderr, "httpc: bad address %s\n", addr);
	exit(2);
}

static void write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			die("send");
		p += w;
		n -= (size_t)w;
	}
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
	if (argc < 1)
		return 2;
	const char *addr = argv[0];
	for (int i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "-n") == 0)
			count = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "-w") == 0)
			wait_ms = atoi(argv[i + 1]);
		else if (strcmp(argv[i], "-t") == 0)
			secs = atof(argv[i + 1]);
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
	write_all(fd, req, rlen);

	size_t len = 0, cap = 1 << 16, parsed = 0, req_pos = 0;
	char *buf = malloc(cap);
	int answers = 0;
	double deadline = now() + secs, done_at = 0;
	const char *how = "[timeout]";
	for (;;) {
		double t = now();
		double until = done_at > 0 ? done_at : deadline;
		if (t >= until) {
			if (done_at > 0)
				how = "[open]";
			break;
		}
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int r = poll(&p, 1, (int)((until - t) * 1000) + 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			continue;
		if (len == cap && !(buf = realloc(buf, cap *= 2)))
			die("realloc");
		ssize_t n = recv(fd, buf + len, cap - len, 0);
		if (n < 0 && errno == EINTR)
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

static int cmd_idle(int argc, char **argv)
{
	if (argc != 3)
		return 2;
	int count = atoi(argv[1]);
	double max = atof(argv[2]), start = now();
	setvbuf(stdout, NULL, _IOLBF, 0);
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)count + 16) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
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

int main(int argc, char **argv)
{
	int rc = 2;
	if (argc >= 2 && strcmp(argv[1], "send") == 0)
		rc = cmd_send(argc - 2, argv + 2);
	else if (argc >= 2 && strcmp(argv[1], "slow") == 0)
		rc = cmd_slow(argc - 2, argv + 2);
	else if (argc >= 2 && strcmp(argv[1], "idle") == 0)
		rc = cmd_idle(argc - 2, argv + 2);
	if (rc == 2)
		fprintf(stderr, "usage: httpc send ADDR [-n COUNT] [-w MS] [-t SECS] | slow ADDR MAXSECS | "
				"idle ADDR COUNT MAXSECS\n");
	return rc;
}

/* miniserver MODE PORT [--delay SECS] [--lifetime SECS] [--record FILE]
 *
 * A tiny HTTP server on 127.0.0.1:PORT for the health-check tests. MODE:
 *   200     answers every request "HTTP/1.1 200 OK", then closes
 *   500     answers "HTTP/1.1 500 Internal Server Error", then closes
 *   silent  accepts connections, reads what comes, never answers
 * --delay SECS: listen only after SECS (the port is closed until then).
 * --lifetime SECS: exit 0 after SECS (default 120), so nothing outlives a
 * test by long. --record FILE: append "start PID time_us=US" at start and
 * "listening PID time_us=US" once listening (CLOCK_REALTIME, microseconds).
 * TERM, INT and QUIT end it (default dispositions). Exits 3 if it cannot
 * listen. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CLIENTS 64

static int record_fd = -1;

static double mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void record(const char *what)
{
	if (record_fd < 0)
		return;
	struct timespec rt;
	clock_gettime(CLOCK_REALTIME, &rt);
	char line[128];
	int n = snprintf(line, sizeof line, "%s %d time_us=%lld\n", what, (int)getpid(),
			 (long long)rt.tv_sec * 1000000 + rt.tv_nsec / 1000);
	ssize_t ignored = write(record_fd, line, (size_t)n);
	(void)ignored;
}

static void usage(void)
{
	fprintf(stderr, "usage: miniserver 200|500|silent PORT [--delay SECS] [--lifetime SECS] [--record FILE]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	if (argc < 3)
		usage();
	const char *mode = argv[1];
	const char *answer;
	if (strcmp(mode, "200") == 0)
		answer = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n";
	else if (strcmp(mode, "500") == 0)
		answer = "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 5\r\nConnection: close\r\n\r\nfail\n";
	else if (strcmp(mode, "silent") == 0)
		answer = NULL;
	else
		usage();
	int port = atoi(argv[2]);
	if (port <= 0 || port > 65535)
		usage();
	double delay = 0, lifetime = 120;
	for (int i = 3; i < argc; i++) {
		if (i + 1 >= argc)
			usage();
		if (strcmp(argv[i], "--delay") == 0)
			delay = atof(argv[++i]);
		else if (strcmp(argv[i], "--lifetime") == 0)
			lifetime = atof(argv[++i]);
		else if (strcmp(argv[i], "--record") == 0) {
			record_fd = open(argv[++i], O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
			if (record_fd < 0) {
				perror(argv[i]);
				return 2;
			}
		} else
			usage();
	}
	signal(SIGPIPE, SIG_IGN);
	double start = mono();
	record("start");
	if (delay > 0) {
		struct timespec ts = { .tv_sec = (time_t)delay, .tv_nsec = (long)((delay - (double)(time_t)delay) * 1e9) };
		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
	}
	int lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1;
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((unsigned short)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&a, sizeof a) < 0 || listen(lfd, 64) < 0) {
		fprintf(stderr, "miniserver: cannot listen on 127.0.0.1:%d: %s\n", port, strerror(errno));
		return 3;
	}
	record("listening");

	struct pollfd fds[1 + MAX_CLIENTS];
	int nclients = 0;
	fds[0] = (struct pollfd){ .fd = lfd, .events = POLLIN };
	for (;;) {
		double left = start + lifetime - mono();
		if (left <= 0)
			return 0;
		int ms = left > 1 ? 1000 : (int)(left * 1000) + 1;
		if (poll(fds, (nfds_t)(1 + nclients), ms) < 0 && errno != EINTR)
			return 1;
		for (int i = 1; i <= nclients; i++) {
			if (!fds[i].revents)
				continue;
			char buf[4096];
			ssize_t n = recv(fds[i].fd, buf, sizeof buf, MSG_DONTWAIT);
			if (n > 0 && !answer)
				continue;	/* silent: read and say nothing */
			if (n < 0 && (errno == EAGAIN || errno == EINTR))
				continue;
			if (n > 0)	/* the request's first bytes: enough to answer */
				send(fds[i].fd, answer, strlen(answer), MSG_NOSIGNAL);
			close(fds[i].fd);
			fds[i] = fds[nclients--];
			i--;
		}
		if (fds[0].revents & POLLIN) {
			int c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
			if (c >= 0 && nclients == MAX_CLIENTS) {
				close(fds[1].fd);	/* the oldest makes room */
				fds[1] = fds[nclients--];
			}
			if (c >= 0)
				fds[++nclients] = (struct pollfd){ .fd = c, .events = POLLIN };
		}
	}
}

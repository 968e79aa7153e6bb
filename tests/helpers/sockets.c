/* sockets REPORT [--once | --http CRASH]
 *
 * A program of the listen tests: it writes what it got from tend to REPORT
 * (appended, one "key=value" per line, in a block that starts with
 * "pid=PID"): the LISTEN_* variables, its open fds, and for each fd from 3
 * on: "fdN=FAMILY ADDRESS listening=0|1 cloexec=0|1 nonblock=0|1". With
 * --once it exits 0 then (an exec probe). Otherwise, when LISTEN_FDS and
 * LISTEN_PID say the sockets are its own, it accepts connections on fd 3
 * one by one and answers each "pid=PID uid=UID\n"; else it waits. With
 * --http it answers each request "HTTP/1.1 200 OK" with that line as the
 * body, except when the file CRASH exists: then it removes it, reads the
 * request, appends "crash PID" to REPORT and exits 1 without answering (a
 * backend that dies with a request taken). SIGTERM:
 * appends "term PID time_us=US" (CLOCK_REALTIME) and exits 0. Lives 120 s
 * at most, so that nothing outlives a test by long. */
#include <arpa/inet.h>
#include <stdbool.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t terminated;
static const char *report;

static void on_term(int sig)
{
	(void)sig;
	terminated = 1;
}

static void describe_fd(FILE *f, int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;
	char addr[160] = "?";
	const char *family = "other";
	if (getsockname(fd, (struct sockaddr *)&ss, &len) == 0) {
		if (ss.ss_family == AF_INET) {
			struct sockaddr_in *a = (struct sockaddr_in *)&ss;
			char ip[64];
			inet_ntop(AF_INET, &a->sin_addr, ip, sizeof ip);
			snprintf(addr, sizeof addr, "%s:%d", ip, ntohs(a->sin_port));
			family = "tcp";
		} else if (ss.ss_family == AF_INET6) {
			struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
			char ip[64];
			inet_ntop(AF_INET6, &a->sin6_addr, ip, sizeof ip);
			snprintf(addr, sizeof addr, "[%s]:%d", ip, ntohs(a->sin6_port));
			family = "tcp6";
		} else if (ss.ss_family == AF_UNIX) {
			snprintf(addr, sizeof addr, "%s", ((struct sockaddr_un *)&ss)->sun_path);
			family = "unix";
		}
	}
	int listening = 0;
	socklen_t ilen = sizeof listening;
	getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &ilen);
	fprintf(f, "fd%d=%s %s listening=%d cloexec=%d nonblock=%d\n", fd, family, addr, listening,
		(fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0, (fcntl(fd, F_GETFL) & O_NONBLOCK) != 0);
}

static void write_report(void)
{
	FILE *f = fopen(report, "a");
	if (!f)
		exit(3);
	fprintf(f, "pid=%d\n", (int)getpid());
	const char *vars[] = { "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES" };
	for (size_t i = 0; i < 3; i++)
		fprintf(f, "%s=%s\n", vars[i], getenv(vars[i]) ? getenv(vars[i]) : "(unset)");
	DIR *d = opendir("/proc/self/fd");
	int fds[256], n = 0;
	struct dirent *e;
	while (d && (e = readdir(d)) && n < 256)
		if (e->d_name[0] != '.' && atoi(e->d_name) != dirfd(d) && atoi(e->d_name) != fileno(f))
			fds[n++] = atoi(e->d_name);
	if (d)
		closedir(d);
	fprintf(f, "fds=");
	for (int i = 0; i < n; i++)	/* readdir gives them in order */
		fprintf(f, "%s%d", i ? " " : "", fds[i]);
	fprintf(f, "\n");
	for (int i = 0; i < n; i++)
		if (fds[i] > 2)
			describe_fd(f, fds[i]);
	fprintf(f, "end=%d\n", (int)getpid());
	fclose(f);
}

static void record_term(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	FILE *f = fopen(report, "a");
	if (f) {
		fprintf(f, "term %d time_us=%lld\n", (int)getpid(), (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000);
		fclose(f);
	}
	exit(0);
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	report = argv[1];
	struct sigaction sa = { .sa_handler = on_term };	/* no SA_RESTART: accept returns EINTR */
	sigaction(SIGTERM, &sa, NULL);
	write_report();
	if (argc > 2 && strcmp(argv[2], "--once") == 0)
		return 0;
	const char *crash = argc > 3 && strcmp(argv[2], "--http") == 0 ? argv[3] : NULL;
	alarm(120);
	const char *fds = getenv("LISTEN_FDS"), *pid = getenv("LISTEN_PID");
	bool ours = fds && pid && atoi(fds) > 0 && atoi(pid) == (int)getpid();
	while (!terminated) {
		if (!ours) {
			pause();
			continue;
		}
		int c = accept(3, NULL, NULL);
		if (c < 0)
			continue;
		char answer[256], body[64];
		int blen = snprintf(body, sizeof body, "pid=%d uid=%d\n", (int)getpid(), (int)getuid());
		int len = snprintf(answer, sizeof answer, "%s", body);
		if (crash) {
			char request[4096];
			ssize_t got = read(c, request, sizeof request);	/* one read: the test's GETs are small */
			(void)got;
			if (unlink(crash) == 0) {
				FILE *f = fopen(report, "a");
				if (f)
					fprintf(f, "crash %d\n", (int)getpid());
				if (f)
					fclose(f);
				_exit(1);
			}
			len = snprintf(answer, sizeof answer,
				       "HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", blen, body);
		}
		ssize_t ignored = write(c, answer, (size_t)len);
		(void)ignored;
		close(c);
	}
	record_term();
}

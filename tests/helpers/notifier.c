/* notifier [OPTIONS]
 *
 * A supervised program for the integration tests that speaks the sd_notify
 * protocol to $NOTIFY_SOCKET, then stays alive until TERM, INT or QUIT
 * (exit 0). Options:
 *   --record FILE       append "start PID", "time_us=REALTIME_US",
 *                       "NOTIFY_SOCKET=...", "WATCHDOG_USEC=...",
 *                       "WATCHDOG_PID=..." (empty when unset) and "pid=PID"
 *                       at start, and "signal NAME" for each TERM, INT,
 *                       QUIT or HUP received
 *   --status TEXT       send STATUS=TEXT at start
 *   --ready-after SECS  send READY=1 after SECS (without it: never)
 *   --from-child        READY=1 is sent by a forked child in our process
 *                       group (it lingers 1 s, so that its pid can still
 *                       be looked up, then exits)
 *   --from-escaped      READY=1 is sent by a forked child that left our
 *                       group and session with setsid() (it lingers 2 s)
 *   --ping-every SECS   send WATCHDOG=1 now and then every SECS
 *   --ping-count N      stop pinging after N pings (default: never stop)
 *   --lifetime SECS     exit 0 after SECS anyway (default 120): nothing
 *                       outlives a test by long
 *   --impersonate PIDFILE SOCKET
 *                       an attack: wait (at most 10 s) for PIDFILE to hold
 *                       another program's pid, try to join its process
 *                       group (setpgid), record "setpgid=0" or
 *                       "setpgid=ERRNO-NAME", then send READY=1, WATCHDOG=1
 *                       and STATUS=impostor to SOCKET and record "sent"
 * Sending errors are reported on stderr and are not fatal. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int record_fd = -1;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void put(const char *text)
{
	if (record_fd < 0)
		return;
	ssize_t ignored = write(record_fd, text, strlen(text));
	(void)ignored;
}

static void on_signal(int sig)
{
	int saved = errno;
	const char *line = sig == SIGTERM ? "signal TERM\n" : sig == SIGINT ? "signal INT\n"
			 : sig == SIGQUIT ? "signal QUIT\n" : "signal HUP\n";
	put(line);
	if (sig != SIGHUP)
		_exit(0);
	errno = saved;
}

/* One datagram to $NOTIFY_SOCKET ('@' at the start: abstract namespace). */
static bool notify(const char *text)
{
	const char *path = getenv("NOTIFY_SOCKET");
	if (!path || !*path) {
		fprintf(stderr, "notifier: NOTIFY_SOCKET is not set; not sending %s\n", text);
		return false;
	}
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	size_t len = strlen(path);
	if (len >= sizeof a.sun_path) {
		fprintf(stderr, "notifier: NOTIFY_SOCKET too long\n");
		return false;
	}
	memcpy(a.sun_path, path, len);
	if (a.sun_path[0] == '@')
		a.sun_path[0] = '\0';
	int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return false;
	ssize_t n = sendto(s, text, strlen(text), 0, (struct sockaddr *)&a,
			   (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len));
	int saved = errno;
	close(s);
	if (n < 0) {
		fprintf(stderr, "notifier: sending %s to %s: %s\n", text, path, strerror(saved));
		return false;
	}
	return true;
}

static void sleep_for(double secs)
{
	if (secs <= 0)
		return;
	struct timespec ts = { .tv_sec = (time_t)secs, .tv_nsec = (long)((secs - (double)(time_t)secs) * 1e9) };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* READY=1 from another process: one in our group, or one that escaped it. */
static pid_t ready_from_child(bool escape)
{
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGQUIT, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	if (escape && setsid() < 0)
		_exit(3);
	char line[64];
	snprintf(line, sizeof line, "%s %d\n", escape ? "escaped" : "child", (int)getpid());
	put(line);
	bool ok = notify("READY=1\n");
	sleep_for(escape ? 2.0 : 1.0);
	_exit(ok ? 0 : 1);
}

/* Reads a pid from path, waiting for it to be written. */
static pid_t wait_for_pid(const char *path)
{
	for (int tries = 0; tries < 1000; tries++) {
		FILE *f = fopen(path, "re");
		int pid = 0;
		if (f) {
			if (fscanf(f, "%d", &pid) != 1)
				pid = 0;
			fclose(f);
		}
		if (pid > 0)
			return pid;
		sleep_for(0.01);
	}
	return 0;
}

static int impersonate(const char *pidfile, const char *socket_path)
{
	pid_t victim = wait_for_pid(pidfile);
	if (victim <= 0) {
		put("no pid\n");
		return 1;
	}
	char line[128];
	int r = setpgid(0, victim);
	snprintf(line, sizeof line, "setpgid=%s\n", r == 0 ? "0" : strerrorname_np(errno));
	put(line);
	setenv("NOTIFY_SOCKET", socket_path, 1);
	bool ok = notify("READY=1\nWATCHDOG=1\nSTATUS=impostor\n");
	put(ok ? "sent\n" : "not sent\n");
	sleep_for(30);
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: notifier [--record FILE] [--status TEXT] [--ready-after SECS] [--from-child|--from-escaped]\n"
			"                [--ping-every SECS] [--ping-count N] [--lifetime SECS]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *record = NULL, *status = NULL, *impersonate_pidfile = NULL, *impersonate_socket = NULL;
	double ready_after = -1, ping_every = -1, lifetime = 120;
	long ping_count = -1;
	int from = 0;	/* 0 ourselves, 1 a child in the group, 2 an escaped one */
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--from-child") == 0) {
			from = 1;
			continue;
		}
		if (strcmp(a, "--from-escaped") == 0) {
			from = 2;
			continue;
		}
		if (strcmp(a, "--impersonate") == 0 && i + 2 < argc) {
			impersonate_pidfile = argv[i + 1];
			impersonate_socket = argv[i + 2];
			i += 2;
			continue;
		}
		if (!v)
			usage();
		i++;
		if (strcmp(a, "--record") == 0)
			record = v;
		else if (strcmp(a, "--status") == 0)
			status = v;
		else if (strcmp(a, "--ready-after") == 0)
			ready_after = atof(v);
		else if (strcmp(a, "--ping-every") == 0)
			ping_every = atof(v);
		else if (strcmp(a, "--ping-count") == 0)
			ping_count = atol(v);
		else if (strcmp(a, "--lifetime") == 0)
			lifetime = atof(v);
		else
			usage();
	}
	if (record) {
		record_fd = open(record, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
		if (record_fd < 0) {
			perror(record);
			return 2;
		}
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigfillset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	struct timespec rt;
	clock_gettime(CLOCK_REALTIME, &rt);
	const char *ns = getenv("NOTIFY_SOCKET"), *wu = getenv("WATCHDOG_USEC"), *wp = getenv("WATCHDOG_PID");
	char head[1024];
	snprintf(head, sizeof head, "start %d\ntime_us=%lld\nNOTIFY_SOCKET=%s\nWATCHDOG_USEC=%s\nWATCHDOG_PID=%s\npid=%d\n",
		 (int)getpid(), (long long)rt.tv_sec * 1000000 + rt.tv_nsec / 1000, ns ? ns : "", wu ? wu : "",
		 wp ? wp : "", (int)getpid());
	put(head);

	if (impersonate_pidfile)
		return impersonate(impersonate_pidfile, impersonate_socket);
	if (status) {
		char line[600];
		snprintf(line, sizeof line, "STATUS=%s\n", status);
		notify(line);
	}
	double start = now();
	double ready_at = ready_after >= 0 ? start + ready_after : -1;
	double next_ping = ping_every > 0 ? start : -1;
	long pings = 0;
	pid_t helper = 0;
	for (;;) {
		double t = now();
		if (t - start >= lifetime)
			return 0;
		if (ready_at >= 0 && t >= ready_at) {
			ready_at = -1;
			if (from == 0)
				notify("READY=1\n");
			else
				helper = ready_from_child(from == 2);
		}
		if (next_ping >= 0 && t >= next_ping) {
			notify("WATCHDOG=1\n");
			pings++;
			next_ping = ping_count >= 0 && pings >= ping_count ? -1 : next_ping + ping_every;
		}
		if (helper > 0 && waitpid(helper, NULL, WNOHANG) == helper)
			helper = 0;
		double wake = start + lifetime;
		if (ready_at >= 0 && ready_at < wake)
			wake = ready_at;
		if (next_ping >= 0 && next_ping < wake)
			wake = next_ping;
		if (helper > 0 && t + 0.1 < wake)
			wake = t + 0.1;
		sleep_for(wake - now());
	}
}

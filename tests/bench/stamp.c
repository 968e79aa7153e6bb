/*
 * stamp: the benchmarks' own long-running program (tests/bench/).
 *
 *   stamp [-i] [-c MS] FILE NAME
 *   stamp -o N FILE NAME               as a program, 0.5 s after starting:
 *                                      makes N orphans exit at once (below)
 *   stamp -x FILE NAME CMD [ARG...]    stamps "exec", then execs CMD
 *   stamp -k SIG -p PID [-w] FILE NAME stamps "kill", sends SIG (a number)
 *                                      to PID; with -w waits (pidfd, up to
 *                                      30 s) for PID to end, stamps "gone"
 *
 * Appends a line "EVENT NS PID NAME" to FILE (O_APPEND, one write per line)
 * when it starts (EVENT start), when it gets SIGTERM (term) and when it gets
 * SIGUSR1 (usr1); NS is CLOCK_MONOTONIC in nanoseconds, comparable with
 * other processes' stamps on the same machine. It exits 0 after SIGTERM
 * (unless -i: then it stamps and carries on, to be killed), carries on
 * after SIGUSR1, and with -c MS exits 1 MS milliseconds after starting (a
 * crash, stamped "crash" first). With -o N, 0.5 s after starting it forks a
 * child that forks N grandchildren blocked reading a pipe, stamps "forked"
 * after the last fork and exits: the grandchildren, orphaned (reparented
 * to PID 1), all read EOF and exit at once. It then reads PID 1's children
 * (/proc/1/task/1/children, as many as before the forks = drained) as fast
 * as it can for at most 3 s, and stamps "drained" (or "timeout"), then
 * lines "backlog K" (the most of them seen at once, zombies or not) and
 * "left K" (still there at the end) (K in the time field). It waits for signals with sigtimedwait: no handler, no busy loop.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <poll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int fd;
static const char *name;

static int pid1_children(void)
{
	static char buf[1 << 20];
	int f = open("/proc/1/task/1/children", O_RDONLY | O_CLOEXEC), n = 0;
	ssize_t r;
	if (f < 0)
		return -1;
	while ((r = read(f, buf, sizeof buf)) > 0)
		for (ssize_t i = 0; i < r; i++)
			n += buf[i] == ' ';
	close(f);
	return n;
}

static long long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void stamp(const char *event, long long ns)
{
	char line[256];
	int n = snprintf(line, sizeof line, "%s %lld %d %s\n", event, ns, (int)getpid(), name);
	if (n > 0 && write(fd, line, (size_t)n) < 0)
		_exit(3);
}

int main(int argc, char **argv)
{
	long long t0 = now_ns(), crash_ms = -1;
	int orphans = 0;
	int ignore_term = 0, opt, exec_mode = 0, kill_sig = 0, kill_pid = 0, kill_wait = 0;
	while ((opt = getopt(argc, argv, "+ic:xk:p:wo:")) != -1) {
		if (opt == 'i')
			ignore_term = 1;
		else if (opt == 'c')
			crash_ms = atoll(optarg);
		else if (opt == 'x')
			exec_mode = 1;
		else if (opt == 'k')
			kill_sig = atoi(optarg);
		else if (opt == 'p')
			kill_pid = atoi(optarg);
		else if (opt == 'o')
			orphans = atoi(optarg);
		else if (opt == 'w')
			kill_wait = 1;
		else
			goto usage;
	}
	if (exec_mode ? argc - optind < 3 : argc - optind != 2) {
usage:
		fprintf(stderr, "usage: stamp [-i] [-c MS] FILE NAME | -x FILE NAME CMD... | -k SIG -p PID [-w] FILE NAME\n");
		return 2;
	}
	name = argv[optind + 1];
	fd = open(argv[optind], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0) {
		perror(argv[optind]);
		return 2;
	}
	if (exec_mode) {
		stamp("exec", now_ns());
		close(fd);
		execvp(argv[optind + 2], argv + optind + 2);
		perror(argv[optind + 2]);
		return 127;
	}
	if (kill_sig) {
		int pfd = kill_wait ? (int)syscall(SYS_pidfd_open, kill_pid, 0) : -1;
		if (kill_wait && pfd < 0) {
			perror("pidfd_open");
			return 2;
		}
		long long t = now_ns();
		if (kill(kill_pid, kill_sig) < 0) {
			perror("kill");
			return 2;
		}
		stamp("kill", t);
		if (kill_wait) {
			struct pollfd p = { pfd, POLLIN, 0 };
			int r;
			while ((r = poll(&p, 1, 30000)) < 0 && errno == EINTR)
				;
			if (r <= 0)
				return 1;
			stamp("gone", now_ns());
		}
		return 0;
	}
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	stamp("start", t0);
	if (orphans > 0) {
		struct timespec half = { 0, 500000000 };
		nanosleep(&half, NULL);
		int base = pid1_children(), p[2];
		if (base < 0 || pipe(p) < 0)
			_exit(3);
		pid_t mid = fork();
		if (mid == 0) {
			for (int i = 0; i < orphans; i++) {
				pid_t c = fork();
				if (c == 0) {
					char ch;
					close(p[1]);
					while (read(p[0], &ch, 1) < 0 && errno == EINTR)
						;
					_exit(0);
				}
				if (c < 0)
					break;
			}
			stamp("forked", now_ns());
			_exit(0);
		}
		close(p[0]);
		close(p[1]);
		if (mid > 0)
			while (waitpid(mid, NULL, 0) < 0 && errno == EINTR)
				;
		long long deadline = now_ns() + 3000000000LL;
		int most = 0, n;
		for (;;) {
			n = pid1_children() - base;
			if (n > most)
				most = n;
			if (n <= 0) {
				stamp("drained", now_ns());
				break;
			}
			if (now_ns() > deadline) {
				stamp("timeout", now_ns());
				break;
			}
		}
		stamp("backlog", most);
		stamp("left", n > 0 ? n : 0);
	}
	for (;;) {
		int sig;
		if (crash_ms >= 0) {
			long long left = t0 + crash_ms * 1000000LL - now_ns();
			if (left <= 0) {
				stamp("crash", now_ns());
				_exit(1);
			}
			struct timespec ts = { left / 1000000000LL, left % 1000000000LL };
			sig = sigtimedwait(&set, NULL, &ts);
			if (sig < 0)
				continue;	/* EAGAIN (time is up) or EINTR */
		} else {
			sig = sigwaitinfo(&set, NULL);
			if (sig < 0)
				continue;
		}
		long long t = now_ns();
		if (sig == SIGTERM) {
			stamp("term", t);
			if (!ignore_term)
				return 0;
		} else {
			stamp("usr1", t);
		}
	}
}

/*
 * stamp: the benchmarks' own long-running program (tests/bench/).
 *
 *   stamp [-i] [-c MS] FILE NAME
 *   stamp -o N FILE NAME               as a program: N orphans at once (below)
 *   stamp -e N FILE NAME               as a program: N running orphans that
 *                                      exit together (below)
 *   stamp -O N FILE NAME               as a program: a stream of N orphans
 *   stamp -x FILE NAME CMD [ARG...]    stamps "exec", then execs CMD
 *   stamp -r FILE NAME CMD [ARG...]    a bare reaper (a reference, not a
 *                                      system): runs CMD, reaps every child
 *                                      (waitpid loop on SIGCHLD), exits
 *                                      when CMD's process ends or on TERM
 *   stamp -k SIG -p PID [-w] [-W PID2] FILE NAME
 *                                      stamps "kill", sends SIG (a number)
 *                                      to PID; with -w waits (pidfd, up to
 *                                      30 s) for PID to end, stamps "gone";
 *                                      with -W also watches PID2: stamps
 *                                      "died" when it ends and, once it is
 *                                      reaped, "status S" (its wait status,
 *                                      from PIDFD_INFO_EXIT; S in the time
 *                                      field; Linux ≥ 6.15)
 *
 * Appends a line "EVENT NS PID NAME" to FILE (O_APPEND, one write per line)
 * when it starts (EVENT start), when it gets SIGTERM (term) and when it gets
 * SIGUSR1 (usr1); NS is CLOCK_MONOTONIC in nanoseconds, comparable with
 * other processes' stamps on the same machine. It exits 0 after SIGTERM
 * (unless -i: then it stamps and carries on, to be killed), carries on
 * after SIGUSR1, and with -c MS exits 1 MS milliseconds after starting (a
 * crash, stamped "crash" first). It waits for signals with sigtimedwait: no
 * handler, no busy loop.
 *
 * Orphans, 0.5 s after starting (both after counting PID 1's children,
 * /proc/1/task/1/children, as the baseline):
 *
 * -o N, at once: a child of this program forks N grandchildren that exit
 *   at once (each calls _exit as soon as it runs): they stay its zombies.
 *   It stamps "forked" after the last fork, waits until every one of them
 *   has exited (they all hold a pipe's write end: EOF), stamps "orphaned"
 *   and exits: the kernel hands the N zombies to PID 1 in one go. So their
 *   exits are behind them and the clock from there measures PID 1 alone.
 * -e N, running orphans exiting together: the same, but the grandchildren
 *   block reading a pipe; the child stamps "forked" after the last fork and
 *   exits at once, which orphans them and closes the pipe: they all read
 *   EOF and exit together. This program stamps "exited" when they all have
 *   (EOF on the pipe they hold). Here their exits are in the clock: the
 *   kernel's work of waking and ending N processes.
 * -O N, a stream: a child of this program forks one more process and
 *   exits, which orphans it (PID 1 adopts it); that one makes N processes
 *   with clone(CLONE_PARENT), children of PID 1 from birth, each exiting as
 *   soon as it runs (an orphan exiting, to PID 1), stamps "forked" after
 *   the last one and exits (one more orphan).
 *
 * Then this program reads PID 1's children, from "orphaned" (-o) or from
 * the first fork (-e, -O; every 0.1 ms until the last fork), as fast as it
 * can until they are no more than the baseline ("drained") or for 3 s after
 * the last fork ("timeout"), and stamps lines "backlog K" (the most orphans
 * seen at once: with -o, all zombies; with -e, running ones too; in the
 * stream, zombies but for the few still on their way out) and "left K" (still there at the end) (K in
 * the time field). The process that made the orphans stamps "made K" (how
 * many; fewer when a fork failed).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* PIDFD_GET_INFO (Linux 6.13; exit information 6.15), not in older headers */
struct pidfd_info_v0 {
	uint64_t mask, cgroupid;
	uint32_t pid, tgid, ppid, ruid, rgid, euid, egid, suid, sgid, fsuid, fsgid;
	int32_t exit_code;
};
#define STAMP_PIDFD_GET_INFO _IOWR(0xFF, 11, struct pidfd_info_v0)
#define STAMP_PIDFD_INFO_EXIT (1ULL << 3)

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

static void nap_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };
	nanosleep(&ts, NULL);
}

static void stamp(const char *event, long long ns)
{
	char line[256];
	int n = snprintf(line, sizeof line, "%s %lld %d %s\n", event, ns, (int)getpid(), name);
	if (n > 0 && write(fd, line, (size_t)n) < 0)
		_exit(3);
}

static int pidfd_open(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

/* Reads PID 1's children until no more than BASE, or for 3 s after POKE
 * (a pipe) was written to or closed: before, samples are 0.1 ms apart, then
 * back to back. WAITED: a child of ours whose end must be seen too (reaped
 * here), -1 when none. EXITED: a pipe whose EOF means that the orphans have
 * all exited (stamped "exited"), -1 when none. */
static void watch_drain(int base, int poke, pid_t waited, int exited)
{
	long long deadline = 0, cap = now_ns() + 20000000000LL;
	int most = 0, n = 0, poked = 0;
	for (;;) {
		struct pollfd p[2] = { { poke, POLLIN, 0 }, { exited, POLLIN, 0 } };
		if (poll(p, exited >= 0 ? 2 : 1, 0) > 0) {
			if (!poked && p[0].revents) {
				poked = 1;
				deadline = now_ns() + 3000000000LL;
			}
			if (exited >= 0 && p[1].revents) {
				stamp("exited", now_ns());
				exited = -1;
			}
		}
		if (waited > 0 && waitpid(waited, NULL, WNOHANG) == waited)
			waited = -1;
		n = pid1_children() - base;
		if (n > most)
			most = n;
		if (poked && waited < 0 && exited < 0 && n <= 0) {
			stamp("drained", now_ns());
			break;
		}
		if ((poked && now_ns() > deadline) || now_ns() > cap) {
			stamp("timeout", now_ns());
			break;
		}
		if (!poked)
			nap_us(100);
	}
	stamp("backlog", most);
	stamp("left", n > 0 ? n : 0);
}

/* -o N (ZOMBIES): N zombies orphaned at once; -e N (not ZOMBIES): N running
 * orphans that exit together (see the top). */
static void orphans_at_once(int orphans, int zombies)
{
	int base = pid1_children(), done[2], exited[2], go[2], made = 0;
	if (base < 0 || pipe2(done, O_CLOEXEC) < 0 || pipe2(exited, O_CLOEXEC) < 0 || pipe2(go, O_CLOEXEC) < 0)
		_exit(3);
	pid_t mid = fork();
	if (mid == 0) {
		close(done[0]);	/* go[0] stays: the grandchildren read it */
		for (int i = 0; i < orphans; i++) {
			pid_t c = fork();
			if (c == 0) {
				/* exited[1] closes when it exits */
				if (!zombies) {
					char ch;
					close(go[1]);	/* EOF on go when mid exits */
					close(done[1]);
					while (read(go[0], &ch, 1) < 0 && errno == EINTR)
						;
				}
				_exit(0);
			}
			if (c < 0)
				break;
			made++;
		}
		stamp("forked", now_ns());
		stamp("made", made);
		close(exited[1]);
		if (zombies) {
			char ch;
			while (read(exited[0], &ch, 1) < 0 && errno == EINTR)
				;
			stamp("orphaned", now_ns());
		}
		_exit(write(done[1], "x", 1) == 1 ? 0 : 3);
	}
	close(done[1]);
	close(exited[1]);
	close(go[0]);
	close(go[1]);
	if (mid < 0)
		_exit(3);
	if (zombies) {
		/* sleep until they are orphaned, then watch */
		struct pollfd p = { done[0], POLLIN, 0 };
		while (poll(&p, 1, 20000) < 0 && errno == EINTR)
			;
	}
	watch_drain(base, done[0], mid, zombies ? -1 : exited[0]);
	close(done[0]);
	close(exited[0]);
}

/* -O N: a stream of N orphans (see the top). */
static void orphans_stream(int orphans)
{
	int base = pid1_children(), forked[2], made = 0;
	if (base < 0 || pipe2(forked, O_CLOEXEC) < 0)
		_exit(3);
	pid_t x = fork();
	if (x == 0) {
		pid_t m = fork();
		if (m != 0)
			_exit(m > 0 ? 0 : 3);
		/* m: orphaned when x exits; PID 1 adopts it */
		close(forked[0]);
		for (int i = 0; i < 20000 && getppid() != 1; i++)
			nap_us(100);
		if (getppid() != 1)
			_exit(3);
		for (int i = 0; i < orphans; i++) {
			long c = syscall(SYS_clone, CLONE_PARENT | SIGCHLD, 0, NULL, NULL, 0);
			if (c == 0)
				_exit(0);
			if (c < 0)
				break;
			made++;
		}
		stamp("forked", now_ns());
		stamp("made", made);
		_exit(write(forked[1], "x", 1) == 1 ? 0 : 3);
	}
	close(forked[1]);
	if (x < 0)
		_exit(3);
	while (waitpid(x, NULL, 0) < 0 && errno == EINTR)
		;
	watch_drain(base, forked[0], -1, -1);
	close(forked[0]);
}

/* -r: a bare reaper as PID 1 (a reference for the orphans). */
static int bare_reaper(char **cmd)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	pid_t c = fork();
	if (c == 0) {
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		execvp(cmd[0], cmd);
		_exit(127);
	}
	if (c < 0)
		return 2;
	close(fd);
	for (;;) {
		int sig = sigwaitinfo(&set, NULL);
		if (sig == SIGTERM || sig == SIGINT)
			return 0;	/* as PID 1: the kernel ends the rest */
		pid_t p;
		int status;
		while ((p = waitpid(-1, &status, WNOHANG)) > 0)
			if (p == c)
				return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	}
}

/* -k: send SIG to PID; -w: wait for it to end; -W: watch PID2 too. */
static int kill_and_watch(int sig, pid_t pid, int wait_end, pid_t watch)
{
	int pfd = wait_end ? pidfd_open(pid) : -1, wfd = watch > 0 ? pidfd_open(watch) : -1;
	if ((wait_end && pfd < 0) || (watch > 0 && wfd < 0)) {
		perror("pidfd_open");
		return 2;
	}
	long long t = now_ns();
	if (kill(pid, sig) < 0) {
		perror("kill");
		return 2;
	}
	stamp("kill", t);
	if (!wait_end)
		return 0;
	long long deadline = t + 30000000000LL;
	int gone = 0, died = wfd < 0;
	while (!gone) {
		struct pollfd p[2] = { { pfd, POLLIN, 0 }, { wfd, POLLIN, 0 } };
		long long left = deadline - now_ns();
		if (left <= 0)
			return 1;
		int r = poll(p, died ? 1 : 2, (int)(left / 1000000) + 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return 2;
		long long at = now_ns();
		if (!died && p[1].revents) {
			died = 1;
			stamp("died", at);
		}
		if (p[0].revents) {
			gone = 1;
			stamp("gone", at);
		}
	}
	if (wfd >= 0) {
		/* PID 1 gone: everything of its namespace is reaped, PID2 too */
		struct pidfd_info_v0 info;
		memset(&info, 0, sizeof info);
		info.mask = STAMP_PIDFD_INFO_EXIT;
		if (ioctl(wfd, STAMP_PIDFD_GET_INFO, &info) == 0 && (info.mask & STAMP_PIDFD_INFO_EXIT))
			stamp("status", info.exit_code);
	}
	return 0;
}

int main(int argc, char **argv)
{
	long long t0 = now_ns(), crash_ms = -1;
	int orphans = 0, orphan_mode = 0;
	int ignore_term = 0, opt, exec_mode = 0, reap_mode = 0, kill_sig = 0, kill_pid = 0, kill_wait = 0,
	    watch_pid = 0;
	while ((opt = getopt(argc, argv, "+ic:xrk:p:wW:o:O:e:")) != -1) {
		if (opt == 'i')
			ignore_term = 1;
		else if (opt == 'c')
			crash_ms = atoll(optarg);
		else if (opt == 'x')
			exec_mode = 1;
		else if (opt == 'r')
			reap_mode = 1;
		else if (opt == 'k')
			kill_sig = atoi(optarg);
		else if (opt == 'p')
			kill_pid = atoi(optarg);
		else if (opt == 'o' || opt == 'O' || opt == 'e')
			orphans = atoi(optarg), orphan_mode = opt;
		else if (opt == 'w')
			kill_wait = 1;
		else if (opt == 'W')
			watch_pid = atoi(optarg);
		else
			goto usage;
	}
	if ((exec_mode || reap_mode) ? argc - optind < 3 : argc - optind != 2) {
usage:
		fprintf(stderr, "usage: stamp [-i] [-c MS] [-o N | -e N | -O N] FILE NAME | -x FILE NAME CMD... | "
				"-r FILE NAME CMD... | -k SIG -p PID [-w] [-W PID2] FILE NAME\n");
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
	if (reap_mode)
		return bare_reaper(argv + optind + 2);
	if (kill_sig)
		return kill_and_watch(kill_sig, kill_pid, kill_wait, watch_pid);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	stamp("start", t0);
	if (orphans > 0) {
		nap_us(500000);
		if (orphan_mode == 'O')
			orphans_stream(orphans);
		else
			orphans_at_once(orphans, orphan_mode == 'o');
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

#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

extern char **environ;

enum spawn_step {
	STEP_PROCESS_GROUP, STEP_TERMINAL, STEP_DIRECTORY, STEP_GROUPS, STEP_GID, STEP_UID, STEP_EXEC, STEP_SOCKETS,
};

/* In the child, between fork and exec: async-signal-safe calls only, no
 * stdio, no malloc. On failure, report and _exit. */
static _Noreturn void child_fail(int report_fd, enum spawn_step step)
{
	struct spawn_failure f = { .step = step, .err = errno };
	/* an exec probe's report pipe has no reader (spawn_probe closes it):
	 * the write must not kill us with SIGPIPE, the exit code tells */
	signal(SIGPIPE, SIG_IGN);
	ssize_t ignored = write(report_fd, &f, sizeof f);
	(void)ignored;
	/* the shell's convention, which single-command mode passes on */
	_exit(f.err == ENOENT ? 127 : 126);
}

/* every fd from first on */
static void mark_other_fds_cloexec(unsigned first)
{
	/* close_range marks them all in one call (Linux 5.11); else one by one */
	if (syscall(SYS_close_range, first, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return;
	struct rlimit rl;
	int max = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 65536 ? (int)rl.rlim_cur : 65536;
	for (int fd = (int)first; fd < max; fd++)
		fcntl(fd, F_SETFD, FD_CLOEXEC);
}

/* key<pid> into buf ("WATCHDOG_PID=123"), without stdio or malloc (we are
 * between fork and exec). */
static void format_pid_var(char buf[32], const char *key)
{
	char digits[16];
	int d = 0;
	long pid = (long)getpid();
	do
		digits[d++] = (char)('0' + pid % 10);
	while ((pid /= 10) > 0);
	size_t k = strlen(key);
	memcpy(buf, key, k);
	while (d > 0)
		buf[k++] = digits[--d];
	buf[k] = '\0';
}

/* The sockets of `listen` to fds 3, 4, … (sd_listen_fds), without
 * close-on-exec, in blocking mode whatever the last process left. Any of
 * 3 … 3+n-1 may be one of the sources (a held socket) or report_fd (the
 * output pipes are in place already): every source is first copied above
 * that range, then each copy put in place, so that no dup2 overwrites a
 * source not yet moved. The copies are close-on-exec. Returns report_fd,
 * moved out of the range too. */
static int place_listen_fds(const int *fds, size_t n, int report_fd)
{
	int top = 3 + (int)n;
	if (report_fd < top) {
		int moved = fcntl(report_fd, F_DUPFD_CLOEXEC, top);
		if (moved < 0)
			child_fail(report_fd, STEP_SOCKETS);
		report_fd = moved;
	}
	int copies[n + 1];
	for (size_t i = 0; i < n; i++)
		if ((copies[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, top)) < 0)
			child_fail(report_fd, STEP_SOCKETS);
	for (size_t i = 0; i < n; i++) {
		int fd = 3 + (int)i;
		if (dup2(copies[i], fd) < 0)
			child_fail(report_fd, STEP_SOCKETS);
		int flags = fcntl(fd, F_GETFL);
		if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0)
			child_fail(report_fd, STEP_SOCKETS);
	}
	return report_fd;
}

/* Where the child's stdout and stderr go: tend's own (-1), a relay pipe's
 * write end, or for stderr STDOUT_FILENO: wherever stdout went. And the
 * sockets of `listen` it gets (a program's process only; NULL: none). */
struct child_output {
	int out, err;
	const int *listen_fds;
	bool swap;	/* stdout and stderr exchanged (cfg->streams_swapped) */
};

static void reset_signal_dispositions(void)
{
	for (int sig = 1; sig < NSIG; sig++) {
		/* ignored signals would survive the exec */
		if (signal(sig, SIG_DFL) == SIG_ERR && sig != SIGKILL && sig != SIGSTOP) {
			/* glibc refuses its own signals (32, 33), which may have come
			 * ignored from tend's parent (GNU make does that): ask the
			 * kernel. An all-zero struct sigaction is SIG_DFL. */
			unsigned long dfl[8] = { 0 };
			syscall(SYS_rt_sigaction, sig, dfl, NULL, (size_t)(NSIG - 1) / 8);
		}
	}
}

static void become_user(const struct run_as *user, int report_fd)
{
	if (setgroups(user->ngroups, user->groups) < 0)
		child_fail(report_fd, STEP_GROUPS);
	if (setgid(user->gid) < 0)
		child_fail(report_fd, STEP_GID);
	if (setuid(user->uid) < 0)
		child_fail(report_fd, STEP_UID);
}

/* quiet: all three on /dev/null; else stdout and stderr as output says. */
static void set_output(bool quiet, struct child_output output, int report_fd)
{
	if (quiet) {
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (null < 0)
			child_fail(report_fd, STEP_EXEC);
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		return;
	}
	if (output.swap) {
		int saved = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
		if (saved < 0 || dup2(STDERR_FILENO, STDOUT_FILENO) < 0 || dup2(saved, STDERR_FILENO) < 0)
			child_fail(report_fd, STEP_EXEC);
		close(saved);
		return;
	}
	/* dup2 clears close-on-exec on the copy: the pipes' ends stay
	 * close-on-exec everywhere else */
	if (output.out >= 0 && dup2(output.out, STDOUT_FILENO) < 0)
		child_fail(report_fd, STEP_EXEC);
	if (output.err >= 0 && dup2(output.err, STDERR_FILENO) < 0)
		child_fail(report_fd, STEP_EXEC);
}

/* quiet: stdin, stdout and stderr on /dev/null (a probe's chatter is not
 * the program's log). Never returns: execs, or reports and exits. */
static _Noreturn void child_setup(const struct program_config *cfg, char **argv, bool quiet,
				  struct child_output output, int report_fd)
{
	/* A session of its own (and so a process group of its own): no process
	 * outside the program can join its group, since setpgid only moves a
	 * process within its session, and its sd_notify datagrams are told
	 * apart by session. The one command of single-command mode stays in
	 * tend's session instead: it may need to take the terminal. */
	if ((cfg->tty_foreground ? setpgid(0, 0) : setsid()) < 0)
		child_fail(report_fd, STEP_PROCESS_GROUP);
	/* The terminal, only from tend's process group (its parent's: tend may
	 * have moved us to our own already), and only when that group has it:
	 * `tend -- cmd &` in a shell must leave it to the shell, as the command
	 * alone would. A terminal that is not tend's controlling one fails
	 * tcgetpgrp (ENOTTY): the command runs without it, as under tini.
	 * Still blocked here: SIGTTOU cannot stop us from taking it. */
	if (cfg->tty_foreground && tcgetpgrp(STDIN_FILENO) == getpgid(getppid()) &&
	    tcsetpgrp(STDIN_FILENO, getpid()) < 0)
		child_fail(report_fd, STEP_TERMINAL);
	reset_signal_dispositions();
	if (cfg->umask >= 0)
		umask((mode_t)cfg->umask);
	if (cfg->directory && chdir(cfg->directory) < 0)
		child_fail(report_fd, STEP_DIRECTORY);
	if (cfg->user.set)
		become_user(&cfg->user, report_fd);
	set_output(quiet, output, report_fd);
	size_t nlisten = output.listen_fds ? cfg->listen.count : 0;
	if (nlisten)
		report_fd = place_listen_fds(output.listen_fds, nlisten, report_fd);
	mark_other_fds_cloexec(3U + (unsigned)nlisten);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* The environment list, with WATCHDOG_PID and LISTEN_* added, on our
	 * own stack: tend's copy of the config stays as it is. */
	size_t n = 0;
	while (cfg->envp[n])
		n++;
	char *envp[n + 5];
	memcpy(envp, cfg->envp, (n + 1) * sizeof *envp);
	char watchdog_pid[32], listen_pid[32];
	if (cfg->watchdog_sec > 0) {
		format_pid_var(watchdog_pid, "WATCHDOG_PID=");
		envp[n++] = watchdog_pid;
	}
	if (nlisten) {
		format_pid_var(listen_pid, "LISTEN_PID=");
		envp[n++] = listen_pid;
		envp[n++] = cfg->listen_env[0];
		envp[n++] = cfg->listen_env[1];
	}
	envp[n] = NULL;
	environ = envp;	/* so that execvp searches the program's PATH */
	execvp(argv[0], argv);
	child_fail(report_fd, STEP_EXEC);
}

static pid_t spawn(const struct program_config *cfg, char **argv, bool quiet, struct child_output output,
		   int *report_fd)
{
	int fds[2];
	if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0)
		return -1;
	/* fork, not vfork: vfork starts a program 0.1-0.35 ms sooner (the
	 * child borrows tend's memory instead of copying it), but tend would
	 * wait for the child's exec, and an exec or chdir on a filesystem that
	 * hangs would then hang PID 1. With fork only the child waits. */
	pid_t pid = fork();
	if (pid < 0) {
		int saved = errno;
		close(fds[0]);
		close(fds[1]);
		errno = saved;
		return -1;
	}
	if (pid == 0) {
		close(fds[0]);
		child_setup(cfg, argv, quiet, output, fds[1]);
	}
	/* the group must exist before the command takes the terminal, whichever
	 * side runs first (a session leader's group needs no help: setsid
	 * would fail on a process that leads a group already) */
	if (cfg->tty_foreground)
		setpgid(pid, pid);
	close(fds[1]);
	*report_fd = fds[0];
	return pid;
}

pid_t spawn_program(const struct program_config *cfg, int out_fd, int err_fd, const int *listen_fds,
		    int *report_fd)
{
	struct child_output output = { .out = out_fd, .err = err_fd, .listen_fds = listen_fds };
	output.swap = out_fd < 0 && err_fd < 0 && cfg->streams_swapped;
	if (output.out < 0 && cfg->stdout_to_stderr)
		output.out = STDERR_FILENO;	/* stdout_logfile = /dev/stderr */
	if (output.err < 0 && cfg->redirect_stderr)
		output.err = STDOUT_FILENO;	/* after stdout is in place */
	return spawn(cfg, cfg->argv, false, output, report_fd);
}

pid_t spawn_probe(const struct program_config *cfg, char **argv)
{
	int report_fd;
	pid_t pid = spawn(cfg, argv, true, (struct child_output){ .out = -1, .err = -1 }, &report_fd);
	if (pid > 0)
		close(report_fd);	/* a probe that cannot run exits 127: a failed probe */
	return pid;
}

int spawn_read_failure(int report_fd, struct spawn_failure *out)
{
	ssize_t n;
	do
		n = read(report_fd, out, sizeof *out);
	while (n < 0 && errno == EINTR);
	if (n == (ssize_t)sizeof *out)
		return 1;
	if (n < 0 && errno == EAGAIN)
		return -1;
	return 0;
}

void spawn_describe_failure(const struct program_config *cfg, const struct spawn_failure *f, char *buf, size_t n)
{
	const char *why = strerror(f->err);
	switch (f->step) {
	case STEP_PROCESS_GROUP:
		snprintf(buf, n, "cannot make a session and process group: %s", why);
		break;
	case STEP_TERMINAL:
		snprintf(buf, n, "cannot take the terminal: %s", why);
		break;
	case STEP_DIRECTORY:
		snprintf(buf, n, "cannot change directory to \"%s\": %s", cfg->directory, why);
		break;
	case STEP_GROUPS:
	case STEP_GID:
		snprintf(buf, n, "cannot switch to group %u: %s", (unsigned)cfg->user.gid, why);
		break;
	case STEP_UID:
		snprintf(buf, n, "cannot switch to user %u: %s", (unsigned)cfg->user.uid, why);
		break;
	case STEP_SOCKETS:
		snprintf(buf, n, "cannot pass on its listen sockets: %s", why);
		break;
	default:
		snprintf(buf, n, "cannot execute \"%s\": %s", cfg->argv[0], why);
		break;
	}
}

void spawn_signal(pid_t pid, int sig, bool group)
{
	if (pid <= 0)
		return;
	if (group && kill(-pid, sig) == 0)
		return;
	kill(pid, sig);	/* no group (yet): at least the process itself */
}

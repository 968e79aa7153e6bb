/* orphans COUNT FILE
 *
 * A supervised program for the integration tests that makes COUNT orphaned
 * zombies for its supervisor to reap. It forks COUNT children; each forks a
 * grandchild and exits at once; each grandchild waits until it has been
 * re-parented (its parent is gone), then exits: a zombie that only the
 * process it was re-parented to (PID 1, or the child subreaper) can reap.
 *
 * The first grandchild writes "orphan=PID new_parent=PPID" to FILE.orphan
 * before it exits. When every grandchild has exited (a pipe they all hold
 * reaches end of file), it counts the zombies left, polling for up to 10 s
 * until there are none: those whose parent is its own parent (the
 * supervisor) and, in all of /proc, every zombie. Then it writes
 * "created=N failed=F zombies_of_parent=Z zombies_total=T" to FILE (through
 * FILE.tmp and a rename) and waits for a signal. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* Counts zombies: all of them, and those whose parent is `parent`. */
static void count_zombies(pid_t parent, int *of_parent, int *total)
{
	*of_parent = *total = 0;
	DIR *dir = opendir("/proc");
	if (!dir)
		return;
	struct dirent *de;
	while ((de = readdir(dir)) != NULL) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		char path[300], buf[512];
		snprintf(path, sizeof path, "/proc/%s/stat", de->d_name);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		ssize_t n = read(fd, buf, sizeof buf - 1);
		close(fd);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		const char *p = strrchr(buf, ')');	/* "pid (comm) S ppid ..." */
		char state;
		int ppid;
		if (!p || sscanf(p + 1, " %c %d", &state, &ppid) != 2)
			continue;
		if (state == 'Z') {
			(*total)++;
			if (ppid == parent)
				(*of_parent)++;
		}
	}
	closedir(dir);
}

static void grandchild(pid_t parent, int index, const char *file)
{
	/* wait (10 s at most) until the parent has exited and we are re-parented */
	for (int i = 0; i < 10000 && getppid() == parent; i++)
		sleep_ms(1);
	if (index == 0) {
		char path[PATH_MAX], line[96];
		snprintf(path, sizeof path, "%s.orphan", file);
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
		if (fd >= 0) {
			int n = snprintf(line, sizeof line, "orphan=%d new_parent=%d\n", (int)getpid(), (int)getppid());
			ssize_t ignored = write(fd, line, (size_t)n);
			(void)ignored;
			close(fd);
		}
	}
	_exit(0);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: orphans COUNT FILE\n");
		return 2;
	}
	int count = atoi(argv[1]);
	const char *file = argv[2];
	pid_t supervisor = getppid();
	int pipefd[2];
	if (pipe(pipefd) < 0)
		return 3;

	int created = 0, failed = 0;
	for (int i = 0; i < count; i++) {
		pid_t pid = fork();
		if (pid < 0) {
			failed++;
			continue;
		}
		if (pid == 0) {
			close(pipefd[0]);
			pid_t me = getpid();
			pid_t g = fork();
			if (g == 0)
				grandchild(me, i, file);	/* holds pipefd[1] until it exits */
			_exit(g < 0 ? 1 : 0);
		}
		created++;
	}
	close(pipefd[1]);
	int status;
	pid_t pid;
	while ((pid = wait(&status)) > 0 || (pid < 0 && errno == EINTR))
		if (pid > 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
			failed++;
	/* end of file: every grandchild has exited (and closed its end) */
	char c;
	while (read(pipefd[0], &c, 1) != 0 && errno == EINTR)
		;
	close(pipefd[0]);

	int of_parent = 0, total = 0;
	for (int i = 0; i < 1000; i++) {
		count_zombies(supervisor, &of_parent, &total);
		if (of_parent == 0 && (supervisor != 1 || total == 0))
			break;
		sleep_ms(10);
	}

	char tmp[PATH_MAX];
	snprintf(tmp, sizeof tmp, "%s.tmp", file);
	FILE *out = fopen(tmp, "we");
	if (!out)
		return 3;
	fprintf(out, "created=%d failed=%d zombies_of_parent=%d zombies_total=%d\n", created, failed, of_parent,
		total);
	if (fclose(out) != 0 || rename(tmp, file) != 0)
		return 3;
	for (;;)
		pause();
}

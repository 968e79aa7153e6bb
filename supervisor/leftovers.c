#include "leftovers.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

struct proc {
	pid_t pid, ppid;
};

/* The parent of a process, from /proc/PID/stat ("pid (comm) state ppid"). */
static pid_t parent_of(const char *pid)
{
	char path[64], buf[512];
	snprintf(path, sizeof path, "/proc/%s/stat", pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	const char *p = strrchr(buf, ')');	/* comm may hold spaces and parens */
	int ppid;
	if (!p || sscanf(p + 1, " %*c %d", &ppid) != 1)
		return -1;
	return ppid;
}

static bool descends_from(const struct proc *procs, size_t n, pid_t pid, pid_t ancestor)
{
	for (size_t depth = 0; depth < n && pid > 1; depth++) {
		size_t i = 0;
		while (i < n && procs[i].pid != pid)
			i++;
		if (i == n)
			return false;
		pid = procs[i].ppid;
		if (pid == ancestor)
			return true;
	}
	return false;
}

int leftovers_signal(bool pid1, int sig)
{
	if (pid1) {
		/* kill(-1) reaches every process but PID 1 itself */
		return kill(-1, sig) == 0 ? 1 : 0;
	}
	DIR *dir = opendir("/proc");
	if (!dir)
		return 0;
	struct proc *procs = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	while ((de = readdir(dir)) != NULL) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			struct proc *grown = realloc(procs, cap * sizeof *grown);
			if (!grown)
				break;	/* signal what we have; shutdown goes on */
			procs = grown;
		}
		procs[n].pid = atoi(de->d_name);
		procs[n].ppid = parent_of(de->d_name);
		n++;
	}
	closedir(dir);
	pid_t self = getpid();
	int count = 0;
	for (size_t i = 0; i < n; i++)
		if (procs[i].pid != self && descends_from(procs, n, procs[i].pid, self))
			count += kill(procs[i].pid, sig) == 0;
	free(procs);
	return count;
}

/* inspect FILE [VAR...]
 *
 * A supervised program for the integration tests that reports the state it
 * was started in, before doing anything that could change it: its open file
 * descriptors (the one used to list them left out), signal mask and ignored
 * signals, process group and session, user and groups, working directory,
 * umask and the environment variables named on the command line. It writes
 * "key=value" lines to FILE.tmp, renames that to FILE (so a reader never sees
 * half of it), then waits for a signal. */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAXFDS 64

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: inspect FILE [VAR...]\n");
		return 2;
	}

	/* 1. the descriptors, first: nothing of ours is open yet but the listing's */
	int fds[MAXFDS], nfds = 0;
	DIR *dir = opendir("/proc/self/fd");
	if (!dir)
		return 3;
	int own = dirfd(dir);
	struct dirent *de;
	while ((de = readdir(dir)) != NULL) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		int fd = atoi(de->d_name);
		if (fd != own && nfds < MAXFDS)
			fds[nfds++] = fd;
	}
	closedir(dir);

	/* 2. what the kernel says about us */
	char sigblk[64] = "?", sigign[64] = "?", umask_s[16] = "?";
	FILE *st = fopen("/proc/self/status", "re");
	if (!st)
		return 3;
	char line[512];
	while (fgets(line, sizeof line, st)) {
		line[strcspn(line, "\n")] = '\0';
		if (strncmp(line, "SigBlk:", 7) == 0)
			snprintf(sigblk, sizeof sigblk, "%s", line + 7 + strspn(line + 7, " \t"));
		else if (strncmp(line, "SigIgn:", 7) == 0)
			snprintf(sigign, sizeof sigign, "%s", line + 7 + strspn(line + 7, " \t"));
		else if (strncmp(line, "Umask:", 6) == 0)
			snprintf(umask_s, sizeof umask_s, "%s", line + 6 + strspn(line + 6, " \t"));
	}
	fclose(st);

	char cwd[PATH_MAX];
	if (!getcwd(cwd, sizeof cwd))
		snprintf(cwd, sizeof cwd, "?");
	gid_t groups[256];
	int ngroups = getgroups(256, groups);

	char tmp[PATH_MAX];
	snprintf(tmp, sizeof tmp, "%s.tmp", argv[1]);
	FILE *out = fopen(tmp, "we");
	if (!out) {
		perror(tmp);
		return 3;
	}
	fprintf(out, "pid=%d\n", (int)getpid());
	fprintf(out, "pgid=%d\n", (int)getpgid(0));
	fprintf(out, "sid=%d\n", (int)getsid(0));
	fprintf(out, "fds=");
	for (int i = 0; i < nfds; i++)
		fprintf(out, "%s%d", i ? "," : "", fds[i]);
	fprintf(out, "\n");
	fprintf(out, "sigblk=%s\n", sigblk);
	fprintf(out, "sigign=%s\n", sigign);
	fprintf(out, "umask=%s\n", umask_s);
	fprintf(out, "uid=%d\n", (int)getuid());
	fprintf(out, "euid=%d\n", (int)geteuid());
	fprintf(out, "gid=%d\n", (int)getgid());
	fprintf(out, "egid=%d\n", (int)getegid());
	fprintf(out, "groups=");
	for (int i = 0; i < ngroups; i++)
		fprintf(out, "%s%d", i ? "," : "", (int)groups[i]);
	fprintf(out, "\n");
	fprintf(out, "cwd=%s\n", cwd);
	for (int i = 2; i < argc; i++) {
		const char *v = getenv(argv[i]);
		fprintf(out, "env.%s=%s\n", argv[i], v ? v : "(unset)");
	}
	if (fclose(out) != 0 || rename(tmp, argv[1]) != 0) {
		perror(argv[1]);
		return 3;
	}
	for (;;)
		pause();
}

#include "dirs.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

bool dirs_make_parents(const char *path, char *err, size_t n)
{
	char dir[PATH_MAX];
	if (snprintf(dir, sizeof dir, "%s", path) >= (int)sizeof dir) {
		snprintf(err, n, "path too long: %s", path);
		return false;
	}
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
			snprintf(err, n, "cannot create the directory %s: %s", dir, strerror(errno));
			return false;
		}
		*p = '/';
	}
	return true;
}

/* One directory on the way. Whoever may write to the socket's own directory
 * can remove or replace the socket, or take its name before tend does, the
 * sticky bit notwithstanding. In a directory above it, the sticky bit is
 * enough: others may then rename or remove only what is theirs, and the
 * next directory down, checked in turn, is not theirs. */
static bool check_dir(const char *dir, bool last, const char *path, uid_t uid, char *err, size_t n)
{
	struct stat st;
	if (stat(dir, &st) < 0) {
		snprintf(err, n, "cannot check the directory %s of %s: %s", dir, path, strerror(errno));
		return false;
	}
	if (st.st_uid != 0 && st.st_uid != uid) {
		snprintf(err, n, "unsafe directory for %s: %s belongs to uid %u, neither root nor tend's uid %u", path,
			 dir, (unsigned)st.st_uid, (unsigned)uid);
		return false;
	}
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) && (last || !(st.st_mode & S_ISVTX))) {
		snprintf(err, n, "unsafe directory for %s: %s is writable by other users (mode %04o)", path, dir,
			 (unsigned)(st.st_mode & 07777));
		return false;
	}
	return true;
}

/* Every directory from the top of dir (a copy, cut and mended in place)
 * down to dir itself. */
static bool check_chain(char *dir, const char *path, uid_t uid, char *err, size_t n)
{
	if (dir[0] == '/' && !check_dir("/", dir[1] == '\0', path, uid, err, n))
		return false;
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/' || p[-1] == '/')
			continue;
		*p = '\0';
		bool ok = check_dir(dir, false, path, uid, err, n);
		*p = '/';
		if (!ok)
			return false;
	}
	return strcmp(dir, "/") == 0 || check_dir(dir, true, path, uid, err, n);
}

bool dirs_check_private(const char *path, uid_t uid, char *err, size_t n)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	if (!slash)
		snprintf(dir, sizeof dir, ".");
	else if (snprintf(dir, sizeof dir, "%.*s", (int)(slash == path ? 1 : slash - path), path) >= (int)sizeof dir) {
		snprintf(err, n, "path too long: %s", path);
		return false;
	}
	/* as written: the directories where its names are looked up, symbolic
	 * links included; then where the links lead */
	if (!check_chain(dir, path, uid, err, n))
		return false;
	char resolved[PATH_MAX];
	if (!realpath(dir, resolved)) {
		snprintf(err, n, "cannot resolve the directory %s of %s: %s", dir, path, strerror(errno));
		return false;
	}
	return check_chain(resolved, path, uid, err, n);
}

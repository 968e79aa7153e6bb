#include "dirs.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
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

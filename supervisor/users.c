#include "users.h"

#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool parse_id(const char *s, size_t len, unsigned long *out)
{
	if (len == 0 || len > 10)
		return false;
	unsigned long v = 0;
	for (size_t i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v >= 0xffffffffUL)	/* (uid_t)-1 means "no change" to setuid */
		return false;
	*out = v;
	return true;
}

/* Finds the passwd entry by name (name != NULL) or by uid. Fills uid, gid
 * and the name to look for in the group file. */
static bool find_passwd(const char *path, const char *name, uid_t uid, struct run_as *out,
			char *login, size_t login_size)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return false;
	struct passwd *pw;
	bool found = false;
	while ((pw = fgetpwent(f)) != NULL) {
		if (name ? strcmp(pw->pw_name, name) == 0 : pw->pw_uid == uid) {
			out->uid = pw->pw_uid;
			out->gid = pw->pw_gid;
			snprintf(login, login_size, "%s", pw->pw_name);
			found = true;
			break;
		}
	}
	fclose(f);
	return found;
}

static bool add_group(struct run_as *out, gid_t gid)
{
	for (size_t i = 0; i < out->ngroups; i++)
		if (out->groups[i] == gid)
			return true;
	gid_t *g = realloc(out->groups, (out->ngroups + 1) * sizeof *g);
	if (!g)
		return false;
	out->groups = g;
	out->groups[out->ngroups++] = gid;
	return true;
}

/* The user's primary group and every group listing it as a member. */
static bool collect_groups(const char *path, const char *login, struct run_as *out)
{
	if (!add_group(out, out->gid))
		return false;
	FILE *f = fopen(path, "re");
	if (!f)
		return errno == ENOENT;	/* no group file: the primary group only */
	struct group *gr;
	bool ok = true;
	while (ok && (gr = fgetgrent(f)) != NULL)
		for (char **m = gr->gr_mem; m && *m && ok; m++)
			if (strcmp(*m, login) == 0)
				ok = add_group(out, gr->gr_gid);
	fclose(f);
	return ok;
}

bool user_resolve(const char *spec, const char *passwd_path, const char *group_path,
		  struct run_as *out, char *err, size_t n)
{
	char login[256];
	unsigned long uid, gid;
	const char *colon = strchr(spec, ':');

	memset(out, 0, sizeof *out);
	out->set = true;
	if (colon) {	/* uid:gid, taken as given: no lookup, no supplementary groups */
		if (!parse_id(spec, (size_t)(colon - spec), &uid) || !parse_id(colon + 1, strlen(colon + 1), &gid)) {
			snprintf(err, n, "\"%s\" is not uid:gid (two numbers)", spec);
			return false;
		}
		out->uid = (uid_t)uid;
		out->gid = (gid_t)gid;
		return true;
	}
	if (parse_id(spec, strlen(spec), &uid)) {
		if (!find_passwd(passwd_path, NULL, (uid_t)uid, out, login, sizeof login)) {
			/* a bare uid without an entry: gid = uid, no groups */
			out->uid = out->gid = (uid_t)uid;
			return true;
		}
	} else if (!find_passwd(passwd_path, spec, 0, out, login, sizeof login)) {
		snprintf(err, n, "no user \"%s\" in %s", spec, passwd_path);
		return false;
	}
	if (!collect_groups(group_path, login, out)) {
		snprintf(err, n, "cannot read the groups of \"%s\" from %s", spec, group_path);
		user_free(out);
		return false;
	}
	return true;
}

void user_free(struct run_as *u)
{
	free(u->groups);
	u->groups = NULL;
	u->ngroups = 0;
}

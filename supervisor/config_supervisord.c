#include "config_supervisord.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config_diag.h"
#include "config_percent.h"
#include "values.h"

/* supervisord's [supervisord] keys that tend has no use for, and why. */
static const struct {
	const char *key, *why;
} unused_keys[] = {
	{ "nodaemon", "tend always runs in the foreground" },
	{ "logfile", "tend's own log goes to its stderr" },
	{ "logfile_maxbytes", "tend writes no log file" },
	{ "logfile_backups", "tend writes no log file" },
	{ "pidfile", "tend writes no pid file" },
	{ "childlogdir", "program output goes to tend's stdout and stderr" },
	{ "user", "tend runs as the user that started it (set user in each [program:x])" },
	{ "umask", "set umask in each [program:x]" },
	{ "directory", "tend does not daemonize (set directory in each [program:x])" },
	{ "silent", "tend's log level is loglevel or [tend] log_level" },
	{ "nocleanup", "tend keeps no child log files" },
	{ "strip_ansi", "program output is passed on as written" },
	{ "identifier", "tend's API has no identifier" },
};

#define NITEMS(a) (sizeof(a) / sizeof(a)[0])

static bool map_loglevel(const char *value, enum log_level *out)
{
	static const struct {
		const char *name;
		enum log_level level;
	} map[] = {
		{ "critical", LOG_ERROR }, { "error", LOG_ERROR }, { "warn", LOG_WARN }, { "warning", LOG_WARN },
		{ "info", LOG_INFO }, { "debug", LOG_DEBUG }, { "trace", LOG_DEBUG }, { "blather", LOG_DEBUG },
	};
	for (size_t i = 0; i < NITEMS(map); i++)
		if (strcasecmp(value, map[i].name) == 0) {
			*out = map[i].level;
			return true;
		}
	return false;
}

static bool read_limit(const char *value, unsigned long *out, char *err, size_t n)
{
	unsigned v;
	if (!value_count(value, 1u << 30, &v, err, n))
		return false;
	*out = v;
	return true;
}

/* One entry of [supervisord], its value expanded. */
static void main_key(struct supervisord_settings *sv, struct config *cfg, const struct ini_entry *e,
		     const char *value, struct diagnostics *diags)
{
	char err[384] = "";
	bool ok = true;
	if (strcasecmp(e->key, "loglevel") == 0) {
		ok = map_loglevel(value, &sv->loglevel);
		sv->has_loglevel = ok;
		if (!ok)
			snprintf(err, sizeof err, "\"%s\" is not one of critical, error, warn, info, debug, trace, blather",
				 value);
	} else if (strcasecmp(e->key, "environment") == 0) {
		value_list_free(sv->environment);
		sv->environment = NULL;
		ok = value_environment(value, &sv->environment, err, sizeof err);
	} else if (strcasecmp(e->key, "minfds") == 0) {
		ok = read_limit(value, &cfg->minfds, err, sizeof err);
	} else if (strcasecmp(e->key, "minprocs") == 0) {
		ok = read_limit(value, &cfg->minprocs, err, sizeof err);
	} else {
		const char *why = "not a key tend knows of supervisord's either";
		for (size_t i = 0; i < NITEMS(unused_keys); i++)
			if (strcasecmp(e->key, unused_keys[i].key) == 0)
				why = unused_keys[i].why;
		diag_ignored(diags, e->line, "[supervisord] %s: %s", e->key, why);
	}
	if (!ok)
		diag_add(diags, e->line, false, "[supervisord] %s: %s", e->key, err);
}

static void read_main(struct supervisord_settings *sv, struct config *cfg, const struct ini_section *s,
		      const char *here, struct diagnostics *diags)
{
	if (sv->main) {
		char first[PATH_MAX + 32];
		diag_first_where(sv->files, sv->nfiles, sv->main->line, s->line, first, sizeof first);
		diag_add(diags, s->line, false, "[supervisord] appears twice (first %s)", first);
		return;
	}
	sv->main = s;
	struct percent_names names = { .here = here };
	for (size_t i = 0; i < s->nentries; i++) {
		char err[384];
		char *value = percent_and_vars(s->entries[i].value, &names, err, sizeof err);
		if (!value) {
			diag_add(diags, s->entries[i].line, false, "[supervisord] %s: %s", s->entries[i].key, err);
			continue;
		}
		main_key(sv, cfg, &s->entries[i], value, diags);
		free(value);
	}
}

static void read_group(struct supervisord_settings *sv, const struct ini_section *s, const char *here,
		       struct diagnostics *diags)
{
	struct supervisord_group g = { .name = s->name + 6, .line = s->line };
	struct percent_names names = { .here = here, .group_name = g.name };
	for (size_t i = 0; i < s->nentries; i++) {
		const struct ini_entry *e = &s->entries[i];
		char err[384];
		char *value = percent_and_vars(e->value, &names, err, sizeof err);
		bool ok = value != NULL;
		if (ok && strcasecmp(e->key, "programs") == 0) {
			value_list_free(g.programs);
			g.programs = NULL;
			ok = value_list(value, &g.programs, err, sizeof err);
		} else if (ok && strcasecmp(e->key, "priority") == 0) {
			diag_ignored(diags, e->line, "[%s] priority: each program's own priority orders the start",
				     s->name);
		} else if (ok) {
			snprintf(err, sizeof err, "unknown key (a group takes programs and priority)");
			ok = false;
		}
		if (!ok)
			diag_add(diags, e->line, false, "[%s] %s: %s", s->name, e->key, err);
		free(value);
	}
	if (!g.programs) {
		diag_add(diags, s->line, false, "[%s]: programs is missing", s->name);
		return;
	}
	struct supervisord_group *grown = realloc(sv->groups, (sv->ngroups + 1) * sizeof *grown);
	if (!grown) {
		value_list_free(g.programs);
		sv->oom = true;
		return;
	}
	sv->groups = grown;
	sv->groups[sv->ngroups++] = g;
}

/* Sections of supervisord's server and client: tend's own socket and
 * `tend status|start|stop` do their job. */
static bool is_server_section(const char *name)
{
	return strcmp(name, "unix_http_server") == 0 || strcmp(name, "inet_http_server") == 0 ||
	       strcmp(name, "supervisorctl") == 0 || strncmp(name, "rpcinterface:", 13) == 0 ||
	       strncmp(name, "ctlplugin:", 10) == 0;
}

bool supervisord_section(struct supervisord_settings *sv, struct config *cfg, const struct ini_section *s,
			 const char *here, struct diagnostics *diags)
{
	if (strcmp(s->name, "supervisord") == 0)
		read_main(sv, cfg, s, here, diags);
	else if (is_server_section(s->name))
		diag_ignored(diags, s->line, "[%s]: tend's own socket and its client commands "
			     "(tend status, start, stop) serve instead", s->name);
	else if (strncmp(s->name, "group:", 6) == 0)
		read_group(sv, s, here, diags);
	else if (strncmp(s->name, "eventlistener:", 14) == 0)
		diag_add(diags, s->line, false, "[%s]: event listeners are not supported (to end the container "
			 "when a program dies, tend's exit_on_fatal does it)", s->name);
	else if (strncmp(s->name, "fcgi-program:", 13) == 0)
		diag_add(diags, s->line, false, "[%s]: fcgi-program is not supported (tend's listen key hands a "
			 "program its listening socket)", s->name);
	else
		return false;
	return true;
}

const char *supervisord_group_of(const struct supervisord_settings *sv, const char *program)
{
	for (size_t i = 0; i < sv->ngroups; i++)
		for (char **p = sv->groups[i].programs; *p; p++)
			if (strcmp(*p, program) == 0)
				return sv->groups[i].name;
	return NULL;
}

bool supervisord_add_environment(const struct supervisord_settings *sv, char ***env)
{
	for (char **e = sv->environment; e && *e; e++) {
		size_t keylen = strcspn(*e, "=") + 1, n = 0;
		bool own = false;
		while (*env && (*env)[n])
			own |= strncmp((*env)[n++], *e, keylen) == 0;
		if (own)
			continue;
		char **grown = realloc(*env, (n + 2) * sizeof *grown);
		if (!grown)
			return false;
		*env = grown;
		grown[n + 1] = NULL;
		if (!(grown[n] = strdup(*e)))
			return false;
	}
	return true;
}

void supervisord_settings_free(struct supervisord_settings *sv)
{
	value_list_free(sv->environment);
	for (size_t i = 0; i < sv->ngroups; i++)
		value_list_free(sv->groups[i].programs);
	free(sv->groups);
	memset(sv, 0, sizeof *sv);
}

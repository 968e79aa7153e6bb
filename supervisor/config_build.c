/* Sections → struct config. Every section is applied first (the programs
 * as drafts), then what needs every program known: dependencies by name,
 * [tend]'s log_prefix as the programs' default, the checks that take
 * several keys, and the start order. A struct config is freed here too. */
#include "config_build.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config_diag.h"
#include "config_env.h"
#include "config_keys.h"
#include "config_logfile.h"
#include "config_numprocs.h"
#include "config_percent.h"
#include "config_supervisord.h"
#include "order.h"
#include "users.h"
#include "values.h"

void program_config_free(struct program_config *p)
{
	free(p->command);
	free(p->argv);
	free(p->directory);
	user_free(&p->user);
	value_list_free(p->env_extra);
	free(p->envp);
	free(p->depends_on);
	probe_spec_free(&p->healthcheck);
	free(p->notify_path);
	listen_list_free(&p->listen);
	free(p->listen_env[0]);
	free(p->listen_env[1]);
	memset(p, 0, sizeof *p);
}

void config_free(struct config *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < cfg->nprograms; i++)
		program_config_free(&cfg->programs[i]);
	free(cfg->programs);
	free(cfg->depends_closure);
	free(cfg->path);
	free(cfg->socket);
	free(cfg->health_listen);
	for (size_t i = 0; i < cfg->nfiles; i++)
		free(cfg->files[i]);
	free(cfg->files);
	free(cfg);
}

struct builder {
	const struct config_ini *ini;
	struct config *cfg;
	struct program_draft *drafts;	/* cfg->nprograms of them, until moved into cfg */
	size_t ndrafts;			/* room for so many */
	const struct ini_section *tend_section;	/* the last [tend] seen */
	struct supervisord_settings sv;
	struct diagnostics *diags;
	bool oom;
};

static bool valid_program_name(const char *name)
{
	size_t len = strlen(name);
	if (len == 0 || len > PROGRAM_NAME_MAX || name[0] == '.' || name[0] == '-')
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)name[i]) && !strchr("_.-", name[i]))
			return false;
	return true;
}

/* The directory of the file the section is in, for %(here)s. */
static void here_of(const struct builder *b, const struct ini_section *s, char *here, size_t n)
{
	percent_here(s->file < b->ini->nfiles ? b->ini->files[s->file] : "", here, n);
}

/* Where the first of two of a kind is, for the error on the second, at
 * line: "on line N" in the same file, "in FILE:N" in another. */
static void first_where(const struct builder *b, int first, int line, char *out, size_t n)
{
	diag_first_where(b->ini->files, b->ini->nfiles, first, line, out, n);
}

static struct program_draft *new_draft(struct builder *b)
{
	if (b->cfg->nprograms == b->ndrafts) {
		size_t n = b->ndrafts * 2 + 8;
		struct program_draft *grown = realloc(b->drafts, n * sizeof *grown);
		if (!grown) {
			b->oom = true;
			return NULL;
		}
		memset(grown + b->ndrafts, 0, (n - b->ndrafts) * sizeof *grown);
		b->drafts = grown;
		b->ndrafts = n;
	}
	return &b->drafts[b->cfg->nprograms++];
}

/* Whether program i is the first its section made (numprocs makes
 * several): a warning about the section is given once. */
static bool first_of_section(const struct builder *b, size_t i)
{
	return i == 0 || b->drafts[i - 1].section != b->drafts[i].section;
}

/* One program of a [program:x] section, named pname. */
static void read_process(struct builder *b, const struct ini_section *s, const char *pname, int name_line,
			 const struct percent_names *names, const char *label, struct diagnostics *diags)
{
	if (!valid_program_name(pname)) {
		if (name_line)
			diag_add(diags, name_line, false,
				 "%s process_name: \"%s\" is not a program name: 1 to %d of A-Z a-z 0-9 _ . - "
				 "not starting with . or -", label, pname, PROGRAM_NAME_MAX);
		else
			diag_add(diags, s->line, false,
				 "%s: a program name is 1 to %d of A-Z a-z 0-9 _ . - and does not start with . or -",
				 label, PROGRAM_NAME_MAX);
		return;
	}
	size_t dup = 0;
	while (dup < b->cfg->nprograms && strcmp(b->drafts[dup].p.name, pname) != 0)
		dup++;
	if (dup < b->cfg->nprograms) {
		char first[PATH_MAX + 32];
		first_where(b, b->drafts[dup].p.line, s->line, first, sizeof first);
		diag_add(diags, s->line, false, "%s: program \"%s\" is defined twice (first %s)", label, pname, first);
		return;
	}
	struct program_draft *d = new_draft(b);
	if (!d)
		return;
	memcpy(d->p.name, pname, strlen(pname) + 1);	/* valid: it fits */
	d->p.line = s->line;
	d->section = s->name + 8;
	keys_program_defaults(d);
	keys_apply(&program_keys, s, label, d, d->line, d->misspelt, names, diags);
	logfile_apply(s, names, label, d, diags);
	/* a command that is there but wrong has its own error already */
	if (!d->line[PROGRAM_KEY_command] && !s->unreadable_line && !d->misspelt[PROGRAM_KEY_command])
		diag_add(diags, s->line, false, "%s: command is missing", label);
}

/* A [program:x] section: numprocs programs (one by default), each read
 * with its own %(process_num). The diagnostics of the second and later
 * are kept only where they differ from the first's. */
static void read_program(struct builder *b, const struct ini_section *s)
{
	const char *section = s->name + 8;
	char label[PROGRAM_NAME_MAX + 300], here[PATH_MAX];
	snprintf(label, sizeof label, "[%.256s]", s->name);
	here_of(b, s, here, sizeof here);
	const char *group = supervisord_group_of(&b->sv, section);
	struct percent_names names = { .program_name = section, .group_name = group ? group : section, .here = here };
	struct numprocs np;
	if (!numprocs_read(s, &names, label, &np, b->diags))
		return;
	names.numprocs = (int)np.count;
	names.has_num = true;
	for (unsigned k = 0; k < np.count && !b->oom; k++) {
		names.process_num = (int)(np.start + k);
		struct diagnostics scratch = { 0 };
		struct diagnostics *diags = k == 0 ? b->diags : &scratch;
		char pname[PROGRAM_NAME_MAX + 2], err[384];
		if (numprocs_name(&np, &names, pname, sizeof pname, err, sizeof err))
			read_process(b, s, pname, np.name_line, &names, label, diags);
		else
			diag_add(diags, np.name_line ? np.name_line : s->line, false, "%s process_name: %s", label, err);
		diag_merge_new(b->diags, &scratch);
		diagnostics_free(&scratch);
	}
}

static void read_section(struct builder *b, const struct ini_section *s)
{
	if (s->broken)
		return;
	if (s->line == 0) {
		for (size_t j = 0; j < s->nentries; j++)
			diag_add(b->diags, s->entries[j].line, false,
				 "\"%s\" is outside any section (put it under [tend] or [program:NAME])", s->entries[j].key);
	} else if (strcmp(s->name, "tend") == 0) {
		char here[PATH_MAX];
		here_of(b, s, here, sizeof here);
		struct percent_names names = { .here = here };
		char first[PATH_MAX + 32];
		if (b->tend_section) {
			first_where(b, b->tend_section->line, s->line, first, sizeof first);
			diag_add(b->diags, s->line, false, "[tend] appears twice (first %s)", first);
		} else
			keys_apply(&tend_keys, s, "[tend]", b->cfg, NULL, NULL, &names, b->diags);
		b->tend_section = s;
	} else if (strncmp(s->name, "program:", 8) == 0) {
		read_program(b, s);
	} else {
		const char *hint = strncmp(s->name, "program", 7) == 0 ? " (a program is [program:NAME])" : "";
		diag_add(b->diags, s->line, false,
			 "unknown section [%s]%s; tend reads [tend], [program:NAME], [include] and supervisord's sections",
			 s->name, hint);
	}
}

static void add_dependency(struct program_draft *d, size_t j)
{
	for (size_t m = 0; m < d->p.ndepends; m++)
		if (d->p.depends_on[m] == j)
			return;
	d->p.depends_on[d->p.ndepends++] = j;
}

/* A program's name, or the name of a [program:x] section whose numprocs
 * made several programs: then all of them. */
static bool depend_on(struct builder *b, struct program_draft *d, const char *want)
{
	for (size_t j = 0; j < b->cfg->nprograms; j++)
		if (strcmp(b->drafts[j].p.name, want) == 0) {
			add_dependency(d, j);
			return true;
		}
	bool found = false;
	for (size_t j = 0; j < b->cfg->nprograms; j++)
		if (strcmp(b->drafts[j].section, want) == 0) {
			add_dependency(d, j);
			found = true;
		}
	return found;
}

static void resolve_dependencies(struct builder *b)
{
	for (size_t i = 0; i < b->cfg->nprograms; i++) {
		struct program_draft *d = &b->drafts[i];
		size_t n = 0;
		while (d->depends_names && d->depends_names[n])
			n++;
		/* a numprocs section stands for all its programs */
		d->p.depends_on = calloc(n == 0 ? 1 : b->cfg->nprograms + 1, sizeof *d->p.depends_on);
		if (!d->p.depends_on) {
			b->oom = true;
			return;
		}
		for (size_t k = 0; k < n; k++) {
			/* once for a numprocs section, not once for each program */
			if (!depend_on(b, d, d->depends_names[k]) && first_of_section(b, i))
				diag_add(b->diags, d->line[PROGRAM_KEY_depends_on], false,
					 "[program:%s] depends_on: no program named \"%s\"", d->section, d->depends_names[k]);
		}
	}
}

/* oneshot (tend.ini(5)): a task is done when it exits with an expected code,
 * so the keys about a long-running program's readiness and restarts have
 * nothing to act on; each one set is an error on its own line. */
static void check_oneshot(struct builder *b, const struct program_draft *d, const struct program_config *p)
{
	static const struct {
		enum program_key key;
		const char *text, *why;
	} conflicts[] = {
		{ PROGRAM_KEY_autorestart, "autorestart = true", "a task that succeeded is never started again" },
		{ PROGRAM_KEY_healthcheck, "healthcheck", "a task is never ready while it runs: it is done when it exits" },
		{ PROGRAM_KEY_notify, "notify", "a task is never ready while it runs: it is done when it exits" },
		{ PROGRAM_KEY_restart_on_unhealthy, "restart_on_unhealthy", "a task has no health" },
		{ PROGRAM_KEY_restart_limit, "restart_limit",
		  "a task is never restarted after it exits; startretries bounds its failed runs" },
	};
	bool set[] = {
		p->autorestart == AUTORESTART_TRUE, p->healthcheck.kind != PROBE_NONE, p->notify,
		p->restart_on_unhealthy, p->restart_limit > 0,
	};
	for (size_t i = 0; i < sizeof conflicts / sizeof conflicts[0]; i++)
		if (set[i])
			diag_add(b->diags, d->line[conflicts[i].key], false,
				 "[program:%s] %s does not go with oneshot = true (line %d): %s", p->name,
				 conflicts[i].text, d->line[PROGRAM_KEY_oneshot], conflicts[i].why);
}

/* Moves program i from its draft into cfg, then what takes several keys. */
static void finish_program(struct builder *b, size_t i)
{
	const struct program_draft *d = &b->drafts[i];
	struct config *cfg = b->cfg;
	struct program_config *p = &cfg->programs[i];
	*p = d->p;
	memset(&b->drafts[i].p, 0, sizeof b->drafts[i].p);
	if (!d->line[PROGRAM_KEY_log_prefix])	/* [tend]'s log_prefix is every program's default */
		p->log_prefix = cfg->log_prefix;
	if (p->oneshot)
		check_oneshot(b, d, p);
	if (p->notify && !env_add_notify(cfg, p, b->diags, &b->oom))
		return;
	if (p->watchdog_sec > 0 && !p->notify)
		diag_add(b->diags, d->line[PROGRAM_KEY_watchdog_sec], false, "[program:%s] watchdog_sec needs notify = true",
			 p->name);
	if (!supervisord_add_environment(&b->sv, &p->env_extra) || !(p->envp = env_for_program(p->env_extra)))
		b->oom = true;
	p->listen_line = d->line[PROGRAM_KEY_listen];
	for (size_t k = 0; k < p->listen.count; k++)	/* an unnamed socket takes the program's name */
		if (!p->listen.items[k].name[0])
			snprintf(p->listen.items[k].name, sizeof p->listen.items[k].name, "%s", p->name);
	if (!env_add_listen(p))
		b->oom = true;
	if (d->line[PROGRAM_KEY_listen_backlog] && p->listen.count == 0)
		diag_add(b->diags, d->line[PROGRAM_KEY_listen_backlog], true,
			 "[program:%s] listen_backlog has no effect without listen", p->name);
	if ((p->stdout_to_stderr || p->streams_swapped) && p->log_prefix && first_of_section(b, i))
		diag_ignored(b->diags, d->crossed_line, "[program:%s] stdout_logfile: with log_prefix its stdout "
			     "is relayed to tend's stdout", d->section);
	/* watchdog_sec makes a program unhealthy too (tend.ini(5)) */
	if (p->restart_on_unhealthy && p->healthcheck.kind == PROBE_NONE && p->watchdog_sec == 0 && !p->oneshot)
		diag_add(b->diags, p->line, true,
			 "[program:%s] restart_on_unhealthy has no effect without a healthcheck or watchdog_sec", p->name);
	/* only where stopwaitsecs was written: a default is no mistake */
	if (d->line[PROGRAM_KEY_stopwaitsecs] && p->stopwaitsecs >= cfg->shutdown_timeout && b->diags->errors == 0 &&
	    first_of_section(b, i))
		diag_add(b->diags, d->line[PROGRAM_KEY_stopwaitsecs], true,
			 "[program:%s] stopwaitsecs (%gs) is not under shutdown_timeout (%gs): at shutdown "
			 "SIGKILL comes when shutdown_timeout runs out",
			 d->section, p->stopwaitsecs, cfg->shutdown_timeout);
}

/* Two programs cannot hold one socket; and a unix socket of listen must not
 * be tend's own, which binding it would remove. */
static void check_listen_unique(struct builder *b)
{
	const struct config *cfg = b->cfg;
	for (size_t i = 0; i < cfg->nprograms; i++) {
		const struct program_config *p = &cfg->programs[i];
		for (size_t k = 0; k < p->listen.count; k++) {
			const struct listen_spec *s = &p->listen.items[k];
			if (s->unix_path && cfg->socket && strcmp(s->path, cfg->socket) == 0)
				diag_add(b->diags, p->listen_line, false, "[program:%s] listen: %s is tend's own socket",
					 p->name, s->address);
			for (size_t j = 0; j < i; j++)
				for (size_t m = 0; m < cfg->programs[j].listen.count; m++)
					if (listen_same(s, &cfg->programs[j].listen.items[m]))
						diag_add(b->diags, p->listen_line, false,
							 "[program:%s] listen: %s is [program:%s]'s already", p->name,
							 s->address, cfg->programs[j].name);
		}
	}
}

/* The line of a key of [tend], or 0. */
static int tend_key_line(const struct builder *b, const char *key)
{
	const struct ini_section *s = b->tend_section;
	for (size_t i = 0; s && i < s->nentries; i++)
		if (strcasecmp(s->entries[i].key, key) == 0)
			return s->entries[i].line;
	return 0;
}

/* The drain counts inside shutdown_timeout (tend(8) SIGNALS): it must leave time
 * for the programs to stop. */
static void check_drain(struct builder *b)
{
	const struct config *cfg = b->cfg;
	if (cfg->drain > 0 && cfg->drain >= cfg->shutdown_timeout)
		diag_add(b->diags, tend_key_line(b, "drain"), false,
			 "[tend] drain (%gs) must be under shutdown_timeout (%gs), which counts it", cfg->drain,
			 cfg->shutdown_timeout);
}

static void check_cycles(struct builder *b)
{
	const struct config *cfg = b->cfg;
	size_t *path = calloc(cfg->nprograms + 2, sizeof *path), len;
	if (!path) {
		b->oom = true;
		return;
	}
	if (order_find_cycle(cfg, path, &len)) {
		char text[400] = "";
		size_t used = 0;
		for (size_t i = 0; i < len && used < sizeof text; i++)
			used += (size_t)snprintf(text + used, sizeof text - used, "%s%s", i ? " -> " : "",
						 cfg->programs[path[i]].name);
		const struct program_config *first = &cfg->programs[path[0]];
		diag_add(b->diags, first->line, false, "[program:%s] depends_on: dependency cycle %s", first->name, text);
	}
	free(path);
}

/* The first [tend]: what it sets needs no default. */
static const struct ini_section *given_tend_section(const struct config_ini *ini)
{
	for (size_t i = 0; i < ini->nsections; i++)
		if (ini->sections[i].line > 0 && !ini->sections[i].broken && strcmp(ini->sections[i].name, "tend") == 0)
			return &ini->sections[i];
	return NULL;
}

/* Every [group:x] names [program:x] sections that exist. */
static void check_groups(struct builder *b)
{
	for (size_t g = 0; g < b->sv.ngroups; g++)
		for (char **name = b->sv.groups[g].programs; *name; name++) {
			size_t j = 0;
			while (j < b->ini->nsections && !(strncmp(b->ini->sections[j].name, "program:", 8) == 0 &&
							  strcmp(b->ini->sections[j].name + 8, *name) == 0))
				j++;
			if (j == b->ini->nsections)
				diag_add(b->diags, b->sv.groups[g].line, false, "[group:%s] programs: no [program:%s]",
					 b->sv.groups[g].name, *name);
		}
}

static bool copy_files(struct builder *b)
{
	b->cfg->files = calloc(b->ini->nfiles + 1, sizeof *b->cfg->files);
	if (!b->cfg->files)
		return false;
	for (size_t i = 0; i < b->ini->nfiles; i++, b->cfg->nfiles++)
		if (!(b->cfg->files[i] = strdup(b->ini->files[i])))
			return false;
	return true;
}

/* supervisord's own sections first: [group:x] names the groups that the
 * programs' %(group_name)s needs. */
static void read_supervisord_sections(struct builder *b, bool *done)
{
	b->sv.files = b->ini->files;
	b->sv.nfiles = b->ini->nfiles;
	for (size_t i = 0; i < b->ini->nsections; i++) {
		const struct ini_section *s = &b->ini->sections[i];
		char here[PATH_MAX];
		here_of(b, s, here, sizeof here);
		done[i] = s->line > 0 && !s->broken && supervisord_section(&b->sv, b->cfg, s, here, b->diags);
	}
	b->oom |= b->sv.oom;
}

static void build(struct builder *b)
{
	struct config *cfg = b->cfg;
	keys_defaults(&tend_keys, cfg, b->diags, given_tend_section(b->ini));
	bool *done = calloc(b->ini->nsections + 1, sizeof *done);
	if (!done || !copy_files(b)) {
		free(done);
		b->oom = true;
		return;
	}
	read_supervisord_sections(b, done);
	for (size_t i = 0; i < b->ini->nsections; i++)
		if (!done[i])
			read_section(b, &b->ini->sections[i]);
	free(done);
	/* [tend]'s log_level, where given, over [supervisord]'s loglevel */
	if (b->sv.has_loglevel && !config_ini_sets(given_tend_section(b->ini), "log_level"))
		cfg->log_level = b->sv.loglevel;
	check_groups(b);
	cfg->programs = calloc(cfg->nprograms + 1, sizeof *cfg->programs);
	if (!cfg->programs) {
		b->oom = true;
		return;
	}
	resolve_dependencies(b);
	for (size_t i = 0; i < cfg->nprograms; i++)
		finish_program(b, i);
	check_listen_unique(b);
	check_drain(b);
	if (b->diags->errors == 0)
		check_cycles(b);
	if (b->diags->errors == 0 && !b->oom) {
		order_assign_steps(cfg);
		b->oom = !order_compute_closure(cfg);
	}
}

struct config *config_build(const struct config_ini *ini, const char *name, struct diagnostics *diags)
{
	struct builder b = { .ini = ini, .diags = diags, .oom = ini->oom };
	b.cfg = calloc(1, sizeof *b.cfg);
	if (!b.cfg || !(b.cfg->path = strdup(name)))
		b.oom = true;
	else
		build(&b);
	supervisord_settings_free(&b.sv);
	for (size_t i = 0; i < b.ndrafts; i++) {
		program_config_free(&b.drafts[i].p);
		value_list_free(b.drafts[i].depends_names);
	}
	free(b.drafts);
	if (b.oom)
		diag_add(diags, 0, false, "out of memory");
	if (diags->errors > 0) {
		config_free(b.cfg);
		return NULL;
	}
	return b.cfg;
}

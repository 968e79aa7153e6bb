/* Sections → struct config. Every section is applied first (the programs
 * as drafts), then what needs every program known: dependencies by name,
 * [tend]'s log_prefix as the programs' default, the checks that take
 * several keys, and the start order. A struct config is freed here too. */
#include "config_build.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config_diag.h"
#include "config_env.h"
#include "config_keys.h"
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
	free(cfg);
}

struct builder {
	const struct config_ini *ini;
	struct config *cfg;
	struct program_draft *drafts;	/* cfg->nprograms of them, until moved into cfg */
	const struct ini_section *tend_section;	/* the last [tend] seen */
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

static void read_program(struct builder *b, const struct ini_section *s)
{
	const char *pname = s->name + 8;
	if (!valid_program_name(pname)) {
		diag_add(b->diags, s->line, false,
			 "[%s]: a program name is 1 to %d of A-Z a-z 0-9 _ . - and does not start with . or -",
			 s->name, PROGRAM_NAME_MAX);
		return;
	}
	size_t dup = 0;
	while (dup < b->cfg->nprograms && strcmp(b->drafts[dup].p.name, pname) != 0)
		dup++;
	if (dup < b->cfg->nprograms) {
		diag_add(b->diags, s->line, false, "[%s]: program \"%s\" is defined twice (first on line %d)", s->name,
			 pname, b->drafts[dup].p.line);
		return;
	}
	struct program_draft *d = &b->drafts[b->cfg->nprograms++];
	snprintf(d->p.name, sizeof d->p.name, "%s", pname);
	d->p.line = s->line;
	keys_program_defaults(d);
	char label[PROGRAM_NAME_MAX + 16];
	snprintf(label, sizeof label, "[%s]", s->name);
	keys_apply(&program_keys, s, label, d, d->line, d->misspelt, b->diags);
	/* a command that is there but wrong has its own error already */
	if (!d->line[PROGRAM_KEY_command] && !s->unreadable_line && !d->misspelt[PROGRAM_KEY_command])
		diag_add(b->diags, s->line, false, "[%s]: command is missing", s->name);
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
		if (b->tend_section)
			diag_add(b->diags, s->line, false, "[tend] appears twice (first on line %d)", b->tend_section->line);
		else
			keys_apply(&tend_keys, s, "[tend]", b->cfg, NULL, NULL, b->diags);
		b->tend_section = s;
	} else if (strncmp(s->name, "program:", 8) == 0) {
		read_program(b, s);
	} else {
		const char *hint = strncmp(s->name, "program", 7) == 0 ? " (a program is [program:NAME])" : "";
		diag_add(b->diags, s->line, false, "unknown section [%s]%s; tend reads [tend] and [program:NAME]", s->name,
			 hint);
	}
}

static void resolve_dependencies(struct builder *b)
{
	for (size_t i = 0; i < b->cfg->nprograms; i++) {
		struct program_draft *d = &b->drafts[i];
		size_t n = 0;
		while (d->depends_names && d->depends_names[n])
			n++;
		d->p.depends_on = calloc(n + 1, sizeof *d->p.depends_on);
		if (!d->p.depends_on) {
			b->oom = true;
			return;
		}
		for (size_t k = 0; k < n; k++) {
			const char *want = d->depends_names[k];
			size_t j = 0;
			while (j < b->cfg->nprograms && strcmp(b->drafts[j].p.name, want) != 0)
				j++;
			if (j == b->cfg->nprograms) {
				diag_add(b->diags, d->line[PROGRAM_KEY_depends_on], false,
					 "[program:%s] depends_on: no program named \"%s\"", d->p.name, want);
				continue;
			}
			bool dup = false;
			for (size_t m = 0; m < d->p.ndepends; m++)
				dup |= d->p.depends_on[m] == j;
			if (!dup)
				d->p.depends_on[d->p.ndepends++] = j;
		}
	}
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
	if (p->notify && !env_add_notify(cfg, p, b->diags, &b->oom))
		return;
	if (p->watchdog_sec > 0 && !p->notify)
		diag_add(b->diags, d->line[PROGRAM_KEY_watchdog_sec], false, "[program:%s] watchdog_sec needs notify = true",
			 p->name);
	if (!(p->envp = env_for_program(p->env_extra)))
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
	/* watchdog_sec makes a program unhealthy too (SPEC §2) */
	if (p->restart_on_unhealthy && p->healthcheck.kind == PROBE_NONE && p->watchdog_sec == 0)
		diag_add(b->diags, p->line, true,
			 "[program:%s] restart_on_unhealthy has no effect without a healthcheck or watchdog_sec", p->name);
	/* only where stopwaitsecs was written: a default is no mistake */
	if (d->line[PROGRAM_KEY_stopwaitsecs] && p->stopwaitsecs >= cfg->shutdown_timeout && b->diags->errors == 0)
		diag_add(b->diags, d->line[PROGRAM_KEY_stopwaitsecs], true,
			 "[program:%s] stopwaitsecs (%gs) is not under shutdown_timeout (%gs): at shutdown "
			 "SIGKILL comes when shutdown_timeout runs out",
			 p->name, p->stopwaitsecs, cfg->shutdown_timeout);
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

/* The drain counts inside shutdown_timeout (SPEC §5): it must leave time
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

static void build(struct builder *b)
{
	struct config *cfg = b->cfg;
	keys_defaults(&tend_keys, cfg, b->diags, given_tend_section(b->ini));
	for (size_t i = 0; i < b->ini->nsections; i++)
		read_section(b, &b->ini->sections[i]);
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
	b.drafts = calloc(ini->nsections + 1, sizeof *b.drafts);
	if (!b.cfg || !b.drafts || !(b.cfg->path = strdup(name)))
		b.oom = true;
	else
		build(&b);
	for (size_t i = 0; b.drafts && i < ini->nsections; i++) {
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

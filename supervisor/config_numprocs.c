#include "config_numprocs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config_diag.h"
#include "values.h"

#define DEFAULT_PROCESS_NAME "%(program_name)s"

bool numprocs_key(const char *key)
{
	return strcasecmp(key, "numprocs") == 0 || strcasecmp(key, "numprocs_start") == 0 ||
	       strcasecmp(key, "process_name") == 0;
}

static bool read_count(const struct ini_entry *e, const struct percent_names *names, unsigned min, unsigned max,
		       const char *label, unsigned *out, struct diagnostics *diags)
{
	char err[384];
	char *value = percent_and_vars(e->value, names, err, sizeof err);
	bool ok = value && value_count_range(value, min, max, out, err, sizeof err);
	if (!ok)
		diag_add(diags, e->line, false, "%s %s: %s", label, e->key, err);
	free(value);
	return ok;
}

bool numprocs_read(const struct ini_section *s, const struct percent_names *names, const char *label,
		   struct numprocs *np, struct diagnostics *diags)
{
	*np = (struct numprocs){ .count = 1, .process_name = DEFAULT_PROCESS_NAME };
	int count_line = 0;
	bool ok = true;
	for (size_t i = 0; i < s->nentries; i++) {
		const struct ini_entry *e = &s->entries[i];
		if (strcasecmp(e->key, "numprocs") == 0) {
			ok &= read_count(e, names, 1, NUMPROCS_MAX, label, &np->count, diags);
			count_line = e->line;
		} else if (strcasecmp(e->key, "numprocs_start") == 0) {
			ok &= read_count(e, names, 0, 1000000, label, &np->start, diags);
		} else if (strcasecmp(e->key, "process_name") == 0) {
			np->process_name = e->value;
			np->name_line = e->line;
		}
	}
	/* else every program would have the same name */
	if (ok && np->count > 1 && !strstr(np->process_name, "%(process_num)")) {
		diag_add(diags, np->name_line ? np->name_line : count_line, false,
			 "%s process_name: with numprocs > 1 it must contain %%(process_num) "
			 "(e.g. process_name = %%(program_name)s_%%(process_num)02d)", label);
		ok = false;
	}
	return ok;
}

bool numprocs_name(const struct numprocs *np, const struct percent_names *names, char *out, size_t n, char *err,
		   size_t errn)
{
	/* ${VAR} too, as in every value */
	char *name = percent_and_vars(np->process_name, names, err, errn);
	if (!name)
		return false;
	bool fits = strlen(name) < n;
	if (fits)
		snprintf(out, n, "%s", name);
	else
		snprintf(err, errn, "\"%.80s\" is longer than %zu characters", name, n - 1);
	free(name);
	return fits;
}

/* The tables of keys made from the lists of config_keys.h, and the
 * applying of a section's entries through them: keys set twice, unknown
 * keys (with a hint), the conversion of each value. */
#include "config_keys.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config_convert.h"
#include "config_diag.h"
#include "config_logfile.h"
#include "config_numprocs.h"
#include "expand.h"

struct key_spec {
	const char *name;
	enum key_kind kind;
	size_t offset;
	const char *fallback;
	unsigned max;
};

struct key_table {
	const struct key_spec *keys;
	size_t count;
	bool (*elsewhere)(const char *name);	/* keys of the section that another file reads */
};

#define KEY_SPEC(type, key, kind, field, fallback, max) { #key, K_##kind, offsetof(type, field), fallback, max },
#define KEY_CHECK(type, key, kind, field, fallback, max) \
	_Static_assert(__builtin_types_compatible_p(__typeof__(((type *)0)->field), key_kind_type_##kind), \
		       #key ": its field does not have the type a " #kind " value is written into");

#define PROGRAM_KEY_SPEC(...) KEY_SPEC(struct program_draft, __VA_ARGS__)
#define PROGRAM_KEY_CHECK(...) KEY_CHECK(struct program_draft, __VA_ARGS__)
#define TEND_KEY_SPEC(...) KEY_SPEC(struct config, __VA_ARGS__)
#define TEND_KEY_CHECK(...) KEY_CHECK(struct config, __VA_ARGS__)

PROGRAM_KEYS(PROGRAM_KEY_CHECK)
TEND_KEYS(TEND_KEY_CHECK)

static const struct key_spec program_specs[] = { PROGRAM_KEYS(PROGRAM_KEY_SPEC) };
static const struct key_spec tend_specs[] = { TEND_KEYS(TEND_KEY_SPEC) };

#define NITEMS(array) (sizeof(array) / sizeof(array)[0])

/* supervisord's [program:x] keys that config_numprocs.c and
 * config_logfile.c read (tend.ini(5)). */
static bool supervisord_program_key(const char *name)
{
	return numprocs_key(name) || logfile_key(name);
}

const struct key_table program_keys = { program_specs, NITEMS(program_specs), supervisord_program_key };
const struct key_table tend_keys = { tend_specs, NITEMS(tend_specs), NULL };

static const struct key_spec *find_key(const struct key_table *t, const char *name)
{
	for (size_t i = 0; i < t->count; i++)
		if (strcasecmp(t->keys[i].name, name) == 0)	/* as supervisord's parser */
			return &t->keys[i];
	return NULL;
}

bool keys_known(const char *name)
{
	return find_key(&program_keys, name) || find_key(&tend_keys, name) || supervisord_program_key(name);
}

static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 63 || lb > 63)
		return 64;
	size_t row[64];
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

static const struct key_spec *nearest_key(const struct key_table *t, const char *name)
{
	const struct key_spec *best = NULL;
	size_t best_d = strlen(name) / 2 + 1;	/* beyond that a hint is noise */
	if (best_d > 3)
		best_d = 3;
	for (size_t i = 0; i < t->count; i++) {
		size_t d = edit_distance(name, t->keys[i].name);
		if (d <= best_d) {
			best = &t->keys[i];
			best_d = d;
		}
	}
	return best;
}

static bool convert(const struct key_spec *k, const char *value, void *base, char *err, size_t n)
{
	return config_convert(k->kind, value, (char *)base + k->offset, k->max, err, n);
}

void keys_defaults(const struct key_table *t, void *base, struct diagnostics *diags, const struct ini_section *given)
{
	char err[256];
	for (size_t i = 0; i < t->count; i++) {
		const struct key_spec *k = &t->keys[i];
		if (!k->fallback)
			continue;
		char *value = expand_vars(k->fallback, err, sizeof err);
		bool ok = value && convert(k, value, base, err, sizeof err);
		free(value);
		if (!ok && !diags)
			abort();	/* a default that does not parse is a bug in its list */
		if (!ok && !config_ini_sets(given, k->name))
			diag_add(diags, 0, false, "the default of %s (%s): %s", k->name, k->fallback, err);
	}
}

void keys_program_defaults(struct program_draft *d)
{
	d->p.umask = -1;	/* inherit tend's: no value of the file says that */
	keys_defaults(&program_keys, d, NULL, NULL);
}

static void report_unknown(const struct key_table *t, const struct ini_entry *e, const char *label,
			   bool *misspelt, struct diagnostics *diags)
{
	const struct key_spec *hint = nearest_key(t, e->key);
	if (hint)
		diag_add(diags, e->line, false, "%s unknown key \"%s\" (did you mean \"%s\"?)", label, e->key,
			 hint->name);
	else
		diag_add(diags, e->line, false, "%s unknown key \"%s\"", label, e->key);
	if (misspelt && hint)
		misspelt[hint - t->keys] = true;
}

/* The line where the section set the key of entry i before, or 0. */
static int set_before(const struct ini_section *s, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (strcasecmp(s->entries[j].key, s->entries[i].key) == 0)
			return s->entries[j].line;
	return 0;
}

void keys_apply(const struct key_table *t, const struct ini_section *s, const char *label, void *base,
		int *line, bool *misspelt, const struct percent_names *names, struct diagnostics *diags)
{
	for (size_t i = 0; i < s->nentries; i++) {
		const struct ini_entry *e = &s->entries[i];
		int first = set_before(s, i);
		if (first) {
			diag_add(diags, e->line, false, "%s %s: set twice (first on line %d)", label, e->key,
				 diag_line_number(first));
			continue;
		}
		const struct key_spec *k = find_key(t, e->key);
		if (!k && t->elsewhere && t->elsewhere(e->key))
			continue;
		if (!k) {
			report_unknown(t, e, label, misspelt, diags);
			continue;
		}
		if (line)
			line[k - t->keys] = e->line;
		char err[384];
		char *value = percent_and_vars(e->value, names, err, sizeof err);
		if (value && !convert(k, value, base, err, sizeof err)) {
			free(value);
			value = NULL;
		}
		if (!value)
			diag_add(diags, e->line, false, "%s %s: %s", label, e->key, err);
		free(value);
	}
}

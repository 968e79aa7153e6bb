/* The config under test, for the unit tests of the config reader: the
 * config and diagnostics of the current test, and the helpers that load
 * and inspect them. Each test file defines its teardown, cleanup(), which
 * calls fixture_free(): T() registers a test with it, so that a test
 * failing half-way leaks nothing. */
#ifndef TEND_CONFIG_FIXTURE_H
#define TEND_CONFIG_FIXTURE_H

#include "testutil.h"

#include "config.h"

static struct config *cfg;
static struct diagnostics diags;

#define T(fn) cmocka_unit_test_teardown(fn, cleanup)

static inline void fixture_free(void)
{
	config_free(cfg);
	cfg = NULL;
	diagnostics_free(&diags);
}

/* The input and its diagnostics, in a failing test's output. */
static inline void dump_diagnostics(const char *text, const struct diagnostics *d)
{
	print_error("---- input ----\n%s\n---- %zu diagnostics, %zu errors ----\n", text, d->count, d->errors);
	for (size_t i = 0; i < d->count; i++)
		print_error("line %d: %s%s\n", d->items[i].line, d->items[i].warning ? "warning: " : "",
			    d->items[i].text);
}

/* text read as the file `name`: the result in cfg and diags, the previous
 * test step's freed. */
static inline void fixture_load_string(const char *text, const char *name)
{
	fixture_free();
	cfg = config_load_string(text, name, &diags);
}

/* The program called name; fails the test without one. */
static inline const struct program_config *program_named(const char *name)
{
	assert_non_null(cfg);
	for (size_t i = 0; i < cfg->nprograms; i++)
		if (strcmp(cfg->programs[i].name, name) == 0)
			return &cfg->programs[i];
	fail_msg("no program \"%s\"", name);
	return NULL;
}

#endif

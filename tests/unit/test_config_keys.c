/* The key tables made from the lists of config_keys.h, and a section applied
 * through them: where each key is set, keys set twice, unknown keys, the
 * defaults (test_config.c has every key's values through the whole load). */
#include "testutil.h"

#include "config.h"
#include "config_ini.h"
#include "config_keys.h"
#include "values.h"

static struct config_ini ini;
static struct diagnostics diags;
static struct program_draft draft;

static int cleanup(void **state)
{
	(void)state;
	config_ini_free(&ini);
	diagnostics_free(&diags);
	program_config_free(&draft.p);
	value_list_free(draft.depends_names);
	memset(&draft, 0, sizeof draft);
	unsetenv("TEND_SOCKET");
	return 0;
}

#define T(fn) cmocka_unit_test_teardown(fn, cleanup)

/* The first section of text, read with the tables' keys. */
static const struct ini_section *section_of(const char *text)
{
	config_ini_read(&ini, text, keys_known, &diags);
	assert_int_equal(diags.count, 0);
	assert_true(ini.nsections > 0);
	return &ini.sections[0];
}

/* The draft of [program:web] with text's first section applied. */
static void apply_program(const char *text)
{
	keys_program_defaults(&draft);
	keys_apply(&program_keys, section_of(text), "[program:web]", &draft, draft.line, draft.misspelt, NULL, &diags);
}

static void every_listed_key_is_known(void **state)
{
	(void)state;
#define KNOWN(key, kind, field, fallback, max) assert_true(keys_known(#key));
	PROGRAM_KEYS(KNOWN)
	TEND_KEYS(KNOWN)
#undef KNOWN
	assert_true(keys_known("AutoStart"));	/* as supervisord: any case */
	assert_false(keys_known("autostrat"));
	/* supervisord's, read by config_numprocs.c and config_logfile.c */
	assert_true(keys_known("numprocs"));
	assert_true(keys_known("stdout_logfile"));
	assert_false(keys_known("numproc"));
}

static void program_defaults(void **state)
{
	(void)state;
	keys_program_defaults(&draft);
	assert_int_equal(draft.p.umask, -1);	/* not a value of the file: inherit */
	assert_true(draft.p.autostart);
	assert_int_equal(draft.p.priority, 999);
	assert_null(draft.p.command);
	for (int k = 0; k < PROGRAM_KEY_COUNT; k++)
		assert_int_equal(draft.line[k], 0);
}

static void lines_of_the_keys_set(void **state)
{
	(void)state;
	apply_program("[program:web]\n"
		      "command = /bin/true\n"
		      "STOPWAITSECS = 3\n"
		      "depends_on = db\n");
	assert_int_equal(diags.count, 0);
	assert_int_equal(draft.line[PROGRAM_KEY_command], 2);
	assert_int_equal(draft.line[PROGRAM_KEY_stopwaitsecs], 3);
	assert_int_equal(draft.line[PROGRAM_KEY_depends_on], 4);
	assert_int_equal(draft.line[PROGRAM_KEY_autostart], 0);
	assert_double(draft.p.stopwaitsecs, 3);
	assert_string_equal(draft.depends_names[0], "db");
}

static void mistakes(void **state)
{
	(void)state;
	/* lines 2 to 6 */
	apply_program("[program:web]\ncomand = /bin/true\npriority = 1\nPriority = 2\nnumprocs = 3\nautostart = maybe\n");
	/* numprocs: another file's key, passed over here */
	assert_int_equal(diags.count, 3);
	assert_int_equal(diags.errors, 3);
	assert_string_equal(diags.items[0].text, "[program:web] unknown key \"comand\" (did you mean \"command\"?)");
	assert_string_equal(diags.items[1].text, "[program:web] Priority: set twice (first on line 3)");
	assert_contains(diags.items[2].text, "[program:web] autostart: \"maybe\" is not a boolean");
	assert_true(draft.misspelt[PROGRAM_KEY_command]);
	assert_int_equal(draft.line[PROGRAM_KEY_command], 0);
	assert_int_equal(draft.p.priority, 1);
}

/* supervisord's keys are a program's only. */
static void tend_keys_only(void **state)
{
	(void)state;
	struct config cfg = { 0 };
	const struct ini_section *s = section_of("[tend]\nnumprocs = 1\nlog_level = debug\n");
	keys_apply(&tend_keys, s, "[tend]", &cfg, NULL, NULL, NULL, &diags);
	assert_int_equal(diags.count, 1);
	assert_string_equal(diags.items[0].text, "[tend] unknown key \"numprocs\"");
	assert_int_equal(cfg.log_level, LOG_DEBUG);
}

/* A default from the environment can fail: an error unless the section
 * sets the key itself. */
static void defaults_from_the_environment(void **state)
{
	(void)state;
	setenv("TEND_SOCKET", "relative.sock", 1);
	struct config cfg = { 0 };
	keys_defaults(&tend_keys, &cfg, &diags, NULL);
	assert_int_equal(diags.count, 1);
	assert_int_equal(diags.items[0].line, 0);
	assert_contains(diags.items[0].text, "the default of socket (${TEND_SOCKET:-/run/tend/tend.sock})");
	diagnostics_free(&diags);
	keys_defaults(&tend_keys, &cfg, &diags, section_of("[tend]\nsocket = /run/x.sock\n"));
	assert_int_equal(diags.count, 0);
	assert_double(cfg.shutdown_timeout, 9);
	free(cfg.socket);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(every_listed_key_is_known),
		T(program_defaults),
		T(lines_of_the_keys_set),
		T(mistakes),
		T(tend_keys_only),
		T(defaults_from_the_environment),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

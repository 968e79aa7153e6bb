/* The first step of loading, config_ini_read, on its own: sections and
 * entries as written, their line numbers, continuation lines, and the
 * syntax errors of the file (the keys' meaning is test_config.c's). */
#include "testutil.h"

#include "config.h"
#include "config_ini.h"

static struct config_ini ini;
static struct diagnostics diags;

static int cleanup(void **state)
{
	(void)state;
	config_ini_free(&ini);
	diagnostics_free(&diags);
	return 0;
}

#define T(fn) cmocka_unit_test_teardown(fn, cleanup)

/* The keys an indented line may not be taken for. */
static bool is_key(const char *name)
{
	return strcmp(name, "autostart") == 0;
}

static void read_text(const char *text)
{
	config_ini_free(&ini);
	diagnostics_free(&diags);
	config_ini_read(&ini, text, is_key, &diags);
	assert_false(ini.oom);
}

/* The text read gave exactly one diagnostic, on line, containing substr. */
static void assert_one_diag(int line, const char *substr)
{
	assert_int_equal(diags.count, 1);
	assert_int_equal(diags.items[0].line, line);
	assert_contains(diags.items[0].text, substr);
}

static void assert_entry(const struct ini_section *s, size_t i, const char *key, const char *value, int line)
{
	assert_true(i < s->nentries);
	assert_string_equal(s->entries[i].key, key);
	assert_string_equal(s->entries[i].value, value);
	assert_int_equal(s->entries[i].line, line);
}

static void sections_and_entries(void **state)
{
	(void)state;
	read_text("; comment\n"
		  "[ tend ]\n"
		  "log_level = debug\n"
		  "\n"
		  "[program:web] ; after a header\n"
		  "command=/bin/true\n"
		  "Priority : 5\n");
	assert_int_equal(diags.count, 0);
	assert_int_equal(ini.nsections, 2);
	const struct ini_section *t = &ini.sections[0], *w = &ini.sections[1];
	assert_string_equal(t->name, "tend");
	assert_int_equal(t->line, 2);
	assert_int_equal(t->nentries, 1);
	assert_entry(t, 0, "log_level", "debug", 3);
	assert_string_equal(w->name, "program:web");
	assert_int_equal(w->line, 5);
	assert_int_equal(w->nentries, 2);
	assert_entry(w, 0, "command", "/bin/true", 6);
	assert_entry(w, 1, "Priority", "5", 7);	/* as written: the keys ignore case later */
	assert_false(w->broken);
	assert_false(w->unreadable_line);
}

/* Entries before any header: a section of line 0, named "". */
static void entries_outside_sections(void **state)
{
	(void)state;
	read_text("a = 1\n[tend]\n");
	assert_int_equal(ini.nsections, 2);
	assert_int_equal(ini.sections[0].line, 0);
	assert_string_equal(ini.sections[0].name, "");
	assert_entry(&ini.sections[0], 0, "a", "1", 1);
}

static void continuation(void **state)
{
	(void)state;
	read_text("[program:web]\n"
		  "command = /bin/echo one\n"
		  "  ; a comment line\n"
		  "\n"
		  "  two ; an inline comment\n"
		  "\tthree\n"
		  "priority = 5\n");
	assert_int_equal(diags.count, 0);
	const struct ini_section *w = &ini.sections[0];
	assert_int_equal(w->nentries, 2);
	assert_entry(w, 0, "command", "/bin/echo one two three", 2);
	assert_entry(w, 1, "priority", "5", 7);
}

/* supervisord's inline comments: "#" after a blank ends a value too, on
 * the key's line and on a continuation line; "#" inside a word does not. */
static void hash_comments(void **state)
{
	(void)state;
	read_text("[program:web]\n"
		  "command = /bin/echo a#b   # the command\n"
		  "\ttwo\t# more\n"
		  "priority=30  # start after nginx\n"
		  "environment = URL=http://x/#top\n");
	assert_int_equal(diags.count, 0);
	const struct ini_section *w = &ini.sections[0];
	assert_int_equal(w->nentries, 3);
	assert_entry(w, 0, "command", "/bin/echo a#b two", 2);
	assert_entry(w, 1, "priority", "30", 4);
	assert_entry(w, 2, "environment", "URL=http://x/#top", 5);
}

/* An indented line that reads as a key of the file is reported, not joined. */
static void indented_key(void **state)
{
	(void)state;
	read_text("[program:web]\ncommand = /bin/true\n  autostart = false\n  other = word\n");
	assert_one_diag(3, "continues the value of \"command\"");
	assert_entry(&ini.sections[0], 0, "command", "/bin/true other = word", 2);
}

static void syntax_errors(void **state)
{
	(void)state;
	read_text("[program:web\ncommand = x\n");
	assert_one_diag(1, "without a closing ]");
	assert_true(ini.sections[0].broken);

	read_text("[program:web]\ncommand sleep 1\n");
	assert_one_diag(2, "expected \"key = value\"");
	assert_true(ini.sections[0].unreadable_line);
	assert_int_equal(ini.sections[0].nentries, 0);
}

/* A line longer than inih's buffer is read whole (inih gets a stand-in);
 * one over 64 KiB is one error, and the lines after it are read. */
static void long_line(void **state)
{
	(void)state;
	char *text = malloc(80000), *value = malloc(70001);
	memset(value, 'a', 2000);
	value[2000] = '\0';
	snprintf(text, 80000, "[program:web]\ndirectory = %s  ; comment\n  %s\npriority = 5\n", value, value);
	read_text(text);
	assert_int_equal(diags.count, 0);
	assert_int_equal(ini.sections[0].nentries, 2);
	assert_int_equal(strlen(ini.sections[0].entries[0].value), 2 * 2000 + 1);
	assert_int_equal(ini.sections[0].entries[0].value[2000], ' ');
	assert_entry(&ini.sections[0], 1, "priority", "5", 4);

	/* cut as inih cuts a short line: a ';' after a blank starts a comment,
	 * one inside a word does not */
	snprintf(text, 80000, "[program:web]\ncommand = %s;x y\t; comment\n", value);
	read_text(text);
	assert_int_equal(diags.count, 0);
	assert_int_equal(strlen(ini.sections[0].entries[0].value), 2000 + 4);
	assert_string_equal(ini.sections[0].entries[0].value + 2000, ";x y");

	memset(value, 'a', 70000);
	value[70000] = '\0';
	snprintf(text, 80000, "[program:web]\ndirectory = %s\npriority = 5\n", value);
	read_text(text);
	assert_one_diag(2, "line too long");
	assert_true(ini.sections[0].unreadable_line);
	assert_int_equal(ini.sections[0].nentries, 1);
	assert_entry(&ini.sections[0], 0, "priority", "5", 3);
	free(text);
	free(value);
}

static void bom_and_crlf(void **state)
{
	(void)state;
	read_text("\xEF\xBB\xBF[tend]\r\nlog_level = warn\r\n");
	assert_int_equal(diags.count, 0);
	assert_string_equal(ini.sections[0].name, "tend");
	assert_entry(&ini.sections[0], 0, "log_level", "warn", 2);
}

static void sets(void **state)
{
	(void)state;
	read_text("[tend]\nLog_Level = warn\n");
	assert_true(config_ini_sets(&ini.sections[0], "log_level"));
	assert_false(config_ini_sets(&ini.sections[0], "log_format"));
	assert_false(config_ini_sets(NULL, "log_level"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(sections_and_entries),
		T(entries_outside_sections),
		T(continuation),
		T(hash_comments),
		T(indented_key),
		T(syntax_errors),
		T(long_line),
		T(bom_and_crlf),
		T(sets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

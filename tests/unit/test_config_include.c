/* [include] (config_include.c), with files in a temporary directory:
 * globs relative to the including file, sorted, nested, loops, a pattern
 * that matches nothing, and errors that name the included file and line. */
#include "testutil.h"

#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config_fixture.h"
#include "config_diag.h"

static char dir[] = "/tmp/tend-test-include-XXXXXX";

static int setup(void **state)
{
	(void)state;
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd);
}

static int cleanup(void **state)
{
	(void)state;
	fixture_free();
	return 0;
}

/* Writes text to dir/name (subdirectories made); returns nothing. */
static void put(const char *name, const char *text)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	for (char *slash = strchr(path + strlen(dir) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(path, 0700);
		*slash = '/';
	}
	free(write_temp_file(dir, name, text));
}

static void load(const char *name)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	fixture_free();
	cfg = config_load_file(path, &diags);
}

/* "FILE:LINE: " of diagnostic i, FILE relative to dir */
static const char *where(size_t i)
{
	static char out[1024];
	diag_where(&diags, diags.items[i].line, "MAIN", out, sizeof out);
	if (strncmp(out, dir, strlen(dir)) == 0)
		memmove(out, out + strlen(dir) + 1, strlen(out + strlen(dir) + 1) + 1);
	return out;
}

static void globs_sorted_in_place(void **state)
{
	(void)state;
	put("a/main.conf", "[program:first]\ncommand = /bin/true\n"
			   "[include]\nfiles = conf.d/*.conf extra.ini\n"
			   "[program:last]\ncommand = /bin/true\n");
	put("a/conf.d/20-b.conf", "[program:b]\ncommand = /bin/true\n");
	put("a/conf.d/10-a.conf", "[program:a]\ncommand = /bin/true\n");
	put("a/conf.d/skip.ini", "[program:skip]\ncommand = /bin/true\n");
	put("a/extra.ini", "[program:extra]\ncommand = /bin/true\n");
	load("a/main.conf");
	assert_non_null(cfg);
	assert_int_equal(diags.count, 0);
	static const char *const order[] = { "first", "a", "b", "extra", "last" };
	assert_int_equal(cfg->nprograms, 5);
	for (size_t i = 0; i < 5; i++)
		assert_string_equal(cfg->programs[i].name, order[i]);
	assert_int_equal(cfg->nfiles, 4);
	assert_contains(cfg->files[1], "a/conf.d/10-a.conf");
	assert_contains(cfg->files[2], "a/conf.d/20-b.conf");
	assert_contains(cfg->files[3], "a/extra.ini");
}

/* An included file's includes are relative to its own directory. */
static void nested(void **state)
{
	(void)state;
	put("b/main.conf", "[include]\nfiles = sub/one.conf\n");
	put("b/sub/one.conf", "[include]\nfiles = deeper/*.conf\n[program:one]\ncommand = /bin/echo %(here)s\n");
	put("b/sub/deeper/two.conf", "[program:two]\ncommand = /bin/true\n");
	load("b/main.conf");
	assert_non_null(cfg);
	assert_int_equal(cfg->nprograms, 2);
	assert_string_equal(cfg->programs[0].name, "two");
	assert_string_equal(cfg->programs[1].name, "one");
	assert_contains(cfg->programs[1].argv[1], "/b/sub");
	assert_true(cfg->programs[1].argv[1][0] == '/');
}

static void loops(void **state)
{
	(void)state;
	put("c/main.conf", "[program:m]\ncommand = /bin/true\n[include]\nfiles = x.conf\n");
	put("c/x.conf", "[program:x]\ncommand = /bin/true\n\n[include]\nfiles = y.conf\n");
	put("c/y.conf", "[include]\nfiles = main.conf\n");
	load("c/main.conf");
	assert_null(cfg);
	assert_int_equal(diags.errors, 1);
	assert_string_equal(where(0), "c/y.conf:2: ");
	assert_contains(diags.items[0].text, "includes itself (an include loop)");
	/* itself, directly */
	put("c/self.conf", "[include]\nfiles = self.conf\n");
	load("c/self.conf");
	assert_null(cfg);
	assert_contains(diags.items[0].text, "an include loop");
}

static void no_match_is_a_warning(void **state)
{
	(void)state;
	put("d/main.conf", "[program:m]\ncommand = /bin/true\n[include]\nfiles = conf.d/*.conf\n");
	load("d/main.conf");
	assert_non_null(cfg);
	assert_int_equal(diags.count, 1);
	assert_true(diags.items[0].warning);
	assert_string_equal(where(0), "MAIN:4: ");	/* the first file: as the caller names it */
	assert_contains(diags.items[0].text, "\"conf.d/*.conf\" matches no file");
	/* a file named outright that is not there: a pattern like any other */
	put("d/two.conf", "[include]\nfiles = /nonexistent/tend.conf\n");
	load("d/two.conf");
	assert_non_null(cfg);
	assert_int_equal(diags.count, 1);
	assert_contains(diags.items[0].text, "\"/nonexistent/tend.conf\" matches no file");
}

/* A long line in an included file: read whole; an error on it names the
 * included file and its line. */
static void long_line_in_included_file(void **state)
{
	(void)state;
	char text[2400], value[2001];
	memset(value, 'x', 2000);
	value[2000] = '\0';
	snprintf(text, sizeof text, "[program:ok]\ncommand = /bin/echo %s\n", value);
	put("e/conf.d/ok.conf", text);
	snprintf(text, sizeof text, "; a comment\n[program:bad]\ncommand = /bin/true\nstopsignal = %s\n", value);
	put("e/conf.d/x.conf", text);
	put("e/main.conf", "[include]\nfiles = conf.d/*.conf\n");
	load("e/main.conf");
	assert_null(cfg);
	assert_int_equal(diags.count, 1);
	assert_string_equal(where(0), "e/conf.d/x.conf:4: ");
	assert_contains(diags.items[0].text, "[program:bad] stopsignal");
	/* the printed line: "tend: FILE:LINE: text" */
	char path[] = "/tmp/tend-test-stderr-XXXXXX";
	int fd = mkstemp(path);
	fflush(stderr);
	int saved = dup(STDERR_FILENO);
	dup2(fd, STDERR_FILENO);
	diagnostics_print(&diags, "main.conf");
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	char out[4096] = "";
	assert_true(pread(fd, out, sizeof out - 1, 0) > 0);
	close(fd);
	unlink(path);
	char expected[512];
	snprintf(expected, sizeof expected, "tend: %s/e/conf.d/x.conf:4: [program:bad] stopsignal", dir);
	assert_contains(out, expected);

	/* the ok file alone: its 2 000-byte command read whole */
	unlink(strcat(strcpy(text, dir), "/e/conf.d/x.conf"));
	load("e/main.conf");
	assert_non_null(cfg);
	assert_string_equal(cfg->programs[0].argv[1], value);
}

static void include_keys(void **state)
{
	(void)state;
	put("f/main.conf", "[include]\nfile = x.conf\n");
	load("f/main.conf");
	assert_null(cfg);
	assert_int_equal(diags.count, 2);
	assert_contains(diags.items[0].text, "[include] without files = PATTERN");
	assert_contains(diags.items[1].text, "[include] unknown key \"file\"");
	put("f/env.conf", "[include]\nfiles = %(here)s/${TEND_UT_INC:-inc}.conf\n");
	put("f/inc.conf", "[program:inc]\ncommand = /bin/true\n");
	load("f/env.conf");
	assert_non_null(cfg);
	assert_string_equal(cfg->programs[0].name, "inc");
}

/* %(here)s in [include] files is the absolute directory of the file, also
 * when the file is named relative to the working directory: the pattern
 * it starts is absolute and not joined to that directory again. */
static void here_in_include_is_absolute(void **state)
{
	(void)state;
	put("g/sub/a.ini", "[include]\nfiles = %(here)s/conf.d/*.conf\n");
	put("g/sub/conf.d/x.conf", "[program:x]\ncommand = /bin/true\n");
	char cwd[PATH_MAX], base[600];
	assert_non_null(getcwd(cwd, sizeof cwd));
	snprintf(base, sizeof base, "%s/g", dir);
	assert_int_equal(chdir(base), 0);
	cfg = config_load_file("sub/a.ini", &diags);
	assert_int_equal(chdir(cwd), 0);
	assert_int_equal(diags.count, 0);
	assert_non_null(cfg);
	assert_int_equal(cfg->nprograms, 1);
	assert_string_equal(cfg->programs[0].name, "x");
	assert_int_equal(cfg->nfiles, 2);
	assert_true(cfg->files[1][0] == '/');
	assert_contains(cfg->files[1], "/g/sub/conf.d/x.conf");
}

/* config_where: the file a program's line is in, included or not, and its
 * number in that file (what a bind error at start names). */
static void where_names_the_included_file(void **state)
{
	(void)state;
	put("h/main.conf", "[program:m]\ncommand = /bin/true\n[include]\nfiles = conf.d/*.conf\n");
	put("h/conf.d/l.conf", "; a comment\n[program:l]\ncommand = /bin/true\nlisten = tcp://127.0.0.1:1\n");
	load("h/main.conf");
	assert_non_null(cfg);
	assert_int_equal(cfg->nprograms, 2);
	char out[1024], expected[1024];
	config_where(cfg, cfg->programs[1].listen_line, out, sizeof out);
	snprintf(expected, sizeof expected, "%s/h/conf.d/l.conf:4", dir);
	assert_string_equal(out, expected);
	config_where(cfg, cfg->programs[1].line, out, sizeof out);
	snprintf(expected, sizeof expected, "%s/h/conf.d/l.conf:2", dir);
	assert_string_equal(out, expected);
	/* the first file: as cfg->path names it */
	config_where(cfg, cfg->programs[0].line, out, sizeof out);
	snprintf(expected, sizeof expected, "%s/h/main.conf:1", dir);
	assert_string_equal(out, expected);
	config_where(cfg, 0, out, sizeof out);
	snprintf(expected, sizeof expected, "%s/h/main.conf", dir);
	assert_string_equal(out, expected);
}

/* A program (or [tend]) defined twice: the first one's file is named when
 * it is another file than the second's. */
static void defined_twice_names_the_first_file(void **state)
{
	(void)state;
	put("i/main.conf", "[program:web]\ncommand = /bin/true\n[tend]\n[supervisord]\n[include]\nfiles = conf.d/*.conf\n");
	put("i/conf.d/w.conf", "\n[program:web]\ncommand = /bin/false\n[tend]\n[supervisord]\n");
	load("i/main.conf");
	assert_null(cfg);
	assert_int_equal(diags.count, 3);
	char expected[600];
	assert_string_equal(where(0), "i/conf.d/w.conf:2: ");
	snprintf(expected, sizeof expected, "program \"web\" is defined twice (first in %s/i/main.conf:1)", dir);
	assert_contains(diags.items[0].text, expected);
	assert_string_equal(where(1), "i/conf.d/w.conf:4: ");
	snprintf(expected, sizeof expected, "[tend] appears twice (first in %s/i/main.conf:3)", dir);
	assert_contains(diags.items[1].text, expected);
	assert_string_equal(where(2), "i/conf.d/w.conf:5: ");
	snprintf(expected, sizeof expected, "[supervisord] appears twice (first in %s/i/main.conf:4)", dir);
	assert_contains(diags.items[2].text, expected);
	/* both in one included file: its line, as in a single file */
	put("j/main.conf", "[include]\nfiles = w.conf\n");
	put("j/w.conf", "[program:web]\ncommand = /bin/true\n[program:web]\ncommand = /bin/true\n");
	load("j/main.conf");
	assert_null(cfg);
	assert_int_equal(diags.count, 1);
	assert_string_equal(where(0), "j/w.conf:3: ");
	assert_contains(diags.items[0].text, "program \"web\" is defined twice (first on line 1)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(globs_sorted_in_place),
		T(nested),
		T(loops),
		T(no_match_is_a_warning),
		T(long_line_in_included_file),
		T(include_keys),
		T(here_in_include_is_absolute),
		T(where_names_the_included_file),
		T(defined_twice_names_the_first_file),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

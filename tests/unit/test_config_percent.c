/* supervisord's %(…)s expansions (config_percent.c), alone and composed
 * with ${VAR}: every name, the conversion specs, %%, a lone %, and the
 * errors. */
#include "testutil.h"

#include "config_percent.h"

static char err[512];

static const struct percent_names web = {
	.program_name = "web", .group_name = "app", .here = "/etc/supervisor", .process_num = 7, .numprocs = 3,
	.has_num = true,
};

/* value expands to expected (percent_and_vars) */
static void expect(const struct percent_names *names, const char *value, const char *expected)
{
	char *got = percent_and_vars(value, names, err, sizeof err);
	if (!got)
		fail_msg("\"%s\": %s", value, err);
	assert_string_equal(got, expected);
	free(got);
}

static void expect_error(const struct percent_names *names, const char *value, const char *substr)
{
	char *got = percent_and_vars(value, names, err, sizeof err);
	if (got)
		fail_msg("\"%s\" expanded to \"%s\", expected an error", value, got);
	assert_contains(err, substr);
}

static int cleanup(void **state)
{
	(void)state;
	unsetenv("TEND_UT_P");
	unsetenv("TEND_UT_DOLLAR");
	return 0;
}

static void every_name(void **state)
{
	(void)state;
	setenv("TEND_UT_P", "8", 1);
	expect(&web, "%(ENV_TEND_UT_P)s", "8");
	expect(&web, "--workers %(ENV_TEND_UT_P)s", "--workers 8");
	expect(&web, "%(program_name)s", "web");
	expect(&web, "%(group_name)s", "app");
	expect(&web, "%(here)s/conf.d", "/etc/supervisor/conf.d");
	expect(&web, "%(process_num)d", "7");
	expect(&web, "%(numprocs)d", "3");
	char host[256];
	assert_int_equal(gethostname(host, sizeof host), 0);
	expect(&web, "%(host_node_name)s", host);
	expect(&web, "%(program_name)s_%(process_num)02d", "web_07");
}

static void conversion_specs(void **state)
{
	(void)state;
	expect(&web, "%(process_num)02d", "07");
	expect(&web, "%(process_num)03d", "007");
	expect(&web, "%(process_num)s", "7");
	expect(&web, "%(process_num)i", "7");
	expect(&web, "[%(process_num)-3d]", "[7  ]");
	expect(&web, "[%(program_name)5s]", "[  web]");
	expect(&web, "port 80%(process_num)02d", "port 8007");
	/* a spec on a long value: nothing cut */
	char long_value[3001];
	memset(long_value, 'x', 3000);
	long_value[3000] = '\0';
	setenv("TEND_UT_P", long_value, 1);
	expect(&web, "%(ENV_TEND_UT_P)5s", long_value);
	expect_error(&web, "%(program_name)d", "program_name is not a number");
	expect_error(&web, "%(program_name)x", "the conversion must be s or d");
	expect_error(&web, "%(program_name)", "the conversion must be s or d");
}

static void percent_signs(void **state)
{
	(void)state;
	expect(&web, "100%%", "100%");
	expect(&web, "%%(program_name)s", "%(program_name)s");	/* escaped: not a name */
	expect(&web, "date +%s", "date +%s");	/* a lone % stays */
	expect(&web, "50% done %", "50% done %");
	expect(NULL, "%Y-%m-%d", "%Y-%m-%d");
}

static void errors(void **state)
{
	(void)state;
	unsetenv("TEND_UT_P");
	expect_error(&web, "%(ENV_TEND_UT_P)s", "environment variable TEND_UT_P is not set");
	expect_error(&web, "%(nope)s", "unknown expansion %(nope)");
	expect_error(&web, "%(ENV_X", "is not %(name)s");
	expect_error(&web, "%()s", "is not %(name)s");
	/* outside a program: its names are not known */
	struct percent_names file_only = { .here = "/etc" };
	expect(&file_only, "%(here)s", "/etc");
	expect_error(&file_only, "%(program_name)s", "not known here");
	expect_error(&file_only, "%(process_num)d", "not known here");
	expect_error(NULL, "%(here)s", "not known here");
}

/* %(…)s first, then ${VAR}; what either inserts is not expanded again. */
static void with_dollar_vars(void **state)
{
	(void)state;
	setenv("TEND_UT_P", "8", 1);
	setenv("TEND_UT_DOLLAR", "${TEND_UT_P}$$", 1);
	expect(&web, "%(ENV_TEND_UT_P)s ${TEND_UT_P}", "8 8");
	expect(&web, "%(ENV_TEND_UT_DOLLAR)s", "${TEND_UT_P}$$");	/* kept as the variable has it */
	expect(&web, "${TEND_UT_DOLLAR}", "${TEND_UT_P}$$");
	expect(&web, "${TEND_UT_NOPE:-%(program_name)s}", "web");	/* a default may use %(…)s */
	expect(&web, "$$%(program_name)s %%", "$web %");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(every_name, cleanup),
		cmocka_unit_test_teardown(conversion_specs, cleanup),
		cmocka_unit_test_teardown(percent_signs, cleanup),
		cmocka_unit_test_teardown(errors, cleanup),
		cmocka_unit_test_teardown(with_dollar_vars, cleanup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

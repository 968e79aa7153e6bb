/* expand_vars: ${VAR}, ${VAR:-default} and $$ in config values (tend.ini(5)). */
#include "testutil.h"

#include "expand.h"

static int setup(void **state)
{
	(void)state;
	setenv("TEND_UT_A", "alpha", 1);
	setenv("TEND_UT_EMPTY", "", 1);
	setenv("TEND_UT_SPACES", " a b ", 1);
	setenv("TEND_UT_DOLLAR", "$x${TEND_UT_A}$$", 1);
	unsetenv("TEND_UT_UNSET");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unsetenv("TEND_UT_A");
	unsetenv("TEND_UT_EMPTY");
	unsetenv("TEND_UT_SPACES");
	unsetenv("TEND_UT_DOLLAR");
	return 0;
}

static void expect(const char *value, const char *expected)
{
	char error[256] = "";
	char *got = expand_vars(value, error, sizeof error);
	if (!got)
		fail_msg("expand_vars(\"%s\") failed: %s", value, error);
	bool ok = strcmp(got, expected) == 0;
	if (!ok)
		print_error("expand_vars(\"%s\") = \"%s\", expected \"%s\"\n", value, got, expected);
	free(got);
	assert_true(ok);
}

static void expect_error(const char *value, const char *substr)
{
	char error[256] = "";
	char *got = expand_vars(value, error, sizeof error);
	if (got) {
		print_error("expand_vars(\"%s\") = \"%s\"\n", value, got);
		free(got);
		fail_msg("expected an error containing \"%s\"", substr);
	}
	assert_contains(error, substr);
}

static void no_variables(void **state)
{
	(void)state;
	expect("", "");
	expect("plain text", "plain text");
	expect("{braces} and $ alone", "{braces} and $ alone");
	/* a $ not followed by { or $ stays as written */
	expect("$HOME $1 a$ $", "$HOME $1 a$ $");
	expect("price: 5$", "price: 5$");
}

static void set_variables(void **state)
{
	(void)state;
	expect("${TEND_UT_A}", "alpha");
	expect("x${TEND_UT_A}y", "xalphay");
	expect("${TEND_UT_A}${TEND_UT_A}", "alphaalpha");
	expect("${TEND_UT_A}/${TEND_UT_SPACES}/", "alpha/ a b /");
	expect("[${TEND_UT_EMPTY}]", "[]");
	/* a value is not expanded again */
	expect("${TEND_UT_DOLLAR}", "$x${TEND_UT_A}$$");
	/* a set variable wins over its default */
	expect("${TEND_UT_A:-other}", "alpha");
}

static void defaults(void **state)
{
	(void)state;
	expect("${TEND_UT_UNSET:-fallback}", "fallback");
	expect("${TEND_UT_EMPTY:-fallback}", "fallback");	/* like the shell's :- */
	expect("${TEND_UT_UNSET:-}", "");
	expect("a${TEND_UT_UNSET:-b c}d", "ab cd");
	expect("${TEND_UT_UNSET:-/var/run/x.sock}", "/var/run/x.sock");
	expect("${TEND_UT_UNSET:-a:b-c}", "a:b-c");
	/* the default ends at the first } */
	expect("${TEND_UT_UNSET:-a}b}", "ab}");
}

/* "x" inside `levels` defaults of unset variables, in buf. */
static const char *nested(char *buf, size_t size, int levels)
{
	size_t n = 0;
	for (int i = 0; i < levels; i++)
		n += (size_t)snprintf(buf + n, size - n, "${TEND_UT_UNSET:-");
	n += (size_t)snprintf(buf + n, size - n, "x");
	for (int i = 0; i < levels; i++)
		n += (size_t)snprintf(buf + n, size - n, "}");
	assert_true(n < size);
	return buf;
}

/* A default may hold references of its own, expanded like the shell's:
 * never passed through as the literal text "${B}". */
static void nested_defaults(void **state)
{
	(void)state;
	expect("${TEND_UT_UNSET:-${TEND_UT_A}}", "alpha");
	expect("${TEND_UT_UNSET:-x${TEND_UT_A}y}z", "xalphayz");
	expect("${TEND_UT_UNSET:-${TEND_UT_UNSET:-inner}}", "inner");
	expect("${TEND_UT_EMPTY:-${TEND_UT_UNSET:-${TEND_UT_A}}}", "alpha");
	expect("${TEND_UT_UNSET:-${TEND_UT_EMPTY:-${TEND_UT_UNSET:-deep}/x}/y}/z", "deep/x/y/z");
	/* the default's value is not expanded again */
	expect("${TEND_UT_UNSET:-${TEND_UT_DOLLAR}}", "$x${TEND_UT_A}$$");
	/* $$ and a lone $ in a default, at any level */
	expect("${TEND_UT_UNSET:-$$5}", "$5");
	expect("${TEND_UT_UNSET:-$${TEND_UT_A}}", "${TEND_UT_A}");
	expect("${TEND_UT_UNSET:-${TEND_UT_UNSET:-a$$b$}}", "a$b$");
	/* an unused default is not expanded: its unset variables are no error */
	expect("${TEND_UT_A:-${TEND_UT_UNSET}}", "alpha");
	expect("${TEND_UT_A:-${TEND_UT_UNSET:-${TEND_UT_UNSET}}}", "alpha");
	/* the default still ends at the first } that closes no ${ of its own */
	expect("${TEND_UT_UNSET:-${TEND_UT_UNSET:-a}b}c}", "abc}");
}

static void nested_errors(void **state)
{
	(void)state;
	expect_error("${TEND_UT_UNSET:-${TEND_UT_UNSET}}", "environment variable TEND_UT_UNSET is not set");
	expect_error("${TEND_UT_UNSET:-${TEND_UT_EMPTY:-${TEND_UT_UNSET}}}", "TEND_UT_UNSET is not set");
	/* unterminated, at any level */
	expect_error("${TEND_UT_UNSET:-${TEND_UT_A}", "bad variable reference \"${TEND_UT_UNSET:-${TEND");
	expect_error("${TEND_UT_UNSET:-${TEND_UT_UNSET:-x}", "bad variable reference");
	expect_error("${TEND_UT_UNSET:-${TEND_UT_UNSET:-x", "bad variable reference");
	expect_error("${TEND_UT_A:-${TEND_UT_UNSET:-x}", "bad variable reference");
	/* a mistake in a default is found even when the default is not used */
	expect_error("${TEND_UT_A:-${1A}}", "bad variable reference \"${1A}");
	expect_error("${TEND_UT_A:-${}}", "bad variable reference");
	/* nesting is bounded */
	char value[512];
	expect(nested(value, sizeof value, 16), "x");
	expect_error(nested(value, sizeof value, 17), "nested more than 16 deep");
}

static void dollar_dollar(void **state)
{
	(void)state;
	expect("$$", "$");
	expect("$$$$", "$$");
	expect("cost $$5", "cost $5");
	expect("$${TEND_UT_A}", "${TEND_UT_A}");
	expect("$$$${TEND_UT_A}", "$${TEND_UT_A}");
	expect("$$${TEND_UT_A}", "$alpha");
	expect("sh -c 'echo $$HOME'", "sh -c 'echo $HOME'");
}

static void names(void **state)
{
	(void)state;
	setenv("_TEND_UT_9", "under", 1);
	setenv("tend_ut_lower", "lower", 1);
	expect("${_TEND_UT_9}", "under");
	expect("${tend_ut_lower}", "lower");
	unsetenv("_TEND_UT_9");
	unsetenv("tend_ut_lower");
}

static void errors(void **state)
{
	(void)state;
	expect_error("${TEND_UT_UNSET}", "environment variable TEND_UT_UNSET is not set");
	expect_error("${TEND_UT_UNSET}", "${TEND_UT_UNSET:-default}");
	expect_error("ok ${TEND_UT_A} then ${TEND_UT_UNSET}", "TEND_UT_UNSET is not set");
	expect_error("${", "bad variable reference");
	expect_error("${}", "bad variable reference");
	expect_error("${TEND_UT_A", "bad variable reference");
	expect_error("${TEND_UT_UNSET:-no end", "bad variable reference");
	expect_error("${1A}", "bad variable reference");
	expect_error("${A B}", "bad variable reference");
	expect_error("${TEND_UT_A-x}", "bad variable reference");
	expect_error("${TEND_UT_A:x}", "bad variable reference");
	expect_error("${TEND-UT}", "bad variable reference");
	/* the message shows where, and how to write it */
	expect_error("a ${", "\"${\"");
	expect_error("${}", "$$ for a literal $");
}

static void long_values(void **state)
{
	(void)state;
	/* output longer than any first guess of its size */
	char value[4096], expected[4096 * 2];
	size_t v = 0, e = 0;
	for (int i = 0; i < 300; i++) {
		v += (size_t)snprintf(value + v, sizeof value - v, "${TEND_UT_A}.");
		e += (size_t)snprintf(expected + e, sizeof expected - e, "alpha.");
	}
	expect(value, expected);

	char name[300];
	memset(name, 'A', sizeof name - 1);
	name[sizeof name - 1] = '\0';
	char ref[400];
	snprintf(ref, sizeof ref, "${%s}", name);
	expect_error(ref, "variable name too long");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(no_variables),
		cmocka_unit_test(set_variables),
		cmocka_unit_test(defaults),
		cmocka_unit_test(nested_defaults),
		cmocka_unit_test(nested_errors),
		cmocka_unit_test(dollar_dollar),
		cmocka_unit_test(names),
		cmocka_unit_test(errors),
		cmocka_unit_test(long_values),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

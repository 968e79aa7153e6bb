/* The value parsers (values.c) and signal names (signames.c) directly, for
 * the details that are awkward to reach through a whole config. */
#include "testutil.h"

#include <signal.h>

#include "signames.h"
#include "values.h"

static char err[256];

/* ---- lists ---- */

static char **list;

static int free_list(void **state)
{
	(void)state;
	value_list_free(list);
	list = NULL;
	return 0;
}

#define T(fn) cmocka_unit_test_teardown(fn, free_list)

static void expect_list(bool (*parse)(const char *, char ***, char *, size_t), const char *s,
			const char *const *expected)
{
	value_list_free(list);
	list = NULL;
	if (!parse(s, &list, err, sizeof err))
		fail_msg("\"%s\" refused: %s", s, err);
	size_t n = 0;
	for (; expected[n]; n++) {
		if (!list[n])
			fail_msg("\"%s\": %zu items, expected more", s, n);
		assert_string_equal(list[n], expected[n]);
	}
	if (list[n])
		fail_msg("\"%s\": extra item \"%s\"", s, list[n]);
}
#define ITEMS(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define NO_ITEMS ((const char *const[]){ NULL })

static void expect_refused(bool (*parse)(const char *, char ***, char *, size_t), const char *s, const char *substr)
{
	char **out = NULL;
	err[0] = '\0';
	if (parse(s, &out, err, sizeof err)) {
		value_list_free(out);
		fail_msg("\"%s\" should be refused", s);
	}
	assert_null(out);
	assert_contains(err, substr);
}

static void lists(void **state)
{
	(void)state;
	expect_list(value_list, "", NO_ITEMS);
	expect_list(value_list, "  ", NO_ITEMS);
	expect_list(value_list, "a", ITEMS("a"));
	expect_list(value_list, "a,b", ITEMS("a", "b"));
	expect_list(value_list, " a , b\t,c ", ITEMS("a", "b", "c"));
	expect_list(value_list, "a b,c", ITEMS("a b", "c"));
	expect_refused(value_list, ",", "empty item");
	expect_refused(value_list, "a,", "empty item");
	expect_refused(value_list, ",a", "empty item");
	expect_refused(value_list, "a, ,b", "empty item");
}

static void environment(void **state)
{
	(void)state;
	expect_list(value_environment, "", NO_ITEMS);
	expect_list(value_environment, "A=1", ITEMS("A=1"));
	expect_list(value_environment, "A=1,B=2", ITEMS("A=1", "B=2"));
	expect_list(value_environment, " A = 1 , B=two words ", ITEMS("A=1", "B=two words"));
	expect_list(value_environment, "A=\"x,y\",B='p, q',C=\"\"", ITEMS("A=x,y", "B=p, q", "C="));
	expect_list(value_environment, "A=\"  padded  \"", ITEMS("A=  padded  "));
	expect_list(value_environment, "A=", ITEMS("A="));
	expect_list(value_environment, "A=b=c", ITEMS("A=b=c"));
	expect_list(value_environment, "A='say \"hi\"'", ITEMS("A=say \"hi\""));
	expect_list(value_environment, "_x9=1", ITEMS("_x9=1"));
	expect_list(value_environment, "A=1,", ITEMS("A=1"));
	expect_refused(value_environment, "A", "expected KEY=value at \"A\"");
	expect_refused(value_environment, "A=1,,B=2", "expected KEY=value");
	expect_refused(value_environment, "9A=1", "expected KEY=value");
	expect_refused(value_environment, "A B=1", "expected KEY=value");
	expect_refused(value_environment, "A=\"x", "unterminated quote in the value of A");
	expect_refused(value_environment, "A='x\"", "unterminated quote");
	expect_refused(value_environment, "A=\"x\" y", "unexpected text after the quoted value of A");
}

/* ---- numbers ---- */

static void durations(void **state)
{
	(void)state;
	double d = -1;
	assert_true(value_duration("0", &d, err, sizeof err));
	assert_double(d, 0);
	assert_true(value_duration("0.5", &d, err, sizeof err));
	assert_double(d, 0.5);
	assert_true(value_duration("5.", &d, err, sizeof err));
	assert_double(d, 5);
	assert_true(value_duration("007", &d, err, sizeof err));
	assert_double(d, 7);
	assert_true(value_duration("86400", &d, err, sizeof err));
	assert_double(d, DURATION_MAX);
	static const char *const bad[] = { "", "-0", "+1", " 1", "1 ", "1e2", "nan", "inf", "0x1", "1,5", ".", "..5" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		d = 42;
		if (value_duration(bad[i], &d, err, sizeof err))
			fail_msg("duration \"%s\" accepted", bad[i]);
		assert_contains(err, "is not a number of seconds");
		assert_double(d, 42);	/* left alone */
	}
	assert_false(value_duration("86400.001", &d, err, sizeof err));
	assert_contains(err, "out of range (0 to 86400 seconds)");
}

static void counts(void **state)
{
	(void)state;
	unsigned v = 7;
	assert_true(value_count("0", 10, &v, err, sizeof err));
	assert_int_equal(v, 0);
	assert_true(value_count("10", 10, &v, err, sizeof err));
	assert_int_equal(v, 10);
	assert_false(value_count("11", 10, &v, err, sizeof err));
	assert_string_equal(err, "11 is out of range (0 to 10)");
	assert_false(value_count("18446744073709551616", 10, &v, err, sizeof err));
	assert_contains(err, "out of range");
	static const char *const bad[] = { "", "-1", "+1", "1.0", "1e1", "0x1", " 1", "one" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (value_count(bad[i], 10, &v, err, sizeof err))
			fail_msg("count \"%s\" accepted", bad[i]);
		assert_contains(err, "is not a whole number >= 0");
	}
	assert_int_equal(v, 10);
	/* with a lower bound: both ends named */
	assert_true(value_count_range("1", 1, 10, &v, err, sizeof err));
	assert_int_equal(v, 1);
	assert_false(value_count_range("0", 1, 10, &v, err, sizeof err));
	assert_string_equal(err, "0 is out of range (1 to 10)");
	assert_false(value_count_range("11", 1, 10, &v, err, sizeof err));
	assert_string_equal(err, "11 is out of range (1 to 10)");
	assert_false(value_count_range("x", 1, 10, &v, err, sizeof err));
	assert_string_equal(err, "\"x\" is not a whole number >= 1");
}

static void octal(void **state)
{
	(void)state;
	int v = -1;
	assert_true(value_octal("022", 0777, &v, err, sizeof err));
	assert_int_equal(v, 022);
	assert_true(value_octal("777", 0777, &v, err, sizeof err));
	assert_int_equal(v, 0777);
	assert_true(value_octal("0", 0777, &v, err, sizeof err));
	assert_int_equal(v, 0);
	static const char *const bad[] = { "", "8", "09", "1000", "-1", "+1", "0x7", "0o7", "7 ", "99999999999999999999999" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (value_octal(bad[i], 0777, &v, err, sizeof err))
			fail_msg("octal \"%s\" accepted", bad[i]);
		assert_contains(err, "is not an octal mode from 0 to 777");
	}
	assert_int_equal(v, 0);
}

static void exitcodes(void **state)
{
	(void)state;
	bool codes[EXIT_CODES_MAX];
	assert_true(value_exitcodes("0, 2,255", codes, err, sizeof err));
	for (int i = 0; i < EXIT_CODES_MAX; i++)
		assert_int_equal(codes[i], i == 0 || i == 2 || i == 255);
	/* empty: no exit code is expected */
	assert_true(value_exitcodes("", codes, err, sizeof err));
	for (int i = 0; i < EXIT_CODES_MAX; i++)
		assert_false(codes[i]);
	assert_false(value_exitcodes("1,256", codes, err, sizeof err));
	assert_string_equal(err, "256 is out of range (0 to 255)");
	assert_false(value_exitcodes("1,x", codes, err, sizeof err));
	assert_contains(err, "\"x\" is not a whole number");
}

/* ---- words ---- */

static void bools(void **state)
{
	(void)state;
	bool b = false;
	assert_true(value_bool("On", &b, err, sizeof err));
	assert_true(b);
	assert_true(value_bool("NO", &b, err, sizeof err));
	assert_false(b);
	assert_false(value_bool("", &b, err, sizeof err));
	assert_false(value_bool("truee", &b, err, sizeof err));
	assert_false(value_bool("2", &b, err, sizeof err));
	assert_string_equal(err, "\"2\" is not a boolean (true or false)");

	enum autorestart a = AUTORESTART_FALSE;
	assert_true(value_autorestart("Unexpected", &a, err, sizeof err));
	assert_int_equal(a, AUTORESTART_UNEXPECTED);
	assert_true(value_autorestart("on", &a, err, sizeof err));
	assert_int_equal(a, AUTORESTART_TRUE);
	assert_true(value_autorestart("0", &a, err, sizeof err));
	assert_int_equal(a, AUTORESTART_FALSE);
	assert_false(value_autorestart("always", &a, err, sizeof err));
	assert_string_equal(err, "\"always\" is not one of true, false, unexpected");
}

static void signals(void **state)
{
	(void)state;
	assert_int_equal(signal_from_name("TERM"), SIGTERM);
	assert_int_equal(signal_from_name("SIGTERM"), SIGTERM);
	assert_int_equal(signal_from_name("sigterm"), SIGTERM);
	assert_int_equal(signal_from_name("Quit"), SIGQUIT);
	assert_int_equal(signal_from_name("WINCH"), SIGWINCH);
	assert_int_equal(signal_from_name("STKFLT"), SIGSTKFLT);
	assert_int_equal(signal_from_name("15"), SIGTERM);
	assert_int_equal(signal_from_name("SIG15"), SIGTERM);
	assert_int_equal(signal_from_name("1"), SIGHUP);
	assert_int_equal(signal_from_name("64"), 64);
	static const char *const bad[] = { "", "SIG", "TERMM", "0", "65", "-1", "15x", " 15", "1.0", "SIGSIGTERM" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (signal_from_name(bad[i]) != 0)
			fail_msg("\"%s\" taken as signal %d", bad[i], signal_from_name(bad[i]));

	assert_string_equal(signal_name(SIGTERM), "TERM");
	assert_string_equal(signal_name(SIGHUP), "HUP");
	assert_string_equal(signal_name(40), "SIG40");
	for (int sig = 1; sig < 32; sig++)	/* every named signal reads back */
		assert_int_equal(signal_from_name(signal_name(sig)), sig);

	int s = 0;
	assert_true(value_signal("usr2", &s, err, sizeof err));
	assert_int_equal(s, SIGUSR2);
	assert_false(value_signal("TERMM", &s, err, sizeof err));
	assert_string_equal(err, "unknown signal \"TERMM\"");
}

static void forward_signals(void **state)
{
	(void)state;
	uint64_t mask = 99;
	assert_true(value_forward_signals("", &mask, err, sizeof err));
	assert_int_equal(mask, 0);
	assert_true(value_forward_signals("HUP, SIGUSR1,usr2 ,winch", &mask, err, sizeof err));
	assert_int_equal(mask, (UINT64_C(1) << SIGHUP) | (UINT64_C(1) << SIGUSR1) | (UINT64_C(1) << SIGUSR2) |
				       (UINT64_C(1) << SIGWINCH));
	assert_true(value_forward_signals("1", &mask, err, sizeof err));	/* HUP by number */
	assert_int_equal(mask, UINT64_C(1) << SIGHUP);
	static const char *const bad[] = { "TERM", "INT", "QUIT", "KILL", "CHLD", "HUP,TERM", "nope", "64", "0" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		mask = 99;
		if (value_forward_signals(bad[i], &mask, err, sizeof err))
			fail_msg("forward_signals \"%s\" accepted", bad[i]);
		assert_contains(err, "cannot be forwarded (only HUP, USR1, USR2, WINCH)");
		assert_int_equal(mask, 99);	/* left alone */
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(lists),
		T(environment),
		T(durations),
		T(counts),
		T(octal),
		T(exitcodes),
		T(bools),
		T(signals),
		T(forward_signals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

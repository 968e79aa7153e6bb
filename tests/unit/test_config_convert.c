/* config_convert: one converter for each kind of value, called the way the
 * key table calls it (the parsers of values.c have test_values.c). */
#include "testutil.h"

#include <signal.h>

#include "config.h"
#include "config_convert.h"
#include "users.h"
#include "values.h"

static char err[256];

static void expect_error(enum key_kind kind, const char *value, void *field, unsigned max, const char *substr)
{
	err[0] = '\0';
	if (config_convert(kind, value, field, max, err, sizeof err))
		fail_msg("\"%s\" was taken, expected an error containing \"%s\"", value, substr);
	assert_contains(err, substr);
}

static void command_sets_command_and_argv(void **state)
{
	(void)state;
	struct program_config p = { 0 };
	assert_true(config_convert(K_COMMAND, "/bin/echo 'a b'", &p, 0, err, sizeof err));
	assert_string_equal(p.command, "/bin/echo 'a b'");
	assert_string_equal(p.argv[1], "a b");
	assert_null(p.argv[2]);
	/* a second value replaces the first (no leak under ASan) */
	assert_true(config_convert(K_COMMAND, "/bin/true", &p, 0, err, sizeof err));
	assert_string_equal(p.argv[0], "/bin/true");
	assert_null(p.argv[1]);
	expect_error(K_COMMAND, "'open", &p, 0, "unterminated single quote");
	assert_string_equal(p.command, "/bin/true");	/* kept */
	free(p.command);
	free(p.argv);
}

static void strings(void **state)
{
	(void)state;
	char *s = NULL;
	assert_true(config_convert(K_STRING, "/srv", &s, 0, err, sizeof err));
	assert_true(config_convert(K_STRING, "/srv/app", &s, 0, err, sizeof err));
	assert_string_equal(s, "/srv/app");
	expect_error(K_STRING, "", &s, 0, "empty value");
	free(s);
	s = NULL;
	assert_true(config_convert(K_SOCKET, "/run/x.sock", &s, 0, err, sizeof err));
	assert_string_equal(s, "/run/x.sock");
	expect_error(K_SOCKET, "x.sock", &s, 0, "is not an absolute path of at most");
	free(s);
	s = NULL;
	assert_true(config_convert(K_LISTEN, "127.0.0.1:9000", &s, 0, err, sizeof err));
	assert_string_equal(s, "127.0.0.1:9000");
	free(s);
}

static void numbers_with_max(void **state)
{
	(void)state;
	unsigned count;
	assert_true(config_convert(K_COUNT, "1000", &count, 1000, err, sizeof err));
	assert_int_equal(count, 1000);
	expect_error(K_COUNT, "1001", &count, 1000, "out of range (0 to 1000)");
	int mode;
	assert_true(config_convert(K_OCTAL, "0640", &mode, 0777, err, sizeof err));
	assert_int_equal(mode, 0640);
	expect_error(K_OCTAL, "1000", &mode, 0777, "not an octal mode from 0 to 777");
}

static void durations_and_intervals(void **state)
{
	(void)state;
	double d;
	assert_true(config_convert(K_DURATION, "0", &d, 0, err, sizeof err));
	assert_double(d, 0);
	assert_true(config_convert(K_INTERVAL, "0.5", &d, 0, err, sizeof err));
	assert_double(d, 0.5);
	expect_error(K_INTERVAL, "0", &d, 0, "must be more than 0 seconds");
	expect_error(K_INTERVAL, "x", &d, 0, "not a number of seconds");
}

static void kinds_parsed_by_values(void **state)
{
	(void)state;
	bool b = false;
	assert_true(config_convert(K_BOOL, "yes", &b, 0, err, sizeof err));
	assert_true(b);
	enum autorestart a;
	assert_true(config_convert(K_AUTORESTART, "unexpected", &a, 0, err, sizeof err));
	assert_int_equal(a, AUTORESTART_UNEXPECTED);
	bool codes[EXIT_CODES_MAX];
	assert_true(config_convert(K_EXITCODES, "0,2", codes, 0, err, sizeof err));
	assert_true(codes[2]);
	assert_false(codes[1]);
	int sig;
	assert_true(config_convert(K_SIGNAL, "HUP", &sig, 0, err, sizeof err));
	assert_int_equal(sig, SIGHUP);
	uint64_t mask;
	assert_true(config_convert(K_FORWARD, "USR1", &mask, 0, err, sizeof err));
	assert_true(mask == UINT64_C(1) << SIGUSR1);
}

static void lists(void **state)
{
	(void)state;
	char **list = NULL;
	assert_true(config_convert(K_ENVIRONMENT, "A=1", &list, 0, err, sizeof err));
	assert_true(config_convert(K_ENVIRONMENT, "B=2,C=3", &list, 0, err, sizeof err));	/* replaces */
	assert_string_equal(list[0], "B=2");
	assert_string_equal(list[1], "C=3");
	assert_null(list[2]);
	expect_error(K_ENVIRONMENT, "A=1,A=2", &list, 0, "A is set twice");
	assert_null(list);
	assert_true(config_convert(K_DEPENDS, "db, cache", &list, 0, err, sizeof err));
	assert_string_equal(list[1], "cache");
	assert_true(config_convert(K_DEPENDS, "", &list, 0, err, sizeof err));
	assert_null(list[0]);
	value_list_free(list);
}

static void log_settings(void **state)
{
	(void)state;
	enum log_level level;
	assert_true(config_convert(K_LOG_LEVEL, "warn", &level, 0, err, sizeof err));
	assert_int_equal(level, LOG_WARN);
	expect_error(K_LOG_LEVEL, "loud", &level, 0, "\"loud\" is not one of error, warn, info, debug");
	enum log_format format;
	assert_true(config_convert(K_LOG_FORMAT, "json", &format, 0, err, sizeof err));
	assert_int_equal(format, LOG_JSON);
	expect_error(K_LOG_FORMAT, "xml", &format, 0, "\"xml\" is not one of text, json");
}

static void users_and_probes(void **state)
{
	(void)state;
	struct run_as u = { 0 };
	assert_true(config_convert(K_USER, "0:0", &u, 0, err, sizeof err));
	assert_true(u.set);
	assert_int_equal(u.uid, 0);
	user_free(&u);
	struct probe_spec probe = { 0 };
	assert_true(config_convert(K_PROBE, "exec:true", &probe, 0, err, sizeof err));
	assert_true(config_convert(K_PROBE, "tcp://127.0.0.1:80", &probe, 0, err, sizeof err));	/* replaces */
	assert_int_equal(probe.kind, PROBE_TCP);
	probe_spec_free(&probe);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(command_sets_command_and_argv),
		cmocka_unit_test(strings),
		cmocka_unit_test(numbers_with_max),
		cmocka_unit_test(durations_and_intervals),
		cmocka_unit_test(kinds_parsed_by_values),
		cmocka_unit_test(lists),
		cmocka_unit_test(log_settings),
		cmocka_unit_test(users_and_probes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

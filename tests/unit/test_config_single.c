/* The config of single-command mode (tend -- COMMAND, tend(8) SIGNALS): one program
 * with tini's behaviour, no file. */
#include "testutil.h"

#include <signal.h>

#include "config.h"

static void one_quiet_program(void **state)
{
	(void)state;
	char *argv[] = { "/usr/local/bin/app", "--port", "80", NULL };
	struct config *cfg = config_single_command(argv);
	assert_non_null(cfg);
	assert_string_equal(cfg->path, "(command line)");
	assert_null(cfg->socket);
	assert_null(cfg->health_listen);
	assert_false(cfg->exit_on_fatal);
	assert_int_equal(cfg->log_level, LOG_WARN);
	assert_int_equal(cfg->log_format, LOG_TEXT);
	assert_double(cfg->shutdown_timeout, 9);
	assert_int_equal(cfg->nprograms, 1);
	const struct program_config *p = &cfg->programs[0];
	assert_string_equal(p->name, "app");
	assert_ptr_equal(p->argv[0], argv[0]);	/* borrowed */
	assert_string_equal(p->argv[2], "80");
	assert_null(p->argv[3]);
	assert_null(p->command);
	assert_int_equal(p->autorestart, AUTORESTART_FALSE);
	for (int code = 0; code < EXIT_CODES_MAX; code++)
		assert_true(p->exitcodes[code]);
	assert_double(p->startsecs, 0);
	assert_false(p->stopasgroup);
	assert_true(p->killasgroup);
	assert_double(p->stopwaitsecs, 5);
	assert_true(p->tty_foreground);
	/* the rest as a program's defaults */
	assert_int_equal(p->stopsignal, SIGTERM);
	assert_int_equal(p->umask, -1);
	assert_true(p->required);
	assert_non_null(p->envp);
	config_free(cfg);
}

static void program_defaults(void **state)
{
	(void)state;
	struct program_config p;
	assert_true(program_config_defaults(&p));
	assert_true(p.autostart);
	assert_int_equal(p.autorestart, AUTORESTART_UNEXPECTED);
	assert_true(p.exitcodes[0]);
	assert_false(p.exitcodes[1]);
	assert_double(p.backoff_max, 30);
	assert_double(p.healthcheck_interval, 10);
	assert_int_equal(p.umask, -1);
	assert_false(p.tty_foreground);
	program_config_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(one_quiet_program),
		cmocka_unit_test(program_defaults),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The config contract (tend.ini(5)) through config_load_string: defaults and
 * values of every key, the diagnostics of every kind of mistake (one error,
 * on the right line, with a recognisable message), and the INI details
 * (continuations, comments, CRLF, BOM, ${VAR}, long lines). */
#include "testutil.h"

#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>

#include "config_fixture.h"

extern char **environ;

/* ---- helpers ---- */

static int cleanup(void **state)
{
	(void)state;
	fixture_free();
	unsetenv("TEND_UT_SET");
	unsetenv("TEND_UT_EMPTY");
	unsetenv("TEND_UT_UNSET");
	unsetenv("TEND_UT_WORDS");
	unsetenv("TEND_UT_KEEP");
	unsetenv("TEND_UT_OVER");
	unsetenv("TEND_UT_NEW");
	return 0;
}

/* Loads text that must load without any diagnostic. */
static struct config *load_ok(const char *text)
{
	fixture_load_string(text, "test.ini");
	if (!cfg || diags.count != 0) {
		dump_diagnostics(text, &diags);
		fail_msg("expected the config to load without diagnostics");
	}
	return cfg;
}

/* Loads text that must load, with exactly one diagnostic: a warning on line
 * `line` containing substr. */
static struct config *load_with_warning(const char *text, int line, const char *substr)
{
	fixture_load_string(text, "test.ini");
	if (!cfg || diags.count != 1 || diags.errors != 0 || !diags.items[0].warning ||
	    diags.items[0].line != line || !strstr(diags.items[0].text, substr)) {
		dump_diagnostics(text, &diags);
		fail_msg("expected the config to load with one warning on line %d containing \"%s\"", line, substr);
	}
	return cfg;
}

/* text must be refused with exactly one error diagnostic, on `line`, whose
 * text contains substr. Returns nothing: frees everything itself. */
static void expect_one_error(const char *text, int line, const char *substr)
{
	struct diagnostics d;
	struct config *c = config_load_string(text, "test.ini", &d);
	const struct diagnostic *err = NULL;
	size_t nerr = 0;
	for (size_t i = 0; i < d.count; i++) {
		if (!d.items[i].warning) {
			nerr++;
			err = &d.items[i];
		}
	}
	bool ok = !c && d.errors == 1 && nerr == 1 && err->line == line && strstr(err->text, substr);
	if (!ok)
		dump_diagnostics(text, &d);
	config_free(c);
	diagnostics_free(&d);
	if (!ok)
		fail_msg("expected exactly one error, on line %d, containing \"%s\"", line, substr);
}

/* One bad line as line 3 of a program that is otherwise fine. */
static void expect_program_error(const char *line, const char *substr)
{
	char text[1024];
	snprintf(text, sizeof text, "[program:web]\ncommand = /bin/true\n%s\n", line);
	expect_one_error(text, 3, substr);
}

/* One bad line as line 2, in [tend]. */
static void expect_tend_error(const char *line, const char *substr)
{
	char text[1024];
	snprintf(text, sizeof text, "[tend]\n%s\n[program:web]\ncommand = /bin/true\n", line);
	expect_one_error(text, 2, substr);
}

/* Loads "[program:web]\ncommand = /bin/true\n" + line and returns web. */
static const struct program_config *web_with(const char *line)
{
	char text[1024];
	snprintf(text, sizeof text, "[program:web]\ncommand = /bin/true\n%s\n", line);
	load_ok(text);
	assert_int_equal(cfg->nprograms, 1);
	return &cfg->programs[0];
}

static size_t index_of(const char *name)
{
	return (size_t)(program_named(name) - cfg->programs);
}

static void assert_argv(char **argv, const char *const *expected)
{
	size_t n = 0;
	for (; expected[n]; n++) {
		if (!argv[n])
			fail_msg("argv has %zu words, expected more (next: \"%s\")", n, expected[n]);
		assert_string_equal(argv[n], expected[n]);
	}
	if (argv[n])
		fail_msg("argv has an extra word \"%s\"", argv[n]);
}
#define ARGV(...) ((const char *const[]){ __VA_ARGS__, NULL })

static size_t count_envp(char **envp, const char *prefix)
{
	size_t n = 0;
	for (; *envp; envp++)
		n += strncmp(*envp, prefix, strlen(prefix)) == 0;
	return n;
}

static bool envp_has(char **envp, const char *entry)
{
	for (; *envp; envp++)
		if (strcmp(*envp, entry) == 0)
			return true;
	return false;
}

/* ---- [tend] ---- */

static void tend_defaults(void **state)
{
	(void)state;
	load_ok("[program:web]\ncommand = /bin/true\n");
	assert_string_equal(cfg->path, "test.ini");
	assert_double(cfg->shutdown_timeout, 9);
	assert_true(cfg->exit_on_fatal);
	assert_int_equal(cfg->log_level, LOG_INFO);
	assert_int_equal(cfg->log_format, LOG_TEXT);
	/* an empty [tend] changes nothing */
	load_ok("[tend]\n[program:web]\ncommand = /bin/true\n");
	assert_double(cfg->shutdown_timeout, 9);
	assert_true(cfg->exit_on_fatal);
	assert_int_equal(cfg->log_level, LOG_INFO);
	assert_int_equal(cfg->log_format, LOG_TEXT);
}

static void tend_values(void **state)
{
	(void)state;
	load_ok("[tend]\n"
		"shutdown_timeout = 2.5\n"
		"exit_on_fatal = false\n"
		"log_level = debug\n"
		"log_format = json\n"
		"[program:web]\ncommand = /bin/true\n");
	assert_double(cfg->shutdown_timeout, 2.5);
	assert_false(cfg->exit_on_fatal);
	assert_int_equal(cfg->log_level, LOG_DEBUG);
	assert_int_equal(cfg->log_format, LOG_JSON);

	static const struct {
		const char *name;
		enum log_level level;
	} levels[] = { { "error", LOG_ERROR }, { "warn", LOG_WARN }, { "info", LOG_INFO }, { "debug", LOG_DEBUG } };
	for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++) {
		char text[128];
		snprintf(text, sizeof text, "[tend]\nlog_level = %s\n", levels[i].name);
		load_ok(text);
		assert_int_equal(cfg->log_level, levels[i].level);
	}
	load_ok("[tend]\nlog_format = text\n");
	assert_int_equal(cfg->log_format, LOG_TEXT);
}

/* ---- [program:NAME] ---- */

static void program_defaults(void **state)
{
	(void)state;
	load_ok("[tend]\n\n[program:web]\ncommand = /bin/true\n");
	assert_int_equal(cfg->nprograms, 1);
	const struct program_config *p = &cfg->programs[0];
	assert_string_equal(p->name, "web");
	assert_int_equal(p->line, 3);
	assert_string_equal(p->command, "/bin/true");
	assert_argv(p->argv, ARGV("/bin/true"));
	assert_null(p->directory);
	assert_false(p->user.set);
	assert_int_equal(p->user.ngroups, 0);
	assert_null(p->env_extra);
	assert_non_null(p->envp);
	assert_int_equal(p->umask, -1);
	assert_true(p->autostart);
	assert_int_equal(p->autorestart, AUTORESTART_UNEXPECTED);
	assert_true(p->exitcodes[0]);
	for (int code = 1; code < EXIT_CODES_MAX; code++)
		assert_false(p->exitcodes[code]);
	assert_double(p->startsecs, 1);
	assert_int_equal(p->startretries, 3);
	assert_double(p->backoff, 1);
	assert_double(p->backoff_max, 30);
	assert_int_equal(p->stopsignal, SIGTERM);
	assert_double(p->stopwaitsecs, 5);
	assert_true(p->stopasgroup);
	assert_true(p->killasgroup);
	assert_int_equal(p->priority, 999);
	assert_int_equal(p->ndepends, 0);
	assert_true(p->required);
	assert_int_equal(p->forward_signals, 0);
	assert_int_equal(p->restart_limit, 0);
	assert_double(p->restart_window, 60);
	assert_int_equal(p->start_step, 0);
	assert_false(p->tty_foreground);
}

static void program_values(void **state)
{
	(void)state;
	load_ok("[program:db]\n"
		"command = /bin/true\n"
		"[program:web]\n"
		"command = /usr/sbin/nginx -g 'daemon off;'\n"
		"directory = /tmp\n"
		"user = 12:34\n"
		"environment = A=1,B=\"x y\"\n"
		"umask = 027\n"
		"autostart = false\n"
		"autorestart = true\n"
		"exitcodes = 2,255\n"
		"startsecs = 0.5\n"
		"startretries = 0\n"
		"backoff = 0\n"
		"backoff_max = 2.5\n"
		"stopsignal = QUIT\n"
		"stopwaitsecs = 3\n"
		"stopasgroup = false\n"
		"killasgroup = false\n"
		"priority = 10\n"
		"depends_on = db\n"
		"required = false\n"
		"forward_signals = HUP,USR1\n"
		"restart_limit = 5\n"
		"restart_window = 120.5\n");
	const struct program_config *p = program_named("web");
	assert_int_equal(p->line, 3);
	assert_string_equal(p->command, "/usr/sbin/nginx -g 'daemon off;'");
	assert_argv(p->argv, ARGV("/usr/sbin/nginx", "-g", "daemon off;"));
	assert_string_equal(p->directory, "/tmp");
	assert_true(p->user.set);
	assert_int_equal(p->user.uid, 12);
	assert_int_equal(p->user.gid, 34);
	assert_int_equal(p->user.ngroups, 0);
	assert_non_null(p->env_extra);
	assert_string_equal(p->env_extra[0], "A=1");
	assert_string_equal(p->env_extra[1], "B=x y");
	assert_null(p->env_extra[2]);
	assert_int_equal(p->umask, 027);
	assert_false(p->autostart);
	assert_int_equal(p->autorestart, AUTORESTART_TRUE);
	for (int code = 0; code < EXIT_CODES_MAX; code++)
		assert_int_equal(p->exitcodes[code], code == 2 || code == 255);
	assert_double(p->startsecs, 0.5);
	assert_int_equal(p->startretries, 0);
	assert_double(p->backoff, 0);
	assert_double(p->backoff_max, 2.5);
	assert_int_equal(p->stopsignal, SIGQUIT);
	assert_double(p->stopwaitsecs, 3);
	assert_false(p->stopasgroup);
	assert_false(p->killasgroup);
	assert_int_equal(p->priority, 10);
	assert_int_equal(p->ndepends, 1);
	assert_int_equal(p->depends_on[0], index_of("db"));
	assert_false(p->required);
	assert_int_equal(p->forward_signals, (UINT64_C(1) << SIGHUP) | (UINT64_C(1) << SIGUSR1));
	assert_int_equal(p->restart_limit, 5);
	assert_double(p->restart_window, 120.5);
}

static void bool_spellings(void **state)
{
	(void)state;
	static const char *const yes[] = { "true", "TRUE", "yes", "on", "1" };
	static const char *const no[] = { "false", "False", "no", "off", "0" };
	char line[64];
	for (size_t i = 0; i < 5; i++) {
		snprintf(line, sizeof line, "required = %s", yes[i]);
		assert_true(web_with(line)->required);
		snprintf(line, sizeof line, "required = %s", no[i]);
		assert_false(web_with(line)->required);
	}
	assert_int_equal(web_with("autorestart = false")->autorestart, AUTORESTART_FALSE);
	assert_int_equal(web_with("autorestart = unexpected")->autorestart, AUTORESTART_UNEXPECTED);
	assert_int_equal(web_with("autorestart = yes")->autorestart, AUTORESTART_TRUE);
}

static void number_ranges(void **state)
{
	(void)state;
	assert_double(web_with("startsecs = 0")->startsecs, 0);
	assert_double(web_with("startsecs = 86400")->startsecs, 86400);
	assert_double(web_with("backoff = .25")->backoff, 0.25);
	assert_int_equal(web_with("startretries = 1000")->startretries, 1000);
	assert_int_equal(web_with("priority = 0")->priority, 0);
	assert_int_equal(web_with("priority = 1000000")->priority, 1000000);
	assert_int_equal(web_with("restart_limit = 10000")->restart_limit, 10000);
	assert_int_equal(web_with("umask = 0")->umask, 0);
	assert_int_equal(web_with("umask = 22")->umask, 022);
	assert_int_equal(web_with("umask = 0777")->umask, 0777);
	const struct program_config *p = web_with("exitcodes = 0, 1 ,2");
	for (int code = 0; code < EXIT_CODES_MAX; code++)
		assert_int_equal(p->exitcodes[code], code <= 2);
}

static void signal_spellings(void **state)
{
	(void)state;
	assert_int_equal(web_with("stopsignal = SIGINT")->stopsignal, SIGINT);
	assert_int_equal(web_with("stopsignal = quit")->stopsignal, SIGQUIT);
	assert_int_equal(web_with("stopsignal = 9")->stopsignal, SIGKILL);
	assert_int_equal(web_with("stopsignal = WINCH")->stopsignal, SIGWINCH);
	assert_int_equal(web_with("forward_signals = HUP, USR1, USR2, WINCH")->forward_signals,
			 (UINT64_C(1) << SIGHUP) | (UINT64_C(1) << SIGUSR1) | (UINT64_C(1) << SIGUSR2) |
				 (UINT64_C(1) << SIGWINCH));
	assert_int_equal(web_with("forward_signals = SIGHUP")->forward_signals, UINT64_C(1) << SIGHUP);
	assert_int_equal(web_with("forward_signals =")->forward_signals, 0);
}

/* The warning about a stopwaitsecs that shutdown_timeout makes pointless. */
static void stopwaitsecs_over_shutdown_timeout_warns(void **state)
{
	(void)state;
	load_with_warning("[program:web]\ncommand = /bin/true\nstopwaitsecs = 9\n", 3, "shutdown_timeout");
	assert_double(cfg->programs[0].stopwaitsecs, 9);
	load_with_warning("[tend]\nshutdown_timeout = 2\n[program:web]\ncommand = /bin/true\nstopwaitsecs = 3\n", 5,
			  "stopwaitsecs");
	load_ok("[tend]\nshutdown_timeout = 20\n[program:web]\ncommand = /bin/true\nstopwaitsecs = 10\n");
	/* the default 5 under a short shutdown_timeout is not the user's doing */
	load_ok("[tend]\nshutdown_timeout = 2\n[program:web]\ncommand = /bin/true\n");
}

/* ---- keys this version refuses, keys supervisord has ---- */

static void not_supported_yet(void **state)
{
	(void)state;
	expect_program_error("log_prefix = maybe", "[program:web] log_prefix:");
	load_ok("[program:web]\ncommand = /bin/true\nlog_prefix = false\n");
	config_free(cfg);
	cfg = NULL;
}

static void health_keys(void **state)
{
	(void)state;
	load_ok("[program:web]\ncommand = /bin/true\n");
	const struct program_config *p = &cfg->programs[0];
	assert_int_equal(p->healthcheck.kind, PROBE_NONE);
	assert_double(p->healthcheck_interval, 10);
	assert_double(p->healthcheck_timeout, 5);
	assert_int_equal(p->healthcheck_retries, 3);
	assert_double(p->healthcheck_start_period, 0);
	assert_false(p->restart_on_unhealthy);
	config_free(cfg);
	cfg = NULL;
	load_ok("[program:web]\ncommand = /bin/true\nhealthcheck = http://127.0.0.1:3000/api/health\n"
		"healthcheck_interval = 0.5\nhealthcheck_timeout = 0.2\nhealthcheck_retries = 1\n"
		"healthcheck_start_period = 30\nrestart_on_unhealthy = true\n");
	p = &cfg->programs[0];
	assert_int_equal(p->healthcheck.kind, PROBE_HTTP);
	assert_non_null(strstr(p->healthcheck.request, "GET /api/health HTTP/1.1"));
	assert_double(p->healthcheck_interval, 0.5);
	assert_double(p->healthcheck_timeout, 0.2);
	assert_int_equal(p->healthcheck_retries, 1);
	assert_double(p->healthcheck_start_period, 30);
	assert_true(p->restart_on_unhealthy);
	web_with("healthcheck = exec:/bin/check --quick");
	assert_int_equal(cfg->programs[0].healthcheck.kind, PROBE_EXEC);
	assert_string_equal(cfg->programs[0].healthcheck.argv[1], "--quick");
	expect_program_error("healthcheck = ftp://127.0.0.1:21", "is not http://HOST:PORT/PATH");
	expect_program_error("healthcheck = tcp://db.example:5432", "not a numeric address");
	expect_program_error("healthcheck_interval = 0", "must be more than 0 seconds");
	expect_program_error("healthcheck_timeout = 0", "must be more than 0 seconds");
	load_with_warning("[program:web]\ncommand = /bin/true\nrestart_on_unhealthy = true\n", 1,
			  "restart_on_unhealthy has no effect without a healthcheck");
	/* the watchdog makes it unhealthy too: no warning then */
	load_ok("[program:web]\ncommand = /bin/true\nnotify = true\nwatchdog_sec = 1\nrestart_on_unhealthy = true\n");
}

static void notify_keys(void **state)
{
	(void)state;
	unsetenv("TEND_SOCKET");
	load_ok("[tend]\nsocket = /tmp/t/tend.sock\n[program:web]\ncommand = /bin/true\nnotify = true\nwatchdog_sec = 2.5\n");
	const struct program_config *p = &cfg->programs[0];
	assert_true(p->notify);
	assert_string_equal(p->notify_path, "/tmp/t/notify/web.sock");
	assert_true(envp_has(p->envp, "NOTIFY_SOCKET=/tmp/t/notify/web.sock"));
	assert_true(envp_has(p->envp, "WATCHDOG_USEC=2500000"));
	config_free(cfg);
	cfg = NULL;
	load_ok("[program:web]\ncommand = /bin/true\n");
	assert_false(cfg->programs[0].notify);
	assert_null(cfg->programs[0].notify_path);
	assert_int_equal(count_envp(cfg->programs[0].envp, "NOTIFY_SOCKET="), 0);
	expect_program_error("watchdog_sec = 5", "watchdog_sec needs notify = true");
}

/* oneshot (tend.ini(5)): off by default; a task refuses what only a
 * long-running program has, each on its own line, naming oneshot's line. */
static void oneshot_keys(void **state)
{
	(void)state;
	assert_false(web_with("")->oneshot);
	const struct program_config *p = web_with("oneshot = true\nstartsecs = 5\nstartretries = 0");
	assert_true(p->oneshot);
	assert_true(web_with("oneshot = true\nautorestart = false")->oneshot);
	assert_true(web_with("oneshot = true\nautorestart = unexpected\nexitcodes = 0,3")->oneshot);
	assert_true(web_with("oneshot = true\nrestart_limit = 0")->oneshot);	/* 0: no limit to mind */
	expect_one_error("[program:web]\ncommand = /bin/true\noneshot = true\nautorestart = true\n", 4,
			 "[program:web] autorestart = true does not go with oneshot = true (line 3)");
	/* the other order: the error is still on autorestart's line */
	expect_one_error("[program:web]\ncommand = /bin/true\nautorestart = true\n\noneshot = yes\n", 3,
			 "autorestart = true does not go with oneshot = true (line 5)");
	expect_one_error("[program:web]\ncommand = /bin/true\noneshot = true\nhealthcheck = tcp://127.0.0.1:80\n", 4,
			 "healthcheck does not go with oneshot");
	expect_one_error("[program:web]\ncommand = /bin/true\noneshot = true\nrestart_limit = 3\n", 4,
			 "restart_limit does not go with oneshot");
	expect_one_error("[program:web]\ncommand = /bin/true\noneshot = true\nrestart_on_unhealthy = true\n", 4,
			 "restart_on_unhealthy does not go with oneshot");
	unsetenv("TEND_SOCKET");
	expect_one_error("[tend]\nsocket = /tmp/t/tend.sock\n[program:web]\ncommand = /bin/true\noneshot = true\n"
			 "notify = true\n",
			 6, "notify does not go with oneshot");
	/* a program with none of them, and oneshot = false, is fine */
	assert_false(web_with("oneshot = false\nautorestart = true\nrestart_limit = 3")->oneshot);
}

static void http_keys(void **state)
{
	(void)state;
	unsetenv("TEND_SOCKET");
	load_ok("[program:web]\ncommand = /bin/true\n");
	assert_string_equal(cfg->socket, "/run/tend/tend.sock");
	config_free(cfg);
	cfg = NULL;
	setenv("TEND_SOCKET", "/tmp/from-env.sock", 1);
	load_ok("[program:web]\ncommand = /bin/true\n");
	assert_string_equal(cfg->socket, "/tmp/from-env.sock");
	unsetenv("TEND_SOCKET");
	assert_int_equal(cfg->socket_mode, 0600);
	assert_null(cfg->health_listen);
	config_free(cfg);
	cfg = NULL;
	load_ok("[tend]\nsocket = /tmp/x/t.sock\nsocket_mode = 0660\nhealth_listen = [::1]:8080\n"
		"[program:web]\ncommand = /bin/true\n");
	assert_string_equal(cfg->socket, "/tmp/x/t.sock");
	assert_int_equal(cfg->socket_mode, 0660);
	assert_string_equal(cfg->health_listen, "[::1]:8080");
	expect_tend_error("socket = relative.sock", "not an absolute path");
	char line[256] = "socket = /";
	memset(line + 10, 'a', 120);
	line[130] = '\0';
	expect_tend_error(line, "at most 107 bytes");
	expect_tend_error("socket_mode = 999", "not an octal mode");
	expect_tend_error("health_listen = 8080", "is not HOST:PORT");
	expect_tend_error("health_listen = 127.0.0.1:99999", "no port from 1 to 65535");
	expect_tend_error("health_listen = example.com:80", "not a numeric address");
	expect_tend_error("health_listen = [::1:80", "is not [IPV6]:PORT");

	/* a bad $TEND_SOCKET is an error only for a file that does not set socket */
	setenv("TEND_SOCKET", "relative.sock", 1);
	expect_one_error("[program:web]\ncommand = /bin/true\n", 0, "not an absolute path");
	load_ok("[tend]\nsocket = /tmp/x/t.sock\n[program:web]\ncommand = /bin/true\nnotify = true\n");
	assert_string_equal(cfg->socket, "/tmp/x/t.sock");
	assert_string_equal(cfg->programs[0].notify_path, "/tmp/x/notify/web.sock");
	config_free(cfg);
	cfg = NULL;
	/* and when the file's value is bad too, that is the one error */
	expect_one_error("[tend]\nsocket = rel.sock\n[program:web]\ncommand = /bin/true\nnotify = true\n", 2,
			 "not an absolute path");
	unsetenv("TEND_SOCKET");
}

/* supervisord's output keys: the standard streams are what tend does
 * anyway; a file is a warning (tend.ini(5)). */
static void supervisord_keys_warn(void **state)
{
	(void)state;
	load_ok("[program:web]\ncommand = /bin/true\nstdout_logfile = /dev/stdout\nstdout_logfile_maxbytes = 0\n"
		"stderr_logfile = /dev/fd/2\nstderr_logfile_maxbytes = 0\nstdout_logfile_backups = 3\n");
	assert_false(cfg->programs[0].redirect_stderr);
	assert_false(cfg->programs[0].stdout_to_stderr);
	load_with_warning("[program:web]\ncommand = /bin/true\nstdout_logfile = /var/log/web.log\n", 3,
			  "goes to tend's stdout, not to /var/log/web.log");
	assert_true(diags.items[0].ignored);
	load_with_warning("[program:web]\ncommand = /bin/true\n\nstderr_logfile = NONE\n", 4, "not discarded");
	load_with_warning("[program:web]\ncommand = /bin/true\nstdout_logfile = /dev/null\n", 3, "not discarded");
	/* what images write to reach the container's log: tend's streams too */
	load_ok("[program:web]\ncommand = /bin/true\nstdout_logfile = /proc/1/fd/1\nstderr_logfile = /proc/self/fd/2\n");
	load_ok("[program:web]\ncommand = /bin/true\nstderr_logfile = /proc/1/fd/1\n");
	assert_true(cfg->programs[0].redirect_stderr);

	/* the other stream: stderr into tend's stdout, stdout into tend's stderr */
	load_ok("[program:web]\ncommand = /bin/true\nstderr_logfile = /dev/stdout\n");
	assert_true(cfg->programs[0].redirect_stderr);
	load_ok("[program:web]\ncommand = /bin/true\nstdout_logfile = /dev/fd/2\n");
	assert_true(cfg->programs[0].stdout_to_stderr);
	load_ok("[program:web]\ncommand = /bin/true\nstderr_logfile = /dev/stdout\nstdout_logfile = /dev/fd/2\n");
	assert_true(cfg->programs[0].streams_swapped);
	assert_false(cfg->programs[0].redirect_stderr);
	/* with log_prefix, stdout crossed into tend's stderr is relayed to its
	 * stdout: the warning names the stdout_logfile line */
	load_with_warning("[program:web]\ncommand = /bin/true\nlog_prefix = true\n\nstdout_logfile = /dev/stderr\n", 5,
			  "stdout_logfile: with log_prefix its stdout is relayed to tend's stdout");
	load_with_warning("[tend]\nlog_prefix = true\n[program:web]\ncommand = /bin/true\nstderr_logfile = /dev/stdout\n"
			  "stdout_logfile = /dev/fd/2\n", 6, "with log_prefix its stdout is relayed");
	/* redirected: the stderr file is not used, as in supervisord */
	load_ok("[program:web]\ncommand = /bin/true\nredirect_stderr = true\nstderr_logfile = /var/log/x.err\n");

	/* several: each a warning, the config still loads */
	config_free(cfg);
	diagnostics_free(&diags);
	cfg = config_load_string("[program:web]\n"
				 "command = /bin/true\n"
				 "stdout_logfile = /var/log/a\n"
				 "stdout_syslog = true\n"
				 "serverurl = http://127.0.0.1:9001\n"
				 "stdout_events_enabled = true\n",
				 "test.ini", &diags);
	assert_non_null(cfg);
	assert_int_equal(diags.errors, 0);
	assert_int_equal(diags.count, 3);
	for (size_t i = 0; i < 3; i++) {
		assert_true(diags.items[i].warning);
		assert_int_equal(diags.items[i].line, (int)i + 3);
	}
}

/* ---- sections and names ---- */

static void unknown_key_hint(void **state)
{
	(void)state;
	expect_program_error("autorestat = true", "unknown key \"autorestat\" (did you mean \"autorestart\"?)");
	expect_program_error("stop_signal = QUIT", "(did you mean \"stopsignal\"?)");
	expect_program_error("dependson = db", "(did you mean \"depends_on\"?)");
	expect_tend_error("shutdown_timout = 5", "unknown key \"shutdown_timout\" (did you mean \"shutdown_timeout\"?)");
	/* nothing near: no hint */
	expect_program_error("frobnicate = 1", "unknown key \"frobnicate\"");
	struct diagnostics d;
	assert_null(config_load_string("[program:web]\ncommand = /bin/true\nfrobnicate = 1\n", "test.ini", &d));
	assert_int_equal(d.count, 1);
	assert_null(strstr(d.items[0].text, "did you mean"));
	diagnostics_free(&d);
	/* a [program] key is unknown in [tend] */
	expect_tend_error("command = /bin/true", "unknown key \"command\"");
}

static void unknown_section(void **state)
{
	(void)state;
	expect_one_error("[program:web]\ncommand = /bin/true\n\n[supervisor]\nnodaemon = true\n", 4,
			 "unknown section [supervisor]");
	expect_one_error("[programs]\ncommand = /bin/true\n", 1, "[program:NAME]");
	expect_one_error("[program:web]\ncommand = /bin/true\n[Tend]\n", 3, "unknown section [Tend]");
}

static void bad_program_name(void **state)
{
	(void)state;
	static const char *const bad[] = { "", "-web", ".web", "we b", "web/1", "web:1", "wéb",
					   "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" /* 65 */ };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char text[256];
		snprintf(text, sizeof text, "[tend]\n[program:%s]\ncommand = /bin/true\n", bad[i]);
		expect_one_error(text, 2, "a program name is 1 to 64");
	}
	/* the limits themselves are fine */
	load_ok("[program:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa]\ncommand = /bin/true\n");
	assert_int_equal(strlen(cfg->programs[0].name), 64);
	load_ok("[program:A]\ncommand = /bin/true\n[program:web_1.2-x]\ncommand = /bin/true\n[program:9]\ncommand = /bin/true\n");
	assert_string_equal(cfg->programs[1].name, "web_1.2-x");
	/* blanks around the section name are not part of it */
	load_ok("[ program:web ]\ncommand = /bin/true\n");
	assert_string_equal(cfg->programs[0].name, "web");
}

static void duplicate_program(void **state)
{
	(void)state;
	expect_one_error("[program:web]\ncommand = /bin/true\n\n[program:web]\ncommand = /bin/false\n", 4,
			 "program \"web\" is defined twice (first on line 1)");
	expect_one_error("[tend]\n[tend]\n[program:web]\ncommand = /bin/true\n", 2, "[tend] appears twice");
}

static void missing_command(void **state)
{
	(void)state;
	expect_one_error("[program:web]\ncommand = /bin/true\n\n[program:app]\nautostart = false\n", 4,
			 "[program:app]: command is missing");
	expect_one_error("[program:app]\n", 1, "command is missing");
}

/* ---- values that do not parse: one error, on the key's line ---- */

static void bad_bool(void **state)
{
	(void)state;
	expect_program_error("autostart = maybe", "[program:web] autostart: \"maybe\" is not a boolean");
	expect_program_error("required = 2", "is not a boolean");
	expect_program_error("stopasgroup =", "is not a boolean");
	expect_tend_error("exit_on_fatal = nope", "[tend] exit_on_fatal: \"nope\" is not a boolean");
}

static void bad_duration(void **state)
{
	(void)state;
	expect_program_error("startsecs = -1", "[program:web] startsecs: \"-1\" is not a number of seconds");
	expect_program_error("startsecs = abc", "\"abc\" is not a number of seconds");
	expect_program_error("backoff = 1e3", "is not a number of seconds");
	expect_program_error("backoff = 0x10", "is not a number of seconds");
	expect_program_error("backoff = inf", "is not a number of seconds");
	expect_program_error("stopwaitsecs = 1.2.3", "is not a number of seconds");
	expect_program_error("stopwaitsecs = .", "is not a number of seconds");
	expect_program_error("stopwaitsecs = 5s", "is not a number of seconds");
	expect_program_error("restart_window =", "is not a number of seconds");
	expect_program_error("backoff_max = 86400.5", "out of range");
	expect_program_error("startsecs = 99999999999999999999999", "out of range");
	expect_tend_error("shutdown_timeout = -5", "[tend] shutdown_timeout: \"-5\" is not a number of seconds");
	expect_tend_error("shutdown_timeout = 100000", "out of range");
}

static void bad_count(void **state)
{
	(void)state;
	expect_program_error("startretries = -1", "[program:web] startretries: \"-1\" is not a whole number");
	expect_program_error("startretries = 2.5", "is not a whole number");
	expect_program_error("startretries = three", "is not a whole number");
	expect_program_error("startretries = 1001", "out of range (0 to 1000)");
	expect_program_error("priority = 1000001", "out of range");
	expect_program_error("priority = 99999999999999999999999", "out of range");
	expect_program_error("restart_limit = +1", "is not a whole number");
	expect_program_error("restart_limit = 10001", "out of range");
}

static void bad_octal(void **state)
{
	(void)state;
	expect_program_error("umask = 8", "[program:web] umask: \"8\" is not an octal mode");
	expect_program_error("umask = 0o22", "is not an octal mode");
	expect_program_error("umask = 1000", "is not an octal mode");
	expect_program_error("umask = -1", "is not an octal mode");
	expect_program_error("umask = abc", "is not an octal mode");
	expect_program_error("umask =", "is not an octal mode");
}

static void bad_signal(void **state)
{
	(void)state;
	expect_program_error("stopsignal = TERMM", "unknown signal \"TERMM\"");
	expect_program_error("stopsignal = 0", "unknown signal");
	expect_program_error("stopsignal = 65", "unknown signal");
	expect_program_error("stopsignal = -15", "unknown signal");
	expect_program_error("stopsignal =", "unknown signal");
	/* tend.ini(5) shows the whole text of this one */
	struct diagnostics d;
	assert_null(config_load_string("[program:web]\ncommand = /bin/true\nstopsignal = TERMM\n", "test.ini", &d));
	assert_int_equal(d.count, 1);
	assert_string_equal(d.items[0].text, "[program:web] stopsignal: unknown signal \"TERMM\"");
	diagnostics_free(&d);
}

static void bad_autorestart(void **state)
{
	(void)state;
	expect_program_error("autorestart = sometimes", "\"sometimes\" is not one of true, false, unexpected");
	expect_program_error("autorestart =", "is not one of true, false, unexpected");
}

static void bad_exitcodes(void **state)
{
	(void)state;
	expect_program_error("exitcodes = 256", "[program:web] exitcodes: 256 is out of range (0 to 255)");
	expect_program_error("exitcodes = 0,1000", "out of range");
	expect_program_error("exitcodes = -1", "is not a whole number");
	expect_program_error("exitcodes = 0,,1", "empty item");
	expect_program_error("exitcodes = 0,", "empty item");
	expect_program_error("exitcodes = a", "is not a whole number");
}

static void bad_forward_signals(void **state)
{
	(void)state;
	expect_program_error("forward_signals = TERM", "\"TERM\" cannot be forwarded (only HUP, USR1, USR2, WINCH)");
	expect_program_error("forward_signals = HUP,KILL", "\"KILL\" cannot be forwarded");
	expect_program_error("forward_signals = HUPP", "\"HUPP\" cannot be forwarded");
	/* the highest signal number: no shift past the 64-bit mask */
	expect_program_error("forward_signals = 64", "\"64\" cannot be forwarded");
	expect_program_error("forward_signals = HUP,,USR1", "empty item");
}

static void bad_environment(void **state)
{
	(void)state;
	expect_program_error("environment = FOO", "[program:web] environment: expected KEY=value at \"FOO\"");
	expect_program_error("environment = 1A=x", "expected KEY=value");
	expect_program_error("environment = A-B=x", "expected KEY=value");
	expect_program_error("environment = =x", "expected KEY=value");
	expect_program_error("environment = A=1,B", "expected KEY=value at \"B\"");
	expect_program_error("environment = A=\"open", "unterminated quote in the value of A");
	expect_program_error("environment = A=\"x\"y", "unexpected text after the quoted value of A");
}

static void bad_string(void **state)
{
	(void)state;
	expect_program_error("directory =", "[program:web] directory: empty value");
	expect_tend_error("log_level = verbose", "\"verbose\" is not one of error, warn, info, debug");
	expect_tend_error("log_format = xml", "\"xml\" is not one of text, json");
}

/* A command that does not split is its own error, not also "missing". */
static void bad_command(void **state)
{
	(void)state;
	expect_one_error("[program:web]\ncommand = /bin/echo 'x\n", 2, "[program:web] command: unterminated single quote");
	expect_one_error("[program:web]\ncommand = /bin/echo \"x\n", 2, "unterminated double quote");
	expect_one_error("[program:web]\ncommand = /bin/echo x\\\n", 2, "backslash at the end");
	expect_one_error("[program:web]\ncommand =\n", 2, "empty command");
	expect_one_error("[program:web]\ncommand = ${TEND_UT_UNSET}\n", 2, "TEND_UT_UNSET is not set");
}

/* ---- dependencies ---- */

static void unknown_dependency(void **state)
{
	(void)state;
	expect_one_error("[program:db]\ncommand = /bin/true\n[program:web]\ncommand = /bin/true\ndepends_on = db, dbx\n", 5,
			 "[program:web] depends_on: no program named \"dbx\"");
	expect_program_error("depends_on = db,,cache", "empty item");
}

static void dependency_cycle(void **state)
{
	(void)state;
	expect_one_error("[program:a]\ncommand = /bin/true\ndepends_on = b\n"
			 "[program:b]\ncommand = /bin/true\ndepends_on = a\n",
			 1, "dependency cycle a -> b -> a");
	expect_one_error("[program:a]\ncommand = /bin/true\ndepends_on = a\n", 1, "dependency cycle a -> a");
	/* the cycle does not include the first program: the line is one of the cycle's headers */
	expect_one_error("[program:x]\ncommand = /bin/true\n"
			 "[program:a]\ncommand = /bin/true\ndepends_on = x, b\n"
			 "[program:b]\ncommand = /bin/true\ndepends_on = c\n"
			 "[program:c]\ncommand = /bin/true\ndepends_on = a\n",
			 3, "dependency cycle a -> b -> c -> a");
	expect_one_error("[program:x]\ncommand = /bin/true\ndepends_on = b\n"
			 "[program:a]\ncommand = /bin/true\n"
			 "[program:b]\ncommand = /bin/true\ndepends_on = c\n"
			 "[program:c]\ncommand = /bin/true\ndepends_on = b\n",
			 6, "dependency cycle b -> c -> b");
}

static void dependency_resolution(void **state)
{
	(void)state;
	load_ok("[program:web]\ncommand = /bin/true\ndepends_on = app, cache ,app\n"
		"[program:app]\ncommand = /bin/true\ndepends_on = db\n"
		"[program:db]\ncommand = /bin/true\ndepends_on =\n"
		"[program:cache]\ncommand = /bin/true\n");
	const struct program_config *web = program_named("web");
	assert_int_equal(web->ndepends, 2);	/* the repeated app counts once */
	assert_int_equal(web->depends_on[0], index_of("app"));
	assert_int_equal(web->depends_on[1], index_of("cache"));
	assert_int_equal(program_named("app")->ndepends, 1);
	assert_int_equal(program_named("app")->depends_on[0], index_of("db"));
	assert_int_equal(program_named("db")->ndepends, 0);
	assert_int_equal(program_named("cache")->ndepends, 0);
	/* a dependency may be defined later in the file, and steps follow it */
	assert_int_equal(program_named("db")->start_step, 0);
	assert_int_equal(program_named("cache")->start_step, 0);
	assert_int_equal(program_named("app")->start_step, 1);
	assert_int_equal(program_named("web")->start_step, 2);
}

static unsigned step(const char *name)
{
	return program_named(name)->start_step;
}

static void start_steps(void **state)
{
	(void)state;
	/* no priorities, no dependencies: all together */
	load_ok("[program:a]\ncommand = /bin/true\n[program:b]\ncommand = /bin/true\n[program:c]\ncommand = /bin/true\n");
	assert_int_equal(step("a"), 0);
	assert_int_equal(step("b"), 0);
	assert_int_equal(step("c"), 0);

	/* priorities: lower first, equal ones together */
	load_ok("[program:a]\ncommand = /bin/true\npriority = 10\n"
		"[program:b]\ncommand = /bin/true\npriority = 5\n"
		"[program:c]\ncommand = /bin/true\npriority = 10\n"
		"[program:d]\ncommand = /bin/true\n");
	assert_int_equal(step("b"), 0);
	assert_int_equal(step("a"), 1);
	assert_int_equal(step("c"), 1);
	assert_int_equal(step("d"), 2);

	/* a dependency beats priority: a (1) waits for b (100); c (50) is free first */
	load_ok("[program:a]\ncommand = /bin/true\npriority = 1\ndepends_on = b\n"
		"[program:b]\ncommand = /bin/true\npriority = 100\n"
		"[program:c]\ncommand = /bin/true\npriority = 50\n");
	assert_int_equal(step("c"), 0);
	assert_int_equal(step("b"), 1);
	assert_int_equal(step("a"), 2);

	/* diamond */
	load_ok("[program:d]\ncommand = /bin/true\ndepends_on = b, c\n"
		"[program:b]\ncommand = /bin/true\ndepends_on = a\n"
		"[program:c]\ncommand = /bin/true\ndepends_on = a\n"
		"[program:a]\ncommand = /bin/true\n");
	assert_int_equal(step("a"), 0);
	assert_int_equal(step("b"), 1);
	assert_int_equal(step("c"), 1);
	assert_int_equal(step("d"), 2);

	/* same priority, one depends on the other: not together */
	load_ok("[program:nginx]\ncommand = /bin/true\npriority = 10\ndepends_on = app\n"
		"[program:app]\ncommand = /bin/true\npriority = 10\n"
		"[program:cron]\ncommand = /bin/true\npriority = 10\n");
	assert_int_equal(step("app"), 0);
	assert_int_equal(step("cron"), 0);
	assert_int_equal(step("nginx"), 1);
}

/* ---- INI syntax ---- */

static void key_outside_section(void **state)
{
	(void)state;
	expect_one_error("command = /bin/true\n[program:web]\ncommand = /bin/true\n", 1, "\"command\" is outside any section");
	expect_one_error("; a comment\n\nlog_level = debug\n[tend]\n", 3, "outside any section");
}

static void line_without_equals(void **state)
{
	(void)state;
	expect_program_error("autostart false", "expected \"key = value\"");
	expect_one_error("[tend]\njust words\n", 2, "expected \"key = value\"");
	/* the ; of an inline comment comes before any = */
	expect_program_error("autostart ; = false", "expected \"key = value\"");
	/* a command without its = is that error alone, not "command is missing" too */
	expect_one_error("[program:web]\ncommand /bin/true\n", 2, "expected \"key = value\"");
}

static void header_without_bracket(void **state)
{
	(void)state;
	expect_one_error("[program:web]\ncommand = /bin/true\n[program:app\ncommand = /bin/true\n", 3,
			 "section header without a closing ]");
	expect_one_error("[tend\nlog_level = debug\n", 1, "without a closing ]");
}

static void keys_ignore_case(void **state)
{
	(void)state;
	/* supervisord's parser lowercases option names: copied sections keep working */
	load_ok("[program:web]\nCommand = /bin/true\nAutoStart = false\n");
	assert_false(cfg->programs[0].autostart);
	expect_one_error("[program:web]\ncommand = /bin/true\nCOMMAND = /bin/false\n", 3, "set twice");
}

static void misspelt_command_one_error(void **state)
{
	(void)state;
	/* the hint explains the missing command: no second line for it */
	expect_one_error("[program:web]\ncomand = /bin/true\n", 2, "did you mean \"command\"");
}

static void environment_name_twice(void **state)
{
	(void)state;
	expect_program_error("environment = A=1,B=2,A=3", "A is set twice");
}

static void set_twice(void **state)
{
	(void)state;
	expect_one_error("[program:web]\ncommand = /bin/true\nautostart = true\nautostart = false\n", 4,
			 "[program:web] autostart: set twice (first on line 3)");
	expect_one_error("[program:web]\ncommand = /bin/true\ncommand = /bin/false\n", 3, "command: set twice (first on line 2)");
	expect_one_error("[tend]\nlog_level = info\n\nlog_level = debug\n", 4, "log_level: set twice (first on line 2)");
}

static void indented_key(void **state)
{
	(void)state;
	expect_one_error("[program:web]\ncommand = /bin/true\n  autostart = false\n", 3,
			 "this indented line continues the value of \"command\"");
	expect_one_error("[program:web]\ncommand = /bin/true\n\tpriority: 5\n", 3, "if it is a key, do not indent it");
	/* an indented line with = that is not a key is part of the value */
	load_ok("[program:web]\ncommand = /bin/server\n    --listen=:8080\n");
	assert_argv(cfg->programs[0].argv, ARGV("/bin/server", "--listen=:8080"));
	/* an indented line with no key above it in its section (tend.ini(5)) */
	expect_one_error("[program:web]\n  command = /bin/true\n", 2, "an indented line with no key above it");
	expect_one_error("[program:web]\ncommand = /bin/true\n  [program:x]\n", 3, "looks like a section header");
}

/* Lines longer than Debian's inih's 200-byte buffer: up to 64 KiB (tend.ini(5)). */
static void long_lines(void **state)
{
	(void)state;
	/* a 60 000-byte command */
	size_t n = 60000;
	char *text = malloc(n + 200), *arg = malloc(n);
	memset(arg, 'a', n - 40);
	arg[n - 40] = '\0';
	snprintf(text, n + 200, "[program:web]\ncommand = /bin/echo %s ; a comment\nautostart = false\n", arg);
	assert_true(strlen(text) > 60000);
	load_ok(text);
	assert_int_equal(strlen(cfg->programs[0].argv[1]), n - 40);
	assert_false(cfg->programs[0].autostart);	/* the line after it read as usual */

	/* a long continuation line */
	snprintf(text, n + 200, "[program:web]\ncommand = /bin/echo\n  %s\n", arg);
	load_ok(text);
	assert_string_equal(cfg->programs[0].argv[1], arg);
	free(arg);
	free(text);

	/* more than 64 KiB: an error naming the line */
	n = 70000;
	text = malloc(n + 200);
	char *v = malloc(n);
	memset(v, 'b', n - 1);
	v[n - 1] = '\0';
	snprintf(text, n + 200, "[program:web]\ncommand = /bin/true\ndirectory = /%s\nautostart = false\n", v);
	expect_one_error(text, 3, "line too long (70012 bytes, at most 65536)");
	free(v);
	free(text);
}

/* Several mistakes: every one is reported, in line order. */
static void errors_in_line_order(void **state)
{
	(void)state;
	assert_null(config_load_string("[program:b]\n"
				       "command = /bin/true\n"
				       "depends_on = nosuch\n"
				       "[program:a]\n"
				       "stopsignal = TERMM\n"
				       "[weird]\n"
				       "stdout_logfile = x\n",
				       "test.ini", &diags));
	assert_int_equal(diags.errors, 4);
	assert_int_equal(diags.count, 4);
	static const int lines[] = { 3, 4, 5, 6 };
	static const char *const texts[] = { "no program named", "command is missing", "unknown signal", "unknown section" };
	for (size_t i = 0; i < 4; i++) {
		assert_int_equal(diags.items[i].line, lines[i]);
		assert_contains(diags.items[i].text, texts[i]);
	}
}

/* diagnostics_print writes tend(8)'s "tend: FILE:LINE: text" lines. */
static void diagnostics_format(void **state)
{
	(void)state;
	assert_null(config_load_string("[program:web]\ncommand = /bin/true\nstopsignal = TERMM\nstdout_logfile = x\n",
				       "test.ini", &diags));
	char path[] = "/tmp/tend-test-stderr-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	fflush(stderr);
	int saved = dup(STDERR_FILENO);
	dup2(fd, STDERR_FILENO);
	diagnostics_print(&diags, "/etc/tend/tend.ini");
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	char out[1024] = "";
	ssize_t got = pread(fd, out, sizeof out - 1, 0);
	close(fd);
	unlink(path);
	assert_true(got > 0);
	assert_string_equal(out, "tend: /etc/tend/tend.ini:3: [program:web] stopsignal: unknown signal \"TERMM\"\n"
				 "tend: /etc/tend/tend.ini:4: warning: ignored: [program:web] stdout_logfile: the "
				 "program's stdout goes to tend's stdout, not to x\n");
}

static void continuation_lines(void **state)
{
	(void)state;
	load_ok("[program:web]\n"
		"command = /usr/bin/app\n"
		"    --config /etc/app.conf\n"
		"\t--verbose\n"
		"autostart = false\n");
	const struct program_config *p = &cfg->programs[0];
	assert_string_equal(p->command, "/usr/bin/app --config /etc/app.conf --verbose");
	assert_argv(p->argv, ARGV("/usr/bin/app", "--config", "/etc/app.conf", "--verbose"));
	assert_false(p->autostart);

	/* comment lines and blank lines inside do not end the value */
	load_ok("[program:web]\n"
		"command = /bin/echo one\n"
		"  ; not a word\n"
		"\n"
		"  two ; not a word either\n");
	assert_string_equal(cfg->programs[0].command, "/bin/echo one two");

	/* any value can continue, e.g. a long environment */
	load_ok("[program:web]\ncommand = /bin/true\nenvironment = A=1,\n    B=2,\n    C=\"3\"\n");
	char **env = cfg->programs[0].env_extra;
	assert_string_equal(env[0], "A=1");
	assert_string_equal(env[1], "B=2");
	assert_string_equal(env[2], "C=3");
	assert_null(env[3]);

	/* quotes may span continuation lines (joined with one space) */
	load_ok("[program:web]\ncommand = /bin/echo 'a\n    b'\n");
	assert_argv(cfg->programs[0].argv, ARGV("/bin/echo", "a b"));
}

static void comments(void **state)
{
	(void)state;
	load_ok("; leading comment\n"
		"# another\n"
		"[program:web] ; after a header\n"
		"  ; indented comment\n"
		"command = /bin/echo a;b c#d # e ; this is a comment\n"
		"autostart = false ;comment\n"
		"priority = 5\t; after a tab\n"
		"#autostart = true\n"
		";[program:old]\n");
	const struct program_config *p = &cfg->programs[0];
	assert_argv(p->argv, ARGV("/bin/echo", "a;b", "c#d"));	/* " #" cuts, as in supervisord */
	assert_false(p->autostart);
	assert_int_equal(p->priority, 5);
	assert_int_equal(cfg->nprograms, 1);
}

static void crlf(void **state)
{
	(void)state;
	load_ok("[tend]\r\n"
		"log_level = debug\r\n"
		"\r\n"
		"[program:web]\r\n"
		"command = /bin/echo hi ; comment\r\n"
		"    there\r\n"
		"environment = A=\"x\"\r\n"
		"autostart = false\r\n");
	assert_int_equal(cfg->log_level, LOG_DEBUG);
	const struct program_config *p = &cfg->programs[0];
	assert_int_equal(p->line, 4);
	assert_argv(p->argv, ARGV("/bin/echo", "hi", "there"));
	assert_string_equal(p->env_extra[0], "A=x");
	assert_false(p->autostart);
	/* line numbers still right */
	expect_one_error("[program:web]\r\ncommand = /bin/true\r\n\r\nstopsignal = TERMM\r\n", 4, "unknown signal \"TERMM\"");
}

static void bom(void **state)
{
	(void)state;
	load_ok("\xEF\xBB\xBF[program:web]\ncommand = /bin/true\n");
	assert_string_equal(cfg->programs[0].name, "web");
	assert_int_equal(cfg->programs[0].line, 1);
	load_ok("\xEF\xBB\xBF; comment\n[tend]\nlog_level = warn\n");
	assert_int_equal(cfg->log_level, LOG_WARN);
	expect_one_error("\xEF\xBB\xBF[program:web]\ncommand = /bin/true\nautostart = maybe\n", 3, "not a boolean");
}

/* ---- ${VAR} ---- */

static void variables(void **state)
{
	(void)state;
	setenv("TEND_UT_SET", "/srv/app", 1);
	setenv("TEND_UT_EMPTY", "", 1);
	unsetenv("TEND_UT_UNSET");
	load_ok("[program:web]\n"
		"command = ${TEND_UT_SET}/bin/run ${TEND_UT_UNSET:-dflt} ${TEND_UT_EMPTY:-was-empty} x${TEND_UT_EMPTY}y\n"
		"directory = ${TEND_UT_SET}\n"
		"environment = HOME_DIR=${TEND_UT_SET}/home,PRICE=$$5\n"
		"stopsignal = ${TEND_UT_UNSET:-QUIT}\n");
	const struct program_config *p = &cfg->programs[0];
	assert_argv(p->argv, ARGV("/srv/app/bin/run", "dflt", "was-empty", "xy"));
	assert_string_equal(p->command, "/srv/app/bin/run dflt was-empty xy");
	assert_string_equal(p->directory, "/srv/app");
	assert_string_equal(p->env_extra[0], "HOME_DIR=/srv/app/home");
	assert_string_equal(p->env_extra[1], "PRICE=$5");
	assert_int_equal(p->stopsignal, SIGQUIT);

	/* $$ is a literal $, and the word splitter sees it as text */
	load_ok("[program:web]\ncommand = /bin/sh -c 'echo $$HOME $${X}'\n");
	assert_argv(cfg->programs[0].argv, ARGV("/bin/sh", "-c", "echo $HOME ${X}"));

	/* expanded before splitting: a value with blanks or quotes makes words */
	setenv("TEND_UT_WORDS", "--a 1 '--b 2'", 1);
	load_ok("[program:web]\ncommand = /bin/app ${TEND_UT_WORDS}\n");
	assert_argv(cfg->programs[0].argv, ARGV("/bin/app", "--a", "1", "--b 2"));
}

static void unset_variable(void **state)
{
	(void)state;
	unsetenv("TEND_UT_UNSET");
	expect_program_error("directory = ${TEND_UT_UNSET}/x",
			     "[program:web] directory: environment variable TEND_UT_UNSET is not set");
	expect_tend_error("log_level = ${TEND_UT_UNSET}", "TEND_UT_UNSET is not set");
	/* an empty variable is set */
	setenv("TEND_UT_EMPTY", "", 1);
	load_ok("[program:web]\ncommand = /bin/echo x${TEND_UT_EMPTY}\n");
	assert_argv(cfg->programs[0].argv, ARGV("/bin/echo", "x"));
	expect_program_error("directory = ${TEND_UT_UNSET", "bad variable reference");
	/* in a nested default too: an error naming the line, never "${…}" as text */
	expect_program_error("directory = ${TEND_UT_UNSET:-${TEND_UT_UNSET}}",
			     "[program:web] directory: environment variable TEND_UT_UNSET is not set");
	expect_program_error("directory = ${TEND_UT_UNSET:-${TEND_UT_EMPTY:-/x}", "bad variable reference");
	load_ok("[program:web]\ncommand = /bin/true\nstopsignal = ${TEND_UT_UNSET:-${TEND_UT_EMPTY:-QUIT}}\n");
	assert_int_equal(cfg->programs[0].stopsignal, SIGQUIT);
}

/* ---- environment, user ---- */

static void envp_overrides(void **state)
{
	(void)state;
	setenv("TEND_UT_KEEP", "outer", 1);
	setenv("TEND_UT_OVER", "outer", 1);
	unsetenv("TEND_UT_NEW");
	load_ok("[program:web]\ncommand = /bin/true\nenvironment = TEND_UT_OVER=inner,TEND_UT_NEW=\"a,b\"\n"
		"[program:plain]\ncommand = /bin/true\n");
	char **envp = program_named("web")->envp;
	assert_true(envp_has(envp, "TEND_UT_KEEP=outer"));
	assert_true(envp_has(envp, "TEND_UT_OVER=inner"));
	assert_false(envp_has(envp, "TEND_UT_OVER=outer"));
	assert_int_equal(count_envp(envp, "TEND_UT_OVER="), 1);
	assert_true(envp_has(envp, "TEND_UT_NEW=a,b"));
	/* everything else of tend's environment is there, once */
	size_t n_environ = 0, n_envp = 0;
	while (environ[n_environ])
		n_environ++;
	while (envp[n_envp])
		n_envp++;
	assert_int_equal(n_envp, n_environ + 1);	/* + TEND_UT_NEW */
	for (size_t i = 0; environ[i]; i++)
		if (strncmp(environ[i], "TEND_UT_OVER=", 13) != 0)
			assert_true(envp_has(envp, environ[i]));

	/* no environment key: tend's environment as it is */
	char **plain = program_named("plain")->envp;
	size_t n_plain = 0;
	while (plain[n_plain])
		n_plain++;
	assert_int_equal(n_plain, n_environ);
	assert_true(envp_has(plain, "TEND_UT_OVER=outer"));
	assert_null(program_named("plain")->env_extra);
}

static void user_values(void **state)
{
	(void)state;
	const struct program_config *p = web_with("user = root");
	assert_true(p->user.set);
	assert_int_equal(p->user.uid, 0);
	assert_int_equal(p->user.gid, 0);
	assert_true(p->user.ngroups >= 1);
	assert_int_equal(p->user.groups[0], 0);

	p = web_with("user = 0");
	assert_true(p->user.set);
	assert_int_equal(p->user.uid, 0);
	assert_int_equal(p->user.gid, 0);
	assert_true(p->user.ngroups >= 1);
	assert_int_equal(p->user.groups[0], 0);

	p = web_with("user = 0:0");
	assert_true(p->user.set);
	assert_int_equal(p->user.uid, 0);
	assert_int_equal(p->user.gid, 0);
	assert_int_equal(p->user.ngroups, 0);

	expect_program_error("user = tend_no_such_user", "[program:web] user: no user \"tend_no_such_user\"");
	expect_program_error("user = 1:x", "is not uid:gid");
	expect_program_error("user = :0", "is not uid:gid");
}

/* ---- config_load_file ---- */

static void load_file(void **state)
{
	(void)state;
	char dir[] = "/tmp/tend-test-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *good = write_temp_file(dir, "good.ini", "[program:web]\ncommand = /bin/true\n");
	char *missing = write_temp_file(dir, "gone.ini", "");
	unlink(missing);
	char *nul = write_temp_file(dir, "nul.ini", "[program:web]\ncommand = /bin/true\n");
	FILE *f = fopen(nul, "a");
	assert_non_null(f);
	fputc('\0', f);
	fclose(f);

	cfg = config_load_file(good, &diags);
	assert_non_null(cfg);
	assert_string_equal(cfg->path, good);
	assert_int_equal(cfg->nprograms, 1);
	config_free(cfg);
	cfg = NULL;
	diagnostics_free(&diags);

	assert_null(config_load_file(missing, &diags));
	assert_int_equal(diags.errors, 1);
	assert_int_equal(diags.items[0].line, 0);
	assert_contains(diags.items[0].text, "cannot read");
	diagnostics_free(&diags);

	assert_null(config_load_file(nul, &diags));
	assert_int_equal(diags.errors, 1);
	assert_contains(diags.items[0].text, "NUL");
	diagnostics_free(&diags);

	unlink(good);
	unlink(nul);
	rmdir(dir);
	free(good);
	free(missing);
	free(nul);
}

/* [tend] log_prefix is every program's default, wherever [tend] stands in
 * the file; a program's own key wins. redirect_stderr is read. */
static void log_prefix_default_and_override(void **state)
{
	(void)state;
	struct config *c = load_ok("[program:a]\ncommand = /bin/true\n"
				   "[program:b]\ncommand = /bin/true\nlog_prefix = false\nredirect_stderr = yes\n"
				   "[tend]\nlog_prefix = true\n");
	assert_true(c->log_prefix);
	assert_true(c->programs[0].log_prefix);
	assert_false(c->programs[1].log_prefix);
	assert_false(c->programs[0].redirect_stderr);
	assert_true(c->programs[1].redirect_stderr);
	c = load_ok("[program:a]\ncommand = /bin/true\nlog_prefix = true\n");
	assert_false(c->log_prefix);
	assert_true(c->programs[0].log_prefix);
	c = load_ok("[program:a]\ncommand = /bin/true\n");
	assert_false(c->programs[0].log_prefix);
	expect_program_error("redirect_stderr = maybe", "[program:web] redirect_stderr:");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(tend_defaults),
		T(log_prefix_default_and_override),
		T(tend_values),
		T(program_defaults),
		T(program_values),
		T(bool_spellings),
		T(number_ranges),
		T(signal_spellings),
		T(stopwaitsecs_over_shutdown_timeout_warns),
		T(not_supported_yet),
		T(http_keys),
		T(health_keys),
		T(notify_keys),
		T(oneshot_keys),
		T(supervisord_keys_warn),
		T(unknown_key_hint),
		T(unknown_section),
		T(bad_program_name),
		T(duplicate_program),
		T(missing_command),
		T(bad_bool),
		T(bad_duration),
		T(bad_count),
		T(bad_octal),
		T(bad_signal),
		T(bad_autorestart),
		T(bad_exitcodes),
		T(bad_forward_signals),
		T(bad_environment),
		T(bad_string),
		T(bad_command),
		T(unknown_dependency),
		T(dependency_cycle),
		T(dependency_resolution),
		T(start_steps),
		T(key_outside_section),
		T(line_without_equals),
		T(header_without_bracket),
		T(set_twice),
		T(keys_ignore_case),
		T(misspelt_command_one_error),
		T(environment_name_twice),
		T(indented_key),
		T(long_lines),
		T(errors_in_line_order),
		T(diagnostics_format),
		T(continuation_lines),
		T(comments),
		T(crlf),
		T(bom),
		T(variables),
		T(unset_variable),
		T(envp_overrides),
		T(user_values),
		T(load_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

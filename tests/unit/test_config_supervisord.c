/* supervisord.conf files as written (tend.ini(5)), through config_load_string:
 * [supervisord], the server sections, [group:x], [eventlistener:x],
 * numprocs naming, booleans, and the warnings tend check lists. */
#include "testutil.h"

#include <sys/stat.h>

#include "config_fixture.h"

static int cleanup(void **state)
{
	(void)state;
	fixture_free();
	return 0;
}

/* Loads text, which must load with exactly nwarnings warnings. */
static void load(const char *text, size_t nwarnings)
{
	fixture_load_string(text, "supervisord.conf");
	if (!cfg || diags.count != nwarnings) {
		dump_diagnostics(text, &diags);
		fail_msg("expected the config to load with %zu warnings", nwarnings);
	}
}

/* text is refused, with an error on line containing substr among its errors */
static void refused(const char *text, int line, const char *substr)
{
	fixture_load_string(text, "supervisord.conf");
	bool found = false;
	for (size_t i = 0; i < diags.count; i++)
		found |= !diags.items[i].warning && diags.items[i].line == line && strstr(diags.items[i].text, substr);
	if (cfg || !found) {
		dump_diagnostics(text, &diags);
		fail_msg("expected an error on line %d containing \"%s\"", line, substr);
	}
}

static const char *env_of(const struct program_config *p, const char *key)
{
	size_t len = strlen(key);
	for (char **e = p->envp; *e; e++)
		if (strncmp(*e, key, len) == 0 && (*e)[len] == '=')
			return *e + len + 1;
	return NULL;
}

static void main_section_mapped(void **state)
{
	(void)state;
	load("[supervisord]\n"
	     "loglevel = blather\n"
	     "environment = APP_ENV=\"prod\",SHARED=from_supervisord\n"
	     "minfds = 10000\n"
	     "minprocs = 200\n"
	     "[program:web]\n"
	     "command = /bin/true\n"
	     "environment = SHARED=own\n",
	     0);
	assert_int_equal(cfg->log_level, LOG_DEBUG);
	assert_int_equal(cfg->minfds, 10000);
	assert_int_equal(cfg->minprocs, 200);
	assert_string_equal(env_of(program_named("web"), "APP_ENV"), "prod");
	assert_string_equal(env_of(program_named("web"), "SHARED"), "own");	/* the program's own wins */

	static const struct {
		const char *name;
		enum log_level level;
	} levels[] = { { "critical", LOG_ERROR }, { "ERROR", LOG_ERROR }, { "warn", LOG_WARN }, { "info", LOG_INFO },
		       { "debug", LOG_DEBUG }, { "trace", LOG_DEBUG }, { "blather", LOG_DEBUG } };
	for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++) {
		char text[128];
		snprintf(text, sizeof text, "[supervisord]\nloglevel = %s\n", levels[i].name);
		load(text, 0);
		assert_int_equal(cfg->log_level, levels[i].level);
	}
	/* [tend]'s log_level, where given, wins */
	load("[tend]\nlog_level = warn\n[supervisord]\nloglevel = debug\n", 0);
	assert_int_equal(cfg->log_level, LOG_WARN);
	refused("[supervisord]\nloglevel = loud\n", 2, "\"loud\" is not one of critical");
	refused("[supervisord]\nminfds = many\n", 2, "[supervisord] minfds");
}

/* Each other key: one warning, listed as ignored; any key at all. */
static void main_section_other_keys(void **state)
{
	(void)state;
	load("[supervisord]\n"
	     "nodaemon = true\n"
	     "logfile = /dev/null\n"
	     "logfile_maxbytes = 0\n"
	     "pidfile = /run/supervisord.pid\n"
	     "user = root\n"
	     "childlogdir = /var/log/supervisor\n",
	     6);
	for (size_t i = 0; i < diags.count; i++) {
		assert_true(diags.items[i].warning);
		assert_true(diags.items[i].ignored);
		assert_int_equal(diags.items[i].line, (int)i + 2);
	}
	assert_contains(diags.items[0].text, "[supervisord] nodaemon: tend always runs in the foreground");
	assert_contains(diags.items[4].text, "[supervisord] user: tend runs as the user that started it");
}

static void server_sections(void **state)
{
	(void)state;
	load("[unix_http_server]\n"
	     "file = /run/supervisor.sock\n"
	     "chmod = 0700\n"
	     "[inet_http_server]\n"
	     "port = 127.0.0.1:9001\n"
	     "[supervisorctl]\n"
	     "serverurl = unix:///run/supervisor.sock\n"
	     "[rpcinterface:supervisor]\n"
	     "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n",
	     4);	/* one for each section, none for its keys */
	assert_int_equal(diags.items[0].line, 1);
	assert_contains(diags.items[0].text, "[unix_http_server]: tend's own socket");
	assert_int_equal(diags.items[3].line, 8);
	assert_contains(diags.items[3].text, "[rpcinterface:supervisor]");
}

static void eventlistener_refused(void **state)
{
	(void)state;
	refused("[program:web]\ncommand = /bin/true\n[eventlistener:quit]\ncommand = kill\nevents = PROCESS_STATE_FATAL\n", 3,
		"[eventlistener:quit]: event listeners are not supported");
	refused("[fcgi-program:php]\ncommand = php-cgi\n", 1, "fcgi-program is not supported");
}

static void main_section_twice(void **state)
{
	(void)state;
	refused("[supervisord]\nnodaemon = true\n\n[supervisord]\n[program:web]\ncommand = /bin/true\n", 4,
		"[supervisord] appears twice (first on line 1)");
}

static void groups(void **state)
{
	(void)state;
	load("[group:app]\n"
	     "programs = web,worker\n"
	     "[program:web]\n"
	     "command = /bin/echo %(group_name)s %(program_name)s\n"
	     "[program:worker]\n"
	     "command = /bin/echo %(group_name)s\n"
	     "[program:alone]\n"
	     "command = /bin/echo %(group_name)s\n",
	     0);
	assert_string_equal(program_named("web")->argv[1], "app");
	assert_string_equal(program_named("web")->argv[2], "web");
	assert_string_equal(program_named("worker")->argv[1], "app");
	assert_string_equal(program_named("alone")->argv[1], "alone");	/* no group: its own name */
	refused("[group:app]\nprograms = web,nope\n[program:web]\ncommand = /bin/true\n", 1,
		"[group:app] programs: no [program:nope]");
	refused("[group:app]\n[program:web]\ncommand = /bin/true\n", 1, "programs is missing");
	refused("[group:app]\nprograms = web\nfoo = 1\n[program:web]\ncommand = /bin/true\n", 3, "unknown key");
	load("[group:app]\nprograms = web\npriority = 5\n[program:web]\ncommand = /bin/true\n", 1);
}

static void numprocs_naming(void **state)
{
	(void)state;
	/* supervisord's names: process_name with each process_num, from numprocs_start */
	load("[program:worker]\n"
	     "command = /bin/echo %(process_num)d of %(numprocs)d\n"
	     "process_name = %(program_name)s_%(process_num)02d\n"
	     "numprocs = 3\n"
	     "numprocs_start = 8\n",
	     0);
	assert_int_equal(cfg->nprograms, 3);
	assert_string_equal(cfg->programs[0].name, "worker_08");
	assert_string_equal(cfg->programs[1].name, "worker_09");
	assert_string_equal(cfg->programs[2].name, "worker_10");
	assert_string_equal(cfg->programs[2].argv[1], "10");
	assert_string_equal(cfg->programs[2].argv[3], "3");
	assert_int_equal(cfg->programs[0].line, 1);	/* each names its section's line */

	/* the default: one program named as its section, process_num 0 */
	load("[program:web]\ncommand = /bin/echo %(process_num)d\nnumprocs = 1\n", 0);
	assert_string_equal(cfg->programs[0].name, "web");
	assert_string_equal(cfg->programs[0].argv[1], "0");
	load("[program:web]\ncommand = /bin/true\nprocess_name = web-main\n", 0);
	assert_string_equal(cfg->programs[0].name, "web-main");

	refused("[program:w]\ncommand = /bin/true\nnumprocs = 2\n", 3, "process_name: with numprocs > 1 it must contain");
	refused("[program:w]\ncommand = /bin/true\nprocess_name = w\nnumprocs = 2\n", 3, "must contain %(process_num)");
	/* both ends of the range, named as they are */
	refused("[program:w]\ncommand = /bin/true\nnumprocs = 0\n", 3, "numprocs: 0 is out of range (1 to 1000)");
	refused("[program:w]\ncommand = /bin/true\nprocess_name = w%(process_num)d\nnumprocs = 1001\n", 4,
		"numprocs: 1001 is out of range (1 to 1000)");
	refused("[program:w]\ncommand = /bin/true\nnumprocs_start = 1000001\n", 3,
		"numprocs_start: 1000001 is out of range (0 to 1000000)");
	refused("[program:w]\ncommand = /bin/true\nprocess_name = w/%(process_num)d\nnumprocs = 2\n", 3,
		"is not a program name");
	/* clashing names: the second section's */
	refused("[program:w]\ncommand = /bin/true\nprocess_name = w_%(process_num)d\nnumprocs = 2\n"
		"[program:w_1]\ncommand = /bin/true\n", 5, "defined twice");
}

/* A mistake in a numprocs section: reported once, not once per process. */
static void numprocs_one_error(void **state)
{
	(void)state;
	refused("[program:w]\ncommand = /bin/true\nprocess_name = w%(process_num)d\nnumprocs = 5\nautostart = maybe\n", 5,
		"not a boolean");
	assert_int_equal(diags.count, 1);
	/* one that differs from process to process is reported for each */
	refused("[program:w]\ncommand = /bin/true\nprocess_name = w%(process_num)d\nnumprocs = 2\n"
		"stopsignal = %(process_num)d0\n", 5, "stopsignal");
}

/* depends_on naming a numprocs section: all of its programs. */
static void depends_on_numprocs(void **state)
{
	(void)state;
	load("[program:worker]\n"
	     "command = /bin/true\n"
	     "process_name = worker-%(process_num)d\n"
	     "numprocs = 2\n"
	     "[program:web]\n"
	     "command = /bin/true\n"
	     "depends_on = worker\n"
	     "[program:one]\n"
	     "command = /bin/true\n"
	     "depends_on = worker-1\n",
	     0);
	const struct program_config *web = program_named("web");
	assert_int_equal(web->ndepends, 2);
	assert_string_equal(cfg->programs[web->depends_on[0]].name, "worker-0");
	assert_string_equal(cfg->programs[web->depends_on[1]].name, "worker-1");
	assert_int_equal(program_named("one")->ndepends, 1);
	assert_int_equal(web->start_step, 1);
	/* a name that is neither: one error for the section */
	refused("[program:w]\ncommand = /bin/true\nprocess_name = w%(process_num)d\nnumprocs = 3\ndepends_on = nope\n", 5,
		"[program:w] depends_on: no program named \"nope\"");
	assert_int_equal(diags.count, 1);
}

static void booleans(void **state)
{
	(void)state;
	static const char *const yes[] = { "true", "TRUE", "yes", "Yes", "on", "ON", "1" };
	static const char *const no[] = { "false", "False", "no", "NO", "off", "Off", "0" };
	char text[128];
	for (size_t i = 0; i < 7; i++) {
		snprintf(text, sizeof text, "[program:w]\ncommand = /bin/true\nautostart = %s\nredirect_stderr = %s\n",
			 no[i], yes[i]);
		load(text, 0);
		assert_false(cfg->programs[0].autostart);
		assert_true(cfg->programs[0].redirect_stderr);
		snprintf(text, sizeof text, "[program:w]\ncommand = /bin/true\nautorestart = %s\n", yes[i]);
		load(text, 0);
		assert_int_equal(cfg->programs[0].autorestart, AUTORESTART_TRUE);
	}
	refused("[program:w]\ncommand = /bin/true\nautostart = 2\n", 3, "not a boolean");
}

/* The keys of a [program:x] that change nothing under tend: no warning. */
static void quiet_program_keys(void **state)
{
	(void)state;
	load("[program:w]\n"
	     "command = /bin/true\n"
	     "stdout_logfile = /dev/stdout\n"
	     "stdout_logfile_maxbytes = 0\n"
	     "stdout_logfile_backups = 0\n"
	     "stdout_capture_maxbytes = 1MB\n"
	     "stdout_events_enabled = true\n"
	     "stderr_logfile = /dev/stderr\n"
	     "stderr_logfile_maxbytes = 0\n"
	     "stderr_events_enabled = true\n"
	     "stdout_syslog = false\n"
	     "serverurl = AUTO\n"
	     "stopasgroup = true\n"
	     "killasgroup = true\n",
	     0);
	load("[program:w]\ncommand = /bin/true\nstderr_syslog = true\n", 1);
	assert_true(diags.items[0].ignored);
	/* supervisor 2's keys: a warning each */
	load("[program:w]\ncommand = /bin/true\nlogfile = /var/log/w.log\nlog_stderr = true\n", 2);
	assert_contains(diags.items[1].text, "[program:w] log_stderr: a key of supervisor 2");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(main_section_mapped),
		T(main_section_other_keys),
		T(server_sections),
		T(eventlistener_refused),
		T(main_section_twice),
		T(groups),
		T(numprocs_naming),
		T(numprocs_one_error),
		T(depends_on_numprocs),
		T(booleans),
		T(quiet_program_keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

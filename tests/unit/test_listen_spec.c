/* listen_spec.c: a program's `listen` value, and the config checks around
 * it (names, duplicates, LISTEN_* variables, drain against shutdown_timeout). */
#include "testutil.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include "config.h"
#include "listen_spec.h"

static void tcp_unix_and_names(void **state)
{
	(void)state;
	struct listen_list l = { 0 };
	char err[256];
	assert_true(listen_parse(" tcp://127.0.0.1:3000 , http=tcp://[::1]:80,admin=unix:/run/a=b.sock,unix:/x", &l, err,
				 sizeof err));
	assert_int_equal(l.count, 4);
	assert_false(l.items[0].unix_path);
	assert_string_equal(l.items[0].address, "tcp://127.0.0.1:3000");
	assert_string_equal(l.items[0].host_port, "127.0.0.1:3000");
	assert_string_equal(l.items[0].name, "");
	assert_int_equal(l.items[0].addr.ss_family, AF_INET);
	assert_int_equal(ntohs(((struct sockaddr_in *)&l.items[0].addr)->sin_port), 3000);
	assert_string_equal(l.items[1].name, "http");
	assert_int_equal(l.items[1].addr.ss_family, AF_INET6);
	assert_string_equal(l.items[2].name, "admin");
	assert_true(l.items[2].unix_path);
	assert_string_equal(l.items[2].path, "/run/a=b.sock");	/* '=' after unix: is the path's */
	assert_string_equal(l.items[3].path, "/x");
	assert_string_equal(l.items[3].name, "");
	/* parsed again: the old list is freed, not leaked */
	assert_true(listen_parse("unix:/y", &l, err, sizeof err));
	assert_int_equal(l.count, 1);
	listen_list_free(&l);
	assert_null(l.items);
}

static void expect_bad(const char *text, const char *why)
{
	struct listen_list l = { 0 };
	char err[256] = "";
	if (listen_parse(text, &l, err, sizeof err))
		fail_msg("\"%s\" was taken", text);
	assert_contains(err, why);
	assert_int_equal(l.count, 0);
	assert_null(l.items);
}

static void bad_values(void **state)
{
	(void)state;
	expect_bad("", "no socket given");
	expect_bad("127.0.0.1:3000", "is not tcp://HOST:PORT");
	expect_bad("http://127.0.0.1:3000", "is not tcp://HOST:PORT");
	expect_bad("tcp://127.0.0.1", "is not HOST:PORT");
	expect_bad("tcp://127.0.0.1:0", "no port from 1 to 65535");
	expect_bad("tcp://127.0.0.1:65536", "no port from 1 to 65535");
	expect_bad("tcp://example.com:80", "not a numeric address");
	expect_bad("tcp://[::1:80", "is not [IPV6]:PORT");
	expect_bad("unix:relative.sock", "not an absolute path");
	expect_bad("unix:", "not an absolute path");
	char long_path[200] = "unix:/";
	memset(long_path + 6, 'a', 150);
	expect_bad(long_path, "not an absolute path of at most 107 bytes");
	expect_bad("a:b=tcp://127.0.0.1:1", "is not a socket name");
	expect_bad("=tcp://127.0.0.1:1", "is not a socket name");
	expect_bad("tcp://127.0.0.1:1,", "empty item");
	expect_bad("tcp://127.0.0.1:1, x=tcp://127.0.0.1:1", "tcp://127.0.0.1:1 is given twice");
	expect_bad("unix:/a, unix:/a", "given twice");
	char many[2048] = "";
	for (int i = 0; i <= LISTEN_MAX; i++)
		snprintf(many + strlen(many), sizeof many - strlen(many), "%stcp://127.0.0.1:%d", i ? "," : "", 1000 + i);
	expect_bad(many, "more than 32 sockets");
}

static void same(void **state)
{
	(void)state;
	struct listen_list l = { 0 };
	char err[256];
	assert_true(listen_parse("tcp://127.0.0.1:1,tcp://127.0.0.1:2,tcp://[::1]:1,unix:/a,unix:/b", &l, err, sizeof err));
	assert_false(listen_same(&l.items[0], &l.items[1]));
	assert_false(listen_same(&l.items[0], &l.items[2]));
	assert_false(listen_same(&l.items[3], &l.items[4]));
	assert_false(listen_same(&l.items[0], &l.items[3]));
	assert_true(listen_same(&l.items[3], &l.items[3]));
	listen_list_free(&l);
}

static struct config *load(const char *text, struct diagnostics *d)
{
	return config_load_string(text, "test.ini", d);
}

/* text is refused, with an error on line whose text contains substr */
static void expect_config_error(const char *text, int line, const char *substr)
{
	struct diagnostics d;
	struct config *c = load(text, &d);
	bool found = false;
	for (size_t i = 0; i < d.count; i++)
		found |= !d.items[i].warning && d.items[i].line == line && strstr(d.items[i].text, substr);
	if (c || !found) {
		for (size_t i = 0; i < d.count; i++)
			print_error("line %d: %s\n", d.items[i].line, d.items[i].text);
		fail_msg("expected an error on line %d containing \"%s\"", line, substr);
	}
	diagnostics_free(&d);
}

static void config_names_and_environment(void **state)
{
	(void)state;
	struct diagnostics d;
	struct config *c = load("[program:web]\ncommand = /bin/true\nlisten = tcp://127.0.0.1:3000, admin=unix:/run/x.sock\n"
				"listen_backlog = 16\n[program:plain]\ncommand = /bin/true\n",
				&d);
	assert_non_null(c);
	assert_int_equal(d.count, 0);
	const struct program_config *web = &c->programs[0], *plain = &c->programs[1];
	assert_int_equal(web->listen.count, 2);
	assert_string_equal(web->listen.items[0].name, "web");	/* unnamed: the program's name */
	assert_string_equal(web->listen.items[1].name, "admin");
	assert_int_equal(web->listen_line, 3);
	assert_int_equal(web->listen_backlog, 16);
	assert_string_equal(web->listen_env[0], "LISTEN_FDS=2");
	assert_string_equal(web->listen_env[1], "LISTEN_FDNAMES=web:admin");
	assert_null(web->listen_env[2]);
	/* in the environment only the child's spawn adds: an exec probe gets none */
	for (char **e = web->envp; *e; e++)
		assert_true(strncmp(*e, "LISTEN_", 7) != 0);
	assert_int_equal(plain->listen.count, 0);
	assert_null(plain->listen_env[0]);
	assert_int_equal(plain->listen_backlog, 4096);
	config_free(c);
	diagnostics_free(&d);
}

static void config_tends_own_listen_vars_dropped(void **state)
{
	(void)state;
	setenv("LISTEN_FDS", "3", 1);
	setenv("LISTEN_PID", "1", 1);
	setenv("LISTEN_FDNAMES", "a:b:c", 1);
	setenv("LISTEN_OTHER", "kept", 1);
	struct diagnostics d;
	struct config *c = load("[program:plain]\ncommand = /bin/true\n", &d);
	assert_non_null(c);
	bool other = false;
	for (char **e = c->programs[0].envp; *e; e++) {
		assert_true(strncmp(*e, "LISTEN_FDS=", 11) != 0 && strncmp(*e, "LISTEN_PID=", 11) != 0 &&
			    strncmp(*e, "LISTEN_FDNAMES=", 15) != 0);
		other |= strcmp(*e, "LISTEN_OTHER=kept") == 0;
	}
	assert_true(other);
	config_free(c);
	diagnostics_free(&d);
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDNAMES");
	unsetenv("LISTEN_OTHER");
}

static void backlog_without_listen_warns(void **state)
{
	(void)state;
	struct diagnostics d;
	struct config *c = load("[program:web]\ncommand = /bin/true\nlisten_backlog = 8\n", &d);
	assert_non_null(c);
	assert_int_equal(d.count, 1);
	assert_true(d.items[0].warning);
	assert_int_equal(d.items[0].line, 3);
	assert_contains(d.items[0].text, "[program:web] listen_backlog has no effect without listen");
	config_free(c);
	diagnostics_free(&d);
}

static void config_errors(void **state)
{
	(void)state;
	expect_config_error("[program:web]\ncommand = /bin/true\nlisten = tcp://127.0.0.1\n", 3,
			    "[program:web] listen: \"127.0.0.1\" is not HOST:PORT");
	expect_config_error("[program:web]\ncommand = /bin/true\nlisten_backlog = 65536\n", 3, "listen_backlog");
	expect_config_error("[program:a]\ncommand = /bin/true\nlisten = tcp://127.0.0.1:5\n"
			    "[program:b]\ncommand = /bin/true\nlisten = unix:/x, tcp://127.0.0.1:5\n",
			    6, "[program:b] listen: tcp://127.0.0.1:5 is [program:a]'s already");
	expect_config_error("[tend]\nsocket = /run/t.sock\n[program:a]\ncommand = /bin/true\nlisten = unix:/run/t.sock\n", 5,
			    "is tend's own socket");
	expect_config_error("[program:a]\ncommand = /bin/true\nlisten = x y=tcp://127.0.0.1:5\n", 3, "not a socket name");
}

static void drain_under_shutdown_timeout(void **state)
{
	(void)state;
	struct diagnostics d;
	struct config *c = load("[tend]\ndrain = 3\nshutdown_timeout = 9\n", &d);
	assert_non_null(c);
	assert_double(c->drain, 3);
	config_free(c);
	diagnostics_free(&d);
	c = load("", &d);
	assert_double(c->drain, 0);	/* the default */
	config_free(c);
	diagnostics_free(&d);
	expect_config_error("[tend]\nshutdown_timeout = 5\ndrain = 5\n", 3,
			    "[tend] drain (5s) must be under shutdown_timeout (5s)");
	expect_config_error("[tend]\ndrain = 10\n", 2, "must be under shutdown_timeout (9s)");
	expect_config_error("[tend]\ndrain = -1\n", 2, "drain");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tcp_unix_and_names),
		cmocka_unit_test(bad_values),
		cmocka_unit_test(same),
		cmocka_unit_test(config_names_and_environment),
		cmocka_unit_test(config_tends_own_listen_vars_dropped),
		cmocka_unit_test(backlog_without_listen_warns),
		cmocka_unit_test(config_errors),
		cmocka_unit_test(drain_under_shutdown_timeout),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

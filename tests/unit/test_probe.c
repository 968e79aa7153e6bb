/* Probes against real loopback servers in a real event loop: a server that
 * answers 200, one that answers 500, one that accepts and never answers, a
 * closed port; exec probes that succeed, fail and hang. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "probe.h"

struct outcome {
	bool done, ok;
	char why[64];
};

static struct outcome result;
static struct ev_loop *loop;
static const char *answer;	/* what the test server sends back; NULL: nothing */

static void on_done(struct probe *p, bool ok, const char *why)
{
	(void)p;
	result.done = true;
	result.ok = ok;
	snprintf(result.why, sizeof result.why, "%s", why);
	ev_break(loop, EVBREAK_ALL);
}

/* A listening socket on 127.0.0.1 and a free port. */
static int listen_loopback(int *port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof a;
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(listen(fd, 8), 0);
	getsockname(fd, (struct sockaddr *)&a, &len);
	*port = ntohs(a.sin_port);
	return fd;
}

static void on_client(struct ev_loop *l, ev_io *w, int revents)
{
	(void)l, (void)revents;
	char buf[512];
	if (recv(w->fd, buf, sizeof buf, 0) > 0 && answer)
		send(w->fd, answer, strlen(answer), MSG_NOSIGNAL);
}

static ev_io client_io;
static void on_accept(struct ev_loop *l, ev_io *w, int revents)
{
	(void)revents;
	int fd = accept(w->fd, NULL, NULL);
	ev_io_init(&client_io, on_client, fd, EV_READ);
	ev_io_start(l, &client_io);
}

static pid_t spawn_exec(struct probe *p)
{
	pid_t pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		execvp(p->spec->argv[0], p->spec->argv);
		_exit(127);
	}
	return pid;
}

/* Runs one probe to its verdict (bounded: the probe's own timeout). */
static void run(const char *check, double timeout, bool serve)
{
	struct probe_spec spec;
	char err[128];
	struct probe p;
	ev_io server;
	int port = 0, lfd = -1;
	char text[128];
	loop = ev_loop_new(0);
	memset(&result, 0, sizeof result);
	if (strstr(check, "PORT")) {
		lfd = listen_loopback(&port);
		if (serve) {
			ev_io_init(&server, on_accept, lfd, EV_READ);
			ev_io_start(loop, &server);
		}
		snprintf(text, sizeof text, "%.*s%d%s", (int)(strstr(check, "PORT") - check), check, port,
			 strstr(check, "PORT") + 4);
		if (strncmp(check, "closed", 6) == 0) {	/* the port, then nobody on it */
			close(lfd);
			lfd = -1;
			snprintf(text, sizeof text, "tcp://127.0.0.1:%d", port);
		}
	} else {
		snprintf(text, sizeof text, "%s", check);
	}
	assert_true(probe_parse(text, &spec, err, sizeof err));
	probe_init(&p, loop, &spec, on_done, spawn_exec);
	probe_start(&p, timeout);
	while (!result.done && p.pid > 0) {	/* exec: the test is the reaper */
		int status;
		if (waitpid(p.pid, &status, WNOHANG) == p.pid)
			probe_reaped(&p, status);
		else
			ev_run(loop, EVRUN_ONCE | EVRUN_NOWAIT), usleep(1000);
	}
	if (!result.done)
		ev_run(loop, 0);
	if (p.pid > 0) {	/* a killed exec probe: reap it as tend would */
		int status;
		waitpid(p.pid, &status, 0);
		probe_reaped(&p, status);
	}
	assert_true(result.done);
	if (client_io.fd > 0 && ev_is_active(&client_io)) {
		ev_io_stop(loop, &client_io);
		close(client_io.fd);
	}
	memset(&client_io, 0, sizeof client_io);
	if (lfd >= 0)
		close(lfd);
	probe_spec_free(&spec);
	ev_loop_destroy(loop);
}

static void http_200_is_healthy(void **state)
{
	(void)state;
	answer = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
	run("http://127.0.0.1:PORT/health", 2, true);
	assert_true(result.ok);
}

static void http_302_is_healthy(void **state)
{
	(void)state;
	answer = "HTTP/1.0 302 Found\r\n\r\n";
	run("http://127.0.0.1:PORT/", 2, true);
	assert_true(result.ok);
}

static void http_500_is_unhealthy(void **state)
{
	(void)state;
	answer = "HTTP/1.1 500 Oops\r\n\r\n";
	run("http://127.0.0.1:PORT/health", 2, true);
	assert_false(result.ok);
	assert_string_equal(result.why, "answered 500");
}

static void http_garbage_is_unhealthy(void **state)
{
	(void)state;
	answer = "SSH-2.0-OpenSSH_9.2\r\n";
	run("http://127.0.0.1:PORT/", 2, true);
	assert_false(result.ok);
}

/* Judged on the status line's start, without waiting for the rest. */
static void http_status_start_is_enough(void **state)
{
	(void)state;
	answer = "HTTP/1.1 204";
	run("http://127.0.0.1:PORT/", 2, true);
	assert_true(result.ok);
	answer = "HTTP/1.1 abc OK\r\n\r\n";
	run("http://127.0.0.1:PORT/", 2, true);
	assert_false(result.ok);
	assert_string_equal(result.why, "no HTTP status line in the answer");
}

static void silent_server_times_out(void **state)
{
	(void)state;
	answer = NULL;	/* accepts, reads, never answers */
	run("http://127.0.0.1:PORT/health", 0.3, true);
	assert_false(result.ok);
	assert_string_equal(result.why, "timed out");
}

static void tcp_connect_is_healthy(void **state)
{
	(void)state;
	run("tcp://127.0.0.1:PORT", 2, false);	/* the backlog accepts it */
	assert_true(result.ok);
}

static void closed_port_is_unhealthy(void **state)
{
	(void)state;
	run("closed://PORT", 2, false);
	assert_false(result.ok);
	assert_string_equal(result.why, "Connection refused");
}

static void exec_exit_codes(void **state)
{
	(void)state;
	run("exec:true", 2, false);
	assert_true(result.ok);
	run("exec:sh -c 'exit 3'", 2, false);
	assert_false(result.ok);
	assert_string_equal(result.why, "exited with code 3");
}

static void exec_that_hangs_is_killed(void **state)
{
	(void)state;
	run("exec:sleep 30", 0.2, false);
	assert_false(result.ok);
	assert_string_equal(result.why, "timed out");
}

static void bad_specs(void **state)
{
	(void)state;
	struct probe_spec spec;
	char err[128];
	assert_false(probe_parse("ftp://x:1", &spec, err, sizeof err));
	assert_false(probe_parse("tcp://127.0.0.1:80/path", &spec, err, sizeof err));
	assert_false(probe_parse("http://127.0.0.1/", &spec, err, sizeof err));
	assert_false(probe_parse("http://127.0.0.1:80/a b", &spec, err, sizeof err));
	assert_false(probe_parse("exec:", &spec, err, sizeof err));
	assert_true(probe_parse("http://[::1]:8080/api/health", &spec, err, sizeof err));
	assert_non_null(strstr(spec.request, "GET /api/health HTTP/1.1\r\nHost: [::1]:8080\r\n"));
	probe_spec_free(&spec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(http_200_is_healthy),	   cmocka_unit_test(http_302_is_healthy),
		cmocka_unit_test(http_500_is_unhealthy),   cmocka_unit_test(http_garbage_is_unhealthy),
		cmocka_unit_test(http_status_start_is_enough),
		cmocka_unit_test(silent_server_times_out), cmocka_unit_test(tcp_connect_is_healthy),
		cmocka_unit_test(closed_port_is_unhealthy), cmocka_unit_test(exec_exit_codes),
		cmocka_unit_test(exec_that_hangs_is_killed), cmocka_unit_test(bad_specs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* tend's own log lines (log.c): lines logged between log_hold and
 * log_release are written at the release, in order, in one write (so that
 * what a signal asks for is done before tend writes about it); without a
 * hold each line is written at once. On a real pipe as tend's stderr. */
#include "testutil.h"

#include <fcntl.h>

#include "log.h"
#include "ostream.h"

struct fixture {
	int fds[2];
	int saved_stderr;
	struct ev_loop *loop;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	assert_non_null(f);
	assert_int_equal(pipe2(f->fds, O_CLOEXEC), 0);
	f->saved_stderr = dup(STDERR_FILENO);
	assert_true(f->saved_stderr >= 0);
	assert_int_equal(dup2(f->fds[1], STDERR_FILENO), STDERR_FILENO);
	f->loop = ev_loop_new(EVFLAG_AUTO);
	assert_non_null(f->loop);
	ostream_attach(&tend_stderr, STDERR_FILENO, f->loop, NULL);
	log_setup(LOG_INFO, LOG_TEXT);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	ostream_detach(&tend_stderr);
	ev_loop_destroy(f->loop);
	dup2(f->saved_stderr, STDERR_FILENO);
	close(f->saved_stderr);
	close(f->fds[0]);
	close(f->fds[1]);
	free(f);
	return 0;
}

/* What one read of the pipe gets now ("" when nothing is there). */
static const char *read_now(int fd)
{
	static char buf[4096];
	fcntl(fd, F_SETFL, O_NONBLOCK);
	ssize_t n = read(fd, buf, sizeof buf - 1);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static void test_unheld_lines_are_written_at_once(void **state)
{
	struct fixture *f = *state;
	log_event(LOG_INFO, "web", "start", NULL, "started with pid %d", 42);
	assert_string_equal(read_now(f->fds[0]), "tend: web: started with pid 42\n");
}

static void test_held_lines_wait_for_the_release(void **state)
{
	struct fixture *f = *state;
	log_hold();
	log_event(LOG_INFO, NULL, "shutdown", NULL, "shutting down (%s)", "SIGTERM");
	log_event(LOG_INFO, "web", "stop", NULL, "stopping with signal %s", "TERM");
	assert_string_equal(read_now(f->fds[0]), "");
	log_release();
	/* both, in order, in what one read gets: they were one write */
	assert_string_equal(read_now(f->fds[0]),
			    "tend: shutting down (SIGTERM)\ntend: web: stopping with signal TERM\n");
	/* released: the next line goes out at once again */
	log_event(LOG_WARN, NULL, "warning", NULL, "after");
	assert_string_equal(read_now(f->fds[0]), "tend: after\n");
}

static void test_lines_below_the_level_are_not_held(void **state)
{
	struct fixture *f = *state;
	log_hold();
	log_event(LOG_DEBUG, NULL, "debug", NULL, "not shown");
	log_release();
	assert_string_equal(read_now(f->fds[0]), "");
}

static void test_release_without_hold_writes_nothing(void **state)
{
	struct fixture *f = *state;
	log_release();
	assert_string_equal(read_now(f->fds[0]), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_unheld_lines_are_written_at_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_held_lines_wait_for_the_release, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lines_below_the_level_are_not_held, setup, teardown),
		cmocka_unit_test_setup_teardown(test_release_without_hold_writes_nothing, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* tend's own output streams (ostream.c, tend(8) LOG): a full pipe never blocks
 * tend, the programs' description of the same pipe stays blocking, tend's
 * own lines past the queue are dropped and counted, the programs' lines are
 * never dropped, and the queue drains when the pipe is read. On real pipes
 * and a real libev loop. */
#include "testutil.h"

#include <fcntl.h>

#include "ostream.h"

static unsigned long drained_calls, drained_dropped;

static void on_drained(struct ostream *o, unsigned long dropped)
{
	(void)o;
	drained_calls++;
	drained_dropped += dropped;
}

struct fixture {
	int fds[2];
	struct ev_loop *loop;
	struct ostream o;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	assert_non_null(f);
	assert_int_equal(pipe2(f->fds, O_CLOEXEC), 0);
	/* a small pipe fills fast */
	assert_true(fcntl(f->fds[1], F_SETPIPE_SZ, 4096) >= 4096);
	f->loop = ev_loop_new(EVFLAG_AUTO);
	assert_non_null(f->loop);
	ostream_attach(&f->o, f->fds[1], f->loop, on_drained);
	drained_calls = drained_dropped = 0;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	ostream_detach(&f->o);
	ev_loop_destroy(f->loop);
	close(f->fds[0]);
	close(f->fds[1]);
	free(f);
	return 0;
}

/* Reads everything in the pipe; returns how many bytes. */
static size_t drain_pipe(int fd, char *copy, size_t cap, size_t *at)
{
	char buf[65536];
	size_t total = 0;
	fcntl(fd, F_SETFL, O_NONBLOCK);
	for (;;) {
		ssize_t n = read(fd, buf, sizeof buf);
		if (n <= 0)
			break;
		if (copy && *at + (size_t)n <= cap) {
			memcpy(copy + *at, buf, (size_t)n);
			*at += (size_t)n;
		}
		total += (size_t)n;
	}
	return total;
}

static void a_pipe_gets_its_own_non_blocking_description(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(f->o.way, OSTREAM_OWN_FD);
	assert_int_not_equal(f->o.fd, f->fds[1]);
	assert_true(fcntl(f->o.fd, F_GETFL) & O_NONBLOCK);
	assert_true(fcntl(f->o.fd, F_GETFD) & FD_CLOEXEC);
	/* the programs' description of the same pipe still blocks */
	assert_false(fcntl(f->fds[1], F_GETFL) & O_NONBLOCK);
}

static void own_lines_past_the_queue_are_dropped_and_counted(void **state)
{
	struct fixture *f = *state;
	char line[100];
	memset(line, 'x', sizeof line - 1);
	line[sizeof line - 1] = '\n';
	unsigned long written = 0, dropped = 0;
	/* far more than the pipe and the queue hold; never blocks */
	for (int i = 0; i < 5000; i++) {
		if (ostream_write(&f->o, line, sizeof line))
			written++;
		else
			dropped++;
	}
	assert_true(dropped > 0);
	assert_int_equal(f->o.dropped, dropped);
	assert_true(ostream_busy(&f->o));
	/* bounded: the pipe plus a queue of 64 KiB, whole lines only */
	assert_true(written * sizeof line <= 4096 + 64 * 1024 + sizeof line);
	assert_true(f->o.len <= 64 * 1024 + sizeof line);
	/* the stream is read again: the loop writes the queue, then says how
	 * many were dropped, once */
	size_t got = 0;
	for (int turn = 0; turn < 1000 && ostream_busy(&f->o); turn++) {
		got += drain_pipe(f->fds[0], NULL, 0, NULL);
		ev_run(f->loop, EVRUN_NOWAIT);
	}
	got += drain_pipe(f->fds[0], NULL, 0, NULL);
	assert_false(ostream_busy(&f->o));
	assert_null(f->o.queue);	/* unmapped once drained */
	assert_int_equal(got, written * sizeof line);
	assert_int_equal(drained_calls, 1);
	assert_int_equal(drained_dropped, dropped);
	assert_int_equal(f->o.dropped, 0);
}

/* What must not be lost is queued however much it is, and comes out
 * whole and in order. */
static void programs_lines_are_never_dropped(void **state)
{
	struct fixture *f = *state;
	size_t total = 200 * 1024;
	char *data = malloc(total), *back = malloc(total);
	assert_non_null(data);
	assert_non_null(back);
	for (size_t i = 0; i < total; i++)
		data[i] = (char)('a' + i % 26);
	bool free_now = true;
	for (size_t at = 0; at < total; at += 10 * 1024)
		free_now = ostream_put(&f->o, data + at, 10 * 1024);
	assert_false(free_now);
	assert_true(ostream_busy(&f->o));
	/* an own line behind them waits its turn, it is not lost */
	assert_true(ostream_write(&f->o, "\n", 1) || f->o.dropped == 1);
	size_t at = 0;
	for (int turn = 0; turn < 10000 && ostream_busy(&f->o); turn++) {
		drain_pipe(f->fds[0], back, total, &at);
		ev_run(f->loop, EVRUN_NOWAIT);
	}
	drain_pipe(f->fds[0], back, total, &at);
	assert_int_equal(at, total);
	assert_memory_equal(back, data, total);
	free(data);
	free(back);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(a_pipe_gets_its_own_non_blocking_description, setup, teardown),
		cmocka_unit_test_setup_teardown(own_lines_past_the_queue_are_dropped_and_counted, setup, teardown),
		cmocka_unit_test_setup_teardown(programs_lines_are_never_dropped, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

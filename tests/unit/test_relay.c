/* The programs' lines as tend relays them (relay.c, tend(8) PROGRAM OUTPUT): splitting,
 * partial lines, 16 KiB cuts, NUL and CR, JSON whatever the bytes. */
#include "testutil.h"

#include "relay.h"

static struct relay_pipe pipe_of(const char *name, const char *stream)
{
	return (struct relay_pipe){ .program = name, .stream = stream, .read_fd = -1, .write_fd = -1 };
}

static char out[8 * RELAY_PENDING_MAX];

/* Formats in[0..len) for p; returns the bytes of in consumed. */
static size_t format(struct relay_pipe *p, const char *in, size_t len, bool flush, size_t *out_len)
{
	return relay_format(p, in, len, flush, out, sizeof out - 1, out_len);
}

static void text_lines_get_the_prefix(void **state)
{
	(void)state;
	relay_setup(NULL, LOG_TEXT);
	struct relay_pipe p = pipe_of("web", "stdout");
	size_t n;
	assert_int_equal(format(&p, "a\nbb\n\n", 6, false, &n), 6);
	out[n] = '\0';
	assert_string_equal(out, "web | a\nweb | bb\nweb | \n");
}

static void a_partial_line_waits_unless_flushed(void **state)
{
	(void)state;
	relay_setup(NULL, LOG_TEXT);
	struct relay_pipe p = pipe_of("web", "stdout");
	size_t n;
	assert_int_equal(format(&p, "one\ntw", 6, false, &n), 4);
	out[n] = '\0';
	assert_string_equal(out, "web | one\n");
	assert_int_equal(format(&p, "tw", 2, true, &n), 2);
	out[n] = '\0';
	assert_string_equal(out, "web | tw\n");
	/* nothing at all: nothing written */
	assert_int_equal(format(&p, "", 0, true, &n), 0);
	assert_int_equal(n, 0);
}

static void crlf_ends_a_line_lone_cr_and_nul_are_shown(void **state)
{
	(void)state;
	relay_setup(NULL, LOG_TEXT);
	struct relay_pipe p = pipe_of("web", "stdout");
	size_t n;
	static const char in[] = "dos\r\nbar\r50%\rdone\nnul\0byte\n";
	assert_int_equal(format(&p, in, sizeof in - 1, false, &n), sizeof in - 1);
	out[n] = '\0';
	assert_string_equal(out, "web | dos\nweb | bar\\r50%\\rdone\nweb | nul\\0byte\n");
}

/* A line over 16 KiB is cut into pieces of 16 KiB; the pieces after the
 * first are marked with "+"; a line of exactly 16 KiB is not cut. */
static void long_lines_are_cut_and_marked(void **state)
{
	(void)state;
	relay_setup(NULL, LOG_TEXT);
	struct relay_pipe p = pipe_of("web", "stdout");
	size_t len = 2 * RELAY_LINE_MAX + 100 + 1;
	char *in = malloc(len);
	assert_non_null(in);
	memset(in, 'x', len - 1);
	in[len - 1] = '\n';
	size_t n, used = 0, lines = 0, pieces[4] = { 0 };
	char marks[4] = { 0 };
	while (used < len) {
		size_t took = format(&p, in + used, len - used, false, &n);
		assert_true(took > 0);
		used += took;
		/* each formatted piece is one line */
		for (char *l = out; l < out + n; lines++) {
			char *nl = memchr(l, '\n', (size_t)(out + n - l));
			assert_non_null(nl);
			assert_true(lines < 4);
			marks[lines] = l[4];
			pieces[lines] = (size_t)(nl - l) - 6;
			l = nl + 1;
		}
	}
	assert_int_equal(lines, 3);
	assert_int_equal(pieces[0], RELAY_LINE_MAX);
	assert_int_equal(pieces[1], RELAY_LINE_MAX);
	assert_int_equal(pieces[2], 100);
	assert_int_equal(marks[0], '|');
	assert_int_equal(marks[1], '+');
	assert_int_equal(marks[2], '+');
	/* the next line is a line of its own again */
	assert_int_equal(format(&p, "next\n", 5, false, &n), 5);
	assert_memory_equal(out, "web | next\n", 11);
	/* exactly RELAY_LINE_MAX bytes, then the newline: one line */
	memset(in, 'y', RELAY_LINE_MAX);
	in[RELAY_LINE_MAX] = '\n';
	assert_int_equal(format(&p, in, RELAY_LINE_MAX + 1, false, &n), RELAY_LINE_MAX + 1);
	assert_int_equal(n, RELAY_LINE_MAX + 7);
	/* a cut piece waits for nothing: 16 KiB without a newline goes at once */
	assert_int_equal(format(&p, in, RELAY_LINE_MAX, false, &n), RELAY_LINE_MAX);
	free(in);
}

static void json_keeps_every_byte_valid(void **state)
{
	(void)state;
	relay_setup(NULL, LOG_JSON);
	struct relay_pipe p = pipe_of("api", "stderr");
	size_t n;
	static const char in[] = "caf\xc3\xa9 \xff\xc0\xaf \"q\" \\ \x01\ttab\0nul\n";
	assert_int_equal(format(&p, in, sizeof in - 1, false, &n), sizeof in - 1);
	out[n] = '\0';
	assert_contains(out, "\"program\":\"api\",\"stream\":\"stderr\",\"msg\":\"caf\xc3\xa9 \\u00ff\\u00c0\\u00af "
			     "\\\"q\\\" \\\\ \\u0001\\ttab\\u0000nul\"}\n");
	assert_true(strncmp(out, "{\"ts\":\"", 7) == 0);
	/* a cut line: its later pieces say so */
	char *big = malloc(RELAY_LINE_MAX + 2);
	assert_non_null(big);
	memset(big, 'z', RELAY_LINE_MAX + 1);
	big[RELAY_LINE_MAX + 1] = '\n';
	assert_int_equal(format(&p, big, RELAY_LINE_MAX + 2, false, &n), RELAY_LINE_MAX + 2);
	out[n] = '\0';
	assert_contains(out, "\"stream\":\"stderr\",\"cont\":true,\"msg\":\"z\"}\n");
	free(big);
}

/* The output buffer is never overrun: a line that might not fit waits. */
static void a_small_output_buffer_takes_what_fits(void **state)
{
	(void)state;
	relay_setup(NULL, LOG_TEXT);
	struct relay_pipe p = pipe_of("web", "stdout");
	char small[240];	/* room for "first" at its worst, not then for "second" */
	size_t n;
	static const char in[] = "first\nsecond\n";
	size_t used = relay_format(&p, in, sizeof in - 1, false, small, sizeof small, &n);
	assert_int_equal(used, 6);
	assert_memory_equal(small, "web | first\n", n);
	used = relay_format(&p, in, sizeof in - 1, false, small, 10, &n);
	assert_int_equal(used, 0);
	assert_int_equal(n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(text_lines_get_the_prefix),
		cmocka_unit_test(a_partial_line_waits_unless_flushed),
		cmocka_unit_test(crlf_ends_a_line_lone_cr_and_nul_are_shown),
		cmocka_unit_test(long_lines_are_cut_and_marked),
		cmocka_unit_test(json_keeps_every_byte_valid),
		cmocka_unit_test(a_small_output_buffer_takes_what_fits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

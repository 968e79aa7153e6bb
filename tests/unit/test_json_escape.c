/* json_escape.h, the one writer of JSON strings (tend(8): HTTP API, LOG, PROGRAM OUTPUT): valid
 * UTF-8 passes as it is; control bytes, DEL and every byte of no valid
 * character become \u00XX; input is taken with its length (NULs included);
 * a bounded buffer is filled up to a whole escape or character, never into
 * one. Also utf8.h's cut, and strbuf's sb_json_bytes growing as it writes. */
#include "testutil.h"

#include "json_escape.h"
#include "strbuf.h"
#include "utf8.h"

/* The literal json_quote and sb_json_bytes make of in[0..len), each
 * compared with want (quotes included). */
static void expect_quoted(const char *in, size_t len, const char *want)
{
	char buf[1024];
	size_t n = json_quote(buf, sizeof buf, in, len);
	assert_true(n < sizeof buf);
	buf[n] = '\0';
	if (strcmp(buf, want) != 0)
		fail_msg("json_quote gave %s, expected %s", buf, want);

	struct strbuf sb = { 0 };
	sb_json_bytes(&sb, in, len);
	assert_false(sb.failed);
	assert_int_equal(sb.len, strlen(want));
	assert_string_equal(sb.data, want);
	sb_free(&sb);
}
#define QUOTED(lit, want) expect_quoted(lit, sizeof lit - 1, want)

static void ascii(void **state)
{
	(void)state;
	QUOTED("", "\"\"");
	QUOTED("plain text 0-9 ~{}[]/", "\"plain text 0-9 ~{}[]/\"");
	QUOTED("say \"hi\" \\ bye", "\"say \\\"hi\\\" \\\\ bye\"");
	struct strbuf sb = { 0 };
	sb_json_string(&sb, "a\"b");
	assert_string_equal(sb.data, "\"a\\\"b\"");
	sb_free(&sb);
}

static void control_bytes(void **state)
{
	(void)state;
	QUOTED("a\nb\rc\td", "\"a\\nb\\rc\\td\"");
	QUOTED("\x01\x08\x0c\x1b\x1f", "\"\\u0001\\u0008\\u000c\\u001b\\u001f\"");
	QUOTED("del\x7f", "\"del\\u007f\"");
	/* the length is the input's: a NUL is a byte like any other */
	QUOTED("a\0b\0", "\"a\\u0000b\\u0000\"");
}

static void valid_utf8_passes(void **state)
{
	(void)state;
	/* the first and last character of each length, and the edges of the
	 * surrogates and of the planes */
	QUOTED("\xc2\x80 \xdf\xbf", "\"\xc2\x80 \xdf\xbf\"");			/* U+0080, U+07FF */
	QUOTED("\xe0\xa0\x80 \xef\xbf\xbf", "\"\xe0\xa0\x80 \xef\xbf\xbf\"");	/* U+0800, U+FFFF */
	QUOTED("\xed\x9f\xbf \xee\x80\x80", "\"\xed\x9f\xbf \xee\x80\x80\"");	/* U+D7FF, U+E000 */
	QUOTED("\xf0\x90\x80\x80 \xf4\x8f\xbf\xbf", "\"\xf0\x90\x80\x80 \xf4\x8f\xbf\xbf\"");	/* U+10000, U+10FFFF */
	QUOTED("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
	/* U+0080..U+009F are characters (C1 controls): valid UTF-8, kept */
	QUOTED("\xc2\x9b", "\"\xc2\x9b\"");
}

static void overlongs(void **state)
{
	(void)state;
	QUOTED("\xc0\x80", "\"\\u00c0\\u0080\"");		/* NUL in two bytes */
	QUOTED("\xc1\xbf", "\"\\u00c1\\u00bf\"");
	QUOTED("\xe0\x80\xaf", "\"\\u00e0\\u0080\\u00af\"");	/* '/' in three */
	QUOTED("\xe0\x9f\xbf", "\"\\u00e0\\u009f\\u00bf\"");	/* U+07FF in three */
	QUOTED("\xf0\x8f\xbf\xbf", "\"\\u00f0\\u008f\\u00bf\\u00bf\"");	/* U+FFFF in four */
}

static void surrogates(void **state)
{
	(void)state;
	QUOTED("\xed\xa0\x80", "\"\\u00ed\\u00a0\\u0080\"");	/* U+D800 */
	QUOTED("\xed\xbf\xbf", "\"\\u00ed\\u00bf\\u00bf\"");	/* U+DFFF */
	/* a pair as CESU-8 writes it is two surrogates, not a character */
	QUOTED("\xed\xa0\xbd\xed\xb8\x80", "\"\\u00ed\\u00a0\\u00bd\\u00ed\\u00b8\\u0080\"");
}

static void past_the_last_code_point(void **state)
{
	(void)state;
	QUOTED("\xf4\x90\x80\x80", "\"\\u00f4\\u0090\\u0080\\u0080\"");	/* U+110000 */
	QUOTED("\xf5\x80\x80\x80", "\"\\u00f5\\u0080\\u0080\\u0080\"");
	QUOTED("\xf8\x88\x80\x80\x80", "\"\\u00f8\\u0088\\u0080\\u0080\\u0080\"");	/* old 5-byte form */
	QUOTED("\xfe\xff", "\"\\u00fe\\u00ff\"");
}

static void truncated_sequences(void **state)
{
	(void)state;
	/* at the end of the input */
	QUOTED("ab\xc3", "\"ab\\u00c3\"");
	QUOTED("ab\xe2\x82", "\"ab\\u00e2\\u0082\"");
	QUOTED("ab\xf0\x9f\x98", "\"ab\\u00f0\\u009f\\u0098\"");
	/* cut short by another byte: what follows is read as itself */
	QUOTED("\xe2\x82x", "\"\\u00e2\\u0082x\"");
	QUOTED("\xf0\x9f\"", "\"\\u00f0\\u009f\\\"\"");
	QUOTED("\xc3\xc3\xa9", "\"\\u00c3\xc3\xa9\"");
	QUOTED("\xe2\x82\n", "\"\\u00e2\\u0082\\n\"");
	/* a NUL in the middle is no continuation byte */
	QUOTED("\xc3\0\xa9", "\"\\u00c3\\u0000\\u00a9\"");
}

static void stray_continuation_bytes(void **state)
{
	(void)state;
	QUOTED("\x80", "\"\\u0080\"");
	QUOTED("a\xbf\x80z", "\"a\\u00bf\\u0080z\"");
	/* one too many after a whole character */
	QUOTED("\xc3\xa9\xa9", "\"\xc3\xa9\\u00a9\"");
	/* Latin-1 text: each byte escaped as its own value, which a JSON reader
	 * shows as the same Latin-1 character */
	QUOTED("caf\xe9", "\"caf\\u00e9\"");
}

/* Filling a bounded buffer: for every room, what is written is the escape
 * of a prefix of the input that ends between two pieces, never inside an
 * escape or a character; json_quote always closes its string. */
static const char bounded_in[] = "a\xe2\x82\xac\x01\"\xf0\x9f\x98\x80\xff\xc3\xa9z";
static const char bounded_out[] = "a\xe2\x82\xac\\u0001\\\"\xf0\x9f\x98\x80\\u00ff\xc3\xa9z";
/* after each piece (a, €, \u0001, \", 😀, \u00ff, é, z): the bytes written,
 * and the input bytes they stand for */
static const size_t piece_out[] = { 0, 1, 4, 10, 12, 16, 22, 24, 25 };
static const size_t piece_in[] = { 0, 1, 4, 5, 6, 10, 11, 13, 14 };

/* The number of whole pieces that fit in room bytes. */
static size_t pieces_fitting(size_t room)
{
	size_t k = 0;
	while (k + 1 < sizeof piece_out / sizeof piece_out[0] && piece_out[k + 1] <= room)
		k++;
	return k;
}

static void bounded_buffer(void **state)
{
	(void)state;
	size_t len = sizeof bounded_in - 1;
	char out[64];
	for (size_t room = 0; room <= sizeof bounded_out + 2; room++) {
		size_t used, k = pieces_fitting(room);
		memset(out, '#', sizeof out);
		size_t n = json_escape(out, room, bounded_in, len, &used);
		if (n != piece_out[k] || used != piece_in[k])
			fail_msg("room %zu: wrote %zu for %zu input bytes, expected %zu for %zu", room, n, used,
				 piece_out[k], piece_in[k]);
		assert_memory_equal(out, bounded_out, n);
		for (size_t i = n; i < sizeof out; i++)
			assert_int_equal(out[i], '#');	/* nothing past what it counts */

		memset(out, '#', sizeof out);
		size_t q = json_quote(out, room, bounded_in, len);
		if (room < 2) {
			assert_int_equal(q, 0);
			assert_int_equal(out[0], '#');
			continue;
		}
		/* the closing quote keeps its byte: the text gets room - 2 */
		assert_int_equal(q, 2 + piece_out[pieces_fitting(room - 2)]);
		assert_int_equal(out[0], '"');
		assert_memory_equal(out + 1, bounded_out, q - 2);
		assert_int_equal(out[q - 1], '"');
		assert_int_equal(out[q], '#');
	}
	/* the count of input used is optional */
	assert_int_equal(json_escape(out, 2, "\xc3\xa9", 2, NULL), 2);
	assert_int_equal(json_escape(out, 1, "\xc3\xa9", 2, NULL), 0);
}

/* sb_json_bytes grows as it needs, however much the escapes multiply */
static void strbuf_grows(void **state)
{
	(void)state;
	static char in[20000];
	for (size_t i = 0; i < sizeof in; i++)
		in[i] = i % 3 == 0 ? '\x01' : i % 3 == 1 ? 'x' : '\xff';
	struct strbuf sb = { 0 };
	sb_puts(&sb, "{\"msg\":");
	sb_json_bytes(&sb, in, sizeof in);
	sb_puts(&sb, "}");
	assert_false(sb.failed);
	/* each \x01 x \xff is 13 bytes out; the input ends with \x01 x */
	assert_int_equal(sb.len, strlen("{\"msg\":\"") + sizeof in / 3 * 13 + strlen("\\u0001x\"}"));
	assert_int_equal(strlen(sb.data), sb.len);
	assert_memory_equal(sb.data, "{\"msg\":\"\\u0001x\\u00ff\\u0001x", 27);
	assert_string_equal(sb.data + sb.len - 15, "\\u00ff\\u0001x\"}");
	sb_free(&sb);
}

static void utf8_cut_between_characters(void **state)
{
	(void)state;
	static const char s[] = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80z";	/* a é € 😀 z */
	static const size_t want[] = { 0, 1, 1, 3, 3, 3, 6, 6, 6, 6, 10, 11 };
	for (size_t max = 0; max < sizeof want / sizeof want[0]; max++)
		assert_int_equal(utf8_cut(s, sizeof s - 1, max), want[max]);
	assert_int_equal(utf8_cut(s, sizeof s - 1, 100), sizeof s - 1);
	/* a byte of no character is one of its own */
	assert_int_equal(utf8_cut("ab\xff\xff", 4, 3), 3);
	assert_int_equal(utf8_cut("ab\xe2\x82x", 5, 3), 3);
	assert_int_equal(utf8_cut("ab\xe2\x82\xac", 5, 3), 2);
	assert_int_equal(utf8_cut("ab\xe2\x82\xac", 5, 4), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ascii),
		cmocka_unit_test(control_bytes),
		cmocka_unit_test(valid_utf8_passes),
		cmocka_unit_test(overlongs),
		cmocka_unit_test(surrogates),
		cmocka_unit_test(past_the_last_code_point),
		cmocka_unit_test(truncated_sequences),
		cmocka_unit_test(stray_continuation_bytes),
		cmocka_unit_test(bounded_buffer),
		cmocka_unit_test(strbuf_grows),
		cmocka_unit_test(utf8_cut_between_characters),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

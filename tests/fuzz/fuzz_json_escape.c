/* libFuzzer target for the JSON string writers (json_escape.h, strbuf's
 * sb_json_bytes) and utf8_cut (make fuzz-json). The input is any bytes; what
 * is checked uses code of its own, written apart from tend's:
 * - a strict UTF-8 decoder (code points computed, then overlongs, surrogates
 *   and > U+10FFFF refused) says the output is valid UTF-8;
 * - a JSON string decoder after RFC 8259's grammar says the output is one
 *   valid string literal, and decodes it: read as any JSON reader would, it
 *   gives back the input whenever the input is valid UTF-8; read knowing
 *   tend's rule (\u0080-\u00ff stands for that raw byte), it gives back the
 *   input whatever it is;
 * - tend's own reader (json.c) agrees with that decoder;
 * - a bounded buffer gets exactly the whole pieces that fit, by a model of
 *   the rule's sizes, and what it gets is again a valid literal;
 * - utf8_cut and utf8_char_length agree with the strict decoder. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "json_escape.h"
#include "strbuf.h"
#include "utf8.h"

#define CHECK(cond)                    \
	do {                           \
		if (!(cond))           \
			__builtin_trap(); \
	} while (0)

/* The length of the valid UTF-8 character at s[0..n), or 0. */
static size_t strict_char_length(const uint8_t *s, size_t n)
{
	uint8_t c = s[0];
	size_t need;
	uint32_t cp, min;
	if (c < 0x80)
		return 1;
	if ((c & 0xe0) == 0xc0) {
		need = 2, cp = c & 0x1f, min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		need = 3, cp = c & 0x0f, min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		need = 4, cp = c & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (n < need)
		return 0;
	for (size_t i = 1; i < need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return need;
}

static bool strict_valid_utf8(const uint8_t *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		size_t k = strict_char_length(s + i, n - i);
		if (!k)
			return false;
		i += k;
	}
	return true;
}

/* What the rule makes of one piece of input (a valid character, or one
 * byte): its size out. */
static size_t model_piece_size(const uint8_t *s, size_t k)
{
	if (k > 1)
		return k;
	uint8_t c = s[0];
	if (k == 0 || c < 0x20 || c == 0x7f)	/* a byte of no character, or a control */
		return c == '\n' || c == '\r' || c == '\t' ? 2 : 6;
	return c == '"' || c == '\\' ? 2 : 1;
}

static int hex_value(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static size_t put_utf8(uint8_t *out, uint32_t cp)
{
	if (cp < 0x80) {
		out[0] = (uint8_t)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (uint8_t)(0xc0 | cp >> 6);
		out[1] = (uint8_t)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (uint8_t)(0xe0 | cp >> 12);
		out[1] = (uint8_t)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (uint8_t)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (uint8_t)(0xf0 | cp >> 18);
	out[1] = (uint8_t)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (uint8_t)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (uint8_t)(0x80 | (cp & 0x3f));
	return 4;
}

/* Decodes the JSON string literal s[0..n) (RFC 8259 §7, strict: nothing
 * after the closing quote, no lone surrogate) into plain (as any reader) and
 * raw (\u0080-\u00ff as that byte). Traps on anything invalid. Returns the
 * decoded lengths in *plain_len and *raw_len; plain and raw hold 4n bytes. */
static void decode_literal(const uint8_t *s, size_t n, uint8_t *plain, size_t *plain_len, uint8_t *raw,
			   size_t *raw_len)
{
	size_t p = 0, r = 0, i = 1;
	CHECK(n >= 2 && s[0] == '"');
	while (i < n - 1) {
		uint8_t c = s[i];
		CHECK(c >= 0x20 && c != '"');
		CHECK(c != 0x7f);	/* tend's rule, beyond JSON's */
		if (c != '\\') {
			size_t k = strict_char_length(s + i, n - 1 - i);
			CHECK(k > 0);
			memcpy(plain + p, s + i, k);
			memcpy(raw + r, s + i, k);
			p += k, r += k, i += k;
			continue;
		}
		CHECK(i + 1 < n - 1);
		uint8_t e = s[i + 1];
		const char *simple = strchr("\"\\/bfnrt", e);
		if (e && simple) {
			static const char values[] = "\"\\/\b\f\n\r\t";
			plain[p++] = raw[r++] = (uint8_t)values[simple - "\"\\/bfnrt"];
			i += 2;
			continue;
		}
		CHECK(e == 'u' && i + 6 <= n - 1);
		uint32_t cp = 0;
		for (size_t j = 0; j < 4; j++) {
			int h = hex_value(s[i + 2 + j]);
			CHECK(h >= 0);
			cp = cp << 4 | (uint32_t)h;
		}
		i += 6;
		CHECK(cp < 0xd800 || cp > 0xdfff);	/* tend never needs a surrogate */
		p += put_utf8(plain + p, cp);
		if (cp >= 0x80 && cp <= 0xff)
			raw[r++] = (uint8_t)cp;
		else
			r += put_utf8(raw + r, cp);
	}
	CHECK(i == n - 1 && s[n - 1] == '"');
	*plain_len = p;
	*raw_len = r;
}

/* Checks lit[0..n) is a valid literal whose raw reading is in[0..len). */
static void check_literal(const uint8_t *lit, size_t n, const uint8_t *in, size_t len, bool in_valid)
{
	CHECK(strict_valid_utf8(lit, n));
	uint8_t *plain = malloc(4 * n + 1), *raw = malloc(4 * n + 1);
	CHECK(plain && raw);
	size_t plain_len, raw_len;
	decode_literal(lit, n, plain, &plain_len, raw, &raw_len);
	CHECK(raw_len == len && memcmp(raw, in, len) == 0);
	CHECK(strict_valid_utf8(plain, plain_len));
	if (in_valid)
		CHECK(plain_len == len && memcmp(plain, in, len) == 0);

	/* tend's reader reads the same string */
	struct json_doc doc;
	CHECK(json_parse(&doc, (const char *)lit, n, NULL, 0));
	CHECK(json_is(doc.root, JSON_STRING));
	CHECK(doc.root->len == plain_len && memcmp(doc.root->string, plain, plain_len) == 0);
	json_free(&doc);
	free(plain);
	free(raw);
}

/* json_escape and json_quote into room bytes: exactly the whole pieces that
 * fit, per the model, and json_quote's text a valid literal of them. */
static void check_bounded(const uint8_t *in, size_t len, const size_t *piece, const char *full, size_t room)
{
	size_t want_out = 0, want_in = 0;
	while (want_in < len) {
		size_t k = piece[want_in];
		size_t size = model_piece_size(in + want_in, k);
		if (want_out + size > room)
			break;
		want_out += size;
		want_in += k ? k : 1;
	}
	char *out = malloc(room + 1);
	CHECK(out);
	out[room] = '#';
	size_t used = 0;
	size_t n = json_escape(out, room, (const char *)in, len, &used);
	CHECK(n == want_out && used == want_in);
	CHECK(memcmp(out, full, n) == 0);
	CHECK(out[room] == '#');

	size_t q = json_quote(out, room, (const char *)in, len);
	CHECK(out[room] == '#');
	if (room < 2) {
		CHECK(q == 0);
	} else {
		CHECK(q <= room);
		size_t inner_used = 0;
		char *again = malloc(room);
		CHECK(again);
		CHECK(json_escape(again, room - 2, (const char *)in, len, &inner_used) == q - 2);
		free(again);
		check_literal((const uint8_t *)out, q, in, inner_used, strict_valid_utf8(in, inner_used));
	}
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* an exact-size copy, so that ASan catches reading past len */
	uint8_t *in = malloc(size ? size : 1);
	size_t *piece = malloc((size + 1) * sizeof *piece);
	CHECK(in && piece);
	if (size)
		memcpy(in, data, size);

	/* the strict decoder's pieces, and utf8.h agreeing with it */
	for (size_t i = 0; i < size; i++) {
		piece[i] = strict_char_length(in + i, size - i);
		CHECK(utf8_char_length((const char *)in + i, size - i) == piece[i]);
	}
	bool valid = strict_valid_utf8(in, size);
	for (size_t max = 0; max <= size + 1; max += 1 + max / 4) {
		size_t want = 0;
		while (want < size && want + (piece[want] ? piece[want] : 1) <= max)
			want += piece[want] ? piece[want] : 1;
		CHECK(utf8_cut((const char *)in, size, max) == (size <= max ? size : want));
	}

	/* the whole input, through the growing buffer */
	struct strbuf sb = { 0 };
	sb_json_bytes(&sb, (const char *)in, size);
	CHECK(!sb.failed);
	CHECK(strlen(sb.data) == sb.len);	/* even a NUL comes out escaped */
	check_literal((const uint8_t *)sb.data, sb.len, in, size, valid);
	const char *full = sb.data + 1;
	size_t full_len = sb.len - 2;

	/* and into bounded buffers: small, around the middle, one short */
	size_t rooms[] = { 0, 1, 2, 3, 5, 6, 7, full_len / 3, full_len / 2, full_len - (full_len > 0),
			   full_len, full_len + 2, size ? (size_t)data[0] * 7 % (full_len + 1) : 0 };
	for (size_t i = 0; i < sizeof rooms / sizeof rooms[0]; i++)
		check_bounded(in, size, piece, full, rooms[i]);

	sb_free(&sb);
	free(piece);
	free(in);
	return 0;
}

#include "json_escape.h"

#include <stdbool.h>
#include <string.h>

#include "utf8.h"

static bool is_plain_ascii(unsigned char c)
{
	return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

/* The escape JSON spells with one letter, or 0. */
static char short_escape(unsigned char c)
{
	switch (c) {
	case '"':
	case '\\':
		return (char)c;
	case '\n':
		return 'n';
	case '\r':
		return 'r';
	case '\t':
		return 't';
	default:
		return 0;
	}
}

/* The escape of the byte c: a short one where JSON has it, else \u00XX. */
static size_t escape_byte(unsigned char c, char piece[JSON_ESCAPE_PIECE_MAX])
{
	static const char hex[] = "0123456789abcdef";
	piece[0] = '\\';
	piece[1] = short_escape(c);
	if (piece[1])
		return 2;
	memcpy(piece + 1, "u00", 3);
	piece[4] = hex[c >> 4];
	piece[5] = hex[c & 0xf];
	return 6;
}

size_t json_escape(char *dst, size_t cap, const char *s, size_t len, size_t *consumed)
{
	size_t in = 0, out = 0;
	while (in < len) {
		unsigned char c = (unsigned char)s[in];
		if (is_plain_ascii(c)) {	/* most of any text: no detour */
			if (out == cap)
				break;
			dst[out++] = (char)c;
			in++;
			continue;
		}
		char piece[JSON_ESCAPE_PIECE_MAX];
		size_t used = utf8_char_length(s + in, len - in);
		size_t n;
		if (used > 1) {
			memcpy(piece, s + in, used);
			n = used;
		} else {	/* an ASCII byte to escape, or a byte of no character */
			used = 1;
			n = escape_byte(c, piece);
		}
		if (n > cap - out)
			break;
		memcpy(dst + out, piece, n);
		out += n;
		in += used;
	}
	if (consumed)
		*consumed = in;
	return out;
}

size_t json_quote(char *dst, size_t cap, const char *s, size_t len)
{
	if (cap < 2)
		return 0;
	size_t n = 0;
	dst[n++] = '"';
	n += json_escape(dst + n, cap - 2, s, len, NULL);
	dst[n++] = '"';
	return n;
}

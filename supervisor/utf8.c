#include "utf8.h"

#include <stdbool.h>

static bool in_range(unsigned char c, unsigned char lo, unsigned char hi)
{
	return c >= lo && c <= hi;
}

/* The byte after a lead byte is where UTF-8 rules out overlongs (E0, F0),
 * surrogates (ED) and code points past U+10FFFF (F4); every byte after
 * that is a plain continuation byte, 80 to BF. */
size_t utf8_char_length(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	if (len == 0)
		return 0;
	unsigned char c = u[0];
	size_t need;
	unsigned char lo = 0x80, hi = 0xbf;	/* range of the second byte */
	if (c < 0x80)
		return 1;
	if (in_range(c, 0xc2, 0xdf)) {
		need = 2;
	} else if (in_range(c, 0xe0, 0xef)) {
		need = 3;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (in_range(c, 0xf0, 0xf4)) {
		need = 4;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else {
		return 0;	/* a continuation byte, C0, C1 or F5 to FF */
	}
	if (len < need || !in_range(u[1], lo, hi))
		return 0;
	for (size_t i = 2; i < need; i++)
		if (!in_range(u[i], 0x80, 0xbf))
			return 0;
	return need;
}

size_t utf8_cut(const char *s, size_t len, size_t max)
{
	if (len <= max)
		return len;
	size_t at = 0;
	while (at < max) {
		size_t n = utf8_char_length(s + at, len - at);
		if (n == 0)
			n = 1;
		if (at + n > max)
			break;
		at += n;
	}
	return at;
}

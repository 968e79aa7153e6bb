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
	if (u[0] < 0x80)
		return 1;
	/* RFC 3629's well-formed sequences: the first byte decides the length
	 * and the range of the second (no overlongs, no surrogates, nothing
	 * past U+10FFFF); every later byte is 80..BF */
	static const struct {
		unsigned char first_lo, first_hi, second_lo, second_hi, length;
	} forms[] = {
		{ 0xc2, 0xdf, 0x80, 0xbf, 2 },
		{ 0xe0, 0xe0, 0xa0, 0xbf, 3 }, { 0xe1, 0xec, 0x80, 0xbf, 3 },
		{ 0xed, 0xed, 0x80, 0x9f, 3 }, { 0xee, 0xef, 0x80, 0xbf, 3 },
		{ 0xf0, 0xf0, 0x90, 0xbf, 4 }, { 0xf1, 0xf3, 0x80, 0xbf, 4 },
		{ 0xf4, 0xf4, 0x80, 0x8f, 4 },
	};
	for (size_t f = 0; f < sizeof forms / sizeof forms[0]; f++) {
		if (!in_range(u[0], forms[f].first_lo, forms[f].first_hi))
			continue;
		size_t need = forms[f].length;
		if (len < need || !in_range(u[1], forms[f].second_lo, forms[f].second_hi))
			return 0;
		for (size_t k = 2; k < need; k++)
			if (!in_range(u[k], 0x80, 0xbf))
				return 0;
		return need;
	}
	return 0;	/* a continuation byte, C0, C1 or F5 to FF */
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

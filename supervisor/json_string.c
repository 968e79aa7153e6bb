#include "json_string.h"

static void emit(struct json_reader *ps, unsigned char c)
{
	if (ps->strings)
		ps->strings[ps->nstrings] = (char)c;
	ps->nstrings++;
}

static void emit_utf8(struct json_reader *ps, unsigned long cp)
{
	if (cp < 0x80) {
		emit(ps, (unsigned char)cp);
	} else if (cp < 0x800) {
		emit(ps, (unsigned char)(0xC0 | cp >> 6));
		emit(ps, (unsigned char)(0x80 | (cp & 0x3F)));
	} else if (cp < 0x10000) {
		emit(ps, (unsigned char)(0xE0 | cp >> 12));
		emit(ps, (unsigned char)(0x80 | (cp >> 6 & 0x3F)));
		emit(ps, (unsigned char)(0x80 | (cp & 0x3F)));
	} else {
		emit(ps, (unsigned char)(0xF0 | cp >> 18));
		emit(ps, (unsigned char)(0x80 | (cp >> 12 & 0x3F)));
		emit(ps, (unsigned char)(0x80 | (cp >> 6 & 0x3F)));
		emit(ps, (unsigned char)(0x80 | (cp & 0x3F)));
	}
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Four hex digits at p (p + 4 <= end checked by the caller); -1 if not. */
static long hex4(const char *p)
{
	long v = 0;
	for (int i = 0; i < 4; i++) {
		int d = hex_digit(p[i]);
		if (d < 0)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

/* A \uXXXX escape, ps->p on the 'u'. A high surrogate followed by a
 * \uDC00-\uDFFF escape is one code point; any other surrogate is U+FFFD. */
static bool unicode_escape(struct json_reader *ps)
{
	if (ps->end - ps->p < 5 || hex4(ps->p + 1) < 0)
		return json_read_error(ps, "\\u needs four hex digits");
	unsigned long cp = (unsigned long)hex4(ps->p + 1);
	ps->p += 5;
	if (cp >= 0xD800 && cp <= 0xDBFF) {
		long low = ps->end - ps->p >= 6 && ps->p[0] == '\\' && ps->p[1] == 'u' ? hex4(ps->p + 2) : -1;
		if (low >= 0xDC00 && low <= 0xDFFF) {
			cp = 0x10000 + ((cp - 0xD800) << 10) + ((unsigned long)low - 0xDC00);
			ps->p += 6;
		} else {
			cp = 0xFFFD;
		}
	} else if (cp >= 0xDC00 && cp <= 0xDFFF) {
		cp = 0xFFFD;
	}
	emit_utf8(ps, cp);
	return true;
}

bool json_read_string(struct json_reader *ps, const char **out, size_t *len)
{
	size_t first = ps->nstrings;
	ps->p++;
	for (;;) {
		if (ps->p >= ps->end)
			return json_read_error(ps, "unterminated string");
		unsigned char c = (unsigned char)*ps->p;
		if (c == '"') {
			ps->p++;
			break;
		}
		if (c < 0x20)
			return json_read_error(ps, "control character in a string");
		if (c != '\\') {
			emit(ps, c);
			ps->p++;
			continue;
		}
		if (++ps->p >= ps->end)
			return json_read_error(ps, "unterminated string");
		static const char escapes[] = "\"\"\\\\//b\bf\fn\nr\rt\t";
		const char *e = NULL;
		for (const char *q = escapes; *q; q += 2)
			if (*q == *ps->p) {
				e = q;
				break;
			}
		if (e) {
			emit(ps, (unsigned char)e[1]);
			ps->p++;
		} else if (*ps->p == 'u') {
			if (!unicode_escape(ps))
				return false;
		} else {
			return json_read_error(ps, "unknown escape \\%c", *ps->p);
		}
	}
	size_t n = ps->nstrings - first;
	emit(ps, '\0');
	if (ps->strings) {
		*out = ps->strings + first;
		*len = n;
	}
	return true;
}

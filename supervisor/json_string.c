#include "json_string.h"

#include <stdarg.h>
#include <stdio.h>

struct decoder {
	const char *p, *end;
	struct json_strings *s;
	char *err;
	size_t errsize;
};

static bool fail(struct decoder *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool fail(struct decoder *d, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(d->err, d->errsize, fmt, ap);
	va_end(ap);
	return false;
}

static void emit(struct decoder *d, unsigned char c)
{
	if (d->s->buf)
		d->s->buf[d->s->len] = (char)c;
	d->s->len++;
}

static void emit_utf8(struct decoder *d, unsigned long cp)
{
	if (cp < 0x80) {
		emit(d, (unsigned char)cp);
	} else if (cp < 0x800) {
		emit(d, (unsigned char)(0xC0 | cp >> 6));
		emit(d, (unsigned char)(0x80 | (cp & 0x3F)));
	} else if (cp < 0x10000) {
		emit(d, (unsigned char)(0xE0 | cp >> 12));
		emit(d, (unsigned char)(0x80 | (cp >> 6 & 0x3F)));
		emit(d, (unsigned char)(0x80 | (cp & 0x3F)));
	} else {
		emit(d, (unsigned char)(0xF0 | cp >> 18));
		emit(d, (unsigned char)(0x80 | (cp >> 12 & 0x3F)));
		emit(d, (unsigned char)(0x80 | (cp >> 6 & 0x3F)));
		emit(d, (unsigned char)(0x80 | (cp & 0x3F)));
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

/* A \uXXXX escape, d->p on the 'u'. A high surrogate followed by a
 * \uDC00-\uDFFF escape is one code point; any other surrogate is U+FFFD. */
static bool unicode_escape(struct decoder *d)
{
	if (d->end - d->p < 5 || hex4(d->p + 1) < 0)
		return fail(d, "\\u needs four hex digits");
	unsigned long cp = (unsigned long)hex4(d->p + 1);
	d->p += 5;
	if (cp >= 0xD800 && cp <= 0xDBFF) {
		long low = d->end - d->p >= 6 && d->p[0] == '\\' && d->p[1] == 'u' ? hex4(d->p + 2) : -1;
		if (low >= 0xDC00 && low <= 0xDFFF) {
			cp = 0x10000 + ((cp - 0xD800) << 10) + ((unsigned long)low - 0xDC00);
			d->p += 6;
		} else {
			cp = 0xFFFD;
		}
	} else if (cp >= 0xDC00 && cp <= 0xDFFF) {
		cp = 0xFFFD;
	}
	emit_utf8(d, cp);
	return true;
}

/* The characters up to the closing quote, d->p just past the opening one. */
static bool characters(struct decoder *d)
{
	for (;;) {
		if (d->p >= d->end)
			return fail(d, "unterminated string");
		unsigned char c = (unsigned char)*d->p;
		if (c == '"') {
			d->p++;
			return true;
		}
		if (c < 0x20)
			return fail(d, "control character in a string");
		if (c != '\\') {
			emit(d, c);
			d->p++;
			continue;
		}
		if (++d->p >= d->end)
			return fail(d, "unterminated string");
		static const char escapes[] = "\"\"\\\\//b\bf\fn\nr\rt\t";
		const char *e = NULL;
		for (const char *q = escapes; *q; q += 2)
			if (*q == *d->p) {
				e = q;
				break;
			}
		if (e) {
			emit(d, (unsigned char)e[1]);
			d->p++;
		} else if (*d->p == 'u') {
			if (!unicode_escape(d))
				return false;
		} else {
			return fail(d, "unknown escape \\%c", *d->p);
		}
	}
}

bool json_string_read(const char **p, const char *end, struct json_strings *s, const char **out, size_t *len,
		      char *err, size_t n)
{
	struct decoder d = { .p = *p + 1, .end = end, .s = s, .err = err, .errsize = n };
	size_t first = s->len;
	bool ok = characters(&d);
	*p = d.p;
	if (!ok)
		return false;
	size_t bytes = s->len - first;
	emit(&d, '\0');
	if (s->buf) {
		*out = s->buf + first;
		*len = bytes;
	}
	return true;
}

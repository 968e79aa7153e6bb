#include "json.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Both passes run the same code: with nodes == NULL (the first) it only
 * validates and counts nodes and string bytes; the second fills. */
struct parser {
	const char *start, *p, *end;
	struct json_value *nodes;
	size_t nnodes;
	char *strings;
	size_t nstrings;	/* bytes of decoded strings, NULs included */
	char *err;
	size_t errsize;
	bool failed;
};

static bool error(struct parser *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool error(struct parser *ps, const char *fmt, ...)
{
	if (ps->failed)
		return false;
	ps->failed = true;
	if (ps->err && ps->errsize) {
		int n = snprintf(ps->err, ps->errsize, "offset %zu: ", (size_t)(ps->p - ps->start));
		if (n >= 0 && (size_t)n < ps->errsize) {
			va_list ap;
			va_start(ap, fmt);
			vsnprintf(ps->err + n, ps->errsize - (size_t)n, fmt, ap);
			va_end(ap);
		}
	}
	return false;
}

/* ps->p < ps->end */
static bool unexpected(struct parser *ps)
{
	unsigned char c = (unsigned char)*ps->p;
	if (c > 0x20 && c < 0x7F)
		return error(ps, "unexpected character '%c'", c);
	return error(ps, "unexpected byte 0x%02x", c);
}

static void skip_space(struct parser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

static struct json_value *new_node(struct parser *ps, enum json_type type)
{
	size_t i = ps->nnodes++;
	if (!ps->nodes)
		return NULL;
	struct json_value *v = &ps->nodes[i];
	memset(v, 0, sizeof *v);
	v->type = type;
	return v;
}

static void emit(struct parser *ps, unsigned char c)
{
	if (ps->strings)
		ps->strings[ps->nstrings] = (char)c;
	ps->nstrings++;
}

static void emit_utf8(struct parser *ps, unsigned long cp)
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
static bool unicode_escape(struct parser *ps)
{
	if (ps->end - ps->p < 5 || hex4(ps->p + 1) < 0)
		return error(ps, "\\u needs four hex digits");
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

/* A string, ps->p on its opening quote. Its decoded text goes to the
 * strings buffer; *out and *len tell where (second pass only). */
static bool parse_string(struct parser *ps, const char **out, size_t *len)
{
	size_t first = ps->nstrings;
	ps->p++;
	for (;;) {
		if (ps->p >= ps->end)
			return error(ps, "unterminated string");
		unsigned char c = (unsigned char)*ps->p;
		if (c == '"') {
			ps->p++;
			break;
		}
		if (c < 0x20)
			return error(ps, "control character in a string");
		if (c != '\\') {
			emit(ps, c);
			ps->p++;
			continue;
		}
		if (++ps->p >= ps->end)
			return error(ps, "unterminated string");
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
			return error(ps, "unknown escape \\%c", *ps->p);
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

static size_t digits(struct parser *ps)
{
	const char *s = ps->p;
	while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
		ps->p++;
	return (size_t)(ps->p - s);
}

static bool parse_number(struct parser *ps, struct json_value *v)
{
	const char *s = ps->p;
	if (ps->p < ps->end && *ps->p == '-')
		ps->p++;
	const char *int_part = ps->p;
	size_t n = digits(ps);
	if (n == 0)
		return error(ps, "a number needs digits");
	if (n > 1 && *int_part == '0') {
		ps->p = int_part + 1;
		return error(ps, "a number cannot have a leading zero");
	}
	if (ps->p < ps->end && *ps->p == '.') {
		ps->p++;
		if (digits(ps) == 0)
			return error(ps, "digits needed after the decimal point");
	}
	if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
		ps->p++;
		if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
			ps->p++;
		if (digits(ps) == 0)
			return error(ps, "digits needed in the exponent");
	}
	char buf[512];
	size_t len = (size_t)(ps->p - s);
	if (len >= sizeof buf) {
		ps->p = s;
		return error(ps, "number of over %zu characters", sizeof buf - 1);
	}
	memcpy(buf, s, len);
	buf[len] = '\0';
	double d = strtod(buf, NULL);	/* the grammar above is a subset of strtod's */
	if (!isfinite(d)) {
		ps->p = s;
		return error(ps, "number out of range");
	}
	if (v)
		v->number = d;
	return true;
}

static bool literal(struct parser *ps, const char *word)
{
	for (; *word; word++, ps->p++) {
		if (ps->p >= ps->end)
			return error(ps, "unexpected end");
		if (*ps->p != *word)
			return unexpected(ps);
	}
	return true;
}

static bool parse_value(struct parser *ps, unsigned depth, struct json_value **out);

/* An array or an object, ps->p on its opening bracket. */
static bool parse_container(struct parser *ps, unsigned depth, struct json_value *v, bool object)
{
	char close = object ? '}' : ']';
	if (depth >= JSON_MAX_DEPTH)
		return error(ps, "nested over %d levels", JSON_MAX_DEPTH);
	ps->p++;
	skip_space(ps);
	if (ps->p < ps->end && *ps->p == close) {
		ps->p++;
		return true;
	}
	struct json_value *last = NULL;
	for (;;) {
		const char *key = NULL;
		size_t key_len = 0;
		if (object) {
			if (ps->p >= ps->end)
				return error(ps, "unexpected end");
			if (*ps->p != '"')
				return error(ps, "a member name (a string) expected");
			if (!parse_string(ps, &key, &key_len))
				return false;
			skip_space(ps);
			if (ps->p >= ps->end || *ps->p != ':')
				return error(ps, "':' expected after a member name");
			ps->p++;
		}
		struct json_value *item = NULL;
		if (!parse_value(ps, depth + 1, &item))
			return false;
		if (v) {
			item->key = key;
			item->key_len = key_len;
			if (last)
				last->next = item;
			else
				v->child = item;
			v->len++;
		}
		last = item;
		skip_space(ps);
		if (ps->p >= ps->end)
			return error(ps, "unexpected end");
		if (*ps->p == close) {
			ps->p++;
			return true;
		}
		if (*ps->p != ',')
			return error(ps, "',' or '%c' expected", close);
		ps->p++;
		skip_space(ps);
	}
}

static bool parse_value(struct parser *ps, unsigned depth, struct json_value **out)
{
	skip_space(ps);
	if (ps->p >= ps->end)
		return error(ps, "unexpected end");
	struct json_value *v;
	switch (*ps->p) {
	case '{':
	case '[':
		v = new_node(ps, *ps->p == '{' ? JSON_OBJECT : JSON_ARRAY);
		if (!parse_container(ps, depth, v, *ps->p == '{'))
			return false;
		break;
	case '"': {
		v = new_node(ps, JSON_STRING);
		const char *s = NULL;
		size_t n = 0;
		if (!parse_string(ps, &s, &n))
			return false;
		if (v) {
			v->string = s;
			v->len = n;
		}
		break;
	}
	case 't':
	case 'f': {
		bool t = *ps->p == 't';
		v = new_node(ps, JSON_BOOL);
		if (!literal(ps, t ? "true" : "false"))
			return false;
		if (v)
			v->boolean = t;
		break;
	}
	case 'n':
		v = new_node(ps, JSON_NULL);
		if (!literal(ps, "null"))
			return false;
		break;
	default:
		if (*ps->p != '-' && (*ps->p < '0' || *ps->p > '9'))
			return unexpected(ps);
		v = new_node(ps, JSON_NUMBER);
		if (!parse_number(ps, v))
			return false;
	}
	*out = v;
	return true;
}

static bool run(struct parser *ps, struct json_value **root)
{
	ps->p = ps->start;
	ps->nnodes = 0;
	ps->nstrings = 0;
	if (!parse_value(ps, 0, root))
		return false;
	skip_space(ps);
	if (ps->p != ps->end)
		return error(ps, "more after the value");
	return true;
}

bool json_parse(struct json_doc *doc, const char *text, size_t len, char *err, size_t errsize)
{
	memset(doc, 0, sizeof *doc);
	if (err && errsize)
		err[0] = '\0';
	if (!text)
		text = "", len = 0;
	struct parser ps = { .start = text, .end = text + len, .err = err, .errsize = errsize };
	struct json_value *root = NULL;
	if (!run(&ps, &root))
		return false;
	ps.nodes = calloc(ps.nnodes, sizeof *ps.nodes);
	ps.strings = malloc(ps.nstrings ? ps.nstrings : 1);
	if (!ps.nodes || !ps.strings) {
		free(ps.nodes);
		free(ps.strings);
		ps.p = ps.start;
		return error(&ps, "out of memory");
	}
	run(&ps, &root);	/* cannot fail: the same text passed */
	doc->nodes = ps.nodes;
	doc->strings = ps.strings;
	doc->root = root;
	return true;
}

void json_free(struct json_doc *doc)
{
	free(doc->nodes);
	free(doc->strings);
	memset(doc, 0, sizeof *doc);
}

const struct json_value *json_get(const struct json_value *v, const char *key)
{
	if (!v || v->type != JSON_OBJECT)
		return NULL;
	size_t n = strlen(key);
	for (const struct json_value *m = v->child; m; m = m->next)
		if (m->key_len == n && memcmp(m->key, key, n) == 0)
			return m;
	return NULL;
}

const struct json_value *json_at(const struct json_value *v, size_t i)
{
	if (!v || v->type != JSON_ARRAY)
		return NULL;
	const struct json_value *item = v->child;
	while (item && i--)
		item = item->next;
	return item;
}

const char *json_str(const struct json_value *v)
{
	return v && v->type == JSON_STRING ? v->string : NULL;
}

bool json_num(const struct json_value *v, double *out)
{
	if (!v || v->type != JSON_NUMBER)
		return false;
	*out = v->number;
	return true;
}

bool json_is(const struct json_value *v, enum json_type type)
{
	return v && v->type == type;
}

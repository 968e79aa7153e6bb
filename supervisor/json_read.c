#include "json_read.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool json_read_error(struct json_reader *ps, const char *fmt, ...)
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
static bool unexpected(struct json_reader *ps)
{
	unsigned char c = (unsigned char)*ps->p;
	if (c > 0x20 && c < 0x7F)
		return json_read_error(ps, "unexpected character '%c'", c);
	return json_read_error(ps, "unexpected byte 0x%02x", c);
}

static void skip_space(struct json_reader *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

static struct json_value *new_node(struct json_reader *ps, enum json_type type)
{
	size_t i = ps->nnodes++;
	if (!ps->nodes)
		return NULL;
	struct json_value *v = &ps->nodes[i];
	memset(v, 0, sizeof *v);
	v->type = type;
	return v;
}

/* A string, ps->p on its opening quote (json_string.h). */
static bool read_string(struct json_reader *ps, const char **out, size_t *len)
{
	char why[64];
	if (json_string_read(&ps->p, ps->end, &ps->strings, out, len, why, sizeof why))
		return true;
	return json_read_error(ps, "%s", why);
}

static size_t digits(struct json_reader *ps)
{
	const char *s = ps->p;
	while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
		ps->p++;
	return (size_t)(ps->p - s);
}

static bool parse_number(struct json_reader *ps, struct json_value *v)
{
	const char *s = ps->p;
	if (ps->p < ps->end && *ps->p == '-')
		ps->p++;
	const char *int_part = ps->p;
	size_t n = digits(ps);
	if (n == 0)
		return json_read_error(ps, "a number needs digits");
	if (n > 1 && *int_part == '0') {
		ps->p = int_part + 1;
		return json_read_error(ps, "a number cannot have a leading zero");
	}
	if (ps->p < ps->end && *ps->p == '.') {
		ps->p++;
		if (digits(ps) == 0)
			return json_read_error(ps, "digits needed after the decimal point");
	}
	if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
		ps->p++;
		if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
			ps->p++;
		if (digits(ps) == 0)
			return json_read_error(ps, "digits needed in the exponent");
	}
	char buf[512];
	size_t len = (size_t)(ps->p - s);
	if (len >= sizeof buf) {
		ps->p = s;
		return json_read_error(ps, "number of over %zu characters", sizeof buf - 1);
	}
	memcpy(buf, s, len);
	buf[len] = '\0';
	double d = strtod(buf, NULL);	/* the grammar above is a subset of strtod's */
	if (!isfinite(d)) {
		ps->p = s;
		return json_read_error(ps, "number out of range");
	}
	if (v)
		v->number = d;
	return true;
}

static bool literal(struct json_reader *ps, const char *word)
{
	for (; *word; word++, ps->p++) {
		if (ps->p >= ps->end)
			return json_read_error(ps, "unexpected end");
		if (*ps->p != *word)
			return unexpected(ps);
	}
	return true;
}

static bool parse_value(struct json_reader *ps, unsigned depth, struct json_value **out);

/* An array or an object, ps->p on its opening bracket. */
static bool parse_container(struct json_reader *ps, unsigned depth, struct json_value *v, bool object)
{
	char close = object ? '}' : ']';
	if (depth >= JSON_MAX_DEPTH)
		return json_read_error(ps, "nested over %d levels", JSON_MAX_DEPTH);
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
				return json_read_error(ps, "unexpected end");
			if (*ps->p != '"')
				return json_read_error(ps, "a member name (a string) expected");
			if (!read_string(ps, &key, &key_len))
				return false;
			skip_space(ps);
			if (ps->p >= ps->end || *ps->p != ':')
				return json_read_error(ps, "':' expected after a member name");
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
			return json_read_error(ps, "unexpected end");
		if (*ps->p == close) {
			ps->p++;
			return true;
		}
		if (*ps->p != ',')
			return json_read_error(ps, "',' or '%c' expected", close);
		ps->p++;
		skip_space(ps);
	}
}

static bool parse_value(struct json_reader *ps, unsigned depth, struct json_value **out)
{
	skip_space(ps);
	if (ps->p >= ps->end)
		return json_read_error(ps, "unexpected end");
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
		if (!read_string(ps, &s, &n))
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

bool json_read(struct json_reader *ps, struct json_value **root)
{
	ps->p = ps->start;
	ps->nnodes = 0;
	ps->strings.len = 0;
	if (!parse_value(ps, 0, root))
		return false;
	skip_space(ps);
	if (ps->p != ps->end)
		return json_read_error(ps, "more after the value");
	return true;
}

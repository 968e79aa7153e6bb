#include "expand.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How deep ${A:-${B:-…}} may nest: far more than a config needs, and a
 * bound on the recursion whatever the value. */
#define EXPAND_MAX_DEPTH 16

struct out {
	char *p;
	size_t len, cap;
};

/* One value being expanded: where the reading is, what is written, and the
 * first error (then nothing more is written). */
struct expansion {
	const char *s;
	struct out out;
	char *error;
	size_t error_size;
	bool failed;
};

static bool out_put(struct out *o, const char *s, size_t n)
{
	if (o->len + n + 1 > o->cap) {
		size_t cap = (o->len + n + 1) * 2;
		char *p = realloc(o->p, cap);
		if (!p)
			return false;
		o->p = p;
		o->cap = cap;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
	o->p[o->len] = '\0';
	return true;
}

static bool is_name_char(char c, bool first)
{
	return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (!first && c >= '0' && c <= '9');
}

static void fail(struct expansion *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct expansion *x, const char *fmt, ...)
{
	if (x->failed)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(x->error, x->error_size, fmt, ap);
	va_end(ap);
	x->failed = true;
}

static void bad_reference(struct expansion *x, const char *dollar)
{
	fail(x, "bad variable reference \"%.24s\" (write ${NAME}, ${NAME:-default}, or $$ for a literal $)", dollar);
}

/* Writes n bytes, unless the text being read is a default that is not used
 * (which is read all the same, so that its mistakes are found). */
static void emit(struct expansion *x, bool used, const char *s, size_t n)
{
	if (used && !x->failed && !out_put(&x->out, s, n))
		fail(x, "out of memory");
}

static void expand_text(struct expansion *x, bool used, int depth);

/* ${NAME} or ${NAME:-default}, x->s just past "${". The default is text
 * like any other (${…} and $$ in it are expanded), expanded only when it is
 * used: like the shell, ${A:-${B}} needs B only when A is unset or empty. */
static void expand_reference(struct expansion *x, const char *dollar, bool used, int depth)
{
	const char *name = x->s;
	while (is_name_char(*x->s, x->s == name))
		x->s++;
	size_t name_len = (size_t)(x->s - name);
	if (name_len == 0 || (*x->s != '}' && strncmp(x->s, ":-", 2) != 0)) {
		bad_reference(x, dollar);
		return;
	}
	char key[256];
	if (name_len >= sizeof key) {
		fail(x, "variable name too long");
		return;
	}
	memcpy(key, name, name_len);
	key[name_len] = '\0';
	const char *v = getenv(key);

	if (*x->s == '}') {
		x->s++;
		if (used && !v)
			fail(x, "environment variable %s is not set (use ${%s:-default} for a default)", key, key);
		else if (v)
			emit(x, used, v, strlen(v));
		return;
	}
	x->s += 2;	/* past ":-" */
	if (depth >= EXPAND_MAX_DEPTH) {
		fail(x, "defaults nested more than %d deep in \"%.24s\"", EXPAND_MAX_DEPTH, dollar);
		return;
	}
	bool use_default = !v || !*v;	/* like the shell: unset or empty */
	if (v && !use_default)
		emit(x, used, v, strlen(v));
	expand_text(x, used && use_default, depth + 1);
	if (*x->s != '}')
		bad_reference(x, dollar);	/* the default runs to the end */
	else
		x->s++;
}

/* Text up to its end: the end of the value at depth 0, else the first '}'
 * that closes no ${ of its own (a default). */
static void expand_text(struct expansion *x, bool used, int depth)
{
	while (*x->s && !x->failed && !(depth > 0 && *x->s == '}')) {
		size_t plain = strcspn(x->s, depth > 0 ? "$}" : "$");
		emit(x, used, x->s, plain);
		x->s += plain;
		if (*x->s != '$')
			continue;
		const char *dollar = x->s++;
		if (*x->s == '$') {	/* $$ is a literal $ */
			emit(x, used, "$", 1);
			x->s++;
		} else if (*x->s == '{') {
			x->s++;
			expand_reference(x, dollar, used, depth);
		} else {	/* a lone $ stays as written */
			emit(x, used, "$", 1);
		}
	}
}

char *expand_vars(const char *value, char *error, size_t error_size)
{
	struct expansion x = { .s = value, .error = error, .error_size = error_size };
	emit(&x, true, "", 0);
	expand_text(&x, true, 0);
	if (x.failed) {
		free(x.out.p);
		return NULL;
	}
	return x.out.p;
}

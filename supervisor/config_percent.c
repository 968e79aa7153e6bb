#include "config_percent.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "expand.h"

struct buf {
	char *p;
	size_t len, cap;
	bool oom;
};

static void put(struct buf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = (b->len + n + 1) * 2;
		char *p = realloc(b->p, cap);
		if (!p) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

/* Inserted text: each '$' doubled (see percent_expand). */
static void put_inserted(struct buf *b, const char *s)
{
	for (; *s; s++)
		put(b, *s == '$' ? "$$" : s, *s == '$' ? 2 : 1);
}

/* The value of a name as text, or NULL (err says why). *number: it is a
 * number (process_num), for a %d spec. */
static const char *lookup(const char *name, const struct percent_names *names, char *num, size_t numlen,
			  bool *number, char *err, size_t n)
{
	*number = false;
	if (strncmp(name, "ENV_", 4) == 0) {
		const char *v = getenv(name + 4);
		if (!v)
			snprintf(err, n, "%%(%s)s: environment variable %s is not set", name, name + 4);
		return v;
	}
	if (strcmp(name, "host_node_name") == 0) {
		if (gethostname(num, numlen) < 0)
			snprintf(num, numlen, "localhost");
		num[numlen - 1] = '\0';
		return num;
	}
	bool is_num = strcmp(name, "process_num") == 0, is_count = strcmp(name, "numprocs") == 0;
	if ((is_num || is_count) && names && names->has_num) {
		*number = true;
		snprintf(num, numlen, "%d", is_num ? names->process_num : names->numprocs);
		return num;
	}
	const char *v = NULL;
	bool known = true;
	if (strcmp(name, "program_name") == 0)
		v = names ? names->program_name : NULL;
	else if (strcmp(name, "group_name") == 0)
		v = names ? names->group_name : NULL;
	else if (strcmp(name, "here") == 0)
		v = names ? names->here : NULL;
	else
		known = is_num || is_count;
	if (!v && known)
		snprintf(err, n, "%%(%s) is not known here (only in a [program:x] section)", name);
	else if (!v)
		snprintf(err, n, "unknown expansion %%(%s): tend knows ENV_X, program_name, process_num, numprocs, "
			 "group_name, here, host_node_name (and %%%% for a %%)", name);
	return v;
}

/* "%(name)SPEC" with p just past "%(": writes the expansion; false with err. */
static bool expand_one(const char **pp, const struct percent_names *names, struct buf *b, char *err, size_t n)
{
	const char *p = *pp, *close = strchr(p, ')');
	if (!close || close == p || close - p > 200) {
		snprintf(err, n, "\"%%(%.20s\" is not %%(name)s", p);
		return false;
	}
	char name[256];
	snprintf(name, sizeof name, "%.*s", (int)(close - p), p);
	/* Python's conversion spec: flags, width, precision, a conversion */
	const char *spec = close + 1, *q = spec;
	q += strspn(q, "#0- +");
	size_t width = strspn(q, "0123456789");
	q += width;
	if (*q == '.')
		q += 1 + strspn(q + 1, "0123456789");
	char conv = *q;
	if (!strchr("sdi", conv) || conv == '\0' || width > 3 || q - spec > 8) {
		snprintf(err, n, "%%(%s): the conversion must be s or d (as in %%(%s)s or %%(process_num)02d)", name, name);
		return false;
	}
	char numtext[256];
	bool number;
	const char *v = lookup(name, names, numtext, sizeof numtext, &number, err, n);
	if (!v)
		return false;
	if (conv != 's' && !number) {
		snprintf(err, n, "%%(%s)%c: %s is not a number", name, conv, name);
		return false;
	}
	char fmt[16], *formatted = NULL;
	if (number || q > spec) {
		snprintf(fmt, sizeof fmt, "%%%.*s%c", (int)(q - spec), spec, number && conv != 's' ? 'd' : 's');
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		int r = number && conv != 's' ? asprintf(&formatted, fmt, atoi(v)) : asprintf(&formatted, fmt, v);
#pragma GCC diagnostic pop
		if (r < 0) {
			snprintf(err, n, "out of memory");
			return false;
		}
	}
	put_inserted(b, formatted ? formatted : v);
	free(formatted);
	*pp = q + 1;
	return true;
}

char *percent_expand(const char *value, const struct percent_names *names, char *err, size_t n)
{
	struct buf b = { 0 };
	put(&b, "", 0);
	const char *p = value;
	while (*p && !b.oom) {
		size_t plain = strcspn(p, "%");
		put(&b, p, plain);
		p += plain;
		if (!*p)
			break;
		if (p[1] == '%') {
			put(&b, "%", 1);
			p += 2;
		} else if (p[1] == '(') {
			p += 2;
			if (!expand_one(&p, names, &b, err, n)) {
				free(b.p);
				return NULL;
			}
		} else {	/* a lone %: kept (`date +%s`) */
			put(&b, "%", 1);
			p++;
		}
	}
	if (b.oom) {
		snprintf(err, n, "out of memory");
		free(b.p);
		return NULL;
	}
	return b.p;
}

char *percent_and_vars(const char *value, const struct percent_names *names, char *err, size_t n)
{
	char *once = percent_expand(value, names, err, n);
	if (!once)
		return NULL;
	char *both = expand_vars(once, err, n);
	free(once);
	return both;
}

/* absolute, as supervisord's */
void percent_here(const char *path, char *here, size_t n)
{
	char real[PATH_MAX];
	if (realpath(path, real))
		path = real;
	const char *slash = strrchr(path, '/');
	if (!slash)
		snprintf(here, n, ".");
	else
		snprintf(here, n, "%.*s", slash == path ? 1 : (int)(slash - path), path);
}

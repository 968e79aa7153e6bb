#include "expand.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct out {
	char *p;
	size_t len, cap;
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

char *expand_vars(const char *value, char *error, size_t error_size)
{
	struct out o = { 0 };
	const char *s = value;

	if (!out_put(&o, "", 0))
		goto oom;
	while (*s) {
		const char *dollar = strchr(s, '$');
		if (!dollar) {
			if (!out_put(&o, s, strlen(s)))
				goto oom;
			break;
		}
		if (!out_put(&o, s, (size_t)(dollar - s)))
			goto oom;
		s = dollar + 1;
		if (*s == '$') {	/* $$ is a literal $ */
			if (!out_put(&o, "$", 1))
				goto oom;
			s++;
			continue;
		}
		if (*s != '{') {	/* a lone $ stays as written */
			if (!out_put(&o, "$", 1))
				goto oom;
			continue;
		}
		const char *name = ++s;
		while (is_name_char(*s, s == name))
			s++;
		size_t name_len = (size_t)(s - name);
		const char *fallback = NULL;
		size_t fallback_len = 0;
		if (s[0] == ':' && s[1] == '-') {
			fallback = s + 2;
			s = strchr(fallback, '}');
			if (s)
				fallback_len = (size_t)(s - fallback);
		}
		if (!s || *s != '}' || name_len == 0) {
			snprintf(error, error_size,
				 "bad variable reference \"%.24s\" (write ${NAME}, ${NAME:-default}, or $$ for a literal $)",
				 dollar);
			free(o.p);
			return NULL;
		}
		s++;	/* past '}' */
		char key[256];
		if (name_len >= sizeof key) {
			snprintf(error, error_size, "variable name too long");
			free(o.p);
			return NULL;
		}
		memcpy(key, name, name_len);
		key[name_len] = '\0';
		const char *v = getenv(key);
		if (fallback && (!v || !*v)) {	/* like the shell: unset or empty */
			if (!out_put(&o, fallback, fallback_len))
				goto oom;
		} else if (v) {
			if (!out_put(&o, v, strlen(v)))
				goto oom;
		} else {
			snprintf(error, error_size, "environment variable %s is not set (use ${%s:-default} for a default)", key, key);
			free(o.p);
			return NULL;
		}
	}
	return o.p;
oom:
	free(o.p);
	snprintf(error, error_size, "out of memory");
	return NULL;
}

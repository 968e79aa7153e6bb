#include "values.h"

#include <ctype.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "signames.h"

bool value_bool(const char *s, bool *out, char *err, size_t n)
{
	/* supervisord's spellings too, so its configs carry over */
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };
	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return true;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return true;
		}
	}
	snprintf(err, n, "\"%s\" is not a boolean (true or false)", s);
	return false;
}

/* Plain decimal numbers only: no sign, no exponent, no hex, no inf/nan. */
static bool is_plain_decimal(const char *s, bool allow_fraction)
{
	bool digits = false, dot = false;
	for (; *s; s++) {
		if (isdigit((unsigned char)*s))
			digits = true;
		else if (*s == '.' && allow_fraction && !dot)
			dot = true;
		else
			return false;
	}
	return digits;
}

bool value_duration(const char *s, double *out, char *err, size_t n)
{
	if (!is_plain_decimal(s, true)) {
		snprintf(err, n, "\"%s\" is not a number of seconds (like 5 or 0.5)", s);
		return false;
	}
	double d = strtod(s, NULL);
	if (d > DURATION_MAX) {
		snprintf(err, n, "%s is out of range (0 to %.0f seconds)", s, DURATION_MAX);
		return false;
	}
	*out = d;
	return true;
}

bool value_count_range(const char *s, unsigned min, unsigned max, unsigned *out, char *err, size_t n)
{
	if (!is_plain_decimal(s, false)) {
		snprintf(err, n, "\"%s\" is not a whole number >= %u", s, min);
		return false;
	}
	errno = 0;
	unsigned long v = strtoul(s, NULL, 10);
	if (errno || v < min || v > max) {
		snprintf(err, n, "%s is out of range (%u to %u)", s, min, max);
		return false;
	}
	*out = (unsigned)v;
	return true;
}

bool value_count(const char *s, unsigned max, unsigned *out, char *err, size_t n)
{
	return value_count_range(s, 0, max, out, err, n);
}

bool value_octal(const char *s, int max, int *out, char *err, size_t n)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 8);
	if (!*s || *end || *s == '-' || *s == '+' || errno || v > max) {
		snprintf(err, n, "\"%s\" is not an octal mode from 0 to %o", s, (unsigned)max);
		return false;
	}
	*out = (int)v;
	return true;
}

bool value_signal(const char *s, int *out, char *err, size_t n)
{
	int sig = signal_from_name(s);
	if (sig == 0) {
		snprintf(err, n, "unknown signal \"%s\"", s);
		return false;
	}
	*out = sig;
	return true;
}

bool value_autorestart(const char *s, enum autorestart *out, char *err, size_t n)
{
	bool b;
	if (strcasecmp(s, "unexpected") == 0) {
		*out = AUTORESTART_UNEXPECTED;
		return true;
	}
	if (value_bool(s, &b, err, n)) {
		*out = b ? AUTORESTART_TRUE : AUTORESTART_FALSE;
		return true;
	}
	snprintf(err, n, "\"%s\" is not one of true, false, unexpected", s);
	return false;
}

bool value_list(const char *s, char ***out, char *err, size_t n)
{
	size_t cap = 1;
	for (const char *p = s; *p; p++)
		cap += *p == ',';
	char **list = calloc(cap + 1, sizeof *list);
	if (!list) {
		snprintf(err, n, "out of memory");
		return false;
	}
	size_t count = 0;
	const char *p = s;
	for (;;) {
		const char *comma = strchr(p, ',');
		const char *end = comma ? comma : p + strlen(p);
		while (p < end && isspace((unsigned char)*p))
			p++;
		const char *e = end;
		while (e > p && isspace((unsigned char)e[-1]))
			e--;
		if (e == p) {
			if (comma || count > 0) {
				snprintf(err, n, "empty item in list \"%s\"", s);
				value_list_free(list);
				return false;
			}
		} else {
			list[count] = strndup(p, (size_t)(e - p));
			if (!list[count++]) {
				snprintf(err, n, "out of memory");
				value_list_free(list);
				return false;
			}
		}
		if (!comma)
			break;
		p = comma + 1;
	}
	*out = list;
	return true;
}

void value_list_free(char **list)
{
	if (!list)
		return;
	for (char **p = list; *p; p++)
		free(*p);
	free(list);
}

bool value_exitcodes(const char *s, bool codes[EXIT_CODES_MAX], char *err, size_t n)
{
	char **list;
	if (!value_list(s, &list, err, n))
		return false;
	memset(codes, 0, EXIT_CODES_MAX * sizeof codes[0]);
	bool ok = true;
	for (char **p = list; *p && ok; p++) {
		unsigned code;
		ok = value_count(*p, EXIT_CODES_MAX - 1, &code, err, n);
		if (ok)
			codes[code] = true;
	}
	value_list_free(list);
	return ok;
}

bool value_forward_signals(const char *s, uint64_t *out, char *err, size_t n)
{
	char **list;
	if (!value_list(s, &list, err, n))
		return false;
	uint64_t mask = 0;
	bool ok = true;
	for (char **p = list; *p && ok; p++) {
		int sig = signal_from_name(*p);
		if (sig != SIGHUP && sig != SIGUSR1 && sig != SIGUSR2 && sig != SIGWINCH) {
			snprintf(err, n, "\"%s\" cannot be forwarded (only %s)", *p, FORWARDABLE_SIGNALS);
			ok = false;
		} else {
			mask |= UINT64_C(1) << sig;	/* only here: sig may be 64 */
		}
	}
	value_list_free(list);
	if (ok)
		*out = mask;
	return ok;
}

static bool is_env_name(const char *s, size_t len)
{
	if (len == 0 || isdigit((unsigned char)s[0]))
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return false;
	return true;
}

/* The value after KEY=, quoted or not, into buf (*len bytes); *pp moves
 * past it and its comma. */
static bool environment_value(const char **pp, const char *key, int klen, char *buf, size_t *len, char *err,
			      size_t n)
{
	const char *p = *pp;
	size_t l = 0;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '"' || *p == '\'') {
		char quote = *p++;
		while (*p && *p != quote)
			buf[l++] = *p++;
		if (*p != quote) {
			snprintf(err, n, "unterminated quote in the value of %.*s", klen, key);
			return false;
		}
		p++;
		while (isspace((unsigned char)*p))
			p++;
		if (*p && *p != ',') {
			snprintf(err, n, "unexpected text after the quoted value of %.*s", klen, key);
			return false;
		}
	} else {
		while (*p && *p != ',')
			buf[l++] = *p++;
		while (l > 0 && isspace((unsigned char)buf[l - 1]))
			l--;
	}
	if (*p == ',')
		p++;
	*pp = p;
	*len = l;
	return true;
}

static bool environment_has(char **list, size_t count, const char *key, size_t klen)
{
	for (size_t i = 0; i < count; i++)
		if (strncmp(list[i], key, klen) == 0 && list[i][klen] == '=')
			return true;
	return false;
}

/* supervisord's form: KEY=value pairs separated by commas; a value may be
 * quoted with " or ' to hold commas. */
bool value_environment(const char *s, char ***out, char *err, size_t n)
{
	size_t cap = 2;
	for (const char *p = s; *p; p++)
		cap += *p == ',';
	char **list = calloc(cap, sizeof *list);
	char *buf = malloc(strlen(s) + 1);
	size_t count = 0;
	if (!list || !buf)
		goto oom;
	const char *p = s;
	while (*p) {
		while (isspace((unsigned char)*p))
			p++;
		const char *key = p;
		while (*p && *p != '=' && *p != ',')
			p++;
		const char *key_end = p;
		while (key_end > key && isspace((unsigned char)key_end[-1]))
			key_end--;
		int klen = (int)(key_end - key);
		if (*p != '=' || !is_env_name(key, (size_t)klen)) {
			snprintf(err, n, "expected KEY=value at \"%.32s\"", key);
			goto fail;
		}
		p++;
		size_t len;
		if (!environment_value(&p, key, klen, buf, &len, err, n))
			goto fail;
		if (environment_has(list, count, key, (size_t)klen)) {
			snprintf(err, n, "%.*s is set twice", klen, key);
			goto fail;
		}
		char *item = malloc((size_t)klen + len + 2);
		if (!item)
			goto oom;
		sprintf(item, "%.*s=%.*s", klen, key, (int)len, buf);
		list[count++] = item;
	}
	free(buf);
	*out = list;
	return true;
oom:
	snprintf(err, n, "out of memory");
fail:
	free(buf);
	value_list_free(list);
	return false;
}

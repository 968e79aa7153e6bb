/* Most kinds are parsed by values.c; here each gets the shape of the table:
 * (value, field, max, err). */
#include "config_convert.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "net.h"
#include "users.h"
#include "values.h"
#include "words.h"

#define PASSWD_FILE "/etc/passwd"
#define GROUP_FILE "/etc/group"

/* The kinds whose parser in values.c takes the field as it is. */
#define AS_IS(name, parse) \
	static bool name(const char *value, void *field, unsigned max, char *err, size_t n) \
	{ \
		(void)max; \
		return parse(value, field, err, n); \
	}
AS_IS(convert_bool, value_bool)
AS_IS(convert_autorestart, value_autorestart)
AS_IS(convert_exitcodes, value_exitcodes)
AS_IS(convert_duration, value_duration)
AS_IS(convert_signal, value_signal)
AS_IS(convert_forward, value_forward_signals)
#undef AS_IS

static bool replace_string(void *field, const char *value)
{
	free(*(char **)field);
	return (*(char **)field = strdup(value)) != NULL;
}

static bool convert_command(const char *value, void *field, unsigned max, char *err, size_t n)
{
	(void)max;
	struct program_config *p = field;
	const char *why;
	char **argv = words_split(value, &why);
	if (!argv) {
		snprintf(err, n, "%s", why);
		return false;
	}
	free(p->argv);
	p->argv = argv;
	return replace_string(&p->command, value);
}

static bool convert_string(const char *value, void *field, unsigned max, char *err, size_t n)
{
	(void)max;
	if (!*value) {
		snprintf(err, n, "empty value");
		return false;
	}
	return replace_string(field, value);
}

static bool convert_user(const char *value, void *field, unsigned max, char *err, size_t n)
{
	(void)max;
	user_free(field);
	return user_resolve(value, PASSWD_FILE, GROUP_FILE, field, err, n);
}

static bool convert_environment(const char *value, void *field, unsigned max, char *err, size_t n)
{
	(void)max;
	value_list_free(*(char ***)field);
	*(char ***)field = NULL;
	return value_environment(value, field, err, n);
}

static bool convert_depends(const char *value, void *field, unsigned max, char *err, size_t n)
{
	(void)max;
	value_list_free(*(char ***)field);
	*(char ***)field = NULL;
	return value_list(value, field, err, n);
}

static bool convert_octal(const char *value, void *field, unsigned max, char *err, size_t n)
{
	return value_octal(value, (int)max, field, err, n);
}

static bool convert_count(const char *value, void *field, unsigned max, char *err, size_t n)
{
	return value_count(value, max, field, err, n);
}

/* a duration that must not be 0: it paces a loop */
static bool convert_interval(const char *value, void *field, unsigned max, char *err, size_t n)
{
	(void)max;
	if (!value_duration(value, field, err, n))
		return false;
	if (*(double *)field > 0)
		return true;
	snprintf(err, n, "must be more than 0 seconds");
	return false;
}

/* ok: the value was one of names; else the error lists them */
static bool one_of(bool ok, const char *value, const char *names, char *err, size_t n)
{
	if (!ok)
		snprintf(err, n, "\"%s\" is not one of %s", value, names);
	return ok;
}

static bool convert_log_level(const char *value, void *field, unsigned max, char *err, size_t n)
{
	(void)max;
	return one_of(log_level_parse(value, field), value, "error, warn, info, debug", err, n);
}

static bool convert_log_format(const char *value, void *field, unsigned max, char *err, size_t n)
{
	(void)max;
	return one_of(log_format_parse(value, field), value, "text, json", err, n);
}

static bool convert_socket(const char *value, void *field, unsigned max, char *err, size_t n)
{
	(void)max;
	if (*value != '/' || !net_unix_path_fits(value)) {
		snprintf(err, n, "\"%s\" is not an absolute path of at most %zu bytes", value, NET_UNIX_PATH_MAX);
		return false;
	}
	return replace_string(field, value);
}

static bool convert_listen(const char *value, void *field, unsigned max, char *err, size_t n)
{
	(void)max;
	struct sockaddr_storage addr;
	socklen_t len;
	if (!net_parse_host_port(value, &addr, &len, err, n))
		return false;
	return replace_string(field, value);
}

static bool convert_sockets(const char *value, void *field, unsigned max, char *err, size_t n)
{
	(void)max;
	return listen_parse(value, field, err, n);
}

static bool convert_probe(const char *value, void *field, unsigned max, char *err, size_t n)
{
	(void)max;
	probe_spec_free(field);
	return probe_parse(value, field, err, n);
}

typedef bool converter(const char *value, void *field, unsigned max, char *err, size_t n);

#define KEY_KIND_CONVERTER(kind, type, convert) [K_##kind] = convert,
static converter *const converters[] = { KEY_KINDS(KEY_KIND_CONVERTER) };
#undef KEY_KIND_CONVERTER

bool config_convert(enum key_kind kind, const char *value, void *field, unsigned max, char *err, size_t n)
{
	return converters[kind](value, field, max, err, n);
}

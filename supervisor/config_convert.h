/* One converter for each kind of value a key takes: the value, after ${VAR}
 * expansion, checked and written into the key's field. */
#ifndef TEND_CONFIG_CONVERT_H
#define TEND_CONFIG_CONVERT_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

/* X(KIND, the type of the field it writes, its converter in config_convert.c) */
#define KEY_KINDS(X) \
	X(COMMAND,	struct program_config,	convert_command)	/* command and argv */ \
	X(STRING,	char *,			convert_string) \
	X(USER,		struct run_as,		convert_user) \
	X(ENVIRONMENT,	char **,		convert_environment) \
	X(OCTAL,	int,			convert_octal)		/* at most max */ \
	X(BOOL,		bool,			convert_bool) \
	X(AUTORESTART,	enum autorestart,	convert_autorestart) \
	X(EXITCODES,	bool[EXIT_CODES_MAX],	convert_exitcodes) \
	X(DURATION,	double,			convert_duration) \
	X(INTERVAL,	double,			convert_interval)	/* a duration over 0 */ \
	X(COUNT,	unsigned,		convert_count)		/* at most max */ \
	X(SIGNAL,	int,			convert_signal) \
	X(FORWARD,	uint64_t,		convert_forward) \
	X(DEPENDS,	char **,		convert_depends) \
	X(LOG_LEVEL,	enum log_level,		convert_log_level) \
	X(LOG_FORMAT,	enum log_format,	convert_log_format) \
	X(SOCKET,	char *,			convert_socket) \
	X(LISTEN,	char *,			convert_listen) \
	X(SOCKETS,	struct listen_list,	convert_sockets)	/* a program's listen */ \
	X(PROBE,	struct probe_spec,	convert_probe)

#define KEY_KIND_ENUM(kind, type, convert) K_##kind,
enum key_kind { KEY_KINDS(KEY_KIND_ENUM) };
#undef KEY_KIND_ENUM

/* key_kind_type_BOOL is bool: the type a key's field must have */
#define KEY_KIND_TYPE(kind, type, convert) typedef __typeof__(type) key_kind_type_##kind;
KEY_KINDS(KEY_KIND_TYPE)
#undef KEY_KIND_TYPE

/* Writes value into field, or returns false with the reason in err (the
 * caller names the key). max bounds COUNT and OCTAL. */
bool config_convert(enum key_kind kind, const char *value, void *field, unsigned max, char *err, size_t n);

#endif

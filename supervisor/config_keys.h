/* The keys of the file, each written once, in one list per section: its
 * name, the kind of value it takes (config_convert.h), the field it sets,
 * its default and the bound of a COUNT or OCTAL value. A default is read
 * like a value from the file, ${VAR} included; NULL: none, the field keeps
 * its zero. config_keys.c makes the tables from these lists and has the
 * compiler check that each field has the type its kind writes; the fields
 * are declared in config.h, among those no key sets, with their comments. */
#ifndef TEND_CONFIG_KEYS_H
#define TEND_CONFIG_KEYS_H

#include <stdbool.h>

#include "config.h"
#include "config_ini.h"
#include "config_percent.h"

/* X(key, KIND, field of struct program_draft, default, max) */
#define PROGRAM_KEYS(X) \
	X(command,			COMMAND,	p,				NULL,		0) \
	X(directory,			STRING,		p.directory,			NULL,		0) \
	X(user,				USER,		p.user,				NULL,		0) \
	X(environment,			ENVIRONMENT,	p.env_extra,			NULL,		0) \
	X(umask,			OCTAL,		p.umask,			NULL,		0777) \
	X(autostart,			BOOL,		p.autostart,			"true",		0) \
	X(autorestart,			AUTORESTART,	p.autorestart,			"unexpected",	0) \
	X(exitcodes,			EXITCODES,	p.exitcodes,			"0",		0) \
	X(startsecs,			DURATION,	p.startsecs,			"1",		0) \
	X(startretries,			COUNT,		p.startretries,			"3",		1000) \
	X(backoff,			DURATION,	p.backoff,			"1",		0) \
	X(backoff_max,			DURATION,	p.backoff_max,			"30",		0) \
	X(stopsignal,			SIGNAL,		p.stopsignal,			"TERM",		0) \
	X(stopwaitsecs,			DURATION,	p.stopwaitsecs,			"5",		0) \
	X(stopasgroup,			BOOL,		p.stopasgroup,			"true",		0) \
	X(killasgroup,			BOOL,		p.killasgroup,			"true",		0) \
	X(priority,			COUNT,		p.priority,			"999",		1000000) \
	X(depends_on,			DEPENDS,	depends_names,			NULL,		0) \
	X(required,			BOOL,		p.required,			"true",		0) \
	X(forward_signals,		FORWARD,	p.forward_signals,		"",		0) \
	X(restart_limit,		COUNT,		p.restart_limit,		"0",		10000) \
	X(restart_window,		DURATION,	p.restart_window,		"60",		0) \
	X(healthcheck,			PROBE,		p.healthcheck,			NULL,		0) \
	X(healthcheck_interval,		INTERVAL,	p.healthcheck_interval,		"10",		0) \
	X(healthcheck_timeout,		INTERVAL,	p.healthcheck_timeout,		"5",		0) \
	X(healthcheck_retries,		COUNT,		p.healthcheck_retries,		"3",		1000) \
	X(healthcheck_start_period,	DURATION,	p.healthcheck_start_period,	"0",		0) \
	X(restart_on_unhealthy,		BOOL,		p.restart_on_unhealthy,		"false",	0) \
	X(notify,			BOOL,		p.notify,			"false",	0) \
	X(watchdog_sec,			DURATION,	p.watchdog_sec,			"0",		0) \
	/* where a section does not set it: [tend]'s (config_build.c) */ \
	X(log_prefix,			BOOL,		p.log_prefix,			"false",	0) \
	X(redirect_stderr,		BOOL,		p.redirect_stderr,		"false",	0) \
	X(oneshot,			BOOL,		p.oneshot,			"false",	0) \
	X(listen,			SOCKETS,	p.listen,			NULL,		0) \
	X(listen_backlog,		COUNT,		p.listen_backlog,		"4096",		65535)

/* X(key, KIND, field of struct config, default, max) */
#define TEND_KEYS(X) \
	X(shutdown_timeout,		DURATION,	shutdown_timeout,		"9",		0) \
	X(drain,			DURATION,	drain,				"0",		0) \
	X(exit_on_fatal,		BOOL,		exit_on_fatal,			"true",		0) \
	X(log_level,			LOG_LEVEL,	log_level,			"info",		0) \
	X(log_format,			LOG_FORMAT,	log_format,			"text",		0) \
	X(log_prefix,			BOOL,		log_prefix,			"false",	0) \
	/* the clients read $TEND_SOCKET too: set once, both sides agree */ \
	X(socket,			SOCKET,		socket,				"${TEND_SOCKET:-" DEFAULT_SOCKET "}", 0) \
	X(socket_mode,			OCTAL,		socket_mode,			"0600",		0777) \
	X(health_listen,		LISTEN,		health_listen,			NULL,		0)

/* PROGRAM_KEY_stopwaitsecs: the index of a key in its table */
#define PROGRAM_KEY_ID(key, kind, field, fallback, max) PROGRAM_KEY_##key,
enum program_key { PROGRAM_KEYS(PROGRAM_KEY_ID) PROGRAM_KEY_COUNT };
#undef PROGRAM_KEY_ID

/* A program while it is read: the names of its dependencies are resolved
 * once every program is known. */
struct program_draft {
	struct program_config p;
	const char *section;	/* its section's name after "program:" (numprocs makes several of one) */
	char **depends_names;
	int line[PROGRAM_KEY_COUNT];		/* where its section sets each key; 0: nowhere */
	bool misspelt[PROGRAM_KEY_COUNT];	/* an unknown key of its section was taken for it */
	int crossed_line;	/* its stdout_logfile that names tend's stderr (config_logfile.c); 0: none */
};

struct key_table;
extern const struct key_table program_keys, tend_keys;

/* Whether name is a key of either table, in any case. */
bool keys_known(const char *name);

/* Writes every default of the table into base (a struct config for
 * tend_keys). Only a default taken from the environment can fail: that is
 * an error unless `given`, the section about to be applied, sets the key. */
void keys_defaults(const struct key_table *t, void *base, struct diagnostics *diags, const struct ini_section *given);

/* A draft with every default: none can fail. */
void keys_program_defaults(struct program_draft *d);

/* Checks and applies every entry of a section to base, each value after
 * its %(…)s (with names) and ${VAR} expansions. `label` names the
 * section in messages ("[program:web]"). line and misspelt, one for each
 * key of the table, are filled in unless NULL. */
void keys_apply(const struct key_table *t, const struct ini_section *s, const char *label, void *base,
		int *line, bool *misspelt, const struct percent_names *names, struct diagnostics *diags);

#endif

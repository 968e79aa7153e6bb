/* The configuration: an INI file read with inih into a validated struct.
 * Loading has no side effects beyond reading the file, /etc/passwd and
 * /etc/group; every problem becomes a diagnostic with its line number. */
#ifndef TEND_CONFIG_H
#define TEND_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "listen_spec.h"
#include "log.h"
#include "probe_spec.h"

#define PROGRAM_NAME_MAX 64
#define EXIT_CODES_MAX 256

enum autorestart { AUTORESTART_FALSE, AUTORESTART_TRUE, AUTORESTART_UNEXPECTED };

struct run_as {
	bool set;
	uid_t uid;
	gid_t gid;
	gid_t *groups;		/* supplementary groups */
	size_t ngroups;
};

struct program_config {
	char name[PROGRAM_NAME_MAX + 1];
	int line;		/* line of the [program:NAME] header */
	char *command;		/* after ${VAR} expansion, as written */
	char **argv;		/* command split into words */
	char *directory;	/* NULL: inherit tend's */
	struct run_as user;
	char **env_extra;	/* `environment` as KEY=value strings */
	char **envp;		/* tend's environment plus env_extra (borrowed strings) */
	int umask;		/* -1: inherit tend's */
	bool autostart;
	enum autorestart autorestart;
	bool exitcodes[EXIT_CODES_MAX];
	double startsecs;
	unsigned startretries;
	double backoff, backoff_max;
	int stopsignal;
	double stopwaitsecs;
	bool stopasgroup, killasgroup;
	unsigned priority;
	size_t *depends_on;	/* indexes into config.programs */
	size_t ndepends;
	bool required;
	uint64_t forward_signals;	/* bit N set: signal N is passed on */
	unsigned restart_limit;
	double restart_window;
	struct probe_spec healthcheck;	/* kind PROBE_NONE: no probe */
	double healthcheck_interval, healthcheck_timeout, healthcheck_start_period;
	unsigned healthcheck_retries;
	bool restart_on_unhealthy;
	bool notify;
	double watchdog_sec;
	char *notify_path;	/* notify: the datagram socket, next to tend's own */
	bool stdout_to_stderr;	/* its stdout goes to tend's stderr (stdout_logfile = /dev/stderr) */
	bool streams_swapped;	/* its stdout to tend's stderr, its stderr to tend's stdout */
	unsigned start_step;	/* computed: 0 starts first; see order.h */
	bool tty_foreground;	/* single-command mode: take the terminal */
	bool log_prefix;	/* its stdout/stderr relayed by tend, line by line (relay.h) */
	bool redirect_stderr;	/* its stderr goes where its stdout goes */
	bool oneshot;		/* a task run to completion: done when it exits as expected */
	struct listen_list listen;	/* sockets tend holds for it (listen.h) */
	unsigned listen_backlog;
	int listen_line;	/* line of its `listen` key, for errors at bind time */
	char *listen_env[3];	/* LISTEN_FDS=, LISTEN_FDNAMES=, NULL; LISTEN_PID is the child's */
};

#define DEFAULT_SOCKET "/run/tend/tend.sock"
#define DEFAULT_CONFIG "/etc/tend/tend.ini"

struct config {
	char *path;
	char *socket;		/* unix socket of the HTTP API; NULL: none (single-command mode) */
	int socket_mode;
	char *health_listen;	/* HOST:PORT of the read-only TCP listener; NULL: off */
	double shutdown_timeout;
	double drain;		/* seconds of 503 "stopping" before the programs stop */
	bool exit_on_fatal;
	enum log_level log_level;
	enum log_format log_format;
	bool log_prefix;	/* the programs' default */
	unsigned long minfds, minprocs;	/* [supervisord]'s: soft limits to raise at start; 0: none */
	char **files;		/* the files read, includes after the file that names them */
	size_t nfiles;
	struct program_config *programs;	/* in file order */
	size_t nprograms;
	uint64_t *depends_closure;	/* order.h: bit b of row a: a depends on b */
	size_t closure_words;		/* 64-bit words per row */
};

struct diagnostic {
	int line;		/* 0: about the whole file; else config_diag.h's diag_line */
	bool warning;
	bool ignored;		/* a warning about something of the file tend does not do */
	char *text;
};

struct diagnostics {
	struct diagnostic *items;
	size_t count;
	size_t errors;
	char **files;		/* the files read (config_diag.h's diag_line) */
	size_t nfiles;
};

/* Both return NULL when there is any error; diagnostics hold every
 * error and warning, in line order. `name` is the file name shown. */
struct config *config_load_file(const char *path, struct diagnostics *diags);
struct config *config_load_string(const char *text, const char *name, struct diagnostics *diags);
void config_free(struct config *cfg);

/* Prints "tend: FILE:LINE: text" lines to stderr. */
void diagnostics_print(const struct diagnostics *diags, const char *file);
/* Prints "ignored: FILE:LINE: text" to stdout for each warning about
 * something of the file that tend does not do (tend check's last lines). */
void diagnostics_print_ignored(const struct diagnostics *diags, const char *file);
void diagnostics_free(struct diagnostics *diags);

/* "FILE:LINE" (or "FILE" for line 0) of a line of cfg (a program_config's
 * line or listen_line): the file it is in, included or not, and its number
 * in that file. */
void config_where(const struct config *cfg, int line, char *out, size_t n);

/* tend -- COMMAND: one program with tini's behaviour (no restart, the
 * stop signal passed on, quiet). NULL: out of memory. argv is borrowed. */
struct config *config_single_command(char **argv);

/* A program_config with every default applied, for single-command mode. */
bool program_config_defaults(struct program_config *p);
void program_config_free(struct program_config *p);

#endif

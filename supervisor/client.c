#include "client.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client_http.h"
#include "client_render.h"
#include "config.h"
#include "exit_status.h"
#include "json.h"


static const struct command {
	const char *name;
	size_t min_args, max_args;
	const char *usage;
} commands[] = {
	{ "status", 0, 0, "tend status [-s SOCKET|-c FILE]" },
	{ "health", 0, 1, "tend health [-s SOCKET|-c FILE] [NAME]" },
	{ "start", 1, 1, "tend start NAME [-s SOCKET|-c FILE]" },
	{ "stop", 1, 1, "tend stop NAME [-s SOCKET|-c FILE]" },
	{ "restart", 1, 1, "tend restart NAME [-s SOCKET|-c FILE]" },
	{ "signal", 2, 2, "tend signal NAME SIG [-s SOCKET|-c FILE]" },
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

bool client_is_command(const char *word)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(word, commands[i].name) == 0)
			return true;
	return false;
}

/* ---- finding the socket (tend(8)) ---- */

/* The socket of a config file, or NULL (diagnostics printed when loud, or
 * when the file has errors). */
static char *socket_of_config(const char *path, bool explicit)
{
	struct diagnostics diags;
	struct config *cfg = config_load_file(path, &diags);
	char *socket = NULL;
	if (!cfg) {
		if (explicit)
			diagnostics_print(&diags, path);
		else
			client_complain("%s has errors (see `tend check -c %s`); not reading its socket", path, path);
	} else if (!cfg->socket) {
		client_complain("%s has no socket", path);
	} else if (!(socket = strdup(cfg->socket))) {
		client_complain("out of memory");
	}
	diagnostics_free(&diags);
	config_free(cfg);
	return socket;
}

/* -s SOCKET, the socket of -c FILE, $TEND_SOCKET, the socket of
 * $TEND_CONFIG's file (else /etc/tend/tend.ini) when readable, the default.
 * NULL after an error already reported. */
static char *find_socket(const char *socket_opt, const char *config_opt)
{
	if (config_opt && !socket_opt)
		return socket_of_config(config_opt, true);
	const char *socket = socket_opt;
	const char *env = getenv("TEND_SOCKET");
	if (!socket && env && *env)
		socket = env;
	if (!socket) {
		env = getenv("TEND_CONFIG");
		const char *path = env && *env ? env : DEFAULT_CONFIG;
		char *found = access(path, R_OK) == 0 ? socket_of_config(path, false) : NULL;
		if (found)
			return found;
		socket = DEFAULT_SOCKET;
	}
	char *copy = strdup(socket);
	if (!copy)
		client_complain("out of memory");
	return copy;
}

/* ---- the commands ---- */

/* A name as one path segment: percent-encoded but for unreserved bytes.
 * Names longer than any program's are cut (they match nothing either way). */
static void url_segment(char *out, size_t size, const char *s)
{
	size_t n = 0;
	for (size_t i = 0; s[i] && i <= PROGRAM_NAME_MAX && n + 4 < size; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || strchr("-._~", c))
			out[n++] = (char)c;
		else
			n += (size_t)snprintf(out + n, size - n, "%%%02X", c);
	}
	out[n] = '\0';
}

/* The answer to METHOD path, or false after saying why there is none. */
static bool ask(const char *socket, const char *method, const char *path, struct client_answer *a)
{
	struct strbuf err = { 0 };
	bool ok = client_exchange(socket, method, path, a, &err);
	if (!ok)
		client_complain("%s", err.failed ? "out of memory" : err.data);
	sb_free(&err);
	return ok;
}

static int cmd_status(const char *socket)
{
	struct client_answer a;
	if (!ask(socket, "GET", "/health", &a))
		return TEND_EXIT_ERROR;
	int rc = TEND_EXIT_ERROR;
	struct json_doc doc = { 0 };
	if (a.status != 200 && a.status != 503)
		client_report_error(&a, "status");
	else if (client_answer_json(&a, socket, &doc)) {
		if (!json_is(json_get(doc.root, "programs"), JSON_ARRAY))
			client_complain("bad answer from tend at %s: no list of programs", socket);
		else if (client_print_status(doc.root))
			rc = TEND_EXIT_OK;
	}
	json_free(&doc);
	client_answer_free(&a);
	fflush(stdout);
	return rc;
}

static int cmd_health(const char *socket, const char *name)
{
	char path[512] = "/health";
	if (name) {
		strcpy(path, "/health/");
		url_segment(path + 8, sizeof path - 8, name);
	}
	struct client_answer a;
	if (!ask(socket, "GET", path, &a))
		return TEND_EXIT_ERROR;
	bool ready = a.status == 200;
	struct json_doc doc = { 0 };
	bool parsed = (ready || a.status == 503) && json_parse(&doc, a.body, a.body_len, NULL, 0);
	if (!parsed)
		client_report_error(&a, name ? name : "health");
	else if (name)
		client_print_program_health(name, doc.root, ready);
	else
		client_print_health(doc.root, ready);
	json_free(&doc);
	client_answer_free(&a);
	fflush(stdout);
	return ready ? TEND_EXIT_OK : TEND_EXIT_FAILED;
}

static int cmd_control(const char *socket, const char *action, const char *name, const char *sig)
{
	char path[1024], seg[400];
	url_segment(seg, sizeof seg, name);
	int n = snprintf(path, sizeof path, "/programs/%s/%s", seg, action);
	if (sig) {
		url_segment(seg, sizeof seg, sig);
		snprintf(path + n, sizeof path - (size_t)n, "/%s", seg);
	}
	struct client_answer a;
	if (!ask(socket, "POST", path, &a))
		return TEND_EXIT_ERROR;
	client_print_control(&a, action, name, sig);
	int rc = a.status == 202 ? TEND_EXIT_OK : TEND_EXIT_FAILED;
	client_answer_free(&a);
	fflush(stdout);
	return rc;
}

/* ---- command line ---- */

static int usage_error(const struct command *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int usage_error(const struct command *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("tend: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "; usage: %s\n", c->usage);	/* one line, like every error */
	return TEND_EXIT_ERROR;
}

struct invocation {
	const char *socket_opt, *config_opt;
	const char *args[2];
	size_t nargs;
};

/* One option at argv[*i] (its value may take the next word). Returns -1 to
 * go on, else the exit status. */
static int take_option(const struct command *c, int argc, char **argv, int *i, struct invocation *inv)
{
	const char *a = argv[*i];
	const char **slot = NULL;
	const char *value = NULL;
	if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
		printf("usage: %s\n", c->usage);
		return TEND_EXIT_OK;
	} else if (strcmp(a, "-s") == 0 || strcmp(a, "--socket") == 0) {
		slot = &inv->socket_opt;
	} else if (strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0) {
		slot = &inv->config_opt;
	} else if (strncmp(a, "--socket=", 9) == 0) {
		slot = &inv->socket_opt, value = a + 9;
	} else if (strncmp(a, "--config=", 9) == 0) {
		slot = &inv->config_opt, value = a + 9;
	} else {
		return usage_error(c, "%s: unknown option \"%s\"", c->name, a);
	}
	const char *what = slot == &inv->socket_opt ? "socket path" : "file";
	if (!value && ++*i >= argc)
		return usage_error(c, "%s needs a %s", a, what);
	*slot = value ? value : argv[*i];
	if (!**slot)
		return usage_error(c, "%s needs a non-empty %s", a, what);
	return -1;
}

/* The options and arguments after the command's name. Returns -1 to go
 * on, else the exit status. */
static int take_words(const struct command *c, int argc, char **argv, struct invocation *inv)
{
	bool options = true;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (options && strcmp(a, "--") == 0) {
			options = false;
		} else if (options && a[0] == '-' && a[1] != '\0') {
			int rc = take_option(c, argc, argv, &i, inv);
			if (rc >= 0)
				return rc;
		} else if (inv->nargs >= c->max_args) {
			return usage_error(c, "%s: unexpected argument \"%s\"", c->name, a);
		} else {
			inv->args[inv->nargs++] = a;
		}
	}
	if (inv->nargs < c->min_args)
		return usage_error(c, "%s needs %s", c->name,
				   c->min_args == 2 ? "a program name and a signal" : "a program name");
	return -1;
}

int client_main(int argc, char **argv)
{
	const struct command *c = NULL;
	for (size_t i = 0; i < NCOMMANDS && !c; i++)
		if (strcmp(argv[0], commands[i].name) == 0)
			c = &commands[i];
	if (!c) {
		client_complain("unknown command \"%s\"", argv[0]);
		return TEND_EXIT_ERROR;
	}
	struct invocation inv = { 0 };
	int rc = take_words(c, argc, argv, &inv);
	if (rc >= 0)
		return rc;
	char *socket = find_socket(inv.socket_opt, inv.config_opt);
	if (!socket)
		return TEND_EXIT_ERROR;
	if (strcmp(c->name, "status") == 0)
		rc = cmd_status(socket);
	else if (strcmp(c->name, "health") == 0)
		rc = cmd_health(socket, inv.args[0]);
	else
		rc = cmd_control(socket, c->name, inv.args[0], inv.args[1]);
	free(socket);
	return rc;
}

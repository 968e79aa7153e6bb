/* Loading a config: inih splits the file into (section, key, value); a reader
 * of our own feeds it lines, so that we know each line's number, catch lines
 * too long for the library, and see section headers (inih reports neither).
 * The raw entries are collected first, then checked and converted with one
 * table of keys that also holds the defaults. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <strings.h>

#include "expand.h"
#include "http_server.h"
#include "order.h"
#include "users.h"
#include "values.h"
#include "words.h"

extern char **environ;

#define PASSWD_FILE "/etc/passwd"
#define GROUP_FILE "/etc/group"

/* ---- diagnostics ---- */

static void diag_add(struct diagnostics *d, int line, bool warning, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void diag_add(struct diagnostics *d, int line, bool warning, const char *fmt, ...)
{
	char text[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	struct diagnostic *items = realloc(d->items, (d->count + 1) * sizeof *items);
	char *copy = strdup(text);
	if (!items || !copy) {
		free(copy);
		if (items)
			d->items = items;
		d->errors++;	/* out of memory: still refuse the config */
		return;
	}
	d->items = items;
	d->items[d->count++] = (struct diagnostic){ .line = line, .warning = warning, .text = copy };
	if (!warning)
		d->errors++;
}

static int diag_by_line(const void *a, const void *b)
{
	const struct diagnostic *x = a, *y = b;
	return (x->line > y->line) - (x->line < y->line);
}

void diagnostics_print(const struct diagnostics *d, const char *file)
{
	for (size_t i = 0; i < d->count; i++) {
		const struct diagnostic *g = &d->items[i];
		const char *kind = g->warning ? "warning: " : "";
		if (g->line > 0)
			fprintf(stderr, "tend: %s:%d: %s%s\n", file, g->line, kind, g->text);
		else
			fprintf(stderr, "tend: %s: %s%s\n", file, kind, g->text);
	}
}

void diagnostics_free(struct diagnostics *d)
{
	for (size_t i = 0; i < d->count; i++)
		free(d->items[i].text);
	free(d->items);
	memset(d, 0, sizeof *d);
}

/* ---- raw sections and entries, as the file has them ---- */

struct entry {
	char *key;
	char *value;
	int line;
};

struct section {
	char *name;		/* between the brackets, trimmed; "" before any header */
	int line;
	bool broken;		/* a header without ]: its keys are not checked */
	bool unreadable_line;	/* a line too long or not "key = value": its key is unknown */
	struct entry *entries;
	size_t nentries;
};

struct loader {
	const char *text;	/* the whole file */
	size_t pos;
	int lineno;
	bool indented;		/* current line starts with blank: maybe a continuation */
	bool have_key;		/* a key was seen since the last header (inih's prev_name) */
	struct section *sections;
	size_t nsections;
	struct diagnostics *diags;
	bool oom;
};

static struct section *add_section(struct loader *l, const char *name, size_t len, int line)
{
	struct section *s = realloc(l->sections, (l->nsections + 1) * sizeof *s);
	if (!s) {
		l->oom = true;
		return NULL;
	}
	l->sections = s;
	s = &l->sections[l->nsections];
	*s = (struct section){ .name = strndup(name, len), .line = line };
	if (!s->name) {
		l->oom = true;
		return NULL;
	}
	l->nsections++;
	return s;
}

static bool is_comment_start(char c)
{
	return c == ';' || c == '#';
}

/* Looks at a line as inih will, to note headers and the syntax errors that
 * inih would only report as "the first bad line". */
static void classify_line(struct loader *l, const char *line, size_t len)
{
	size_t i = 0;
	while (i < len && isspace((unsigned char)line[i]))
		i++;
	l->indented = i > 0;
	if (i == len || is_comment_start(line[i]))
		return;
	if (l->indented && l->have_key)
		return;	/* a continuation of the previous value */
	if (line[i] == '[') {
		const char *close = memchr(line + i, ']', len - i);
		if (!close) {
			diag_add(l->diags, l->lineno, false, "section header without a closing ]");
			struct section *s = add_section(l, "", 0, l->lineno);
			if (s)
				s->broken = true;
			l->have_key = false;
			return;
		}
		const char *name = line + i + 1;
		while (name < close && isspace((unsigned char)*name))
			name++;
		const char *end = close;
		while (end > name && isspace((unsigned char)end[-1]))
			end--;
		add_section(l, name, (size_t)(end - name), l->lineno);
		l->have_key = false;
		return;
	}
	for (size_t j = i; j < len; j++) {
		if (line[j] == '=' || line[j] == ':') {
			l->have_key = true;
			return;
		}
		if (line[j] == ';' && isspace((unsigned char)line[j - 1]))
			break;	/* an inline comment starts before any '=' */
	}
	diag_add(l->diags, l->lineno, false, "expected \"key = value\", a [section] header or a comment");
	if (l->nsections > 0)	/* "command sleep 1" has its own error: no "command is missing" too */
		l->sections[l->nsections - 1].unreadable_line = true;
}

/* inih's fgets-style reader: one physical line per call. */
static char *read_line(char *str, int num, void *stream)
{
	struct loader *l = stream;
	if (l->text[l->pos] == '\0')
		return NULL;
	const char *line = l->text + l->pos;
	const char *nl = strchr(line, '\n');
	size_t len = nl ? (size_t)(nl - line) : strlen(line);
	l->pos += len + (nl ? 1 : 0);
	l->lineno++;
	/* inih needs room for the line, "\n" and "\0"; a longer line would be
	 * split by it into two lines: refuse it instead of misreading it. */
	if (len + 2 > (size_t)num) {
		diag_add(l->diags, l->lineno, false,
			 "line too long (%zu characters, at most %d): continue a long value on indented lines",
			 len, num - 2);
		if (l->nsections > 0)
			l->sections[l->nsections - 1].unreadable_line = true;
		l->indented = false;
		str[0] = '\0';
		return str;
	}
	classify_line(l, line, len);
	memcpy(str, line, len);
	str[len] = '\n';
	str[len + 1] = '\0';
	return str;
}

static bool looks_like_key(const char *text);

static int on_value(void *user, const char *section, const char *name, const char *value)
{
	(void)section;	/* inih cuts names to 50 bytes: we use our own record */
	struct loader *l = user;
	if (l->nsections == 0 && !add_section(l, "", 0, 0))
		return 1;
	struct section *s = &l->sections[l->nsections - 1];
	if (l->indented && s->nentries > 0) {	/* continuation: join with a space */
		struct entry *e = &s->entries[s->nentries - 1];
		if (looks_like_key(value)) {
			diag_add(l->diags, l->lineno, false,
				 "this indented line continues the value of \"%s\"; if it is a key, do not indent it",
				 e->key);
			return 1;
		}
		/* inih 55 leaves an inline comment on a continuation line: cut it
		 * there too, as on the key's own line */
		size_t len = 0;
		while (value[len] && !(value[len] == ';' && len > 0 && isspace((unsigned char)value[len - 1])))
			len++;
		while (len > 0 && isspace((unsigned char)value[len - 1]))
			len--;
		size_t old = strlen(e->value);
		char *v = realloc(e->value, old + len + 2);
		if (!v) {
			l->oom = true;
			return 1;
		}
		v[old] = ' ';
		memcpy(v + old + 1, value, len);
		v[old + 1 + len] = '\0';
		e->value = v;
		return 1;
	}
	struct entry *e = realloc(s->entries, (s->nentries + 1) * sizeof *e);
	if (!e) {
		l->oom = true;
		return 1;
	}
	s->entries = e;
	e = &s->entries[s->nentries];
	*e = (struct entry){ .key = strdup(name), .value = strdup(value), .line = l->lineno };
	if (!e->key || !e->value) {
		free(e->key);
		free(e->value);
		l->oom = true;
		return 1;
	}
	s->nentries++;
	return 1;
}

static void loader_free(struct loader *l)
{
	for (size_t i = 0; i < l->nsections; i++) {
		for (size_t j = 0; j < l->sections[i].nentries; j++) {
			free(l->sections[i].entries[j].key);
			free(l->sections[i].entries[j].value);
		}
		free(l->sections[i].entries);
		free(l->sections[i].name);
	}
	free(l->sections);
}

/* ---- the keys ---- */

enum key_kind {
	K_COMMAND, K_STRING, K_USER, K_ENVIRONMENT, K_OCTAL, K_BOOL, K_AUTORESTART, K_EXITCODES,
	K_DURATION, K_COUNT, K_SIGNAL, K_DEPENDS, K_FORWARD, K_LOG_LEVEL, K_LOG_FORMAT, K_SOCKET, K_LISTEN,
	K_PROBE, K_INTERVAL,
};

struct key_spec {
	const char *name;
	enum key_kind kind;
	size_t offset;
	const char *fallback;	/* the default, read like a value from the file */
	unsigned max;		/* K_COUNT and K_OCTAL */
};

/* A program while it is read: the names of its dependencies are resolved
 * once every program is known. */
struct program_draft {
	struct program_config p;
	char **depends_names;
	int depends_line;
	int stopwaitsecs_line;
	int watchdog_line;
	bool command_misspelt;	/* an unknown key was taken for "command" */
	const struct section *section;	/* where it was read */
};

#define P(field) offsetof(struct program_draft, p.field)
static const struct key_spec program_keys[] = {
	{ "command", K_COMMAND, P(command), NULL, 0 },
	{ "directory", K_STRING, P(directory), NULL, 0 },
	{ "user", K_USER, P(user), NULL, 0 },
	{ "environment", K_ENVIRONMENT, P(env_extra), NULL, 0 },
	{ "umask", K_OCTAL, P(umask), NULL, 0777 },
	{ "autostart", K_BOOL, P(autostart), "true", 0 },
	{ "autorestart", K_AUTORESTART, P(autorestart), "unexpected", 0 },
	{ "exitcodes", K_EXITCODES, P(exitcodes), "0", 0 },
	{ "startsecs", K_DURATION, P(startsecs), "1", 0 },
	{ "startretries", K_COUNT, P(startretries), "3", 1000 },
	{ "backoff", K_DURATION, P(backoff), "1", 0 },
	{ "backoff_max", K_DURATION, P(backoff_max), "30", 0 },
	{ "stopsignal", K_SIGNAL, P(stopsignal), "TERM", 0 },
	{ "stopwaitsecs", K_DURATION, P(stopwaitsecs), "5", 0 },
	{ "stopasgroup", K_BOOL, P(stopasgroup), "true", 0 },
	{ "killasgroup", K_BOOL, P(killasgroup), "true", 0 },
	{ "priority", K_COUNT, P(priority), "999", 1000000 },
	{ "depends_on", K_DEPENDS, offsetof(struct program_draft, depends_names), NULL, 0 },
	{ "required", K_BOOL, P(required), "true", 0 },
	{ "forward_signals", K_FORWARD, P(forward_signals), "", 0 },
	{ "restart_limit", K_COUNT, P(restart_limit), "0", 10000 },
	{ "restart_window", K_DURATION, P(restart_window), "60", 0 },
	{ "healthcheck", K_PROBE, P(healthcheck), NULL, 0 },
	{ "healthcheck_interval", K_INTERVAL, P(healthcheck_interval), "10", 0 },
	{ "healthcheck_timeout", K_INTERVAL, P(healthcheck_timeout), "5", 0 },
	{ "healthcheck_retries", K_COUNT, P(healthcheck_retries), "3", 1000 },
	{ "healthcheck_start_period", K_DURATION, P(healthcheck_start_period), "0", 0 },
	{ "restart_on_unhealthy", K_BOOL, P(restart_on_unhealthy), "false", 0 },
	{ "notify", K_BOOL, P(notify), "false", 0 },
	{ "watchdog_sec", K_DURATION, P(watchdog_sec), "0", 0 },
	{ "log_prefix", K_BOOL, P(log_prefix), "false", 0 },	/* else [tend]'s: see build() */
	{ "redirect_stderr", K_BOOL, P(redirect_stderr), "false", 0 },
};
#undef P

#define T(field) offsetof(struct config, field)
static const struct key_spec tend_keys[] = {
	{ "shutdown_timeout", K_DURATION, T(shutdown_timeout), "9", 0 },
	{ "exit_on_fatal", K_BOOL, T(exit_on_fatal), "true", 0 },
	{ "log_level", K_LOG_LEVEL, T(log_level), "info", 0 },
	{ "log_format", K_LOG_FORMAT, T(log_format), "text", 0 },
	{ "log_prefix", K_BOOL, T(log_prefix), "false", 0 },
	/* the clients read $TEND_SOCKET too: set once, both sides agree */
	{ "socket", K_SOCKET, T(socket), "${TEND_SOCKET:-" DEFAULT_SOCKET "}", 0 },
	{ "socket_mode", K_OCTAL, T(socket_mode), "0600", 0777 },
	{ "health_listen", K_LISTEN, T(health_listen), NULL, 0 },
};
#undef T

#define NKEYS(table) (sizeof(table) / sizeof(table)[0])

/* supervisord [program:x] keys that tend does not do: a warning, so that a
 * section copied from a supervisord.conf still loads (SPEC §2). */
static const char *const supervisord_only_keys[] = {
	"process_name", "numprocs", "numprocs_start", "stdout_logfile",
	"stdout_logfile_maxbytes", "stdout_logfile_backups", "stdout_capture_maxbytes",
	"stdout_events_enabled", "stdout_syslog", "stderr_logfile", "stderr_logfile_maxbytes",
	"stderr_logfile_backups", "stderr_capture_maxbytes", "stderr_events_enabled", "stderr_syslog",
	"serverurl",
};

static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 63 || lb > 63)
		return 64;
	size_t row[64];
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

static const char *nearest_key(const struct key_spec *keys, size_t n, const char *name)
{
	const char *best = NULL;
	size_t best_d = strlen(name) / 2 + 1;	/* beyond that a hint is noise */
	if (best_d > 3)
		best_d = 3;
	for (size_t i = 0; i < n; i++) {
		size_t d = edit_distance(name, keys[i].name);
		if (d <= best_d) {
			best = keys[i].name;
			best_d = d;
		}
	}
	return best;
}

static const struct key_spec *find_key(const struct key_spec *keys, size_t n, const char *name);

/* "autostart = false" on an indented line is almost surely a key indented
 * by mistake, not words of the previous value. */
static bool looks_like_key(const char *text)
{
	size_t len = strcspn(text, "=:");
	while (len > 0 && isspace((unsigned char)text[len - 1]))
		len--;
	if (text[strcspn(text, "=:")] == '\0' || len == 0)
		return false;
	char name[64];
	if (len >= sizeof name)
		return false;
	memcpy(name, text, len);
	name[len] = '\0';
	return find_key(program_keys, NKEYS(program_keys), name) || find_key(tend_keys, NKEYS(tend_keys), name);
}

static const struct key_spec *find_key(const struct key_spec *keys, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(keys[i].name, name) == 0)	/* as supervisord's parser */
			return &keys[i];
	return NULL;
}

/* Converts one value into the field at base + k->offset. */
static bool apply_value(const struct key_spec *k, const char *value, void *base, char *err, size_t n)
{
	void *field = (char *)base + k->offset;
	const char *why;
	switch (k->kind) {
	case K_COMMAND: {
		char **argv = words_split(value, &why);
		if (!argv) {
			snprintf(err, n, "%s", why);
			return false;
		}
		struct program_config *p = base;	/* p is the draft's first member */
		free(p->command);
		free(p->argv);
		p->command = strdup(value);
		p->argv = argv;
		return p->command != NULL;
	}
	case K_STRING:
		if (!*value) {
			snprintf(err, n, "empty value");
			return false;
		}
		free(*(char **)field);
		return (*(char **)field = strdup(value)) != NULL;
	case K_USER:
		user_free(field);
		return user_resolve(value, PASSWD_FILE, GROUP_FILE, field, err, n);
	case K_ENVIRONMENT:
		value_list_free(*(char ***)field);
		*(char ***)field = NULL;
		return value_environment(value, field, err, n);
	case K_DEPENDS:
		value_list_free(*(char ***)field);
		*(char ***)field = NULL;
		return value_list(value, field, err, n);
	case K_OCTAL:
		return value_octal(value, (int)k->max, field, err, n);
	case K_BOOL:
		return value_bool(value, field, err, n);
	case K_AUTORESTART:
		return value_autorestart(value, field, err, n);
	case K_EXITCODES:
		return value_exitcodes(value, field, err, n);
	case K_DURATION:
		return value_duration(value, field, err, n);
	case K_COUNT:
		return value_count(value, k->max, field, err, n);
	case K_SIGNAL:
		return value_signal(value, field, err, n);
	case K_FORWARD:
		return value_forward_signals(value, field, err, n);
	case K_LOG_LEVEL:
		if (log_level_parse(value, field))
			return true;
		snprintf(err, n, "\"%s\" is not one of error, warn, info, debug", value);
		return false;
	case K_LOG_FORMAT:
		if (log_format_parse(value, field))
			return true;
		snprintf(err, n, "\"%s\" is not one of text, json", value);
		return false;
	case K_SOCKET: {
		struct sockaddr_un addr;
		if (*value != '/' || strlen(value) >= sizeof addr.sun_path) {
			snprintf(err, n, "\"%s\" is not an absolute path of at most %zu bytes", value,
				 sizeof addr.sun_path - 1);
			return false;
		}
		free(*(char **)field);
		return (*(char **)field = strdup(value)) != NULL;
	}
	case K_LISTEN: {
		struct sockaddr_storage addr;
		socklen_t len;
		if (!http_parse_listen(value, &addr, &len, err, n))
			return false;
		free(*(char **)field);
		return (*(char **)field = strdup(value)) != NULL;
	}
	case K_PROBE:
		probe_spec_free(field);
		return probe_parse(value, field, err, n);
	case K_INTERVAL:	/* a duration that must not be 0: it paces a loop */
		if (!value_duration(value, field, err, n))
			return false;
		if (*(double *)field > 0)
			return true;
		snprintf(err, n, "must be more than 0 seconds");
		return false;
	}
	return false;
}

/* Defaults are read like values from the file, ${VAR} included. Only a
 * default taken from the environment can fail; diags NULL: none can. */
static bool section_sets(const struct section *s, const char *key)
{
	for (size_t i = 0; s && i < s->nentries; i++)
		if (strcasecmp(s->entries[i].key, key) == 0)
			return true;
	return false;
}

/* A default may fail only through its environment (socket's $TEND_SOCKET);
 * that is an error only when `given`, the section being loaded, does not
 * set the key itself. */
static void apply_defaults(const struct key_spec *keys, size_t n, void *base, struct diagnostics *diags,
			   const struct section *given)
{
	char err[256];
	for (size_t i = 0; i < n; i++) {
		if (!keys[i].fallback)
			continue;
		char *value = expand_vars(keys[i].fallback, err, sizeof err);
		bool ok = value && apply_value(&keys[i], value, base, err, sizeof err);
		free(value);
		if (!ok && !diags)
			abort();	/* a default that does not parse is a bug in this table */
		if (!ok && !section_sets(given, keys[i].name))
			diag_add(diags, 0, false, "the default of %s (%s): %s", keys[i].name, keys[i].fallback, err);
	}
}

/* Checks and applies every entry of a section. `label` names the section in
 * messages ("[program:web]"). */
static void apply_section(struct loader *l, const struct section *s, const char *label,
			  const struct key_spec *keys, size_t nkeys, void *base, struct program_draft *draft)
{
	for (size_t i = 0; i < s->nentries; i++) {
		const struct entry *e = &s->entries[i];
		bool repeated = false;
		for (size_t j = 0; j < i && !repeated; j++) {
			if (strcasecmp(s->entries[j].key, e->key) == 0) {
				diag_add(l->diags, e->line, false, "%s %s: set twice (first on line %d)", label, e->key,
					 s->entries[j].line);
				repeated = true;
			}
		}
		if (repeated)
			continue;
		const struct key_spec *k = find_key(keys, nkeys, e->key);
		if (!k) {
			bool supervisord_only = false;
			for (size_t j = 0; draft && j < NKEYS(supervisord_only_keys); j++)
				supervisord_only |= strcasecmp(e->key, supervisord_only_keys[j]) == 0;
			const char *hint = nearest_key(keys, nkeys, e->key);
			if (supervisord_only)
				diag_add(l->diags, e->line, true, "%s %s: a supervisord key that tend does not use; ignored",
					 label, e->key);
			else if (hint)
				diag_add(l->diags, e->line, false, "%s unknown key \"%s\" (did you mean \"%s\"?)", label,
					 e->key, hint);
			else
				diag_add(l->diags, e->line, false, "%s unknown key \"%s\"", label, e->key);
			if (draft && hint && strcmp(hint, "command") == 0)
				draft->command_misspelt = true;
			continue;
		}
		char err[384];
		char *value = expand_vars(e->value, err, sizeof err);
		if (value && !apply_value(k, value, base, err, sizeof err)) {
			free(value);
			value = NULL;
		}
		if (!value) {
			diag_add(l->diags, e->line, false, "%s %s: %s", label, e->key, err);
			continue;
		}
		free(value);
		if (draft && k->kind == K_DEPENDS)
			draft->depends_line = e->line;
		if (draft && strcmp(k->name, "stopwaitsecs") == 0)
			draft->stopwaitsecs_line = e->line;
		if (draft && strcmp(k->name, "watchdog_sec") == 0)
			draft->watchdog_line = e->line;
	}
}

static bool valid_program_name(const char *name)
{
	size_t len = strlen(name);
	if (len == 0 || len > PROGRAM_NAME_MAX || name[0] == '.' || name[0] == '-')
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)name[i]) && !strchr("_.-", name[i]))
			return false;
	return true;
}

/* tend's environment with the program's own variables put over it. */
static char **build_envp(char **extra)
{
	size_t n = 0, nextra = 0;
	while (environ && environ[n])
		n++;
	while (extra && extra[nextra])
		nextra++;
	char **envp = calloc(n + nextra + 1, sizeof *envp);
	if (!envp)
		return NULL;
	size_t count = 0;
	for (size_t i = 0; i < n; i++) {
		size_t keylen = strcspn(environ[i], "=");
		bool replaced = false;
		for (size_t j = 0; j < nextra && !replaced; j++)
			replaced = strncmp(extra[j], environ[i], keylen + 1) == 0;
		if (!replaced)
			envp[count++] = environ[i];
	}
	for (size_t j = 0; j < nextra; j++)
		envp[count++] = extra[j];
	return envp;
}

bool program_config_defaults(struct program_config *p)
{
	struct program_draft draft = { 0 };
	draft.p.umask = -1;
	apply_defaults(program_keys, NKEYS(program_keys), &draft, NULL, NULL);
	*p = draft.p;
	p->envp = build_envp(NULL);
	return p->envp != NULL;
}

void program_config_free(struct program_config *p)
{
	free(p->command);
	free(p->argv);
	free(p->directory);
	user_free(&p->user);
	value_list_free(p->env_extra);
	free(p->envp);
	free(p->depends_on);
	probe_spec_free(&p->healthcheck);
	free(p->notify_path);
	memset(p, 0, sizeof *p);
}

void config_free(struct config *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < cfg->nprograms; i++)
		program_config_free(&cfg->programs[i]);
	free(cfg->programs);
	free(cfg->depends_closure);
	free(cfg->path);
	free(cfg->socket);
	free(cfg->health_listen);
	free(cfg);
}

static bool env_append(char ***list, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool env_append(char ***list, const char *fmt, ...)
{
	size_t n = 0;
	while (*list && (*list)[n])
		n++;
	char **grown = realloc(*list, (n + 2) * sizeof *grown);
	if (!grown)
		return false;
	*list = grown;
	va_list ap;
	va_start(ap, fmt);
	int r = vasprintf(&grown[n], fmt, ap);
	va_end(ap);
	grown[r < 0 ? n : n + 1] = NULL;
	return r >= 0;
}

/* notify: NOTIFY_SOCKET names the program's own socket, in a directory
 * beside tend's socket; WATCHDOG_USEC tells it how often to ping. */
static bool add_notify_environment(struct loader *l, const struct config *cfg, struct program_config *p)
{
	if (!cfg->socket)
		return false;	/* no valid socket at all: that error is reported already */
	const char *slash = strrchr(cfg->socket, '/');
	int dir_len = slash ? (int)(slash - cfg->socket) : 0;
	if (asprintf(&p->notify_path, "%.*s/notify/%s.sock", dir_len, cfg->socket, p->name) < 0) {
		l->oom = true;
		return false;
	}
	struct sockaddr_un addr;
	if (strlen(p->notify_path) >= sizeof addr.sun_path) {
		diag_add(l->diags, p->line, false, "[program:%s] notify: its socket path %s is too long (choose a shorter [tend] socket)",
			 p->name, p->notify_path);
		return false;
	}
	bool ok = env_append(&p->env_extra, "NOTIFY_SOCKET=%s", p->notify_path);
	if (ok && p->watchdog_sec > 0)
		ok = env_append(&p->env_extra, "WATCHDOG_USEC=%.0f", p->watchdog_sec * 1e6);
	if (!ok)
		l->oom = true;
	return ok;
}

static void resolve_dependencies(struct loader *l, struct config *cfg, struct program_draft *drafts)
{
	for (size_t i = 0; i < cfg->nprograms; i++) {
		struct program_draft *d = &drafts[i];
		size_t n = 0;
		while (d->depends_names && d->depends_names[n])
			n++;
		d->p.depends_on = calloc(n + 1, sizeof *d->p.depends_on);
		if (!d->p.depends_on) {
			l->oom = true;
			return;
		}
		for (size_t k = 0; k < n; k++) {
			const char *want = d->depends_names[k];
			size_t j = 0;
			while (j < cfg->nprograms && strcmp(drafts[j].p.name, want) != 0)
				j++;
			if (j == cfg->nprograms) {
				diag_add(l->diags, d->depends_line, false, "[program:%s] depends_on: no program named \"%s\"",
					 d->p.name, want);
				continue;
			}
			bool dup = false;
			for (size_t m = 0; m < d->p.ndepends; m++)
				dup |= d->p.depends_on[m] == j;
			if (!dup)
				d->p.depends_on[d->p.ndepends++] = j;
		}
	}
}

static void check_cycles(struct loader *l, const struct config *cfg)
{
	size_t *path = calloc(cfg->nprograms + 2, sizeof *path), len;
	if (!path) {
		l->oom = true;
		return;
	}
	if (order_find_cycle(cfg, path, &len)) {
		char text[400] = "";
		size_t used = 0;
		for (size_t i = 0; i < len && used < sizeof text; i++)
			used += (size_t)snprintf(text + used, sizeof text - used, "%s%s", i ? " -> " : "",
						 cfg->programs[path[i]].name);
		const struct program_config *first = &cfg->programs[path[0]];
		diag_add(l->diags, first->line, false, "[program:%s] depends_on: dependency cycle %s", first->name, text);
	}
	free(path);
}

static struct config *build(struct loader *l, const char *name)
{
	struct config *cfg = calloc(1, sizeof *cfg);
	struct program_draft *drafts = calloc(l->nsections + 1, sizeof *drafts);
	const struct section *tend_section = NULL;
	if (!cfg || !drafts || !(cfg->path = strdup(name))) {
		l->oom = true;
		goto out;
	}
	const struct section *given = NULL;	/* the first [tend]: what it sets needs no default */
	for (size_t i = 0; i < l->nsections && !given; i++)
		if (l->sections[i].line > 0 && !l->sections[i].broken && strcmp(l->sections[i].name, "tend") == 0)
			given = &l->sections[i];
	apply_defaults(tend_keys, NKEYS(tend_keys), cfg, l->diags, given);
	for (size_t i = 0; i < l->nsections; i++) {
		const struct section *s = &l->sections[i];
		if (s->broken)
			continue;
		if (s->line == 0) {
			for (size_t j = 0; j < s->nentries; j++)
				diag_add(l->diags, s->entries[j].line, false,
					 "\"%s\" is outside any section (put it under [tend] or [program:NAME])",
					 s->entries[j].key);
		} else if (strcmp(s->name, "tend") == 0) {
			if (tend_section)
				diag_add(l->diags, s->line, false, "[tend] appears twice (first on line %d)",
					 tend_section->line);
			else
				apply_section(l, s, "[tend]", tend_keys, NKEYS(tend_keys), cfg, NULL);
			tend_section = s;
		} else if (strncmp(s->name, "program:", 8) == 0) {
			const char *pname = s->name + 8;
			if (!valid_program_name(pname)) {
				diag_add(l->diags, s->line, false,
					 "[%s]: a program name is 1 to %d of A-Z a-z 0-9 _ . - and does not start with . or -",
					 s->name, PROGRAM_NAME_MAX);
				continue;
			}
			size_t dup = 0;
			while (dup < cfg->nprograms && strcmp(drafts[dup].p.name, pname) != 0)
				dup++;
			if (dup < cfg->nprograms) {
				diag_add(l->diags, s->line, false, "[%s]: program \"%s\" is defined twice (first on line %d)",
					 s->name, pname, drafts[dup].p.line);
				continue;
			}
			struct program_draft *d = &drafts[cfg->nprograms++];
			snprintf(d->p.name, sizeof d->p.name, "%s", pname);
			d->p.line = s->line;
			d->p.umask = -1;
			d->section = s;
			apply_defaults(program_keys, NKEYS(program_keys), d, NULL, NULL);
			char label[PROGRAM_NAME_MAX + 16];
			snprintf(label, sizeof label, "[%s]", s->name);
			apply_section(l, s, label, program_keys, NKEYS(program_keys), d, d);
			/* a command that is there but wrong has its own error already */
			bool has_command = false;
			for (size_t j = 0; j < s->nentries; j++)
				has_command |= strcasecmp(s->entries[j].key, "command") == 0;
			if (!has_command && !s->unreadable_line && !d->command_misspelt)
				diag_add(l->diags, s->line, false, "[%s]: command is missing", s->name);
		} else {
			const char *hint = strncmp(s->name, "program", 7) == 0 ? " (a program is [program:NAME])" : "";
			diag_add(l->diags, s->line, false, "unknown section [%s]%s; tend reads [tend] and [program:NAME]",
				 s->name, hint);
		}
	}
	cfg->programs = calloc(cfg->nprograms + 1, sizeof *cfg->programs);
	if (!cfg->programs) {
		l->oom = true;
		goto out;
	}
	resolve_dependencies(l, cfg, drafts);
	for (size_t i = 0; i < cfg->nprograms; i++) {
		cfg->programs[i] = drafts[i].p;
		memset(&drafts[i].p, 0, sizeof drafts[i].p);
		struct program_config *p = &cfg->programs[i];
		/* [tend]'s log_prefix is every program's default */
		if (!section_sets(drafts[i].section, "log_prefix"))
			p->log_prefix = cfg->log_prefix;
		if (p->notify && !add_notify_environment(l, cfg, p))
			continue;
		if (p->watchdog_sec > 0 && !p->notify)
			diag_add(l->diags, drafts[i].watchdog_line, false, "[program:%s] watchdog_sec needs notify = true",
				 p->name);
		if (!(p->envp = build_envp(p->env_extra)))
			l->oom = true;
		/* watchdog_sec makes a program unhealthy too (SPEC §2) */
		if (p->restart_on_unhealthy && p->healthcheck.kind == PROBE_NONE && p->watchdog_sec == 0)
			diag_add(l->diags, p->line, true,
				 "[program:%s] restart_on_unhealthy has no effect without a healthcheck or watchdog_sec",
				 p->name);
		/* only where stopwaitsecs was written: a default is no mistake */
		if (drafts[i].stopwaitsecs_line && p->stopwaitsecs >= cfg->shutdown_timeout && l->diags->errors == 0)
			diag_add(l->diags, drafts[i].stopwaitsecs_line, true,
				 "[program:%s] stopwaitsecs (%gs) is not under shutdown_timeout (%gs): at shutdown "
				 "SIGKILL comes when shutdown_timeout runs out",
				 p->name, p->stopwaitsecs, cfg->shutdown_timeout);
	}
	if (l->diags->errors == 0)
		check_cycles(l, cfg);
	if (l->diags->errors == 0 && !l->oom) {
		order_assign_steps(cfg);
		l->oom = !order_compute_closure(cfg);
	}
out:
	for (size_t i = 0; drafts && i < l->nsections; i++) {
		program_config_free(&drafts[i].p);
		value_list_free(drafts[i].depends_names);
	}
	free(drafts);
	if (l->oom)
		diag_add(l->diags, 0, false, "out of memory");
	if (l->diags->errors > 0) {
		config_free(cfg);
		return NULL;
	}
	return cfg;
}

struct config *config_load_string(const char *text, const char *name, struct diagnostics *diags)
{
	struct loader l = { .text = text, .diags = diags };
	memset(diags, 0, sizeof *diags);
	if (strncmp(text, "\xEF\xBB\xBF", 3) == 0)	/* a UTF-8 byte order mark */
		l.pos = 3;
	int first_error = ini_parse_stream(read_line, &l, on_value, &l);
	/* inih saw a bad line that our reader did not explain */
	bool explained = false;
	for (size_t i = 0; i < diags->count; i++)
		explained |= diags->items[i].line == first_error;
	if (first_error > 0 && !explained)
		diag_add(diags, first_error, false, "cannot parse this line");
	else if (first_error < 0)
		l.oom = true;
	struct config *cfg = build(&l, name);
	loader_free(&l);
	if (diags->count > 1)	/* qsort(NULL, 0, ...) is undefined (UBSan aborts) */
		qsort(diags->items, diags->count, sizeof *diags->items, diag_by_line);
	return cfg;
}

struct config *config_load_file(const char *path, struct diagnostics *diags)
{
	memset(diags, 0, sizeof *diags);
	FILE *f = fopen(path, "re");
	if (!f) {
		diag_add(diags, 0, false, "cannot read: %s", strerror(errno));
		return NULL;
	}
	char *text = NULL;
	size_t size = 0;
	FILE *mem = open_memstream(&text, &size);
	char chunk[4096];
	size_t got;
	bool has_nul = false;
	while (mem && (got = fread(chunk, 1, sizeof chunk, f)) > 0) {
		has_nul |= memchr(chunk, '\0', got) != NULL;
		fwrite(chunk, 1, got, mem);
	}
	bool read_error = ferror(f);
	fclose(f);
	if (mem)
		fclose(mem);
	if (!mem || !text || read_error || has_nul) {
		diag_add(diags, 0, false, "%s", has_nul ? "not a text file (it has a NUL byte)" : "cannot read the file");
		free(text);
		return NULL;
	}
	struct config *cfg = config_load_string(text, path, diags);
	free(text);
	return cfg;
}

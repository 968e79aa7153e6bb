#include "client.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "json.h"
#include "strbuf.h"

/* The whole exchange (connect, request, answer) must be over within this
 * long: a wedged tend must not hang a Docker HEALTHCHECK. */
#define CLIENT_TIMEOUT 5.0
/* An answer larger than this is not tend's. */
#define ANSWER_MAX (16u << 20)

enum { EXIT_OK = 0, EXIT_NO = 1, EXIT_TROUBLE = 2 };

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

static void complain(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void complain(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("tend: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

bool client_is_command(const char *word)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(word, commands[i].name) == 0)
			return true;
	return false;
}

/* ---- finding the socket (SPEC §1) ---- */

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
			complain("%s has errors (see `tend check -c %s`); not reading its socket", path, path);
	} else if (!cfg->socket) {
		complain("%s has no socket", path);
	} else if (!(socket = strdup(cfg->socket))) {
		complain("out of memory");
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
		complain("out of memory");
	return copy;
}

/* ---- one HTTP exchange over the unix socket ---- */

struct answer {
	int status;
	const char *body;	/* NUL-terminated (inside raw) */
	size_t body_len;
	struct strbuf raw;
};

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Both timeouts of fd to what is left until deadline; false when nothing is. */
static bool set_timeouts(int fd, double deadline)
{
	double left = deadline - now();
	if (left <= 0)
		return false;
	time_t whole = (time_t)left;	/* left > 0: the cast rounds down */
	struct timeval tv = { .tv_sec = whole, .tv_usec = (suseconds_t)((left - (double)whole) * 1e6) };
	if (tv.tv_sec == 0 && tv.tv_usec == 0)
		tv.tv_usec = 1;	/* 0 would mean no timeout */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	return true;
}

/* Where the head ends (just past its blank line), or 0 if not there yet. */
static size_t head_end(const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (p[i] != '\n')
			continue;
		if (i + 1 < len && p[i + 1] == '\n')
			return i + 2;
		if (i + 2 < len && p[i + 1] == '\r' && p[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

/* Status line and headers of the head raw[0..head). Sets status and
 * *length (-1 when no Content-Length). False with a reason. */
static bool parse_head(const char *raw, size_t head, int *status, long long *length, const char **why)
{
	*length = -1;
	if (head < 12 || strncmp(raw, "HTTP/1.", 7) != 0 || (raw[7] != '0' && raw[7] != '1') || raw[8] != ' ' ||
	    raw[9] < '1' || raw[9] > '5' || raw[10] < '0' || raw[10] > '9' || raw[11] < '0' || raw[11] > '9') {
		*why = "not an HTTP/1.x answer";
		return false;
	}
	*status = (raw[9] - '0') * 100 + (raw[10] - '0') * 10 + (raw[11] - '0');
	const char *line = memchr(raw, '\n', head);
	while (line && (size_t)(++line - raw) < head) {
		const char *eol = memchr(line, '\n', head - (size_t)(line - raw));
		size_t n = (size_t)(eol - line);
		if (n && line[n - 1] == '\r')
			n--;
		if (n >= 15 && strncasecmp(line, "content-length:", 15) == 0) {
			const char *v = line + 15, *e = line + n;
			while (v < e && (*v == ' ' || *v == '\t'))
				v++;
			while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
				e--;
			long long len = v < e ? 0 : -1;
			for (; v < e && len >= 0; v++) {
				if (*v < '0' || *v > '9')
					len = -1;
				else if (len <= ANSWER_MAX)	/* past it, the value no longer matters */
					len = len * 10 + (*v - '0');
			}
			if (len < 0 || (*length >= 0 && len != *length)) {
				*why = "bad Content-Length";
				return false;
			}
			if (len > ANSWER_MAX) {
				*why = "the answer is too large";
				return false;
			}
			*length = len;
		} else if (n >= 18 && strncasecmp(line, "transfer-encoding:", 18) == 0) {
			*why = "Transfer-Encoding is not expected from tend";
			return false;
		}
		line = eol;
	}
	return true;
}

static void answer_free(struct answer *a)
{
	sb_free(&a->raw);
}

/* Sends METHOD path and reads the whole answer. False after reporting why
 * (tend unreachable or no proper answer). */
static bool exchange(const char *socket_path, const char *method, const char *path, struct answer *a)
{
	memset(a, 0, sizeof *a);
	double deadline = now() + CLIENT_TIMEOUT;
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	if (strlen(socket_path) >= sizeof addr.sun_path) {
		complain("cannot reach tend at %s: the path is longer than a socket address allows", socket_path);
		return false;
	}
	strcpy(addr.sun_path, socket_path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		complain("socket: %s", strerror(errno));
		return false;
	}
	const char *failed_at = NULL;	/* what went wrong, with failed_errno */
	int failed_errno = 0;
	const char *why = NULL;		/* what went wrong, without */
	set_timeouts(fd, deadline);
	int r;
	do
		r = connect(fd, (struct sockaddr *)&addr, sizeof addr);
	while (r < 0 && errno == EINTR);
	if (r < 0) {
		int e = errno;
		close(fd);
		if (e == EAGAIN || e == EINPROGRESS)
			complain("cannot reach tend at %s: no connection within %gs", socket_path, CLIENT_TIMEOUT);
		else
			complain("cannot reach tend at %s: %s", socket_path, strerror(e));
		return false;
	}

	char request[1024];
	int n = snprintf(request, sizeof request,
			 "%s %s HTTP/1.1\r\nHost: tend\r\nUser-Agent: tend-client\r\n%sConnection: close\r\n\r\n",
			 method, path, strcmp(method, "POST") == 0 ? "Content-Length: 0\r\n" : "");
	if (n < 0 || (size_t)n >= sizeof request)
		n = 0, failed_at = "request too long", failed_errno = ENAMETOOLONG;
	size_t sent = 0;
	while (!failed_at && sent < (size_t)n) {
		if (!set_timeouts(fd, deadline)) {
			why = "timed out";
			break;
		}
		ssize_t w = send(fd, request + sent, (size_t)n - sent, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			failed_at = "cannot send the request", failed_errno = errno;
		else
			sent += (size_t)w;
	}

	size_t head = 0;
	long long length = -1;
	bool done = false;
	while (!failed_at && !why && !done) {
		if (!set_timeouts(fd, deadline)) {
			why = "timed out";
			break;
		}
		char buf[16384];
		ssize_t got = recv(fd, buf, sizeof buf, 0);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			why = "timed out";
			break;
		}
		if (got < 0) {
			failed_at = "cannot read the answer", failed_errno = errno;
			break;
		}
		if (got > 0) {
			sb_put(&a->raw, buf, (size_t)got);
			if (a->raw.failed) {
				why = "out of memory";
				break;
			}
			if (a->raw.len > ANSWER_MAX) {
				why = "the answer is too large";
				break;
			}
		}
		if (!head && (head = head_end(a->raw.data, a->raw.len)) > 0 &&
		    !parse_head(a->raw.data, head, &a->status, &length, &why))
			break;
		if (head && length >= 0 && a->raw.len >= head + (size_t)length)
			done = true;
		if (got == 0 && !done) {
			if (!head)
				why = a->raw.len ? "the connection closed in the middle of the answer"
						 : "the connection closed without an answer";
			else if (length >= 0)
				why = "the answer was cut short";
			else
				done = true;	/* no Content-Length: the body runs to the end */
		}
	}
	close(fd);
	if (failed_at) {
		complain("tend at %s: %s: %s", socket_path, failed_at, strerror(failed_errno));
	} else if (why) {
		if (strcmp(why, "timed out") == 0)
			complain("tend at %s did not answer within %gs", socket_path, CLIENT_TIMEOUT);
		else
			complain("bad answer from tend at %s: %s", socket_path, why);
	}
	if (!done) {
		answer_free(a);
		return false;
	}
	a->body = a->raw.data + head;
	a->body_len = length >= 0 ? (size_t)length : a->raw.len - head;
	a->raw.data[head + a->body_len] = '\0';
	return true;
}

/* The answer's body as JSON; false after reporting. */
static bool answer_json(const struct answer *a, const char *socket_path, struct json_doc *doc)
{
	char err[128];
	if (json_parse(doc, a->body, a->body_len, err, sizeof err))
		return true;
	complain("bad answer from tend at %s: HTTP %d, body not JSON (%s)", socket_path, a->status, err);
	return false;
}

/* The "error" of an error answer, or a stand-in when there is none. */
static void report_error(const struct answer *a, const char *subject)
{
	struct json_doc doc;
	const char *message = NULL;
	if (json_parse(&doc, a->body, a->body_len, NULL, 0))
		message = json_str(json_get(doc.root, "error"));
	if (message)
		complain("%s: %s", subject, message);
	else
		complain("%s: tend answered HTTP %d", subject, a->status);
	json_free(&doc);
}

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

/* ---- tend status ---- */

/* 12.5s, 3m04s, 2h01m, 3d04h */
static void format_duration(double s, char *buf, size_t size)
{
	if (!(s >= 0))
		s = 0;
	if (s < 59.95) {
		snprintf(buf, size, "%.1fs", s);
		return;
	}
	unsigned long long t = (unsigned long long)s;
	if (t < 3600)
		snprintf(buf, size, "%llum%02llus", t / 60, t % 60);
	else if (t < 86400)
		snprintf(buf, size, "%lluh%02llum", t / 3600, t / 60 % 60);
	else
		snprintf(buf, size, "%llud%02lluh", t / 86400, t / 3600 % 24);
}

enum column { C_NAME, C_STATE, C_HEALTH, C_PID, C_UPTIME, C_RESTARTS, C_EXIT, C_WAITING, C_STATUS, NCOLUMNS };

static const char *const column_titles[NCOLUMNS] = {
	"NAME", "STATE", "HEALTH", "PID", "UPTIME", "RESTARTS", "LAST EXIT", "WAITING FOR", "STATUS",
};

#define CELL 160

/* A string of the answer as a cell: "?" when missing, controls made '?'. */
static void text_cell(char *cell, const struct json_value *v)
{
	const char *s = json_str(v);
	snprintf(cell, CELL, "%s", s ? s : "?");
	for (char *p = cell; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7F)
			*p = '?';
}

static void number_cell(char *cell, const struct json_value *v, const char *if_null)
{
	double d;
	if (json_num(v, &d) && fabs(d) < 1e15)
		snprintf(cell, CELL, "%.0f", d);
	else
		snprintf(cell, CELL, "%s", json_is(v, JSON_NULL) ? if_null : "?");
}

static void exit_cell(char *cell, const struct json_value *v)
{
	double code;
	const char *sig;
	if (json_num(json_get(v, "code"), &code))
		snprintf(cell, CELL, "code %.0f", code);
	else if ((sig = json_str(json_get(v, "signal"))) != NULL)
		snprintf(cell, CELL, "signal %.40s", sig);
	else
		snprintf(cell, CELL, "%s", json_is(v, JSON_NULL) ? "-" : "?");
}

static void waiting_cell(char *cell, const struct json_value *v)
{
	size_t n = 0;
	cell[0] = '\0';
	for (const struct json_value *w = json_is(v, JSON_ARRAY) ? v->child : NULL; w && n < CELL - 1; w = w->next) {
		char name[CELL];
		text_cell(name, w);
		n += (size_t)snprintf(cell + n, CELL - n, "%s%s", n ? "," : "", name);
	}
	if (!cell[0])
		strcpy(cell, "-");
}

static int print_status(const struct json_value *root)
{
	const struct json_value *programs = json_get(root, "programs");
	const char *status = json_str(json_get(root, "status"));
	double uptime;
	char up[32] = "?";
	if (json_num(json_get(root, "uptime"), &uptime))
		format_duration(uptime, up, sizeof up);
	size_t rows = json_is(programs, JSON_ARRAY) ? programs->len : 0;
	printf("status %s, up %s, %zu program%s\n", status ? status : "?", up, rows, rows == 1 ? "" : "s");
	if (!rows)
		return EXIT_OK;

	char (*cells)[NCOLUMNS][CELL] = calloc(rows, sizeof *cells);
	if (!cells) {
		complain("out of memory");
		return EXIT_TROUBLE;
	}
	size_t width[NCOLUMNS];
	bool shown[NCOLUMNS] = { true, true, true, true, true, true, false, false, false };
	for (int c = 0; c < NCOLUMNS; c++)
		width[c] = strlen(column_titles[c]);
	size_t r = 0;
	for (const struct json_value *p = programs->child; p; p = p->next, r++) {
		char (*row)[CELL] = cells[r];
		const struct json_value *pid = json_get(p, "pid");
		text_cell(row[C_NAME], json_get(p, "name"));
		text_cell(row[C_STATE], json_get(p, "state"));
		text_cell(row[C_HEALTH], json_get(p, "health"));
		number_cell(row[C_PID], pid, "-");
		double t;
		if (json_is(pid, JSON_NULL))
			strcpy(row[C_UPTIME], "-");
		else if (json_num(json_get(p, "uptime"), &t))
			format_duration(t, row[C_UPTIME], CELL);
		else
			strcpy(row[C_UPTIME], "?");
		number_cell(row[C_RESTARTS], json_get(p, "restarts"), "-");
		exit_cell(row[C_EXIT], json_get(p, "last_exit"));
		waiting_cell(row[C_WAITING], json_get(p, "waiting_for"));
		shown[C_EXIT] |= strcmp(row[C_EXIT], "-") != 0;
		shown[C_WAITING] |= strcmp(row[C_WAITING], "-") != 0;
		/* notify's STATUS= text, for the programs that send one */
		const struct json_value *status_text = json_get(p, "status_text");
		if (status_text)
			text_cell(row[C_STATUS], status_text);
		else
			strcpy(row[C_STATUS], "-");
		shown[C_STATUS] |= status_text != NULL;
		for (int c = 0; c < NCOLUMNS; c++)
			if (strlen(row[c]) > width[c])
				width[c] = strlen(row[c]);
	}
	int last = NCOLUMNS - 1;
	while (!shown[last])
		last--;
	for (size_t i = 0; i <= rows; i++) {
		for (int c = 0; c <= last; c++) {
			if (!shown[c])
				continue;
			const char *text = i == 0 ? column_titles[c] : cells[i - 1][c];
			if (c == last)
				printf("%s\n", text);
			else
				printf("%-*s  ", (int)width[c], text);
		}
	}
	free(cells);
	return EXIT_OK;
}

static int cmd_status(const char *socket)
{
	struct answer a;
	if (!exchange(socket, "GET", "/health", &a))
		return EXIT_TROUBLE;
	int rc = EXIT_TROUBLE;
	struct json_doc doc = { 0 };
	if (a.status != 200 && a.status != 503)
		report_error(&a, "status");
	else if (answer_json(&a, socket, &doc)) {
		if (json_is(json_get(doc.root, "programs"), JSON_ARRAY))
			rc = print_status(doc.root);
		else
			complain("bad answer from tend at %s: no list of programs", socket);
	}
	json_free(&doc);
	answer_free(&a);
	fflush(stdout);
	return rc;
}

/* ---- tend health [NAME] ---- */

/* "STATE, health H, waiting for A,B" of one program. */
static void describe(const struct json_value *p, char *buf, size_t size)
{
	char state[CELL], health[CELL], waiting[CELL];
	text_cell(state, json_get(p, "state"));
	text_cell(health, json_get(p, "health"));
	waiting_cell(waiting, json_get(p, "waiting_for"));
	int n = snprintf(buf, size, "%s", state);
	if (n >= 0 && (size_t)n < size && strcmp(health, "none") != 0)
		n += snprintf(buf + n, size - (size_t)n, ", health %s", health);
	if (n >= 0 && (size_t)n < size && strcmp(waiting, "-") != 0)
		snprintf(buf + n, size - (size_t)n, ", waiting for %s", waiting);
}

static int cmd_health(const char *socket, const char *name)
{
	char path[512] = "/health";
	if (name) {
		strcpy(path, "/health/");
		url_segment(path + 8, sizeof path - 8, name);
	}
	struct answer a;
	if (!exchange(socket, "GET", path, &a))
		return EXIT_TROUBLE;
	int rc = a.status == 200 ? EXIT_OK : EXIT_NO;
	struct json_doc doc = { 0 };
	bool parsed = (a.status == 200 || a.status == 503) && json_parse(&doc, a.body, a.body_len, NULL, 0);
	char what[512];
	if (!parsed) {
		report_error(&a, name ? name : "health");
	} else if (name) {
		describe(doc.root, what, sizeof what);
		printf("%s: %s (%s)\n", name, a.status == 200 ? "ok" : "not ready", what);
	} else {
		const char *status = json_str(json_get(doc.root, "status"));
		printf("%s", status ? status : a.status == 200 ? "ready" : "not_ready");
		/* why not: the programs not ready (some may not count: the
		 * answer does not say which are required or done) */
		const char *sep = "; not ready: ";
		const struct json_value *programs = a.status == 200 ? NULL : json_get(doc.root, "programs");
		const struct json_value *first = json_is(programs, JSON_ARRAY) ? programs->child : NULL;
		for (const struct json_value *p = first; p; p = p->next) {
			const struct json_value *ready = json_get(p, "ready");
			if (!json_is(ready, JSON_BOOL) || ready->boolean)
				continue;
			char pname[CELL];
			text_cell(pname, json_get(p, "name"));
			describe(p, what, sizeof what);
			printf("%s%s (%s)", sep, pname, what);
			sep = ", ";
		}
		putchar('\n');
	}
	json_free(&doc);
	answer_free(&a);
	fflush(stdout);
	return rc;
}

/* ---- tend start|stop|restart NAME, tend signal NAME SIG ---- */

static int cmd_control(const char *socket, const char *action, const char *name, const char *sig)
{
	char path[1024], seg[400];
	url_segment(seg, sizeof seg, name);
	int n = snprintf(path, sizeof path, "/programs/%s/%s", seg, action);
	if (sig) {
		url_segment(seg, sizeof seg, sig);
		snprintf(path + n, sizeof path - (size_t)n, "/%s", seg);
	}
	struct answer a;
	if (!exchange(socket, "POST", path, &a))
		return EXIT_TROUBLE;
	int rc = EXIT_OK;
	if (a.status == 202) {
		struct json_doc doc;
		const char *accepted = NULL;
		if (json_parse(&doc, a.body, a.body_len, NULL, 0))
			accepted = json_str(json_get(doc.root, "accepted"));
		if (sig)
			printf("%s: SIG%s sent\n", name, accepted ? accepted : sig);
		else
			printf("%s: %s requested\n", name, action);
		json_free(&doc);
	} else {
		/* "no such signal" is about SIG, everything else about NAME */
		bool about_signal = false;
		struct json_doc doc;
		if (sig && a.status == 404 && json_parse(&doc, a.body, a.body_len, NULL, 0)) {
			const char *e = json_str(json_get(doc.root, "error"));
			about_signal = e && strstr(e, "signal");
			json_free(&doc);
		}
		report_error(&a, about_signal ? sig : name);
		rc = EXIT_NO;
	}
	answer_free(&a);
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
	return EXIT_TROUBLE;
}

int client_main(int argc, char **argv)
{
	const struct command *c = NULL;
	for (size_t i = 0; i < NCOMMANDS && !c; i++)
		if (strcmp(argv[0], commands[i].name) == 0)
			c = &commands[i];
	if (!c) {
		complain("unknown command \"%s\"", argv[0]);
		return EXIT_TROUBLE;
	}
	const char *socket_opt = NULL, *config_opt = NULL, *args[2] = { NULL, NULL };
	size_t nargs = 0;
	bool options = true;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (options && a[0] == '-' && a[1] != '\0') {
			const char **slot = NULL;
			const char *value = NULL;
			if (strcmp(a, "--") == 0) {
				options = false;
				continue;
			} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
				printf("usage: %s\n", c->usage);
				return EXIT_OK;
			} else if (strcmp(a, "-s") == 0 || strcmp(a, "--socket") == 0) {
				slot = &socket_opt;
			} else if (strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0) {
				slot = &config_opt;
			} else if (strncmp(a, "--socket=", 9) == 0) {
				slot = &socket_opt, value = a + 9;
			} else if (strncmp(a, "--config=", 9) == 0) {
				slot = &config_opt, value = a + 9;
			} else {
				return usage_error(c, "%s: unknown option \"%s\"", c->name, a);
			}
			const char *what = slot == &socket_opt ? "socket path" : "file";
			if (!value && ++i >= argc)
				return usage_error(c, "%s needs a %s", a, what);
			*slot = value ? value : argv[i];
			if (!**slot)
				return usage_error(c, "%s needs a non-empty %s", a, what);
			continue;
		}
		if (nargs >= c->max_args)
			return usage_error(c, "%s: unexpected argument \"%s\"", c->name, a);
		args[nargs++] = a;
	}
	if (nargs < c->min_args)
		return usage_error(c, "%s needs %s", c->name,
				   c->min_args == 2 ? "a program name and a signal" : "a program name");
	char *socket = find_socket(socket_opt, config_opt);
	if (!socket)
		return EXIT_TROUBLE;
	int rc;
	if (strcmp(c->name, "status") == 0)
		rc = cmd_status(socket);
	else if (strcmp(c->name, "health") == 0)
		rc = cmd_health(socket, args[0]);
	else
		rc = cmd_control(socket, c->name, args[0], args[1]);
	free(socket);
	return rc;
}

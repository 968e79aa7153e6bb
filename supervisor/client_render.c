#include "client_render.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void client_complain(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("tend: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

void client_report_error(const struct client_answer *a, const char *subject)
{
	struct json_doc doc;
	const char *message = NULL;
	if (json_parse(&doc, a->body, a->body_len, NULL, 0))
		message = json_str(json_get(doc.root, "error"));
	if (message)
		client_complain("%s: %s", subject, message);
	else
		client_complain("%s: tend answered HTTP %d", subject, a->status);
	json_free(&doc);
}

bool client_answer_json(const struct client_answer *a, const char *socket_path, struct json_doc *doc)
{
	char err[128];
	if (json_parse(doc, a->body, a->body_len, err, sizeof err))
		return true;
	client_complain("bad answer from tend at %s: HTTP %d, body not JSON (%s)", socket_path, a->status, err);
	return false;
}

/* ---- cells ---- */

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

static void uptime_cell(char *cell, const struct json_value *program)
{
	double t;
	if (json_is(json_get(program, "pid"), JSON_NULL))
		strcpy(cell, "-");
	else if (json_num(json_get(program, "uptime"), &t))
		format_duration(t, cell, CELL);
	else
		strcpy(cell, "?");
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

/* A task's state says so, in one word, so that the table's columns stay
 * split by blanks: "STARTING(oneshot)" while it runs, "EXITED(done)". */
static void state_cell(char *cell, const struct json_value *program)
{
	char state[CELL];
	text_cell(state, json_get(program, "state"));
	const struct json_value *oneshot = json_get(program, "oneshot"), *done = json_get(program, "done");
	if (!json_is(oneshot, JSON_BOOL) || !oneshot->boolean)
		snprintf(cell, CELL, "%s", state);
	else if (json_is(done, JSON_BOOL) && done->boolean)
		snprintf(cell, CELL, "%.60s(done)", state);
	else
		snprintf(cell, CELL, "%.60s(oneshot)", state);
}

/* ---- tend status ---- */

enum column { C_NAME, C_STATE, C_HEALTH, C_PID, C_UPTIME, C_RESTARTS, C_EXIT, C_WAITING, C_STATUS, NCOLUMNS };

static const char *const column_titles[NCOLUMNS] = {
	"NAME", "STATE", "HEALTH", "PID", "UPTIME", "RESTARTS", "LAST EXIT", "WAITING FOR", "STATUS",
};

struct table {
	size_t rows;
	char (*cells)[NCOLUMNS][CELL];
	size_t width[NCOLUMNS];
	bool shown[NCOLUMNS];	/* the last three only when some row has something */
};

/* The cells of one program, and what they make wider or shown. */
static void fill_row(struct table *t, size_t r, const struct json_value *p)
{
	char (*row)[CELL] = t->cells[r];
	text_cell(row[C_NAME], json_get(p, "name"));
	state_cell(row[C_STATE], p);
	text_cell(row[C_HEALTH], json_get(p, "health"));
	number_cell(row[C_PID], json_get(p, "pid"), "-");
	uptime_cell(row[C_UPTIME], p);
	number_cell(row[C_RESTARTS], json_get(p, "restarts"), "-");
	exit_cell(row[C_EXIT], json_get(p, "last_exit"));
	waiting_cell(row[C_WAITING], json_get(p, "waiting_for"));
	t->shown[C_EXIT] |= strcmp(row[C_EXIT], "-") != 0;
	t->shown[C_WAITING] |= strcmp(row[C_WAITING], "-") != 0;
	/* notify's STATUS= text, for the programs that send one */
	const struct json_value *status_text = json_get(p, "status_text");
	if (status_text)
		text_cell(row[C_STATUS], status_text);
	else
		strcpy(row[C_STATUS], "-");
	t->shown[C_STATUS] |= status_text != NULL;
	for (int c = 0; c < NCOLUMNS; c++)
		if (strlen(row[c]) > t->width[c])
			t->width[c] = strlen(row[c]);
}

/* The titles, then a line a row; the last column shown is not padded. */
static void print_table(const struct table *t)
{
	int last = NCOLUMNS - 1;
	while (!t->shown[last])
		last--;
	for (size_t i = 0; i <= t->rows; i++) {
		for (int c = 0; c <= last; c++) {
			if (!t->shown[c])
				continue;
			const char *text = i == 0 ? column_titles[c] : t->cells[i - 1][c];
			if (c == last)
				printf("%s\n", text);
			else
				printf("%-*s  ", (int)t->width[c], text);
		}
	}
}

bool client_print_status(const struct json_value *root)
{
	const struct json_value *programs = json_get(root, "programs");
	const char *status = json_str(json_get(root, "status"));
	double uptime;
	char up[32] = "?";
	if (json_num(json_get(root, "uptime"), &uptime))
		format_duration(uptime, up, sizeof up);
	struct table t = { .rows = json_is(programs, JSON_ARRAY) ? programs->len : 0,
			   .shown = { true, true, true, true, true, true, false, false, false } };
	printf("status %s, up %s, %zu program%s\n", status ? status : "?", up, t.rows, t.rows == 1 ? "" : "s");
	if (!t.rows)
		return true;
	t.cells = calloc(t.rows, sizeof *t.cells);
	if (!t.cells) {
		client_complain("out of memory");
		return false;
	}
	for (int c = 0; c < NCOLUMNS; c++)
		t.width[c] = strlen(column_titles[c]);
	size_t r = 0;
	for (const struct json_value *p = programs->child; p; p = p->next)
		fill_row(&t, r++, p);
	print_table(&t);
	free(t.cells);
	return true;
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

void client_print_program_health(const char *name, const struct json_value *program, bool ready)
{
	char what[512];
	describe(program, what, sizeof what);
	printf("%s: %s (%s)\n", name, ready ? "ok" : "not ready", what);
}

void client_print_health(const struct json_value *root, bool ready)
{
	const char *status = json_str(json_get(root, "status"));
	printf("%s", status ? status : ready ? "ready" : "not_ready");
	/* why not: the programs not ready, but for the tasks done (some may
	 * not count: the answer does not say which are required) */
	const char *sep = "; not ready: ";
	const struct json_value *programs = ready ? NULL : json_get(root, "programs");
	const struct json_value *first = json_is(programs, JSON_ARRAY) ? programs->child : NULL;
	for (const struct json_value *p = first; p; p = p->next) {
		const struct json_value *p_ready = json_get(p, "ready"), *p_done = json_get(p, "done");
		if (!json_is(p_ready, JSON_BOOL) || p_ready->boolean || (json_is(p_done, JSON_BOOL) && p_done->boolean))
			continue;
		char pname[CELL], what[512];
		text_cell(pname, json_get(p, "name"));
		describe(p, what, sizeof what);
		printf("%s%s (%s)", sep, pname, what);
		sep = ", ";
	}
	putchar('\n');
}

/* ---- tend start|stop|restart NAME, tend signal NAME SIG ---- */

void client_print_control(const struct client_answer *a, const char *action, const char *name, const char *sig)
{
	struct json_doc doc;
	bool parsed = json_parse(&doc, a->body, a->body_len, NULL, 0);
	if (a->status == 202) {
		const char *accepted = parsed ? json_str(json_get(doc.root, "accepted")) : NULL;
		if (sig)
			printf("%s: SIG%s sent\n", name, accepted ? accepted : sig);
		else
			printf("%s: %s requested\n", name, action);
	} else {
		/* "no such signal" is about SIG, everything else about NAME */
		const char *e = sig && a->status == 404 && parsed ? json_str(json_get(doc.root, "error")) : NULL;
		client_report_error(a, e && strstr(e, "signal") ? sig : name);
	}
	json_free(&doc);
}

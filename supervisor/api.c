#include "api.h"

#include <stdio.h>
#include <string.h>

#include "signames.h"

#define JSON "application/json"
#define PROMETHEUS "text/plain; version=0.0.4; charset=utf-8"

static const char *const status_names[] = {
	[TEND_READY] = "ready", [TEND_NOT_READY] = "not_ready", [TEND_STOPPING] = "stopping",
};


/* ---- renderings ---- */

static void render_program(struct strbuf *b, const struct program_view *v)
{
	sb_puts(b, "{\"name\":");
	sb_json_string(b, v->name);
	sb_printf(b, ",\"state\":\"%s\",\"health\":\"%s\",\"ready\":%s,", svc_state_name(v->state), health_name(v->health),
		  v->ready ? "true" : "false");
	if (v->pid > 0)
		sb_printf(b, "\"pid\":%d,", (int)v->pid);
	else
		sb_puts(b, "\"pid\":null,");
	sb_printf(b, "\"uptime\":%.1f,\"restarts\":%u,\"last_exit\":", v->uptime, v->restarts);
	if (v->last_exit_kind == EXIT_CODE)
		sb_printf(b, "{\"code\":%d}", v->last_exit_value);
	else if (v->last_exit_kind == EXIT_SIGNAL)
		sb_printf(b, "{\"signal\":\"%s\"}", signal_name(v->last_exit_value));
	else
		sb_puts(b, "null");
	if (v->status_text && *v->status_text) {
		sb_puts(b, ",\"status_text\":");
		sb_json_string(b, v->status_text);
	}
	sb_puts(b, ",\"waiting_for\":[");
	for (size_t i = 0; i < v->nwaiting; i++) {
		if (i)
			sb_puts(b, ",");
		sb_json_string(b, v->waiting_for[i]);
	}
	sb_puts(b, "]");
	/* a task says so, and whether it is done (for `tend status`) */
	if (v->oneshot)
		sb_printf(b, ",\"oneshot\":true,\"done\":%s", v->done ? "true" : "false");
	sb_puts(b, "}");
}

static void render_health(const struct api_backend *be, struct strbuf *b)
{
	sb_printf(b, "{\"status\":\"%s\",\"uptime\":%.1f,\"programs\":[", status_names[be->status(be->ctx)],
		  be->uptime(be->ctx));
	size_t n = be->count(be->ctx);
	for (size_t i = 0; i < n; i++) {
		struct program_view v;
		be->view(be->ctx, i, &v);
		if (i)
			sb_puts(b, ",");
		render_program(b, &v);
	}
	sb_puts(b, "]}\n");
}

static void metric_header(struct strbuf *b, const char *name, const char *type, const char *help)
{
	sb_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* One family, one line per program, with the value picked by `pick`. */
static void per_program(const struct api_backend *be, struct strbuf *b, const char *name, const char *type,
			const char *help, double (*pick)(const struct program_view *))
{
	metric_header(b, name, type, help);
	size_t n = be->count(be->ctx);
	for (size_t i = 0; i < n; i++) {
		struct program_view v;
		be->view(be->ctx, i, &v);
		sb_printf(b, "%s{program=\"%s\"} %.15g\n", name, v.name, pick(&v));
	}
}

static double pick_up(const struct program_view *v) { return v->pid > 0; }
static double pick_ready(const struct program_view *v) { return v->ready; }
static double pick_restarts(const struct program_view *v) { return v->restarts; }
static double pick_uptime(const struct program_view *v) { return v->uptime; }

static void render_metrics(const struct api_backend *be, struct strbuf *b)
{
	per_program(be, b, "tend_program_up", "gauge", "1 when the program has a running process.", pick_up);
	per_program(be, b, "tend_program_ready", "gauge", "1 when the program is ready (see tend(8)).", pick_ready);
	per_program(be, b, "tend_program_restarts_total", "counter", "Starts of the program after the first.",
		    pick_restarts);
	per_program(be, b, "tend_program_uptime_seconds", "gauge", "Seconds since the program's process started.",
		    pick_uptime);
	size_t n = be->count(be->ctx);
	metric_header(b, "tend_program_state", "gauge", "1 for the state the program is in, 0 for the others.");
	for (size_t i = 0; i < n; i++) {
		struct program_view v;
		be->view(be->ctx, i, &v);
		for (int s = 0; s < SVC_NSTATES; s++)
			sb_printf(b, "tend_program_state{program=\"%s\",state=\"%s\"} %d\n", v.name,
				  svc_state_name((enum svc_state)s), v.state == (enum svc_state)s);
	}
	metric_header(b, "tend_program_health", "gauge", "1 for the health the program has, 0 for the others.");
	for (size_t i = 0; i < n; i++) {
		struct program_view v;
		be->view(be->ctx, i, &v);
		for (int h = HEALTH_NONE; h <= HEALTH_UNHEALTHY; h++)
			sb_printf(b, "tend_program_health{program=\"%s\",health=\"%s\"} %d\n", v.name,
				  health_name((enum health_state)h), v.health == (enum health_state)h);
	}
	metric_header(b, "tend_orphans_reaped_total", "counter", "Exited processes reaped that were not programs.");
	sb_printf(b, "tend_orphans_reaped_total %lu\n", be->orphans_reaped(be->ctx));
	/* the total under the name tend(8) HTTP API gives, and the same split by
	 * listener under a name of its own, so that a sum never counts twice */
	unsigned long refused_unix = be->connections_refused(be->ctx, LISTENER_UNIX);
	unsigned long refused_tcp = be->connections_refused(be->ctx, LISTENER_TCP);
	metric_header(b, "tend_http_connections_refused_total", "counter",
		      "Connections closed at once because a listener had too many.");
	sb_printf(b, "tend_http_connections_refused_total %lu\n", refused_unix + refused_tcp);
	metric_header(b, "tend_http_listener_connections_refused_total", "counter",
		      "The same, by listener.");
	sb_printf(b, "tend_http_listener_connections_refused_total{listener=\"unix\"} %lu\n", refused_unix);
	sb_printf(b, "tend_http_listener_connections_refused_total{listener=\"tcp\"} %lu\n", refused_tcp);
	metric_header(b, "tend_ready", "gauge", "1 when tend is ready (every required program ready or done).");
	sb_printf(b, "tend_ready %d\n", be->status(be->ctx) == TEND_READY);
	metric_header(b, "tend_uptime_seconds", "gauge", "Seconds since tend started.");
	sb_printf(b, "tend_uptime_seconds %.3f\n", be->uptime(be->ctx));
}

/* ---- routing ---- */

static void answer(struct api_answer *out, int status, const char *content_type)
{
	out->status = status;
	out->content_type = content_type;
}

static void error(struct api_answer *out, int status, const char *message)
{
	answer(out, status, JSON);
	sb_puts(&out->body, "{\"error\":");
	sb_json_string(&out->body, message);
	sb_puts(&out->body, "}\n");
}

static bool path_is(const struct http_request *req, const char *path)
{
	return req->path_len == strlen(path) && memcmp(req->path, path, req->path_len) == 0;
}

static bool path_starts(const struct http_request *req, const char *prefix)
{
	size_t n = strlen(prefix);
	return req->path_len > n && memcmp(req->path, prefix, n) == 0;
}

/* Copies one path segment (no '/') into buf; false when it does not fit or is empty. */
static bool segment(const char *p, size_t len, char *buf, size_t size)
{
	if (len == 0 || len >= size || memchr(p, '/', len))
		return false;
	memcpy(buf, p, len);
	buf[len] = '\0';
	return true;
}

static bool find_program(const struct api_backend *be, const char *name, struct program_view *v)
{
	size_t n = be->count(be->ctx);
	for (size_t i = 0; i < n; i++) {
		be->view(be->ctx, i, v);
		if (strcmp(v->name, name) == 0)
			return true;
	}
	return false;
}

static bool readable(const struct http_request *req, struct api_answer *out)
{
	if (req->method == HTTP_GET || req->method == HTTP_HEAD)
		return true;
	out->allow = "GET, HEAD";
	error(out, 405, "method not allowed");
	return false;
}

/* /programs/NAME/ACTION or /programs/NAME/signal/SIG into its parts; false
 * when the path is no such request. */
static bool parse_control_path(const struct http_request *req, char name[128], char action[16], char sig_name[32],
			       enum api_action *what)
{
	const char *p = req->path + strlen("/programs/");
	size_t rest = req->path_len - strlen("/programs/");
	const char *slash = memchr(p, '/', rest);
	if (!slash || !segment(p, (size_t)(slash - p), name, 128))
		return false;
	const char *a = slash + 1;
	size_t alen = rest - (size_t)(a - p);
	const char *slash2 = memchr(a, '/', alen);
	bool ok = slash2 ? segment(a, (size_t)(slash2 - a), action, 16) && strcmp(action, "signal") == 0 &&
				   segment(slash2 + 1, alen - (size_t)(slash2 + 1 - a), sig_name, 32)
			 : segment(a, alen, action, 16);
	if (ok && slash2)
		*what = API_SIGNAL;
	else if (ok && strcmp(action, "start") == 0)
		*what = API_START;
	else if (ok && strcmp(action, "stop") == 0)
		*what = API_STOP;
	else if (ok && strcmp(action, "restart") == 0)
		*what = API_RESTART;
	else
		return false;
	return true;
}

static void control(const struct api_backend *be, const struct http_request *req, enum api_access access,
		    struct api_answer *out)
{
	/* tend(8) HTTP API: any request for /programs/... from one who may not control
	 * is 403, well-formed or not */
	if (access == API_READ_TCP) {
		error(out, 403, "control requests are only taken on the unix socket");
		return;
	}
	if (access != API_CONTROL) {
		error(out, 403, "control requests are only taken from root or tend's own user");
		return;
	}
	char name[128], action[16], sig_name[32] = "";
	enum api_action what;
	if (!parse_control_path(req, name, action, sig_name, &what)) {
		error(out, 404, "no such path");
		return;
	}
	if (req->method != HTTP_POST) {
		out->allow = "POST";
		error(out, 405, "method not allowed");
		return;
	}
	int sig = 0;
	if (what == API_SIGNAL && (sig = signal_from_name(sig_name)) == 0) {
		error(out, 404, "no such signal");
		return;
	}
	switch (be->control(be->ctx, name, what, sig)) {
	case API_DONE:
		answer(out, 202, JSON);
		sb_puts(&out->body, "{\"program\":");
		sb_json_string(&out->body, name);
		sb_printf(&out->body, ",\"accepted\":\"%s\"}\n", what == API_SIGNAL ? signal_name(sig) : action);
		break;
	case API_NO_PROGRAM:
		error(out, 404, "no such program");
		break;
	case API_NOT_RUNNING:
		error(out, 409, "the program has no running process");
		break;
	case API_SHUTTING_DOWN:
		error(out, 409, "tend is shutting down");
		break;
	}
}

void api_answer(const struct api_backend *be, const struct http_request *req, enum api_access access,
		struct api_answer *out)
{
	out->allow = NULL;
	sb_reset(&out->body);
	if (path_is(req, "/health") || path_is(req, "/readyz")) {
		if (!readable(req, out))
			return;
		answer(out, be->status(be->ctx) == TEND_READY ? 200 : 503, JSON);
		render_health(be, &out->body);
	} else if (path_starts(req, "/health/")) {
		char name[128];
		struct program_view v;
		size_t n = strlen("/health/");
		if (!segment(req->path + n, req->path_len - n, name, sizeof name) || !find_program(be, name, &v)) {
			error(out, 404, "no such program");
			return;
		}
		if (!readable(req, out))
			return;
		answer(out, v.ready || v.finished ? 200 : 503, JSON);
		render_program(&out->body, &v);
		sb_puts(&out->body, "\n");
	} else if (path_is(req, "/livez")) {
		if (!readable(req, out))
			return;
		answer(out, 200, JSON);
		sb_puts(&out->body, "{\"status\":\"alive\"}\n");
	} else if (path_is(req, "/metrics")) {
		if (!readable(req, out))
			return;
		answer(out, 200, PROMETHEUS);
		render_metrics(be, &out->body);
	} else if (path_starts(req, "/programs/")) {
		control(be, req, access, out);
	} else {
		error(out, 404, "no such path");
	}
	if (out->body.failed) {
		sb_reset(&out->body);
		out->status = 500;	/* out of memory: an empty answer, tend lives on */
	}
}

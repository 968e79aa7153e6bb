/* api_answer (tend(8) HTTP API): routing, status codes, Allow, the JSON of /health and
 * the Prometheus text of /metrics, fed from a fake struct api_backend with a
 * scripted table of programs. Each request path is copied into a buffer of
 * exactly its length (no NUL after it), so that a read past path_len shows
 * under ASan. */
#include "testutil.h"

#include <signal.h>

#include "api.h"
#include "health.h"
#include "log.h"

/* ---- the fake backend ---- */

#define MAX_PROGS 8

struct fake_program {
	const char *name;
	enum svc_state state;
	enum health_state health;	/* HEALTH_NONE unless set */
	bool ready, finished, required, oneshot, done;
	pid_t pid;
	double uptime;
	unsigned restarts;
	enum exit_kind last_exit_kind;
	int last_exit_value;
	const char *waiting[4];
	size_t nwaiting;
	const char *status_text;
};

static struct fake_program table[MAX_PROGS];
static size_t ntable;
static enum tend_status fake_status;
static double fake_uptime;
static unsigned long fake_orphans;
static unsigned long fake_refused[LISTENER_KINDS];

static struct {
	int calls;
	char name[256];
	enum api_action action;
	int sig;
	enum api_result result;	/* what the next call answers */
} ctl;

/* The contract: out and what it points to stay valid until the next call.
 * The fake keeps them in one static place that each call overwrites, so an
 * api.c that kept a view across calls would render the wrong program. */
static char view_name[128];
static const char *view_waiting[4];

static size_t fake_count(void *ctx)
{
	assert_ptr_equal(ctx, &table);
	return ntable;
}

static void fake_view(void *ctx, size_t i, struct program_view *out)
{
	assert_ptr_equal(ctx, &table);
	assert_true(i < ntable);
	const struct fake_program *f = &table[i];
	snprintf(view_name, sizeof view_name, "%s", f->name);
	for (size_t k = 0; k < f->nwaiting; k++)
		view_waiting[k] = f->waiting[k];
	memset(out, 0x5a, sizeof *out);	/* every field must be set below */
	*out = (struct program_view){
		.name = view_name,
		.state = f->state,
		.health = f->health,
		.ready = f->ready,
		.finished = f->finished,
		.oneshot = f->oneshot,
		.done = f->done,
		.required = f->required,
		.pid = f->pid,
		.uptime = f->uptime,
		.restarts = f->restarts,
		.last_exit_kind = f->last_exit_kind,
		.last_exit_value = f->last_exit_value,
		.waiting_for = view_waiting,
		.nwaiting = f->nwaiting,
		.status_text = f->status_text,
	};
}

static enum tend_status fake_status_fn(void *ctx)
{
	(void)ctx;
	return fake_status;
}

static double fake_uptime_fn(void *ctx)
{
	(void)ctx;
	return fake_uptime;
}

static unsigned long fake_orphans_fn(void *ctx)
{
	(void)ctx;
	return fake_orphans;
}

static unsigned long fake_refused_fn(void *ctx, enum listener_kind kind)
{
	(void)ctx;
	assert_true(kind < LISTENER_KINDS);
	return fake_refused[kind];
}

static enum api_result fake_control(void *ctx, const char *name, enum api_action action, int sig)
{
	(void)ctx;
	ctl.calls++;
	snprintf(ctl.name, sizeof ctl.name, "%s", name);
	ctl.action = action;
	ctl.sig = sig;
	return ctl.result;
}

static const struct api_backend backend = {
	.ctx = &table,
	.count = fake_count,
	.view = fake_view,
	.status = fake_status_fn,
	.uptime = fake_uptime_fn,
	.orphans_reaped = fake_orphans_fn,
	.connections_refused = fake_refused_fn,
	.control = fake_control,
};

/* The table of the example of tend(8) HTTP API, and more: one program per kind of line. */
static void script_example(void)
{
	memset(table, 0, sizeof table);
	table[0] = (struct fake_program){
		.name = "backend", .state = SVC_RUNNING, .health = HEALTH_HEALTHY, .ready = true, .required = true,
		.pid = 7, .uptime = 12.4, .restarts = 0,
	};
	table[1] = (struct fake_program){
		.name = "nginx", .state = SVC_BACKOFF, .health = HEALTH_NONE, .required = true, .pid = 0, .uptime = 0,
		.restarts = 2, .last_exit_kind = EXIT_CODE, .last_exit_value = 1,
	};
	table[2] = (struct fake_program){
		.name = "crashy", .state = SVC_STARTING, .health = HEALTH_STARTING, .required = true, .pid = 4242,
		.uptime = 0.25, .restarts = 5, .last_exit_kind = EXIT_SIGNAL, .last_exit_value = SIGSEGV,
	};
	table[3] = (struct fake_program){
		.name = "app", .state = SVC_STOPPED, .health = HEALTH_NONE, .required = true,
		.waiting = { "db", "cache" }, .nwaiting = 2,
	};
	table[4] = (struct fake_program){
		.name = "migrate", .state = SVC_EXITED, .health = HEALTH_NONE, .finished = true, .required = true,
		.last_exit_kind = EXIT_CODE, .last_exit_value = 0,
	};
	ntable = 5;
	fake_status = TEND_NOT_READY;
	fake_uptime = 12.5;
	fake_orphans = 42;
	fake_refused[LISTENER_UNIX] = 3;
	fake_refused[LISTENER_TCP] = 17;
	memset(&ctl, 0, sizeof ctl);
	ctl.result = API_DONE;
}

static int setup(void **state)
{
	(void)state;
	script_example();
	return 0;
}

/* ---- asking ---- */

static struct api_answer answer;	/* reused, as the server does */
static char *path_buf;

static int method_of(const char *name)
{
	if (strcmp(name, "GET") == 0)
		return HTTP_GET;
	if (strcmp(name, "HEAD") == 0)
		return HTTP_HEAD;
	if (strcmp(name, "POST") == 0)
		return HTTP_POST;
	return HTTP_OTHER;
}

/* Answers METHOD PATH asked by one with that access. */
static const struct api_answer *ask(const char *method, const char *path, enum api_access access)
{
	size_t len = strlen(path);
	free(path_buf);
	path_buf = malloc(len ? len : 1);
	assert_non_null(path_buf);
	memcpy(path_buf, path, len);	/* no NUL: api.c must keep to path_len */
	struct http_request req = {
		.method = (enum http_method)method_of(method),
		.method_name = method,
		.method_len = strlen(method),
		.path = path_buf,
		.path_len = len,
		.minor_version = 1,
		.keep_alive = true,
	};
	memset(&answer.status, 0x5a, sizeof answer.status);
	answer.allow = "stale";
	answer.content_type = NULL;
	api_answer(&backend, &req, access, &answer);
	assert_false(answer.body.failed);
	return &answer;
}

/* the three kinds of asker: all may read */
#define NACCESS 3

#define JSON_TYPE "application/json"
#define PROM_TYPE "text/plain; version=0.0.4; charset=utf-8"

static void expect(const struct api_answer *a, int status, const char *content_type, const char *allow,
		   const char *method, const char *path)
{
	if (a->status != status)
		fail_msg("%s %s: status %d, expected %d (body %s)", method, path, a->status, status,
			 a->body.data ? a->body.data : "");
	if (!content_type != !a->content_type ||
	    (content_type && strcmp(content_type, a->content_type) != 0))
		fail_msg("%s %s: Content-Type %s, expected %s", method, path,
			 a->content_type ? a->content_type : "(none)", content_type ? content_type : "(none)");
	if (!allow != !a->allow || (allow && strcmp(allow, a->allow) != 0))
		fail_msg("%s %s: Allow %s, expected %s", method, path, a->allow ? a->allow : "(none)",
			 allow ? allow : "(none)");
}

static void expect_body(const struct api_answer *a, const char *body)
{
	assert_non_null(a->body.data);
	assert_string_equal(a->body.data, body);
	assert_int_equal(a->body.len, strlen(body));
}

/* GET and HEAD answer the same status, type and body (the server drops the
 * body of HEAD but sends its Content-Length), on both listeners. Returns the
 * GET body (malloc'd). */
static char *get_everywhere(const char *path, int status, const char *content_type)
{
	char *body = NULL;
	for (enum api_access access = 0; access < NACCESS; access++) {
		const struct api_answer *a = ask("GET", path, access);
		expect(a, status, content_type, NULL, "GET", path);
		if (!body) {
			body = strdup(a->body.data ? a->body.data : "");
			assert_non_null(body);
		} else {
			assert_string_equal(a->body.data, body);
		}
		a = ask("HEAD", path, access);
		expect(a, status, content_type, NULL, "HEAD", path);
		assert_string_equal(a->body.data, body);
	}
	return body;
}

/* Every method but GET and HEAD gets 405 with Allow: GET, HEAD. */
static void read_only(const char *path)
{
	static const char *const others[] = { "POST", "PUT", "DELETE", "PATCH", "OPTIONS" };
	for (enum api_access access = 0; access < NACCESS; access++)
		for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
			const struct api_answer *a = ask(others[i], path, access);
			expect(a, 405, JSON_TYPE, "GET, HEAD", others[i], path);
			expect_body(a, "{\"error\":\"method not allowed\"}\n");
		}
	assert_int_equal(ctl.calls, 0);
}

static void not_found(const char *method, const char *path, enum api_access access, const char *error)
{
	const struct api_answer *a = ask(method, path, access);
	expect(a, 404, JSON_TYPE, NULL, method, path);
	char want[128];
	snprintf(want, sizeof want, "{\"error\":\"%s\"}\n", error);
	expect_body(a, want);
}

/* ---- /health and /readyz ---- */

#define BACKEND_JSON                                                                                     \
	"{\"name\":\"backend\",\"state\":\"RUNNING\",\"health\":\"healthy\",\"ready\":true,\"pid\":7,"   \
	"\"uptime\":12.4,\"restarts\":0,\"last_exit\":null,\"waiting_for\":[]}"
#define NGINX_JSON                                                                                       \
	"{\"name\":\"nginx\",\"state\":\"BACKOFF\",\"health\":\"none\",\"ready\":false,\"pid\":null,"    \
	"\"uptime\":0.0,\"restarts\":2,\"last_exit\":{\"code\":1},\"waiting_for\":[]}"
#define CRASHY_JSON                                                                                      \
	"{\"name\":\"crashy\",\"state\":\"STARTING\",\"health\":\"starting\",\"ready\":false,"           \
	"\"pid\":4242,\"uptime\":0.2,\"restarts\":5,\"last_exit\":{\"signal\":\"SEGV\"},"                \
	"\"waiting_for\":[]}"
#define APP_JSON                                                                                         \
	"{\"name\":\"app\",\"state\":\"STOPPED\",\"health\":\"none\",\"ready\":false,\"pid\":null,"      \
	"\"uptime\":0.0,\"restarts\":0,\"last_exit\":null,\"waiting_for\":[\"db\",\"cache\"]}"
#define MIGRATE_JSON                                                                                     \
	"{\"name\":\"migrate\",\"state\":\"EXITED\",\"health\":\"none\",\"ready\":false,\"pid\":null,"   \
	"\"uptime\":0.0,\"restarts\":0,\"last_exit\":{\"code\":0},\"waiting_for\":[]}"

static const char *const overall_paths[] = { "/health", "/readyz" };

static void test_health_not_ready_exact_json(void **state)
{
	(void)state;
	for (size_t i = 0; i < 2; i++) {
		char *body = get_everywhere(overall_paths[i], 503, JSON_TYPE);
		assert_string_equal(body, "{\"status\":\"not_ready\",\"uptime\":12.5,\"programs\":[" BACKEND_JSON
					  "," NGINX_JSON "," CRASHY_JSON "," APP_JSON "," MIGRATE_JSON "]}\n");
		free(body);
	}
	assert_int_equal(ctl.calls, 0);
}

static void test_health_ready_spec_example(void **state)
{
	(void)state;
	/* the two programs of the example of tend(8) HTTP API, as the example shows them */
	ntable = 2;
	fake_status = TEND_READY;
	for (size_t i = 0; i < 2; i++) {
		char *body = get_everywhere(overall_paths[i], 200, JSON_TYPE);
		assert_string_equal(body, "{\"status\":\"ready\",\"uptime\":12.5,\"programs\":[" BACKEND_JSON
					  "," NGINX_JSON "]}\n");
		free(body);
	}
}

static void test_health_stopping(void **state)
{
	(void)state;
	ntable = 1;
	fake_status = TEND_STOPPING;
	fake_uptime = 3;
	for (size_t i = 0; i < 2; i++) {
		char *body = get_everywhere(overall_paths[i], 503, JSON_TYPE);
		assert_string_equal(body,
				    "{\"status\":\"stopping\",\"uptime\":3.0,\"programs\":[" BACKEND_JSON "]}\n");
		free(body);
	}
}

static void test_health_no_programs(void **state)
{
	(void)state;
	ntable = 0;
	fake_status = TEND_READY;
	fake_uptime = 0.04;
	char *body = get_everywhere("/health", 200, JSON_TYPE);
	assert_string_equal(body, "{\"status\":\"ready\",\"uptime\":0.0,\"programs\":[]}\n");
	free(body);
}

/* the status follows the backend's verdict only, not the table */
static void test_health_status_is_the_backends(void **state)
{
	(void)state;
	fake_status = TEND_READY;	/* e.g. the programs not ready are not required */
	char *body = get_everywhere("/readyz", 200, JSON_TYPE);
	assert_contains(body, "{\"status\":\"ready\",");
	free(body);
}

/* notify's STATUS= text is whatever bytes a program sent: the JSON stays
 * valid UTF-8, with characters kept and the other bytes escaped */
static void test_health_status_text_any_bytes(void **state)
{
	(void)state;
	ntable = 1;
	table[0].status_text = "caf\xc3\xa9 \xe2\x82\xac | latin-1 caf\xe9 | cut \xe2\x82 | \"q\" \x7f";
	char *body = get_everywhere("/health/backend", 200, JSON_TYPE);
	assert_contains(body, ",\"status_text\":\"caf\xc3\xa9 \xe2\x82\xac | latin-1 caf\\u00e9 | "
			      "cut \\u00e2\\u0082 | \\\"q\\\" \\u007f\"");
	free(body);
}

static void test_health_other_methods_405(void **state)
{
	(void)state;
	read_only("/health");
	read_only("/readyz");
}

/* ---- /health/NAME ---- */

static void test_health_name(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		int status;
		const char *json;
	} cases[] = {
		{ "backend", 200, BACKEND_JSON },	/* ready */
		{ "migrate", 200, MIGRATE_JSON },	/* finished: EXITED with an expected code */
		{ "nginx", 503, NGINX_JSON },		/* BACKOFF */
		{ "crashy", 503, CRASHY_JSON },		/* STARTING */
		{ "app", 503, APP_JSON },		/* STOPPED */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char path[64], want[512];
		snprintf(path, sizeof path, "/health/%s", cases[i].name);
		snprintf(want, sizeof want, "%s\n", cases[i].json);
		char *body = get_everywhere(path, cases[i].status, JSON_TYPE);
		assert_string_equal(body, want);
		free(body);
		read_only(path);
	}
}

/* every state but RUNNING-and-ready answers 503, whatever the overall status */
static void test_health_name_each_state(void **state)
{
	(void)state;
	ntable = 1;
	fake_status = TEND_READY;
	for (int s = 0; s < SVC_NSTATES; s++) {
		table[0] = (struct fake_program){ .name = "p", .state = (enum svc_state)s, .health = HEALTH_NONE };
		table[0].ready = s == SVC_RUNNING;
		char *body = get_everywhere("/health/p", s == SVC_RUNNING ? 200 : 503, JSON_TYPE);
		char want[64];
		snprintf(want, sizeof want, "\"state\":\"%s\"", svc_state_name((enum svc_state)s));
		assert_contains(body, want);
		free(body);
	}
	/* RUNNING but not ready (unhealthy, or no READY=1 yet) */
	table[0] = (struct fake_program){ .name = "p", .state = SVC_RUNNING, .health = HEALTH_UNHEALTHY, .pid = 9 };
	free(get_everywhere("/health/p", 503, JSON_TYPE));
	/* EXITED with an unexpected code */
	table[0] = (struct fake_program){ .name = "p", .state = SVC_EXITED, .health = HEALTH_NONE,
					  .last_exit_kind = EXIT_CODE, .last_exit_value = 3 };
	free(get_everywhere("/health/p", 503, JSON_TYPE));
	/* the overall verdict does not matter */
	table[0] = (struct fake_program){ .name = "p", .state = SVC_RUNNING, .health = HEALTH_NONE, .ready = true };
	fake_status = TEND_STOPPING;
	free(get_everywhere("/health/p", 200, JSON_TYPE));
}

/* A task (oneshot) says so, and whether it is done: 503 while it runs,
 * 200 once it has finished; a program's JSON has neither key. */
static void test_health_name_oneshot(void **state)
{
	(void)state;
	ntable = 1;
	table[0] = (struct fake_program){ .name = "migrate", .state = SVC_STARTING, .health = HEALTH_NONE, .pid = 5,
					  .uptime = 1.5, .required = true, .oneshot = true };
	char *body = get_everywhere("/health/migrate", 503, JSON_TYPE);
	assert_string_equal(body, "{\"name\":\"migrate\",\"state\":\"STARTING\",\"health\":\"none\",\"ready\":false,"
				  "\"pid\":5,\"uptime\":1.5,\"restarts\":0,\"last_exit\":null,\"waiting_for\":[],"
				  "\"oneshot\":true,\"done\":false}\n");
	free(body);
	table[0] = (struct fake_program){ .name = "migrate", .state = SVC_EXITED, .health = HEALTH_NONE,
					  .finished = true, .done = true, .required = true, .oneshot = true,
					  .last_exit_kind = EXIT_CODE, .last_exit_value = 0 };
	body = get_everywhere("/health/migrate", 200, JSON_TYPE);
	assert_string_equal(body, "{\"name\":\"migrate\",\"state\":\"EXITED\",\"health\":\"none\",\"ready\":false,"
				  "\"pid\":null,\"uptime\":0.0,\"restarts\":0,\"last_exit\":{\"code\":0},"
				  "\"waiting_for\":[],\"oneshot\":true,\"done\":true}\n");
	free(body);
	/* a FATAL task: not done */
	table[0] = (struct fake_program){ .name = "migrate", .state = SVC_FATAL, .health = HEALTH_NONE,
					  .required = true, .oneshot = true, .last_exit_kind = EXIT_CODE,
					  .last_exit_value = 3 };
	body = get_everywhere("/health/migrate", 503, JSON_TYPE);
	assert_contains(body, "\"last_exit\":{\"code\":3},\"waiting_for\":[],\"oneshot\":true,\"done\":false}");
	free(body);
}

static void test_health_name_unknown_404(void **state)
{
	(void)state;
	for (enum api_access access = 0; access < NACCESS; access++) {
		not_found("GET", "/health/nosuch", access, "no such program");
		not_found("HEAD", "/health/nosuch", access, "no such program");
		not_found("GET", "/health/backen", access, "no such program");
		not_found("GET", "/health/backendx", access, "no such program");
		not_found("GET", "/health/BACKEND", access, "no such program");
	}
	ntable = 0;
	not_found("GET", "/health/backend", API_CONTROL, "no such program");
}

static void test_health_odd_paths(void **state)
{
	(void)state;
	char long_name[600];
	memset(long_name, 'a', sizeof long_name);
	memcpy(long_name, "/health/", 8);
	long_name[sizeof long_name - 1] = '\0';
	/* a program whose name is exactly the 127 bytes that fit, and one longer */
	char name127[128];
	memset(name127, 'n', 127);
	name127[127] = '\0';
	table[0].name = name127;
	char path127[160], path128[160];
	snprintf(path127, sizeof path127, "/health/%s", name127);
	snprintf(path128, sizeof path128, "/health/%sn", name127);
	free(get_everywhere(path127, 200, JSON_TYPE));

	for (enum api_access access = 0; access < NACCESS; access++) {
		not_found("GET", "/health/", access, "no such path");
		not_found("GET", "/health/backend/", access, "no such program");
		not_found("GET", "/health/a/b", access, "no such program");
		not_found("GET", "/health/backend/x", access, "no such program");
		not_found("GET", "/health//backend", access, "no such program");
		not_found("GET", long_name, access, "no such program");
		not_found("GET", path128, access, "no such program");
		not_found("GET", "/healthz", access, "no such path");
		not_found("GET", "/health.json", access, "no such path");
		not_found("GET", "/HEALTH", access, "no such path");
		not_found("GET", "/readyz/", access, "no such path");
		not_found("GET", "/readyz/backend", access, "no such path");
	}
}

/* ---- /livez ---- */

static void test_livez(void **state)
{
	(void)state;
	static const enum tend_status all[] = { TEND_READY, TEND_NOT_READY, TEND_STOPPING };
	for (size_t i = 0; i < 3; i++) {
		fake_status = all[i];
		char *body = get_everywhere("/livez", 200, JSON_TYPE);
		assert_string_equal(body, "{\"status\":\"alive\"}\n");
		free(body);
	}
	read_only("/livez");
	not_found("GET", "/livez/", API_CONTROL, "no such path");
	not_found("GET", "/livez/x", API_READ_TCP, "no such path");
}

/* ---- /metrics ---- */

/* The sample lines of one family (name then '{' or ' '), in a malloc'd
 * string, one per line; count in *n. */
static char *samples_of(const char *text, const char *family, int *n)
{
	size_t flen = strlen(family);
	char *out = calloc(1, strlen(text) + 1);
	assert_non_null(out);
	*n = 0;
	for (const char *line = text; *line;) {
		const char *eol = strchr(line, '\n');
		assert_non_null(eol);	/* every line ends with \n, the last one too */
		if (strncmp(line, family, flen) == 0 && (line[flen] == '{' || line[flen] == ' ')) {
			strncat(out, line, (size_t)(eol - line + 1));
			(*n)++;
		}
		line = eol + 1;
	}
	return out;
}

static void has_line(const char *text, const char *line)
{
	char want[512];
	snprintf(want, sizeof want, "\n%s\n", line);
	/* the text starts with a comment line, so a match always has \n before */
	if (!strstr(text, want))
		fail_msg("metrics lack the line \"%s\":\n%s", line, text);
}

/* Every family: HELP then TYPE once, before its samples; every sample line
 * belongs to a declared family and has a value. */
static void check_exposition(const char *text)
{
	char declared[64][64];
	int ndeclared = 0;
	for (const char *line = text; *line;) {
		const char *eol = strchr(line, '\n');
		assert_non_null(eol);
		char l[512];
		assert_true((size_t)(eol - line) < sizeof l);
		memcpy(l, line, (size_t)(eol - line));
		l[eol - line] = '\0';
		char name[64], rest[256];
		if (strncmp(l, "# HELP ", 7) == 0) {
			assert_int_equal(sscanf(l + 7, "%63s %255[^\n]", name, rest), 2);
			for (int i = 0; i < ndeclared; i++)
				if (strcmp(declared[i], name) == 0)
					fail_msg("family %s declared twice", name);
			/* the next line is its TYPE */
			char type_line[128];
			int tl = snprintf(type_line, sizeof type_line, "# TYPE %s ", name);
			if (strncmp(eol + 1, type_line, (size_t)tl) != 0)
				fail_msg("HELP of %s not followed by its TYPE", name);
			const char *type = eol + 1 + tl;
			if (strncmp(type, "gauge\n", 6) != 0 && strncmp(type, "counter\n", 8) != 0)
				fail_msg("family %s has a TYPE that is neither gauge nor counter", name);
			assert_true(ndeclared < 64);
			snprintf(declared[ndeclared++], sizeof declared[0], "%s", name);
		} else if (strncmp(l, "# TYPE ", 7) == 0) {
			assert_int_equal(sscanf(l + 7, "%63s", name), 1);
			assert_true(ndeclared > 0);
			assert_string_equal(declared[ndeclared - 1], name);
		} else {
			assert_true(l[0] != '#' && l[0] != '\0');
			size_t nl = strcspn(l, "{ ");
			assert_true(nl > 0 && nl < sizeof name);
			memcpy(name, l, nl);
			name[nl] = '\0';
			if (ndeclared == 0 || strcmp(declared[ndeclared - 1], name) != 0)
				fail_msg("sample \"%s\" is not under its own family's HELP/TYPE", l);
			assert_int_equal(strncmp(name, "tend_", 5), 0);
			const char *value = strrchr(l, ' ');
			assert_non_null(value);
			char *end;
			strtod(value + 1, &end);
			if (*end != '\0' || end == value + 1)
				fail_msg("sample \"%s\" has no numeric value", l);
		}
		line = eol + 1;
	}
}

static void test_metrics(void **state)
{
	(void)state;
	char *text = get_everywhere("/metrics", 200, PROM_TYPE);
	check_exposition(text);

	static const struct {
		const char *family, *type;
	} required[] = {
		{ "tend_program_up", "gauge" },
		{ "tend_program_ready", "gauge" },
		{ "tend_program_restarts_total", "counter" },
		{ "tend_program_uptime_seconds", "gauge" },
		{ "tend_program_state", "gauge" },
		{ "tend_orphans_reaped_total", "counter" },
		{ "tend_http_connections_refused_total", "counter" },
		{ "tend_uptime_seconds", "gauge" },
	};
	for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
		char help[128], type[128];
		snprintf(help, sizeof help, "# HELP %s ", required[i].family);
		snprintf(type, sizeof type, "# TYPE %s %s\n", required[i].family, required[i].type);
		assert_contains(text, help);
		assert_contains(text, type);
	}

	/* one line per program in each per-program family, with its value */
	static const char *const per_program[] = { "tend_program_up", "tend_program_ready",
						   "tend_program_restarts_total", "tend_program_uptime_seconds" };
	for (size_t i = 0; i < 4; i++) {
		int n;
		free(samples_of(text, per_program[i], &n));
		assert_int_equal(n, (int)ntable);
	}
	has_line(text, "tend_program_up{program=\"backend\"} 1");
	has_line(text, "tend_program_up{program=\"nginx\"} 0");
	has_line(text, "tend_program_up{program=\"crashy\"} 1");
	has_line(text, "tend_program_up{program=\"app\"} 0");
	has_line(text, "tend_program_ready{program=\"backend\"} 1");
	has_line(text, "tend_program_ready{program=\"nginx\"} 0");
	has_line(text, "tend_program_ready{program=\"migrate\"} 0");
	has_line(text, "tend_program_restarts_total{program=\"nginx\"} 2");
	has_line(text, "tend_program_restarts_total{program=\"crashy\"} 5");
	has_line(text, "tend_program_restarts_total{program=\"backend\"} 0");
	has_line(text, "tend_program_uptime_seconds{program=\"backend\"} 12.4");
	has_line(text, "tend_program_uptime_seconds{program=\"crashy\"} 0.25");
	has_line(text, "tend_program_uptime_seconds{program=\"nginx\"} 0");

	/* tend_program_state: one line per state per program, 1 for its own */
	int n;
	char *state_lines = samples_of(text, "tend_program_state", &n);
	assert_int_equal(n, (int)ntable * SVC_NSTATES);
	for (size_t p = 0; p < ntable; p++) {
		int ones = 0;
		for (int s = 0; s < SVC_NSTATES; s++) {
			char line[160];
			const char *name = svc_state_name((enum svc_state)s);
			bool own = table[p].state == (enum svc_state)s;
			snprintf(line, sizeof line, "tend_program_state{program=\"%s\",state=\"%s\"} %d", table[p].name,
				 name, own);
			has_line(text, line);
			ones += own;
		}
		assert_int_equal(ones, 1);
	}
	/* the state names are tend(8)'s */
	static const char *const states[] = { "STOPPED", "STARTING", "RUNNING", "BACKOFF",
					      "STOPPING", "EXITED", "FATAL" };
	assert_int_equal(SVC_NSTATES, 7);
	for (size_t s = 0; s < 7; s++) {
		char label[40];
		snprintf(label, sizeof label, "state=\"%s\"", states[s]);
		assert_contains(state_lines, label);
	}
	free(state_lines);

	has_line(text, "tend_orphans_reaped_total 42");
	has_line(text, "tend_http_connections_refused_total 20");
	has_line(text, "tend_http_listener_connections_refused_total{listener=\"unix\"} 3");
	has_line(text, "tend_http_listener_connections_refused_total{listener=\"tcp\"} 17");
	has_line(text, "tend_uptime_seconds 12.500");
	has_line(text, "tend_ready 0");
	free(text);

	fake_status = TEND_READY;
	text = get_everywhere("/metrics", 200, PROM_TYPE);
	has_line(text, "tend_ready 1");
	free(text);
	read_only("/metrics");
}

static void test_metrics_no_programs(void **state)
{
	(void)state;
	ntable = 0;
	fake_orphans = 0;
	fake_refused[LISTENER_UNIX] = fake_refused[LISTENER_TCP] = 0;
	char *text = get_everywhere("/metrics", 200, PROM_TYPE);
	check_exposition(text);
	assert_contains(text, "# TYPE tend_program_state gauge\n");
	assert_contains(text, "\ntend_orphans_reaped_total 0\n");
	assert_contains(text, "\ntend_http_connections_refused_total 0\n");
	assert_contains(text, "\ntend_http_listener_connections_refused_total{listener=\"tcp\"} 0\n");
	int n;
	free(samples_of(text, "tend_program_up", &n));
	assert_int_equal(n, 0);
	free(text);
}

/* ---- control ---- */

struct control_case {
	const char *path;
	const char *name;
	enum api_action action;
	int sig;
	const char *accepted;
};

static const struct control_case control_cases[] = {
	{ "/programs/backend/start", "backend", API_START, 0, "start" },
	{ "/programs/backend/stop", "backend", API_STOP, 0, "stop" },
	{ "/programs/backend/restart", "backend", API_RESTART, 0, "restart" },
	{ "/programs/backend/signal/HUP", "backend", API_SIGNAL, SIGHUP, "HUP" },
	{ "/programs/backend/signal/SIGUSR1", "backend", API_SIGNAL, SIGUSR1, "USR1" },
	{ "/programs/backend/signal/term", "backend", API_SIGNAL, SIGTERM, "TERM" },
	{ "/programs/backend/signal/9", "backend", API_SIGNAL, SIGKILL, "KILL" },
	{ "/programs/nginx/signal/WINCH", "nginx", API_SIGNAL, SIGWINCH, "WINCH" },
};
#define NCONTROL (sizeof control_cases / sizeof control_cases[0])

static void test_control_202(void **state)
{
	(void)state;
	for (size_t i = 0; i < NCONTROL; i++) {
		const struct control_case *c = &control_cases[i];
		memset(&ctl, 0, sizeof ctl);
		ctl.result = API_DONE;
		const struct api_answer *a = ask("POST", c->path, API_CONTROL);
		expect(a, 202, JSON_TYPE, NULL, "POST", c->path);
		char want[128];
		snprintf(want, sizeof want, "{\"program\":\"%s\",\"accepted\":\"%s\"}\n", c->name, c->accepted);
		expect_body(a, want);
		assert_int_equal(ctl.calls, 1);
		assert_string_equal(ctl.name, c->name);
		assert_int_equal(ctl.action, c->action);
		assert_int_equal(ctl.sig, c->sig);
	}
}

/* what the backend says about the program decides the answer */
static void test_control_backend_results(void **state)
{
	(void)state;
	static const struct {
		enum api_result result;
		int status;
		const char *body;
	} results[] = {
		{ API_NO_PROGRAM, 404, "{\"error\":\"no such program\"}\n" },
		{ API_NOT_RUNNING, 409, "{\"error\":\"the program has no running process\"}\n" },
		{ API_SHUTTING_DOWN, 409, "{\"error\":\"tend is shutting down\"}\n" },
	};
	for (size_t r = 0; r < 3; r++)
		for (size_t i = 0; i < NCONTROL; i++) {
			memset(&ctl, 0, sizeof ctl);
			ctl.result = results[r].result;
			const struct api_answer *a = ask("POST", control_cases[i].path, API_CONTROL);
			expect(a, results[r].status, JSON_TYPE, NULL, "POST", control_cases[i].path);
			expect_body(a, results[r].body);
			assert_int_equal(ctl.calls, 1);
		}
}

static void test_control_unknown_signal_404(void **state)
{
	(void)state;
	static const char *const paths[] = {
		"/programs/backend/signal/NOPE", "/programs/backend/signal/0",
		"/programs/backend/signal/SIG",  "/programs/backend/signal/-1",
		"/programs/backend/signal/999",	 "/programs/backend/signal/HUP2",
		"/programs/nosuch/signal/NOPE",
	};
	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
		not_found("POST", paths[i], API_CONTROL, "no such signal");
	assert_int_equal(ctl.calls, 0);
}

/* GET, HEAD or anything but POST on a control path: 405, Allow: POST */
static void test_control_wrong_method_405(void **state)
{
	(void)state;
	static const char *const methods[] = { "GET", "HEAD", "PUT", "DELETE" };
	for (size_t i = 0; i < NCONTROL; i++)
		for (size_t m = 0; m < 4; m++) {
			const struct api_answer *a = ask(methods[m], control_cases[i].path, API_CONTROL);
			expect(a, 405, JSON_TYPE, "POST", methods[m], control_cases[i].path);
			expect_body(a, "{\"error\":\"method not allowed\"}\n");
		}
	/* even for a program or signal that does not exist */
	const struct api_answer *a = ask("GET", "/programs/nosuch/start", API_CONTROL);
	expect(a, 405, JSON_TYPE, "POST", "GET", "/programs/nosuch/start");
	assert_int_equal(ctl.calls, 0);
}

/* One who may not control gets 403 for any request for /programs/...,
 * whatever the method and whether or not the rest of the path makes sense. */
static void forbidden_everywhere(enum api_access access, const char *body)
{
	static const char *const methods[] = { "POST", "GET", "HEAD", "PUT" };
	static const char *const odd[] = {
		"/programs/x",		 "/programs/x/",	"/programs/x/signal/",	 "/programs/x/signal",
		"/programs/x/bogus",	 "/programs//start",	"/programs/x/start/more", "/programs/x/signal/HUP/x",
		"/programs/nosuch/stop", "/programs/x/signal/NOPE",
	};
	for (size_t m = 0; m < 4; m++) {
		for (size_t i = 0; i < NCONTROL; i++) {
			const struct api_answer *a = ask(methods[m], control_cases[i].path, access);
			expect(a, 403, JSON_TYPE, NULL, methods[m], control_cases[i].path);
			expect_body(a, body);
		}
		for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
			const struct api_answer *a = ask(methods[m], odd[i], access);
			expect(a, 403, JSON_TYPE, NULL, methods[m], odd[i]);
			expect_body(a, body);
		}
	}
	assert_int_equal(ctl.calls, 0);
}

static void test_control_on_tcp_403(void **state)
{
	(void)state;
	forbidden_everywhere(API_READ_TCP, "{\"error\":\"control requests are only taken on the unix socket\"}\n");
}

/* On the unix socket, from a uid that is neither 0 nor tend's (nginx's
 * workers, in the group that socket_mode lets in): 403 too. */
static void test_control_from_another_user_403(void **state)
{
	(void)state;
	forbidden_everywhere(API_READ_PEER,
			     "{\"error\":\"control requests are only taken from root or tend's own user\"}\n");
}

static void test_control_odd_paths_404(void **state)
{
	(void)state;
	char long_name[400], long_sig[200], long_action[200], name128[200];
	snprintf(long_name, sizeof long_name, "/programs/%0300d/start", 0);
	snprintf(long_sig, sizeof long_sig, "/programs/backend/signal/%0100d", 1);
	snprintf(long_action, sizeof long_action, "/programs/backend/%0100d", 1);
	snprintf(name128, sizeof name128, "/programs/%0128d/stop", 0);
	const char *const paths[] = {
		"/programs",
		"/programs/",
		"/programs/x",
		"/programs/backend",
		"/programs/backend/",
		"/programs//start",
		"/programs/backend/signal",
		"/programs/backend/signal/",
		"/programs/backend/start/",
		"/programs/backend/start/now",
		"/programs/backend/signal/HUP/",
		"/programs/backend/signal/HUP/x",
		"/programs/backend/signals/HUP",
		"/programs/backend/bogus",
		"/programs/backend/START",
		"/programs/backend//start",
		"/program/backend/start",
		long_name,
		long_sig,
		long_action,
		name128,
	};
	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
		for (int m = 0; m < 2; m++)
			not_found(m ? "GET" : "POST", paths[i], API_CONTROL, "no such path");
	assert_int_equal(ctl.calls, 0);

	/* the longest name that fits is passed on whole */
	char name127[200];
	snprintf(name127, sizeof name127, "/programs/%0127d/stop", 0);
	ctl.result = API_NO_PROGRAM;
	const struct api_answer *a = ask("POST", name127, API_CONTROL);
	expect(a, 404, JSON_TYPE, NULL, "POST", name127);
	assert_int_equal(ctl.calls, 1);
	assert_int_equal(strlen(ctl.name), 127);
}

/* ---- the rest ---- */

static void test_unknown_paths_404(void **state)
{
	(void)state;
	static const char *const paths[] = { "/", "/x", "/metrics/", "/metrics/x", "/live", "/livezz",
					     "/ready", "/healthy", "/favicon.ico", "//health" };
	static const char *const methods[] = { "GET", "HEAD", "POST", "PUT" };
	for (enum api_access access = 0; access < NACCESS; access++)
		for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
			for (size_t m = 0; m < 4; m++)
				not_found(methods[m], paths[i], access, "no such path");
	assert_int_equal(ctl.calls, 0);
}

/* One api_answer reused: nothing of an answer leaks into the next. */
static void test_answers_do_not_leak_into_the_next(void **state)
{
	(void)state;
	const struct api_answer *a = ask("POST", "/health", API_CONTROL);
	expect(a, 405, JSON_TYPE, "GET, HEAD", "POST", "/health");
	a = ask("GET", "/livez", API_CONTROL);
	expect(a, 200, JSON_TYPE, NULL, "GET", "/livez");
	expect_body(a, "{\"status\":\"alive\"}\n");
	a = ask("GET", "/metrics", API_CONTROL);
	expect(a, 200, PROM_TYPE, NULL, "GET", "/metrics");
	a = ask("GET", "/nope", API_CONTROL);
	expect(a, 404, JSON_TYPE, NULL, "GET", "/nope");
	expect_body(a, "{\"error\":\"no such path\"}\n");
}

static int teardown_all(void **state)
{
	(void)state;
	sb_free(&answer.body);
	free(path_buf);
	path_buf = NULL;
	return 0;
}

int main(void)
{
	log_setup(LOG_ERROR, LOG_TEXT);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_health_not_ready_exact_json, setup),
		cmocka_unit_test_setup(test_health_ready_spec_example, setup),
		cmocka_unit_test_setup(test_health_stopping, setup),
		cmocka_unit_test_setup(test_health_no_programs, setup),
		cmocka_unit_test_setup(test_health_status_is_the_backends, setup),
		cmocka_unit_test_setup(test_health_status_text_any_bytes, setup),
		cmocka_unit_test_setup(test_health_other_methods_405, setup),
		cmocka_unit_test_setup(test_health_name, setup),
		cmocka_unit_test_setup(test_health_name_each_state, setup),
		cmocka_unit_test_setup(test_health_name_oneshot, setup),
		cmocka_unit_test_setup(test_health_name_unknown_404, setup),
		cmocka_unit_test_setup(test_health_odd_paths, setup),
		cmocka_unit_test_setup(test_livez, setup),
		cmocka_unit_test_setup(test_metrics, setup),
		cmocka_unit_test_setup(test_metrics_no_programs, setup),
		cmocka_unit_test_setup(test_control_202, setup),
		cmocka_unit_test_setup(test_control_backend_results, setup),
		cmocka_unit_test_setup(test_control_unknown_signal_404, setup),
		cmocka_unit_test_setup(test_control_wrong_method_405, setup),
		cmocka_unit_test_setup(test_control_on_tcp_403, setup),
		cmocka_unit_test_setup(test_control_from_another_user_403, setup),
		cmocka_unit_test_setup(test_control_odd_paths_404, setup),
		cmocka_unit_test_setup(test_unknown_paths_404, setup),
		cmocka_unit_test_setup(test_answers_do_not_leak_into_the_next, setup),
	};
	return cmocka_run_group_tests_name("api", tests, NULL, teardown_all);
}

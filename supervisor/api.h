/* The HTTP API (tend(8) HTTP API): which request gets which answer, and the JSON and
 * Prometheus renderings. It reads the programs through struct api_backend,
 * so it knows nothing of the loop, and tests can feed it any table. */
#ifndef TEND_API_H
#define TEND_API_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "health.h"
#include "http_parser.h"
#include "strbuf.h"
#include "svc.h"

struct program_view {
	const char *name;
	enum svc_state state;
	enum health_state health;
	bool ready;
	bool finished;			/* EXITED with an expected code */
	bool oneshot;			/* a task (tend.ini(5) oneshot) */
	bool done;			/* done (tend(8)): finished, or stopped as asked */
	bool required;
	pid_t pid;			/* 0: none */
	double uptime;
	unsigned restarts;
	enum exit_kind last_exit_kind;
	int last_exit_value;
	const char *status_text;	/* notify: its last STATUS=; "" none */
	const char *const *waiting_for;	/* depends_on not yet satisfied */
	size_t nwaiting;
};

enum tend_status { TEND_READY, TEND_NOT_READY, TEND_STOPPING };

enum api_action { API_START, API_STOP, API_RESTART, API_SIGNAL };
enum api_result { API_DONE, API_NO_PROGRAM, API_NOT_RUNNING, API_SHUTTING_DOWN };

enum listener_kind { LISTENER_UNIX, LISTENER_TCP, LISTENER_KINDS };

struct api_backend {
	void *ctx;
	size_t (*count)(void *ctx);
	/* out and what it points to stay valid until the next call */
	void (*view)(void *ctx, size_t i, struct program_view *out);
	enum tend_status (*status)(void *ctx);
	double (*uptime)(void *ctx);
	unsigned long (*orphans_reaped)(void *ctx);
	unsigned long (*connections_refused)(void *ctx, enum listener_kind kind);
	enum api_result (*control)(void *ctx, const char *name, enum api_action action, int sig);
};

struct api_answer {
	int status;
	const char *content_type;
	const char *allow;		/* for 405 */
	struct strbuf body;
};

/* Who asks, as far as /programs/... goes (tend(8) HTTP API): control requests are
 * taken on the unix socket from root or tend's own uid; anyone else gets
 * 403 for every /programs/... request and may only read. */
enum api_access {
	API_READ_TCP,		/* on the TCP listener */
	API_READ_PEER,		/* on the unix socket, from another uid */
	API_CONTROL,		/* on the unix socket, from uid 0 or tend's own */
};

void api_answer(const struct api_backend *b, const struct http_request *req, enum api_access access,
		struct api_answer *out);

#endif

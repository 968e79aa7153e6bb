/* The HTTP API's view of the table (api.h): the programs as /health and
 * /metrics show them, and control requests, which go through the same state
 * machines as everything else. */
#include <stdio.h>
#include <string.h>

#include "exit_status.h"
#include "http_server.h"
#include "log.h"
#include "signames.h"
#include "spawn.h"
#include "sup.h"
#include "shed.h"

static size_t api_count(void *ctx)
{
	return ((struct supervisor *)ctx)->n;
}

static void api_view(void *ctx, size_t i, struct program_view *v)
{
	struct supervisor *sup = ctx;
	struct program *p = &sup->programs[i];
	const struct svc *s = &p->svc;
	*v = (struct program_view){
		.name = s->cfg->name,
		.state = s->state,
		.health = p->health.state,
		.ready = program_ready(p),
		.finished = s->state == SVC_EXITED && svc_exited_expected(s),
		.oneshot = s->cfg->oneshot,
		.done = program_done(p),
		.required = s->cfg->required,
		.pid = s->pid,
		.uptime = s->pid > 0 ? mono_now() - s->spawned_at : 0,
		.restarts = svc_restarts(s),
		.last_exit_kind = s->last_exit_kind,
		.last_exit_value = s->last_exit_value,
		.waiting_for = sup->waiting,
		.status_text = p->status_text,
	};
	/* only a program still waiting to start is waiting for anything */
	bool waiting = s->goal == GOAL_WAIT || s->goal == GOAL_OFF;
	for (size_t d = 0; waiting && d < s->cfg->ndepends && v->nwaiting < 64; d++) {
		const struct program *dep = &sup->programs[s->cfg->depends_on[d]];
		if (!program_satisfies_dependents(dep))
			sup->waiting[v->nwaiting++] = dep->svc.cfg->name;
	}
}

static enum tend_status api_status(void *ctx)
{
	struct supervisor *sup = ctx;
	if (sup->phase != PHASE_RUNNING)
		return TEND_STOPPING;
	for (size_t i = 0; i < sup->n; i++) {
		const struct program *p = &sup->programs[i];
		if (p->svc.cfg->required && !program_ready(p) && !program_done(p))
			return TEND_NOT_READY;
	}
	return TEND_READY;
}

static double api_uptime(void *ctx)
{
	return mono_now() - ((struct supervisor *)ctx)->started_at;
}

static unsigned long api_orphans(void *ctx)
{
	return ((struct supervisor *)ctx)->orphans_reaped;
}

static unsigned long api_refused(void *ctx, enum listener_kind kind)
{
	struct supervisor *sup = ctx;
	return sup->http ? http_connections_refused(sup->http, kind) : 0;
}

/* Control requests go through the same state machines as everything else. */
static enum api_result api_control(void *ctx, const char *name, enum api_action action, int sig)
{
	static const char *const action_names[] = { "start", "stop", "restart", "signal" };
	struct supervisor *sup = ctx;
	struct program *p = NULL;
	for (size_t i = 0; i < sup->n && !p; i++)
		if (strcmp(sup->programs[i].svc.cfg->name, name) == 0)
			p = &sup->programs[i];
	if (!p)
		return API_NO_PROGRAM;
	if (!sup_supervising(sup))
		return API_SHUTTING_DOWN;
	if (action == API_SIGNAL) {
		if (!program_has_process(p))
			return API_NOT_RUNNING;
		spawn_signal(p->svc.pid, sig, p->svc.cfg->stopasgroup);
		log_event(LOG_INFO, name, "signal", LOG_KV(KV_S("signal", signal_name(sig))),
			  "SIG%s sent on request", signal_name(sig));
		return API_DONE;
	}
	log_event(LOG_INFO, name, "request", LOG_KV(KV_S("action", action_names[action])), "%s requested",
		  action_names[action]);
	/* from now on it runs as requested, not as at boot: the event sets its goal */
	program_deliver(p, action == API_START ? SVC_START : action == API_STOP ? SVC_STOP : SVC_RESTART, NULL);
	return API_DONE;
}

STARTUP_ONLY void sup_api_open(struct supervisor *sup)
{
	char err[256];
	sup->api = (struct api_backend){
		.ctx = sup, .count = api_count, .view = api_view, .status = api_status, .uptime = api_uptime,
		.orphans_reaped = api_orphans, .connections_refused = api_refused, .control = api_control,
	};
	if (!sup->cfg->socket)
		return;
	size_t held = 0;	/* the listen sockets, open already */
	for (size_t i = 0; i < sup->n; i++)
		held += sup->cfg->programs[i].listen.count;
	sup->http = http_server_new(sup->loop, &sup->api, held);
	if (!sup->http)
		fatal(TEND_EXIT_FAILED, "out of memory");
	if (!http_listen_unix(sup->http, sup->cfg->socket, (mode_t)sup->cfg->socket_mode, err, sizeof err))
		fatal(TEND_EXIT_ERROR, "%s", err);
	if (sup->cfg->health_listen && !http_listen_tcp(sup->http, sup->cfg->health_listen, err, sizeof err))
		fatal(TEND_EXIT_ERROR, "%s", err);
}


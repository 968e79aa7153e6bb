/* What a program's state machine records and says (svc.c's helpers): the
 * state names, its exits, its restarts within restart_limit, its backoff,
 * and the one log line of each transition. */
#include "svc_record.h"

#include <stdarg.h>
#include <stdio.h>
#include <sys/wait.h>

#include "signames.h"

static const char *const state_names[SVC_NSTATES] = {
	[SVC_STOPPED] = "STOPPED", [SVC_STARTING] = "STARTING", [SVC_RUNNING] = "RUNNING",
	[SVC_BACKOFF] = "BACKOFF", [SVC_STOPPING] = "STOPPING", [SVC_EXITED] = "EXITED",
	[SVC_FATAL] = "FATAL",
};


const char *svc_state_name(enum svc_state state)
{
	return state < SVC_NSTATES ? state_names[state] : "?";
}


/* ---- logging: one line per transition, the new state in the JSON form ---- */

unsigned svc_restarts(const struct svc *s)
{
	return s->starts > 0 ? s->starts - 1 : 0;
}

double svc_backoff_delay(const struct program_config *cfg, unsigned failed_starts)
{
	double delay = cfg->backoff;
	for (unsigned i = 1; i < failed_starts && delay < cfg->backoff_max; i++)
		delay *= 2;
	return delay < cfg->backoff_max ? delay : cfg->backoff_max;
}

bool svc_exited_expected(const struct svc *s)
{
	return s->last_exit_kind == EXIT_CODE && s->cfg->exitcodes[s->last_exit_value];
}

void describe_exit(const struct svc *s, char *buf, size_t n)
{
	if (s->last_exit_kind == EXIT_SIGNAL)
		snprintf(buf, n, "killed by signal %s", signal_name(s->last_exit_value));
	else
		snprintf(buf, n, "exited with code %d", s->last_exit_value);
}

void note(const struct svc *s, enum log_level level, const char *event, bool with_exit,
		 const char *fmt, ...)
{
	if (!log_enabled(level))
		return;
	bool by_signal = s->last_exit_kind == EXIT_SIGNAL;
	struct log_kv kv[4] = {
		KV_S("state", svc_state_name(s->state)),
		KV_N("pid", s->pid),
	};
	if (with_exit && by_signal)
		kv[2] = (struct log_kv)KV_S("signal", signal_name(s->last_exit_value));
	else if (with_exit)
		kv[2] = (struct log_kv)KV_N("code", s->last_exit_value);
	/* formatted once, by the log itself: no copy of the message here */
	va_list ap;
	va_start(ap, fmt);
	log_eventv(level, s->cfg->name, event, kv, fmt, ap);
	va_end(ap);
}

void record_exit(struct svc *s, const struct svc_exit *e)
{
	if (WIFSIGNALED(e->status)) {
		s->last_exit_kind = EXIT_SIGNAL;
		s->last_exit_value = WTERMSIG(e->status);
	} else {
		s->last_exit_kind = EXIT_CODE;
		s->last_exit_value = WEXITSTATUS(e->status);
	}
}

/* restart_limit: true when one more automatic restart now would exceed it. */
bool restart_limit_reached(const struct svc *s, double now)
{
	unsigned recent = 0;
	for (unsigned i = 0; i < s->cfg->restart_limit; i++)
		recent += now - s->restart_times[i] < s->cfg->restart_window;
	return s->cfg->restart_limit > 0 && recent >= s->cfg->restart_limit;
}

void count_restart(struct svc *s, double now)
{
	if (s->cfg->restart_limit > 0) {
		s->restart_times[s->restart_next] = now;
		s->restart_next = (s->restart_next + 1) % s->cfg->restart_limit;
	}
}


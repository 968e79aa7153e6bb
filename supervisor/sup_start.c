/* Start policy: readiness (tend(8) PROGRAM STATES), which programs may start now
 * (depends_on, then priority), and what ends tend when a required program
 * fails for good or the one command of single-command mode is done. */
#include <stdio.h>
#include <string.h>

#include "exit_status.h"
#include "log.h"
#include "signames.h"
#include "sup.h"

bool program_ready(const struct program *p)
{
	enum health_state h = p->health.state;
	return p->svc.state == SVC_RUNNING && (h == HEALTH_NONE || h == HEALTH_HEALTHY) &&
	       (!p->svc.cfg->notify || p->notified_ready);
}

bool program_satisfies_dependents(const struct program *d)
{
	return program_ready(d) || (d->svc.state == SVC_EXITED && svc_exited_expected(&d->svc));
}

/* A finished one-shot task, or a program that is not meant to run now:
 * autostart = false and never asked for, or stopped on request. */
bool program_done(const struct program *p)
{
	if (p->svc.state == SVC_EXITED)
		return svc_exited_expected(&p->svc);
	return p->svc.state == SVC_STOPPED && (p->svc.goal == GOAL_OFF || p->svc.goal == GOAL_DOWN);
}

/* Returns the first dependency that is not satisfied, or NULL. */
static const struct program *waiting_for(const struct supervisor *sup, const struct program *p)
{
	const struct program_config *c = p->svc.cfg;
	for (size_t d = 0; d < c->ndepends; d++)
		if (!program_satisfies_dependents(&sup->programs[c->depends_on[d]]))
			return &sup->programs[c->depends_on[d]];
	return NULL;
}

/* Starts, step by step, the programs whose turn has come: depends_on
 * satisfied, then the lowest priority first (tend.ini(5)). */
void start_free_programs(struct supervisor *sup)
{
	for (;;) {
		unsigned lowest = ~0u;
		for (size_t i = 0; i < sup->n; i++) {
			struct program *p = &sup->programs[i];
			if (p->svc.goal != GOAL_WAIT)
				continue;
			const struct program *dep = waiting_for(sup, p);
			if (!dep) {
				if (p->svc.cfg->priority < lowest)
					lowest = p->svc.cfg->priority;
			} else if (dep->svc.state == SVC_FATAL && !p->said_blocked) {
				p->said_blocked = true;
				log_event(LOG_WARN, p->svc.cfg->name, "blocked", LOG_KV(KV_S("waiting_for", dep->svc.cfg->name)),
					  "not started: its dependency %s is FATAL", dep->svc.cfg->name);
			}
		}
		if (lowest == ~0u)
			return;
		/* one step: every free program of the lowest priority, in file order */
		for (size_t i = 0; i < sup->n; i++) {
			struct program *p = &sup->programs[i];
			if (p->svc.goal == GOAL_WAIT && p->svc.cfg->priority == lowest && !waiting_for(sup, p))
				program_deliver(p, SVC_START, NULL);
		}
	}
}

/* What ends tend with exit_on_fatal (tend.ini(5) exit_on_fatal, tend(8) EXIT STATUS): FATAL, or EXITED for
 * good with an unexpected code. A program exits for good only when its
 * autorestart does not restart that exit (false: `unexpected` restarts an
 * unexpected code, and past restart_limit it is FATAL); a task's
 * unexpected exit is a failed start, so it ends FATAL. */
static bool failed_for_good(const struct svc *s)
{
	return s->state == SVC_FATAL || (s->state == SVC_EXITED && !svc_exited_expected(s));
}

/* "required program web is FATAL, last exit code 4", "... exited with
 * code 3 and is not restarted: autorestart = false", or why it never ran. */
static void describe_fatal(const struct svc *s, char *buf, size_t n)
{
	const char *name = s->cfg->name;
	bool fatal = s->state == SVC_FATAL;
	if (s->last_exit_kind == EXIT_SIGNAL && fatal)
		snprintf(buf, n, "required program %s is FATAL, last signal %s", name, signal_name(s->last_exit_value));
	else if (s->last_exit_kind == EXIT_CODE && fatal)
		snprintf(buf, n, "required program %s is FATAL, last exit code %d", name, s->last_exit_value);
	else if (fatal)	/* none of its starts made a process */
		snprintf(buf, n, "required program %s is FATAL, never started: %s", name, strerror(s->spawn_errno));
	else if (s->last_exit_kind == EXIT_SIGNAL)
		snprintf(buf, n, "required program %s was killed by signal %s and is not restarted: autorestart = false",
			 name, signal_name(s->last_exit_value));
	else
		snprintf(buf, n, "required program %s exited with code %d and is not restarted: autorestart = false",
			 name, s->last_exit_value);
}

void check_fatal(struct supervisor *sup)
{
	if (!sup->cfg->exit_on_fatal)
		return;
	for (size_t i = 0; i < sup->n; i++) {
		const struct svc *s = &sup->programs[i].svc;
		if (failed_for_good(s) && s->cfg->required) {
			char why[200];
			describe_fatal(s, why, sizeof why);
			shutdown_begin(sup, TEND_EXIT_FAILED, why);
			return;
		}
	}
}

/* Single-command mode ends when the command does; tend exits as it did. */
void check_single_done(struct supervisor *sup)
{
	const struct svc *s = &sup->programs[0].svc;
	if (s->pid > 0 || s->starts == 0)
		return;
	int status = s->last_exit_kind == EXIT_SIGNAL ? 128 + s->last_exit_value : s->last_exit_value;
	if (sup->phase == PHASE_RUNNING)
		shutdown_begin(sup, status, "the command exited");
	sup->exit_status = status;
}

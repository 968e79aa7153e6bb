/* The shutdown's phases (tend(8) SIGNALS): the drain, the programs stopped in the
 * reverse of their start order, then what is left over TERM'd and KILL'd,
 * all within shutdown_timeout.
 *
 *   RUNNING --shutdown_begin, drain > 0--> DRAINING
 *   RUNNING --shutdown_begin, drain = 0--> STOPPING
 *   DRAINING --drain over, or shutdown_end_drain--> STOPPING
 *   DRAINING --shutdown_timeout--> STOPPING_KILLED (drain < shutdown_timeout: only if the loop lagged)
 *   STOPPING --programs gone--> LEFTOVERS
 *   STOPPING --shutdown_timeout--> STOPPING_KILLED --programs gone--> LEFTOVERS_KILLED
 *   LEFTOVERS --grace over, or shutdown_timeout--> LEFTOVERS_KILLED
 *   LEFTOVERS, LEFTOVERS_KILLED --nothing left--> exit (the loop ends)
 *   LEFTOVERS_KILLED --FINAL_GRACE over--> exit, whatever is left */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "leftovers.h"
#include "log.h"
#include "order.h"
#include "sup.h"

/* After the programs have stopped, leftovers get SIGTERM, then SIGKILL after
 * this long at most (or what is left of shutdown_timeout). */
#define LEFTOVER_GRACE 2.0
/* After the final SIGKILL, how long to wait for the kernel to finish them. */
#define FINAL_GRACE 1.0
/* how often the leftover phase looks for processes that are not children */
#define LEFTOVER_POLL 0.02

static void finish(struct supervisor *sup)
{
	ev_break(sup->loop, EVBREAK_ALL);
}

static void arm(ev_timer *timer, struct ev_loop *loop, double after)
{
	ev_timer_stop(loop, timer);
	ev_timer_set(timer, after > 0 ? after : 0, 0);
	ev_timer_start(loop, timer);
}

void shutdown_kill_all(struct supervisor *sup)
{
	for (size_t i = 0; i < sup->n; i++)
		program_deliver(&sup->programs[i], SVC_KILL, NULL);
}

static void on_shutdown_timeout(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)revents;
	struct supervisor *sup = container_of(w, struct supervisor, shutdown_timer);
	log_event(LOG_WARN, NULL, "shutdown_timeout", LOG_KV(KV_N("timeout", sup->cfg->shutdown_timeout)),
		  "shutdown_timeout (%gs) reached; killing everything left", sup->cfg->shutdown_timeout);
	ev_timer_stop(loop, &sup->drain_timer);
	for (size_t i = 0; sup->phase == PHASE_DRAINING && i < sup->n; i++)
		program_deliver(&sup->programs[i], SVC_HOLD, NULL);	/* killed: not to be restarted */
	shutdown_kill_all(sup);
	leftovers_signal(sup->pid1, SIGKILL);
	sup->phase = sup->phase == PHASE_STOPPING || sup->phase == PHASE_DRAINING ? PHASE_STOPPING_KILLED
										  : PHASE_LEFTOVERS_KILLED;
	arm(&sup->leftover_timer, loop, FINAL_GRACE);
}

/* Single-command mode when tend is not PID 1: what the command left behind
 * gets SIGTERM and the grace, but no SIGKILL. tend(8) SIGNALS kills leftovers
 * because the exit of PID 1 would kill them without warning; tend's exit
 * kills nothing here, and tini and dumb-init leave such processes running,
 * to the next reaper up. */
static bool leftovers_outlive_tend(const struct supervisor *sup)
{
	return sup->mode == MODE_SINGLE && !sup->pid1;
}

static void on_leftover_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)revents;
	struct supervisor *sup = container_of(w, struct supervisor, leftover_timer);
	if (sup->phase == PHASE_LEFTOVERS_KILLED || sup->phase == PHASE_STOPPING_KILLED) {
		log_warn("processes still there %gs after SIGKILL; exiting anyway", FINAL_GRACE);
		finish(sup);
		return;
	}
	if (leftovers_outlive_tend(sup)) {
		int n = sup_reap(sup) ? leftovers_signal(false, 0) : 0;
		if (n > 0)
			log_event(LOG_WARN, NULL, "leftovers_left", LOG_KV(KV_N("count", n)),
				  "%d leftover process%s did not exit after SIGTERM; leaving %s running", n,
				  n == 1 ? "" : "es", n == 1 ? "it" : "them");
		finish(sup);
		return;
	}
	int n = leftovers_signal(sup->pid1, SIGKILL);
	log_event(LOG_WARN, NULL, "leftovers_killed", LOG_KV(KV_N("count", n)),
		  "leftover processes did not exit after SIGTERM; sent SIGKILL");
	sup->phase = PHASE_LEFTOVERS_KILLED;
	arm(&sup->leftover_timer, loop, FINAL_GRACE);
}

/* Stop whatever may stop now: nothing that must be gone first is left. */
static void stop_in_order(struct supervisor *sup)
{
	for (size_t i = 0; i < sup->n; i++) {
		struct program *p = &sup->programs[i];
		if (p->svc.goal == GOAL_QUIT)
			continue;	/* told already */
		bool must_wait = false;
		for (size_t j = 0; j < sup->n && !must_wait; j++)
			must_wait = j != i && program_has_process(&sup->programs[j]) && order_stops_before(sup->cfg, j, i);
		if (!must_wait)
			program_deliver(p, SVC_STOP, NULL);
	}
}

/* As PID 1, whether any process of the container is left that is not
 * tend's child (`docker exec` starts those): no SIGCHLD will tell when they
 * are gone, so the leftover phase polls for them. */
static bool outsiders_left(const struct supervisor *sup)
{
	return sup->pid1 && kill(-1, 0) == 0;
}

static bool in_leftovers(const struct supervisor *sup)
{
	return sup->phase == PHASE_LEFTOVERS || sup->phase == PHASE_LEFTOVERS_KILLED;
}

void shutdown_children_gone(struct supervisor *sup)
{
	if (in_leftovers(sup) && !outsiders_left(sup))
		finish(sup);
}

static void on_leftover_poll(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop, (void)revents;
	struct supervisor *sup = container_of(w, struct supervisor, leftover_poll);
	if (!sup_reap(sup))
		shutdown_children_gone(sup);
}

/* The programs are gone: what is left over gets SIGTERM, and the grace
 * (unless shutdown_timeout has killed everything already). */
static void enter_leftovers(struct supervisor *sup)
{
	bool killed = sup->phase == PHASE_STOPPING_KILLED;
	sup->phase = killed ? PHASE_LEFTOVERS_KILLED : PHASE_LEFTOVERS;
	bool children = sup_reap(sup), outsiders = outsiders_left(sup);
	if (!children && !outsiders) {
		finish(sup);	/* nothing left over: exit at once */
		return;
	}
	if (outsiders) {
		ev_timer_set(&sup->leftover_poll, LEFTOVER_POLL, LEFTOVER_POLL);
		ev_timer_start(sup->loop, &sup->leftover_poll);
	}
	int n = leftovers_signal(sup->pid1, SIGTERM);
	log_event(LOG_INFO, NULL, "leftovers", LOG_KV(KV_N("count", n)),
		  "programs stopped; sending SIGTERM to the processes left over");
	if (killed)
		return;	/* the final timer is already running */
	double left = sup->cfg->shutdown_timeout - (mono_now() - sup->shutdown_started);
	arm(&sup->leftover_timer, sup->loop, left < LEFTOVER_GRACE ? left : LEFTOVER_GRACE);
}

/* The ordered stop begins: no program is started or restarted any more. */
static void begin_stopping(struct supervisor *sup)
{
	sup->phase = PHASE_STOPPING;
	for (size_t i = 0; i < sup->n; i++)
		program_deliver(&sup->programs[i], SVC_HOLD, NULL);
	sup_changed(sup);	/* with no program at all, too: shutdown_step ends tend */
}

static void on_drain_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop, (void)revents;
	struct supervisor *sup = container_of(w, struct supervisor, drain_timer);
	log_event(LOG_INFO, NULL, "drained", LOG_KV(KV_N("drain", sup->cfg->drain)),
		  "drain over (%gs); stopping the programs", sup->cfg->drain);
	begin_stopping(sup);
}

void shutdown_end_drain(struct supervisor *sup, const char *why)
{
	if (sup->phase != PHASE_DRAINING)
		return;
	ev_timer_stop(sup->loop, &sup->drain_timer);
	log_event(LOG_INFO, NULL, "drain_ended", LOG_KV(KV_S("reason", why)),
		  "drain ended by %s; stopping the programs", why);
	begin_stopping(sup);
}

void shutdown_begin(struct supervisor *sup, int status, const char *why)
{
	if (sup->phase != PHASE_RUNNING)
		return;
	sup->exit_status = status;
	sup->shutdown_started = mono_now();
	log_event(LOG_INFO, NULL, "shutdown", LOG_KV(KV_S("reason", why)), "shutting down (%s)", why);
	/* the drain counts inside shutdown_timeout (config_build.c keeps it
	 * under): the whole is armed once, now */
	arm(&sup->shutdown_timer, sup->loop, sup->cfg->shutdown_timeout);
	if (sup->cfg->drain <= 0) {
		begin_stopping(sup);
		return;
	}
	sup->phase = PHASE_DRAINING;
	log_event(LOG_INFO, NULL, "draining", LOG_KV(KV_N("drain", sup->cfg->drain)),
		  "draining for %gs: /health and /readyz answer 503 \"stopping\"; programs run on", sup->cfg->drain);
	arm(&sup->drain_timer, sup->loop, sup->cfg->drain);
}

static bool any_process(const struct supervisor *sup)
{
	for (size_t i = 0; i < sup->n; i++)
		if (program_has_process(&sup->programs[i]))
			return true;
	return false;
}

void shutdown_step(struct supervisor *sup)
{
	if (sup->phase == PHASE_STOPPING)
		stop_in_order(sup);
	if ((sup->phase == PHASE_STOPPING || sup->phase == PHASE_STOPPING_KILLED) && !any_process(sup))
		enter_leftovers(sup);
}

void shutdown_init(struct supervisor *sup)
{
	ev_init(&sup->shutdown_timer, on_shutdown_timeout);
	ev_init(&sup->drain_timer, on_drain_timer);
	ev_init(&sup->leftover_timer, on_leftover_timer);
	ev_init(&sup->leftover_poll, on_leftover_poll);
}

#include "supervisor.h"

#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "api.h"
#include "http_server.h"
#include "leftovers.h"
#include "log.h"
#include "order.h"
#include "ostream.h"
#include "relay.h"
#include "shed.h"
#include "signames.h"
#include "spawn.h"
#include "svc.h"
#include "table.h"

#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))

/* After the programs have stopped, leftovers get SIGTERM, then SIGKILL after
 * this long at most (or what is left of shutdown_timeout). */
#define LEFTOVER_GRACE 2.0
/* After the final SIGKILL, how long to wait for the kernel to finish them. */
#define FINAL_GRACE 1.0
/* how often the leftover phase looks for processes that are not children */
#define LEFTOVER_POLL 0.02

double mono_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}


/* ---- the OS side of the state machines ---- */

static void close_report(struct program *p)
{
	if (p->report_fd < 0)
		return;
	ev_io_stop(p->sup->loop, &p->report);
	close(p->report_fd);
	p->report_fd = -1;
}

/* Reads the exec-failure pipe; logs a failure once. */
static void take_report(struct program *p)
{
	struct spawn_failure f;
	int got = spawn_read_failure(p->report_fd, &f);
	if (got < 0)
		return;	/* not yet: the child is still between fork and exec */
	if (got == 1) {
		char msg[512];
		spawn_describe_failure(p->svc.cfg, &f, msg, sizeof msg);
		p->exec_errno = f.err;
		log_event(LOG_ERROR, p->svc.cfg->name, "exec_failed", LOG_KV(KV_S("error", strerror(f.err))), "%s",
			  msg);
	}
	close_report(p);
}

static void on_report(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop, (void)revents;
	take_report(container_of(w, struct program, report));
}

/* ---- health probes ---- */

/* Health became unhealthy: restart_on_unhealthy acts on it. */
static void became_unhealthy(struct program *p)
{
	if (p->svc.cfg->restart_on_unhealthy)
		table_deliver(p, SVC_UNHEALTHY, NULL);
}

/* Until the first verdict, probe every second (or interval if shorter), so
 * that readiness comes quickly; then every healthcheck_interval. */
static void schedule_probe(struct program *p)
{
	const struct program_config *c = p->svc.cfg;
	double delay = c->healthcheck_interval;
	if (p->health.state == HEALTH_STARTING && delay > 1.0)
		delay = 1.0;
	ev_timer_stop(p->sup->loop, &p->probe_timer);
	ev_timer_set(&p->probe_timer, delay, 0);
	ev_timer_start(p->sup->loop, &p->probe_timer);
}

static void on_probe_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop, (void)revents;
	struct program *p = container_of(w, struct program, probe_timer);
	probe_start(&p->probe, p->svc.cfg->healthcheck_timeout);
}

static void on_probe_done(struct probe *probe, bool ok, const char *why)
{
	struct program *p = container_of(probe, struct program, probe);
	const struct program_config *c = p->svc.cfg;
	struct health_rules rules = { .retries = c->healthcheck_retries, .start_period = c->healthcheck_start_period };
	if (!ok)
		log_event(LOG_DEBUG, c->name, "probe", LOG_KV(KV_S("error", why)), "health check failed: %s", why);
	/* a missed watchdog stands until the next WATCHDOG=1, whatever the probe says */
	if (!(ok && p->watchdog_expired) && health_report(&p->health, &rules, ok, mono_now())) {
		const struct log_kv *kv = LOG_KV(KV_S("health", health_name(p->health.state)));
		if (p->health.state == HEALTH_UNHEALTHY) {
			log_event(LOG_WARN, c->name, "health", kv, "unhealthy: %s (%u failed checks in a row)", why,
				  p->health.failures);
			became_unhealthy(p);
		} else {
			log_event(LOG_INFO, c->name, "health", kv, "healthy");
		}
	}
	if (table_has_process(p) && p->svc.state != SVC_STOPPING)
		schedule_probe(p);
	table_update(p->sup);
}

static pid_t spawn_exec_probe(struct probe *probe)
{
	struct program *p = container_of(probe, struct program, probe);
	return spawn_probe(p->svc.cfg, probe->spec->argv);
}

/* ---- notify (sd_notify) and the watchdog ---- */

static void on_watchdog(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop, (void)revents;
	struct program *p = container_of(w, struct program, watchdog_timer);
	p->watchdog_expired = true;
	if (health_lost(&p->health)) {
		log_event(LOG_WARN, p->svc.cfg->name, "health", LOG_KV(KV_S("health", "unhealthy")),
			  "unhealthy: no WATCHDOG=1 for %gs", p->svc.cfg->watchdog_sec);
		became_unhealthy(p);
	}
	table_update(p->sup);
}

/* The real uid of a process, from /proc; (uid_t)-1 when it is gone. */
static uid_t uid_of(pid_t pid)
{
	char path[40], buf[1024];
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return (uid_t)-1;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	const char *line = strstr(buf, "\nUid:");
	unsigned long uid;
	return line && sscanf(line + 5, "%lu", &uid) == 1 ? (uid_t)uid : (uid_t)-1;
}

/* Only the program's own processes speak for it (SPEC §2 notify): they are
 * the processes of the session it leads (spawn.c), which no other process
 * can join, and they run as the program's user, or as its main process
 * does now (a program that drops privileges itself, like gosu). */
static bool sent_by_program(const struct program *p, const struct notify_message *m)
{
	pid_t leader = p->svc.pid;
	if (leader <= 0 || m->sender <= 0)
		return false;
	if (m->sender != leader && getsid(m->sender) != leader)
		return false;
	const struct run_as *user = &p->svc.cfg->user;
	uid_t own = user->set ? user->uid : geteuid();
	return m->sender_uid == own || m->sender_uid == uid_of(leader);
}

static void on_notify(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop, (void)revents;
	struct program *p = container_of(w, struct program, notify_io);
	const struct program_config *c = p->svc.cfg;
	struct notify_message m;
	for (int budget = 64; budget > 0 && notify_receive(p->notify_fd, &m); budget--) {
		if (!sent_by_program(p, &m)) {
			log_event(LOG_DEBUG, c->name, "notify", LOG_KV(KV_N("sender", m.sender)),
				  "ignored a notify datagram from pid %d, not one of the program's processes", (int)m.sender);
			continue;
		}
		if (m.ready && !p->notified_ready) {
			p->notified_ready = true;
			log_event(LOG_INFO, c->name, "ready", NULL, "READY=1 received");
		}
		if (m.has_status && strcmp(m.status, p->status_text) != 0) {
			memcpy(p->status_text, m.status, sizeof p->status_text);
			log_event(LOG_DEBUG, c->name, "status", LOG_KV(KV_S("status", m.status)), "status: %s", m.status);
		}
		if (m.watchdog && c->watchdog_sec > 0) {
			p->watchdog_expired = false;
			ev_timer_stop(p->sup->loop, &p->watchdog_timer);
			ev_timer_set(&p->watchdog_timer, c->watchdog_sec, 0);
			ev_timer_start(p->sup->loop, &p->watchdog_timer);
			/* without a probe, the pings are its health */
			struct health_rules rules = { .retries = 1 };
			if (c->healthcheck.kind == PROBE_NONE && health_report(&p->health, &rules, true, mono_now()))
				log_event(LOG_INFO, c->name, "health", LOG_KV(KV_S("health", "healthy")), "healthy");
		}
	}
	table_update(p->sup);
}

static void open_notify_sockets(struct supervisor *sup)
{
	char err[256];
	for (size_t i = 0; i < sup->n; i++) {
		struct program *p = &sup->programs[i];
		p->notify_fd = -1;
		ev_init(&p->watchdog_timer, on_watchdog);
		if (!p->svc.cfg->notify)
			continue;
		p->notify_fd = notify_open(p->svc.cfg->notify_path, err, sizeof err);
		if (p->notify_fd < 0)
			fatal(2, "%s: %s", p->svc.cfg->name, err);
		ev_io_init(&p->notify_io, on_notify, p->notify_fd, EV_READ);
		ev_io_start(sup->loop, &p->notify_io);
	}
}

static void close_notify_socket(struct program *p)
{
	ev_timer_stop(p->sup->loop, &p->watchdog_timer);
	if (p->notify_fd < 0)
		return;
	ev_io_stop(p->sup->loop, &p->notify_io);
	close(p->notify_fd);
	unlink(p->svc.cfg->notify_path);
}

/* A new process: its health and readiness are unknown again. */
static void start_probing(struct program *p)
{
	const struct program_config *c = p->svc.cfg;
	bool probed = c->healthcheck.kind != PROBE_NONE || c->watchdog_sec > 0;
	health_reset(&p->health, probed, mono_now());
	p->notified_ready = false;
	p->watchdog_expired = false;
	p->status_text[0] = '\0';
	if (c->healthcheck.kind != PROBE_NONE)
		schedule_probe(p);
	if (c->watchdog_sec > 0) {
		ev_timer_set(&p->watchdog_timer, c->watchdog_sec, 0);
		ev_timer_start(p->sup->loop, &p->watchdog_timer);
	}
}

/* The process is gone: no more probes; its last verdict stays on show
 * until a new process is started. */
static void stop_probing(struct program *p)
{
	probe_cancel(&p->probe);
	ev_timer_stop(p->sup->loop, &p->probe_timer);
	ev_timer_stop(p->sup->loop, &p->watchdog_timer);
}

static pid_t os_spawn(struct svc *s)
{
	struct program *p = container_of(s, struct program, svc);
	int fd;
	close_report(p);
	const struct relay *r = &p->relay;
	pid_t pid = spawn_program(s->cfg, r->out.write_fd, r->err.write_fd, &fd);
	if (pid < 0)
		return -1;
	p->exec_errno = 0;
	start_probing(p);
	p->report_fd = fd;
	ev_io_init(&p->report, on_report, fd, EV_READ);
	ev_io_start(p->sup->loop, &p->report);
	return pid;
}

static void os_kill(struct svc *s, int sig, bool group)
{
	spawn_signal(s->pid, sig, group);
}

static const struct svc_os real_os = { .spawn = os_spawn, .kill = os_kill };

/* ---- events into the state machines ---- */

void table_deliver(struct program *p, enum svc_event event, const struct svc_exit *exit)
{
	svc_handle(&p->svc, event, mono_now(), exit);
}

static void on_deadline(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop, (void)revents;
	struct program *p = container_of(w, struct program, timer);
	p->timer_at = 0;
	table_deliver(p, SVC_DEADLINE, NULL);
	table_update(p->sup);
}

/* Arms each program's timer for its state machine's deadline. */
static void sync_timer(struct program *p)
{
	double deadline = p->svc.deadline;
	if (deadline == p->timer_at)
		return;
	ev_timer_stop(p->sup->loop, &p->timer);
	p->timer_at = deadline;
	if (deadline > 0) {
		double delay = deadline - mono_now();
		ev_timer_set(&p->timer, delay > 0 ? delay : 0, 0);
		ev_timer_start(p->sup->loop, &p->timer);
	}
}

bool table_has_process(const struct program *p)
{
	return p->svc.pid > 0;
}

/* A program's main process exited on its own (not on a stop request):
 * what is left of its process group goes with it, before the program is
 * started again. nginx workers orphaned by a killed master would keep its
 * port, and every new master would fail to bind.
 * Now, at the reap, is the only safe moment: the group's number cannot be
 * reused while any process is in the group, and this kill comes right
 * after the leader's pid was freed. Later (at the next start, say) an
 * empty group's number may belong to another program's new group.
 * Not after a stop request: the rest of the group got the stop signal too
 * and may still be finishing gracefully (the shutdown's leftover phase
 * sees to them). Not in single-command mode, where the command's group is
 * left to that phase too, as tini leaves it. */
static void kill_rest_of_group(struct supervisor *sup, struct program *p, pid_t leader)
{
	const struct svc *s = &p->svc;
	if (!s->cfg->killasgroup || s->state == SVC_STOPPING || sup->mode == MODE_SINGLE)
		return;
	if (kill(-leader, SIGKILL) == 0)
		log_event(LOG_WARN, s->cfg->name, "leftovers", LOG_KV(KV_N("pgid", leader)),
			  "processes of its last run were still in group %d: sent SIGKILL", (int)leader);
}

/* The one place that reaps: every child, program or orphan. Returns true
 * while tend still has children. */
static bool reap(struct supervisor *sup)
{
	for (;;) {
		int status;
		pid_t pid = waitpid(-1, &status, WNOHANG);
		if (pid == 0)
			return true;
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			return errno != ECHILD;
		}
		struct program *owner = NULL, *prober = NULL;
		for (size_t i = 0; i < sup->n && !owner && !prober; i++) {
			if (sup->programs[i].svc.pid == pid)
				owner = &sup->programs[i];
			else if (sup->programs[i].probe.pid == pid)
				prober = &sup->programs[i];
		}
		if (prober) {
			probe_reaped(&prober->probe, status);
			continue;
		}
		if (!owner) {
			sup->orphans_reaped++;
			continue;
		}
		if (owner->report_fd >= 0)
			take_report(owner);	/* it is dead: the report, if any, is there */
		stop_probing(owner);	/* before the exit: a restart probes anew */
		kill_rest_of_group(sup, owner, pid);
		relay_flush(&owner->relay);	/* what it wrote comes before its exit */
		struct svc_exit exit = { .status = status, .exec_errno = owner->exec_errno };
		table_deliver(owner, SVC_EXIT, &exit);
	}
}

/* ---- starting, in dependency and priority order ---- */

bool table_ready(const struct program *p)
{
	enum health_state h = p->health.state;
	return p->svc.state == SVC_RUNNING && (h == HEALTH_NONE || h == HEALTH_HEALTHY) &&
	       (!p->svc.cfg->notify || p->notified_ready);
}

bool table_satisfies_dependents(const struct program *d)
{
	return table_ready(d) || (d->svc.state == SVC_EXITED && svc_exited_expected(&d->svc));
}

/* Returns the first dependency that is not satisfied, or NULL. */
static const struct program *waiting_for(const struct supervisor *sup, const struct program *p)
{
	const struct program_config *c = p->svc.cfg;
	for (size_t d = 0; d < c->ndepends; d++)
		if (!table_satisfies_dependents(&sup->programs[c->depends_on[d]]))
			return &sup->programs[c->depends_on[d]];
	return NULL;
}

static void start_free_programs(struct supervisor *sup)
{
	for (;;) {
		unsigned lowest = ~0u;
		for (size_t i = 0; i < sup->n; i++) {
			struct program *p = &sup->programs[i];
			if (p->launched || !p->svc.cfg->autostart)
				continue;
			const struct program *dep = waiting_for(sup, p);
			if (!dep) {
				if (p->svc.cfg->priority < lowest)
					lowest = p->svc.cfg->priority;
			} else if (dep->svc.state == SVC_FATAL && !p->blocked_logged) {
				p->blocked_logged = true;
				log_event(LOG_WARN, p->svc.cfg->name, "blocked", LOG_KV(KV_S("waiting_for", dep->svc.cfg->name)),
					  "not started: its dependency %s is FATAL", dep->svc.cfg->name);
			}
		}
		if (lowest == ~0u)
			return;
		/* one step: every free program of the lowest priority, in file order */
		for (size_t i = 0; i < sup->n; i++) {
			struct program *p = &sup->programs[i];
			if (!p->launched && p->svc.cfg->autostart && p->svc.cfg->priority == lowest && !waiting_for(sup, p)) {
				p->launched = true;
				table_deliver(p, SVC_START, NULL);
			}
		}
	}
}

/* ---- shutting down ---- */

static void begin_shutdown(struct supervisor *sup, int status, const char *why);

static void kill_all_programs(struct supervisor *sup)
{
	for (size_t i = 0; i < sup->n; i++)
		table_deliver(&sup->programs[i], SVC_KILL, NULL);
}

static void on_shutdown_timeout(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop, (void)revents;
	struct supervisor *sup = container_of(w, struct supervisor, shutdown_timer);
	log_event(LOG_WARN, NULL, "shutdown_timeout", LOG_KV(KV_N("timeout", sup->cfg->shutdown_timeout)),
		  "shutdown_timeout (%gs) reached; killing everything left", sup->cfg->shutdown_timeout);
	kill_all_programs(sup);
	leftovers_signal(sup->pid1, SIGKILL);
	sup->final_kill_sent = true;
	ev_timer_stop(loop, &sup->leftover_timer);
	ev_timer_set(&sup->leftover_timer, FINAL_GRACE, 0);
	ev_timer_start(loop, &sup->leftover_timer);
	table_update(sup);
}

/* Single-command mode when tend is not PID 1: what the command left behind
 * gets SIGTERM and the grace, but no SIGKILL. SPEC §5 kills leftovers
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
	if (sup->final_kill_sent) {
		log_warn("processes still there %gs after SIGKILL; exiting anyway", FINAL_GRACE);
		ev_break(loop, EVBREAK_ALL);
		return;
	}
	if (leftovers_outlive_tend(sup)) {
		int n = reap(sup) ? leftovers_signal(false, 0) : 0;
		if (n > 0)
			log_event(LOG_WARN, NULL, "leftovers_left", LOG_KV(KV_N("count", n)),
				  "%d leftover process%s did not exit after SIGTERM; leaving %s running", n,
				  n == 1 ? "" : "es", n == 1 ? "it" : "them");
		ev_break(loop, EVBREAK_ALL);
		return;
	}
	int n = leftovers_signal(sup->pid1, SIGKILL);
	log_event(LOG_WARN, NULL, "leftovers_killed", LOG_KV(KV_N("count", n)),
		  "leftover processes did not exit after SIGTERM; sent SIGKILL");
	sup->final_kill_sent = true;
	ev_timer_set(&sup->leftover_timer, FINAL_GRACE, 0);
	ev_timer_start(loop, &sup->leftover_timer);
}

/* Stop whatever may stop now: nothing that must be gone first is left. */
static void stop_in_order(struct supervisor *sup)
{
	for (size_t i = 0; i < sup->n; i++) {
		struct program *p = &sup->programs[i];
		if (p->stop_sent)
			continue;
		bool must_wait = false;
		for (size_t j = 0; j < sup->n && !must_wait; j++)
			must_wait = j != i && table_has_process(&sup->programs[j]) && order_stops_before(sup->cfg, j, i);
		if (must_wait)
			continue;
		p->stop_sent = true;
		table_deliver(p, SVC_STOP, NULL);
	}
}

/* As PID 1, whether any process of the container is left that is not
 * tend's child (`docker exec` starts those): no SIGCHLD will tell when they
 * are gone, so the leftover phase polls for them. */
static bool outsiders_left(const struct supervisor *sup)
{
	return sup->pid1 && kill(-1, 0) == 0;
}

static void on_leftover_poll(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)revents;
	struct supervisor *sup = container_of(w, struct supervisor, leftover_poll);
	if (!reap(sup) && !outsiders_left(sup))
		ev_break(loop, EVBREAK_ALL);
}

static void enter_leftovers(struct supervisor *sup)
{
	sup->phase = PHASE_LEFTOVERS;
	bool children = reap(sup), outsiders = outsiders_left(sup);
	if (!children && !outsiders) {
		ev_break(sup->loop, EVBREAK_ALL);	/* nothing left over: exit at once */
		return;
	}
	if (outsiders) {
		ev_timer_set(&sup->leftover_poll, LEFTOVER_POLL, LEFTOVER_POLL);
		ev_timer_start(sup->loop, &sup->leftover_poll);
	}
	int n = leftovers_signal(sup->pid1, SIGTERM);
	log_event(LOG_INFO, NULL, "leftovers", LOG_KV(KV_N("count", n)),
		  "programs stopped; sending SIGTERM to the processes left over");
	if (sup->final_kill_sent)
		return;	/* the final timer is already running */
	double left = sup->cfg->shutdown_timeout - (mono_now() - sup->shutdown_started);
	double grace = left < LEFTOVER_GRACE ? left : LEFTOVER_GRACE;
	ev_timer_set(&sup->leftover_timer, grace > 0 ? grace : 0, 0);
	ev_timer_start(sup->loop, &sup->leftover_timer);
}

static void begin_shutdown(struct supervisor *sup, int status, const char *why)
{
	if (sup->phase != PHASE_RUNNING)
		return;
	sup->phase = PHASE_STOPPING;
	sup->exit_status = status;
	sup->shutdown_started = mono_now();
	log_event(LOG_INFO, NULL, "shutdown", LOG_KV(KV_S("reason", why)), "shutting down (%s)", why);
	for (size_t i = 0; i < sup->n; i++)
		sup->programs[i].svc.hold = true;
	ev_timer_set(&sup->shutdown_timer, sup->cfg->shutdown_timeout, 0);
	ev_timer_start(sup->loop, &sup->shutdown_timer);
}

/* ---- after every event: look at the whole table once ---- */

static bool any_process(const struct supervisor *sup)
{
	for (size_t i = 0; i < sup->n; i++)
		if (table_has_process(&sup->programs[i]))
			return true;
	return false;
}

/* "last exit code 4", "last signal KILL", or why it never ran. */
static void describe_fatal(const struct svc *s, char *buf, size_t n)
{
	if (s->last_exit_kind == EXIT_SIGNAL)
		snprintf(buf, n, "required program %s is FATAL, last signal %s", s->cfg->name,
			 signal_name(s->last_exit_value));
	else if (s->last_exit_kind == EXIT_CODE)
		snprintf(buf, n, "required program %s is FATAL, last exit code %d", s->cfg->name, s->last_exit_value);
	else	/* none of its starts made a process */
		snprintf(buf, n, "required program %s is FATAL, never started: %s", s->cfg->name,
			 strerror(s->spawn_errno));
}

static void check_fatal(struct supervisor *sup)
{
	if (!sup->cfg->exit_on_fatal)
		return;
	for (size_t i = 0; i < sup->n; i++) {
		const struct svc *s = &sup->programs[i].svc;
		if (s->state == SVC_FATAL && s->cfg->required) {
			char why[160];
			describe_fatal(s, why, sizeof why);
			begin_shutdown(sup, 1, why);
			return;
		}
	}
}

/* Single-command mode ends when the command does; tend exits as it did. */
static void check_single_done(struct supervisor *sup)
{
	const struct svc *s = &sup->programs[0].svc;
	if (s->pid > 0 || s->starts == 0)
		return;
	int status = s->last_exit_kind == EXIT_SIGNAL ? 128 + s->last_exit_value : s->last_exit_value;
	if (sup->phase == PHASE_RUNNING)
		begin_shutdown(sup, status, "the command exited");
	sup->exit_status = status;
}

void table_update(struct supervisor *sup)
{
	if (sup->mode == MODE_SINGLE)
		check_single_done(sup);
	else if (sup->phase == PHASE_RUNNING)
		check_fatal(sup);
	if (sup->phase == PHASE_RUNNING)
		start_free_programs(sup);
	if (sup->phase == PHASE_STOPPING) {
		stop_in_order(sup);
		if (!any_process(sup))
			enter_leftovers(sup);
	}
	for (size_t i = 0; i < sup->n; i++)
		sync_timer(&sup->programs[i]);
}

/* ---- signals ---- */

static void forward(struct supervisor *sup, int sig)
{
	char names[512] = "";
	size_t used = 0;
	for (size_t i = 0; i < sup->n; i++) {
		struct program *p = &sup->programs[i];
		if (!table_has_process(p) || !(p->svc.cfg->forward_signals & (UINT64_C(1) << sig)))
			continue;
		spawn_signal(p->svc.pid, sig, p->svc.cfg->stopasgroup);
		if (used < sizeof names)
			used += (size_t)snprintf(names + used, sizeof names - used, "%s%s", used ? ", " : "",
						 p->svc.cfg->name);
	}
	if (used)
		log_event(LOG_INFO, NULL, "signal", LOG_KV(KV_S("signal", signal_name(sig)), KV_S("programs", names)),
			  "SIG%s forwarded to %s", signal_name(sig), names);
	else
		log_event(LOG_INFO, NULL, "signal", LOG_KV(KV_S("signal", signal_name(sig))),
			  "SIG%s received; no running program takes it", signal_name(sig));
}

/* ---- single-command mode: signals and job control ---- */

/* tend stands in for the command before the shell that started it: the
 * command runs in a process group of its own (with the terminal, when tend
 * had it), so the shell waits for tend and sees tend's stops, never the
 * command's. tend makes the two stop and go on together. */

/* Where the shell gave the terminal to tend's process group (`fg` does,
 * and sends SIGCONT), it goes on to the command's group, as at its start. */
static void pass_terminal_on(const struct program *p)
{
	if (p->svc.cfg->tty_foreground && p->svc.pid > 0 && tcgetpgrp(STDIN_FILENO) == getpgrp())
		tcsetpgrp(STDIN_FILENO, p->svc.pid);	/* SIGTTOU is blocked: never stops tend */
}

/* Continues the command's whole process group (the terminal stopped all of
 * it), handing it the terminal if the shell gave it to tend. */
static void continue_command(const struct program *p)
{
	pass_terminal_on(p);
	spawn_signal(p->svc.pid, SIGCONT, true);
}

/* Stops tend with the job-control stop signal sig (TSTP, TTIN or TTOU).
 * The kernel applies it with the rules it would apply to the command in
 * tend's place: not to PID 1, and not to a process group that no shell can
 * continue (orphaned). Returns true when tend was stopped and has been
 * continued since; the SIGCONT that continued it is taken here, so that it
 * is not forwarded on top. */
static bool stop_self(int sig)
{
	sigset_t one, cont, pending;
	sigemptyset(&one);
	sigaddset(&one, sig);
	sigemptyset(&cont);
	sigaddset(&cont, SIGCONT);
	/* sending a stop signal discards a pending SIGCONT: one pending below
	 * came after it, and continued tend */
	kill(getpid(), sig);
	/* it is blocked for signalfd: unblocked, it takes its default action
	 * (SIG_DFL, see watch_signals) and tend stops inside this call */
	sigprocmask(SIG_UNBLOCK, &one, NULL);
	sigprocmask(SIG_BLOCK, &one, NULL);
	sigemptyset(&pending);
	if (sigpending(&pending) < 0 || !sigismember(&pending, SIGCONT))
		return false;
	struct timespec none = { 0, 0 };
	sigtimedwait(&cont, NULL, &none);
	return true;
}

/* SIGTSTP sent to tend (`kill`, or the terminal while tend's group has
 * it): the command gets it, then tend stops too, so that the job stops as a
 * whole, as dumb-init does; tend continues the command when it is
 * continued. Where tend cannot stop, a command that the signal stopped is
 * for follow_command_stop. */
static void job_stop_received(const struct program *p, int sig)
{
	if (p->svc.pid <= 0)
		return;
	spawn_signal(p->svc.pid, sig, false);
	if (stop_self(sig))
		continue_command(p);
}

/* The command stopped (Ctrl-Z: the terminal stopped its group; it used the
 * terminal from the background; SIGSTOP): tend stops the same way, so that
 * the shell sees the job stop and takes the terminal back; continued by
 * `fg` or `bg`, tend continues the command. SIGSTOP is passed up as SIGTSTP,
 * which the kernel applies only where a shell can continue tend. Where tend
 * cannot stop (PID 1, or no shell above), a command stopped by SIGTSTP is
 * continued at once, as it would not have stopped in tend's place; one
 * stopped by TTIN or TTOU would only stop again, and one stopped by SIGSTOP
 * was stopped on purpose: those wait for a SIGCONT. Not a reap: WSTOPPED
 * alone only reads the stop. */
static void follow_command_stop(const struct program *p)
{
	siginfo_t info;
	memset(&info, 0, sizeof info);
	if (p->svc.pid <= 0 || waitid(P_PID, (id_t)p->svc.pid, &info, WSTOPPED | WNOHANG) < 0 ||
	    info.si_pid != p->svc.pid)
		return;
	int sig = info.si_status;
	bool job_control = sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
	if (stop_self(job_control ? sig : SIGTSTP) || sig == SIGTSTP)
		continue_command(p);
}

/* Every signal but CHLD goes to the command itself (not its group, as
 * with tini); TERM, INT and QUIT also begin the shutdown. */
static void single_command_signal(struct supervisor *sup, int sig)
{
	const struct program *p = &sup->programs[0];
	if ((sig == SIGTERM || sig == SIGINT || sig == SIGQUIT) && sup->phase == PHASE_RUNNING) {
		/* stopsignal is the signal received: it is what gets forwarded */
		sup->cfg->programs[0].stopsignal = sig;
		begin_shutdown(sup, 0, signal_name(sig));
	} else if (sig == SIGTSTP) {
		job_stop_received(p, sig);
	} else if (sig == SIGTTIN || sig == SIGTTOU) {
		/* not passed on (SPEC §5): in tend's place the command would have
		 * been stopped by them only through the terminal, which stops the
		 * command's own group directly (follow_command_stop) */
	} else {
		if (sig == SIGCONT)
			pass_terminal_on(p);	/* `fg` of a job that was running in the background */
		spawn_signal(p->svc.pid, sig, false);
	}
}

static void on_signal(struct ev_loop *loop, ev_signal *w, int revents)
{
	(void)loop, (void)revents;
	struct supervisor *sup = w->data;
	int sig = w->signum;
	bool stop_signal = sig == SIGTERM || sig == SIGINT || sig == SIGQUIT;

	if (sig == SIGCHLD) {
		bool children = reap(sup);
		if (sup->mode == MODE_SINGLE)
			follow_command_stop(&sup->programs[0]);
		if (sup->phase == PHASE_LEFTOVERS && !children && !outsiders_left(sup))
			ev_break(loop, EVBREAK_ALL);
	} else if (sup->mode == MODE_SINGLE) {
		single_command_signal(sup, sig);
	} else if (stop_signal) {
		if (sup->phase == PHASE_RUNNING) {
			char why[32];
			snprintf(why, sizeof why, "SIG%s", signal_name(sig));
			begin_shutdown(sup, 0, why);
		} else if (sig != SIGQUIT) {
			log_event(LOG_WARN, NULL, "kill_all", NULL, "second SIG%s: killing every program now",
				  signal_name(sig));
			kill_all_programs(sup);
		}
	} else if (sig == SIGHUP || sig == SIGUSR1 || sig == SIGUSR2 || sig == SIGWINCH) {
		forward(sup, sig);
	}
	/* anything else (TSTP, TTIN, TTOU, PIPE): caught so that it does nothing */
	table_update(sup);
}

/* Every signal tend catches. In single-command mode, every signal it can
 * catch (SPEC §5), the faults too, so that `kill -SEGV` reaches the command
 * as with tini and dumb-init. Blocked for signalfd, a fault of tend's own
 * still kills it: the kernel unblocks a synchronous SIGSEGV, SIGBUS,
 * SIGILL, SIGFPE, SIGTRAP or seccomp's SIGSYS and resets it to SIG_DFL
 * before delivering it, and abort() unblocks SIGABRT. In program mode they
 * are not caught: no program takes them, and `kill -ABRT` on tend is how
 * one gets its core. */
static bool watched(enum run_mode mode, int sig)
{
	switch (sig) {
	case SIGKILL: case SIGSTOP:
		return false;
	case SIGSEGV: case SIGBUS: case SIGILL: case SIGFPE: case SIGABRT: case SIGTRAP: case SIGSYS:
		return mode == MODE_SINGLE;
	case SIGCHLD: case SIGTERM: case SIGINT: case SIGQUIT: case SIGHUP: case SIGUSR1: case SIGUSR2:
	case SIGWINCH: case SIGTSTP: case SIGTTIN: case SIGTTOU: case SIGPIPE:
		return true;
	default:
		return mode == MODE_SINGLE && (sig < 32 || (sig >= SIGRTMIN && sig <= SIGRTMAX));
	}
}

static bool watch_signals(struct supervisor *sup)
{
	sup->signals = calloc(NSIG, sizeof *sup->signals);
	if (!sup->signals)
		return false;
	/* Blocked first, so that none can act between the two steps below;
	 * signalfd reads them while blocked. */
	sigset_t set;
	sigemptyset(&set);
	for (int sig = 1; sig < NSIG; sig++)
		if (watched(sup->mode, sig))
			sigaddset(&set, sig);
	sigprocmask(SIG_BLOCK, &set, NULL);
	for (int sig = 1; sig < NSIG; sig++) {
		if (!watched(sup->mode, sig))
			continue;
		/* an inherited SIG_IGN (a background job gets SIGINT ignored)
		 * would discard the signal before signalfd could read it */
		signal(sig, SIG_DFL);
		ev_signal *w = &sup->signals[sup->nsignals++];
		ev_signal_init(w, on_signal, sig);
		w->data = sup;
		ev_signal_start(sup->loop, w);
	}
	return true;
}

/* ---- tend's own output, and the programs' relayed through it ---- */

/* A stream that could not take everything has taken it now. */
static void on_output_drained(struct ostream *o, unsigned long dropped)
{
	if (dropped)
		log_event(LOG_WARN, NULL, "log_dropped", LOG_KV(KV_N("count", dropped)),
			  "%lu log line%s dropped: %s could not take them", dropped, dropped == 1 ? "" : "s",
			  o == &tend_stderr ? "stderr" : "stdout");
	relay_resume(o);
}

/* From here on tend's stdout and stderr never block it (SPEC §7). */
static void attach_output(struct supervisor *sup)
{
	ostream_attach(&tend_stdout, STDOUT_FILENO, sup->loop, on_output_drained);
	ostream_attach(&tend_stderr, STDERR_FILENO, sup->loop, on_output_drained);
	relay_setup(sup->loop, sup->cfg->log_format);
}

static void open_relays(struct supervisor *sup)
{
	char err[256];
	for (size_t i = 0; i < sup->n; i++) {
		struct program *p = &sup->programs[i];
		p->relay.out = p->relay.err = (struct relay_pipe){ .read_fd = -1, .write_fd = -1 };
		const struct program_config *c = p->svc.cfg;
		if (c->log_prefix && !relay_open(&p->relay, c->name, c->redirect_stderr, err, sizeof err))
			fatal(1, "%s", err);
	}
}

/* Dropping the startup pages costs tend ~60 us of CPU; done once the first
 * programs have had time to exec, it does not delay them. */
#define SHED_DELAY 0.05

static void on_shed_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop, (void)w, (void)revents;
	shed_startup_pages();
}

int supervisor_run(struct config *cfg, enum run_mode mode)
{
	struct supervisor sup = { .cfg = cfg, .mode = mode, .n = cfg->nprograms };

	sup.pid1 = getpid() == 1;
	/* not PID 1: orphans of our programs must still come to us */
	if (!sup.pid1 && prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		log_warn("cannot become the child subreaper: %s; orphans will not be reaped", strerror(errno));
	/* signalfd: signals arrive as events in the loop, never interrupting it */
	sup.loop = ev_loop_new(EVBACKEND_EPOLL | EVFLAG_SIGNALFD | EVFLAG_NOENV);
	if (!sup.loop)
		fatal(1, "cannot create the event loop");
	attach_output(&sup);
	sup.programs = calloc(sup.n + 1, sizeof *sup.programs);
	if (!sup.programs || !watch_signals(&sup))
		fatal(1, "out of memory");
	for (size_t i = 0; i < sup.n; i++) {
		struct program *p = &sup.programs[i];
		if (!svc_init(&p->svc, &cfg->programs[i], &real_os))
			fatal(1, "out of memory");
		p->sup = &sup;
		p->report_fd = -1;
		ev_init(&p->timer, on_deadline);
		ev_init(&p->probe_timer, on_probe_timer);
		probe_init(&p->probe, sup.loop, &cfg->programs[i].healthcheck, on_probe_done, spawn_exec_probe);
	}
	ev_init(&sup.shutdown_timer, on_shutdown_timeout);
	ev_init(&sup.leftover_timer, on_leftover_timer);
	ev_init(&sup.leftover_poll, on_leftover_poll);
	sup.started_at = mono_now();
	backend_start_http(&sup);
	open_notify_sockets(&sup);
	open_relays(&sup);

	log_event(LOG_INFO, NULL, "boot", LOG_KV(KV_N("pid", getpid()), KV_N("programs", sup.n)),
		  "starting %zu program%s%s", sup.n, sup.n == 1 ? "" : "s", sup.pid1 ? " as PID 1" : "");
	/* from here on tend may not die: errors are logged and lived with */
	table_update(&sup);
	/* the command has been started in tend's working directory: tend lets
	 * go of it (as dumb-init does), not to keep a mounted volume busy */
	if (mode == MODE_SINGLE && chdir("/") < 0)
		log_warn("cannot change directory to /: %s", strerror(errno));
	/* not now: the first programs are being exec'd on the machine's CPUs */
	ev_timer_init(&sup.shed_timer, on_shed_timer, SHED_DELAY, 0);
	ev_timer_start(sup.loop, &sup.shed_timer);
	ev_run(sup.loop, 0);

	log_event(LOG_INFO, NULL, "exit", LOG_KV(KV_N("status", sup.exit_status)), "exiting with status %d",
		  sup.exit_status);
	http_server_free(sup.http);
	ev_timer_stop(sup.loop, &sup.shed_timer);
	for (size_t i = 0; i < sup.n; i++) {
		close_report(&sup.programs[i]);
		probe_cancel(&sup.programs[i].probe);
		close_notify_socket(&sup.programs[i]);
		relay_close(&sup.programs[i].relay);
		ev_timer_stop(sup.loop, &sup.programs[i].probe_timer);
		svc_free(&sup.programs[i].svc);
	}
	free(sup.programs);
	free(sup.signals);
	ostream_detach(&tend_stdout);
	ostream_detach(&tend_stderr);
	ev_loop_destroy(sup.loop);
	return sup.exit_status;
}

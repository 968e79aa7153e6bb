/* One program's senses: its health probes, its sd_notify socket and its
 * watchdog. They report into its health and readiness, and deliver
 * SVC_UNHEALTHY when restart_on_unhealthy is to act. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "exit_status.h"
#include "log.h"
#include "notify.h"
#include "spawn.h"
#include "sup.h"
#include "shed.h"

/* Health became unhealthy: restart_on_unhealthy acts on it. */
static void became_unhealthy(struct program *p)
{
	if (p->svc.cfg->restart_on_unhealthy)
		program_deliver(p, SVC_UNHEALTHY, NULL);
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
	if (program_has_process(p) && p->svc.state != SVC_STOPPING)
		schedule_probe(p);
	sup_changed(p->sup);
}

static pid_t spawn_exec_probe(struct probe *probe)
{
	struct program *p = container_of(probe, struct program, probe);
	return spawn_probe(p->svc.cfg, probe->spec->argv);
}

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
	sup_changed(p->sup);
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

/* Only the program's own processes speak for it (tend.ini(5) notify): they are
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
	sup_changed(p->sup);
}

STARTUP_ONLY void senses_init(struct program *p)
{
	p->notify_fd = -1;
	ev_init(&p->watchdog_timer, on_watchdog);
	ev_init(&p->probe_timer, on_probe_timer);
	probe_init(&p->probe, p->sup->loop, &p->svc.cfg->healthcheck, on_probe_done, spawn_exec_probe);
}

/* The notify sockets, before the loop runs (fatal on failure). */
STARTUP_ONLY void senses_open(struct supervisor *sup)
{
	char err[256];
	for (size_t i = 0; i < sup->n; i++) {
		struct program *p = &sup->programs[i];
		if (!p->svc.cfg->notify)
			continue;
		p->notify_fd = notify_open(p->svc.cfg->notify_path, err, sizeof err);
		if (p->notify_fd < 0)
			fatal(TEND_EXIT_ERROR, "%s: %s", p->svc.cfg->name, err);
		ev_io_init(&p->notify_io, on_notify, p->notify_fd, EV_READ);
		ev_io_start(sup->loop, &p->notify_io);
	}
}

void senses_close(struct program *p)
{
	probe_cancel(&p->probe);
	ev_timer_stop(p->sup->loop, &p->probe_timer);
	ev_timer_stop(p->sup->loop, &p->watchdog_timer);
	if (p->notify_fd < 0)
		return;
	ev_io_stop(p->sup->loop, &p->notify_io);
	close(p->notify_fd);
	unlink(p->svc.cfg->notify_path);
}

/* A new process: its health and readiness are unknown again. */
void senses_start(struct program *p)
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
void senses_stop(struct program *p)
{
	probe_cancel(&p->probe);
	ev_timer_stop(p->sup->loop, &p->probe_timer);
	ev_timer_stop(p->sup->loop, &p->watchdog_timer);
}

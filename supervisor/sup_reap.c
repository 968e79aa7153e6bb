/* The OS side of the programs' state machines: making a program's process
 * (its exec-failure report read without blocking), signalling it, and the
 * one place that reaps every child, program or orphan. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "spawn.h"
#include "sup.h"

void report_close(struct program *p)
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
	report_close(p);
}

static void on_report(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop, (void)revents;
	take_report(container_of(w, struct program, report));
}

static pid_t os_spawn(struct svc *s)
{
	struct program *p = container_of(s, struct program, svc);
	int fd;
	report_close(p);
	const struct relay *r = p->relay;
	pid_t pid = spawn_program(s->cfg, r ? r->out.write_fd : -1, r ? r->err.write_fd : -1, p->listen_fds, &fd);
	if (pid < 0)
		return -1;
	p->exec_errno = 0;
	senses_start(p);
	p->report_fd = fd;
	ev_io_init(&p->report, on_report, fd, EV_READ);
	ev_io_start(p->sup->loop, &p->report);
	return pid;
}

static void os_kill(struct svc *s, int sig, bool group)
{
	spawn_signal(s->pid, sig, group);
}

const struct svc_os sup_os = { .spawn = os_spawn, .kill = os_kill };

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
bool sup_reap(struct supervisor *sup)
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
		senses_stop(owner);	/* before the exit: a restart probes anew */
		kill_rest_of_group(sup, owner, pid);
		if (owner->relay)
			relay_flush(owner->relay);	/* what it wrote comes before its exit */
		struct svc_exit exit = { .status = status, .exec_errno = owner->exec_errno };
		program_deliver(owner, SVC_EXIT, &exit);
	}
}

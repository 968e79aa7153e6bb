/* A fake OS for the state machine (svc.h), for unit tests.
 *
 * spawn: hands out the results queued with fake_spawn_pid() / fake_spawn_fail()
 * in order; once the queue is empty, pids 1000, 1001, ... Every call is
 * counted. A failure returns -1 with errno set, as a failed fork would.
 * kill: records (pid of the svc at the time, signal, group) in fake.kills.
 *
 * The clock needs no fake: svc_handle() takes `now`, so a test keeps a double
 * and advances it. */
#ifndef TEND_TEST_FAKE_OS_H
#define TEND_TEST_FAKE_OS_H

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/types.h>

#include "svc.h"

#define FAKE_MAX 64
#define FAKE_FIRST_PID 1000

struct fake_kill {
	pid_t pid;
	int sig;
	bool group;
};

struct fake_state {
	/* the queue of spawn results: pid > 0, or -1 with err */
	struct { pid_t pid; int err; } script[FAKE_MAX];
	unsigned nscript, script_pos;
	pid_t next_pid;			/* handed out once the queue is empty */
	unsigned nspawn;		/* spawn calls, successful or not */
	const struct svc *last_spawned;
	struct fake_kill kills[FAKE_MAX];
	unsigned nkill;
};

static struct fake_state fake __attribute__((unused));

static inline void fake_reset(void)
{
	memset(&fake, 0, sizeof fake);
	fake.next_pid = FAKE_FIRST_PID;
}

static inline void fake_spawn_pid(pid_t pid)
{
	if (fake.nscript < FAKE_MAX)
		fake.script[fake.nscript++].pid = pid;
}

static inline void fake_spawn_fail(int err)
{
	if (fake.nscript < FAKE_MAX) {
		fake.script[fake.nscript].pid = -1;
		fake.script[fake.nscript++].err = err;
	}
}

/* Forgets the calls made so far (keeps the script and the pid counter). */
static inline void fake_clear_calls(void)
{
	fake.nspawn = 0;
	fake.nkill = 0;
	fake.last_spawned = NULL;
}

static inline pid_t fake_spawn(struct svc *s)
{
	fake.nspawn++;
	fake.last_spawned = s;
	if (fake.script_pos < fake.nscript) {
		unsigned i = fake.script_pos++;
		if (fake.script[i].pid < 0) {
			errno = fake.script[i].err;
			return -1;
		}
		return fake.script[i].pid;
	}
	return fake.next_pid++;
}

static inline void fake_kill(struct svc *s, int sig, bool group)
{
	if (fake.nkill < FAKE_MAX)
		fake.kills[fake.nkill] = (struct fake_kill){ .pid = s->pid, .sig = sig, .group = group };
	fake.nkill++;
}

static const struct svc_os fake_os __attribute__((unused)) = { .spawn = fake_spawn, .kill = fake_kill };

#endif

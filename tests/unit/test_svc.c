/* The per-program state machine (svc.c, tend(8) PROGRAM STATES): every cell of the
 * transitions[state][event] table, driven with a fake OS (fake_os.h) and a
 * clock that is just a double. Each test starts from program_config_defaults()
 * and changes only the fields it is about. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "config.h"
#include "log.h"
#include "svc.h"

#include "fake_os.h"

#define T0 1000.0	/* the clock at the start of every test */
#define assert_time(a, b) assert_float_equal((a), (b), 1e-9)

/* ---- fixture ---- */

struct fx {
	struct program_config cfg;
	struct svc s;
	double now;
	bool inited;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof *f);
	if (!f || !program_config_defaults(&f->cfg)) {
		free(f);
		return -1;
	}
	snprintf(f->cfg.name, sizeof f->cfg.name, "web");
	f->now = T0;
	fake_reset();
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	if (f->inited)
		svc_free(&f->s);
	program_config_free(&f->cfg);
	free(f);
	return 0;
}

/* Makes the machine, once the test has changed f->cfg as it wants. */
static void init(struct fx *f)
{
	assert_true(svc_init(&f->s, &f->cfg, &fake_os));
	f->inited = true;
}

static void handle(struct fx *f, enum svc_event event)
{
	svc_handle(&f->s, event, f->now, NULL);
}

static void exit_with(struct fx *f, int status, int exec_errno)
{
	struct svc_exit e = { .status = status, .exec_errno = exec_errno };
	svc_handle(&f->s, SVC_EXIT, f->now, &e);
}

static void exit_code(struct fx *f, int code)
{
	exit_with(f, W_EXITCODE(code, 0), 0);
}

static void exit_signal(struct fx *f, int sig)
{
	exit_with(f, W_EXITCODE(0, sig), 0);
}

/* What the reaper delivers when the child reported a failed exec. */
static void exit_exec_failed(struct fx *f, int err)
{
	exit_with(f, W_EXITCODE(127, 0), err);
}

static void after(struct fx *f, double secs)
{
	f->now += secs;
}

/* Lets the clock reach the pending deadline and delivers SVC_DEADLINE. */
static void fire_deadline(struct fx *f)
{
	assert_true(f->s.deadline > 0);
	f->now = f->s.deadline;
	handle(f, SVC_DEADLINE);
}

static void assert_no_os_calls(void)
{
	assert_int_equal(fake.nspawn, 0);
	assert_int_equal(fake.nkill, 0);
}

static void assert_kill(unsigned i, pid_t pid, int sig, bool group)
{
	assert_true(i < fake.nkill);
	assert_int_equal(fake.kills[i].pid, pid);
	assert_int_equal(fake.kills[i].sig, sig);
	assert_int_equal(fake.kills[i].group, group);
}

static void assert_last_exit(const struct fx *f, enum exit_kind kind, int value)
{
	assert_int_equal(f->s.last_exit_kind, kind);
	assert_int_equal(f->s.last_exit_value, value);
}

/* ---- getting to each state (the OS calls on the way are forgotten) ---- */

static void to_starting(struct fx *f)
{
	init(f);
	handle(f, SVC_START);
	assert_int_equal(f->s.state, SVC_STARTING);
	fake_clear_calls();
}

static void to_running(struct fx *f)
{
	to_starting(f);
	fire_deadline(f);
	assert_int_equal(f->s.state, SVC_RUNNING);
	fake_clear_calls();
}

static void to_backoff(struct fx *f)
{
	to_starting(f);
	after(f, 0.5);
	exit_code(f, 1);
	assert_int_equal(f->s.state, SVC_BACKOFF);
	fake_clear_calls();
}

static void to_stopping(struct fx *f)
{
	to_running(f);
	handle(f, SVC_STOP);
	assert_int_equal(f->s.state, SVC_STOPPING);
	fake_clear_calls();
}

static void to_exited(struct fx *f)
{
	to_running(f);
	after(f, 10);
	exit_code(f, 0);
	assert_int_equal(f->s.state, SVC_EXITED);
	fake_clear_calls();
}

/* Fails every start until the retries are used up. */
static void to_fatal(struct fx *f)
{
	to_starting(f);
	for (;;) {
		after(f, 0.5);
		exit_code(f, 1);
		if (f->s.state == SVC_FATAL)
			break;
		assert_int_equal(f->s.state, SVC_BACKOFF);
		fire_deadline(f);
		assert_int_equal(f->s.state, SVC_STARTING);
	}
	fake_clear_calls();
}

/* ---- ignored cells: nothing changes, no OS call ---- */

static void assert_ignores(struct fx *f, enum svc_event event)
{
	struct svc before;
	memcpy(&before, &f->s, sizeof before);
	unsigned nspawn = fake.nspawn, nkill = fake.nkill;
	after(f, 0.25);
	if (event == SVC_EXIT)
		exit_code(f, 1);
	else
		handle(f, event);
	assert_int_equal(f->s.state, before.state);
	assert_int_equal(f->s.pid, before.pid);
	assert_time(f->s.deadline, before.deadline);
	assert_int_equal(f->s.failed_starts, before.failed_starts);
	assert_int_equal(f->s.starts, before.starts);
	assert_int_equal(f->s.last_exit_kind, before.last_exit_kind);
	assert_int_equal(f->s.last_exit_value, before.last_exit_value);
	before.goal = f->s.goal;	/* a stop or start request is remembered (svc_goal) */
	assert_memory_equal(&f->s, &before, sizeof before);
	assert_int_equal(fake.nspawn, nspawn);
	assert_int_equal(fake.nkill, nkill);
}

/* ---- the fixture itself ---- */

static void test_defaults_are_the_spec_defaults(void **state)
{
	struct fx *f = *state;
	assert_time(f->cfg.startsecs, 1);
	assert_int_equal(f->cfg.startretries, 3);
	assert_time(f->cfg.backoff, 1);
	assert_time(f->cfg.backoff_max, 30);
	assert_int_equal(f->cfg.stopsignal, SIGTERM);
	assert_time(f->cfg.stopwaitsecs, 5);
	assert_true(f->cfg.stopasgroup);
	assert_true(f->cfg.killasgroup);
	assert_int_equal(f->cfg.autorestart, AUTORESTART_UNEXPECTED);
	assert_true(f->cfg.exitcodes[0]);
	assert_false(f->cfg.exitcodes[1]);
	assert_int_equal(f->cfg.restart_limit, 0);
	assert_time(f->cfg.restart_window, 60);
}

static void test_init_is_stopped(void **state)
{
	struct fx *f = *state;
	init(f);
	assert_int_equal(f->s.state, SVC_STOPPED);
	assert_int_equal(f->s.pid, 0);
	assert_time(f->s.deadline, 0);
	assert_int_equal(f->s.starts, 0);
	assert_int_equal(svc_restarts(&f->s), 0);
	assert_int_equal(f->s.last_exit_kind, EXIT_NONE);
	assert_int_equal(f->s.goal, GOAL_WAIT);	/* autostart: its turn will come */
	assert_false(svc_exited_expected(&f->s));
	assert_no_os_calls();
}

/* ---- STOPPED ---- */

static void test_stopped_start_spawns_into_starting(void **state)
{
	struct fx *f = *state;
	f->cfg.startsecs = 2.5;
	init(f);
	fake_spawn_pid(4242);
	handle(f, SVC_START);
	assert_int_equal(f->s.state, SVC_STARTING);
	assert_int_equal(f->s.pid, 4242);
	assert_time(f->s.deadline, T0 + 2.5);
	assert_time(f->s.spawned_at, T0);
	assert_int_equal(f->s.starts, 1);
	assert_int_equal(svc_restarts(&f->s), 0);
	assert_int_equal(f->s.failed_starts, 0);
	assert_int_equal(fake.nspawn, 1);
	assert_ptr_equal(fake.last_spawned, &f->s);
	assert_int_equal(fake.nkill, 0);
}

static void test_stopped_start_startsecs_0_is_running_at_once(void **state)
{
	struct fx *f = *state;
	f->cfg.startsecs = 0;
	init(f);
	handle(f, SVC_START);
	assert_int_equal(f->s.state, SVC_RUNNING);
	assert_int_equal(f->s.pid, FAKE_FIRST_PID);
	assert_time(f->s.deadline, 0);
	assert_int_equal(f->s.starts, 1);
	assert_int_equal(fake.nspawn, 1);
}

static void test_stopped_start_fork_failure_is_a_failed_start(void **state)
{
	struct fx *f = *state;
	init(f);
	fake_spawn_fail(EINVAL);	/* not for lack of resources: the program's failure */
	handle(f, SVC_START);
	assert_int_equal(f->s.state, SVC_BACKOFF);
	assert_int_equal(f->s.pid, 0);
	assert_int_equal(f->s.failed_starts, 1);
	assert_time(f->s.deadline, T0 + 1);
	assert_int_equal(f->s.starts, 0);	/* no process was made */
	assert_int_equal(fake.nspawn, 1);
	/* the retry works */
	fire_deadline(f);
	assert_int_equal(f->s.state, SVC_STARTING);
	assert_int_equal(f->s.pid, FAKE_FIRST_PID);
	assert_time(f->s.deadline, T0 + 1 + 1);
	assert_int_equal(f->s.starts, 1);
	assert_int_equal(fake.nspawn, 2);
}

/* tend(8) PROGRAM STATES: fork or pipe failing for lack of resources in tend (a pids
 * limit, no fds left) is not the program's failure: tried again shortly,
 * with a growing delay, never counted toward startretries. */
static void test_start_short_of_resources_is_put_off(void **state)
{
	struct fx *f = *state;
	init(f);
	const int errs[] = { EAGAIN, EMFILE, ENFILE, ENOMEM, EAGAIN, EAGAIN, EAGAIN, EAGAIN, EAGAIN, EAGAIN };
	for (unsigned i = 0; i < sizeof errs / sizeof errs[0]; i++)
		fake_spawn_fail(errs[i]);
	handle(f, SVC_START);
	double delay = RESOURCE_RETRY_FIRST;
	for (unsigned i = 0; i < sizeof errs / sizeof errs[0]; i++) {
		assert_int_equal(f->s.state, SVC_BACKOFF);
		assert_int_equal(f->s.failed_starts, 0);
		assert_time(f->s.deadline, f->now + delay);
		delay = delay * 2 < RESOURCE_RETRY_MAX ? delay * 2 : RESOURCE_RETRY_MAX;
		fire_deadline(f);
	}
	/* more put-off starts than startretries allows, and no FATAL: */
	assert_int_equal(f->s.state, SVC_STARTING);
	assert_int_equal(f->s.pid, FAKE_FIRST_PID);
	assert_int_equal(f->s.starts, 1);
	assert_int_equal(f->s.resource_waits, 0);
	assert_int_equal(fake.nspawn, 11);
}

/* A crash-restart that cannot fork is put off too, and keeps its count of
 * failed starts as it was. */
static void test_restart_short_of_resources_is_put_off(void **state)
{
	struct fx *f = *state;
	to_running(f);
	fake_spawn_fail(EAGAIN);
	after(f, 10);
	exit_code(f, 1);
	assert_int_equal(f->s.state, SVC_BACKOFF);
	assert_int_equal(f->s.failed_starts, 0);
	assert_time(f->s.deadline, f->now + RESOURCE_RETRY_FIRST);
	fire_deadline(f);
	assert_int_equal(f->s.state, SVC_STARTING);
	assert_int_equal(f->s.starts, 2);
}

/* A program that never made a process says why when it is FATAL. */
static void test_fatal_without_a_process_keeps_the_reason(void **state)
{
	struct fx *f = *state;
	init(f);
	for (int i = 0; i < 4; i++)
		fake_spawn_fail(EINVAL);
	handle(f, SVC_START);
	for (int i = 0; i < 3; i++)
		fire_deadline(f);
	assert_int_equal(f->s.state, SVC_FATAL);
	assert_int_equal(f->s.last_exit_kind, EXIT_NONE);
	assert_int_equal(f->s.spawn_errno, EINVAL);
}

static void test_fork_failures_reach_fatal(void **state)
{
	struct fx *f = *state;
	init(f);
	for (int i = 0; i < 4; i++)
		fake_spawn_fail(EINVAL);
	handle(f, SVC_START);
	const double delays[] = { 1, 2, 4 };
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(f->s.state, SVC_BACKOFF);
		assert_time(f->s.deadline, f->now + delays[i]);
		fire_deadline(f);
	}
	assert_int_equal(f->s.state, SVC_FATAL);
	assert_int_equal(f->s.failed_starts, 4);
	assert_time(f->s.deadline, 0);
	assert_int_equal(fake.nspawn, 4);
	assert_int_equal(f->s.starts, 0);
}

static void test_stopped_ignores_stop_kill_deadline_exit(void **state)
{
	struct fx *f = *state;
	init(f);
	assert_ignores(f, SVC_STOP);
	assert_ignores(f, SVC_KILL);
	assert_ignores(f, SVC_DEADLINE);
	assert_ignores(f, SVC_EXIT);
	assert_int_equal(f->s.state, SVC_STOPPED);
}

/* ---- STARTING ---- */

static void test_starting_deadline_is_running_and_resets_failed_starts(void **state)
{
	struct fx *f = *state;
	to_backoff(f);
	fire_deadline(f);
	assert_int_equal(f->s.state, SVC_STARTING);
	assert_int_equal(f->s.failed_starts, 1);	/* not yet a success */
	pid_t pid = f->s.pid;
	fake_clear_calls();
	fire_deadline(f);
	assert_int_equal(f->s.state, SVC_RUNNING);
	assert_int_equal(f->s.failed_starts, 0);
	assert_time(f->s.deadline, 0);
	assert_int_equal(f->s.pid, pid);
	assert_no_os_calls();
}

static void test_starting_exit_is_backoff(void **state)
{
	struct fx *f = *state;
	to_starting(f);
	after(f, 0.5);
	exit_code(f, 2);
	assert_int_equal(f->s.state, SVC_BACKOFF);
	assert_int_equal(f->s.pid, 0);
	assert_int_equal(f->s.failed_starts, 1);
	assert_time(f->s.deadline, T0 + 0.5 + 1);
	assert_last_exit(f, EXIT_CODE, 2);
	assert_int_equal(f->s.starts, 1);
	assert_no_os_calls();	/* the retry waits for the deadline */
}

/* Even an exit code in exitcodes is a failed start before startsecs. */
static void test_starting_expected_exit_is_still_a_failed_start(void **state)
{
	struct fx *f = *state;
	to_starting(f);
	after(f, 0.5);
	exit_code(f, 0);
	assert_int_equal(f->s.state, SVC_BACKOFF);
	assert_int_equal(f->s.failed_starts, 1);
}

/* startretries = 3: four attempts, delays 1, 2, 4, then FATAL. */
static void test_starting_failures_double_the_delay_then_fatal(void **state)
{
	struct fx *f = *state;
	to_starting(f);
	const double delays[] = { 1, 2, 4 };
	for (unsigned i = 0; i < 3; i++) {
		after(f, 0.5);
		exit_code(f, 1);
		assert_int_equal(f->s.state, SVC_BACKOFF);
		assert_int_equal(f->s.failed_starts, i + 1);
		assert_time(f->s.deadline, f->now + delays[i]);
		fire_deadline(f);
		assert_int_equal(f->s.state, SVC_STARTING);
	}
	assert_int_equal(fake.nspawn, 3);	/* the retries; the first spawn was cleared */
	after(f, 0.5);
	exit_code(f, 1);
	assert_int_equal(f->s.state, SVC_FATAL);
	assert_int_equal(f->s.failed_starts, 4);
	assert_int_equal(f->s.pid, 0);
	assert_time(f->s.deadline, 0);
	assert_int_equal(f->s.starts, 4);
	assert_int_equal(fake.nspawn, 3);
	assert_last_exit(f, EXIT_CODE, 1);
}

static void test_starting_failures_delay_capped_by_backoff_max(void **state)
{
	struct fx *f = *state;
	f->cfg.startretries = 6;
	f->cfg.backoff = 1;
	f->cfg.backoff_max = 5;
	to_starting(f);
	const double delays[] = { 1, 2, 4, 5, 5, 5 };
	for (unsigned i = 0; i < 6; i++) {
		after(f, 0.25);
		exit_code(f, 1);
		assert_int_equal(f->s.state, SVC_BACKOFF);
		assert_time(f->s.deadline, f->now + delays[i]);
		fire_deadline(f);
	}
	after(f, 0.25);
	exit_code(f, 1);
	assert_int_equal(f->s.state, SVC_FATAL);
	assert_int_equal(f->s.failed_starts, 7);
}

static void test_startretries_0_is_fatal_after_one_failure(void **state)
{
	struct fx *f = *state;
	f->cfg.startretries = 0;
	to_starting(f);
	exit_code(f, 1);
	assert_int_equal(f->s.state, SVC_FATAL);
	assert_int_equal(f->s.failed_starts, 1);
	assert_no_os_calls();
}

static void test_starting_backoff_0_retries_with_no_delay(void **state)
{
	struct fx *f = *state;
	f->cfg.backoff = 0;
	to_starting(f);
	after(f, 0.5);
	exit_code(f, 1);
	assert_int_equal(f->s.state, SVC_BACKOFF);
	assert_time(f->s.deadline, f->now);
}

static void test_starting_killed_by_signal_is_a_failed_start(void **state)
{
	struct fx *f = *state;
	to_starting(f);
	exit_signal(f, SIGSEGV);
	assert_int_equal(f->s.state, SVC_BACKOFF);
	assert_int_equal(f->s.failed_starts, 1);
	assert_last_exit(f, EXIT_SIGNAL, SIGSEGV);
}

static void test_starting_exec_failure_is_a_failed_start(void **state)
{
	struct fx *f = *state;
	to_starting(f);
	exit_exec_failed(f, ENOENT);
	assert_int_equal(f->s.state, SVC_BACKOFF);
	assert_int_equal(f->s.failed_starts, 1);
	assert_time(f->s.deadline, f->now + 1);
	assert_no_os_calls();
}

static void test_starting_stop_sends_stopsignal(void **state)
{
	struct fx *f = *state;
	f->cfg.stopsignal = SIGQUIT;
	f->cfg.stopasgroup = false;
	f->cfg.killasgroup = true;
	f->cfg.stopwaitsecs = 2.5;
	to_starting(f);
	after(f, 0.5);
	handle(f, SVC_STOP);
	assert_int_equal(fake.nkill, 1);
	assert_kill(0, FAKE_FIRST_PID, SIGQUIT, false);
	assert_int_equal(fake.nspawn, 0);
	assert_int_equal(f->s.state, SVC_STOPPING);
	assert_time(f->s.deadline, T0 + 0.5 + 2.5);
	assert_int_equal(f->s.pid, FAKE_FIRST_PID);
}

static void test_starting_kill_sends_sigkill_now(void **state)
{
	struct fx *f = *state;
	f->cfg.stopasgroup = false;
	f->cfg.killasgroup = true;
	to_starting(f);
	handle(f, SVC_KILL);
	assert_int_equal(fake.nkill, 1);
	assert_kill(0, FAKE_FIRST_PID, SIGKILL, true);
	assert_int_equal(f->s.state, SVC_STOPPING);
	assert_time(f->s.deadline, 0);
}

static void test_starting_exit_on_hold_is_exited_not_backoff(void **state)
{
	struct fx *f = *state;
	to_starting(f);
	handle(f, SVC_HOLD);
	after(f, 0.5);
	exit_code(f, 1);
	assert_int_equal(f->s.state, SVC_EXITED);
	assert_int_equal(f->s.pid, 0);
	assert_time(f->s.deadline, 0);
	assert_last_exit(f, EXIT_CODE, 1);
	assert_no_os_calls();
}

static void test_starting_ignores_start(void **state)
{
	struct fx *f = *state;
	to_starting(f);
	assert_ignores(f, SVC_START);
}

/* ---- RUNNING: exits and autorestart ---- */

static void test_running_expected_exit_is_exited(void **state)
{
	struct fx *f = *state;
	to_running(f);
	after(f, 10);
	exit_code(f, 0);
	assert_int_equal(f->s.state, SVC_EXITED);
	assert_int_equal(f->s.pid, 0);
	assert_time(f->s.deadline, 0);
	assert_last_exit(f, EXIT_CODE, 0);
	assert_true(svc_exited_expected(&f->s));
	assert_int_equal(f->s.starts, 1);
	assert_no_os_calls();
}

static void test_running_unexpected_exit_restarts_at_once(void **state)
{
	struct fx *f = *state;
	to_running(f);
	after(f, 10);
	double crash = f->now;
	exit_code(f, 1);
	assert_int_equal(fake.nspawn, 1);	/* now, not after a delay */
	assert_int_equal(f->s.state, SVC_STARTING);
	assert_int_equal(f->s.pid, FAKE_FIRST_PID + 1);
	assert_time(f->s.spawned_at, crash);
	assert_time(f->s.deadline, crash + 1);
	assert_int_equal(f->s.starts, 2);
	assert_int_equal(svc_restarts(&f->s), 1);
	assert_int_equal(f->s.failed_starts, 0);
	assert_last_exit(f, EXIT_CODE, 1);
	assert_false(svc_exited_expected(&f->s));
	assert_int_equal(fake.nkill, 0);
}

static void test_running_restart_with_startsecs_0_is_running_at_once(void **state)
{
	struct fx *f = *state;
	f->cfg.startsecs = 0;
	init(f);
	handle(f, SVC_START);
	after(f, 10);
	exit_code(f, 3);
	assert_int_equal(f->s.state, SVC_RUNNING);
	assert_int_equal(f->s.pid, FAKE_FIRST_PID + 1);
	assert_time(f->s.deadline, 0);
	assert_int_equal(svc_restarts(&f->s), 1);
	assert_int_equal(fake.nspawn, 2);
}

/* A program that really ran resets the count of failed starts: after an
 * exec failure and a good start, the next exec failure waits `backoff`
 * again, not twice as long. */
static void test_running_exit_resets_failed_starts(void **state)
{
	struct fx *f = *state;
	f->cfg.startsecs = 0;
	init(f);
	handle(f, SVC_START);
	exit_exec_failed(f, ENOENT);
	assert_int_equal(f->s.failed_starts, 1);
	fire_deadline(f);
	assert_int_equal(f->s.state, SVC_RUNNING);
	after(f, 100);
	exit_code(f, 1);	/* it ran, then crashed: restarted */
	assert_int_equal(f->s.state, SVC_RUNNING);
	assert_int_equal(f->s.failed_starts, 0);
	exit_exec_failed(f, ENOENT);
	assert_int_equal(f->s.state, SVC_BACKOFF);
	assert_int_equal(f->s.failed_starts, 1);
	assert_time(f->s.deadline, f->now + 1);
}

static void test_running_exit_uses_exitcodes(void **state)
{
	struct fx *f = *state;
	f->cfg.exitcodes[0] = false;
	f->cfg.exitcodes[3] = true;
	to_running(f);
	exit_code(f, 0);	/* no longer expected */
	assert_int_equal(f->s.state, SVC_STARTING);
	assert_int_equal(fake.nspawn, 1);
	fire_deadline(f);
	exit_code(f, 3);
	assert_int_equal(f->s.state, SVC_EXITED);
	assert_true(svc_exited_expected(&f->s));
	assert_int_equal(fake.nspawn, 1);
}

static void test_autorestart_true_restarts_an_expected_exit(void **state)
{
	struct fx *f = *state;
	f->cfg.autorestart = AUTORESTART_TRUE;
	to_running(f);
	exit_code(f, 0);
	assert_int_equal(f->s.state, SVC_STARTING);
	assert_int_equal(fake.nspawn, 1);
	assert_int_equal(svc_restarts(&f->s), 1);
	assert_last_exit(f, EXIT_CODE, 0);
}

static void test_autorestart_false_does_not_restart_an_unexpected_exit(void **state)
{
	struct fx *f = *state;
	f->cfg.autorestart = AUTORESTART_FALSE;
	to_running(f);
	exit_code(f, 1);
	assert_int_equal(f->s.state, SVC_EXITED);
	assert_false(svc_exited_expected(&f->s));
	assert_last_exit(f, EXIT_CODE, 1);
	assert_no_os_calls();
}

/* A death by signal is never an expected exit, even when the signal's
 * number is listed in exitcodes. */
static void test_killed_by_signal_is_unexpected(void **state)
{
	struct fx *f = *state;
	f->cfg.exitcodes[SIGTERM] = true;
	to_running(f);
	exit_signal(f, SIGTERM);
	assert_last_exit(f, EXIT_SIGNAL, SIGTERM);
	assert_false(svc_exited_expected(&f->s));
	assert_int_equal(f->s.state, SVC_STARTING);
	assert_int_equal(fake.nspawn, 1);
}

static void test_killed_by_signal_autorestart_false_is_exited(void **state)
{
	struct fx *f = *state;
	f->cfg.autorestart = AUTORESTART_FALSE;
	to_running(f);
	exit_signal(f, SIGSEGV);
	assert_int_equal(f->s.state, SVC_EXITED);
	assert_last_exit(f, EXIT_SIGNAL, SIGSEGV);
	assert_false(svc_exited_expected(&f->s));
	assert_no_os_calls();
}

static void test_running_exit_on_hold_is_not_restarted(void **state)
{
	struct fx *f = *state;
	f->cfg.autorestart = AUTORESTART_TRUE;
	to_running(f);
	handle(f, SVC_HOLD);
	exit_code(f, 1);
	assert_int_equal(f->s.state, SVC_EXITED);
	assert_int_equal(f->s.pid, 0);
	assert_int_equal(f->s.starts, 1);
	assert_no_os_calls();
}

/* startsecs = 0 made it RUNNING at once, but it never ran: a failed start
 * (BACKOFF after `backoff`), not an immediate restart. */
static void test_running_exec_failure_is_a_failed_start(void **state)
{
	struct fx *f = *state;
	f->cfg.startsecs = 0;
	init(f);
	handle(f, SVC_START);
	assert_int_equal(f->s.state, SVC_RUNNING);
	fake_clear_calls();
	exit_exec_failed(f, ENOENT);
	assert_int_equal(f->s.state, SVC_BACKOFF);
	assert_int_equal(f->s.pid, 0);
	assert_int_equal(f->s.failed_starts, 1);
	assert_time(f->s.deadline, T0 + 1);
	assert_no_os_calls();
	fire_deadline(f);
	assert_int_equal(f->s.state, SVC_RUNNING);
	assert_int_equal(fake.nspawn, 1);
}

/* ... and like any other failed start, it ends in FATAL after
 * 1 + startretries attempts, the delay doubling on the way. */
static void test_running_exec_failures_reach_fatal(void **state)
{
	struct fx *f = *state;
	f->cfg.startsecs = 0;
	init(f);
	handle(f, SVC_START);
	const double delays[] = { 1, 2, 4 };
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(f->s.state, SVC_RUNNING);
		exit_exec_failed(f, EACCES);
		assert_int_equal(f->s.state, SVC_BACKOFF);
		assert_int_equal(f->s.failed_starts, i + 1);
		assert_time(f->s.deadline, f->now + delays[i]);
		fire_deadline(f);
	}
	exit_exec_failed(f, EACCES);
	assert_int_equal(f->s.state, SVC_FATAL);
	assert_int_equal(f->s.failed_starts, 4);
	assert_int_equal(fake.nspawn, 4);
}

static void test_running_exec_failure_on_hold_is_exited(void **state)
{
	struct fx *f = *state;
	f->cfg.startsecs = 0;
	init(f);
	handle(f, SVC_START);
	fake_clear_calls();
	handle(f, SVC_HOLD);
	exit_exec_failed(f, ENOENT);
	assert_int_equal(f->s.state, SVC_EXITED);
	assert_time(f->s.deadline, 0);
	assert_no_os_calls();
}

static void test_running_restart_fork_failure_is_backoff(void **state)
{
	struct fx *f = *state;
	to_running(f);
	fake_spawn_fail(EINVAL);
	after(f, 10);
	exit_code(f, 1);
	assert_int_equal(fake.nspawn, 1);
	assert_int_equal(f->s.state, SVC_BACKOFF);
	assert_int_equal(f->s.pid, 0);
	assert_int_equal(f->s.failed_starts, 1);
	assert_time(f->s.deadline, f->now + 1);
	assert_int_equal(f->s.starts, 1);
}

static void test_running_stop_sends_stopsignal(void **state)
{
	struct fx *f = *state;
	to_running(f);
	after(f, 10);
	double t = f->now;
	handle(f, SVC_STOP);
	assert_int_equal(fake.nkill, 1);
	assert_kill(0, FAKE_FIRST_PID, SIGTERM, true);
	assert_int_equal(fake.nspawn, 0);
	assert_int_equal(f->s.state, SVC_STOPPING);
	assert_time(f->s.deadline, t + 5);
	assert_int_equal(f->s.pid, FAKE_FIRST_PID);
}

static void test_running_kill_sends_sigkill_now(void **state)
{
	struct fx *f = *state;
	f->cfg.killasgroup = false;
	to_running(f);
	handle(f, SVC_KILL);
	assert_int_equal(fake.nkill, 1);
	assert_kill(0, FAKE_FIRST_PID, SIGKILL, false);
	assert_int_equal(f->s.state, SVC_STOPPING);
	assert_time(f->s.deadline, 0);
}

static void test_running_ignores_start_and_deadline(void **state)
{
	struct fx *f = *state;
	to_running(f);
	assert_ignores(f, SVC_START);
	assert_ignores(f, SVC_DEADLINE);
}

/* ---- restart_limit / restart_window ---- */

static void test_restart_limit_fatal_instead_of_the_restart_over_the_limit(void **state)
{
	struct fx *f = *state;
	f->cfg.startsecs = 0;
	f->cfg.restart_limit = 3;
	f->cfg.restart_window = 60;
	init(f);
	handle(f, SVC_START);
	for (unsigned i = 1; i <= 3; i++) {
		after(f, 1);
		exit_code(f, 1);
		assert_int_equal(f->s.state, SVC_RUNNING);
		assert_int_equal(svc_restarts(&f->s), i);
	}
	fake_clear_calls();
	after(f, 1);
	exit_code(f, 1);
	assert_int_equal(f->s.state, SVC_FATAL);
	assert_int_equal(f->s.pid, 0);
	assert_time(f->s.deadline, 0);
	assert_int_equal(svc_restarts(&f->s), 3);
	assert_last_exit(f, EXIT_CODE, 1);
	assert_no_os_calls();
}

static void test_restart_limit_forgets_restarts_outside_the_window(void **state)
{
	struct fx *f = *state;
	f->cfg.startsecs = 0;
	f->cfg.restart_limit = 2;
	f->cfg.restart_window = 10;
	init(f);
	handle(f, SVC_START);
	f->now = T0 + 1;
	exit_code(f, 1);	/* restart at T0+1 */
	f->now = T0 + 2;
	exit_code(f, 1);	/* restart at T0+2 */
	f->now = T0 + 11.5;	/* T0+1 has left the window, T0+2 has not */
	exit_code(f, 1);
	assert_int_equal(f->s.state, SVC_RUNNING);
	assert_int_equal(svc_restarts(&f->s), 3);
	f->now = T0 + 11.75;	/* T0+2 and T0+11.5 are both within 10 s */
	exit_code(f, 1);
	assert_int_equal(f->s.state, SVC_FATAL);
	assert_int_equal(svc_restarts(&f->s), 3);
}

static void test_restart_limit_0_is_unlimited(void **state)
{
	struct fx *f = *state;
	f->cfg.startsecs = 0;
	f->cfg.restart_limit = 0;
	init(f);
	handle(f, SVC_START);
	for (unsigned i = 1; i <= 100; i++) {
		exit_code(f, 1);	/* all at the same instant */
		assert_int_equal(f->s.state, SVC_RUNNING);
	}
	assert_int_equal(svc_restarts(&f->s), 100);
	assert_int_equal(fake.nspawn, 101);
}

/* Retries of failed starts are startretries' business, not restart_limit's. */
static void test_restart_limit_ignores_retries_of_failed_starts(void **state)
{
	struct fx *f = *state;
	f->cfg.restart_limit = 1;
	f->cfg.restart_window = 60;
	to_backoff(f);
	fire_deadline(f);
	after(f, 0.5);
	exit_code(f, 1);
	assert_int_equal(f->s.state, SVC_BACKOFF);
	fire_deadline(f);
	fire_deadline(f);
	assert_int_equal(f->s.state, SVC_RUNNING);
	exit_code(f, 1);	/* the first automatic restart: allowed */
	assert_int_equal(f->s.state, SVC_STARTING);
	fire_deadline(f);
	exit_code(f, 1);	/* the second, within the window: not */
	assert_int_equal(f->s.state, SVC_FATAL);
}

static void test_restart_limit_on_hold_is_exited_not_fatal(void **state)
{
	struct fx *f = *state;
	f->cfg.startsecs = 0;
	f->cfg.restart_limit = 1;
	init(f);
	handle(f, SVC_START);
	exit_code(f, 1);
	handle(f, SVC_HOLD);
	exit_code(f, 1);
	assert_int_equal(f->s.state, SVC_EXITED);
}

/* ---- BACKOFF ---- */

static void test_backoff_deadline_spawns_again(void **state)
{
	struct fx *f = *state;
	to_backoff(f);
	fire_deadline(f);
	double t = f->now;
	assert_time(t, T0 + 0.5 + 1);
	assert_int_equal(fake.nspawn, 1);
	assert_int_equal(f->s.state, SVC_STARTING);
	assert_int_equal(f->s.pid, FAKE_FIRST_PID + 1);
	assert_time(f->s.deadline, t + 1);
	assert_time(f->s.spawned_at, t);
	assert_int_equal(f->s.starts, 2);
	assert_int_equal(svc_restarts(&f->s), 1);
	assert_int_equal(f->s.failed_starts, 1);
}

static void test_backoff_deadline_fork_failure_waits_longer(void **state)
{
	struct fx *f = *state;
	to_backoff(f);
	fake_spawn_fail(EINVAL);
	fire_deadline(f);
	assert_int_equal(fake.nspawn, 1);
	assert_int_equal(f->s.state, SVC_BACKOFF);
	assert_int_equal(f->s.failed_starts, 2);
	assert_time(f->s.deadline, f->now + 2);
	assert_int_equal(f->s.pid, 0);
	assert_int_equal(f->s.starts, 1);
}

static void test_backoff_stop_cancels_the_retry(void **state)
{
	struct fx *f = *state;
	to_backoff(f);
	handle(f, SVC_STOP);
	assert_int_equal(f->s.state, SVC_STOPPED);
	assert_time(f->s.deadline, 0);
	assert_int_equal(f->s.pid, 0);
	assert_no_os_calls();
}

static void test_backoff_kill_cancels_the_retry(void **state)
{
	struct fx *f = *state;
	to_backoff(f);
	handle(f, SVC_KILL);
	assert_int_equal(f->s.state, SVC_STOPPED);
	assert_time(f->s.deadline, 0);
	assert_no_os_calls();
}

/* Shutting down: a retry whose time comes before its stop (it may be
 * waiting for its dependents to stop) is not made. */
static void test_backoff_deadline_on_hold_does_not_spawn(void **state)
{
	struct fx *f = *state;
	to_backoff(f);
	handle(f, SVC_HOLD);
	fire_deadline(f);
	assert_int_equal(fake.nspawn, 0);
	assert_int_equal(f->s.pid, 0);
	assert_int_equal(f->s.state, SVC_STOPPED);
	assert_time(f->s.deadline, 0);
	assert_int_equal(f->s.starts, 1);
}

static void test_backoff_ignores_exit(void **state)
{
	struct fx *f = *state;
	to_backoff(f);
	assert_ignores(f, SVC_EXIT);
}

/* A start on request during the wait: now, with a fresh set of retries. */
static void test_backoff_start_spawns_now(void **state)
{
	struct fx *f = *state;
	to_backoff(f);
	handle(f, SVC_START);
	assert_int_equal(f->s.state, SVC_STARTING);
	assert_int_equal(f->s.failed_starts, 0);
	assert_int_equal(fake.nspawn, 1);
}

/* ---- RESTART (a request) ---- */

static void test_running_restart_stops_then_starts(void **state)
{
	struct fx *f = *state;
	f->cfg.stopsignal = SIGQUIT;
	to_running(f);
	pid_t old = f->s.pid;
	handle(f, SVC_RESTART);
	assert_int_equal(f->s.state, SVC_STOPPING);
	assert_kill(0, old, SIGQUIT, true);
	assert_int_equal(fake.nspawn, 0);
	after(f, 0.1);
	exit_signal(f, SIGQUIT);
	assert_int_equal(f->s.state, SVC_STARTING);
	assert_int_equal(fake.nspawn, 1);
	assert_int_not_equal(f->s.pid, old);
	assert_int_equal(svc_restarts(&f->s), 1);
}

static void test_stop_during_restart_cancels_the_start(void **state)
{
	struct fx *f = *state;
	to_running(f);
	handle(f, SVC_RESTART);
	handle(f, SVC_STOP);
	exit_signal(f, SIGTERM);
	assert_int_equal(f->s.state, SVC_STOPPED);
	assert_int_equal(fake.nspawn, 0);
}

static void test_restart_during_stop_starts_after(void **state)
{
	struct fx *f = *state;
	to_stopping(f);
	handle(f, SVC_RESTART);
	assert_int_equal(f->s.state, SVC_STOPPING);
	exit_signal(f, SIGTERM);
	assert_int_equal(f->s.state, SVC_STARTING);
}

static void test_restart_pending_dropped_on_shutdown(void **state)
{
	struct fx *f = *state;
	to_running(f);
	handle(f, SVC_RESTART);
	handle(f, SVC_HOLD);
	exit_signal(f, SIGTERM);
	assert_int_equal(f->s.state, SVC_STOPPED);
	assert_int_equal(fake.nspawn, 0);
}

/* ---- the goal: what the program should be, set only by events ---- */

static void test_goal_follows_requests(void **state)
{
	struct fx *f = *state;
	init(f);
	assert_int_equal(f->s.goal, GOAL_WAIT);
	handle(f, SVC_START);
	assert_int_equal(f->s.goal, GOAL_UP);
	handle(f, SVC_RESTART);
	assert_int_equal(f->s.goal, GOAL_RESTART);
	exit_signal(f, SIGTERM);	/* stopped, then started again */
	assert_int_equal(f->s.goal, GOAL_UP);
	handle(f, SVC_STOP);
	assert_int_equal(f->s.goal, GOAL_DOWN);
	exit_signal(f, SIGTERM);
	assert_int_equal(f->s.state, SVC_STOPPED);
	assert_int_equal(f->s.goal, GOAL_DOWN);
	/* a stop request to a stopped program: nothing to do, but it is stopped on request now */
	handle(f, SVC_START);
	handle(f, SVC_STOP);
	exit_signal(f, SIGTERM);
	handle(f, SVC_STOP);
	assert_int_equal(f->s.goal, GOAL_DOWN);
}

static void test_goal_autostart_false_is_off(void **state)
{
	struct fx *f = *state;
	f->cfg.autostart = false;
	init(f);
	assert_int_equal(f->s.goal, GOAL_OFF);
	assert_no_os_calls();
}

/* Shutting down wins: a held program is never started again, and it
 * remembers that it was told to stop. */
static void test_goal_hold_wins(void **state)
{
	struct fx *f = *state;
	to_running(f);
	handle(f, SVC_HOLD);
	assert_int_equal(f->s.goal, GOAL_HOLD);
	handle(f, SVC_RESTART);	/* stop, then not started again */
	assert_int_equal(f->s.goal, GOAL_HOLD);
	handle(f, SVC_STOP);
	assert_int_equal(f->s.goal, GOAL_QUIT);
	exit_signal(f, SIGTERM);
	assert_int_equal(f->s.state, SVC_STOPPED);
	assert_int_equal(f->s.goal, GOAL_QUIT);
	handle(f, SVC_STOP);	/* told again: still QUIT */
	assert_int_equal(f->s.goal, GOAL_QUIT);
}

/* A stop request while an unhealthy program is stopped on its way to
 * FATAL leaves that so; one during a restart cancels the restart. */
static void test_goal_stop_while_stopping(void **state)
{
	struct fx *f = *state;
	f->cfg.restart_on_unhealthy = true;
	f->cfg.restart_limit = 1;
	init(f);
	handle(f, SVC_START);
	after(f, 2);
	fire_deadline(f);
	handle(f, SVC_UNHEALTHY);	/* first: a restart */
	assert_int_equal(f->s.goal, GOAL_RESTART);
	handle(f, SVC_STOP);
	assert_int_equal(f->s.goal, GOAL_DOWN);
	exit_signal(f, SIGTERM);
	assert_int_equal(f->s.state, SVC_STOPPED);
	handle(f, SVC_START);
	after(f, 2);
	fire_deadline(f);
	handle(f, SVC_UNHEALTHY);	/* past the limit: on its way to FATAL */
	assert_int_equal(f->s.goal, GOAL_FATAL);
	handle(f, SVC_STOP);
	assert_int_equal(f->s.goal, GOAL_FATAL);
	exit_signal(f, SIGTERM);
	assert_int_equal(f->s.state, SVC_FATAL);
}

/* ---- UNHEALTHY (restart_on_unhealthy) ---- */

static void test_unhealthy_restarts_with_stopsignal(void **state)
{
	struct fx *f = *state;
	f->cfg.stopsignal = SIGQUIT;
	to_running(f);
	pid_t old = f->s.pid;
	handle(f, SVC_UNHEALTHY);
	assert_int_equal(f->s.state, SVC_STOPPING);
	assert_kill(0, old, SIGQUIT, true);
	exit_signal(f, SIGQUIT);
	assert_int_equal(f->s.state, SVC_STARTING);
	assert_int_equal(svc_restarts(&f->s), 1);
}

static void test_unhealthy_past_restart_limit_stops_then_fatal(void **state)
{
	struct fx *f = *state;
	f->cfg.restart_limit = 1;
	f->cfg.restart_window = 60;
	to_running(f);
	handle(f, SVC_UNHEALTHY);	/* the one restart the limit allows */
	exit_signal(f, SIGTERM);
	fire_deadline(f);
	assert_int_equal(f->s.state, SVC_RUNNING);
	fake_clear_calls();
	after(f, 5);
	handle(f, SVC_UNHEALTHY);	/* would exceed it: stopped, then FATAL */
	assert_int_equal(f->s.state, SVC_STOPPING);
	assert_int_equal(fake.nkill, 1);
	exit_signal(f, SIGTERM);
	assert_int_equal(f->s.state, SVC_FATAL);
	assert_int_equal(fake.nspawn, 0);
}

static void test_unhealthy_ignored_without_process(void **state)
{
	struct fx *f = *state;
	init(f);
	assert_ignores(f, SVC_UNHEALTHY);
	to_backoff(f);
	assert_ignores(f, SVC_UNHEALTHY);
}

static void test_fatal_restart_starts_fresh(void **state)
{
	struct fx *f = *state;
	to_fatal(f);
	handle(f, SVC_RESTART);
	assert_int_equal(f->s.state, SVC_STARTING);
	assert_int_equal(f->s.failed_starts, 0);
}

/* ---- STOPPING ---- */

static void test_stopping_deadline_sends_sigkill(void **state)
{
	struct fx *f = *state;
	f->cfg.stopasgroup = true;
	f->cfg.killasgroup = false;
	to_stopping(f);
	fire_deadline(f);
	assert_int_equal(fake.nkill, 1);
	assert_kill(0, FAKE_FIRST_PID, SIGKILL, false);
	assert_int_equal(f->s.state, SVC_STOPPING);
	assert_time(f->s.deadline, 0);
	assert_int_equal(f->s.pid, FAKE_FIRST_PID);
	assert_int_equal(fake.nspawn, 0);
}

static void test_stopping_exit_is_stopped(void **state)
{
	struct fx *f = *state;
	f->cfg.autorestart = AUTORESTART_TRUE;	/* a stop is never restarted */
	to_stopping(f);
	after(f, 1);
	exit_signal(f, SIGTERM);
	assert_int_equal(f->s.state, SVC_STOPPED);
	assert_int_equal(f->s.pid, 0);
	assert_time(f->s.deadline, 0);
	assert_last_exit(f, EXIT_SIGNAL, SIGTERM);
	assert_no_os_calls();
}

static void test_stopping_exit_after_sigkill_is_stopped(void **state)
{
	struct fx *f = *state;
	to_stopping(f);
	fire_deadline(f);
	exit_signal(f, SIGKILL);
	assert_int_equal(f->s.state, SVC_STOPPED);
	assert_last_exit(f, EXIT_SIGNAL, SIGKILL);
	assert_int_equal(fake.nkill, 1);
	assert_int_equal(fake.nspawn, 0);
}

static void test_stopping_kill_sends_sigkill_now(void **state)
{
	struct fx *f = *state;
	f->cfg.killasgroup = true;
	f->cfg.stopasgroup = false;
	to_stopping(f);
	handle(f, SVC_KILL);
	assert_int_equal(fake.nkill, 1);
	assert_kill(0, FAKE_FIRST_PID, SIGKILL, true);
	assert_int_equal(f->s.state, SVC_STOPPING);
	assert_time(f->s.deadline, 0);
}

static void test_stopping_ignores_start_and_stop(void **state)
{
	struct fx *f = *state;
	to_stopping(f);
	assert_ignores(f, SVC_START);
	assert_ignores(f, SVC_STOP);
}

/* ---- EXITED ---- */

static void test_exited_start_spawns(void **state)
{
	struct fx *f = *state;
	to_exited(f);
	handle(f, SVC_START);
	assert_int_equal(fake.nspawn, 1);
	assert_int_equal(f->s.state, SVC_STARTING);
	assert_int_equal(f->s.pid, FAKE_FIRST_PID + 1);
	assert_time(f->s.deadline, f->now + 1);
	assert_int_equal(svc_restarts(&f->s), 1);
}

static void test_exited_ignores_stop_kill_deadline_exit(void **state)
{
	struct fx *f = *state;
	to_exited(f);
	assert_ignores(f, SVC_STOP);
	assert_ignores(f, SVC_KILL);
	assert_ignores(f, SVC_DEADLINE);
	assert_ignores(f, SVC_EXIT);
}

/* ---- FATAL ---- */

static void test_fatal_start_gets_a_fresh_set_of_retries(void **state)
{
	struct fx *f = *state;
	f->cfg.startretries = 1;
	to_fatal(f);
	assert_int_equal(f->s.failed_starts, 2);
	handle(f, SVC_START);
	assert_int_equal(fake.nspawn, 1);
	assert_int_equal(f->s.state, SVC_STARTING);
	assert_int_equal(f->s.failed_starts, 0);
	assert_int_equal(f->s.pid, FAKE_FIRST_PID + 2);
	exit_code(f, 1);
	assert_int_equal(f->s.state, SVC_BACKOFF);	/* a retry left, not FATAL again */
	assert_int_equal(f->s.failed_starts, 1);
}

static void test_fatal_ignores_stop_kill_deadline_exit(void **state)
{
	struct fx *f = *state;
	to_fatal(f);
	assert_ignores(f, SVC_STOP);
	assert_ignores(f, SVC_KILL);
	assert_ignores(f, SVC_DEADLINE);
	assert_ignores(f, SVC_EXIT);
}

/* ---- oneshot: a task (its own table, task_transitions) ---- */

/* A task as the config makes it: startsecs is there, and does not matter. */
static void task_running(struct fx *f, double startsecs)
{
	f->cfg.oneshot = true;
	f->cfg.startsecs = startsecs;
	init(f);
	handle(f, SVC_START);
	fake_clear_calls();
}

/* Its start lasts as long as it runs: STARTING, no startsecs deadline. */
static void test_task_start_is_starting_until_it_exits(void **state)
{
	struct fx *f = *state;
	f->cfg.oneshot = true;
	f->cfg.startsecs = 2;
	init(f);
	fake_spawn_pid(4242);
	handle(f, SVC_START);
	assert_int_equal(f->s.state, SVC_STARTING);
	assert_int_equal(f->s.pid, 4242);
	assert_time(f->s.deadline, 0);
	assert_int_equal(f->s.starts, 1);
	assert_int_equal(f->s.goal, GOAL_UP);
	assert_int_equal(fake.nspawn, 1);
}

/* startsecs = 0 makes a program RUNNING at once; a task is still starting. */
static void test_task_startsecs_0_is_starting_too(void **state)
{
	struct fx *f = *state;
	task_running(f, 0);
	assert_int_equal(f->s.state, SVC_STARTING);
	assert_time(f->s.deadline, 0);
}

/* An expected code: done, whether before or long after startsecs. */
static void test_task_expected_exit_is_done(void **state)
{
	const double runs[] = { 0.01, 1, 600 };
	for (unsigned i = 0; i < sizeof runs / sizeof runs[0]; i++) {
		struct fx *f = *state;
		if (f->inited)
			svc_free(&f->s);
		fake_reset();
		task_running(f, 1);
		after(f, runs[i]);
		exit_code(f, 0);
		assert_int_equal(f->s.state, SVC_EXITED);
		assert_int_equal(f->s.pid, 0);
		assert_time(f->s.deadline, 0);
		assert_int_equal(f->s.failed_starts, 0);
		assert_true(svc_exited_expected(&f->s));
		assert_last_exit(f, EXIT_CODE, 0);
		assert_no_os_calls();	/* not restarted, not signalled */
	}
}

static void test_task_exit_uses_exitcodes(void **state)
{
	struct fx *f = *state;
	f->cfg.exitcodes[0] = false;
	f->cfg.exitcodes[3] = true;
	task_running(f, 1);
	exit_code(f, 3);
	assert_int_equal(f->s.state, SVC_EXITED);
	assert_true(svc_exited_expected(&f->s));
}

/* Any other code, before or after startsecs: a failed start, retried
 * after backoff (never at once, as a RUNNING program's crash is). */
static void test_task_unexpected_exit_is_a_failed_start(void **state)
{
	struct fx *f = *state;
	f->cfg.backoff = 0.5;
	task_running(f, 1);
	after(f, 30);	/* long past startsecs */
	exit_code(f, 1);
	assert_int_equal(f->s.state, SVC_BACKOFF);
	assert_int_equal(f->s.failed_starts, 1);
	assert_int_equal(f->s.pid, 0);
	assert_time(f->s.deadline, f->now + 0.5);
	assert_last_exit(f, EXIT_CODE, 1);
	assert_no_os_calls();
	fire_deadline(f);
	assert_int_equal(f->s.state, SVC_STARTING);
	assert_time(f->s.deadline, 0);
	assert_int_equal(f->s.pid, FAKE_FIRST_PID + 1);
	assert_int_equal(fake.nspawn, 1);
}

static void test_task_killed_by_signal_is_a_failed_start(void **state)
{
	struct fx *f = *state;
	task_running(f, 1);
	exit_signal(f, SIGSEGV);
	assert_int_equal(f->s.state, SVC_BACKOFF);
	assert_last_exit(f, EXIT_SIGNAL, SIGSEGV);
}

/* exitcodes may list 127; a command that could not be executed is still
 * a failed start. */
static void test_task_exec_failure_is_a_failed_start(void **state)
{
	struct fx *f = *state;
	f->cfg.exitcodes[127] = true;
	task_running(f, 1);
	exit_exec_failed(f, ENOENT);
	assert_int_equal(f->s.state, SVC_BACKOFF);
	assert_int_equal(f->s.failed_starts, 1);
}

/* 1 + startretries failed runs, then FATAL; whatever autorestart says. */
static void test_task_failures_reach_fatal(void **state)
{
	const enum autorestart policies[] = { AUTORESTART_UNEXPECTED, AUTORESTART_FALSE };
	for (unsigned i = 0; i < 2; i++) {
		struct fx *f = *state;
		if (f->inited)
			svc_free(&f->s);
		fake_reset();
		f->cfg.autorestart = policies[i];
		f->cfg.startretries = 2;
		task_running(f, 1);
		for (unsigned run = 1; run <= 3; run++) {
			after(f, 5);
			exit_code(f, 2);
			if (run < 3) {
				assert_int_equal(f->s.state, SVC_BACKOFF);
				fire_deadline(f);
				assert_int_equal(f->s.state, SVC_STARTING);
			}
		}
		assert_int_equal(f->s.state, SVC_FATAL);
		assert_int_equal(f->s.failed_starts, 3);
		assert_int_equal(f->s.starts, 3);
	}
}

/* A success after failed runs is done, and forgets them. */
static void test_task_success_after_a_failed_run(void **state)
{
	struct fx *f = *state;
	task_running(f, 1);
	exit_code(f, 1);
	fire_deadline(f);
	exit_code(f, 0);
	assert_int_equal(f->s.state, SVC_EXITED);
	assert_int_equal(f->s.failed_starts, 0);
	assert_int_equal(svc_restarts(&f->s), 1);
}

/* Done is for good: nothing but a request starts it again. */
static void test_task_done_is_never_restarted(void **state)
{
	struct fx *f = *state;
	task_running(f, 1);
	exit_code(f, 0);
	fake_clear_calls();
	assert_ignores(f, SVC_STOP);
	assert_ignores(f, SVC_KILL);
	assert_ignores(f, SVC_DEADLINE);
	assert_ignores(f, SVC_EXIT);
	assert_ignores(f, SVC_UNHEALTHY);
	assert_ignores(f, SVC_HOLD);
	assert_int_equal(f->s.state, SVC_EXITED);
}

/* A start or restart request runs a finished task again. */
static void test_task_start_request_runs_it_again(void **state)
{
	const enum svc_event requests[] = { SVC_START, SVC_RESTART };
	for (unsigned i = 0; i < 2; i++) {
		struct fx *f = *state;
		if (f->inited)
			svc_free(&f->s);
		fake_reset();
		task_running(f, 1);
		exit_code(f, 0);
		fake_clear_calls();
		handle(f, requests[i]);
		assert_int_equal(f->s.state, SVC_STARTING);
		assert_time(f->s.deadline, 0);
		assert_int_equal(f->s.pid, FAKE_FIRST_PID + 1);
		assert_int_equal(svc_restarts(&f->s), 1);
		assert_int_equal(fake.nspawn, 1);
		exit_code(f, 0);
		assert_int_equal(f->s.state, SVC_EXITED);
	}
}

/* While it runs: a second start changes nothing; its deadline and health
 * cannot come (none is set, the config refuses a healthcheck). */
static void test_task_running_ignores_start_deadline_unhealthy(void **state)
{
	struct fx *f = *state;
	task_running(f, 1);
	assert_ignores(f, SVC_START);
	assert_ignores(f, SVC_DEADLINE);
	assert_ignores(f, SVC_UNHEALTHY);
	assert_int_equal(f->s.state, SVC_STARTING);
}

/* A stop (on request, or at shutdown in its turn) stops it like a program. */
static void test_task_stop_while_it_runs(void **state)
{
	struct fx *f = *state;
	task_running(f, 1);
	handle(f, SVC_STOP);
	assert_int_equal(f->s.state, SVC_STOPPING);
	assert_kill(0, FAKE_FIRST_PID, SIGTERM, true);
	assert_time(f->s.deadline, f->now + 5);
	fire_deadline(f);
	assert_kill(1, FAKE_FIRST_PID, SIGKILL, true);
	exit_signal(f, SIGKILL);
	assert_int_equal(f->s.state, SVC_STOPPED);
	assert_int_equal(f->s.goal, GOAL_DOWN);
	assert_int_equal(fake.nspawn, 0);
}

/* A restart request while it runs: stopped, then run again from the start. */
static void test_task_restart_while_it_runs(void **state)
{
	struct fx *f = *state;
	task_running(f, 1);
	handle(f, SVC_RESTART);
	assert_int_equal(f->s.state, SVC_STOPPING);
	assert_kill(0, FAKE_FIRST_PID, SIGTERM, true);
	exit_signal(f, SIGTERM);
	assert_int_equal(f->s.state, SVC_STARTING);
	assert_int_equal(f->s.pid, FAKE_FIRST_PID + 1);
	assert_time(f->s.deadline, 0);
	assert_int_equal(f->s.failed_starts, 0);
}

/* Shutting down: its exit, whatever the code, is not retried. */
static void test_task_exit_on_hold_is_exited(void **state)
{
	const int codes[] = { 0, 1 };
	for (unsigned i = 0; i < 2; i++) {
		struct fx *f = *state;
		if (f->inited)
			svc_free(&f->s);
		fake_reset();
		task_running(f, 1);
		handle(f, SVC_HOLD);
		exit_code(f, codes[i]);
		assert_int_equal(f->s.state, SVC_EXITED);
		assert_int_equal(svc_exited_expected(&f->s), codes[i] == 0);
		assert_time(f->s.deadline, 0);
		assert_no_os_calls();
	}
}

/* ---- counters and helpers ---- */

static void test_restarts_count_every_start_after_the_first(void **state)
{
	struct fx *f = *state;
	init(f);
	assert_int_equal(svc_restarts(&f->s), 0);
	handle(f, SVC_START);
	assert_int_equal(svc_restarts(&f->s), 0);
	exit_code(f, 1);	/* failed start */
	fire_deadline(f);	/* retry */
	assert_int_equal(svc_restarts(&f->s), 1);
	fire_deadline(f);	/* RUNNING */
	exit_code(f, 1);	/* crash: restarted */
	assert_int_equal(svc_restarts(&f->s), 2);
	handle(f, SVC_STOP);
	exit_signal(f, SIGTERM);
	assert_int_equal(f->s.state, SVC_STOPPED);
	assert_int_equal(svc_restarts(&f->s), 2);
	handle(f, SVC_START);	/* on request */
	assert_int_equal(svc_restarts(&f->s), 3);
	assert_int_equal(f->s.starts, 4);
}

static void test_last_exit_is_recorded(void **state)
{
	struct fx *f = *state;
	f->cfg.startsecs = 0;
	f->cfg.autorestart = AUTORESTART_TRUE;
	init(f);
	handle(f, SVC_START);
	exit_code(f, 255);
	assert_last_exit(f, EXIT_CODE, 255);
	exit_signal(f, SIGABRT);
	assert_last_exit(f, EXIT_SIGNAL, SIGABRT);
	exit_code(f, 0);
	assert_last_exit(f, EXIT_CODE, 0);
}

static void test_backoff_delay_doubles_up_to_the_cap(void **state)
{
	struct fx *f = *state;
	f->cfg.backoff = 1;
	f->cfg.backoff_max = 30;
	const double want[] = { 1, 2, 4, 8, 16, 30, 30 };
	for (unsigned i = 0; i < 7; i++)
		assert_time(svc_backoff_delay(&f->cfg, i + 1), want[i]);
	assert_time(svc_backoff_delay(&f->cfg, 1000), 30);
}

static void test_backoff_delay_fractions(void **state)
{
	struct fx *f = *state;
	f->cfg.backoff = 0.5;
	f->cfg.backoff_max = 3;
	const double want[] = { 0.5, 1, 2, 3, 3 };
	for (unsigned i = 0; i < 5; i++)
		assert_time(svc_backoff_delay(&f->cfg, i + 1), want[i]);
}

static void test_backoff_delay_0_is_always_0(void **state)
{
	struct fx *f = *state;
	f->cfg.backoff = 0;
	f->cfg.backoff_max = 30;
	for (unsigned n = 1; n <= 10; n++)
		assert_time(svc_backoff_delay(&f->cfg, n), 0);
}

static void test_backoff_delay_over_the_cap_is_capped(void **state)
{
	struct fx *f = *state;
	f->cfg.backoff = 50;
	f->cfg.backoff_max = 30;
	assert_time(svc_backoff_delay(&f->cfg, 1), 30);
	assert_time(svc_backoff_delay(&f->cfg, 2), 30);
	assert_time(svc_backoff_delay(&f->cfg, 5), 30);
	f->cfg.backoff = 1;
	f->cfg.backoff_max = 0;
	assert_time(svc_backoff_delay(&f->cfg, 1), 0);
	assert_time(svc_backoff_delay(&f->cfg, 3), 0);
}

static void test_state_names(void **state)
{
	(void)state;
	assert_string_equal(svc_state_name(SVC_STOPPED), "STOPPED");
	assert_string_equal(svc_state_name(SVC_STARTING), "STARTING");
	assert_string_equal(svc_state_name(SVC_RUNNING), "RUNNING");
	assert_string_equal(svc_state_name(SVC_BACKOFF), "BACKOFF");
	assert_string_equal(svc_state_name(SVC_STOPPING), "STOPPING");
	assert_string_equal(svc_state_name(SVC_EXITED), "EXITED");
	assert_string_equal(svc_state_name(SVC_FATAL), "FATAL");
	assert_string_equal(svc_state_name(SVC_NSTATES), "?");
}

/* A stop during the retries, then a start on request: a fresh set of
 * retries, not the one failure left of the old count. */
static void start_after_stop_resets_retries(void **state)
{
	struct fx *f = *state;
	f->cfg.startretries = 2;
	to_backoff(f);
	fire_deadline(f);
	after(f, 0.5);
	exit_code(f, 1);
	assert_int_equal(f->s.failed_starts, 2);
	handle(f, SVC_STOP);
	assert_int_equal(f->s.state, SVC_STOPPED);
	handle(f, SVC_START);
	after(f, 0.5);
	exit_code(f, 1);
	assert_int_equal(f->s.state, SVC_BACKOFF);
	assert_int_equal(f->s.failed_starts, 1);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	log_setup(LOG_ERROR, LOG_TEXT);
	const struct CMUnitTest tests[] = {
		T(start_after_stop_resets_retries),
		T(test_defaults_are_the_spec_defaults),
		T(test_init_is_stopped),
		/* STOPPED */
		T(test_stopped_start_spawns_into_starting),
		T(test_stopped_start_startsecs_0_is_running_at_once),
		T(test_stopped_start_fork_failure_is_a_failed_start),
		T(test_start_short_of_resources_is_put_off),
		T(test_restart_short_of_resources_is_put_off),
		T(test_fatal_without_a_process_keeps_the_reason),
		T(test_fork_failures_reach_fatal),
		T(test_stopped_ignores_stop_kill_deadline_exit),
		/* STARTING */
		T(test_starting_deadline_is_running_and_resets_failed_starts),
		T(test_starting_exit_is_backoff),
		T(test_starting_expected_exit_is_still_a_failed_start),
		T(test_starting_failures_double_the_delay_then_fatal),
		T(test_starting_failures_delay_capped_by_backoff_max),
		T(test_startretries_0_is_fatal_after_one_failure),
		T(test_starting_backoff_0_retries_with_no_delay),
		T(test_starting_killed_by_signal_is_a_failed_start),
		T(test_starting_exec_failure_is_a_failed_start),
		T(test_starting_stop_sends_stopsignal),
		T(test_starting_kill_sends_sigkill_now),
		T(test_starting_exit_on_hold_is_exited_not_backoff),
		T(test_starting_ignores_start),
		/* RUNNING */
		T(test_running_expected_exit_is_exited),
		T(test_running_unexpected_exit_restarts_at_once),
		T(test_running_restart_with_startsecs_0_is_running_at_once),
		T(test_running_exit_resets_failed_starts),
		T(test_running_exit_uses_exitcodes),
		T(test_autorestart_true_restarts_an_expected_exit),
		T(test_autorestart_false_does_not_restart_an_unexpected_exit),
		T(test_killed_by_signal_is_unexpected),
		T(test_killed_by_signal_autorestart_false_is_exited),
		T(test_running_exit_on_hold_is_not_restarted),
		T(test_running_exec_failure_is_a_failed_start),
		T(test_running_exec_failures_reach_fatal),
		T(test_running_exec_failure_on_hold_is_exited),
		T(test_running_restart_fork_failure_is_backoff),
		T(test_running_stop_sends_stopsignal),
		T(test_running_kill_sends_sigkill_now),
		T(test_running_ignores_start_and_deadline),
		/* restart_limit */
		T(test_restart_limit_fatal_instead_of_the_restart_over_the_limit),
		T(test_restart_limit_forgets_restarts_outside_the_window),
		T(test_restart_limit_0_is_unlimited),
		T(test_restart_limit_ignores_retries_of_failed_starts),
		T(test_restart_limit_on_hold_is_exited_not_fatal),
		/* BACKOFF */
		T(test_backoff_deadline_spawns_again),
		T(test_backoff_deadline_fork_failure_waits_longer),
		T(test_backoff_stop_cancels_the_retry),
		T(test_backoff_kill_cancels_the_retry),
		T(test_backoff_deadline_on_hold_does_not_spawn),
		T(test_backoff_ignores_exit),
		T(test_backoff_start_spawns_now),
		T(test_running_restart_stops_then_starts),
		T(test_stop_during_restart_cancels_the_start),
		T(test_restart_during_stop_starts_after),
		T(test_restart_pending_dropped_on_shutdown),
		T(test_goal_follows_requests),
		T(test_goal_autostart_false_is_off),
		T(test_goal_hold_wins),
		T(test_goal_stop_while_stopping),
		T(test_fatal_restart_starts_fresh),
		T(test_unhealthy_restarts_with_stopsignal),
		T(test_unhealthy_past_restart_limit_stops_then_fatal),
		T(test_unhealthy_ignored_without_process),
		/* STOPPING */
		T(test_stopping_deadline_sends_sigkill),
		T(test_stopping_exit_is_stopped),
		T(test_stopping_exit_after_sigkill_is_stopped),
		T(test_stopping_kill_sends_sigkill_now),
		T(test_stopping_ignores_start_and_stop),
		/* EXITED, FATAL */
		T(test_exited_start_spawns),
		T(test_exited_ignores_stop_kill_deadline_exit),
		T(test_fatal_start_gets_a_fresh_set_of_retries),
		T(test_fatal_ignores_stop_kill_deadline_exit),
		/* oneshot */
		T(test_task_start_is_starting_until_it_exits),
		T(test_task_startsecs_0_is_starting_too),
		T(test_task_expected_exit_is_done),
		T(test_task_exit_uses_exitcodes),
		T(test_task_unexpected_exit_is_a_failed_start),
		T(test_task_killed_by_signal_is_a_failed_start),
		T(test_task_exec_failure_is_a_failed_start),
		T(test_task_failures_reach_fatal),
		T(test_task_success_after_a_failed_run),
		T(test_task_done_is_never_restarted),
		T(test_task_start_request_runs_it_again),
		T(test_task_running_ignores_start_deadline_unhealthy),
		T(test_task_stop_while_it_runs),
		T(test_task_restart_while_it_runs),
		T(test_task_exit_on_hold_is_exited),
		/* counters and helpers */
		T(test_restarts_count_every_start_after_the_first),
		T(test_last_exit_is_recorded),
		T(test_backoff_delay_doubles_up_to_the_cap),
		T(test_backoff_delay_fractions),
		T(test_backoff_delay_0_is_always_0),
		T(test_backoff_delay_over_the_cap_is_capped),
		T(test_state_names),
	};
	return cmocka_run_group_tests_name("svc", tests, NULL, NULL);
}

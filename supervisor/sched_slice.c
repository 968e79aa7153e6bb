/* A short scheduling slice for tend, not for its programs.
 *
 * tend sleeps nearly all the time, and when it wakes (a signal to pass on,
 * a child to reap, a probe's answer) something waits on what it does next.
 * Linux's EEVDF scheduler (6.12 on) lets a task ask for a shorter slice
 * (sched_attr's sched_runtime under SCHED_NORMAL; no privilege needed). It
 * gives tend no more CPU time than before; it moves tend's deadlines
 * earlier, so that:
 * - a woken tend runs sooner on a busy CPU;
 * - a program woken by tend's stop signal (or a forwarded one) on tend's
 *   own CPU no longer preempts tend before the next program's signal is
 *   out: without it, with one kill per program (each has its own process
 *   group), the second program could wait for the whole of the first one's
 *   handling, and even its exit.
 * SCHED_FLAG_RESET_ON_FORK gives every child (programs, exec probes) the
 * default slice back. Older kernels take the call and ignore the slice.
 * The operator's own choice stands: under another policy, or a negative
 * nice (which the reset would not pass on to the programs), nothing is
 * changed. Numbers: docs/benchmarks.md. */
#include "sched_slice.h"

#include <errno.h>
#include <linux/sched.h>
#include <linux/sched/types.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "log.h"

/* the shortest the kernel takes */
#define SHORT_SLICE_NS 100000

void sched_slice_ask_short(void)
{
	struct sched_attr now = { .size = sizeof now };
	if (syscall(SYS_sched_getattr, 0, &now, sizeof now, 0) < 0) {
		log_debug("scheduling slice left as it is: sched_getattr: %s", strerror(errno));
		return;
	}
	if (now.sched_policy != SCHED_NORMAL || now.sched_nice < 0) {
		log_debug("scheduling slice left as it is: policy %u, nice %d chosen for tend", now.sched_policy,
			  now.sched_nice);
		return;
	}
	struct sched_attr want = {
		.size = sizeof want,
		.sched_policy = SCHED_NORMAL,
		.sched_flags = SCHED_FLAG_RESET_ON_FORK,
		.sched_nice = now.sched_nice,
		.sched_runtime = SHORT_SLICE_NS,
	};
	if (syscall(SYS_sched_setattr, 0, &want, 0) < 0)
		log_debug("scheduling slice left as it is: sched_setattr: %s", strerror(errno));
}

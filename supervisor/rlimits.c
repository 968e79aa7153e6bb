#include "rlimits.h"

#include <errno.h>
#include <string.h>
#include <sys/resource.h>

#include "log.h"

/* The soft limit to at least want; the hard one too where it is lower
 * (root may raise it); else as far as the hard limit allows. */
static void raise_to(int resource, const char *name, const char *key, unsigned long want)
{
	struct rlimit rl;
	if (want == 0 || getrlimit(resource, &rl) < 0 || (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur >= want))
		return;
	struct rlimit raised = { .rlim_cur = want, .rlim_max = rl.rlim_max };
	if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < want)
		raised.rlim_max = want;
	if (setrlimit(resource, &raised) == 0) {
		log_debug("%s raised to %lu (%s)", name, want, key);
		return;
	}
	int err = errno;
	raised.rlim_cur = raised.rlim_max = rl.rlim_max;
	if (rl.rlim_cur < rl.rlim_max)
		setrlimit(resource, &raised);
	log_warn("%s: cannot raise %s to %lu (%s); it is %llu", key, name, want, strerror(err),
		 (unsigned long long)rl.rlim_max);
}

void rlimits_raise(const struct config *cfg)
{
	raise_to(RLIMIT_NOFILE, "RLIMIT_NOFILE", "minfds", cfg->minfds);
	raise_to(RLIMIT_NPROC, "RLIMIT_NPROC", "minprocs", cfg->minprocs);
}

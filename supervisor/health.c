#include "health.h"

static const char *const names[] = {
	[HEALTH_NONE] = "none", [HEALTH_STARTING] = "starting", [HEALTH_HEALTHY] = "healthy",
	[HEALTH_UNHEALTHY] = "unhealthy",
};

const char *health_name(enum health_state state)
{
	return names[state];
}

void health_reset(struct health *h, bool probed, double now)
{
	h->state = probed ? HEALTH_STARTING : HEALTH_NONE;
	h->failures = 0;
	h->started_at = now;
}

bool health_lost(struct health *h)
{
	bool changed = h->state != HEALTH_UNHEALTHY;
	h->state = HEALTH_UNHEALTHY;
	return changed;
}

bool health_report(struct health *h, const struct health_rules *rules, bool ok, double now)
{
	enum health_state before = h->state;
	if (h->state == HEALTH_NONE)
		return false;
	if (ok) {
		h->failures = 0;
		h->state = HEALTH_HEALTHY;
	} else if (now - h->started_at >= rules->start_period) {
		/* during the start period a failure is not held against it */
		if (++h->failures >= rules->retries)
			h->state = HEALTH_UNHEALTHY;
	}
	return h->state != before;
}

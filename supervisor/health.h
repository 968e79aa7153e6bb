/* A program's health from its probe results (tend(8) PROGRAM STATES): `starting` until the
 * first verdict, `healthy` on a success, `unhealthy` after
 * healthcheck_retries failures in a row; failures during
 * healthcheck_start_period do not count. Pure: the clock is passed in. */
#ifndef TEND_HEALTH_H
#define TEND_HEALTH_H

#include <stdbool.h>

enum health_state { HEALTH_NONE, HEALTH_STARTING, HEALTH_HEALTHY, HEALTH_UNHEALTHY };

struct health_rules {
	unsigned retries;	/* failures in a row that make it unhealthy */
	double start_period;	/* seconds after the start when failures do not count */
};

struct health {
	enum health_state state;
	unsigned failures;	/* counted failures in a row */
	double started_at;
};

const char *health_name(enum health_state state);
/* A new process: `starting` when it has a probe, else `none`. */
void health_reset(struct health *h, bool probed, double now);
/* The watchdog ran out: unhealthy at once. Returns true when that is new. */
bool health_lost(struct health *h);
/* One probe's result. Returns true when the state changed. */
bool health_report(struct health *h, const struct health_rules *rules, bool ok, double now);

#endif

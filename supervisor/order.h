/* Start and stop order (tend.ini(5) `priority`, `depends_on`; tend(8) SIGNALS).
 *
 * Start: a program starts once its depends_on are satisfied; among programs
 * free to start, lower priority first, then file order. `start_step` numbers
 * the steps of that order as if every program were ready at once; programs
 * of one step start together.
 *
 * Stop: the reverse. Q is gone before P gets its stop signal when Q started
 * in a later step and there is an order between them: Q depends on P, or
 * their priorities differ. (Taken from the start steps rather than from the
 * priority numbers alone, so that a dependency against the priorities can
 * never make two programs wait for each other.) */
#ifndef TEND_ORDER_H
#define TEND_ORDER_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

/* Finds a depends_on cycle. Returns false when there is none; otherwise
 * fills path with the programs on it, first one repeated at the end. */
bool order_find_cycle(const struct config *cfg, size_t *path, size_t *path_len);
/* Sets start_step of every program. The graph must be acyclic. */
void order_assign_steps(struct config *cfg);
/* Computes, once at load, who depends on whom (directly or through
 * others) as one bit row per program, so that every question asked while
 * running is a lookup. Needs the start steps. False: out of memory. */
bool order_compute_closure(struct config *cfg);
/* Does a depend on b, directly or through others? (A lookup once the
 * closure is computed; else a walk that visits each program once.) */
bool order_depends_on(const struct config *cfg, size_t a, size_t b);
/* Must q be gone before p is sent its stop signal? */
bool order_stops_before(const struct config *cfg, size_t q, size_t p);

#endif

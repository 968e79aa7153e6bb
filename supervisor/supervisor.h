/* The event loop that owns everything that happens at run time: signals,
 * the one place that reaps children, each program's timer, the start order
 * and the ordered shutdown. The programs' state machines (svc.h) only
 * decide; this file feeds them events and carries out the timing. */
#ifndef TEND_SUPERVISOR_H
#define TEND_SUPERVISOR_H

#include <stdbool.h>

#include "config.h"

enum run_mode {
	MODE_PROGRAMS,	/* the programs of a config file */
	MODE_SINGLE,	/* tend -- COMMAND: one program, tini-style */
};

/* Runs until shutdown; returns tend's exit status (tend(8) EXIT STATUS). */
int supervisor_run(struct config *cfg, enum run_mode mode);

#endif

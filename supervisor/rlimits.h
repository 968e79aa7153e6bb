/* [supervisord]'s minfds and minprocs: the soft limits of tend (and so of
 * its programs) raised to at least that, at start, as supervisord does. */
#ifndef TEND_RLIMITS_H
#define TEND_RLIMITS_H

#include "config.h"

/* Logs a warning for a limit it cannot raise that far. */
void rlimits_raise(const struct config *cfg);

#endif

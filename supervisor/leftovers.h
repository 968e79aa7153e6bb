/* Processes left when the programs have stopped (a daemon that escaped its
 * group, say): as PID 1 every other process of the container, otherwise
 * tend's own descendants (tend(8) SIGNALS). */
#ifndef TEND_LEFTOVERS_H
#define TEND_LEFTOVERS_H

#include <stdbool.h>

/* Sends sig to every leftover process. Returns how many were signalled. */
int leftovers_signal(bool pid1, int sig);

#endif

/* Two small things every part of tend needs: the one clock that durations
 * and deadlines are measured on, and the way back from a watcher embedded
 * in a struct to that struct (libev's advice). */
#ifndef TEND_UTIL_H
#define TEND_UTIL_H

#include <stddef.h>
#include <time.h>

#define container_of(ptr, type, member) ((type *)((char *)(ptr) - offsetof(type, member)))

/* Seconds on CLOCK_MONOTONIC: deaf to changes of the wall clock. */
static inline double mono_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#endif

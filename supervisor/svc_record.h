/* svc.c's helpers (svc_record.c): shared by the two files of the programs'
 * state machine only. */
#ifndef TEND_SVC_RECORD_H
#define TEND_SVC_RECORD_H

#include <stdbool.h>
#include <stddef.h>

#include "log.h"
#include "svc.h"

/* "exited with code 1", "killed by signal KILL" */
void describe_exit(const struct svc *s, char *buf, size_t n);
/* One log line of a transition; with_exit adds the last exit's fields. */
void note(const struct svc *s, enum log_level level, const char *event, bool with_exit, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
void record_exit(struct svc *s, const struct svc_exit *e);
/* restart_limit: true when one more automatic restart now would exceed it. */
bool restart_limit_reached(const struct svc *s, double now);
void count_restart(struct svc *s, double now);

#endif

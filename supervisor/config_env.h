/* A program's environment, made when the config is loaded: tend's own with
 * the program's `environment` put over it, and for notify = true the
 * variables sd_notify reads. */
#ifndef TEND_CONFIG_ENV_H
#define TEND_CONFIG_ENV_H

#include <stdbool.h>

#include "config.h"

/* tend's environment with extra (KEY=value strings, NULL: none) over it;
 * the strings are borrowed. NULL: out of memory. */
char **env_for_program(char **extra);

/* Adds NOTIFY_SOCKET (the program's own socket, beside tend's) and, with
 * watchdog_sec, WATCHDOG_USEC to p->env_extra. false: not added, with an
 * error in diags, or *oom, or no socket (reported already). */
bool env_add_notify(const struct config *cfg, struct program_config *p, struct diagnostics *diags, bool *oom);

/* LISTEN_FDS and LISTEN_FDNAMES for a program with `listen` (its sockets
 * named already), into p->listen_env; the child adds LISTEN_PID. They are
 * not in p->envp: tend's other children (exec probes) must not see them.
 * false: out of memory. */
bool env_add_listen(struct program_config *p);

#endif

/* The client commands (tend(8)): tend status, health, start, stop, restart
 * and signal ask a running tend over its unix socket, with plain blocking
 * HTTP/1.1 and a bounded wait. They run instead of the supervisor, never
 * inside its loop. */
#ifndef TEND_CLIENT_H
#define TEND_CLIENT_H

#include <stdbool.h>

/* Whether word (argv[1]) names a client command. */
bool client_is_command(const char *word);

/* Runs the command argv[0] with its arguments; returns the exit status:
 * 0 done (health: ready), 1 tend said no (not ready, no such program,
 * conflict), 2 usage error or tend unreachable. */
int client_main(int argc, char **argv);

#endif

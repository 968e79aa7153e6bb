/* The sockets of `listen` (tend.ini(5)): made, bound and listening before any
 * program starts, held by tend as long as it runs, so that connections
 * wait in their backlog while a program restarts. tend's copies are
 * close-on-exec; spawn.c hands them to the program's processes. */
#ifndef TEND_LISTEN_H
#define TEND_LISTEN_H

#include <stddef.h>

#include "listen_spec.h"

/* A blocking socket listening at s with backlog, close-on-exec; -1 with
 * the OS error in err ("Address already in use"). A unix socket file that
 * nobody listens on any more is replaced; one in use, or anything that is
 * not a socket, is an error. */
int listen_open(const struct listen_spec *s, unsigned backlog, char *err, size_t n);

#endif

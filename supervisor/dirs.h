/* Directories for the sockets tend makes (its API socket, notify sockets). */
#ifndef TEND_DIRS_H
#define TEND_DIRS_H

#include <stdbool.h>
#include <stddef.h>

/* Creates the directories above path (mode 0755), like mkdir -p of its
 * dirname. False with a reason in err. */
bool dirs_make_parents(const char *path, char *err, size_t n);

#endif

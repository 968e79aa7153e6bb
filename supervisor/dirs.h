/* Directories for the sockets tend makes (its API socket, notify sockets). */
#ifndef TEND_DIRS_H
#define TEND_DIRS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Creates the directories above path (mode 0755), like mkdir -p of its
 * dirname. False with a reason in err. */
bool dirs_make_parents(const char *path, char *err, size_t n);

/* Whether only root and uid can change what the name path stands for: its
 * directory, and every directory above it (as written, and once symbolic
 * links are resolved), belongs to root or uid; its directory is writable by
 * no one else; a directory above it is writable by others only when sticky.
 * False with a reason, naming the directory at fault, in err. */
bool dirs_check_private(const char *path, uid_t uid, char *err, size_t n);

#endif

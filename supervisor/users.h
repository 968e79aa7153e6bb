/* `user = name | uid | uid:gid`, resolved once when the config is loaded by
 * reading the passwd and group files directly (fgetpwent): no NSS, so it
 * works the same in a static binary and in a minimal image. */
#ifndef TEND_USERS_H
#define TEND_USERS_H

#include <stddef.h>

#include "config.h"

bool user_resolve(const char *spec, const char *passwd_path, const char *group_path,
		  struct run_as *out, char *err, size_t n);
void user_free(struct run_as *u);

#endif

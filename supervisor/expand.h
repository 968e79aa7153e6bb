/* ${VAR}, ${VAR:-default} and $$ in config values, expanded from tend's
 * environment when the file is loaded. */
#ifndef TEND_EXPAND_H
#define TEND_EXPAND_H

#include <stddef.h>

/* Returns a malloc'd expansion, or NULL with a message in error. */
char *expand_vars(const char *value, char *error, size_t error_size);

#endif

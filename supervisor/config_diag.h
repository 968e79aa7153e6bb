/* The diagnostics of loading a config: collected as the steps find them,
 * sorted by line at the end, printed as "tend: FILE:LINE: text". */
#ifndef TEND_CONFIG_DIAG_H
#define TEND_CONFIG_DIAG_H

#include <stdbool.h>

#include "config.h"

/* line 0: about the whole file. A failed allocation still counts as an
 * error, so that the config is refused. */
void diag_add(struct diagnostics *d, int line, bool warning, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void diag_sort(struct diagnostics *d);

#endif

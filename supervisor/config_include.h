/* Reading a config file and the files its [include] sections name
 * (supervisord's `files = PATTERN …`), in place, into one config_ini. */
#ifndef TEND_CONFIG_INCLUDE_H
#define TEND_CONFIG_INCLUDE_H

#include <stdbool.h>

#include "config.h"
#include "config_ini.h"

/* Reads path (or, if text is not NULL, text as the file named path) and
 * its includes into ini; files read go into ini->files and diags->files. */
void config_include_read(struct config_ini *ini, const char *path, const char *text,
			 bool (*is_key)(const char *name), struct diagnostics *diags);

#endif

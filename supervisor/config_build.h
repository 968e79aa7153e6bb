/* The second step of loading a config: the sections read from the file
 * made into a struct config. */
#ifndef TEND_CONFIG_BUILD_H
#define TEND_CONFIG_BUILD_H

#include "config.h"
#include "config_ini.h"

/* Applies every section through the key tables, resolves the dependencies,
 * makes the programs' environments and checks what takes several keys.
 * NULL when diags hold any error; name is the file's, for cfg->path. */
struct config *config_build(const struct config_ini *ini, const char *name, struct diagnostics *diags);

#endif

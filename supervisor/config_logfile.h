/* supervisord's [program:x] keys about where output goes (stdout_logfile,
 * stderr_logfile and their companions) and the others it has that tend
 * does not need: mapped where tend can do the same, a warning where the
 * file would have done something that tend does not (tend.ini(5)). */
#ifndef TEND_CONFIG_LOGFILE_H
#define TEND_CONFIG_LOGFILE_H

#include <stdbool.h>

#include "config.h"
#include "config_ini.h"
#include "config_keys.h"
#include "config_percent.h"

/* Whether the key is one of those read here. */
bool logfile_key(const char *key);

/* Applies the section's keys of this file to the draft, once the draft's
 * own keys are applied (redirect_stderr among them). */
void logfile_apply(const struct ini_section *s, const struct percent_names *names, const char *label,
		   struct program_draft *d, struct diagnostics *diags);

#endif

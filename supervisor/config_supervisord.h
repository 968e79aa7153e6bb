/* The sections of a supervisord.conf that are not programs (tend.ini(5)):
 * [supervisord] mapped where tend has the same setting, the server and
 * client sections accepted with a warning, [group:x] read for
 * %(group_name)s, [eventlistener:x] and [fcgi-program:x] refused. */
#ifndef TEND_CONFIG_SUPERVISORD_H
#define TEND_CONFIG_SUPERVISORD_H

#include <stdbool.h>

#include "config.h"
#include "config_ini.h"

struct supervisord_group {
	const char *name;	/* borrowed from its section */
	char **programs;	/* program section names, after the "program:" */
	int line;
};

/* What the sections set, applied to the programs once they are read. */
struct supervisord_settings {
	const struct ini_section *main;	/* the [supervisord] section, if any */
	char *const *files;	/* the files read (config_ini.files), for diagnostics */
	size_t nfiles;
	bool has_loglevel;
	enum log_level loglevel;
	char **environment;	/* KEY=value, added to each program's */
	struct supervisord_group *groups;
	size_t ngroups;
	bool oom;
};

/* Whether the section is one of supervisord's own; if so it is read into
 * sv (and cfg, for minfds and minprocs) with its diagnostics. */
bool supervisord_section(struct supervisord_settings *sv, struct config *cfg, const struct ini_section *s,
			 const char *here, struct diagnostics *diags);

/* The [group:x] that lists the program section `program` ("web" for
 * [program:web]), or NULL. */
const char *supervisord_group_of(const struct supervisord_settings *sv, const char *program);

/* Adds sv's environment to a program's own (its own wins); false: no memory. */
bool supervisord_add_environment(const struct supervisord_settings *sv, char ***env);

void supervisord_settings_free(struct supervisord_settings *sv);

#endif

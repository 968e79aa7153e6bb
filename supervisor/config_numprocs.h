/* supervisord's numprocs: one [program:x] section that makes numprocs
 * programs, numbered from numprocs_start, each named by process_name
 * (default %(program_name)s) with its %(process_num). */
#ifndef TEND_CONFIG_NUMPROCS_H
#define TEND_CONFIG_NUMPROCS_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "config_ini.h"
#include "config_percent.h"

#define NUMPROCS_MAX 1000

struct numprocs {
	unsigned count;		/* numprocs */
	unsigned start;		/* numprocs_start */
	const char *process_name;	/* as written, borrowed from the section */
	int name_line;		/* 0: the default */
};

/* The section's numprocs, numprocs_start and process_name; false after an
 * error (in diags). names: for the expansion of the values. */
bool numprocs_read(const struct ini_section *s, const struct percent_names *names, const char *label,
		   struct numprocs *np, struct diagnostics *diags);

/* The name of the program whose number is names->process_num; false with
 * a message in err. */
bool numprocs_name(const struct numprocs *np, const struct percent_names *names, char *out, size_t n, char *err,
		   size_t errn);

/* Whether the key is one of the three read here. */
bool numprocs_key(const char *key);

#endif

/* supervisord's expansions in config values: %(ENV_X)s, %(program_name)s,
 * %(process_num)d (with a printf-like spec, %(process_num)02d),
 * %(numprocs)d, %(group_name)s, %(here)s, %(host_node_name)s, and %% for a %. A % that is
 * followed by neither ( nor % stays as written (`date +%s`). */
#ifndef TEND_CONFIG_PERCENT_H
#define TEND_CONFIG_PERCENT_H

#include <stdbool.h>
#include <stddef.h>

/* What the names stand for where a value is read; NULL (or has_num false):
 * the name is not known there, and using it is an error. */
struct percent_names {
	const char *program_name;
	const char *group_name;
	const char *here;	/* the directory of the file the value is in */
	int process_num;
	int numprocs;
	bool has_num;		/* process_num and numprocs are known */
};

/* Returns a malloc'd expansion, or NULL with a message in err. Each '$'
 * that an expansion inserts is doubled, so that the ${VAR} expansion that
 * follows (expand.h) leaves it as it is: text either one inserts is never
 * expanded again. */
char *percent_expand(const char *value, const struct percent_names *names, char *err, size_t n);

/* %(here)s of the file at path: the absolute directory it is in (the
 * path's own directory where the file cannot be resolved). */
void percent_here(const char *path, char *here, size_t n);

/* %(…)s, then ${VAR}: a value of the file as the keys see it. */
char *percent_and_vars(const char *value, const struct percent_names *names, char *err, size_t n);

#endif

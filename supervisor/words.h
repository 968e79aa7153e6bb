/* Splits a command line into words the way a POSIX shell does (quotes and
 * backslashes), without running a shell: no globbing, no variables. */
#ifndef TEND_WORDS_H
#define TEND_WORDS_H

/* Returns a NULL-terminated argv in one allocation (free() it once), or NULL
 * with *error set to a static message. An empty command is an error. */
char **words_split(const char *line, const char **error);

#endif

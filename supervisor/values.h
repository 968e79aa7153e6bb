/* Parsers for the kinds of values a config key takes. Each returns false and
 * writes a short reason into err (no key name: the caller adds that). */
#ifndef TEND_VALUES_H
#define TEND_VALUES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

#define DURATION_MAX 86400.0	/* one day: anything longer is a typo */

bool value_bool(const char *s, bool *out, char *err, size_t n);
bool value_duration(const char *s, double *out, char *err, size_t n);
bool value_count(const char *s, unsigned max, unsigned *out, char *err, size_t n);
/* A count from min to max: the message of one out of range names both. */
bool value_count_range(const char *s, unsigned min, unsigned max, unsigned *out, char *err, size_t n);
bool value_octal(const char *s, int max, int *out, char *err, size_t n);
bool value_signal(const char *s, int *out, char *err, size_t n);
bool value_autorestart(const char *s, enum autorestart *out, char *err, size_t n);
bool value_exitcodes(const char *s, bool codes[EXIT_CODES_MAX], char *err, size_t n);
bool value_forward_signals(const char *s, uint64_t *out, char *err, size_t n);
/* KEY="value",KEY2=value2 into a NULL-terminated list of "KEY=value". */
bool value_environment(const char *s, char ***out, char *err, size_t n);
/* a,b , c into a NULL-terminated list of names (empty list allowed). */
bool value_list(const char *s, char ***out, char *err, size_t n);
void value_list_free(char **list);

/* The signals forward_signals may name (tend(8) SIGNALS). */
#define FORWARDABLE_SIGNALS "HUP, USR1, USR2, WINCH"

#endif

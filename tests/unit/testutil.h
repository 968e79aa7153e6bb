/* Helpers shared by the unit tests (cmocka). Everything is static inline so
 * that a test file using only part of it still builds with -Werror. */
#ifndef TEND_TESTUTIL_H
#define TEND_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the four headers above */
#include <cmocka.h>

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* cmocka 1.1.5 has no assert_double_equal. */
#define assert_double(actual, expected)                                                              \
	do {                                                                                         \
		double a_ = (actual), e_ = (expected);                                               \
		if (fabs(a_ - e_) > 1e-9)                                                            \
			fail_msg("%s is %g, expected %g", #actual, a_, e_);                          \
	} while (0)

/* Fails unless haystack contains needle, showing both. */
#define assert_contains(haystack, needle)                                                            \
	do {                                                                                         \
		const char *h_ = (haystack), *n_ = (needle);                                         \
		if (!h_ || !strstr(h_, n_))                                                          \
			fail_msg("\"%s\" does not contain \"%s\"", h_ ? h_ : "(null)", n_);          \
	} while (0)

/* Writes text to a new file under dir; returns its malloc'd path. */
static inline char *write_temp_file(const char *dir, const char *name, const char *text)
{
	size_t len = strlen(dir) + strlen(name) + 2;
	char *path = malloc(len);
	assert_non_null(path);
	snprintf(path, len, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	return path;
}

#endif

/* JSON string literals decoded for the reader (json_read.h): escapes,
 * \uXXXX with surrogate pairs to UTF-8 (a lone surrogate becomes U+FFFD),
 * each string NUL-terminated in one buffer of all of them. */
#ifndef TEND_JSON_STRING_H
#define TEND_JSON_STRING_H

#include <stdbool.h>
#include <stddef.h>

/* Where the decoded strings go: only counted while buf is NULL (the
 * reader's first pass), written in the second. */
struct json_strings {
	char *buf;
	size_t len;	/* bytes so far, NULs included */
};

/* Decodes the string at *p (on its opening quote; end: the end of the
 * text) into s and moves *p past its closing quote; in the second pass
 * *out and *len tell where it went. False when it is malformed, with *p on
 * the byte at fault and what is wrong in err. */
bool json_string_read(const char **p, const char *end, struct json_strings *s, const char **out, size_t *len,
		      char *err, size_t n);

#endif

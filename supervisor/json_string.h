/* JSON strings as the reader (json_read.h) decodes them: escapes, \uXXXX
 * with surrogate pairs to UTF-8 (a lone surrogate becomes U+FFFD), the
 * text NUL-terminated in the strings buffer. */
#ifndef TEND_JSON_STRING_H
#define TEND_JSON_STRING_H

#include <stdbool.h>
#include <stddef.h>

#include "json_read.h"

/* A string, ps->p on its opening quote. Its decoded text goes to the
 * strings buffer; *out and *len tell where (second pass only). */
bool json_read_string(struct json_reader *ps, const char **out, size_t *len);

#endif

/* The reader behind json_parse (json.h), private to json*.c: one pass
 * over the text, which only validates and counts nodes and string bytes
 * (nodes == NULL, the first) or fills them in (the second). */
#ifndef TEND_JSON_READ_H
#define TEND_JSON_READ_H

#include <stdbool.h>
#include <stddef.h>

#include "json.h"
#include "json_string.h"

struct json_reader {
	const char *start, *p, *end;
	struct json_value *nodes;
	size_t nnodes;
	struct json_strings strings;
	char *err;
	size_t errsize;
	bool failed;
};

/* One pass from the start: the top-level value into *root, and nothing
 * after it but whitespace. */
bool json_read(struct json_reader *ps, struct json_value **root);
/* Keeps the first error, "offset N: what", in ps->err; returns false. */
bool json_read_error(struct json_reader *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif

/* A small JSON reader (RFC 8259) for the answers of tend's API, used by the
 * client commands. json_parse builds a read-only tree with two allocations
 * (one array of nodes, one buffer for the decoded strings): a first pass
 * validates and counts, a second fills. Strings are decoded (escapes,
 * \uXXXX with surrogate pairs to UTF-8; a lone surrogate becomes U+FFFD) and
 * NUL-terminated; `len` gives their length in bytes, which counts through
 * any \u0000. Nesting is limited to JSON_MAX_DEPTH; anything after the
 * top-level value but whitespace is an error. */
#ifndef TEND_JSON_H
#define TEND_JSON_H

#include <stdbool.h>
#include <stddef.h>

#define JSON_MAX_DEPTH 64

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT };

struct json_value {
	enum json_type type;
	bool boolean;			/* JSON_BOOL */
	double number;			/* JSON_NUMBER */
	const char *string;		/* JSON_STRING: decoded, NUL-terminated */
	size_t len;			/* string: bytes; array, object: number of items */
	const char *key;		/* a member of an object: its name (decoded); else NULL */
	size_t key_len;
	const struct json_value *child;	/* array, object: first item */
	const struct json_value *next;	/* the next item of the same array or object */
};

struct json_doc {
	const struct json_value *root;
	struct json_value *nodes;	/* private */
	char *strings;			/* private */
};

/* Parses text[0..len) (no NUL needed). On success fills doc and returns true;
 * on error returns false with "offset N: what" in err (doc then needs no
 * json_free, but it does no harm). */
bool json_parse(struct json_doc *doc, const char *text, size_t len, char *err, size_t errsize);
void json_free(struct json_doc *doc);

/* The member `key` of an object (the first, if repeated); NULL when v is not
 * an object or has no such member. Every accessor takes NULL too. */
const struct json_value *json_get(const struct json_value *v, const char *key);
/* Item i of an array; NULL when v is not an array or is too short. */
const struct json_value *json_at(const struct json_value *v, size_t i);
/* The string, or NULL when v is not a string. */
const char *json_str(const struct json_value *v);
/* The number in *out; false (and *out untouched) when v is not a number. */
bool json_num(const struct json_value *v, double *out);
bool json_is(const struct json_value *v, enum json_type type);

#endif

/* A growable byte buffer for HTTP answers. A failed allocation marks the
 * buffer failed instead of aborting: PID 1 answers 500 and lives on. */
#ifndef TEND_STRBUF_H
#define TEND_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

struct strbuf {
	char *data;
	size_t len, cap;
	bool failed;
};

void sb_put(struct strbuf *b, const void *p, size_t n);
void sb_puts(struct strbuf *b, const char *s);
void sb_printf(struct strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A JSON string literal, quotes included, of the NUL-terminated s, or of
 * the n bytes at p (NULs included); escaped by json_escape.h's rules. */
void sb_json_string(struct strbuf *b, const char *s);
void sb_json_bytes(struct strbuf *b, const char *p, size_t n);
/* Drops the first n bytes (what has been sent). */
void sb_consume(struct strbuf *b, size_t n);
void sb_reset(struct strbuf *b);
void sb_free(struct strbuf *b);

#endif

/* Inputs placed so that they end exactly where a PROT_NONE page begins: a
 * parser that reads past buf[len - 1] crashes the test (the idea of
 * picohttpparser's tests). For the HTTP parser's tests. */
#ifndef TEND_GUARD_PAGE_H
#define TEND_GUARD_PAGE_H

#include "testutil.h"

#include <sys/mman.h>

#include "http_parser.h"

#define ARENA_DATA (64 * 1024)

static char *arena;	/* ARENA_DATA readable bytes, then one PROT_NONE page */

static inline int setup_arena(void **state)
{
	(void)state;
	long page = sysconf(_SC_PAGESIZE);
	char *map = mmap(NULL, ARENA_DATA + (size_t)page, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (map == MAP_FAILED)
		return -1;
	if (mprotect(map + ARENA_DATA, (size_t)page, PROT_NONE) != 0)
		return -1;
	arena = map;
	return 0;
}

static inline int teardown_arena(void **state)
{
	(void)state;
	munmap(arena, ARENA_DATA + (size_t)sysconf(_SC_PAGESIZE));
	return 0;
}

/* A copy of data[0..len) that ends at the guard page. */
static inline char *place(const void *data, size_t len)
{
	assert_true(len <= ARENA_DATA);
	char *buf = arena + ARENA_DATA - len;
	memcpy(buf, data, len);
	return buf;
}

static inline const char *result_name(int r)
{
	switch (r) {
	case HTTP_PARTIAL:
		return "HTTP_PARTIAL";
	case HTTP_BAD:
		return "HTTP_BAD";
	case HTTP_TOO_LARGE:
		return "HTTP_TOO_LARGE";
	default:
		return r > 0 ? "a head length" : "(not a result)";
	}
}

/* Shows a short input with escapes, for failure messages. */
static inline const char *show(const char *s, size_t len)
{
	static char out[400];
	size_t o = 0;
	for (size_t i = 0; i < len && o + 8 < sizeof out; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x7f && c != '\\')
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, sizeof out - o, "\\x%02x", c);
	}
	if (o + 8 >= sizeof out)
		o += (size_t)snprintf(out + o, sizeof out - o, "...");
	out[o] = '\0';
	return out;
}

#endif

/* libFuzzer target for http_parse_request (make fuzz): no crash, no read
 * past the input (ASan: libFuzzer's buffer is exactly size bytes), and the
 * result and the parsed fields keep their invariants. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http_parser.h"

#define CHECK(cond)                    \
	do {                           \
		if (!(cond))           \
			__builtin_trap(); \
	} while (0)

static int parse_copy(const uint8_t *data, size_t len, struct http_request *req)
{
	/* an exact-size copy, so that ASan catches reading past len */
	char *copy = malloc(len ? len : 1);
	CHECK(copy);
	if (len)
		memcpy(copy, data, len);
	int r = http_parse_request(copy, len, req);
	free(copy);
	return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct http_request req, again;
	memset(&req, 0x5a, sizeof req);
	struct http_request before = req;
	int r = http_parse_request(buf, size, &req);

	if (r <= 0) {
		CHECK(r == HTTP_PARTIAL || r == HTTP_BAD || r == HTTP_TOO_LARGE);
		CHECK(memcmp(&req, &before, sizeof req) == 0);	/* untouched */
		if (r == HTTP_PARTIAL)
			CHECK(size < HTTP_HEAD_MAX);
		if (r == HTTP_TOO_LARGE)
			CHECK(size >= HTTP_HEAD_MAX);
		/* a prefix of a partial input is partial; of a too-large one,
		 * partial or too large, never a complete head */
		if (r == HTTP_PARTIAL && size > 0) {
			CHECK(parse_copy(data, size / 2, &again) == HTTP_PARTIAL);
			CHECK(parse_copy(data, size - 1, &again) == HTTP_PARTIAL);
		}
		if (r == HTTP_TOO_LARGE) {
			CHECK(parse_copy(data, HTTP_HEAD_MAX, &again) == HTTP_TOO_LARGE);
			CHECK(parse_copy(data, HTTP_HEAD_MAX - 1, &again) == HTTP_PARTIAL);
		}
		return 0;
	}

	/* a complete head */
	size_t n = (size_t)r;
	CHECK(n <= size && n <= HTTP_HEAD_MAX);
	CHECK(buf[n - 1] == '\n');
	CHECK(req.method_len > 0 && req.method_name >= buf);
	CHECK(req.method_name + req.method_len < req.path);
	CHECK(req.method_name[req.method_len] == ' ');
	CHECK(req.path > buf && req.path + req.path_len <= buf + n);
	CHECK(req.path_len > 0 && req.path[0] == '/');
	CHECK(req.path[-1] == ' ');
	for (size_t i = 0; i < req.path_len; i++) {
		unsigned char c = (unsigned char)req.path[i];
		CHECK(c > 0x20 && c < 0x7f && c != '?' && c != '#');
	}
	CHECK(req.minor_version == 0 || req.minor_version == 1);
	CHECK(req.method <= HTTP_OTHER);
	if (req.method == HTTP_GET)
		CHECK(req.method_len == 3 && memcmp(req.method_name, "GET", 3) == 0);
	if (req.method == HTTP_HEAD)
		CHECK(req.method_len == 4 && memcmp(req.method_name, "HEAD", 4) == 0);
	if (req.method == HTTP_POST)
		CHECK(req.method_len == 4 && memcmp(req.method_name, "POST", 4) == 0);
	if (req.content_length > 0)
		CHECK(req.has_body);
	/* keep_alive away from the version's default needs the option sent */
	if (req.minor_version == 1 ? !req.keep_alive : req.keep_alive) {
		char *lower = malloc(n);
		CHECK(lower);
		for (size_t i = 0; i < n; i++)
			lower[i] = (char)(buf[i] | (buf[i] >= 'A' && buf[i] <= 'Z' ? 0x20 : 0));
		CHECK(memmem(lower, n, "connection:", 11));
		CHECK(memmem(lower, n, req.keep_alive ? "keep-alive" : "close",
			     req.keep_alive ? 10 : 5));
		free(lower);
	}

	/* the head alone, and any longer input, gives the same result; every
	 * proper prefix is partial */
	CHECK(parse_copy(data, n, &again) == r);
	CHECK(again.method == req.method && again.method_len == req.method_len &&
	      again.path_len == req.path_len && again.minor_version == req.minor_version &&
	      again.keep_alive == req.keep_alive && again.has_body == req.has_body &&
	      again.content_length == req.content_length);
	CHECK(parse_copy(data, n - 1, &again) == HTTP_PARTIAL);
	CHECK(parse_copy(data, n / 2, &again) == HTTP_PARTIAL);
	return 0;
}

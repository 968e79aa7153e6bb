/* libFuzzer target for http_parse_request, http_parse_response and
 * http_parse_status (make fuzz): every input goes through all three. No
 * crash, no read past the input (ASan: libFuzzer's buffer is exactly size
 * bytes), and the results and the parsed fields keep their invariants. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http_parser.h"

#define CHECK(cond)                    \
	do {                           \
		if (!(cond))           \
			__builtin_trap(); \
	} while (0)

/* An exact-size copy, so that ASan catches reading past len. */
static char *copy_of(const uint8_t *data, size_t len)
{
	char *copy = malloc(len ? len : 1);
	CHECK(copy);
	if (len)
		memcpy(copy, data, len);
	return copy;
}

static int request_copy(const uint8_t *data, size_t len, struct http_request *req)
{
	char *copy = copy_of(data, len);
	int r = http_parse_request(copy, len, req);
	free(copy);
	return r;
}

static int response_copy(const uint8_t *data, size_t len, struct http_response *resp)
{
	char *copy = copy_of(data, len);
	int r = http_parse_response(copy, len, resp);
	free(copy);
	return r;
}

/* What every entry point promises when the head is not complete and
 * well-formed: a prefix of a partial input is partial; of a too-large one,
 * partial or too large, never a complete head. parse is either entry
 * point, through a copy. */
static void check_failure(int r, const uint8_t *data, size_t size, int (*parse)(const uint8_t *, size_t))
{
	CHECK(r == HTTP_PARTIAL || r == HTTP_BAD || r == HTTP_TOO_LARGE);
	if (r == HTTP_PARTIAL)
		CHECK(size < HTTP_HEAD_MAX);
	if (r == HTTP_TOO_LARGE)
		CHECK(size >= HTTP_HEAD_MAX);
	if (r == HTTP_PARTIAL && size > 0) {
		CHECK(parse(data, size / 2) == HTTP_PARTIAL);
		CHECK(parse(data, size - 1) == HTTP_PARTIAL);
	}
	if (r == HTTP_TOO_LARGE) {
		CHECK(parse(data, HTTP_HEAD_MAX) == HTTP_TOO_LARGE);
		CHECK(parse(data, HTTP_HEAD_MAX - 1) == HTTP_PARTIAL);
	}
}

static int request_result(const uint8_t *data, size_t len)
{
	struct http_request req;
	return request_copy(data, len, &req);
}

static int response_result(const uint8_t *data, size_t len)
{
	struct http_response resp;
	return response_copy(data, len, &resp);
}

/* keep_alive away from the version's default needs the option sent */
static void check_keep_alive(const char *buf, size_t n, int minor_version, bool keep_alive)
{
	if (minor_version == 1 ? keep_alive : !keep_alive)
		return;
	char *lower = malloc(n);
	CHECK(lower);
	for (size_t i = 0; i < n; i++)
		lower[i] = (char)(buf[i] | (buf[i] >= 'A' && buf[i] <= 'Z' ? 0x20 : 0));
	CHECK(memmem(lower, n, "connection:", 11));
	CHECK(memmem(lower, n, keep_alive ? "keep-alive" : "close", keep_alive ? 10 : 5));
	free(lower);
}

static void check_request(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct http_request req, again;
	memset(&req, 0x5a, sizeof req);
	struct http_request before = req;
	int r = http_parse_request(buf, size, &req);
	if (r <= 0) {
		CHECK(memcmp(&req, &before, sizeof req) == 0);	/* untouched */
		check_failure(r, data, size, request_result);
		return;
	}

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
	check_keep_alive(buf, n, req.minor_version, req.keep_alive);

	/* the head alone, and any longer input, gives the same result; every
	 * proper prefix is partial */
	CHECK(request_copy(data, n, &again) == r);
	CHECK(again.method == req.method && again.method_len == req.method_len &&
	      again.path_len == req.path_len && again.minor_version == req.minor_version &&
	      again.keep_alive == req.keep_alive && again.has_body == req.has_body &&
	      again.content_length == req.content_length);
	CHECK(request_result(data, n - 1) == HTTP_PARTIAL);
	CHECK(request_result(data, n / 2) == HTTP_PARTIAL);
}

/* http_parse_status agrees with the response's start. */
static void check_status(const uint8_t *data, size_t size, int response_r, int response_status)
{
	char *copy = copy_of(data, size);
	int status = -1;
	int r = http_parse_status(copy, size, &status);
	free(copy);
	CHECK(r == HTTP_STATUS_START || r == HTTP_PARTIAL || r == HTTP_BAD);
	if (r == HTTP_STATUS_START)
		CHECK(status >= 100 && status <= 599 && memcmp(data, "HTTP/1.", 7) == 0);
	else
		CHECK(status == -1 && response_r <= 0);
	if (response_r > 0)
		CHECK(r == HTTP_STATUS_START && status == response_status);
	if (r == HTTP_BAD)
		CHECK(response_r == HTTP_BAD);
	if (r == HTTP_PARTIAL)
		CHECK(size < HTTP_STATUS_START && (response_r == HTTP_PARTIAL));
}

static void check_response(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;
	struct http_response resp, again;
	memset(&resp, 0x5a, sizeof resp);
	struct http_response before = resp;
	int r = http_parse_response(buf, size, &resp);
	check_status(data, size, r, resp.status);
	if (r <= 0) {
		CHECK(memcmp(&resp, &before, sizeof resp) == 0);
		check_failure(r, data, size, response_result);
		return;
	}

	size_t n = (size_t)r;
	CHECK(n <= size && n <= HTTP_HEAD_MAX);
	CHECK(buf[n - 1] == '\n');
	CHECK(resp.minor_version == 0 || resp.minor_version == 1);
	CHECK(resp.status >= 100 && resp.status <= 599);
	CHECK(resp.reason >= buf + HTTP_STATUS_START && resp.reason + resp.reason_len < buf + n);
	for (size_t i = 0; i < resp.reason_len; i++) {
		unsigned char c = (unsigned char)resp.reason[i];
		CHECK(c == '\t' || c >= 0x20);
		CHECK(c != 0x7f);
	}
	if (!resp.has_length)
		CHECK(resp.content_length == 0);
	check_keep_alive(buf, n, resp.minor_version, resp.keep_alive);

	CHECK(response_copy(data, n, &again) == r);
	CHECK(again.status == resp.status && again.minor_version == resp.minor_version &&
	      again.reason_len == resp.reason_len && again.keep_alive == resp.keep_alive &&
	      again.has_length == resp.has_length && again.content_length == resp.content_length &&
	      again.has_transfer_encoding == resp.has_transfer_encoding);
	CHECK(response_result(data, n - 1) == HTTP_PARTIAL);
	CHECK(response_result(data, n / 2) == HTTP_PARTIAL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_request(data, size);
	check_response(data, size);
	return 0;
}

/* http_parse_response and http_parse_status: a response head, parsed in
 * place with the same steps as a request (test_http_parser.c), every input
 * ending where a PROT_NONE page begins. */
#include "guard_page.h"

static const char *last_buf;
static size_t last_len;

/* resp is prefilled with 0xa5 so that a field left unset shows. */
static int parse(const void *data, size_t len, struct http_response *resp)
{
	char *buf = place(data, len);
	last_buf = buf;
	last_len = len;
	memset(resp, 0xa5, sizeof *resp);
	return http_parse_response(buf, len, resp);
}

static void expect_result_len(const void *data, size_t len, int expected)
{
	struct http_response resp;
	int r = parse(data, len, &resp);
	if (r != expected)
		fail_msg("[%s]: got %d (%s), expected %d (%s)", show(data, len), r, result_name(r), expected,
			 result_name(expected));
}

static void expect_result(const char *s, int expected)
{
	expect_result_len(s, strlen(s), expected);
}

#define expect_bad(s) expect_result((s), HTTP_BAD)
#define expect_partial(s) expect_result((s), HTTP_PARTIAL)

/* A complete head, s whole (no body after it). */
static void expect_ok(const char *s, int status, int minor, const char *reason, struct http_response *resp)
{
	size_t len = strlen(s);
	int r = parse(s, len, resp);
	if (r != (int)len)
		fail_msg("[%s]: got %d (%s), expected the head length %zu", show(s, len), r, result_name(r), len);
	assert_int_equal(resp->status, status);
	assert_int_equal(resp->minor_version, minor);
	assert_true(resp->reason >= last_buf && resp->reason + resp->reason_len <= last_buf + r);
	if (resp->reason_len != strlen(reason) || memcmp(resp->reason, reason, resp->reason_len) != 0)
		fail_msg("[%s]: reason [%.*s], expected [%s]", show(s, len), (int)resp->reason_len, resp->reason,
			 reason);
}

/* ---- valid responses ---- */

static void tends_own_answers(void **state)
{
	(void)state;
	struct http_response resp;
	/* what http_conn.c sends */
	expect_ok("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 42\r\n"
		  "Cache-Control: no-store\r\nConnection: close\r\n\r\n",
		  200, 1, "OK", &resp);
	assert_true(resp.has_length);
	assert_int_equal(resp.content_length, 42);
	assert_false(resp.has_transfer_encoding);
	assert_false(resp.keep_alive);
	expect_ok("HTTP/1.1 405 Method Not Allowed\r\nContent-Type: application/json\r\nContent-Length: 0\r\n"
		  "Cache-Control: no-store\r\nAllow: GET, HEAD\r\n\r\n",
		  405, 1, "Method Not Allowed", &resp);
	assert_true(resp.has_length);
	assert_int_equal(resp.content_length, 0);
	assert_true(resp.keep_alive);
	expect_ok("HTTP/1.1 431 Request Header Fields Too Large\r\n\r\n", 431, 1, "Request Header Fields Too Large",
		  &resp);
	assert_false(resp.has_length);
}

static void other_servers(void **state)
{
	(void)state;
	struct http_response resp;
	expect_ok("HTTP/1.0 302 Found\r\nLocation: /x\r\n\r\n", 302, 0, "Found", &resp);
	assert_false(resp.keep_alive);
	expect_ok("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n\r\n", 200, 0, "OK", &resp);
	assert_true(resp.keep_alive);
	expect_ok("HTTP/1.1 204 No Content\n\n", 204, 1, "No Content", &resp);
	expect_ok("HTTP/1.1 200 OK\nServer: x\r\n\n", 200, 1, "OK", &resp);
	/* the reason phrase: any text, empty, or left out with its SP */
	expect_ok("HTTP/1.1 500 \xc3\xa9 \t(x) \"y\"\r\n\r\n", 500, 1, "\xc3\xa9 \t(x) \"y\"", &resp);
	expect_ok("HTTP/1.1 200 \r\n\r\n", 200, 1, "", &resp);
	expect_ok("HTTP/1.1 200\r\n\r\n", 200, 1, "", &resp);
	expect_ok("HTTP/1.1 200\n\n", 200, 1, "", &resp);
}

static void status_codes(void **state)
{
	(void)state;
	for (int code = 0; code < 1000; code++) {
		char s[64];
		int n = snprintf(s, sizeof s, "HTTP/1.1 %03d X\r\n\r\n", code);
		expect_result_len(s, (size_t)n, code >= 100 && code <= 599 ? n : HTTP_BAD);
	}
	expect_bad("HTTP/1.1 20 OK\r\n\r\n");
	expect_bad("HTTP/1.1 2000 OK\r\n\r\n");
	expect_bad("HTTP/1.1 200OK\r\n\r\n");
	expect_bad("HTTP/1.1  200 OK\r\n\r\n");
	expect_bad("HTTP/1.1 +20 OK\r\n\r\n");
	expect_bad("HTTP/1.1 2a0 OK\r\n\r\n");
	expect_bad("HTTP/1.1\t200 OK\r\n\r\n");
}

static void pointers_and_body(void **state)
{
	(void)state;
	static const char s[] = "HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n{\"a\":1}HTTP/1.1 ";
	struct http_response resp;
	int r = parse(s, sizeof s - 1, &resp);
	assert_int_equal(r, sizeof s - 1 - 7 - 9);
	assert_ptr_equal(resp.reason, last_buf + 13);
	assert_int_equal(resp.reason_len, 2);
	assert_int_equal(resp.content_length, 7);
}

/* Every proper prefix of a valid head is partial, and resp is left alone. */
static void every_prefix_is_partial(void **state)
{
	(void)state;
	static const char *const valid[] = {
		"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 12\r\n\r\n",
		"HTTP/1.0 503\nConnection: keep-alive\nX-Empty:\nTransfer-Encoding: chunked\n\n",
		"HTTP/1.1 404 \xc3\xa9t\xc3\xa9\r\nA: \t b \t\r\n\r\n",
	};
	for (size_t v = 0; v < sizeof valid / sizeof *valid; v++) {
		size_t len = strlen(valid[v]);
		for (size_t n = 0; n < len; n++) {
			struct http_response resp, untouched;
			int r = parse(valid[v], n, &resp);
			memset(&untouched, 0xa5, sizeof untouched);
			if (r != HTTP_PARTIAL)
				fail_msg("prefix [%s]: got %d (%s)", show(valid[v], n), r, result_name(r));
			assert_memory_equal(&resp, &untouched, sizeof resp);
		}
		expect_result(valid[v], (int)len);
	}
}

/* ---- rejected ---- */

static void bad_status_lines(void **state)
{
	(void)state;
	expect_bad("SSH-2.0-OpenSSH_9.2\r\n");
	expect_bad("S");
	expect_bad("\r\nHTTP/1.1 200 OK\r\n\r\n");	/* no empty line first */
	expect_bad(" HTTP/1.1 200 OK\r\n\r\n");
	expect_bad("HTTP/1.2 200 OK\r\n\r\n");
	expect_bad("HTTP/2 200\r\n\r\n");
	expect_bad("HTTP/2.0 200 OK\r\n\r\n");
	expect_bad("http/1.1 200 OK\r\n\r\n");
	expect_bad("HTTP/1.1 200 OK\r\r\n\r\n");
	expect_bad("HTTP/1.1 200 O\x01K\r\n\r\n");
	expect_bad("HTTP/1.1 200 O\x7fK\r\n\r\n");
	expect_bad("GET / HTTP/1.1\r\n\r\n");
	/* bad from the first wrong byte */
	expect_bad("HTTP/1.2");
	expect_bad("HTTP/1.1 6");
	expect_bad("HTTP/1.1 200X");
	expect_partial("HTTP/1.1 200");
	expect_partial("HTTP/1.1 200 OK");
	expect_partial("HTTP/1.1 200 OK\r");
}

/* The header fields follow the request's rules. */
static void header_fields(void **state)
{
	(void)state;
	expect_bad("HTTP/1.1 200 OK\r\nFoo\r\n\r\n");
	expect_bad("HTTP/1.1 200 OK\r\nHost : x\r\n\r\n");
	expect_bad("HTTP/1.1 200 OK\r\n: x\r\n\r\n");
	expect_bad("HTTP/1.1 200 OK\r\nA: b\r\n c\r\n\r\n");
	expect_bad("HTTP/1.1 200 OK\r\n Host: x\r\n\r\n");
	expect_bad("HTTP/1.1 200 OK\r\nA: \x1b[2J\r\n\r\n");
	expect_bad("HTTP/1.1 200 OK\r\nA(b): x\r\n\r\n");
	static const char fine[] = "HTTP/1.1 200 OK\r\nA:\r\nB: \xff\x80\r\nC:\t\r\n\r\n";
	expect_result(fine, (int)sizeof fine - 1);
}

static void nul_bytes(void **state)
{
	(void)state;
	static const char valid[] = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n";
	char s[sizeof valid];
	for (size_t i = 0; i < sizeof valid - 1; i++) {
		memcpy(s, valid, sizeof valid);
		s[i] = '\0';
		expect_result_len(s, sizeof valid - 1, HTTP_BAD);
	}
}

/* ---- framing ---- */

static void expect_length(const char *s, bool has_length, size_t length, bool te)
{
	struct http_response resp;
	int r = parse(s, strlen(s), &resp);
	if (r != (int)strlen(s))
		fail_msg("[%s]: got %d (%s)", show(s, strlen(s)), r, result_name(r));
	assert_int_equal(resp.has_length, has_length);
	assert_int_equal(resp.content_length, length);
	assert_int_equal(resp.has_transfer_encoding, te);
}

static void content_length_and_transfer_encoding(void **state)
{
	(void)state;
	expect_length("HTTP/1.1 200 OK\r\n\r\n", false, 0, false);
	expect_length("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", true, 0, false);
	expect_length("HTTP/1.1 200 OK\r\ncontent-length: \t 12 \r\n\r\n", true, 12, false);
	expect_length("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 005\r\n\r\n", true, 5, false);
	expect_length("HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551615\r\n\r\n", true, SIZE_MAX, false);
	expect_length("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", false, 0, true);
	/* both: not refused here (RFC 9112 6.3: TE wins); the caller judges */
	expect_length("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", true, 5, true);

	expect_bad("HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n");
	expect_bad("HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n");
	expect_bad("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n");
	expect_bad("HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\n\r\n");
	expect_bad("HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551616\r\n\r\n");
	expect_bad("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n");
}

static void size_limit(void **state)
{
	(void)state;
	static char s[HTTP_HEAD_MAX + 100];
	static const char line[] = "HTTP/1.1 200 OK\r\nX: ";
	size_t n = sizeof line - 1;
	memcpy(s, line, n);
	memset(s + n, 'v', HTTP_HEAD_MAX - n - 4);
	memcpy(s + HTTP_HEAD_MAX - 4, "\r\n\r\n", 4);
	expect_result_len(s, HTTP_HEAD_MAX, HTTP_HEAD_MAX);
	expect_result_len(s, HTTP_HEAD_MAX - 1, HTTP_PARTIAL);
	memset(s + HTTP_HEAD_MAX - 4, 'v', 50);
	memcpy(s + HTTP_HEAD_MAX + 46, "\r\n\r\n", 4);
	expect_result_len(s, HTTP_HEAD_MAX + 50, HTTP_TOO_LARGE);
	expect_result_len(s, HTTP_HEAD_MAX, HTTP_TOO_LARGE);
}

/* ---- http_parse_status ---- */

static int parse_status(const char *s, int *status)
{
	*status = -7;
	return http_parse_status(place(s, strlen(s)), strlen(s), status);
}

static void status_start(void **state)
{
	(void)state;
	int status;
	/* exactly the start: nothing after it is looked at */
	assert_int_equal(parse_status("HTTP/1.1 200", &status), HTTP_STATUS_START);
	assert_int_equal(status, 200);
	assert_int_equal(parse_status("HTTP/1.0 503 Service Unavailable\r\n", &status), HTTP_STATUS_START);
	assert_int_equal(status, 503);
	assert_int_equal(parse_status("HTTP/1.1 302\x01garbage", &status), HTTP_STATUS_START);
	assert_int_equal(status, 302);
	static const char whole[] = "HTTP/1.1 404";
	for (size_t n = 0; n < sizeof whole - 1; n++) {
		assert_int_equal(http_parse_status(place(whole, n), n, &status), HTTP_PARTIAL);
	}
	assert_int_equal(parse_status("SSH-2.0-OpenSSH", &status), HTTP_BAD);
	assert_int_equal(parse_status("H", &status), HTTP_PARTIAL);
	assert_int_equal(parse_status("HX", &status), HTTP_BAD);
	assert_int_equal(parse_status("HTTP/1.1 099", &status), HTTP_BAD);
	assert_int_equal(parse_status("HTTP/1.1 600", &status), HTTP_BAD);
	assert_int_equal(parse_status("HTTP/1.1 20x", &status), HTTP_BAD);
	assert_int_equal(status, -7);	/* untouched when not a status */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tends_own_answers),
		cmocka_unit_test(other_servers),
		cmocka_unit_test(status_codes),
		cmocka_unit_test(pointers_and_body),
		cmocka_unit_test(every_prefix_is_partial),
		cmocka_unit_test(bad_status_lines),
		cmocka_unit_test(header_fields),
		cmocka_unit_test(nul_bytes),
		cmocka_unit_test(content_length_and_transfer_encoding),
		cmocka_unit_test(size_limit),
		cmocka_unit_test(status_start),
	};
	return cmocka_run_group_tests(tests, setup_arena, teardown_arena);
}

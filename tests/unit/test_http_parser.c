/* http_parse_request: one HTTP/1.x request head, parsed in place. Every input
 * is copied so that it ends exactly where a PROT_NONE page begins: a read
 * past buf[len - 1] crashes the test (the buffer is not NUL-terminated). */
#include "guard_page.h"

static const char *last_buf;	/* where the last input was put */
static size_t last_len;

/* Parses len bytes of data placed right before the guard page. The req
 * pointers stay valid until the next call. req is prefilled with 0xa5 so that
 * a field left unset shows. */
static int parse(const void *data, size_t len, struct http_request *req)
{
	char *buf = place(data, len);
	last_buf = buf;
	last_len = len;
	memset(req, 0xa5, sizeof *req);
	return http_parse_request(buf, len, req);
}

static int parse_str(const char *s, struct http_request *req)
{
	return parse(s, strlen(s), req);
}

static void expect_result_len(const void *data, size_t len, int expected)
{
	struct http_request req;
	int r = parse(data, len, &req);
	if (r != expected)
		fail_msg("[%s]: got %d (%s), expected %d (%s)", show(data, len), r, result_name(r),
			 expected, result_name(expected));
}

static void expect_result(const char *s, int expected)
{
	expect_result_len(s, strlen(s), expected);
}

#define expect_bad(s) expect_result((s), HTTP_BAD)
#define expect_partial(s) expect_result((s), HTTP_PARTIAL)

/* The pointers of a successful parse lie inside the input. */
static void check_pointers(const struct http_request *req, int r)
{
	assert_true(r > 0 && (size_t)r <= last_len);
	assert_true(req->method_name >= last_buf);
	assert_true(req->method_name + req->method_len <= last_buf + r);
	assert_true(req->method_len > 0);
	assert_true(req->path > req->method_name && req->path + req->path_len <= last_buf + r);
	assert_true(req->path_len > 0 && req->path[0] == '/');
}

/* Parses a complete head and checks the common fields. */
static void expect_ok(const char *s, enum http_method method, const char *method_name,
		      const char *path, int minor, struct http_request *req)
{
	size_t len = strlen(s);
	int r = parse(s, len, req);
	if (r != (int)len)
		fail_msg("[%s]: got %d (%s), expected the head length %zu", show(s, len), r,
			 result_name(r), len);
	check_pointers(req, r);
	assert_int_equal(req->method, method);
	assert_int_equal(req->method_len, strlen(method_name));
	assert_memory_equal(req->method_name, method_name, req->method_len);
	if (req->path_len != strlen(path) || memcmp(req->path, path, req->path_len) != 0)
		fail_msg("[%s]: path [%.*s], expected [%s]", show(s, len), (int)req->path_len,
			 req->path, path);
	assert_int_equal(req->minor_version, minor);
}

/* ---- valid requests ---- */

static void typical_get(void **state)
{
	(void)state;
	struct http_request req;
	expect_ok("GET /health HTTP/1.1\r\nHost: x\r\n\r\n", HTTP_GET, "GET", "/health", 1, &req);
	assert_true(req.keep_alive);
	assert_false(req.has_body);
	assert_int_equal(req.content_length, 0);
	assert_ptr_equal(req.method_name, last_buf);
	assert_ptr_equal(req.path, last_buf + 4);

	/* no header at all */
	expect_ok("GET / HTTP/1.1\r\n\r\n", HTTP_GET, "GET", "/", 1, &req);
	expect_ok("GET / HTTP/1.0\r\n\r\n", HTTP_GET, "GET", "/", 0, &req);
	assert_false(req.keep_alive);
	/* what curl sends */
	expect_ok("GET /metrics HTTP/1.1\r\nHost: localhost\r\nUser-Agent: curl/7.88.1\r\n"
		  "Accept: */*\r\n\r\n",
		  HTTP_GET, "GET", "/metrics", 1, &req);
}

static void methods(void **state)
{
	(void)state;
	struct http_request req;
	expect_ok("HEAD /livez HTTP/1.1\r\n\r\n", HTTP_HEAD, "HEAD", "/livez", 1, &req);
	expect_ok("POST /programs/web/restart HTTP/1.1\r\nContent-Length: 0\r\n\r\n", HTTP_POST,
		  "POST", "/programs/web/restart", 1, &req);
	assert_false(req.has_body);
	expect_ok("DELETE /x HTTP/1.1\r\n\r\n", HTTP_OTHER, "DELETE", "/x", 1, &req);
	expect_ok("PUT /x HTTP/1.1\r\n\r\n", HTTP_OTHER, "PUT", "/x", 1, &req);
	expect_ok("OPTIONS / HTTP/1.1\r\n\r\n", HTTP_OTHER, "OPTIONS", "/", 1, &req);
	expect_ok("M-SEARCH / HTTP/1.1\r\n\r\n", HTTP_OTHER, "M-SEARCH", "/", 1, &req);
	/* methods are case-sensitive; prefixes and extensions are other methods */
	expect_ok("get / HTTP/1.1\r\n\r\n", HTTP_OTHER, "get", "/", 1, &req);
	expect_ok("Head / HTTP/1.1\r\n\r\n", HTTP_OTHER, "Head", "/", 1, &req);
	expect_ok("GE / HTTP/1.1\r\n\r\n", HTTP_OTHER, "GE", "/", 1, &req);
	expect_ok("GETS / HTTP/1.1\r\n\r\n", HTTP_OTHER, "GETS", "/", 1, &req);
	expect_ok("POSTS / HTTP/1.1\r\n\r\n", HTTP_OTHER, "POSTS", "/", 1, &req);
	expect_ok("X / HTTP/1.1\r\n\r\n", HTTP_OTHER, "X", "/", 1, &req);
	expect_ok("!#$%&'*+-.^_`|~09azAZ / HTTP/1.1\r\n\r\n", HTTP_OTHER, "!#$%&'*+-.^_`|~09azAZ",
		  "/", 1, &req);
}

/* Every byte is tried as the middle of a method: only tchars are taken. */
static void method_token_characters(void **state)
{
	(void)state;
	static const char tchar[] = "!#$%&'*+-.^_`|~0123456789"
				    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	for (int c = 0; c < 256; c++) {
		char s[] = "G?T / HTTP/1.1\r\n\r\n";
		s[1] = (char)c;
		bool token = c != 0 && strchr(tchar, c) != NULL;
		expect_result_len(s, sizeof s - 1, token ? (int)(sizeof s - 1) : HTTP_BAD);
	}
}

/* Every byte is tried as the middle of a header name too. */
static void header_name_characters(void **state)
{
	(void)state;
	static const char tchar[] = "!#$%&'*+-.^_`|~0123456789"
				    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	for (int c = 0; c < 256; c++) {
		char s[] = "GET / HTTP/1.1\r\nA?b: v\r\n\r\n";
		s[17] = (char)c;
		/* ':' makes the name "A" and the value "b: v" */
		bool ok = c == ':' || (c != 0 && strchr(tchar, c) != NULL);
		expect_result_len(s, sizeof s - 1, ok ? (int)(sizeof s - 1) : HTTP_BAD);
	}
}

static void query_and_fragment_dropped(void **state)
{
	(void)state;
	struct http_request req;
	expect_ok("GET /health?verbose=1 HTTP/1.1\r\n\r\n", HTTP_GET, "GET", "/health", 1, &req);
	expect_ok("GET /?a HTTP/1.1\r\n\r\n", HTTP_GET, "GET", "/", 1, &req);
	expect_ok("GET /x? HTTP/1.1\r\n\r\n", HTTP_GET, "GET", "/x", 1, &req);
	expect_ok("GET /a?b?c#d HTTP/1.1\r\n\r\n", HTTP_GET, "GET", "/a", 1, &req);
	expect_ok("GET /a#b?c HTTP/1.1\r\n\r\n", HTTP_GET, "GET", "/a", 1, &req);
	expect_ok("GET /a/b/../c//d HTTP/1.1\r\n\r\n", HTTP_GET, "GET", "/a/b/../c//d", 1, &req);
	/* percent-encoding is left to the caller */
	expect_ok("GET /caf%C3%A9 HTTP/1.1\r\n\r\n", HTTP_GET, "GET", "/caf%C3%A9", 1, &req);
	/* visible ASCII that RFC 3986 does not allow is taken, like nginx does */
	expect_ok("GET /a\"<>\\^`{|}[]:@!$&'()*+,;= HTTP/1.1\r\n\r\n", HTTP_GET, "GET",
		  "/a\"<>\\^`{|}[]:@!$&'()*+,;=", 1, &req);
}

static void bare_lf_line_ends(void **state)
{
	(void)state;
	struct http_request req;
	expect_ok("GET /a HTTP/1.1\nHost: x\n\n", HTTP_GET, "GET", "/a", 1, &req);
	/* mixed */
	expect_ok("GET /a HTTP/1.1\r\nHost: x\n\r\n", HTTP_GET, "GET", "/a", 1, &req);
	expect_ok("GET /a HTTP/1.1\nHost: x\r\n\n", HTTP_GET, "GET", "/a", 1, &req);
	/* a CR must be followed by LF */
	expect_bad("GET /a HTTP/1.1\r\r\n\r\n");
	expect_bad("GET /a HTTP/1.1\rHost: x\r\n\r\n");
	expect_bad("GET /a HTTP/1.1\r\nHost: x\r\r\n");
	expect_bad("GET /a HTTP/1.1\r\nHost: x\r\n\r\r");
	expect_bad("GET /a HTTP/1.1\r\nHost: x\r\n\rX");
	expect_bad("GET /a HTTP/1.1\r\nHost: a\rb\r\n\r\n");
}

static void leading_empty_lines_skipped(void **state)
{
	(void)state;
	struct http_request req;
	/* counted in the length, so that the caller consumes them */
	expect_ok("\r\nGET /a HTTP/1.1\r\n\r\n", HTTP_GET, "GET", "/a", 1, &req);
	assert_ptr_equal(req.method_name, last_buf + 2);
	expect_ok("\n\r\n\nGET /a HTTP/1.1\r\n\r\n", HTTP_GET, "GET", "/a", 1, &req);
	expect_partial("\r\n");
	expect_partial("\r\n\r\n\r");
	expect_bad("\r\r\nGET /a HTTP/1.1\r\n\r\n");
	/* but not other whitespace */
	expect_bad(" GET /a HTTP/1.1\r\n\r\n");
	expect_bad("\tGET /a HTTP/1.1\r\n\r\n");
}

static void pipelined(void **state)
{
	(void)state;
	static const char one[] = "GET /health HTTP/1.1\r\nHost: x\r\n\r\n";
	static const char two[] = "HEAD /livez HTTP/1.1\r\nConnection: close\r\n\r\n";
	char both[sizeof one + sizeof two];
	memcpy(both, one, sizeof one - 1);
	memcpy(both + sizeof one - 1, two, sizeof two - 1);
	size_t len = sizeof one - 1 + sizeof two - 1;

	struct http_request req;
	int r = parse(both, len, &req);
	assert_int_equal(r, sizeof one - 1);
	check_pointers(&req, r);
	assert_int_equal(req.method, HTTP_GET);
	assert_int_equal(req.path_len, 7);
	assert_true(req.keep_alive);

	int r2 = parse(both + r, len - (size_t)r, &req);
	assert_int_equal(r2, sizeof two - 1);
	assert_int_equal(req.method, HTTP_HEAD);
	assert_memory_equal(req.path, "/livez", 6);
	assert_false(req.keep_alive);

	/* the second one incomplete, or a body between the two */
	assert_int_equal(parse(both, len - 1, &req), sizeof one - 1);
	static const char post[] = "POST /programs/a/stop HTTP/1.1\r\nContent-Length: 3\r\n\r\n"
				   "abcGET / HTTP/1.1\r\n\r\n";
	r = parse(post, sizeof post - 1, &req);
	assert_int_equal(req.method, HTTP_POST);
	assert_int_equal(req.content_length, 3);
	assert_true(req.has_body);
	size_t next = (size_t)r + req.content_length;
	assert_int_equal(parse(post + next, sizeof post - 1 - next, &req), sizeof post - 1 - next);
	assert_int_equal(req.method, HTTP_GET);
}

/* Every proper prefix of a valid head is partial, and req is left alone. */
static void every_prefix_is_partial(void **state)
{
	(void)state;
	static const char *const valid[] = {
		"GET /health HTTP/1.1\r\nHost: x\r\n\r\n",
		"\r\n\nPOST /programs/x/signal/HUP?q#f HTTP/1.0\r\nConnection: keep-alive\r\n"
		"Content-Length: 12\r\nX-Empty:\r\nX-Tabs: \t a \t\r\n\r\n",
		"M-SEARCH / HTTP/1.1\nTransfer-Encoding: chunked\nA: \xc3\xa9\n\n",
	};
	for (size_t v = 0; v < sizeof valid / sizeof *valid; v++) {
		size_t len = strlen(valid[v]);
		for (size_t n = 0; n < len; n++) {
			struct http_request req, untouched;
			int r = parse(valid[v], n, &req);
			memset(&untouched, 0xa5, sizeof untouched);
			if (r != HTTP_PARTIAL)
				fail_msg("prefix [%s]: got %d (%s)", show(valid[v], n), r,
					 result_name(r));
			assert_memory_equal(&req, &untouched, sizeof req);
		}
		expect_result(valid[v], (int)len);
	}
}

/* ---- the request line, rejected ---- */

static void bad_methods(void **state)
{
	(void)state;
	expect_bad(" / HTTP/1.1\r\n\r\n");
	expect_bad("GE(T / HTTP/1.1\r\n\r\n");
	expect_bad("GET\t/ HTTP/1.1\r\n\r\n");
	expect_bad("GET/ HTTP/1.1\r\n\r\n");
	expect_bad("GET\r\n\r\n");
	expect_bad("GET\n");
	expect_bad("G\xc3\x89T / HTTP/1.1\r\n\r\n");
	expect_bad("GET: / HTTP/1.1\r\n\r\n");
}

static void bad_targets(void **state)
{
	(void)state;
	expect_bad("GET http://example.com/ HTTP/1.1\r\n\r\n");	/* absolute-form */
	expect_bad("OPTIONS * HTTP/1.1\r\n\r\n");		/* asterisk-form */
	expect_bad("CONNECT example.com:443 HTTP/1.1\r\n\r\n");	/* authority-form */
	expect_bad("GET health HTTP/1.1\r\n\r\n");
	expect_bad("GET ?x HTTP/1.1\r\n\r\n");
	expect_bad("GET /a b HTTP/1.1\r\n\r\n");
	expect_bad("GET /a\tb HTTP/1.1\r\n\r\n");
	expect_bad("GET /a\x01 HTTP/1.1\r\n\r\n");
	expect_bad("GET /a\x7f HTTP/1.1\r\n\r\n");
	expect_bad("GET /a\x1b[31m HTTP/1.1\r\n\r\n");
	expect_bad("GET /a\rb HTTP/1.1\r\n\r\n");
	/* every control, DEL and every non-ASCII byte */
	for (int c = 0; c < 256; c++) {
		if (c > 0x20 && c < 0x7f)
			continue;
		char s[] = "GET /a? HTTP/1.1\r\n\r\n";
		s[6] = (char)c;
		expect_result_len(s, sizeof s - 1, HTTP_BAD);
	}
}

/* Raw (unencoded) UTF-8 in the target is refused: 400. */
static void non_ascii_target(void **state)
{
	(void)state;
	expect_bad("GET /caf\xc3\xa9 HTTP/1.1\r\n\r\n");
	expect_bad("GET /\xff HTTP/1.1\r\n\r\n");
	expect_bad("GET /a?q=\xc3\xa9 HTTP/1.1\r\n\r\n");
}

static void bad_spacing(void **state)
{
	(void)state;
	expect_bad("GET  / HTTP/1.1\r\n\r\n");
	expect_bad("GET /  HTTP/1.1\r\n\r\n");
	expect_bad("GET / HTTP/1.1 \r\n\r\n");
	expect_bad("GET / HTTP/1.1\t\r\n\r\n");
	expect_bad("GET / HTTP/1.1\r\n \r\n");
}

static void bad_versions(void **state)
{
	(void)state;
	expect_bad("GET / HTTP/2.0\r\n\r\n");
	expect_bad("GET / HTTP/1.2\r\n\r\n");
	expect_bad("GET / HTTP/1.10\r\n\r\n");
	expect_bad("GET / HTTP/1.01\r\n\r\n");
	expect_bad("GET / HTTP/0.9\r\n\r\n");
	expect_bad("GET / HTTP/1\r\n\r\n");
	expect_bad("GET / HTTP/1.\r\n\r\n");
	expect_bad("GET / HTTP/\r\n\r\n");
	expect_bad("GET / http/1.1\r\n\r\n");
	expect_bad("GET / HTTPS/1.1\r\n\r\n");
	expect_bad("GET / FTP/1.1\r\n\r\n");
	/* HTTP/0.9: no version at all */
	expect_bad("GET /\r\n\r\n");
	expect_bad("GET /\n");
	expect_bad("GET / \r\n\r\n");
	/* bad from the first wrong byte, whatever follows */
	expect_bad("GET / HTTP/2");
	expect_bad("GET / HTTP/1.2");
	expect_bad("GET / HTTP/1.1x");
	expect_partial("GET / HTTP/1.1");
	expect_partial("GET / HTTP/1.1\r");
}

/* ---- header fields ---- */

static void header_syntax(void **state)
{
	(void)state;
	struct http_request req;
	/* empty values, OWS, obs-text, HTAB and SP inside values */
	expect_ok("GET / HTTP/1.1\r\nA:\r\nB: \r\nC:\t\r\nD:x\r\nE: a b\tc \r\n"
		  "F: \xc3\xa9\xff\x80\r\nG: \"q\" (c) <>\r\n\r\n",
		  HTTP_GET, "GET", "/", 1, &req);
	/* a space before the colon (RFC 9112 5.1) */
	expect_bad("GET / HTTP/1.1\r\nHost : x\r\n\r\n");
	expect_bad("GET / HTTP/1.1\r\nHost\t: x\r\n\r\n");
	expect_bad("GET / HTTP/1.1\r\nContent-Length : 5\r\n\r\n");
	/* obsolete line folding, and whitespace before the first field */
	expect_bad("GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\n");
	expect_bad("GET / HTTP/1.1\r\nA: b\r\n\tc\r\n\r\n");
	expect_bad("GET / HTTP/1.1\r\n Host: x\r\n\r\n");
	/* no colon, an empty name, a name that is not a token */
	expect_bad("GET / HTTP/1.1\r\nHost\r\n\r\n");
	expect_bad("GET / HTTP/1.1\r\nHost x\r\n\r\n");
	expect_bad("GET / HTTP/1.1\r\n: x\r\n\r\n");
	expect_bad("GET / HTTP/1.1\r\nA(b): x\r\n\r\n");
	expect_bad("GET / HTTP/1.1\r\nA/b: x\r\n\r\n");
	expect_bad("GET / HTTP/1.1\r\n\xc3\xa9: x\r\n\r\n");
	/* bad as soon as seen */
	expect_bad("GET / HTTP/1.1\r\nHost ");
	expect_bad("GET / HTTP/1.1\r\n ");
	expect_partial("GET / HTTP/1.1\r\nHost: x");
}

static void control_characters_in_values(void **state)
{
	(void)state;
	for (int c = 0; c < 0x20; c++) {
		char s[] = "GET / HTTP/1.1\r\nX: a?b\r\n\r\n";
		s[20] = (char)c;
		int expected = c == '\t' ? (int)(sizeof s - 1) : HTTP_BAD;
		expect_result_len(s, sizeof s - 1, expected);
	}
	expect_bad("GET / HTTP/1.1\r\nX: a\x7f\r\n\r\n");
	expect_bad("GET / HTTP/1.1\r\nX: \x1b[2J\r\n\r\n");
}

/* A NUL anywhere in a valid head makes it bad. */
static void nul_bytes(void **state)
{
	(void)state;
	static const char valid[] = "GET /a?b HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\n";
	char s[sizeof valid];
	for (size_t i = 0; i < sizeof valid - 1; i++) {
		memcpy(s, valid, sizeof valid);
		s[i] = '\0';
		expect_result_len(s, sizeof valid - 1, HTTP_BAD);
	}
	char zeros[100] = { 0 };
	expect_result_len(zeros, sizeof zeros, HTTP_BAD);
	expect_result_len(zeros, 1, HTTP_BAD);
}

static void header_names_case_insensitive(void **state)
{
	(void)state;
	struct http_request req;
	expect_ok("GET / HTTP/1.1\r\nCONTENT-LENGTH: 7\r\nconnection: CLOSE\r\n\r\n", HTTP_GET,
		  "GET", "/", 1, &req);
	assert_int_equal(req.content_length, 7);
	assert_false(req.keep_alive);
	expect_ok("GET / HTTP/1.0\r\ncOnNeCtIoN: Keep-Alive\r\n\r\n", HTTP_GET, "GET", "/", 0, &req);
	assert_true(req.keep_alive);
	expect_ok("GET / HTTP/1.1\r\ntransfer-ENCODING: chunked\r\n\r\n", HTTP_GET, "GET", "/", 1,
		  &req);
	assert_true(req.has_body);
	/* similar names are other fields */
	expect_ok("GET / HTTP/1.1\r\nContent-Lengths: x\r\nConnections: close\r\n"
		  "Content_Length: 5\r\nTransfer-Encodings: x\r\nXConnection: close\r\n\r\n",
		  HTTP_GET, "GET", "/", 1, &req);
	assert_true(req.keep_alive);
	assert_false(req.has_body);
	assert_int_equal(req.content_length, 0);
}

/* Many fields, as long as the head fits in HTTP_HEAD_MAX. */
static void many_headers(void **state)
{
	(void)state;
	static char s[3 * HTTP_HEAD_MAX];
	size_t n = (size_t)snprintf(s, sizeof s, "GET / HTTP/1.1\r\n");
	for (int i = 0; i < 2600; i++)
		n += (size_t)snprintf(s + n, sizeof s - n, "a:\n");
	n += (size_t)snprintf(s + n, sizeof s - n, "\n");
	assert_true(n <= HTTP_HEAD_MAX);
	expect_result_len(s, n, (int)n);

	n = (size_t)snprintf(s, sizeof s, "GET / HTTP/1.1\r\n");
	for (int i = 0; i < 1500; i++)
		n += (size_t)snprintf(s + n, sizeof s - n, "X-%d: y\r\n", i);
	n += (size_t)snprintf(s + n, sizeof s - n, "\r\n");
	assert_true(n > HTTP_HEAD_MAX);
	expect_result_len(s, n, HTTP_TOO_LARGE);
	expect_result_len(s, HTTP_HEAD_MAX, HTTP_TOO_LARGE);
	expect_result_len(s, HTTP_HEAD_MAX - 1, HTTP_PARTIAL);
}

/* ---- sizes ---- */

/* A head of exactly total bytes: a request line and one long header. */
static size_t make_head(char *s, size_t total)
{
	static const char line[] = "GET /x HTTP/1.1\r\nX: ";
	size_t n = sizeof line - 1;
	memcpy(s, line, n);
	assert_true(total >= n + 4);
	memset(s + n, 'v', total - n - 4);
	memcpy(s + total - 4, "\r\n\r\n", 4);
	return total;
}

static void size_limit_boundary(void **state)
{
	(void)state;
	static char s[HTTP_HEAD_MAX + 1000];
	struct http_request req;

	/* exactly HTTP_HEAD_MAX bytes: fine, with or without more after it */
	size_t n = make_head(s, HTTP_HEAD_MAX);
	expect_result_len(s, n, HTTP_HEAD_MAX);
	memset(s + n, 'G', sizeof s - n);
	expect_result_len(s, sizeof s, HTTP_HEAD_MAX);
	expect_result_len(s, n + 1, HTTP_HEAD_MAX);
	assert_int_equal(parse(s, n, &req), HTTP_HEAD_MAX);
	check_pointers(&req, HTTP_HEAD_MAX);
	expect_result_len(s, n - 1, HTTP_PARTIAL);

	/* one byte more: too large once HTTP_HEAD_MAX bytes are there,
	 * whatever follows */
	n = make_head(s, HTTP_HEAD_MAX + 1);
	expect_result_len(s, n, HTTP_TOO_LARGE);
	expect_result_len(s, HTTP_HEAD_MAX, HTTP_TOO_LARGE);
	expect_result_len(s, HTTP_HEAD_MAX - 1, HTTP_PARTIAL);
	memset(s + n, 'G', sizeof s - n);
	expect_result_len(s, sizeof s, HTTP_TOO_LARGE);

	/* the terminator straddling the limit */
	n = make_head(s, HTTP_HEAD_MAX + 2);
	expect_result_len(s, n, HTTP_TOO_LARGE);
	n = make_head(s, HTTP_HEAD_MAX + 3);
	expect_result_len(s, n, HTTP_TOO_LARGE);

	/* bytes bad before the limit are bad, not too large */
	n = make_head(s, HTTP_HEAD_MAX + 500);
	s[100] = '\x01';
	expect_result_len(s, n, HTTP_BAD);
	expect_result_len(s, HTTP_HEAD_MAX, HTTP_BAD);
	/* ... but what is past the limit is not looked at */
	n = make_head(s, HTTP_HEAD_MAX + 500);
	s[HTTP_HEAD_MAX + 10] = '\x01';
	expect_result_len(s, n, HTTP_TOO_LARGE);

	/* leading empty lines count toward the limit */
	memset(s, '\n', HTTP_HEAD_MAX);
	expect_result_len(s, HTTP_HEAD_MAX, HTTP_TOO_LARGE);
	expect_result_len(s, HTTP_HEAD_MAX - 1, HTTP_PARTIAL);
}

static void long_path(void **state)
{
	(void)state;
	static char s[3 * HTTP_HEAD_MAX];
	struct http_request req;
	size_t path_len = HTTP_HEAD_MAX - 20;
	memcpy(s, "GET ", 4);
	s[4] = '/';
	memset(s + 5, 'p', path_len - 1);
	memcpy(s + 4 + path_len, " HTTP/1.1\r\n\r\n", 13);
	size_t n = 4 + path_len + 13;
	assert_true(n <= HTTP_HEAD_MAX);
	assert_int_equal(parse(s, n, &req), (int)n);
	assert_int_equal(req.path_len, path_len);
	check_pointers(&req, (int)n);

	/* a path longer than the limit */
	path_len = 2 * HTTP_HEAD_MAX;
	memset(s + 5, 'p', path_len - 1);
	memcpy(s + 4 + path_len, " HTTP/1.1\r\n\r\n", 13);
	n = 4 + path_len + 13;
	expect_result_len(s, n, HTTP_TOO_LARGE);
	expect_result_len(s, 5000, HTTP_PARTIAL);
}

static void too_large_garbage(void **state)
{
	(void)state;
	static char s[20000];
	memset(s, 'A', sizeof s);	/* a method that never ends */
	expect_result_len(s, sizeof s, HTTP_TOO_LARGE);
	expect_result_len(s, HTTP_HEAD_MAX - 1, HTTP_PARTIAL);
}

/* ---- Connection ---- */

static bool keep_alive_of(const char *s)
{
	struct http_request req;
	int r = parse_str(s, &req);
	if (r != (int)strlen(s))
		fail_msg("[%s]: got %d (%s)", show(s, strlen(s)), r, result_name(r));
	return req.keep_alive;
}

static void keep_alive_rules(void **state)
{
	(void)state;
	/* HTTP/1.1: persistent unless "close" */
	assert_true(keep_alive_of("GET / HTTP/1.1\r\n\r\n"));
	assert_true(keep_alive_of("GET / HTTP/1.1\r\nConnection: keep-alive\r\n\r\n"));
	assert_true(keep_alive_of("GET / HTTP/1.1\r\nConnection: Upgrade\r\n\r\n"));
	assert_true(keep_alive_of("GET / HTTP/1.1\r\nConnection: closed\r\n\r\n"));
	assert_true(keep_alive_of("GET / HTTP/1.1\r\nConnection: clos\r\n\r\n"));
	assert_true(keep_alive_of("GET / HTTP/1.1\r\nConnection: \"close\"\r\n\r\n"));
	assert_true(keep_alive_of("GET / HTTP/1.1\r\nConnection:\r\n\r\n"));
	assert_true(keep_alive_of("GET / HTTP/1.1\r\nX-Connection: close\r\n\r\n"));
	assert_false(keep_alive_of("GET / HTTP/1.1\r\nConnection: close\r\n\r\n"));
	assert_false(keep_alive_of("GET / HTTP/1.1\r\nConnection: Close\r\n\r\n"));
	assert_false(keep_alive_of("GET / HTTP/1.1\r\nConnection:close\r\n\r\n"));
	assert_false(keep_alive_of("GET / HTTP/1.1\r\nConnection: \tclose\t \r\n\r\n"));
	assert_false(keep_alive_of("GET / HTTP/1.1\r\nConnection: Upgrade, close\r\n\r\n"));
	assert_false(keep_alive_of("GET / HTTP/1.1\r\nConnection: close,Upgrade\r\n\r\n"));
	assert_false(keep_alive_of("GET / HTTP/1.1\r\nConnection: , ,close , ,\r\n\r\n"));
	assert_false(keep_alive_of("GET / HTTP/1.1\r\nConnection: keep-alive\r\n"
				   "Connection: close\r\n\r\n"));
	/* close wins over keep-alive */
	assert_false(keep_alive_of("GET / HTTP/1.1\r\nConnection: close, keep-alive\r\n\r\n"));
	assert_false(keep_alive_of("GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n"));

	/* HTTP/1.0: persistent only with "keep-alive" */
	assert_false(keep_alive_of("GET / HTTP/1.0\r\n\r\n"));
	assert_false(keep_alive_of("GET / HTTP/1.0\r\nConnection: close\r\n\r\n"));
	assert_false(keep_alive_of("GET / HTTP/1.0\r\nConnection: keepalive\r\n\r\n"));
	assert_false(keep_alive_of("GET / HTTP/1.0\r\nKeep-Alive: timeout=5\r\n\r\n"));
	assert_true(keep_alive_of("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
	assert_true(keep_alive_of("GET / HTTP/1.0\r\nConnection: KEEP-ALIVE\r\n\r\n"));
	assert_true(keep_alive_of("GET / HTTP/1.0\r\nConnection: TE, Keep-Alive \r\n\r\n"));
	assert_true(keep_alive_of("GET / HTTP/1.0\r\nConnection: TE\r\n"
				  "Connection: keep-alive\r\n\r\n"));
}

/* ---- Content-Length and Transfer-Encoding ---- */

static void expect_length(const char *s, size_t length, bool has_body)
{
	struct http_request req;
	int r = parse_str(s, &req);
	if (r != (int)strlen(s))
		fail_msg("[%s]: got %d (%s)", show(s, strlen(s)), r, result_name(r));
	assert_int_equal(req.content_length, length);
	assert_int_equal(req.has_body, has_body);
}

static void content_length_rules(void **state)
{
	(void)state;
	expect_length("POST / HTTP/1.1\r\n\r\n", 0, false);
	expect_length("POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n", 0, false);
	expect_length("POST / HTTP/1.1\r\nContent-Length: 000\r\n\r\n", 0, false);
	expect_length("POST / HTTP/1.1\r\nContent-Length: 12\r\n\r\n", 12, true);
	expect_length("POST / HTTP/1.1\r\nContent-Length:12\r\n\r\n", 12, true);
	expect_length("POST / HTTP/1.1\r\nContent-Length: \t 12 \t\r\n\r\n", 12, true);
	expect_length("POST / HTTP/1.1\r\nContent-Length: 007\r\n\r\n", 7, true);
	expect_length("POST / HTTP/1.1\r\nContent-Length: 18446744073709551615\r\n\r\n",
		      SIZE_MAX, true);
	/* the same value twice */
	expect_length("POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\n", 5, true);
	expect_length("POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 05\r\n\r\n", 5, true);

	expect_bad("POST / HTTP/1.1\r\nContent-Length:\r\n\r\n");
	expect_bad("POST / HTTP/1.1\r\nContent-Length:  \r\n\r\n");
	expect_bad("POST / HTTP/1.1\r\nContent-Length: +5\r\n\r\n");
	expect_bad("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n");
	expect_bad("POST / HTTP/1.1\r\nContent-Length: 5a\r\n\r\n");
	expect_bad("POST / HTTP/1.1\r\nContent-Length: 0x10\r\n\r\n");
	expect_bad("POST / HTTP/1.1\r\nContent-Length: 1 2\r\n\r\n");
	expect_bad("POST / HTTP/1.1\r\nContent-Length: 5,5\r\n\r\n");
	expect_bad("POST / HTTP/1.1\r\nContent-Length: 5, 5\r\n\r\n");
	expect_bad("POST / HTTP/1.1\r\nContent-Length: 1.0\r\n\r\n");
	expect_bad("POST / HTTP/1.1\r\nContent-Length: \xd9\xa5\r\n\r\n");
	/* overflow */
	expect_bad("POST / HTTP/1.1\r\nContent-Length: 18446744073709551616\r\n\r\n");
	expect_bad("POST / HTTP/1.1\r\nContent-Length: 18446744073709551620\r\n\r\n");
	expect_bad("POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999999\r\n\r\n");
	/* two different values */
	expect_bad("POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n");
	expect_bad("POST / HTTP/1.1\r\nContent-Length: 0\r\ncontent-length: 1\r\n\r\n");
}

static void transfer_encoding_rules(void **state)
{
	(void)state;
	expect_length("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", 0, true);
	expect_length("POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 0, true);
	expect_length("POST / HTTP/1.1\r\nTransfer-Encoding:\r\n\r\n", 0, true);
	/* with Content-Length, in either order: request smuggling */
	expect_bad("POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n");
	expect_bad("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n");
	expect_bad("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 0\r\n\r\n");
}

/* ---- other ---- */

/* req is written only when the head is complete and well-formed. */
static void req_untouched_on_failure(void **state)
{
	(void)state;
	static const char *const inputs[] = { "GET / HTTP/1.1\r\n", "GET / HTTP/2.0\r\n\r\n", "" };
	for (size_t i = 0; i < sizeof inputs / sizeof *inputs; i++) {
		struct http_request req, untouched;
		memset(&untouched, 0xa5, sizeof untouched);
		assert_true(parse_str(inputs[i], &req) < 0);
		assert_memory_equal(&req, &untouched, sizeof req);
	}
	expect_result_len("", 0, HTTP_PARTIAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(typical_get),
		cmocka_unit_test(methods),
		cmocka_unit_test(method_token_characters),
		cmocka_unit_test(header_name_characters),
		cmocka_unit_test(query_and_fragment_dropped),
		cmocka_unit_test(bare_lf_line_ends),
		cmocka_unit_test(leading_empty_lines_skipped),
		cmocka_unit_test(pipelined),
		cmocka_unit_test(every_prefix_is_partial),
		cmocka_unit_test(bad_methods),
		cmocka_unit_test(bad_targets),
		cmocka_unit_test(non_ascii_target),
		cmocka_unit_test(bad_spacing),
		cmocka_unit_test(bad_versions),
		cmocka_unit_test(header_syntax),
		cmocka_unit_test(control_characters_in_values),
		cmocka_unit_test(nul_bytes),
		cmocka_unit_test(header_names_case_insensitive),
		cmocka_unit_test(many_headers),
		cmocka_unit_test(size_limit_boundary),
		cmocka_unit_test(long_path),
		cmocka_unit_test(too_large_garbage),
		cmocka_unit_test(keep_alive_rules),
		cmocka_unit_test(content_length_rules),
		cmocka_unit_test(transfer_encoding_rules),
		cmocka_unit_test(req_untouched_on_failure),
	};
	return cmocka_run_group_tests(tests, setup_arena, teardown_arena);
}

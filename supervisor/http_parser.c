/* One HTTP/1.x request or response head, parsed in a single pass over the
 * caller's buffer, without allocating and without reading past buf[len - 1]
 * (the buffer is not NUL-terminated). The caller parses again from the start
 * each time more bytes arrive, so every call is self-contained; a prefix of
 * a valid head is HTTP_PARTIAL, and bytes that no continuation can make
 * valid are HTTP_BAD as soon as they are seen. Both entry points are made of
 * the same steps: the line end, the version, the header fields. What is
 * accepted where RFC 9112 leaves room: http_parser.h. */
#include "http_parser.h"

#include <stdint.h>

enum {
	C_TOKEN = 1,	/* tchar (RFC 9110 5.6.2): method and field names */
	C_TARGET = 2,	/* allowed in the request target: visible ASCII */
	C_VALUE = 4,	/* allowed in a field value: HTAB, SP, VCHAR, obs-text */
};
#define TPV (C_TOKEN | C_TARGET | C_VALUE)
#define PV (C_TARGET | C_VALUE)

/* Ranges do not overlap (-Woverride-init); the rest is 0 (NUL, controls,
 * DEL). */
static const unsigned char char_class[256] = {
	['\t'] = C_VALUE,
	[' '] = C_VALUE,
	['!'] = TPV,
	['"'] = PV,
	['#' ... '\''] = TPV,
	['(' ... ')'] = PV,
	['*' ... '+'] = TPV,
	[','] = PV,
	['-' ... '.'] = TPV,
	['/'] = PV,
	['0' ... '9'] = TPV,
	[':' ... '@'] = PV,
	['A' ... 'Z'] = TPV,
	['[' ... ']'] = PV,
	['^' ... '`'] = TPV,
	['a' ... 'z'] = TPV,
	['{'] = PV,
	['|'] = TPV,
	['}'] = PV,
	['~'] = TPV,
	[0x80 ... 0xff] = C_VALUE,
};

/* s equals lower (lowercase letters and '-') ignoring case; n is both
 * lengths. s holds no CR, the only other byte that |0x20 maps onto one of
 * these ('-'). */
static bool token_is(const unsigned char *s, const char *lower, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((s[i] | 0x20) != (unsigned char)lower[i])
			return false;
	return true;
}

static bool ows(unsigned char c)
{
	return c == ' ' || c == '\t';
}

/* ---- the steps ----
 * Each step reads from c->p on, moves it past what it took, and returns 0,
 * or a result (HTTP_BAD, or what running out of bytes means) that the
 * entry point returns as it is. The smallest ones are inlined even under
 * -Os: every request goes through them, and called they make the parse
 * twice as slow, for a few hundred bytes saved. */
#define SMALL_STEP static inline __attribute__((always_inline))

struct cursor {
	const unsigned char *start, *p, *end;
	int short_of_bytes;	/* HTTP_PARTIAL, or HTTP_TOO_LARGE at HTTP_HEAD_MAX */
};

#define TRY(step)                       \
	do {                            \
		int r_ = (step);        \
		if (r_ < 0)             \
			return r_;      \
	} while (0)

static struct cursor cursor_on(const char *buf, size_t len)
{
	/* Nothing past HTTP_HEAD_MAX is looked at: running out of bytes there
	 * means the head is too large, before it means read more. */
	const unsigned char *start = (const unsigned char *)buf;
	return (struct cursor){
		.start = start,
		.p = start,
		.end = start + (len < HTTP_HEAD_MAX ? len : HTTP_HEAD_MAX),
		.short_of_bytes = len >= HTTP_HEAD_MAX ? HTTP_TOO_LARGE : HTTP_PARTIAL,
	};
}

/* At least one more byte. */
SMALL_STEP int need(const struct cursor *c)
{
	return c->p < c->end ? 0 : c->short_of_bytes;
}

/* The byte ch. */
SMALL_STEP int expect(struct cursor *c, unsigned char ch)
{
	TRY(need(c));
	if (*c->p != ch)
		return HTTP_BAD;
	c->p++;
	return 0;
}

/* A line end: CRLF or LF. */
SMALL_STEP int line_end(struct cursor *c)
{
	TRY(need(c));
	if (*c->p == '\r')
		c->p++;
	return expect(c, '\n');
}

/* Bytes of class cls, as many as there are (maybe none). */
SMALL_STEP const unsigned char *span(struct cursor *c, unsigned char cls)
{
	const unsigned char *s = c->p;
	while (c->p < c->end && (char_class[*c->p] & cls))
		c->p++;
	return s;
}

/* "HTTP/1.0" or "HTTP/1.1". */
static int version(struct cursor *c, int *minor)
{
	static const char prefix[] = "HTTP/1.";
	for (size_t i = 0; i < sizeof prefix - 1; i++)
		TRY(expect(c, (unsigned char)prefix[i]));
	TRY(need(c));
	if (*c->p != '0' && *c->p != '1')
		return HTTP_BAD;
	*minor = *c->p++ - '0';
	return 0;
}

/* The comma-separated options of one Connection header. */
static void connection_options(const unsigned char *v, const unsigned char *end, bool *close,
			       bool *keep_alive)
{
	while (v < end) {
		const unsigned char *e = v;
		while (e < end && *e != ',')
			e++;
		const unsigned char *s = v, *t = e;
		while (s < t && ows(*s))
			s++;
		while (t > s && ows(t[-1]))
			t--;
		size_t n = (size_t)(t - s);
		if (n == 5 && token_is(s, "close", 5))
			*close = true;
		else if (n == 10 && token_is(s, "keep-alive", 10))
			*keep_alive = true;
		v = e < end ? e + 1 : e;
	}
}

/* What the header fields say. */
struct fields {
	bool close, keep_alive;		/* Connection options */
	bool have_length, have_te;
	size_t length;
};

/* One Content-Length value: digits, the same as any before it. */
static int content_length(const unsigned char *v, const unsigned char *end, struct fields *f)
{
	if (v == end)
		return HTTP_BAD;
	size_t n = 0;
	for (; v < end; v++) {
		if (*v < '0' || *v > '9')
			return HTTP_BAD;
		unsigned digit = (unsigned)(*v - '0');
		if (n > (SIZE_MAX - digit) / 10)
			return HTTP_BAD;
		n = n * 10 + digit;
	}
	if (f->have_length && n != f->length)
		return HTTP_BAD;
	f->have_length = true;
	f->length = n;
	return 0;
}

/* One header field's meaning, for the few that tend reads. */
static int field(const unsigned char *name, size_t name_len, const unsigned char *value,
		 const unsigned char *value_end, struct fields *f)
{
	if (name_len == 10 && token_is(name, "connection", 10))
		connection_options(value, value_end, &f->close, &f->keep_alive);
	else if (name_len == 14 && token_is(name, "content-length", 14))
		return content_length(value, value_end, f);
	else if (name_len == 17 && token_is(name, "transfer-encoding", 17))
		f->have_te = true;
	return 0;
}

/* Header fields, through the empty line that ends the head. */
static int fields(struct cursor *c, struct fields *f)
{
	for (;;) {
		TRY(need(c));
		if (*c->p == '\r' || *c->p == '\n')
			return line_end(c);
		/* name ':' — a leading SP/HTAB (obs-fold, or whitespace after the
		 * first line) or SP before the colon is bad */
		const unsigned char *name = span(c, C_TOKEN);
		size_t name_len = (size_t)(c->p - name);
		TRY(need(c));
		if (name_len == 0 || *c->p != ':')
			return HTTP_BAD;
		c->p++;
		while (c->p < c->end && ows(*c->p))
			c->p++;
		const unsigned char *value = span(c, C_VALUE), *value_end = c->p;
		TRY(line_end(c));
		while (value_end > value && ows(value_end[-1]))
			value_end--;
		TRY(field(name, name_len, value, value_end, f));
	}
}

/* ---- requests ---- */

/* Empty lines before the request line (RFC 9112 2.2). */
static int empty_lines(struct cursor *c)
{
	for (;;) {
		TRY(need(c));
		if (*c->p != '\r' && *c->p != '\n')
			return 0;
		TRY(line_end(c));
	}
}

/* method SP */
static int method(struct cursor *c, struct http_request *r)
{
	const unsigned char *m = span(c, C_TOKEN);
	TRY(need(c));
	if (c->p == m || *c->p != ' ')
		return HTTP_BAD;
	r->method_name = (const char *)m;
	r->method_len = (size_t)(c->p - m);
	if (r->method_len == 3 && m[0] == 'G' && m[1] == 'E' && m[2] == 'T')
		r->method = HTTP_GET;
	else if (r->method_len == 4 && m[0] == 'H' && m[1] == 'E' && m[2] == 'A' && m[3] == 'D')
		r->method = HTTP_HEAD;
	else if (r->method_len == 4 && m[0] == 'P' && m[1] == 'O' && m[2] == 'S' && m[3] == 'T')
		r->method = HTTP_POST;
	else
		r->method = HTTP_OTHER;
	c->p++;
	return 0;
}

/* origin-form target SP: '/' excludes '*', absolute-form, authority-form
 * and a second SP */
static int target(struct cursor *c, struct http_request *r)
{
	TRY(need(c));
	if (*c->p != '/')
		return HTTP_BAD;
	const unsigned char *t = c->p, *query = NULL;
	while (c->p < c->end && (char_class[*c->p] & C_TARGET)) {
		if ((*c->p == '?' || *c->p == '#') && !query)
			query = c->p;
		c->p++;
	}
	r->path = (const char *)t;
	r->path_len = (size_t)((query ? query : c->p) - t);
	return expect(c, ' ');	/* not a line end either: HTTP/0.9 */
}

int http_parse_request(const char *buf, size_t len, struct http_request *req)
{
	struct cursor c = cursor_on(buf, len);
	struct http_request r = { 0 };
	struct fields f = { 0 };
	TRY(empty_lines(&c));
	TRY(method(&c, &r));
	TRY(target(&c, &r));
	TRY(version(&c, &r.minor_version));
	TRY(line_end(&c));
	TRY(fields(&c, &f));
	if (f.have_length && f.have_te)
		return HTTP_BAD;
	r.content_length = f.have_length ? f.length : 0;
	r.has_body = r.content_length > 0 || f.have_te;
	r.keep_alive = !f.close && (r.minor_version == 1 || f.keep_alive);
	*req = r;
	return (int)(c.p - c.start);
}

/* ---- responses ---- */

/* version SP status-code */
static int status_start(struct cursor *c, int *minor, int *status)
{
	TRY(version(c, minor));
	TRY(expect(c, ' '));
	int s = 0;
	for (int i = 0; i < 3; i++) {
		TRY(need(c));
		unsigned char d = *c->p;
		if (d < (i == 0 ? '1' : '0') || d > (i == 0 ? '5' : '9'))
			return HTTP_BAD;
		s = s * 10 + (d - '0');
		c->p++;
	}
	*status = s;
	return 0;
}

/* [SP reason-phrase], up to the line end */
static void reason_phrase(struct cursor *c, struct http_response *r)
{
	const unsigned char *s = c->p;
	if (c->p < c->end && *c->p == ' ') {
		c->p++;
		s = span(c, C_VALUE);
	}
	r->reason = (const char *)s;
	r->reason_len = (size_t)(c->p - s);
}

int http_parse_response(const char *buf, size_t len, struct http_response *resp)
{
	struct cursor c = cursor_on(buf, len);
	struct http_response r = { 0 };
	struct fields f = { 0 };
	TRY(status_start(&c, &r.minor_version, &r.status));
	reason_phrase(&c, &r);
	TRY(line_end(&c));
	TRY(fields(&c, &f));
	r.has_length = f.have_length;
	r.content_length = f.have_length ? f.length : 0;
	r.has_transfer_encoding = f.have_te;
	r.keep_alive = !f.close && (r.minor_version == 1 || f.keep_alive);
	*resp = r;
	return (int)(c.p - c.start);
}

int http_parse_status(const char *buf, size_t len, int *status)
{
	struct cursor c = cursor_on(buf, len);
	int minor, s;
	TRY(status_start(&c, &minor, &s));
	*status = s;
	return (int)(c.p - c.start);
}

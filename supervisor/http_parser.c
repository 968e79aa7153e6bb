/* One HTTP/1.x request head, parsed in a single pass over the caller's
 * buffer, without allocating and without reading past buf[len - 1] (the
 * buffer is not NUL-terminated). The caller parses again from the start each
 * time more bytes arrive, so every call is self-contained; a prefix of a
 * valid head is HTTP_PARTIAL, and bytes that no continuation can make valid
 * are HTTP_BAD as soon as they are seen.
 *
 * Choices where RFC 9112 leaves room (see README, "HTTP API"):
 * - empty lines (CRLF or LF) before the request line are skipped and counted
 *   in the returned length, so the caller consumes them;
 * - a bare LF ends a line like CRLF does; a CR not followed by LF is bad;
 * - the request target must be origin-form ('/' first) of visible ASCII
 *   (0x21-0x7E): controls, DEL and bytes >= 0x80 (raw UTF-8) are bad;
 * - field values may hold obs-text (bytes >= 0x80) but no control other
 *   than HTAB;
 * - Host is not required (tend serves one host; local clients omit it);
 * - "Connection: close" wins over "keep-alive" when both are sent;
 * - repeated Content-Length headers with the same numeric value are fine;
 *   a list value ("5, 5") is bad, as is Content-Length with
 *   Transfer-Encoding. */
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

int http_parse_request(const char *buf, size_t len, struct http_request *req)
{
	const unsigned char *const start = (const unsigned char *)buf;
	const unsigned char *p = start;
	/* Nothing past HTTP_HEAD_MAX is looked at: running out of bytes there
	 * means the head is too large, before it means read more. */
	const unsigned char *const end = start + (len < HTTP_HEAD_MAX ? len : HTTP_HEAD_MAX);
	const int short_of_bytes = len >= HTTP_HEAD_MAX ? HTTP_TOO_LARGE : HTTP_PARTIAL;
	struct http_request r = { 0 };
	bool conn_close = false, conn_keep_alive = false, have_length = false, have_te = false;

#define NEED()                                 \
	do {                                   \
		if (p == end)                  \
			return short_of_bytes; \
	} while (0)
/* Consumes a line end (CRLF or LF) at p, or returns HTTP_BAD. */
#define EOL()                                  \
	do {                                   \
		NEED();                        \
		if (*p == '\r') {              \
			p++;                   \
			NEED();                \
		}                              \
		if (*p != '\n')                \
			return HTTP_BAD;       \
		p++;                           \
	} while (0)

	/* Empty lines before the request line (RFC 9112 2.2). */
	for (;;) {
		NEED();
		if (*p != '\r' && *p != '\n')
			break;
		EOL();
	}

	/* method SP */
	const unsigned char *m = p;
	while (p < end && (char_class[*p] & C_TOKEN))
		p++;
	NEED();
	if (p == m || *p != ' ')
		return HTTP_BAD;
	r.method_name = (const char *)m;
	r.method_len = (size_t)(p - m);
	if (r.method_len == 3 && m[0] == 'G' && m[1] == 'E' && m[2] == 'T')
		r.method = HTTP_GET;
	else if (r.method_len == 4 && m[0] == 'H' && m[1] == 'E' && m[2] == 'A' && m[3] == 'D')
		r.method = HTTP_HEAD;
	else if (r.method_len == 4 && m[0] == 'P' && m[1] == 'O' && m[2] == 'S' && m[3] == 'T')
		r.method = HTTP_POST;
	else
		r.method = HTTP_OTHER;
	p++;

	/* origin-form target SP: '/' excludes '*', absolute-form, authority-form
	 * and a second SP */
	NEED();
	if (*p != '/')
		return HTTP_BAD;
	const unsigned char *t = p, *query = NULL;
	while (p < end && (char_class[*p] & C_TARGET)) {
		if ((*p == '?' || *p == '#') && !query)
			query = p;
		p++;
	}
	NEED();
	if (*p != ' ')	/* also a line end: HTTP/0.9 */
		return HTTP_BAD;
	r.path = (const char *)t;
	r.path_len = (size_t)((query ? query : p) - t);
	p++;

	/* HTTP/1.0 or HTTP/1.1, then the line end */
	static const char version[] = "HTTP/1.";
	for (size_t i = 0; i < sizeof version - 1; i++, p++) {
		NEED();
		if (*p != (unsigned char)version[i])
			return HTTP_BAD;
	}
	NEED();
	if (*p != '0' && *p != '1')
		return HTTP_BAD;
	r.minor_version = *p - '0';
	p++;
	EOL();

	/* header fields, up to the empty line */
	for (;;) {
		NEED();
		if (*p == '\r' || *p == '\n') {
			EOL();
			break;
		}
		/* name ':' — a leading SP/HTAB (obs-fold, or whitespace after the
		 * request line) or SP before the colon is bad */
		const unsigned char *name = p;
		while (p < end && (char_class[*p] & C_TOKEN))
			p++;
		NEED();
		if (p == name || *p != ':')
			return HTTP_BAD;
		size_t name_len = (size_t)(p - name);
		p++;
		while (p < end && ows(*p))
			p++;
		const unsigned char *value = p;
		while (p < end && (char_class[*p] & C_VALUE))
			p++;
		const unsigned char *value_end = p;
		EOL();
		while (value_end > value && ows(value_end[-1]))
			value_end--;

		if (name_len == 10 && token_is(name, "connection", 10)) {
			connection_options(value, value_end, &conn_close, &conn_keep_alive);
		} else if (name_len == 14 && token_is(name, "content-length", 14)) {
			if (value == value_end)
				return HTTP_BAD;
			size_t n = 0;
			for (const unsigned char *d = value; d < value_end; d++) {
				if (*d < '0' || *d > '9')
					return HTTP_BAD;
				unsigned digit = (unsigned)(*d - '0');
				if (n > (SIZE_MAX - digit) / 10)
					return HTTP_BAD;
				n = n * 10 + digit;
			}
			if (have_length && n != r.content_length)
				return HTTP_BAD;
			have_length = true;
			r.content_length = n;
		} else if (name_len == 17 && token_is(name, "transfer-encoding", 17)) {
			have_te = true;
		}
	}
#undef NEED
#undef EOL

	if (have_length && have_te)
		return HTTP_BAD;
	r.has_body = r.content_length > 0 || have_te;
	r.keep_alive = !conn_close && (r.minor_version == 1 || conn_keep_alive);
	*req = r;
	return (int)(p - start);
}

/* Parsing one HTTP/1.x message head, without allocating: the results point
 * into the caller's buffer (the idea of picohttpparser). The server parses
 * requests; the client and the health probes parse responses.
 *
 * Choices where RFC 9112 leaves room (see docs/http-api.md):
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
 *   Transfer-Encoding in a request.
 * For responses, the same header fields, and:
 * - no empty line before the status line;
 * - a status code from 100 to 599; the reason phrase may be left out, with
 *   or without its SP;
 * - Content-Length with Transfer-Encoding is not refused: the caller, which
 *   reads the body, judges the framing (RFC 9112 6.3: TE wins). */
#ifndef TEND_HTTP_PARSER_H
#define TEND_HTTP_PARSER_H

#include <stdbool.h>
#include <stddef.h>

#define HTTP_HEAD_MAX 8192	/* a longer request head is answered 431 */

enum http_parse_result {
	HTTP_PARTIAL = -2,	/* the head is not complete yet: read more */
	HTTP_BAD = -1,		/* malformed: a request is answered 400 and closed */
	HTTP_TOO_LARGE = -3,	/* no complete head within HTTP_HEAD_MAX bytes: 431 */
};

enum http_method { HTTP_GET, HTTP_HEAD, HTTP_POST, HTTP_OTHER };

struct http_request {
	enum http_method method;
	const char *method_name;	/* as sent, for logs and 405 */
	size_t method_len;
	const char *path;		/* the request target up to '?' (query dropped) */
	size_t path_len;
	int minor_version;		/* HTTP/1.<minor_version> */
	bool keep_alive;		/* 1.1 unless "Connection: close"; 1.0 only with "keep-alive" */
	bool has_body;			/* Content-Length > 0 or Transfer-Encoding present */
	size_t content_length;
};

/* Returns the length of the head (through the blank line) when it is
 * complete and well-formed, else one of enum http_parse_result; *req is
 * written only in the first case. */
int http_parse_request(const char *buf, size_t len, struct http_request *req);

struct http_response {
	int minor_version;		/* HTTP/1.<minor_version> */
	int status;			/* 100 to 599 */
	const char *reason;		/* the reason phrase, maybe empty */
	size_t reason_len;
	bool keep_alive;		/* as for a request */
	bool has_length;		/* Content-Length was sent: */
	size_t content_length;
	bool has_transfer_encoding;	/* the body's framing is the caller's to judge */
};

/* The same for a response head: its length, or one of enum
 * http_parse_result (HTTP_BAD and HTTP_TOO_LARGE then mean a response that
 * cannot be read); *resp is written only in the first case. */
int http_parse_response(const char *buf, size_t len, struct http_response *resp);

/* "HTTP/1.1 200": what a response starts with, enough to know its status. */
#define HTTP_STATUS_START 12

/* Only that start of a response: HTTP_STATUS_START with the status code in
 * *status, HTTP_PARTIAL or HTTP_BAD. For a reader that looks no further
 * (the health probes). */
int http_parse_status(const char *buf, size_t len, int *status);

#endif

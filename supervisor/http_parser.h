/* Parsing one HTTP/1.x message head, without allocating: the results point
 * into the caller's buffer (the idea of picohttpparser). The server parses
 * requests; the client and the health probes parse responses. */
#ifndef TEND_HTTP_PARSER_H
#define TEND_HTTP_PARSER_H

#include <stdbool.h>
#include <stddef.h>

#define HTTP_HEAD_MAX 8192	/* a longer request head is answered 431 */

enum http_parse_result {
	HTTP_PARTIAL = -2,	/* the head is not complete yet: read more */
	HTTP_BAD = -1,		/* malformed: answer 400 and close */
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
 * complete and well-formed, else one of enum http_parse_result. */
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
 * cannot be read). */
int http_parse_response(const char *buf, size_t len, struct http_response *resp);

/* "HTTP/1.1 200": what a response starts with, enough to know its status. */
#define HTTP_STATUS_START 12

/* Only that start of a response: HTTP_STATUS_START with the status code in
 * *status, HTTP_PARTIAL or HTTP_BAD. For a reader that looks no further
 * (the health probes). */
int http_parse_status(const char *buf, size_t len, int *status);

#endif

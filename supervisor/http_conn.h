/* One accepted HTTP connection of tend's server (http_server.h): it reads
 * requests, answers them through the API (api.h) in order, pipelined ones
 * included, and closes when told to, on error, or when HTTP_TIMEOUT passes
 * idle between requests or before a begun request head is complete. A
 * client that does not read its answers is not read from past
 * OUTPUT_HIGH_WATER of unsent output. */
#ifndef TEND_HTTP_CONN_H
#define TEND_HTTP_CONN_H

#include <ev.h>

#include "api.h"
#include "strbuf.h"

#define HTTP_TIMEOUT 5.0

struct http_conn;

/* What the connections of one server share. */
struct http_conns {
	struct ev_loop *loop;
	const struct api_backend *backend;
	struct http_conn *list;	/* every open connection */
	struct strbuf answer;	/* every answer is rendered here first */
	struct api_answer api;
};

/* Serves the accepted, non-blocking fd (closed with the connection), whose
 * peer may ask what access allows. *count counts the open connections of
 * its listener: one more now, one less when it closes. NULL when out of
 * memory (fd is then left to the caller). */
struct http_conn *http_conn_open(struct http_conns *conns, int fd, enum api_access access, unsigned *count);
void http_conn_close(struct http_conn *c);
/* Closes every connection; frees what they shared. */
void http_conns_free(struct http_conns *conns);

#endif

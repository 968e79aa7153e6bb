/* One HTTP exchange of the client commands with a running tend over its
 * unix socket: plain blocking HTTP/1.1, one request, the whole answer read,
 * all within CLIENT_TIMEOUT. It prints nothing: what went wrong comes back
 * in the caller's buffer, for client.c to tell. */
#ifndef TEND_CLIENT_HTTP_H
#define TEND_CLIENT_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "strbuf.h"

/* The whole exchange (connect, request, answer) must be over within this
 * long: a wedged tend must not hang a Docker HEALTHCHECK. */
#define CLIENT_TIMEOUT 5.0

struct client_answer {
	int status;
	const char *body;	/* NUL-terminated (inside raw) */
	size_t body_len;
	struct strbuf raw;
};

/* Sends METHOD path to the tend at socket_path and reads its whole answer
 * into a. False (a then needs no client_answer_free) when tend is
 * unreachable or gave no proper answer, with the message to print added
 * to err ("cannot reach tend at PATH: why"). */
bool client_exchange(const char *socket_path, const char *method, const char *path, struct client_answer *a,
		     struct strbuf *err);
void client_answer_free(struct client_answer *a);

#endif

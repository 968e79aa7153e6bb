/* tend's HTTP server: non-blocking, inside the one libev loop. A unix
 * socket serves the whole API (control only to uid 0 and tend's own uid);
 * an optional TCP listener serves the read-only part. Per listener at most
 * HTTP_MAX_CONNECTIONS at once, fewer when RLIMIT_NOFILE is low (more are
 * closed at once and counted), a connection idle for HTTP_TIMEOUT between
 * requests is closed, and a request head must be complete HTTP_TIMEOUT
 * after its first byte (HTTP_TIMEOUT: http_conn.h, which has the
 * connections; this file has the listeners). Answers never raise SIGPIPE
 * (MSG_NOSIGNAL). */
#ifndef TEND_HTTP_SERVER_H
#define TEND_HTTP_SERVER_H

#include <ev.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "api.h"

#define HTTP_MAX_CONNECTIONS 128

struct http_server;

/* Before the loop: sizes the caps on connections from RLIMIT_NOFILE, the
 * backend's number of programs and held_fds, the descriptors tend holds for
 * them besides (their `listen` sockets), raising a low soft limit if it can. */
struct http_server *http_server_new(struct ev_loop *loop, const struct api_backend *backend, size_t held_fds);
/* Both are for before the loop: false with a reason in err. The unix
 * socket's directory must be tend's (dirs_check_private). */
bool http_listen_unix(struct http_server *s, const char *path, mode_t mode, char *err, size_t n);
bool http_listen_tcp(struct http_server *s, const char *host_port, char *err, size_t n);
unsigned long http_connections_refused(const struct http_server *s, enum listener_kind kind);
/* Closes every connection and listener, and removes the socket file. */
void http_server_free(struct http_server *s);


#endif

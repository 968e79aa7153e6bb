/* Small socket helpers, one job each (the idea of redis's anet.c). Every
 * socket made here is close-on-exec. A failure returns -1 or false with a
 * reason in the caller's err, and errno still holds its cause, for a caller
 * that words its message its own way. */
#ifndef TEND_NET_H
#define TEND_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

/* The longest path a unix socket address holds, its NUL aside. */
#define NET_UNIX_PATH_MAX (sizeof((struct sockaddr_un *)0)->sun_path - 1)

/* Whether path fits in a unix socket address. */
bool net_unix_path_fits(const char *path);

/* Parses "HOST:PORT" or "[V6]:PORT" (numeric addresses, or localhost) into
 * addr; false with a reason in err. */
bool net_parse_host_port(const char *host_port, struct sockaddr_storage *addr, socklen_t *addr_len, char *err,
			 size_t n);

/* socket(domain, type) made close-on-exec; type may hold SOCK_NONBLOCK. */
int net_socket(int domain, int type, char *err, size_t n);

/* A non-blocking unix stream socket listening at path, made with mode by
 * bind() itself. Whatever was at path must be gone. */
int net_unix_listen(const char *path, mode_t mode, int backlog, char *err, size_t n);
/* A non-blocking TCP socket listening on "HOST:PORT" (SO_REUSEADDR). */
int net_tcp_listen(const char *host_port, int backlog, char *err, size_t n);
/* A non-blocking unix datagram socket bound at path, made with mode by
 * bind() itself, that is told who sent each datagram (SO_PASSCRED).
 * Whatever was at path must be gone. */
int net_unix_dgram_bind(const char *path, mode_t mode, char *err, size_t n);

/* Connects the unix stream socket fd to path. On a blocking fd this waits
 * as long as its SO_SNDTIMEO (EAGAIN or EINPROGRESS: no connection within
 * it); on a non-blocking one it does not wait (EAGAIN: the listener's
 * backlog is full). */
bool net_unix_connect(int fd, const char *path, char *err, size_t n);
/* A non-blocking TCP socket connected or connecting to addr: whether the
 * connection was made shows (SO_ERROR) once it is writable. */
int net_tcp_connect(const struct sockaddr_storage *addr, socklen_t addr_len, char *err, size_t n);

#endif

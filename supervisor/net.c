#include "net.h"
#include "shed.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* "what: strerror(errno)" into err, fd closed if open; errno kept. */
static int fail(int fd, char *err, size_t n, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int fail(int fd, char *err, size_t n, const char *fmt, ...)
{
	int e = errno;
	va_list ap;
	va_start(ap, fmt);
	int len = vsnprintf(err, n, fmt, ap);
	va_end(ap);
	if (len >= 0 && (size_t)len < n)
		snprintf(err + len, n - (size_t)len, ": %s", strerror(e));
	if (fd >= 0)
		close(fd);
	errno = e;
	return -1;
}

bool net_unix_path_fits(const char *path)
{
	return strlen(path) <= NET_UNIX_PATH_MAX;
}

/* The one place a unix socket address is filled. */
static bool unix_address(struct sockaddr_un *addr, const char *path, char *err, size_t n)
{
	memset(addr, 0, sizeof *addr);
	addr->sun_family = AF_UNIX;
	if (!net_unix_path_fits(path)) {
		snprintf(err, n, "socket path too long (at most %zu bytes)", NET_UNIX_PATH_MAX);
		errno = ENAMETOOLONG;
		return false;
	}
	strcpy(addr->sun_path, path);
	return true;
}

STARTUP_ONLY bool net_parse_host_port(const char *host_port, struct sockaddr_storage *addr, socklen_t *addr_len, char *err,
			 size_t n)
{
	char host[64];
	const char *port_text;
	if (host_port[0] == '[') {
		const char *close_bracket = strchr(host_port, ']');
		if (!close_bracket || close_bracket[1] != ':' || (size_t)(close_bracket - host_port) > sizeof host) {
			snprintf(err, n, "\"%s\" is not [IPV6]:PORT", host_port);
			return false;
		}
		snprintf(host, sizeof host, "%.*s", (int)(close_bracket - host_port - 1), host_port + 1);
		port_text = close_bracket + 2;
	} else {
		const char *colon = strrchr(host_port, ':');
		if (!colon || (size_t)(colon - host_port) >= sizeof host) {
			snprintf(err, n, "\"%s\" is not HOST:PORT", host_port);
			return false;
		}
		snprintf(host, sizeof host, "%.*s", (int)(colon - host_port), host_port);
		port_text = colon + 1;
	}
	char *end;
	long port = strtol(port_text, &end, 10);
	if (!*port_text || *end || port < 1 || port > 65535) {
		snprintf(err, n, "\"%s\" has no port from 1 to 65535", host_port);
		return false;
	}
	memset(addr, 0, sizeof *addr);
	struct sockaddr_in *v4 = (struct sockaddr_in *)addr;
	struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)addr;
	if (strcmp(host, "localhost") == 0)
		strcpy(host, "127.0.0.1");
	if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
		v4->sin_family = AF_INET;
		v4->sin_port = htons((uint16_t)port);
		*addr_len = sizeof *v4;
	} else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
		v6->sin6_family = AF_INET6;
		v6->sin6_port = htons((uint16_t)port);
		*addr_len = sizeof *v6;
	} else {
		snprintf(err, n, "\"%s\" is not a numeric address (or localhost)", host);
		return false;
	}
	return true;
}

int net_socket(int domain, int type, char *err, size_t n)
{
	int fd = socket(domain, type | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return fail(-1, err, n, "socket");
	return fd;
}

/* Made with its mode by bind() itself, through the umask (unix(7)): no
 * window where it is wider, and no chmod() by path afterwards, which would
 * follow whatever had been put at the path meanwhile. (fchmod() on the
 * socket before bind() happens to work on Linux, masked by the umask all
 * the same, but no manual promises it.) */
static int bind_with_mode(int fd, const struct sockaddr_un *addr, mode_t mode)
{
	mode_t old = umask(~mode & 0777);
	int r = bind(fd, (const struct sockaddr *)addr, sizeof *addr);
	int e = errno;
	umask(old);
	errno = e;
	return r;
}

STARTUP_ONLY int net_unix_listen(const char *path, mode_t mode, int backlog, char *err, size_t n)
{
	struct sockaddr_un addr;
	if (!unix_address(&addr, path, err, n))
		return -1;
	int fd = net_socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, err, n);
	if (fd < 0)
		return -1;
	if (bind_with_mode(fd, &addr, mode) < 0 || listen(fd, backlog) < 0)
		return fail(fd, err, n, "cannot listen on %s", path);
	return fd;
}

STARTUP_ONLY int net_tcp_listen(const char *host_port, int backlog, char *err, size_t n)
{
	struct sockaddr_storage addr;
	socklen_t len;
	if (!net_parse_host_port(host_port, &addr, &len, err, n))
		return -1;
	int fd = socket(addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1;
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
	    bind(fd, (struct sockaddr *)&addr, len) < 0 || listen(fd, backlog) < 0)
		return fail(fd, err, n, "cannot listen on %s", host_port);
	return fd;
}

STARTUP_ONLY int net_unix_dgram_bind(const char *path, mode_t mode, char *err, size_t n)
{
	struct sockaddr_un addr;
	if (!unix_address(&addr, path, err, n))
		return -1;
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1;
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof one) < 0 ||
	    bind_with_mode(fd, &addr, mode) < 0)
		return fail(fd, err, n, "cannot bind a datagram socket at %s", path);
	return fd;
}

bool net_unix_connect(int fd, const char *path, char *err, size_t n)
{
	struct sockaddr_un addr;
	if (!unix_address(&addr, path, err, n))
		return false;
	int r;
	do
		r = connect(fd, (const struct sockaddr *)&addr, sizeof addr);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return fail(-1, err, n, "cannot connect to %s", path), false;
	return true;
}

int net_tcp_connect(const struct sockaddr_storage *addr, socklen_t addr_len, char *err, size_t n)
{
	int fd = net_socket(addr->ss_family, SOCK_STREAM | SOCK_NONBLOCK, err, n);
	if (fd < 0)
		return -1;
	if (connect(fd, (const struct sockaddr *)addr, addr_len) < 0 && errno != EINPROGRESS)
		return fail(fd, err, n, "cannot connect");
	return fd;
}

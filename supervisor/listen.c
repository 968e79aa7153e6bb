/* Making the sockets of `listen`, with net.c's helpers. */
#include "listen.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "net.h"

/* Anyone may connect, as with systemd's SocketMode default: who may reach
 * the socket is the directory's business. */
#define LISTEN_UNIX_MODE 0666

/* A socket file left by an earlier run (tend does not remove its sockets
 * at exit, as systemd does not by default) is removed; a live one is not:
 * a non-blocking connect tells, without waiting. */
static bool clear_stale_path(const char *path, char *err, size_t n)
{
	struct stat st;
	if (lstat(path, &st) < 0) {
		if (errno == ENOENT)
			return true;	/* nothing there */
		snprintf(err, n, "%s", strerror(errno));
		return false;
	}
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, n, "%s", "a file that is not a socket is there");
		return false;
	}
	int probe = net_socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, err, n);
	if (probe < 0)
		return false;
	bool live = net_unix_connect(probe, path, err, n) || errno == EAGAIN;
	close(probe);
	if (live) {
		snprintf(err, n, "%s", strerror(EADDRINUSE));
		return false;
	}
	if (unlink(path) < 0 && errno != ENOENT) {
		snprintf(err, n, "cannot remove the stale socket: %s", strerror(errno));
		return false;
	}
	return true;
}

int listen_open(const struct listen_spec *s, unsigned backlog, char *err, size_t n)
{
	char why[256];
	int fd;
	if (s->unix_path) {
		if (!clear_stale_path(s->path, err, n))
			return -1;
		fd = net_unix_listen(s->path, LISTEN_UNIX_MODE, (int)backlog, why, sizeof why);
	} else {
		fd = net_tcp_listen(s->host_port, (int)backlog, why, sizeof why);
	}
	/* net.c words its own message; ours is the address and the OS error */
	if (fd < 0) {
		snprintf(err, n, "%s", strerror(errno));
		return -1;
	}
	/* Blocking, as systemd hands sockets over by default (NonBlocking=no):
	 * a program written for sd_listen_fds may accept() in a plain loop, and
	 * one with an event loop sets O_NONBLOCK itself. (The flag belongs to
	 * the socket, shared by tend's copy and the program's: spawn.c sets it
	 * back for each new process, whatever the last one left.) */
	int flags = fcntl(fd, F_GETFL);
	if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0) {
		snprintf(err, n, "%s", strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

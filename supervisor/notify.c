#include "notify.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dirs.h"
#include "net.h"
#include "utf8.h"
#include "shed.h"

STARTUP_ONLY int notify_open(const char *path, char *err, size_t n)
{
	if (!net_unix_path_fits(path)) {
		snprintf(err, n, "notify socket path too long: %s", path);
		return -1;
	}
	/* the name is unlinked and bound anew: only root and tend may be able to
	 * change what it stands for (the API socket's rule, dirs.h) */
	if (!dirs_make_parents(path, err, n) || !dirs_check_private(path, geteuid(), err, n))
		return -1;
	unlink(path);	/* only tend makes these: an old one is from a dead tend */
	/* 0666: senders are told apart by their credentials, not by the file */
	int fd = net_unix_dgram_bind(path, 0666, err, n);
	if (fd < 0)
		snprintf(err, n, "cannot open the notify socket %s: %s", path, strerror(errno));
	return fd;
}

void notify_parse(const char *text, size_t len, struct notify_message *m)
{
	const char *end = text + len;
	while (text < end) {
		const char *nl = memchr(text, '\n', (size_t)(end - text));
		size_t line = nl ? (size_t)(nl - text) : (size_t)(end - text);
		if (line == 7 && memcmp(text, "READY=1", 7) == 0)
			m->ready = true;
		else if (line == 10 && memcmp(text, "WATCHDOG=1", 10) == 0)
			m->watchdog = true;
		else if (line >= 7 && memcmp(text, "STATUS=", 7) == 0) {
			/* cut between characters: half a character would be a
			 * byte of no character in the JSON of /health */
			size_t k = utf8_cut(text + 7, line - 7, NOTIFY_STATUS_MAX);
			memcpy(m->status, text + 7, k);
			m->status[k] = '\0';
			for (size_t i = 0; i < k; i++)	/* text for a log line and a table cell */
				if ((unsigned char)m->status[i] < 0x20 || m->status[i] == 0x7f)
					m->status[i] = ' ';
			m->has_status = true;
		}
		text += line + 1;
	}
}

bool notify_receive(int fd, struct notify_message *m)
{
	char buf[4096];
	union {
		struct cmsghdr align;
		char space[CMSG_SPACE(sizeof(struct ucred))];
	} control;
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof buf };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &control,
			      .msg_controllen = sizeof control };
	ssize_t got = recvmsg(fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC | MSG_TRUNC);
	if (got < 0)
		return false;
	memset(m, 0, sizeof *m);
	/* The control buffer holds credentials only: fds a sender passes along
	 * (SCM_RIGHTS) do not fit, and the kernel closes them (MSG_CTRUNC). */
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
			struct ucred cred;
			memcpy(&cred, CMSG_DATA(c), sizeof cred);
			m->sender = cred.pid;
			m->sender_uid = cred.uid;
		}
	}
	notify_parse(buf, (size_t)got < sizeof buf ? (size_t)got : sizeof buf, m);
	return true;
}

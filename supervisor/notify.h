/* The sd_notify protocol (tend.ini(5) `notify`): one datagram socket per
 * program, named by NOTIFY_SOCKET in its environment. A datagram is lines of
 * KEY=VALUE; tend reads READY=1, WATCHDOG=1 and STATUS=text. The kernel
 * tells who sent it (SO_PASSCRED), so the caller can count only datagrams
 * from the program's own processes. */
#ifndef TEND_NOTIFY_H
#define TEND_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* STATUS= text is kept up to this many bytes, cut between characters. */
#define NOTIFY_STATUS_MAX 200

struct notify_message {
	pid_t sender;
	uid_t sender_uid;
	bool ready;
	bool watchdog;
	bool has_status;
	char status[NOTIFY_STATUS_MAX + 1];
};

/* Binds a datagram socket at path (parents created, any old file replaced,
 * mode 0666: senders are checked by their credentials, not by the file).
 * Returns the fd, or -1 with a reason in err. */
int notify_open(const char *path, char *err, size_t n);
/* Reads one datagram without blocking; false when there is none. */
bool notify_receive(int fd, struct notify_message *m);
/* Parses a datagram's text (exposed for tests). */
void notify_parse(const char *text, size_t len, struct notify_message *m);

#endif

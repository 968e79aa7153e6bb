/* What a program's `listen` is (tend.ini(5)), as the config says it: sockets
 * tcp://HOST:PORT, tcp://[V6]:PORT or unix:/PATH, each with the name its
 * program sees in LISTEN_FDNAMES. Data only: the sockets are made by
 * listen.c. */
#ifndef TEND_LISTEN_SPEC_H
#define TEND_LISTEN_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

/* More would only be a mistake; LISTEN_FDNAMES stays short. */
#define LISTEN_MAX 32
#define LISTEN_NAME_MAX 64

struct listen_spec {
	char *address;			/* as written, without NAME= ("tcp://127.0.0.1:3000") */
	char name[LISTEN_NAME_MAX + 1];	/* "": the program's name */
	bool unix_path;			/* unix:/PATH, else tcp:// */
	const char *host_port;		/* tcp: "HOST:PORT", inside address */
	const char *path;		/* unix: "/PATH", inside address */
	struct sockaddr_storage addr;	/* tcp */
	socklen_t addr_len;
};

struct listen_list {
	struct listen_spec *items;
	size_t count;
};

/* Parses a `listen` value (comma-separated, NAME= optional before each
 * address) into out, which is freed first; false with a reason in err. */
bool listen_parse(const char *text, struct listen_list *out, char *err, size_t n);
void listen_list_free(struct listen_list *list);

/* Whether a and b are one socket: the same path, or the same address and
 * port. */
bool listen_same(const struct listen_spec *a, const struct listen_spec *b);

#endif

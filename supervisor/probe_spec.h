/* What a health probe is (tend.ini(5) `healthcheck`), as the config says it:
 * http://HOST:PORT/PATH, tcp://HOST:PORT or exec:COMMAND, parsed once when
 * the config is read. Data only: running a probe is probe.h's. */
#ifndef TEND_PROBE_SPEC_H
#define TEND_PROBE_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

enum probe_kind { PROBE_NONE, PROBE_HTTP, PROBE_TCP, PROBE_EXEC };

struct probe_spec {
	enum probe_kind kind;
	struct sockaddr_storage addr;	/* http, tcp */
	socklen_t addr_len;
	char *request;			/* http: the whole GET request */
	char **argv;			/* exec */
};

/* Parses a `healthcheck` value into out; false with a reason in err. */
bool probe_parse(const char *text, struct probe_spec *out, char *err, size_t n);
void probe_spec_free(struct probe_spec *spec);

#endif

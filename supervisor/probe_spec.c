#include "probe_spec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net.h"
#include "words.h"

bool probe_parse(const char *text, struct probe_spec *out, char *err, size_t n)
{
	memset(out, 0, sizeof *out);
	if (strncmp(text, "exec:", 5) == 0) {
		const char *why;
		out->argv = words_split(text + 5, &why);
		if (!out->argv) {
			snprintf(err, n, "exec: %s", why);
			return false;
		}
		out->kind = PROBE_EXEC;
		return true;
	}
	bool http = strncmp(text, "http://", 7) == 0;
	if (!http && strncmp(text, "tcp://", 6) != 0) {
		snprintf(err, n, "\"%s\" is not http://HOST:PORT/PATH, tcp://HOST:PORT or exec:COMMAND", text);
		return false;
	}
	const char *host_port = text + (http ? 7 : 6);
	const char *slash = strchr(host_port, '/');
	if (!http && slash) {
		snprintf(err, n, "a tcp:// check takes no path");
		return false;
	}
	size_t hp_len = slash ? (size_t)(slash - host_port) : strlen(host_port);
	char hp[128];
	if (hp_len >= sizeof hp) {
		snprintf(err, n, "address too long");
		return false;
	}
	memcpy(hp, host_port, hp_len);
	hp[hp_len] = '\0';
	if (!net_parse_host_port(hp, &out->addr, &out->addr_len, err, n))
		return false;
	if (http) {
		const char *path = slash ? slash : "/";
		for (const char *c = path; *c; c++) {
			if ((unsigned char)*c <= ' ' || *c == 0x7f) {
				snprintf(err, n, "the path may not hold spaces or control characters");
				return false;
			}
		}
		if (asprintf(&out->request, "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: tend\r\nConnection: close\r\n\r\n",
			     path, hp) < 0) {
			snprintf(err, n, "out of memory");
			return false;
		}
	}
	out->kind = http ? PROBE_HTTP : PROBE_TCP;
	return true;
}

void probe_spec_free(struct probe_spec *spec)
{
	free(spec->request);
	free(spec->argv);
	memset(spec, 0, sizeof *spec);
}

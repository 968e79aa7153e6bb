/* A `listen` value parsed once, when the config is read. */
#include "listen_spec.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net.h"
#include "values.h"

void listen_list_free(struct listen_list *list)
{
	for (size_t i = 0; i < list->count; i++)
		free(list->items[i].address);
	free(list->items);
	list->items = NULL;
	list->count = 0;
}

/* The names systemd allows in LISTEN_FDNAMES, narrowed to those of
 * program names: no ':' (the separator) and nothing a shell would mangle. */
static bool valid_name(const char *name, size_t len)
{
	if (len == 0 || len > LISTEN_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)name[i]) && !strchr("_.-", name[i]))
			return false;
	return true;
}

/* One item: [NAME=]tcp://HOST:PORT or [NAME=]unix:/PATH. */
static bool parse_one(const char *item, struct listen_spec *s, char *err, size_t n)
{
	const char *address = item;
	const char *eq = strchr(item, '=');
	/* a '=' before "://" or "unix:" names the socket */
	if (eq && strncmp(item, "unix:", 5) != 0 && (!strstr(item, "://") || eq < strstr(item, "://"))) {
		if (!valid_name(item, (size_t)(eq - item))) {
			snprintf(err, n, "\"%.*s\" is not a socket name (1 to %d of A-Z a-z 0-9 _ . -)", (int)(eq - item),
				 item, LISTEN_NAME_MAX);
			return false;
		}
		snprintf(s->name, sizeof s->name, "%.*s", (int)(eq - item), item);
		address = eq + 1;
	}
	if (!(s->address = strdup(address))) {
		snprintf(err, n, "out of memory");
		return false;
	}
	if (strncmp(address, "tcp://", 6) == 0) {
		s->host_port = s->address + 6;
		return net_parse_host_port(s->host_port, &s->addr, &s->addr_len, err, n);
	}
	if (strncmp(address, "unix:", 5) == 0) {
		s->unix_path = true;
		s->path = s->address + 5;
		if (*s->path == '/' && net_unix_path_fits(s->path))
			return true;
		snprintf(err, n, "\"%s\" is not an absolute path of at most %zu bytes", s->path, NET_UNIX_PATH_MAX);
		return false;
	}
	snprintf(err, n, "\"%s\" is not tcp://HOST:PORT, tcp://[V6]:PORT or unix:/PATH", address);
	return false;
}

bool listen_same(const struct listen_spec *a, const struct listen_spec *b)
{
	if (a->unix_path || b->unix_path)
		return a->unix_path && b->unix_path && strcmp(a->path, b->path) == 0;
	return a->addr_len == b->addr_len && memcmp(&a->addr, &b->addr, a->addr_len) == 0;
}

bool listen_parse(const char *text, struct listen_list *out, char *err, size_t n)
{
	listen_list_free(out);
	char **items;
	if (!value_list(text, &items, err, n))
		return false;
	size_t count = 0;
	while (items[count])
		count++;
	bool ok = count > 0 && count <= LISTEN_MAX;
	if (count == 0)
		snprintf(err, n, "no socket given");
	else if (!ok)
		snprintf(err, n, "more than %d sockets", LISTEN_MAX);
	if (ok && !(out->items = calloc(count, sizeof *out->items))) {
		snprintf(err, n, "out of memory");
		ok = false;
	}
	for (size_t i = 0; ok && i < count; i++) {
		out->count++;
		ok = parse_one(items[i], &out->items[i], err, n);
		for (size_t j = 0; ok && j < i; j++)
			if (listen_same(&out->items[j], &out->items[i])) {
				snprintf(err, n, "%s is given twice", out->items[i].address);
				ok = false;
			}
	}
	value_list_free(items);
	if (!ok)
		listen_list_free(out);
	return ok;
}

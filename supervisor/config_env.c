#include "config_env.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "config_diag.h"
#include "net.h"

extern char **environ;

/* LISTEN_* in tend's own environment describe tend's fds (tend started by
 * systemd's socket activation, say), which no program gets: passed on,
 * they would tell a program without `listen` to take fds it does not have.
 * A program with `listen` gets its own (env_add_listen). */
static bool inherited_listen_var(const char *var)
{
	return strncmp(var, "LISTEN_FDS=", 11) == 0 || strncmp(var, "LISTEN_PID=", 11) == 0 ||
	       strncmp(var, "LISTEN_FDNAMES=", 15) == 0;
}

char **env_for_program(char **extra)
{
	size_t n = 0, nextra = 0;
	while (environ && environ[n])
		n++;
	while (extra && extra[nextra])
		nextra++;
	char **envp = calloc(n + nextra + 1, sizeof *envp);
	if (!envp)
		return NULL;
	size_t count = 0;
	for (size_t i = 0; i < n; i++) {
		size_t keylen = strcspn(environ[i], "=");
		if (inherited_listen_var(environ[i]))
			continue;
		bool replaced = false;
		for (size_t j = 0; j < nextra && !replaced; j++)
			replaced = strncmp(extra[j], environ[i], keylen + 1) == 0;
		if (!replaced)
			envp[count++] = environ[i];
	}
	for (size_t j = 0; j < nextra; j++)
		envp[count++] = extra[j];
	return envp;
}

static bool env_append(char ***list, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool env_append(char ***list, const char *fmt, ...)
{
	size_t n = 0;
	while (*list && (*list)[n])
		n++;
	char **grown = realloc(*list, (n + 2) * sizeof *grown);
	if (!grown)
		return false;
	*list = grown;
	va_list ap;
	va_start(ap, fmt);
	int r = vasprintf(&grown[n], fmt, ap);
	va_end(ap);
	grown[r < 0 ? n : n + 1] = NULL;
	return r >= 0;
}

bool env_add_notify(const struct config *cfg, struct program_config *p, struct diagnostics *diags, bool *oom)
{
	if (!cfg->socket)
		return false;	/* no valid socket at all: that error is reported already */
	const char *slash = strrchr(cfg->socket, '/');
	int dir_len = slash ? (int)(slash - cfg->socket) : 0;
	if (asprintf(&p->notify_path, "%.*s/notify/%s.sock", dir_len, cfg->socket, p->name) < 0) {
		*oom = true;
		return false;
	}
	if (!net_unix_path_fits(p->notify_path)) {
		diag_add(diags, p->line, false, "[program:%s] notify: its socket path %s is too long (choose a shorter [tend] socket)",
			 p->name, p->notify_path);
		return false;
	}
	bool ok = env_append(&p->env_extra, "NOTIFY_SOCKET=%s", p->notify_path);
	if (ok && p->watchdog_sec > 0)
		ok = env_append(&p->env_extra, "WATCHDOG_USEC=%.0f", p->watchdog_sec * 1e6);
	if (!ok)
		*oom = true;
	return ok;
}

bool env_add_listen(struct program_config *p)
{
	const struct listen_list *l = &p->listen;
	if (l->count == 0)
		return true;
	size_t len = 0;
	for (size_t i = 0; i < l->count; i++)
		len += strlen(l->items[i].name) + 1;
	char *names = malloc(len + sizeof "LISTEN_FDNAMES=");
	if (!names || asprintf(&p->listen_env[0], "LISTEN_FDS=%zu", l->count) < 0) {
		free(names);
		p->listen_env[0] = NULL;
		return false;
	}
	char *w = names + sprintf(names, "LISTEN_FDNAMES=");
	for (size_t i = 0; i < l->count; i++)
		w += sprintf(w, "%s%s", i ? ":" : "", l->items[i].name);
	p->listen_env[1] = names;
	return true;
}

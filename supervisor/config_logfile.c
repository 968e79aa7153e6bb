#include "config_logfile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config_diag.h"
#include "values.h"

/* Keys that change nothing under tend: their effect is on log files that
 * tend does not write (a warning about the file covers them), or on event
 * listeners, which tend refuses. */
static const char *const no_effect[] = {
	"stdout_logfile_maxbytes", "stdout_logfile_backups", "stdout_capture_maxbytes", "stdout_events_enabled",
	"stderr_logfile_maxbytes", "stderr_logfile_backups", "stderr_capture_maxbytes", "stderr_events_enabled",
};

/* supervisor 2's [program:x] keys, still in old files: supervisord 3 and
 * later do nothing with them either. */
static const char *const obsolete[] = { "logfile", "logfile_maxbytes", "logfile_backups", "log_stdout", "log_stderr" };

#define NITEMS(a) (sizeof(a) / sizeof(a)[0])

static bool is_obsolete(const char *key)
{
	for (size_t i = 0; i < NITEMS(obsolete); i++)
		if (strcasecmp(key, obsolete[i]) == 0)
			return true;
	return false;
}

bool logfile_key(const char *key)
{
	for (size_t i = 0; i < NITEMS(no_effect); i++)
		if (strcasecmp(key, no_effect[i]) == 0)
			return true;
	return is_obsolete(key) || strcasecmp(key, "stdout_logfile") == 0 || strcasecmp(key, "stderr_logfile") == 0 ||
	       strcasecmp(key, "stdout_syslog") == 0 || strcasecmp(key, "stderr_syslog") == 0 ||
	       strcasecmp(key, "serverurl") == 0;
}

/* Names of tend's stream fd (1 or 2) as a program's log file: /dev/stdout,
 * /dev/fd/1, and /proc/self/fd/1 or /proc/1/fd/1, which images write to
 * reach the container's log (supervisord's, or PID 1's: tend's). */
static bool is_stream(const char *path, int fd)
{
	static const char *const names[2][4] = {
		{ "/dev/stdout", "/dev/fd/1", "/proc/self/fd/1", "/proc/1/fd/1" },
		{ "/dev/stderr", "/dev/fd/2", "/proc/self/fd/2", "/proc/1/fd/2" },
	};
	for (size_t i = 0; i < 4; i++)
		if (strcmp(path, names[fd - 1][i]) == 0)
			return true;
	return false;
}

/* stdout_logfile (fd 1) or stderr_logfile (fd 2); *crossed: it names
 * tend's other stream. */
static void logfile(const struct ini_entry *e, const char *value, int fd, const char *label, struct program_draft *d,
		    bool *crossed, struct diagnostics *diags)
{
	const char *own = fd == 1 ? "stdout" : "stderr";
	if (fd == 2 && d->p.redirect_stderr && d->line[PROGRAM_KEY_redirect_stderr])
		return;	/* as in supervisord: redirected, the stderr file is not used */
	if (is_stream(value, fd) || strcasecmp(value, "AUTO") == 0)
		return;	/* tend's own stream: what it does anyway (AUTO: supervisord's default) */
	if (is_stream(value, 3 - fd)) {
		*crossed = true;
		if (fd == 1)	/* for a warning that needs log_prefix, known later */
			d->crossed_line = e->line;
		return;
	}
	if (strcasecmp(value, "NONE") == 0 || strcmp(value, "/dev/null") == 0)
		diag_ignored(diags, e->line, "%s %s: the program's %s is not discarded, it goes to tend's %s",
			     label, e->key, own, own);
	else
		diag_ignored(diags, e->line, "%s %s: the program's %s goes to tend's %s, not to %s", label,
			     e->key, own, own, value);
}

static void one_key(const struct ini_entry *e, const char *value, const char *label, struct program_draft *d,
		    bool crossed[2], struct diagnostics *diags)
{
	char err[256];
	bool on;
	if (strcasecmp(e->key, "stdout_logfile") == 0) {
		logfile(e, value, 1, label, d, &crossed[0], diags);
	} else if (strcasecmp(e->key, "stderr_logfile") == 0) {
		logfile(e, value, 2, label, d, &crossed[1], diags);
	} else if (strcasecmp(e->key, "stdout_syslog") == 0 || strcasecmp(e->key, "stderr_syslog") == 0) {
		if (!value_bool(value, &on, err, sizeof err))
			diag_add(diags, e->line, false, "%s %s: %s", label, e->key, err);
		else if (on)
			diag_ignored(diags, e->line, "%s %s: output goes to tend's stdout/stderr, not to syslog",
				     label, e->key);
	} else if (is_obsolete(e->key)) {
		diag_ignored(diags, e->line, "%s %s: a key of supervisor 2, which supervisord 3 and later ignore too "
			     "(stdout_logfile is the key)", label, e->key);
	} else if (strcasecmp(e->key, "serverurl") == 0) {
		if (strcasecmp(value, "AUTO") != 0)
			diag_ignored(diags, e->line, "%s serverurl: tend sets no SUPERVISOR_SERVER_URL", label);
	}
	/* the rest: no effect (no_effect) */
}

void logfile_apply(const struct ini_section *s, const struct percent_names *names, const char *label,
		   struct program_draft *d, struct diagnostics *diags)
{
	bool crossed[2] = { false, false };	/* stdout to tend's stderr, stderr to tend's stdout */
	for (size_t i = 0; i < s->nentries; i++) {
		const struct ini_entry *e = &s->entries[i];
		if (!logfile_key(e->key))
			continue;
		char err[384];
		char *value = percent_and_vars(e->value, names, err, sizeof err);
		if (!value) {
			diag_add(diags, e->line, false, "%s %s: %s", label, e->key, err);
			continue;
		}
		one_key(e, value, label, d, crossed, diags);
		free(value);
	}
	if (crossed[0] && crossed[1])
		d->p.streams_swapped = true;
	else if (crossed[1])
		d->p.redirect_stderr = true;	/* stderr where stdout goes: tend's stdout */
	else if (crossed[0])
		d->p.stdout_to_stderr = true;
}

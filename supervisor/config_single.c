/* The config of single-command mode (tend -- COMMAND): no file, one
 * program with tini's behaviour. */
#include "config.h"

#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_env.h"
#include "config_keys.h"

bool program_config_defaults(struct program_config *p)
{
	struct program_draft draft = { 0 };
	keys_program_defaults(&draft);
	*p = draft.p;
	p->envp = env_for_program(NULL);
	return p->envp != NULL;
}

/* The name a program gets: the command's file name. */
static void name_after(struct program_config *p, const char *command)
{
	char *copy = strdup(command);
	snprintf(p->name, sizeof p->name, "%s", copy ? basename(copy) : "command");
	free(copy);
}

/* tini's behaviour: no restart, the received stop signal passed on,
 * SIGKILL to its group 5 s later. */
static bool single_program(struct program_config *p, char **argv)
{
	if (!program_config_defaults(p))
		return false;
	name_after(p, argv[0]);
	size_t argc = 0;
	while (argv[argc])
		argc++;
	p->argv = malloc((argc + 1) * sizeof *p->argv);	/* words borrowed from main's argv */
	if (!p->argv)
		return false;
	memcpy(p->argv, argv, (argc + 1) * sizeof *p->argv);
	p->autorestart = AUTORESTART_FALSE;
	/* no exit code is a failure of tend's: each is passed on as tend's own
	 * (tend(8) EXIT STATUS), so none is worth a warning in the quiet log */
	for (size_t code = 0; code < EXIT_CODES_MAX; code++)
		p->exitcodes[code] = true;
	p->startsecs = 0;
	p->stopasgroup = false;	/* the signal goes to the command itself, as with tini */
	p->killasgroup = true;
	p->stopwaitsecs = 5;
	p->tty_foreground = true;
	return true;
}

struct config *config_single_command(char **argv)
{
	struct config *cfg = calloc(1, sizeof *cfg);
	if (!cfg)
		return NULL;
	cfg->programs = calloc(1, sizeof *cfg->programs);
	cfg->path = strdup("(command line)");
	if (!cfg->programs || !cfg->path) {
		config_free(cfg);
		return NULL;
	}
	cfg->nprograms = 1;
	cfg->shutdown_timeout = 9;
	cfg->exit_on_fatal = false;
	/* quiet, as tini is (tend(8) SIGNALS): the terminal is the command's; -v
	 * brings back tend's own lines */
	cfg->log_level = LOG_WARN;
	cfg->log_format = LOG_TEXT;
	if (!single_program(&cfg->programs[0], argv)) {
		config_free(cfg);
		return NULL;
	}
	return cfg;
}

/* tend's command line (tend(8)): run a config, run one command, check a
 * config. Everything here happens before the loop, so fatal() is allowed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "config.h"
#include "exit_status.h"
#include "log.h"
#include "order.h"
#include "rlimits.h"
#include "sched_slice.h"
#include "supervisor.h"

/* TEND_VERSION and TEND_COMMIT, written by the Makefile (build/gen). */
#include "version.h"

/* One screen: the reference is the man pages. */
static const char usage[] =
	"usage: tend [-c FILE] [-v|-q]             run the programs of FILE\n"
	"       tend [-v|-q] -- COMMAND [ARG...]   supervise one command, like tini\n"
	"       tend check [-c FILE]               check FILE, print its programs\n"
	"       tend status [-s SOCKET|-c FILE]    the programs of a running tend\n"
	"       tend health [-s SOCKET|-c FILE] [NAME]\n"
	"                                          exit 0 ready, 1 not, 2 unreachable\n"
	"       tend start|stop|restart NAME [-s SOCKET|-c FILE]\n"
	"                                          control one program\n"
	"       tend signal NAME SIG [-s SOCKET|-c FILE]\n"
	"                                          send SIG (e.g. HUP) to one program\n"
	"       tend --help | --version\n"
	"\n"
	"  -c FILE    the configuration; default $TEND_CONFIG, else " DEFAULT_CONFIG "\n"
	"  -s SOCKET  a running tend's socket; default the socket of -c FILE, else\n"
	"             $TEND_SOCKET, else that of the default FILE, else\n"
	"             " DEFAULT_SOCKET "\n"
	"  -v, -q     log debug lines too; log only warnings and errors\n"
	"\n"
	"Reference: man tend (commands, signals, HTTP API, exit statuses)\n"
	"           man tend.ini (the configuration file)\n";

struct options {
	const char *command;	/* NULL: run; "check" */
	const char *config;
	char **argv;		/* after "--" */
	int verbosity;		/* -1 quiet, 0 as configured, 1 verbose */
};

static void parse_options(int argc, char **argv, struct options *o)
{
	int i = 1;
	if (i < argc && strcmp(argv[i], "check") == 0)
		o->command = argv[i++];
	for (; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--") == 0) {
			if (o->command)
				fatal(TEND_EXIT_ERROR, "check takes no command (see tend --help)");
			o->argv = &argv[i + 1];
			if (!o->argv[0])
				fatal(TEND_EXIT_ERROR, "no command after --");
			return;
		} else if (strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0) {
			if (++i >= argc)
				fatal(TEND_EXIT_ERROR, "%s needs a file", a);
			o->config = argv[i];
		} else if (strncmp(a, "--config=", 9) == 0) {
			o->config = a + 9;
		} else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
			o->verbosity = 1;
		} else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
			o->verbosity = -1;
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			fputs(usage, stdout);
			exit(TEND_EXIT_OK);
		} else if (strcmp(a, "--version") == 0 || strcmp(a, "-V") == 0) {
			puts("tend " TEND_VERSION " (commit " TEND_COMMIT ")");
			exit(TEND_EXIT_OK);
		} else {
			fatal(TEND_EXIT_ERROR, "unknown argument \"%s\" (see tend --help)", a);
		}
	}
}

static const char *config_path(const struct options *o)
{
	if (o->config)
		return o->config;
	const char *env = getenv("TEND_CONFIG");
	return env && *env ? env : DEFAULT_CONFIG;
}

/* keep: where the diagnostics go, to be freed by the caller; NULL: freed here */
static struct config *load_or_exit(const char *path, struct diagnostics *keep)
{
	struct diagnostics diags;
	struct config *cfg = config_load_file(path, &diags);
	diagnostics_print(&diags, path);
	if (!cfg)
		exit(TEND_EXIT_ERROR);
	if (keep)
		*keep = diags;
	else
		diagnostics_free(&diags);
	return cfg;
}

/* A word as a shell would need it written to get it back. */
static void print_word(const char *w)
{
	if (*w && strspn(w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./=:,+@%") == strlen(w)) {
		fputs(w, stdout);
		return;
	}
	putchar('\'');
	for (; *w; w++) {
		if (*w == '\'')
			fputs("'\\''", stdout);
		else
			putchar(*w);
	}
	putchar('\'');
}

static int run_check(const struct options *o)
{
	const char *path = config_path(o);
	struct diagnostics diags;
	struct config *cfg = load_or_exit(path, &diags);
	printf("%s: OK, %zu program%s\n", path, cfg->nprograms, cfg->nprograms == 1 ? "" : "s");
	if (cfg->nprograms)
		printf("%-5s %-20s %-8s %-9s %-7s %-20s %s\n", "step", "program", "priority", "autostart", "kind",
		       "depends_on", "command");
	unsigned last_step = 0;
	for (size_t i = 0; i < cfg->nprograms; i++)
		if (cfg->programs[i].start_step > last_step)
			last_step = cfg->programs[i].start_step;
	for (unsigned step = 0; step <= last_step; step++) {
		for (size_t i = 0; i < cfg->nprograms; i++) {
			const struct program_config *p = &cfg->programs[i];
			if (p->start_step != step)
				continue;
			char deps[256] = "-";
			size_t used = 0;
			for (size_t d = 0; d < p->ndepends && used < sizeof deps; d++)
				used += (size_t)snprintf(deps + used, sizeof deps - used, "%s%s", d ? "," : "",
							 cfg->programs[p->depends_on[d]].name);
			/* a oneshot's dependents start once it has finished */
			printf("%-5u %-20s %-8u %-9s %-7s %-20s ", step + 1, p->name, p->priority, p->autostart ? "yes" : "no",
			       p->oneshot ? "oneshot" : "longrun", deps);
			for (char **w = p->argv; *w; w++) {
				if (w != p->argv)
					putchar(' ');
				print_word(*w);
			}
			putchar('\n');
		}
	}
	for (size_t i = 1; i < cfg->nfiles; i++)
		printf("included: %s\n", cfg->files[i]);
	diagnostics_print_ignored(&diags, path);
	diagnostics_free(&diags);
	config_free(cfg);
	return 0;
}

static void apply_verbosity(const struct options *o, const struct config *cfg)
{
	enum log_level level = cfg->log_level;
	if (o->verbosity > 0)
		level = LOG_DEBUG;
	else if (o->verbosity < 0)
		level = LOG_WARN;
	log_setup(level, cfg->log_format);
}

int main(int argc, char **argv)
{
	if (argc > 1 && client_is_command(argv[1]))
		return client_main(argc - 1, argv + 1);	/* status, health, start, ... */
	struct options o = { 0 };
	parse_options(argc, argv, &o);
	if (o.command && strcmp(o.command, "check") == 0)
		return run_check(&o);

	struct config *cfg;
	enum run_mode mode;
	if (o.argv) {
		cfg = config_single_command(o.argv);
		if (!cfg)
			fatal(TEND_EXIT_ERROR, "out of memory");
		mode = MODE_SINGLE;
	} else {
		cfg = load_or_exit(config_path(&o), NULL);
		mode = MODE_PROGRAMS;
	}
	apply_verbosity(&o, cfg);
	rlimits_raise(cfg);
	sched_slice_ask_short();
	int status = supervisor_run(cfg, mode);
	config_free(cfg);
	return status;
}

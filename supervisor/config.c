/* Loading a config, one step a file: config_include.c reads the file and
 * the files it includes, config_ini.c each file's
 * sections and entries (inih, with a line-counting reader of ours),
 * config_keys.c converts each entry through the table of keys,
 * config_build.c makes the struct config and checks what takes several
 * keys (and frees it), config_diag.c collects what is wrong.
 * config_single.c makes the config of single-command mode. */
#include "config.h"

#include <string.h>

#include "config_build.h"
#include "config_diag.h"
#include "config_include.h"
#include "config_ini.h"
#include "config_keys.h"

static struct config *load(const char *path, const char *text, struct diagnostics *diags)
{
	memset(diags, 0, sizeof *diags);
	struct config_ini ini;
	config_include_read(&ini, path, text, keys_known, diags);
	struct config *cfg = config_build(&ini, path, diags);
	config_ini_free(&ini);
	diag_sort(diags);
	return cfg;
}

struct config *config_load_string(const char *text, const char *name, struct diagnostics *diags)
{
	return load(name, text, diags);
}

struct config *config_load_file(const char *path, struct diagnostics *diags)
{
	return load(path, NULL, diags);
}

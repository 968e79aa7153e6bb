/* Loading a config, one step a file: config_ini.c reads the file's
 * sections and entries (inih, with a line-counting reader of ours),
 * config_keys.c converts each entry through the table of keys,
 * config_build.c makes the struct config and checks what takes several
 * keys (and frees it), config_diag.c collects what is wrong.
 * config_single.c makes the config of single-command mode. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_build.h"
#include "config_diag.h"
#include "config_ini.h"
#include "config_keys.h"

struct config *config_load_string(const char *text, const char *name, struct diagnostics *diags)
{
	memset(diags, 0, sizeof *diags);
	struct config_ini ini;
	config_ini_read(&ini, text, keys_known, diags);
	struct config *cfg = config_build(&ini, name, diags);
	config_ini_free(&ini);
	diag_sort(diags);
	return cfg;
}

/* The whole file in memory; NULL, with a diagnostic, if it is not text. */
static char *read_file(const char *path, struct diagnostics *diags)
{
	FILE *f = fopen(path, "re");
	if (!f) {
		diag_add(diags, 0, false, "cannot read: %s", strerror(errno));
		return NULL;
	}
	char *text = NULL;
	size_t size = 0;
	FILE *mem = open_memstream(&text, &size);
	char chunk[4096];
	size_t got;
	bool has_nul = false;
	while (mem && (got = fread(chunk, 1, sizeof chunk, f)) > 0) {
		has_nul |= memchr(chunk, '\0', got) != NULL;
		fwrite(chunk, 1, got, mem);
	}
	bool read_error = ferror(f);
	fclose(f);
	if (mem)
		fclose(mem);
	if (!mem || !text || read_error || has_nul) {
		diag_add(diags, 0, false, "%s", has_nul ? "not a text file (it has a NUL byte)" : "cannot read the file");
		free(text);
		return NULL;
	}
	return text;
}

struct config *config_load_file(const char *path, struct diagnostics *diags)
{
	memset(diags, 0, sizeof *diags);
	char *text = read_file(path, diags);
	if (!text)
		return NULL;
	struct config *cfg = config_load_string(text, path, diags);
	free(text);
	return cfg;
}

/* [include] files = PATTERN …: space-separated globs, relative to the
 * directory of the file that has the section, each one's matches sorted;
 * the files' sections are read in place of the [include] section. A file
 * that includes itself, through any chain, is an error. */
#include "config_include.h"

#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config_diag.h"
#include "config_percent.h"

/* How deep includes may nest: a bound whatever the files. */
#define INCLUDE_DEPTH_MAX 32

struct includer {
	struct config_ini *out;
	bool (*is_key)(const char *name);
	struct diagnostics *diags;
	char *stack[INCLUDE_DEPTH_MAX];	/* real paths of the files being read */
	size_t depth;
};

/* The whole file in memory; NULL, with a diagnostic at line, if it is not text. */
static char *read_text(const char *path, struct diagnostics *diags, int line, const char *label)
{
	FILE *f = fopen(path, "re");
	if (!f) {
		diag_add(diags, line, false, "%s%scannot read: %s", label, *label ? ": " : "", strerror(errno));
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
		diag_add(diags, line, false, "%s%s%s", label, *label ? ": " : "",
			 has_nul ? "not a text file (it has a NUL byte)" : "cannot read the file");
		free(text);
		return NULL;
	}
	return text;
}

static bool add_file(struct config_ini *ini, const char *path)
{
	char **files = realloc(ini->files, (ini->nfiles + 1) * sizeof *files);
	if (!files)
		return false;
	ini->files = files;
	if (!(files[ini->nfiles] = strdup(path)))
		return false;
	ini->nfiles++;
	return true;
}

static void move_section(struct includer *in, struct ini_section *s)
{
	struct config_ini *out = in->out;
	struct ini_section *grown = realloc(out->sections, (out->nsections + 1) * sizeof *grown);
	if (!grown) {
		out->oom = true;
		return;
	}
	out->sections = grown;
	out->sections[out->nsections++] = *s;
	memset(s, 0, sizeof *s);
}

static void read_tree(struct includer *in, const char *path, const char *text, int line);

/* The directory of path, "." for a bare name. */
static void dir_of(const char *path, char *dir, size_t n)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		snprintf(dir, n, ".");
	else if (slash == path)
		snprintf(dir, n, "/");
	else
		snprintf(dir, n, "%.*s", (int)(slash - path), path);
}

static void include_pattern(struct includer *in, const char *pattern, const char *dir, int line)
{
	char full[2 * PATH_MAX + 2];
	if (pattern[0] == '/')
		snprintf(full, sizeof full, "%s", pattern);
	else
		snprintf(full, sizeof full, "%s/%s", dir, pattern);
	glob_t g;
	int r = glob(full, 0, NULL, &g);	/* sorted */
	if (r == GLOB_NOMATCH)
		diag_add(in->diags, line, true, "[include] files: \"%s\" matches no file", pattern);
	else if (r != 0)
		diag_add(in->diags, line, false, "[include] files: cannot read the files of \"%s\"", pattern);
	for (size_t i = 0; r == 0 && i < g.gl_pathc; i++)
		read_tree(in, g.gl_pathv[i], NULL, line);
	if (r == 0)
		globfree(&g);
}

static void read_include(struct includer *in, const struct ini_section *s, const char *path)
{
	char dir[PATH_MAX + 1], here[PATH_MAX];
	dir_of(path, dir, sizeof dir);
	/* absolute: a pattern it starts is then not joined to dir */
	percent_here(path, here, sizeof here);
	struct percent_names names = { .here = here };
	bool has_files = false;
	for (size_t i = 0; i < s->nentries; i++) {
		const struct ini_entry *e = &s->entries[i];
		if (strcasecmp(e->key, "files") != 0) {
			diag_add(in->diags, e->line, false, "[include] unknown key \"%s\" (it takes files = PATTERN ...)",
				 e->key);
			continue;
		}
		has_files = true;
		char err[384];
		char *value = percent_and_vars(e->value, &names, err, sizeof err);
		if (!value) {
			diag_add(in->diags, e->line, false, "[include] files: %s", err);
			continue;
		}
		for (char *save = NULL, *word = strtok_r(value, " \t", &save); word; word = strtok_r(NULL, " \t", &save))
			include_pattern(in, word, dir, e->line);
		free(value);
	}
	if (!has_files && !s->broken)
		diag_add(in->diags, s->line, false, "[include] without files = PATTERN ...");
}

/* A file and, in place of each [include], the files it names. line: the
 * line that included it (0 for the first file). */
static void read_tree(struct includer *in, const char *path, const char *text, int line)
{
	char real[PATH_MAX + 1];
	if (!realpath(path, real))
		snprintf(real, sizeof real, "%s", path);
	for (size_t i = 0; i < in->depth; i++)
		if (strcmp(in->stack[i], real) == 0) {
			diag_add(in->diags, line, false, "[include] files: %s includes itself (an include loop)", path);
			return;
		}
	if (in->depth == INCLUDE_DEPTH_MAX || in->out->nfiles == DIAG_FILES_MAX) {
		diag_add(in->diags, line, false, "[include] files: too many files or includes nested too deep at %s", path);
		return;
	}
	char *own = NULL;
	if (!text && !(text = own = read_text(path, in->diags, line, line ? path : "")))
		return;
	size_t file = in->out->nfiles;
	if (!add_file(in->out, path)) {
		in->out->oom = true;
		free(own);
		return;
	}
	diag_file(in->diags, file, path);
	in->stack[in->depth++] = real;
	struct config_ini one;
	config_ini_read_at(&one, text, file, in->is_key, in->diags);
	free(own);
	in->out->oom |= one.oom;
	for (size_t i = 0; i < one.nsections; i++) {
		struct ini_section *s = &one.sections[i];
		if (s->line > 0 && strcmp(s->name, "include") == 0)
			read_include(in, s, path);
		else
			move_section(in, s);
	}
	in->depth--;
	config_ini_free(&one);
}

void config_include_read(struct config_ini *ini, const char *path, const char *text,
			 bool (*is_key)(const char *name), struct diagnostics *diags)
{
	*ini = (struct config_ini){ 0 };
	struct includer in = { .out = ini, .is_key = is_key, .diags = diags };
	read_tree(&in, path, text, 0);
}

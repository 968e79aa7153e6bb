#include "config_diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void add(struct diagnostics *d, int line, bool warning, bool ignored, const char *fmt, va_list ap)
	__attribute__((format(printf, 5, 0)));
static void add(struct diagnostics *d, int line, bool warning, bool ignored, const char *fmt, va_list ap)
{
	char text[512];
	vsnprintf(text, sizeof text, fmt, ap);
	struct diagnostic *items = realloc(d->items, (d->count + 1) * sizeof *items);
	char *copy = strdup(text);
	if (!items || !copy) {
		free(copy);
		if (items)
			d->items = items;
		d->errors++;	/* out of memory: still refuse the config */
		return;
	}
	d->items = items;
	d->items[d->count++] = (struct diagnostic){ .line = line, .warning = warning, .ignored = ignored, .text = copy };
	if (!warning)
		d->errors++;
}

void diag_add(struct diagnostics *d, int line, bool warning, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	add(d, line, warning, false, fmt, ap);
	va_end(ap);
}

void diag_ignored(struct diagnostics *d, int line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	add(d, line, true, true, fmt, ap);
	va_end(ap);
}

void diag_merge_new(struct diagnostics *d, const struct diagnostics *from)
{
	for (size_t i = 0; i < from->count; i++) {
		const struct diagnostic *g = &from->items[i];
		bool seen = false;
		for (size_t j = 0; j < d->count && !seen; j++)
			seen = d->items[j].line == g->line && strcmp(d->items[j].text, g->text) == 0;
		if (!seen && g->ignored)
			diag_ignored(d, g->line, "%s", g->text);
		else if (!seen)
			diag_add(d, g->line, g->warning, "%s", g->text);
	}
	if (from->errors > 0 && from->count == 0)
		d->errors++;	/* out of memory there */
}

void diag_file(struct diagnostics *d, size_t file, const char *path)
{
	if (file >= d->nfiles) {
		char **files = realloc(d->files, (file + 1) * sizeof *files);
		if (!files) {
			d->errors++;
			return;
		}
		for (size_t i = d->nfiles; i <= file; i++)
			files[i] = NULL;
		d->files = files;
		d->nfiles = file + 1;
	}
	free(d->files[file]);
	if (!(d->files[file] = strdup(path)))
		d->errors++;
}

/* The file of a line among files (those read, in order); fallback for
 * file 0 or a file not named. */
static const char *file_of(char *const *files, size_t nfiles, int line, const char *fallback)
{
	size_t index = diag_line_file(line);
	return index > 0 && index < nfiles && files[index] ? files[index] : fallback;
}

/* "FILE:LINE: " or "FILE: " for the line of a diagnostic */
void diag_where(const struct diagnostics *d, int line, const char *file, char *out, size_t n)
{
	file = file_of(d->files, d->nfiles, line, file);	/* 0: the file as the caller names it */
	int number = diag_line_number(line);
	if (number > 0)
		snprintf(out, n, "%s:%d: ", file, number);
	else
		snprintf(out, n, "%s: ", file);
}

void diag_first_where(char *const *files, size_t nfiles, int first, int line, char *out, size_t n)
{
	size_t file = diag_line_file(first);
	if (file == diag_line_file(line) || file >= nfiles)
		snprintf(out, n, "on line %d", diag_line_number(first));
	else
		snprintf(out, n, "in %s:%d", files[file], diag_line_number(first));
}

void config_where(const struct config *cfg, int line, char *out, size_t n)
{
	const char *file = file_of(cfg->files, cfg->nfiles, line, cfg->path);
	int number = diag_line_number(line);
	if (number > 0)
		snprintf(out, n, "%s:%d", file, number);
	else
		snprintf(out, n, "%s", file);
}

static int diag_by_line(const void *a, const void *b)
{
	const struct diagnostic *x = a, *y = b;
	return (x->line > y->line) - (x->line < y->line);
}

void diag_sort(struct diagnostics *d)
{
	if (d->count > 1)	/* qsort(NULL, 0, ...) is undefined (UBSan aborts) */
		qsort(d->items, d->count, sizeof *d->items, diag_by_line);
}

void diagnostics_print(const struct diagnostics *d, const char *file)
{
	for (size_t i = 0; i < d->count; i++) {
		const struct diagnostic *g = &d->items[i];
		const char *kind = g->ignored ? "warning: ignored: " : g->warning ? "warning: " : "";
		char where[4200];
		diag_where(d, g->line, file, where, sizeof where);
		fprintf(stderr, "tend: %s%s%s\n", where, kind, g->text);
	}
}

void diagnostics_print_ignored(const struct diagnostics *d, const char *file)
{
	for (size_t i = 0; i < d->count; i++) {
		if (!d->items[i].ignored)
			continue;
		char where[4200];
		diag_where(d, d->items[i].line, file, where, sizeof where);
		printf("ignored: %s%s\n", where, d->items[i].text);
	}
}

void diagnostics_free(struct diagnostics *d)
{
	for (size_t i = 0; i < d->count; i++)
		free(d->items[i].text);
	free(d->items);
	for (size_t i = 0; i < d->nfiles; i++)
		free(d->files[i]);
	free(d->files);
	memset(d, 0, sizeof *d);
}

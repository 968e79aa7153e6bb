/* The diagnostics of loading a config: collected as the steps find them,
 * sorted by line at the end, printed as "tend: FILE:LINE: text". */
#ifndef TEND_CONFIG_DIAG_H
#define TEND_CONFIG_DIAG_H

#include <stdbool.h>

#include "config.h"

/* A line of the config: the file it is in (the index of config_ini.files,
 * 0 the file named on the command line) in the high bits, its number in
 * that file in the low ones. Sorting diagnostics by it sorts them by file
 * read, then line. */
#define DIAG_LINE_BITS 20
#define DIAG_FILES_MAX 1024
static inline int diag_line(size_t file, int line)
{
	return (int)(file << DIAG_LINE_BITS) | line;
}

/* The index of the file that line is in. */
static inline size_t diag_line_file(int line)
{
	return (size_t)line >> DIAG_LINE_BITS;
}

/* The number of that line in its file. */
static inline int diag_line_number(int line)
{
	return line & ((1 << DIAG_LINE_BITS) - 1);
}

/* line 0: about the whole file. A failed allocation still counts as an
 * error, so that the config is refused. */
void diag_add(struct diagnostics *d, int line, bool warning, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* A warning about something of the file that tend does not do: `tend
 * check` lists these again at its end. */
void diag_ignored(struct diagnostics *d, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void diag_sort(struct diagnostics *d);
/* Adds to d those of from that d does not have (same line and text). */
void diag_merge_new(struct diagnostics *d, const struct diagnostics *from);
/* "FILE:LINE: " (or "FILE: " for line 0) into out; file names file 0
 * when no file was named. */
void diag_where(const struct diagnostics *d, int line, const char *file, char *out, size_t n);
/* Where the first of two sections that may appear once stands, for the
 * error about the second, on line: "on line N" in the same file, else
 * "in FILE:N" (files: the files read, config_ini.files). */
void diag_first_where(char *const *files, size_t nfiles, int first, int line, char *out, size_t n);
/* Names the file-th file read, for the lines of diag_line(file, …). */
void diag_file(struct diagnostics *d, size_t file, const char *path);

#endif

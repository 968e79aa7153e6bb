/* The first step of loading a config: the file's sections and their
 * "key = value" entries as written, each with its line number. inih does
 * the parsing; a reader of ours feeds it one line at a time. */
#ifndef TEND_CONFIG_INI_H
#define TEND_CONFIG_INI_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

struct ini_entry {
	char *key;
	char *value;		/* continuation lines joined with a space */
	int line;
};

struct ini_section {
	size_t file;		/* the file it is in: an index into config_ini.files */
	char *name;		/* between the brackets, trimmed; "" before any header */
	int line;		/* 0: the entries before any header */
	bool broken;		/* a header without ]: its keys are not checked */
	bool unreadable_line;	/* a line too long or not "key = value": its key is unknown */
	struct ini_entry *entries;
	size_t nentries;
};

struct config_ini {
	struct ini_section *sections;	/* in file order */
	size_t nsections;
	char **files;		/* the files read, in the order read (config_include.c) */
	size_t nfiles;
	bool oom;
};

/* The longest line (or value on one line) a file may have. */
#define CONFIG_LINE_MAX 65536

/* Reads text into ini, every syntax error into diags. is_key tells the
 * keys that an indented "key = value" would be taken for: such a line is
 * reported, not joined to the value above it. */
void config_ini_read(struct config_ini *ini, const char *text, bool (*is_key)(const char *name),
		     struct diagnostics *diags);
/* The same for the file-th file read: its lines numbered diag_line(file, n). */
void config_ini_read_at(struct config_ini *ini, const char *text, size_t file, bool (*is_key)(const char *name),
			struct diagnostics *diags);
void config_ini_free(struct config_ini *ini);

/* Whether the section (NULL: none) has an entry for key, in any case. */
bool config_ini_sets(const struct ini_section *s, const char *key);

#endif

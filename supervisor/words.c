#include "words.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* One pass that either counts (out == NULL) or writes the words into out,
 * each followed by '\0'. Returns the number of words, or -1 on error. */
static int split_pass(const char *s, char *out, const char **error)
{
	int count = 0;
	size_t o = 0;

	for (;;) {
		while (is_blank(*s))
			s++;
		if (*s == '\0')
			return count;
		/* a word: runs until an unquoted blank */
		while (*s && !is_blank(*s)) {
			char c = *s++;
			if (c == '\'') {
				while (*s && *s != '\'') {
					if (out)
						out[o] = *s;
					o++, s++;
				}
				if (*s != '\'') {
					*error = "unterminated single quote";
					return -1;
				}
				s++;
			} else if (c == '"') {
				while (*s && *s != '"') {
					/* inside double quotes a backslash escapes only these */
					if (*s == '\\' && s[1] && strchr("\"\\$`", s[1]))
						s++;
					if (out)
						out[o] = *s;
					o++, s++;
				}
				if (*s != '"') {
					*error = "unterminated double quote";
					return -1;
				}
				s++;
			} else if (c == '\\') {
				if (*s == '\0') {
					*error = "backslash at the end of the command";
					return -1;
				}
				if (out)
					out[o] = *s;
				o++, s++;
			} else {
				if (out)
					out[o] = c;
				o++;
			}
		}
		if (out)
			out[o] = '\0';
		o++;
		count++;
	}
}

char **words_split(const char *line, const char **error)
{
	int argc = split_pass(line, NULL, error);
	if (argc < 0)
		return NULL;
	if (argc == 0) {
		*error = "empty command";
		return NULL;
	}
	/* the words never need more room than the line itself */
	size_t table = (size_t)(argc + 1) * sizeof(char *);
	char **argv = malloc(table + strlen(line) + 1);
	if (!argv) {
		*error = "out of memory";
		return NULL;
	}
	char *text = (char *)argv + table;
	split_pass(line, text, error);
	for (int i = 0; i < argc; i++) {
		argv[i] = text;
		text += strlen(text) + 1;
	}
	argv[argc] = NULL;
	return argv;
}

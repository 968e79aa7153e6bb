#include "words.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Where a pass writes the words: nowhere when it only counts (out NULL). */
struct words_out {
	char *out;
	size_t len;
};

static void put(struct words_out *w, char c)
{
	if (w->out)
		w->out[w->len] = c;
	w->len++;
}

/* After an opening quote: the text up to the closing one, which is skipped.
 * Inside double quotes a backslash escapes only " \ $ and `. */
static const char *quoted(const char *s, char quote, struct words_out *w, const char **error)
{
	while (*s && *s != quote) {
		if (quote == '"' && *s == '\\' && s[1] && strchr("\"\\$`", s[1]))
			s++;
		put(w, *s++);
	}
	if (*s != quote) {
		*error = quote == '"' ? "unterminated double quote" : "unterminated single quote";
		return NULL;
	}
	return s + 1;
}

/* One quoted run, escaped character or plain character of a word; NULL on
 * error. */
static const char *word_part(const char *s, struct words_out *w, const char **error)
{
	char c = *s++;
	if (c == '\'' || c == '"')
		return quoted(s, c, w, error);
	if (c == '\\') {
		if (*s == '\0') {
			*error = "backslash at the end of the command";
			return NULL;
		}
		c = *s++;
	}
	put(w, c);
	return s;
}

/* One pass that either counts (out == NULL) or writes the words into out,
 * each followed by '\0'. Returns the number of words, or -1 on error. */
static int split_pass(const char *s, char *out, const char **error)
{
	struct words_out w = { out, 0 };
	int count = 0;
	for (;;) {
		while (is_blank(*s))
			s++;
		if (*s == '\0')
			return count;
		/* a word: runs until an unquoted blank */
		while (*s && !is_blank(*s)) {
			s = word_part(s, &w, error);
			if (!s)
				return -1;
		}
		put(&w, '\0');
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

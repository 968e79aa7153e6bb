/* inih splits the file into (section, key, value); our reader feeds it
 * lines, so that we know each line's number, catch lines too long for the
 * library, and see section headers (inih reports neither). */
#include "config_ini.h"

#include <ctype.h>
#include <ini.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config_diag.h"

struct reader {
	struct config_ini *ini;
	const char *text;	/* the whole file */
	size_t pos;
	int lineno;		/* in its file */
	size_t file;
	bool indented;		/* current line starts with blank: maybe a continuation */
	bool have_key;		/* a key was seen since the last header (inih's prev_name) */
	bool (*is_key)(const char *name);
	struct diagnostics *diags;
	char *long_value;	/* the value of a line too long for inih: taken instead of inih's */
};

/* The current line, as diagnostics number it. */
static int at(const struct reader *r)
{
	return diag_line(r->file, r->lineno);
}

static struct ini_section *add_section(struct reader *r, const char *name, size_t len, int line)
{
	struct config_ini *ini = r->ini;
	struct ini_section *s = realloc(ini->sections, (ini->nsections + 1) * sizeof *s);
	if (!s) {
		ini->oom = true;
		return NULL;
	}
	ini->sections = s;
	s = &ini->sections[ini->nsections];
	*s = (struct ini_section){ .file = r->file, .name = strndup(name, len), .line = line };
	if (!s->name) {
		ini->oom = true;
		return NULL;
	}
	ini->nsections++;
	return s;
}

/* "command sleep 1" has its own error: no "command is missing" too */
static void mark_unreadable(struct reader *r)
{
	if (r->ini->nsections > 0)
		r->ini->sections[r->ini->nsections - 1].unreadable_line = true;
}

static bool is_comment_start(char c)
{
	return c == ';' || c == '#';
}

static void read_header(struct reader *r, const char *start, size_t len)
{
	r->have_key = false;
	const char *close = memchr(start, ']', len);
	if (!close) {
		diag_add(r->diags, at(r), false, "section header without a closing ]");
		struct ini_section *s = add_section(r, "", 0, at(r));
		if (s)
			s->broken = true;
		return;
	}
	const char *name = start + 1;
	while (name < close && isspace((unsigned char)*name))
		name++;
	const char *end = close;
	while (end > name && isspace((unsigned char)end[-1]))
		end--;
	add_section(r, name, (size_t)(end - name), at(r));
}

enum line_kind { LINE_NOTHING, LINE_CONTINUATION, LINE_HEADER, LINE_KEY, LINE_BAD };

/* Looks at a line as inih will, to note headers and the syntax errors that
 * inih would only report as "the first bad line". */
static enum line_kind classify_line(struct reader *r, const char *line, size_t len)
{
	size_t i = 0;
	while (i < len && isspace((unsigned char)line[i]))
		i++;
	r->indented = i > 0;
	if (i == len || is_comment_start(line[i]))
		return LINE_NOTHING;
	if (r->indented && line[i] == '[') {
		diag_add(r->diags, at(r), false, "an indented line that looks like a section header: "
			 "a header starts at the beginning of its line");
		mark_unreadable(r);
		return LINE_BAD;
	}
	if (r->indented && !r->have_key) {
		diag_add(r->diags, at(r), false, "an indented line with no key above it in its section "
			 "(an indented line continues the value above it)");
		mark_unreadable(r);
		return LINE_BAD;
	}
	if (r->indented)
		return LINE_CONTINUATION;
	if (line[i] == '[') {
		read_header(r, line + i, len - i);
		return LINE_HEADER;
	}
	for (size_t j = i; j < len; j++) {
		if (line[j] == '=' || line[j] == ':') {
			r->have_key = true;
			return LINE_KEY;
		}
		if (line[j] == ';' && isspace((unsigned char)line[j - 1]))
			break;	/* an inline comment starts before any '=' */
	}
	diag_add(r->diags, at(r), false, "expected \"key = value\", a [section] header or a comment");
	mark_unreadable(r);
	return LINE_BAD;
}

/* A value as inih cuts it: blanks around it and an inline comment
 * (";" after a blank) off. */
static char *cut_value(const char *v, size_t len)
{
	while (len > 0 && isspace((unsigned char)*v)) {
		v++;
		len--;
	}
	size_t end = 0;
	while (end < len && !(v[end] == ';' && end > 0 && isspace((unsigned char)v[end - 1])))
		end++;
	while (end > 0 && isspace((unsigned char)v[end - 1]))
		end--;
	return strndup(v, end);
}

/* A line longer than inih's buffer (Debian builds inih with a fixed one)
 * goes to inih as a short stand-in of the same kind: "KEY=" for an entry,
 * " x" for a continuation, an empty line for the rest; the real value is
 * kept aside and taken instead of inih's in on_value. */
static bool stand_in(struct reader *r, enum line_kind kind, const char *line, size_t len, char *str, int num)
{
	size_t keylen = 0;
	if (kind == LINE_KEY) {
		keylen = strcspn(line, "=:");
		if (keylen + 3 > (size_t)num)
			return false;
	}
	if (kind == LINE_KEY || kind == LINE_CONTINUATION) {
		const char *v = kind == LINE_KEY ? line + keylen + 1 : line;
		r->long_value = cut_value(v, len - (size_t)(v - line));
		if (!r->long_value)
			r->ini->oom = true;
	}
	if (kind == LINE_KEY)
		snprintf(str, (size_t)num, "%.*s=\n", (int)keylen, line);
	else if (kind == LINE_CONTINUATION)
		snprintf(str, (size_t)num, " x\n");
	else
		snprintf(str, (size_t)num, "\n");
	return true;
}

/* supervisord (its Python parser) also ends a value at "#" after a blank,
 * which inih as Debian builds it does not: real supervisord.conf files
 * write `priority = 30  # after nginx`. Cut there before inih sees it, on
 * an entry's value and a continuation line alike. */
static size_t cut_hash_comment(enum line_kind kind, const char *line, size_t len)
{
	size_t from = kind == LINE_KEY ? strcspn(line, "=:") + 1 : 0;
	for (size_t j = from; j < len; j++)
		if (line[j] == '#' && j > 0 && (line[j - 1] == ' ' || line[j - 1] == '\t'))
			return j;
	return len;
}

/* inih's fgets-style reader: one physical line per call. */
static char *read_line(char *str, int num, void *stream)
{
	struct reader *r = stream;
	if (r->text[r->pos] == '\0')
		return NULL;
	const char *line = r->text + r->pos;
	const char *nl = strchr(line, '\n');
	size_t len = nl ? (size_t)(nl - line) : strlen(line);
	r->pos += len + (nl ? 1 : 0);
	r->lineno++;
	if (r->lineno >= (1 << DIAG_LINE_BITS) - 1) {
		diag_add(r->diags, at(r), false, "too many lines: the rest of this file is not read");
		return NULL;
	}
	free(r->long_value);
	r->long_value = NULL;
	if (len > CONFIG_LINE_MAX) {
		diag_add(r->diags, at(r), false, "line too long (%zu bytes, at most %d)", len, CONFIG_LINE_MAX);
		mark_unreadable(r);
		r->indented = false;
		str[0] = '\0';
		return str;
	}
	enum line_kind kind = classify_line(r, line, len);
	if (kind == LINE_BAD) {
		str[0] = '\0';	/* reported: inih must not read it as something */
		return str;
	}
	if (kind == LINE_KEY || kind == LINE_CONTINUATION)
		len = cut_hash_comment(kind, line, len);
	/* inih needs room for the line, "\n" and "\0" */
	if (len + 2 > (size_t)num) {
		if (!stand_in(r, kind, line, len, str, num)) {
			diag_add(r->diags, at(r), false, "key name too long");
			mark_unreadable(r);
			str[0] = '\0';
		}
		return str;
	}
	memcpy(str, line, len);
	str[len] = '\n';
	str[len + 1] = '\0';
	return str;
}

/* "autostart = false" on an indented line is almost surely a key indented
 * by mistake, not words of the previous value. */
static bool looks_like_key(const struct reader *r, const char *text)
{
	size_t len = strcspn(text, "=:");
	while (len > 0 && isspace((unsigned char)text[len - 1]))
		len--;
	if (text[strcspn(text, "=:")] == '\0' || len == 0)
		return false;
	char name[64];
	if (len >= sizeof name)
		return false;
	memcpy(name, text, len);
	name[len] = '\0';
	return r->is_key(name);
}

/* A continuation line: joined to the value above with a space. */
static void continue_value(struct reader *r, struct ini_entry *e, const char *value)
{
	if (looks_like_key(r, value)) {
		diag_add(r->diags, at(r), false,
			 "this indented line continues the value of \"%s\"; if it is a key, do not indent it", e->key);
		return;
	}
	/* inih 55 leaves an inline comment on a continuation line: cut it
	 * there too, as on the key's own line */
	size_t len = 0;
	while (value[len] && !(value[len] == ';' && len > 0 && isspace((unsigned char)value[len - 1])))
		len++;
	while (len > 0 && isspace((unsigned char)value[len - 1]))
		len--;
	size_t old = strlen(e->value);
	char *v = realloc(e->value, old + len + 2);
	if (!v) {
		r->ini->oom = true;
		return;
	}
	v[old] = ' ';
	memcpy(v + old + 1, value, len);
	v[old + 1 + len] = '\0';
	e->value = v;
}

static void add_entry(struct reader *r, struct ini_section *s, const char *name, const char *value)
{
	struct ini_entry *e = realloc(s->entries, (s->nentries + 1) * sizeof *e);
	if (!e) {
		r->ini->oom = true;
		return;
	}
	s->entries = e;
	e = &s->entries[s->nentries];
	*e = (struct ini_entry){ .key = strdup(name), .value = strdup(value), .line = at(r) };
	if (!e->key || !e->value) {
		free(e->key);
		free(e->value);
		r->ini->oom = true;
		return;
	}
	s->nentries++;
}

static int on_value(void *user, const char *section, const char *name, const char *value)
{
	(void)section;	/* inih cuts names to 50 bytes: we use our own record */
	struct reader *r = user;
	if (r->ini->nsections == 0 && !add_section(r, "", 0, 0))
		return 1;
	struct ini_section *s = &r->ini->sections[r->ini->nsections - 1];
	if (r->long_value)
		value = r->long_value;
	if (r->indented && s->nentries > 0)
		continue_value(r, &s->entries[s->nentries - 1], value);
	else
		add_entry(r, s, name, value);
	return 1;
}

void config_ini_read(struct config_ini *ini, const char *text, bool (*is_key)(const char *name),
		     struct diagnostics *diags)
{
	config_ini_read_at(ini, text, 0, is_key, diags);
}

void config_ini_read_at(struct config_ini *ini, const char *text, size_t file, bool (*is_key)(const char *name),
			struct diagnostics *diags)
{
	*ini = (struct config_ini){ 0 };
	struct reader r = { .ini = ini, .text = text, .file = file, .is_key = is_key, .diags = diags };
	if (strncmp(text, "\xEF\xBB\xBF", 3) == 0)	/* a UTF-8 byte order mark */
		r.pos = 3;
	int first_error = ini_parse_stream(read_line, &r, on_value, &r);
	free(r.long_value);
	/* inih saw a bad line that our reader did not explain */
	bool explained = false;
	for (size_t i = 0; i < diags->count; i++)
		explained |= diags->items[i].line == diag_line(file, first_error);
	if (first_error > 0 && !explained)
		diag_add(diags, diag_line(file, first_error), false, "cannot parse this line");
	else if (first_error < 0)
		ini->oom = true;
}

void config_ini_free(struct config_ini *ini)
{
	for (size_t i = 0; i < ini->nsections; i++) {
		struct ini_section *s = &ini->sections[i];
		for (size_t j = 0; j < s->nentries; j++) {
			free(s->entries[j].key);
			free(s->entries[j].value);
		}
		free(s->entries);
		free(s->name);
	}
	free(ini->sections);
	for (size_t i = 0; i < ini->nfiles; i++)
		free(ini->files[i]);
	free(ini->files);
	memset(ini, 0, sizeof *ini);
}

bool config_ini_sets(const struct ini_section *s, const char *key)
{
	for (size_t i = 0; s && i < s->nentries; i++)
		if (strcasecmp(s->entries[i].key, key) == 0)
			return true;
	return false;
}

#include "json.h"

#include <stdlib.h>
#include <string.h>

#include "json_read.h"

bool json_parse(struct json_doc *doc, const char *text, size_t len, char *err, size_t errsize)
{
	memset(doc, 0, sizeof *doc);
	if (err && errsize)
		err[0] = '\0';
	if (!text)
		text = "", len = 0;
	struct json_reader ps = { .start = text, .end = text + len, .err = err, .errsize = errsize };
	struct json_value *root = NULL;
	if (!json_read(&ps, &root))
		return false;
	ps.nodes = calloc(ps.nnodes, sizeof *ps.nodes);
	ps.strings.buf = malloc(ps.strings.len ? ps.strings.len : 1);
	if (!ps.nodes || !ps.strings.buf) {
		free(ps.nodes);
		free(ps.strings.buf);
		ps.p = ps.start;
		return json_read_error(&ps, "out of memory");
	}
	json_read(&ps, &root);	/* cannot fail: the same text passed */
	doc->nodes = ps.nodes;
	doc->strings = ps.strings.buf;
	doc->root = root;
	return true;
}

void json_free(struct json_doc *doc)
{
	free(doc->nodes);
	free(doc->strings);
	memset(doc, 0, sizeof *doc);
}

const struct json_value *json_get(const struct json_value *v, const char *key)
{
	if (!v || v->type != JSON_OBJECT)
		return NULL;
	size_t n = strlen(key);
	for (const struct json_value *m = v->child; m; m = m->next)
		if (m->key_len == n && memcmp(m->key, key, n) == 0)
			return m;
	return NULL;
}

const struct json_value *json_at(const struct json_value *v, size_t i)
{
	if (!v || v->type != JSON_ARRAY)
		return NULL;
	const struct json_value *item = v->child;
	while (item && i--)
		item = item->next;
	return item;
}

const char *json_str(const struct json_value *v)
{
	return v && v->type == JSON_STRING ? v->string : NULL;
}

bool json_num(const struct json_value *v, double *out)
{
	if (!v || v->type != JSON_NUMBER)
		return false;
	*out = v->number;
	return true;
}

bool json_is(const struct json_value *v, enum json_type type)
{
	return v && v->type == type;
}

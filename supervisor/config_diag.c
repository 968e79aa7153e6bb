#include "config_diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void diag_add(struct diagnostics *d, int line, bool warning, const char *fmt, ...)
{
	char text[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
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
	d->items[d->count++] = (struct diagnostic){ .line = line, .warning = warning, .text = copy };
	if (!warning)
		d->errors++;
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
		const char *kind = g->warning ? "warning: " : "";
		if (g->line > 0)
			fprintf(stderr, "tend: %s:%d: %s%s\n", file, g->line, kind, g->text);
		else
			fprintf(stderr, "tend: %s: %s%s\n", file, kind, g->text);
	}
}

void diagnostics_free(struct diagnostics *d)
{
	for (size_t i = 0; i < d->count; i++)
		free(d->items[i].text);
	free(d->items);
	memset(d, 0, sizeof *d);
}

#include "order.h"

#include <stdlib.h>
#include <string.h>

enum mark { UNSEEN, ON_PATH, DONE };

static bool visit(const struct config *cfg, size_t i, enum mark *marks, size_t *stack, size_t depth,
		  size_t *path, size_t *path_len)
{
	marks[i] = ON_PATH;
	stack[depth] = i;
	const struct program_config *p = &cfg->programs[i];
	for (size_t d = 0; d < p->ndepends; d++) {
		size_t j = p->depends_on[d];
		if (marks[j] == ON_PATH) {
			size_t from = 0;
			while (stack[from] != j)
				from++;
			*path_len = 0;
			for (size_t k = from; k <= depth; k++)
				path[(*path_len)++] = stack[k];
			path[(*path_len)++] = j;
			return true;
		}
		if (marks[j] == UNSEEN && visit(cfg, j, marks, stack, depth + 1, path, path_len))
			return true;
	}
	marks[i] = DONE;
	return false;
}

bool order_find_cycle(const struct config *cfg, size_t *path, size_t *path_len)
{
	size_t n = cfg->nprograms;
	enum mark *marks = calloc(n + 1, sizeof *marks);
	size_t *stack = calloc(n + 1, sizeof *stack);
	bool found = false;
	for (size_t i = 0; marks && stack && i < n && !found; i++)
		if (marks[i] == UNSEEN)
			found = visit(cfg, i, marks, stack, 0, path, path_len);
	free(marks);
	free(stack);
	return found;
}

void order_assign_steps(struct config *cfg)
{
	size_t n = cfg->nprograms, placed = 0;
	bool *done = calloc(n + 1, sizeof *done);
	bool *free_now = calloc(n + 1, sizeof *free_now);
	if (!done || !free_now)
		abort();	/* only reached while loading, before the loop */
	for (unsigned step = 0; placed < n; step++) {
		unsigned lowest = ~0u;
		for (size_t i = 0; i < n; i++) {
			const struct program_config *p = &cfg->programs[i];
			free_now[i] = !done[i];
			for (size_t d = 0; d < p->ndepends && free_now[i]; d++)
				free_now[i] = done[p->depends_on[d]];
			if (free_now[i] && p->priority < lowest)
				lowest = p->priority;
		}
		if (lowest == ~0u)
			abort();	/* a cycle: order_find_cycle rules that out first */
		for (size_t i = 0; i < n; i++) {
			if (free_now[i] && cfg->programs[i].priority == lowest) {
				cfg->programs[i].start_step = step;
				placed++;
			}
		}
		/* mark after the pass: programs of one step never satisfy each other */
		for (size_t i = 0; i < n; i++)
			if (free_now[i] && cfg->programs[i].priority == lowest)
				done[i] = true;
	}
	free(done);
	free(free_now);
}

bool order_depends_on(const struct config *cfg, size_t a, size_t b)
{
	const struct program_config *p = &cfg->programs[a];
	for (size_t d = 0; d < p->ndepends; d++)
		if (p->depends_on[d] == b || order_depends_on(cfg, p->depends_on[d], b))
			return true;
	return false;
}

bool order_stops_before(const struct config *cfg, size_t q, size_t p)
{
	const struct program_config *pq = &cfg->programs[q], *pp = &cfg->programs[p];
	if (pq->start_step <= pp->start_step)
		return false;
	return pq->priority != pp->priority || order_depends_on(cfg, q, p);
}

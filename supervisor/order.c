#include "order.h"
#include "shed.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum mark { UNSEEN, ON_PATH, DONE };

STARTUP_ONLY static bool visit(const struct config *cfg, size_t i, enum mark *marks, size_t *stack, size_t depth,
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

STARTUP_ONLY bool order_find_cycle(const struct config *cfg, size_t *path, size_t *path_len)
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

STARTUP_ONLY void order_assign_steps(struct config *cfg)
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

/* Depth-first from a, each program visited once: linear in the graph, so a
 * diamond-shaped graph costs no more than a chain (walking every path would
 * cost 2^depth). */
static bool reaches(const struct config *cfg, size_t a, size_t b, uint64_t *seen)
{
	const struct program_config *p = &cfg->programs[a];
	for (size_t d = 0; d < p->ndepends; d++) {
		size_t j = p->depends_on[d];
		if (j == b)
			return true;
		if (seen[j / 64] & (UINT64_C(1) << (j % 64)))
			continue;
		seen[j / 64] |= UINT64_C(1) << (j % 64);
		if (reaches(cfg, j, b, seen))
			return true;
	}
	return false;
}

static bool closure_has(const struct config *cfg, size_t a, size_t b)
{
	return cfg->depends_closure[a * cfg->closure_words + b / 64] & (UINT64_C(1) << (b % 64));
}

bool order_depends_on(const struct config *cfg, size_t a, size_t b)
{
	if (cfg->depends_closure)
		return closure_has(cfg, a, b);
	size_t words = (cfg->nprograms + 63) / 64;
	uint64_t *seen = calloc(words ? words : 1, sizeof *seen);
	if (!seen)
		abort();	/* only reached without a closure: tests and loading */
	bool found = reaches(cfg, a, b, seen);
	free(seen);
	return found;
}

STARTUP_ONLY bool order_compute_closure(struct config *cfg)
{
	size_t n = cfg->nprograms, words = (n + 63) / 64;
	uint64_t *rows = calloc(n * words + 1, sizeof *rows);
	size_t *by_step = calloc(n + 1, sizeof *by_step);
	if (!rows || !by_step) {
		free(rows);
		free(by_step);
		return false;
	}
	/* a dependency starts at an earlier step than its dependents, so in
	 * step order each program's dependencies have their rows complete */
	size_t k = 0;
	for (unsigned step = 0; k < n; step++)
		for (size_t i = 0; i < n; i++)
			if (cfg->programs[i].start_step == step)
				by_step[k++] = i;
	for (k = 0; k < n; k++) {
		size_t i = by_step[k];
		uint64_t *row = &rows[i * words];
		const struct program_config *p = &cfg->programs[i];
		for (size_t d = 0; d < p->ndepends; d++) {
			size_t j = p->depends_on[d];
			row[j / 64] |= UINT64_C(1) << (j % 64);
			for (size_t w = 0; w < words; w++)
				row[w] |= rows[j * words + w];
		}
	}
	free(by_step);
	cfg->depends_closure = rows;
	cfg->closure_words = words;
	return true;
}

bool order_stops_before(const struct config *cfg, size_t q, size_t p)
{
	const struct program_config *pq = &cfg->programs[q], *pp = &cfg->programs[p];
	if (pq->start_step <= pp->start_step)
		return false;
	return pq->priority != pp->priority || order_depends_on(cfg, q, p);
}

/* Start steps, stop order and dependency cycles (order.c; tend.ini(5) priority,
 * depends_on, tend(8) on the shutdown order), on small configs built by hand. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "order.h"

/* ---- a config built by hand: programs in file order, with their
 * priority and depends_on (indexes), everything in static storage ---- */

#define MAXP 12

struct graph {
	struct config cfg;
	struct program_config p[MAXP];
	size_t deps[MAXP][MAXP];
};

static void graph_init(struct graph *g)
{
	memset(g, 0, sizeof *g);
	g->cfg.programs = g->p;
}

/* Adds a program; returns its index. */
static size_t add(struct graph *g, const char *name, unsigned priority)
{
	size_t i = g->cfg.nprograms++;
	assert_true(i < MAXP);
	snprintf(g->p[i].name, sizeof g->p[i].name, "%s", name);
	g->p[i].priority = priority;
	g->p[i].depends_on = g->deps[i];
	g->p[i].start_step = 12345;	/* must be overwritten */
	return i;
}

/* a depends_on b */
static void dep(struct graph *g, size_t a, size_t b)
{
	assert_true(g->p[a].ndepends < MAXP);
	g->deps[a][g->p[a].ndepends++] = b;
}

static unsigned step(const struct graph *g, size_t i)
{
	return g->p[i].start_step;
}

/* ---- order_assign_steps ---- */

static void test_steps_follow_priority(void **state)
{
	(void)state;
	struct graph g;
	graph_init(&g);
	size_t a = add(&g, "a", 30), b = add(&g, "b", 10), c = add(&g, "c", 20);
	order_assign_steps(&g.cfg);
	assert_int_equal(step(&g, b), 0);
	assert_int_equal(step(&g, c), 1);
	assert_int_equal(step(&g, a), 2);
}

static void test_same_priority_shares_a_step(void **state)
{
	(void)state;
	struct graph g;
	graph_init(&g);
	size_t a = add(&g, "a", 10), b = add(&g, "b", 10), c = add(&g, "c", 5), d = add(&g, "d", 10);
	order_assign_steps(&g.cfg);
	assert_int_equal(step(&g, c), 0);
	assert_int_equal(step(&g, a), 1);
	assert_int_equal(step(&g, b), 1);
	assert_int_equal(step(&g, d), 1);
}

static void test_all_defaults_start_together(void **state)
{
	(void)state;
	struct graph g;
	graph_init(&g);
	for (int i = 0; i < 5; i++)
		add(&g, "x", 999);
	order_assign_steps(&g.cfg);
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(step(&g, i), 0);
}

static void test_no_programs(void **state)
{
	(void)state;
	struct graph g;
	graph_init(&g);
	order_assign_steps(&g.cfg);
	size_t path[2], len = 0;
	assert_false(order_find_cycle(&g.cfg, path, &len));
}

/* a (priority 10) depends on b (priority 20): b first all the same */
static void test_dependency_beats_priority(void **state)
{
	(void)state;
	struct graph g;
	graph_init(&g);
	size_t a = add(&g, "a", 10), b = add(&g, "b", 20);
	dep(&g, a, b);
	order_assign_steps(&g.cfg);
	assert_int_equal(step(&g, b), 0);
	assert_int_equal(step(&g, a), 1);
}

/* Two of the same priority, one depending on the other: two steps. */
static void test_dependency_splits_a_priority(void **state)
{
	(void)state;
	struct graph g;
	graph_init(&g);
	size_t a = add(&g, "a", 10), b = add(&g, "b", 10), c = add(&g, "c", 10);
	dep(&g, a, b);	/* a is first in the file, but waits for b */
	order_assign_steps(&g.cfg);
	assert_int_equal(step(&g, b), 0);
	assert_int_equal(step(&g, c), 0);
	assert_int_equal(step(&g, a), 1);
}

/* While a waits for its dependency, programs free to start go by priority. */
static void test_waiting_program_lets_others_by(void **state)
{
	(void)state;
	struct graph g;
	graph_init(&g);
	size_t a = add(&g, "a", 10), b = add(&g, "b", 5), c = add(&g, "c", 7);
	dep(&g, a, b);
	order_assign_steps(&g.cfg);
	assert_int_equal(step(&g, b), 0);
	assert_int_equal(step(&g, c), 1);	/* 7 < 10: before a, though a is free now */
	assert_int_equal(step(&g, a), 2);
}

static void test_diamond(void **state)
{
	(void)state;
	struct graph g;
	graph_init(&g);
	size_t d = add(&g, "d", 999), b = add(&g, "b", 999), c = add(&g, "c", 999), a = add(&g, "a", 999);
	dep(&g, d, b);
	dep(&g, d, c);
	dep(&g, b, a);
	dep(&g, c, a);
	order_assign_steps(&g.cfg);
	assert_int_equal(step(&g, a), 0);
	assert_int_equal(step(&g, b), 1);
	assert_int_equal(step(&g, c), 1);
	assert_int_equal(step(&g, d), 2);
}

/* A program of one step never frees another of the same step: b, free in
 * step 1 only because a was placed there, starts after it. */
static void test_chain_of_same_priority(void **state)
{
	(void)state;
	struct graph g;
	graph_init(&g);
	size_t c = add(&g, "c", 1), b = add(&g, "b", 1), a = add(&g, "a", 1);
	dep(&g, c, b);
	dep(&g, b, a);
	order_assign_steps(&g.cfg);
	assert_int_equal(step(&g, a), 0);
	assert_int_equal(step(&g, b), 1);
	assert_int_equal(step(&g, c), 2);
}

/* Layers a_k, b_k, each depending on both programs of the layer below,
 * and one program with no dependency, all of one priority: every path
 * through the graph is a different route to the same answer, so an answer
 * that walked paths would take 2^layers steps. */
static struct config *diamond(size_t layers)
{
	struct config *cfg = calloc(1, sizeof *cfg);
	assert_non_null(cfg);
	cfg->nprograms = 2 * layers + 1;
	cfg->programs = calloc(cfg->nprograms, sizeof *cfg->programs);
	assert_non_null(cfg->programs);
	for (size_t i = 0; i < cfg->nprograms; i++) {
		struct program_config *p = &cfg->programs[i];
		snprintf(p->name, sizeof p->name, "p%zu", i);
		p->priority = 999;
		if (i >= 2 && i < 2 * layers) {	/* layer i/2 on layer i/2 - 1 */
			p->depends_on = calloc(2, sizeof *p->depends_on);
			assert_non_null(p->depends_on);
			size_t below = (i / 2 - 1) * 2;
			p->depends_on[0] = below;
			p->depends_on[1] = below + 1;
			p->ndepends = 2;
		}
	}
	return cfg;
}

static void diamond_free(struct config *cfg)
{
	for (size_t i = 0; i < cfg->nprograms; i++)
		free(cfg->programs[i].depends_on);
	free(cfg->programs);
	free(cfg->depends_closure);
	free(cfg);
}

static void test_diamond_of_500_answers_at_once(void **state)
{
	(void)state;
	size_t layers = 250, top = 2 * layers - 1, loner = 2 * layers;
	struct config *cfg = diamond(layers);
	/* without the closure: one walk that visits each program once */
	assert_true(order_depends_on(cfg, top, 0));
	assert_false(order_depends_on(cfg, 0, top));
	order_assign_steps(cfg);
	assert_true(order_compute_closure(cfg));
	assert_int_equal(cfg->programs[top].start_step, layers - 1);
	assert_int_equal(cfg->programs[loner].start_step, 0);
	/* every pair, as the shutdown asks: each layer waits for the ones above */
	size_t ordered = 0;
	for (size_t q = 0; q < cfg->nprograms; q++)
		for (size_t p = 0; p < cfg->nprograms; p++)
			ordered += order_stops_before(cfg, q, p);
	/* layer k stops before every program of the k layers below it */
	assert_int_equal(ordered, 4 * (layers * (layers - 1) / 2));
	assert_true(order_stops_before(cfg, top, 0));
	assert_false(order_stops_before(cfg, loner, 0));
	assert_false(order_stops_before(cfg, top, loner));
	diamond_free(cfg);
}

/* X (10) depends on Y (30), Z is 20: start Z, Y, X. */
static void build_xyz(struct graph *g, size_t *x, size_t *y, size_t *z)
{
	graph_init(g);
	*x = add(g, "x", 10);
	*y = add(g, "y", 30);
	*z = add(g, "z", 20);
	dep(g, *x, *y);
	order_assign_steps(&g->cfg);
}

static void test_xyz_start_order(void **state)
{
	(void)state;
	struct graph g;
	size_t x, y, z;
	build_xyz(&g, &x, &y, &z);
	assert_int_equal(step(&g, z), 0);
	assert_int_equal(step(&g, y), 1);
	assert_int_equal(step(&g, x), 2);
}

/* ---- order_find_cycle ---- */

/* The path is a cycle: closed, and each one depends on the next. */
static void assert_cycle(const struct graph *g, const size_t *path, size_t len)
{
	assert_true(len >= 2);
	assert_int_equal(path[0], path[len - 1]);
	for (size_t k = 0; k + 1 < len; k++) {
		bool edge = false;
		for (size_t d = 0; d < g->p[path[k]].ndepends; d++)
			edge |= g->p[path[k]].depends_on[d] == path[k + 1];
		assert_true(edge);
	}
}

static void test_cycle_self(void **state)
{
	(void)state;
	struct graph g;
	graph_init(&g);
	add(&g, "ok", 1);
	size_t a = add(&g, "a", 1);
	dep(&g, a, a);
	size_t path[MAXP + 1], len = 0;
	assert_true(order_find_cycle(&g.cfg, path, &len));
	assert_int_equal(len, 2);
	assert_int_equal(path[0], a);
	assert_int_equal(path[1], a);
}

static void test_cycle_of_two(void **state)
{
	(void)state;
	struct graph g;
	graph_init(&g);
	size_t a = add(&g, "a", 1), b = add(&g, "b", 1);
	dep(&g, a, b);
	dep(&g, b, a);
	size_t path[MAXP + 1], len = 0;
	assert_true(order_find_cycle(&g.cfg, path, &len));
	assert_int_equal(len, 3);
	assert_int_equal(path[0], a);
	assert_int_equal(path[1], b);
	assert_int_equal(path[2], a);
}

static void test_cycle_of_three(void **state)
{
	(void)state;
	struct graph g;
	graph_init(&g);
	size_t a = add(&g, "a", 1), b = add(&g, "b", 1), c = add(&g, "c", 1);
	dep(&g, a, b);
	dep(&g, b, c);
	dep(&g, c, a);
	size_t path[MAXP + 1], len = 0;
	assert_true(order_find_cycle(&g.cfg, path, &len));
	assert_int_equal(len, 4);
	assert_int_equal(path[0], a);
	assert_int_equal(path[1], b);
	assert_int_equal(path[2], c);
	assert_int_equal(path[3], a);
	assert_cycle(&g, path, len);
}

/* The path holds only the cycle, not the way that led to it. */
static void test_cycle_path_leaves_out_the_lead_in(void **state)
{
	(void)state;
	struct graph g;
	graph_init(&g);
	size_t w = add(&g, "w", 1), a = add(&g, "a", 1), b = add(&g, "b", 1), c = add(&g, "c", 1);
	dep(&g, w, a);
	dep(&g, a, c);	/* a dead end first */
	dep(&g, a, b);
	dep(&g, b, a);
	size_t path[MAXP + 1], len = 0;
	assert_true(order_find_cycle(&g.cfg, path, &len));
	assert_int_equal(len, 3);
	assert_int_equal(path[0], a);
	assert_int_equal(path[1], b);
	assert_int_equal(path[2], a);
	assert_cycle(&g, path, len);
}

static void test_no_cycle_in_acyclic_graphs(void **state)
{
	(void)state;
	struct graph g;
	graph_init(&g);
	size_t d = add(&g, "d", 1), b = add(&g, "b", 1), c = add(&g, "c", 1), a = add(&g, "a", 1);
	add(&g, "alone", 1);
	dep(&g, d, b);
	dep(&g, d, c);
	dep(&g, b, a);
	dep(&g, c, a);
	dep(&g, d, a);
	size_t path[MAXP + 1], len = 0;
	assert_false(order_find_cycle(&g.cfg, path, &len));

	struct graph x;
	size_t px, py, pz;
	build_xyz(&x, &px, &py, &pz);
	assert_false(order_find_cycle(&x.cfg, path, &len));
}

/* ---- order_depends_on ---- */

static void test_depends_on_is_transitive(void **state)
{
	(void)state;
	struct graph g;
	graph_init(&g);
	size_t a = add(&g, "a", 1), b = add(&g, "b", 1), c = add(&g, "c", 1), other = add(&g, "other", 1);
	dep(&g, a, b);
	dep(&g, b, c);
	assert_true(order_depends_on(&g.cfg, a, b));
	assert_true(order_depends_on(&g.cfg, b, c));
	assert_true(order_depends_on(&g.cfg, a, c));	/* through b */
	assert_false(order_depends_on(&g.cfg, c, a));
	assert_false(order_depends_on(&g.cfg, b, a));
	assert_false(order_depends_on(&g.cfg, a, a));
	assert_false(order_depends_on(&g.cfg, a, other));
	assert_false(order_depends_on(&g.cfg, other, c));
}

static void test_depends_on_through_second_dependency(void **state)
{
	(void)state;
	struct graph g;
	graph_init(&g);
	size_t a = add(&g, "a", 1), b = add(&g, "b", 1), c = add(&g, "c", 1), d = add(&g, "d", 1);
	dep(&g, a, b);
	dep(&g, a, c);	/* only the second one leads to d */
	dep(&g, c, d);
	assert_true(order_depends_on(&g.cfg, a, d));
	assert_false(order_depends_on(&g.cfg, b, d));
}

/* ---- order_stops_before ---- */

static void test_stop_is_reverse_priority(void **state)
{
	(void)state;
	struct graph g;
	graph_init(&g);
	size_t a = add(&g, "a", 10), b = add(&g, "b", 20);
	order_assign_steps(&g.cfg);
	assert_true(order_stops_before(&g.cfg, b, a));
	assert_false(order_stops_before(&g.cfg, a, b));
}

static void test_same_step_stops_together(void **state)
{
	(void)state;
	struct graph g;
	graph_init(&g);
	size_t a = add(&g, "a", 10), b = add(&g, "b", 10);
	order_assign_steps(&g.cfg);
	assert_false(order_stops_before(&g.cfg, a, b));
	assert_false(order_stops_before(&g.cfg, b, a));
	assert_false(order_stops_before(&g.cfg, a, a));
}

static void test_same_priority_dependent_stops_first(void **state)
{
	(void)state;
	struct graph g;
	graph_init(&g);
	size_t a = add(&g, "a", 10), b = add(&g, "b", 10);
	dep(&g, b, a);
	order_assign_steps(&g.cfg);
	assert_true(order_stops_before(&g.cfg, b, a));
	assert_false(order_stops_before(&g.cfg, a, b));
}

/* The dependent stops first also through a chain. */
static void test_transitive_dependent_stops_first(void **state)
{
	(void)state;
	struct graph g;
	graph_init(&g);
	size_t a = add(&g, "a", 10), b = add(&g, "b", 10), c = add(&g, "c", 10);
	dep(&g, c, b);
	dep(&g, b, a);
	order_assign_steps(&g.cfg);
	assert_true(order_stops_before(&g.cfg, c, a));
	assert_false(order_stops_before(&g.cfg, a, c));
}

/* Same priority, different steps, no dependency between them: no order.
 * (b waits for c, which has a larger priority number.) */
static void test_same_priority_unrelated_have_no_order(void **state)
{
	(void)state;
	struct graph g;
	graph_init(&g);
	size_t a = add(&g, "a", 10), b = add(&g, "b", 10), c = add(&g, "c", 20);
	dep(&g, b, c);
	order_assign_steps(&g.cfg);
	assert_int_equal(step(&g, a), 0);
	assert_int_equal(step(&g, c), 1);
	assert_int_equal(step(&g, b), 2);
	assert_false(order_stops_before(&g.cfg, b, a));
	assert_false(order_stops_before(&g.cfg, a, b));
	assert_true(order_stops_before(&g.cfg, b, c));
	assert_true(order_stops_before(&g.cfg, c, a));
}

/* X (10) depends on Y (30), Z is 20: start Z, Y, X; stop X, Y, Z, and no
 * two of them wait for each other. */
static void test_xyz_stop_order(void **state)
{
	(void)state;
	struct graph g;
	size_t x, y, z;
	build_xyz(&g, &x, &y, &z);
	assert_true(order_stops_before(&g.cfg, x, y));
	assert_true(order_stops_before(&g.cfg, y, z));
	assert_true(order_stops_before(&g.cfg, x, z));
	assert_false(order_stops_before(&g.cfg, y, x));
	assert_false(order_stops_before(&g.cfg, z, y));
	assert_false(order_stops_before(&g.cfg, z, x));
}

/* ---- properties, over many generated graphs ---- */

static unsigned rnd_state = 12345;

static unsigned rnd(unsigned n)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return (rnd_state >> 16) % n;
}

/* An acyclic graph: edges only go from later to earlier in a random
 * topological order, which is not the file order. */
static void random_dag(struct graph *g)
{
	graph_init(g);
	size_t n = 1 + rnd(MAXP);
	size_t topo[MAXP];
	for (size_t i = 0; i < n; i++) {
		add(g, "p", 10 * rnd(4));
		topo[i] = i;
	}
	for (size_t i = n; i > 1; i--) {
		size_t j = rnd((unsigned)i), t = topo[i - 1];
		topo[i - 1] = topo[j];
		topo[j] = t;
	}
	for (size_t i = 1; i < n; i++)
		for (size_t j = 0; j < i; j++)
			if (rnd(4) == 0)
				dep(g, topo[i], topo[j]);
}

static void test_properties_of_random_graphs(void **state)
{
	(void)state;
	for (int round = 0; round < 500; round++) {
		struct graph g;
		random_dag(&g);
		size_t n = g.cfg.nprograms, path[MAXP + 1], len;
		assert_false(order_find_cycle(&g.cfg, path, &len));
		order_assign_steps(&g.cfg);

		unsigned last = 0;
		for (size_t i = 0; i < n; i++)
			last = step(&g, i) > last ? step(&g, i) : last;
		/* each step: one priority, the lowest among the programs free then */
		for (unsigned s = 0; s <= last; s++) {
			bool any = false;
			for (size_t i = 0; i < n; i++) {
				if (step(&g, i) != s)
					continue;
				any = true;
				for (size_t j = 0; j < n; j++) {
					bool free_then = step(&g, j) >= s;
					for (size_t d = 0; d < g.p[j].ndepends; d++)
						free_then &= step(&g, g.p[j].depends_on[d]) < s;
					if (free_then)
						assert_true(g.p[i].priority <= g.p[j].priority);
					if (step(&g, j) == s)
						assert_int_equal(g.p[i].priority, g.p[j].priority);
				}
			}
			assert_true(any);	/* steps are numbered without gaps */
		}
		for (size_t q = 0; q < n; q++) {
			for (size_t p = 0; p < n; p++) {
				/* a dependency starts in an earlier step and stops later */
				if (order_depends_on(&g.cfg, q, p)) {
					assert_true(step(&g, q) > step(&g, p));
					assert_true(order_stops_before(&g.cfg, q, p));
				}
				/* stop order is the reverse of start order: never mutual */
				if (order_stops_before(&g.cfg, q, p)) {
					assert_true(step(&g, q) > step(&g, p));
					assert_false(order_stops_before(&g.cfg, p, q));
				}
				if (step(&g, q) == step(&g, p))
					assert_false(order_stops_before(&g.cfg, q, p));
			}
		}

		/* one edge back makes a cycle, and it is found */
		size_t a = rnd((unsigned)n), b = rnd((unsigned)n);
		if (a == b || order_depends_on(&g.cfg, a, b)) {
			dep(&g, b, a);
			assert_true(order_find_cycle(&g.cfg, path, &len));
			assert_cycle(&g, path, len);
		}
	}
}

int main(void)
{
	log_setup(LOG_ERROR, LOG_TEXT);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_steps_follow_priority),
		cmocka_unit_test(test_same_priority_shares_a_step),
		cmocka_unit_test(test_all_defaults_start_together),
		cmocka_unit_test(test_no_programs),
		cmocka_unit_test(test_dependency_beats_priority),
		cmocka_unit_test(test_dependency_splits_a_priority),
		cmocka_unit_test(test_waiting_program_lets_others_by),
		cmocka_unit_test(test_diamond),
		cmocka_unit_test(test_chain_of_same_priority),
		cmocka_unit_test(test_xyz_start_order),
		cmocka_unit_test(test_cycle_self),
		cmocka_unit_test(test_cycle_of_two),
		cmocka_unit_test(test_cycle_of_three),
		cmocka_unit_test(test_cycle_path_leaves_out_the_lead_in),
		cmocka_unit_test(test_no_cycle_in_acyclic_graphs),
		cmocka_unit_test(test_depends_on_is_transitive),
		cmocka_unit_test(test_depends_on_through_second_dependency),
		cmocka_unit_test(test_stop_is_reverse_priority),
		cmocka_unit_test(test_same_step_stops_together),
		cmocka_unit_test(test_same_priority_dependent_stops_first),
		cmocka_unit_test(test_transitive_dependent_stops_first),
		cmocka_unit_test(test_diamond_of_500_answers_at_once),
		cmocka_unit_test(test_same_priority_unrelated_have_no_order),
		cmocka_unit_test(test_xyz_stop_order),
		cmocka_unit_test(test_properties_of_random_graphs),
	};
	return cmocka_run_group_tests_name("order", tests, NULL, NULL);
}

/* The health state machine: retries, start period, recovery. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "health.h"

static const struct health_rules three = { .retries = 3, .start_period = 0 };

static void unprobed_program_is_none(void **state)
{
	(void)state;
	struct health h;
	health_reset(&h, false, 0);
	assert_int_equal(h.state, HEALTH_NONE);
	assert_false(health_report(&h, &three, false, 1));
	assert_false(health_report(&h, &three, true, 2));
	assert_int_equal(h.state, HEALTH_NONE);
}

static void first_success_is_healthy(void **state)
{
	(void)state;
	struct health h;
	health_reset(&h, true, 0);
	assert_int_equal(h.state, HEALTH_STARTING);
	assert_true(health_report(&h, &three, true, 1));
	assert_int_equal(h.state, HEALTH_HEALTHY);
	assert_false(health_report(&h, &three, true, 2));
}

static void unhealthy_after_retries_in_a_row(void **state)
{
	(void)state;
	struct health h;
	health_reset(&h, true, 0);
	health_report(&h, &three, true, 1);
	assert_false(health_report(&h, &three, false, 2));
	assert_false(health_report(&h, &three, false, 3));
	assert_int_equal(h.state, HEALTH_HEALTHY);
	assert_true(health_report(&h, &three, false, 4));
	assert_int_equal(h.state, HEALTH_UNHEALTHY);
	assert_false(health_report(&h, &three, false, 5));
}

static void a_success_resets_the_count(void **state)
{
	(void)state;
	struct health h;
	health_reset(&h, true, 0);
	health_report(&h, &three, false, 1);
	health_report(&h, &three, false, 2);
	health_report(&h, &three, true, 3);
	health_report(&h, &three, false, 4);
	health_report(&h, &three, false, 5);
	assert_int_equal(h.state, HEALTH_HEALTHY);
	assert_int_equal(h.failures, 2);
}

static void starting_goes_unhealthy_without_a_success(void **state)
{
	(void)state;
	struct health h;
	health_reset(&h, true, 0);
	health_report(&h, &three, false, 1);
	health_report(&h, &three, false, 2);
	assert_int_equal(h.state, HEALTH_STARTING);
	assert_true(health_report(&h, &three, false, 3));
	assert_int_equal(h.state, HEALTH_UNHEALTHY);
}

static void recovers_on_next_success(void **state)
{
	(void)state;
	struct health h;
	const struct health_rules one = { .retries = 1 };
	health_reset(&h, true, 0);
	assert_true(health_report(&h, &one, false, 1));
	assert_int_equal(h.state, HEALTH_UNHEALTHY);
	assert_true(health_report(&h, &one, true, 2));
	assert_int_equal(h.state, HEALTH_HEALTHY);
	assert_int_equal(h.failures, 0);
}

static void start_period_failures_do_not_count(void **state)
{
	(void)state;
	struct health h;
	const struct health_rules grace = { .retries = 1, .start_period = 10 };
	health_reset(&h, true, 100);
	assert_false(health_report(&h, &grace, false, 105));
	assert_false(health_report(&h, &grace, false, 109.9));
	assert_int_equal(h.state, HEALTH_STARTING);
	assert_int_equal(h.failures, 0);
	assert_true(health_report(&h, &grace, false, 110));
	assert_int_equal(h.state, HEALTH_UNHEALTHY);
}

static void success_in_start_period_counts(void **state)
{
	(void)state;
	struct health h;
	const struct health_rules grace = { .retries = 1, .start_period = 10 };
	health_reset(&h, true, 0);
	assert_true(health_report(&h, &grace, true, 1));
	assert_int_equal(h.state, HEALTH_HEALTHY);
}

static void reset_starts_over(void **state)
{
	(void)state;
	struct health h;
	const struct health_rules one = { .retries = 1 };
	health_reset(&h, true, 0);
	health_report(&h, &one, false, 1);
	health_reset(&h, true, 50);
	assert_int_equal(h.state, HEALTH_STARTING);
	assert_int_equal(h.failures, 0);
	assert_true(h.started_at == 50);
	assert_string_equal(health_name(HEALTH_UNHEALTHY), "unhealthy");
	assert_string_equal(health_name(HEALTH_NONE), "none");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unprobed_program_is_none),
		cmocka_unit_test(first_success_is_healthy),
		cmocka_unit_test(unhealthy_after_retries_in_a_row),
		cmocka_unit_test(a_success_resets_the_count),
		cmocka_unit_test(starting_goes_unhealthy_without_a_success),
		cmocka_unit_test(recovers_on_next_success),
		cmocka_unit_test(start_period_failures_do_not_count),
		cmocka_unit_test(success_in_start_period_counts),
		cmocka_unit_test(reset_starts_over),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

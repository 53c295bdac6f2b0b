/* The per-host scheduler on a made-up clock: connection limit, delay between starts, back-off,
 * Retry-After, and robots.txt first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka needs the headers above first. */
#include <cmocka.h>

#include "harvest/hostq.h"

static int a, b, c, robots;

static void test_connection_limit_and_fifo(void **state) {
    (void)state;
    int64_t wake;
    hv_hostq *q = hv_hostq_new(2, 0);
    assert_non_null(q);
    assert_true(hv_hostq_push(q, &a, 0, false));
    assert_true(hv_hostq_push(q, &b, 0, false));
    assert_true(hv_hostq_push(q, &c, 0, false));
    assert_ptr_equal(hv_hostq_next(q, 10, &wake), &a);
    hv_hostq_started(q, 10);
    assert_ptr_equal(hv_hostq_next(q, 10, &wake), &b);
    hv_hostq_started(q, 10);
    assert_null(hv_hostq_next(q, 10, &wake)); /* two in flight */
    assert_true(wake == HV_HOSTQ_NEVER);
    hv_hostq_finished(q);
    assert_ptr_equal(hv_hostq_next(q, 11, &wake), &c);
    hv_hostq_started(q, 11);
    assert_int_equal(hv_hostq_in_flight(q), 2);
    assert_int_equal(hv_hostq_queued(q), 0);
    hv_hostq_free(q);
}

static void test_delay_between_starts(void **state) {
    (void)state;
    int64_t wake;
    hv_hostq *q = hv_hostq_new(2, 1000);
    assert_true(hv_hostq_push(q, &a, 0, false));
    assert_true(hv_hostq_push(q, &b, 0, false));
    assert_ptr_equal(hv_hostq_next(q, 5000, &wake), &a); /* the first start waits for nothing */
    hv_hostq_started(q, 5000);
    assert_null(hv_hostq_next(q, 5999, &wake));
    assert_int_equal(wake, 6000);
    assert_ptr_equal(hv_hostq_next(q, 6000, &wake), &b);
    /* Taken but never started (robots.txt forbade it): the next start owes it no delay. */
    assert_true(hv_hostq_push(q, &c, 0, false));
    assert_ptr_equal(hv_hostq_next(q, 6000, &wake), &c);
    hv_hostq_min_delay(q, 500); /* lower: ignored */
    hv_hostq_min_delay(q, 3000);
    assert_true(hv_hostq_push(q, &a, 0, false));
    assert_null(hv_hostq_next(q, 6000, &wake));
    assert_int_equal(wake, 8000);
    hv_hostq_free(q);
}

static void test_backoff_and_defer(void **state) {
    (void)state;
    int64_t wake;
    hv_hostq *q = hv_hostq_new(1, 0);
    assert_true(hv_hostq_push(q, &a, 1500, false)); /* a retry waiting for its back-off */
    assert_true(hv_hostq_push(q, &b, 0, false));
    assert_ptr_equal(hv_hostq_next(q, 1000, &wake), &b); /* a ready item overtakes it */
    assert_null(hv_hostq_next(q, 1000, &wake));
    assert_int_equal(wake, 1500);
    hv_hostq_defer(q, 4000); /* Retry-After */
    assert_null(hv_hostq_next(q, 1500, &wake));
    assert_int_equal(wake, 4000);
    assert_ptr_equal(hv_hostq_next(q, 4000, &wake), &a);
    hv_hostq_free(q);
}

static void test_hold_lets_only_priority_out(void **state) {
    (void)state;
    int64_t wake;
    hv_hostq *q = hv_hostq_new(2, 0);
    hv_hostq_hold(q, true);
    assert_true(hv_hostq_push(q, &a, 0, false));
    assert_true(hv_hostq_push(q, &robots, 0, true)); /* pushed later, comes out first */
    assert_ptr_equal(hv_hostq_next(q, 0, &wake), &robots);
    hv_hostq_started(q, 0);
    assert_null(hv_hostq_next(q, 0, &wake)); /* a slot is free, but robots.txt is not known */
    assert_true(wake == HV_HOSTQ_NEVER);
    hv_hostq_finished(q);
    hv_hostq_hold(q, false);
    assert_ptr_equal(hv_hostq_next(q, 0, &wake), &a);
    hv_hostq_free(q);
}

int main(void) {
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_connection_limit_and_fifo),
            cmocka_unit_test(test_delay_between_starts),
            cmocka_unit_test(test_backoff_and_defer),
            cmocka_unit_test(test_hold_lets_only_priority_out),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Cursors: round trips, and refusal of anything the API did not produce. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka needs the headers above first. */
#include <cmocka.h>
#include <string.h>

#include "core/b64url.h"
#include "domain/cursor.h"

static void test_keyset_round_trip(void **state) {
    (void)state;
    cursor_t c = {.kind = CURSOR_KEYSET, .created_us = 1709287200123456, .id = 42};
    cursor_t d;
    char text[CURSOR_TEXT_MAX];
    assert_true(cursor_encode(&c, text, sizeof text));
    assert_null(strpbrk(text, "+/=:")); /* URL-safe and opaque */
    assert_true(cursor_decode(text, &d));
    assert_int_equal(d.kind, CURSOR_KEYSET);
    assert_int_equal(d.created_us, 1709287200123456);
    assert_int_equal(d.id, 42);
}

static void test_negative_time_round_trip(void **state) {
    (void)state;
    cursor_t c = {.kind = CURSOR_KEYSET, .created_us = -5, .id = 1};
    cursor_t d;
    char text[CURSOR_TEXT_MAX];
    assert_true(cursor_encode(&c, text, sizeof text));
    assert_true(cursor_decode(text, &d));
    assert_int_equal(d.created_us, -5);
}

static void test_offset_round_trip_and_bounds(void **state) {
    (void)state;
    cursor_t c = {.kind = CURSOR_OFFSET, .offset = 40};
    cursor_t d;
    char text[CURSOR_TEXT_MAX];
    assert_true(cursor_encode(&c, text, sizeof text));
    assert_true(cursor_decode(text, &d));
    assert_int_equal(d.kind, CURSOR_OFFSET);
    assert_int_equal(d.offset, 40);
    c.offset = CURSOR_MAX_OFFSET + 1;
    assert_false(cursor_encode(&c, text, sizeof text));
    c.offset = 0;
    assert_false(cursor_encode(&c, text, sizeof text));
}

static void assert_refused_raw(const char *raw) {
    char text[CURSOR_TEXT_MAX];
    cursor_t d;
    assert_true(b64url_encode(raw, strlen(raw), text, sizeof text));
    assert_false(cursor_decode(text, &d));
}

static void test_refuses_forgeries(void **state) {
    (void)state;
    cursor_t d;
    assert_false(cursor_decode("", &d));
    assert_false(cursor_decode("garbage!", &d));
    assert_false(cursor_decode("a", &d));
    assert_refused_raw("k1:1:0"); /* id must be positive */
    assert_refused_raw("k1:1:-3");
    assert_refused_raw("k1:1");    /* missing id */
    assert_refused_raw("k1:01:5"); /* leading zero */
    assert_refused_raw("k1:1:5x");
    assert_refused_raw("o1:10001"); /* deeper than allowed */
    assert_refused_raw("o1:0");
    assert_refused_raw("o1:99999999999999999999"); /* overflow */
    assert_refused_raw("x1:5");
    assert_refused_raw("o1:5\n");
}

static void test_b64url_rejects_noncanonical(void **state) {
    (void)state;
    char out[16];
    size_t n;
    assert_true(b64url_decode("QQ", out, sizeof out, &n)); /* "A" */
    assert_int_equal(n, 1);
    assert_int_equal(out[0], 'A');
    assert_false(b64url_decode("QR", out, sizeof out, &n));   /* stray low bits */
    assert_false(b64url_decode("QQ==", out, sizeof out, &n)); /* padding is not used */
    assert_false(b64url_decode("Q", out, sizeof out, &n));
}

int main(void) {
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_keyset_round_trip),
            cmocka_unit_test(test_negative_time_round_trip),
            cmocka_unit_test(test_offset_round_trip_and_bounds),
            cmocka_unit_test(test_refuses_forgeries),
            cmocka_unit_test(test_b64url_rejects_noncanonical),
    };
    return cmocka_run_group_tests_name("cursor", tests, NULL, NULL);
}

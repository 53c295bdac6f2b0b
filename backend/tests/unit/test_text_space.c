/* White space, defined once (core/utf8: utf8_is_space_cp, utf8_space_len), and the places that use
 * it: harvested values trimmed and collapsed, request fields trimmed, text folded, the query
 * language and the geocoder's words; and the loopback test of the harvester's "no delay" rule
 * (core/url). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka needs the headers above first. */
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/fold.h"
#include "core/url.h"
#include "core/utf8.h"
#include "harvest/transform.h"
#include "http/body.h"

/* Every white-space character, as UTF-8. */
static const char *const spaces[] = {
        "\t",           "\n",           "\v",
        "\f",           "\r",           " ",
        "\xC2\x85",     "\xC2\xA0",     "\xE1\x9A\x80",
        "\xE2\x80\x80", "\xE2\x80\x81", "\xE2\x80\x82",
        "\xE2\x80\x83", "\xE2\x80\x84", "\xE2\x80\x85",
        "\xE2\x80\x86", "\xE2\x80\x87", "\xE2\x80\x88",
        "\xE2\x80\x89", "\xE2\x80\x8A", "\xE2\x80\x8B",
        "\xE2\x80\xA8", "\xE2\x80\xA9", "\xE2\x80\xAF",
        "\xE2\x81\x9F", "\xE3\x80\x80", "\xEF\xBB\xBF",
};

/* Characters that are not: letters, accents, « », the euro sign, a zero-width non-joiner (U+200C),
 * the en dash, NUL and malformed or cut sequences. */
static const char *const others[] = {
        "a",
        "\xC3\xA9",
        "\xC2\xAB",
        "\xC2\xBB",
        "\xE2\x82\xAC",
        "\xE2\x80\x8C",
        "\xE2\x80\x93",
        "\xC2",
        "\xE2\x80",
        "\xA0",
        "\x85",
        "\xC0\xA0",
        "\xE2\xA0\x80",
        "\xF0\x9F\x98\x80",
};

static void test_space_len(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof spaces / sizeof *spaces; i++) {
        size_t n = strlen(spaces[i]);
        assert_int_equal(utf8_space_len(spaces[i], n), n);
        assert_int_equal(utf8_space_len(spaces[i], UTF8_SPACE_MAX), n); /* stops at the NUL */
        assert_int_equal(utf8_space_len(spaces[i], n - 1), 0);          /* cut short: none */
    }
    for (size_t i = 0; i < sizeof others / sizeof *others; i++)
        assert_int_equal(utf8_space_len(others[i], strlen(others[i])), 0);
    assert_int_equal(utf8_space_len("", 0), 0);
    assert_int_equal(utf8_space_len(" x", 0), 0);
    /* Code points: the same set. */
    assert_true(utf8_is_space_cp(0x20) && utf8_is_space_cp(0xA0) && utf8_is_space_cp(0x202F));
    assert_true(utf8_is_space_cp(0x3000) && utf8_is_space_cp(0xFEFF) && utf8_is_space_cp(0x200B));
    assert_false(utf8_is_space_cp(0x200C) || utf8_is_space_cp('a') || utf8_is_space_cp(0) ||
                 utf8_is_space_cp(0xAB) || utf8_is_space_cp(0x1F600));
}

/* Each user of the predicate sees the same spaces: an ideographic space, an em space and a
 * zero-width space around and between words. */
#define WIDE "\xE3\x80\x80"
#define EM   "\xE2\x80\x83"
#define ZW   "\xE2\x80\x8B"
#define NBSP "\xC2\xA0"

static void test_users(void **state) {
    (void)state;
    char *t = hv_text_trim(WIDE " jardin" EM "partagé " ZW);
    assert_string_equal(t, "jardin" EM "partagé");
    free(t);
    t = hv_text_collapse(WIDE "jardin" EM NBSP "\n partagé" ZW);
    assert_string_equal(t, "jardin partagé");
    free(t);

    size_t start, len;
    const char *name = EM " Camille" NBSP WIDE;
    assert_true(body_check_text(name, BODY_STR, 80, &start, &len));
    assert_int_equal(start, strlen(EM " "));
    assert_int_equal(len, strlen("Camille"));
    assert_false(body_check_text(ZW WIDE, BODY_STR, 80, &start, &len)); /* nothing but spaces */

    buf_t f;
    buf_init(&f, 1024);
    assert_true(fold_text("Jardin" EM "Partagé" ZW, strlen("Jardin" EM "Partagé" ZW), &f));
    assert_string_equal(buf_cstr(&f), "jardin partage");
    buf_free(&f);
}

static void test_loopback(void **state) {
    (void)state;
    assert_true(url_is_loopback("http://127.0.0.1:8090/drupal/"));
    assert_true(url_is_loopback("http://127.1.2.3/"));
    assert_true(url_is_loopback("HTTPS://LOCALHOST:8443"));
    assert_true(url_is_loopback("http://[::1]:8080/x"));
    assert_true(url_is_loopback("http://user:pw@localhost/x"));
    assert_false(url_is_loopback("http://example.org/"));
    assert_false(url_is_loopback("http://127.0.0.1.example.org/"));
    assert_false(url_is_loopback("http://128.0.0.1/"));
    assert_false(url_is_loopback("http://127.0.0.256/"));
    assert_false(url_is_loopback("http://localhost.evil/"));
    assert_false(url_is_loopback("http://evil@example.org/?127.0.0.1"));
    assert_false(url_is_loopback("ftp://127.0.0.1/"));
    assert_false(url_is_loopback("127.0.0.1"));
    assert_false(url_is_loopback("http://[::2]/"));
    assert_true(url_host_is_loopback("::1", 3));
    assert_false(url_host_is_loopback("127.0.0", 7));
}

int main(void) {
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_space_len),
            cmocka_unit_test(test_users),
            cmocka_unit_test(test_loopback),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

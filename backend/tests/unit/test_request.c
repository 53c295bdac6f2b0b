/* Request parsing: paths, query strings, UTF-8, request ids; and capped buffers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka needs the headers above first. */
#include <cmocka.h>
#include <string.h>

#include "core/buf.h"
#include "core/utf8.h"
#include "server/request.h"

static void test_parses_path_and_query(void **state) {
    (void)state;
    req_t r;
    assert_int_equal(req_parse(&r, "GET", "/api/v1/search?q=x", "q=jardins+partag%C3%A9s&limit=5",
                               "abc-123", 1024),
                     REQ_OK);
    assert_string_equal(r.path, "/api/v1/search");
    assert_string_equal(req_query(&r, "q")->value, "jardins partagés");
    assert_string_equal(req_query(&r, "limit")->value, "5");
    assert_null(req_query(&r, "cursor"));
    assert_string_equal(r.request_id, "abc-123");
    req_free(&r);
}

static void test_path_is_decoded_and_checked(void **state) {
    (void)state;
    req_t r;
    assert_int_equal(req_parse(&r, "GET", "/api/v1/initiatives/%34%32", "", NULL, 1024), REQ_OK);
    assert_string_equal(r.path, "/api/v1/initiatives/42");
    req_free(&r);
    assert_int_equal(req_parse(&r, "GET", "/api/%FF", "", NULL, 1024), REQ_BAD_PATH);
    req_free(&r);
    assert_int_equal(req_parse(&r, "GET", "/api/%zz", "", NULL, 1024), REQ_BAD_PATH);
    req_free(&r);
    assert_int_equal(req_parse(&r, "GET", "/api/%00", "", NULL, 1024), REQ_BAD_PATH);
    req_free(&r);
    assert_int_equal(req_parse(&r, "GET", "relative", "", NULL, 1024), REQ_BAD_PATH);
    req_free(&r);
}

static void test_bad_query_strings(void **state) {
    (void)state;
    req_t r;
    char many[32 * 4 + 16] = "";
    for (int i = 0; i < 33; i++)
        strcat(many, "a=1&");
    assert_int_equal(req_parse(&r, "GET", "/", "q=%E", NULL, 1024), REQ_BAD_QUERY);
    req_free(&r);
    assert_int_equal(req_parse(&r, "GET", "/", many, NULL, 1024), REQ_BAD_QUERY);
    req_free(&r);
    /* Empty pieces and keys without values are fine. */
    assert_int_equal(req_parse(&r, "GET", "/", "&&a&b=", NULL, 1024), REQ_OK);
    assert_string_equal(req_query(&r, "a")->value, "");
    assert_string_equal(req_query(&r, "b")->value, "");
    req_free(&r);
}

static void test_unsafe_request_id_is_replaced(void **state) {
    (void)state;
    req_t r;
    assert_int_equal(req_parse(&r, "GET", "/", "", "bad id\r\nX-Evil: 1", 1024), REQ_OK);
    assert_true(req_id_is_safe(r.request_id));
    assert_null(strchr(r.request_id, ' '));
    req_free(&r);
    char long_id[80];
    memset(long_id, 'a', sizeof long_id - 1);
    long_id[sizeof long_id - 1] = '\0';
    assert_false(req_id_is_safe(long_id));
    assert_false(req_id_is_safe(""));
}

static void test_utf8_validation(void **state) {
    (void)state;
    assert_true(utf8_valid("héllo 🌍", strlen("héllo 🌍")));
    assert_false(utf8_valid("\xC3\x28", 2));         /* bad continuation */
    assert_false(utf8_valid("\xC0\xAF", 2));         /* overlong */
    assert_false(utf8_valid("\xED\xA0\x80", 3));     /* surrogate */
    assert_false(utf8_valid("\xF4\x90\x80\x80", 4)); /* above U+10FFFF */
    assert_false(utf8_valid("\xE2\x82", 2));         /* truncated */
    assert_false(utf8_valid("a\0b", 3));             /* NUL */
}

static void test_buf_cap(void **state) {
    (void)state;
    buf_t b;
    buf_init(&b, 8);
    assert_true(buf_append_str(&b, "12345678"));
    assert_false(buf_append_str(&b, "9"));
    assert_true(b.toobig);
    assert_string_equal(buf_cstr(&b), "12345678"); /* unchanged by the refused append */
    buf_reset(&b);
    assert_true(buf_appendf(&b, "%d-%s", 42, "ok"));
    assert_string_equal(buf_cstr(&b), "42-ok");
    assert_false(buf_appendf(&b, "%s", "too long now"));
    buf_free(&b);
}

static void test_if_none_match(void **state) {
    (void)state;
    req_t r;
    assert_int_equal(req_parse(&r, "GET", "/x", "", NULL, 1024), REQ_OK);
    assert_false(req_etag_matches(&r, "\"abc\""));
    req_set_if_none_match(&r, "\"abc\"");
    assert_true(req_etag_matches(&r, "\"abc\""));
    assert_false(req_etag_matches(&r, "\"abcd\""));
    /* Weak comparison: nginx's gzip turns the tag weak on the way out. */
    req_set_if_none_match(&r, "W/\"abc\"");
    assert_true(req_etag_matches(&r, "\"abc\""));
    req_set_if_none_match(&r, "\"x\", W/\"y\" ,\"abc\"");
    assert_true(req_etag_matches(&r, "\"abc\""));
    assert_true(req_etag_matches(&r, "\"y\""));
    assert_false(req_etag_matches(&r, "\"z\""));
    req_set_if_none_match(&r, "*");
    assert_true(req_etag_matches(&r, "\"anything\""));
    /* Malformed or unusable headers are ignored. */
    req_set_if_none_match(&r, "abc");
    assert_false(req_etag_matches(&r, "\"abc\""));
    req_set_if_none_match(&r, "\"abc");
    assert_false(req_etag_matches(&r, "\"abc\""));
    req_set_if_none_match(&r, "\"ab\x01c\"");
    assert_string_equal(r.if_none_match, "");
    req_set_if_none_match(&r, NULL);
    assert_false(req_etag_matches(&r, "\"abc\""));
    req_free(&r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_parses_path_and_query),
            cmocka_unit_test(test_path_is_decoded_and_checked),
            cmocka_unit_test(test_bad_query_strings),
            cmocka_unit_test(test_unsafe_request_id_is_replaced),
            cmocka_unit_test(test_utf8_validation),
            cmocka_unit_test(test_buf_cap),
            cmocka_unit_test(test_if_none_match),
    };
    return cmocka_run_group_tests_name("request", tests, NULL, NULL);
}

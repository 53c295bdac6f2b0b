/* Routing: literal and captured segments, 404 versus 405, HEAD answered by GET. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka needs the headers above first. */
#include <cmocka.h>
#include <string.h>

#include "server/router.h"

static void fn_a(const struct req *r, struct resp *s, void *c) {
    (void)r;
    (void)s;
    (void)c;
}
static void fn_b(const struct req *r, struct resp *s, void *c) {
    (void)r;
    (void)s;
    (void)c;
}
static void fn_c(const struct req *r, struct resp *s, void *c) {
    (void)r;
    (void)s;
    (void)c;
}

static const route_t routes[] = {
        {"GET", "/api/v1/initiatives", fn_a},
        {"GET", "/api/v1/initiatives/{id}", fn_b},
        {"POST", "/api/v1/initiatives", fn_c},
};

static void test_literal_and_capture(void **state) {
    (void)state;
    route_match_t m;
    char id[16];
    assert_int_equal(router_match(routes, 3, "GET", "/api/v1/initiatives", &m), ROUTER_FOUND);
    assert_ptr_equal(m.route->fn, fn_a);
    assert_int_equal(router_match(routes, 3, "GET", "/api/v1/initiatives/42", &m), ROUTER_FOUND);
    assert_ptr_equal(m.route->fn, fn_b);
    assert_true(router_param(&m, "id", id, sizeof id));
    assert_string_equal(id, "42");
    assert_false(router_param(&m, "nope", id, sizeof id));
    assert_int_equal(router_match(routes, 3, "POST", "/api/v1/initiatives", &m), ROUTER_FOUND);
    assert_ptr_equal(m.route->fn, fn_c);
}

static void test_not_found(void **state) {
    (void)state;
    route_match_t m;
    const char *paths[] = {"/",
                           "/api/v1",
                           "/api/v1/initiatives/",
                           "/api/v1/initiatives/1/x",
                           "/api/v1/initiativesX",
                           "/api/v1//initiatives",
                           ""};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
        assert_int_equal(router_match(routes, 3, "GET", paths[i], &m), ROUTER_NOT_FOUND);
}

static void test_method_not_allowed_lists_allow(void **state) {
    (void)state;
    route_match_t m;
    assert_int_equal(router_match(routes, 3, "DELETE", "/api/v1/initiatives", &m),
                     ROUTER_METHOD_NOT_ALLOWED);
    assert_string_equal(m.allow, "GET, POST");
    assert_int_equal(router_match(routes, 3, "POST", "/api/v1/initiatives/7", &m),
                     ROUTER_METHOD_NOT_ALLOWED);
    assert_string_equal(m.allow, "GET");
}

static void test_head_uses_get(void **state) {
    (void)state;
    route_match_t m;
    assert_int_equal(router_match(routes, 3, "HEAD", "/api/v1/initiatives/9", &m), ROUTER_FOUND);
    assert_ptr_equal(m.route->fn, fn_b);
}

static void test_param_too_long_for_buffer(void **state) {
    (void)state;
    route_match_t m;
    char small[4];
    assert_int_equal(router_match(routes, 3, "GET", "/api/v1/initiatives/123456", &m),
                     ROUTER_FOUND);
    assert_false(router_param(&m, "id", small, sizeof small));
}

int main(void) {
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_literal_and_capture),
            cmocka_unit_test(test_not_found),
            cmocka_unit_test(test_method_not_allowed_lists_allow),
            cmocka_unit_test(test_head_uses_get),
            cmocka_unit_test(test_param_too_long_for_buffer),
    };
    return cmocka_run_group_tests_name("router", tests, NULL, NULL);
}

/* Parameter validation and the JSON written for answers and errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka needs the headers above first. */
#include <cmocka.h>
#include <string.h>

#include <jansson.h>

#include "http/params.h"

/* Parses a query string into a request. */
static void make_req(req_t *r, const char *qs) {
    assert_int_equal(req_parse(r, "GET", "/api/v1/search", qs, NULL, 1024), REQ_OK);
}

/* Checks that resp holds a 400 whose body is the documented error shape naming field. */
static void assert_error(resp_t *resp, int status, const char *code, const char *field) {
    json_error_t e;
    assert_int_equal(resp->status, status);
    json_t *body = json_loadb(resp->body.data, resp->body.len, 0, &e);
    assert_non_null(body);
    json_t *err = json_object_get(body, "error");
    assert_true(json_is_object(err));
    assert_string_equal(json_string_value(json_object_get(err, "code")), code);
    const char *msg = json_string_value(json_object_get(err, "message"));
    assert_non_null(msg);
    assert_true(strlen(msg) > 10);
    if (field)
        assert_string_equal(json_string_value(json_object_get(err, "field")), field);
    else
        assert_null(json_object_get(err, "field"));
    assert_int_equal(json_object_size(body), 1);
    json_decref(body);
}

static void test_limit(void **state) {
    (void)state;
    const char *bad[] = {"limit=0",   "limit=101", "limit=abc", "limit=-1",
                         "limit=1.5", "limit=",    "limit=05",  "limit=99999999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        req_t r;
        resp_t resp;
        int limit = -1;
        make_req(&r, bad[i]);
        resp_init(&resp, 4096);
        assert_false(param_limit(&r, &resp, 20, 100, &limit));
        assert_error(&resp, 400, "invalid_parameter", "limit");
        resp_free(&resp);
        req_free(&r);
    }
    req_t r;
    resp_t resp;
    int limit;
    resp_init(&resp, 4096);
    make_req(&r, "limit=100");
    assert_true(param_limit(&r, &resp, 20, 100, &limit));
    assert_int_equal(limit, 100);
    req_free(&r);
    make_req(&r, "");
    assert_true(param_limit(&r, &resp, 20, 100, &limit));
    assert_int_equal(limit, 20);
    req_free(&r);
    resp_free(&resp);
}

static void test_text(void **state) {
    (void)state;
    char buf[16];
    const char *q;
    req_t r;
    resp_t resp;
    resp_init(&resp, 4096);
    make_req(&r, "q=++jardin%C3%A9+");
    assert_true(param_text(&r, &resp, "q", 15, buf, &q));
    assert_string_equal(q, "jardiné");
    req_free(&r);

    /* Bytes that are not text are refused for every handler when the request is read, naming the
     * parameter when its name is text; a NUL in a name is never read as the end of the name. */
    const char *not_text[] = {"q=%C3%28", "q=%FF", "q=a%00b", "q%00evil=jardin", "q%FF=x"};
    const char *named[] = {"q", "q", "q", "", ""};
    for (size_t i = 0; i < sizeof not_text / sizeof not_text[0]; i++) {
        assert_int_equal(req_parse(&r, "GET", "/api/v1/search", not_text[i], NULL, 1024),
                         REQ_BAD_QUERY_TEXT);
        assert_string_equal(r.query.bad_key, named[i]);
        assert_null(req_query(&r, "q"));
        req_free(&r);
    }
    const char *bad[] = {"q=a%01b", "q=0123456789abcdef"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        resp_t e;
        resp_init(&e, 4096);
        make_req(&r, bad[i]);
        assert_false(param_text(&r, &e, "q", 15, buf, &q));
        assert_error(&e, 400, "invalid_parameter", "q");
        req_free(&r);
        resp_free(&e);
    }
    make_req(&r, "");
    assert_true(param_text(&r, &resp, "q", 15, buf, &q));
    assert_null(q);
    req_free(&r);
    resp_free(&resp);
}

static void test_lang_and_cursor(void **state) {
    (void)state;
    req_t r;
    resp_t resp;
    const char *lang;
    cursor_t c;
    bool has;
    resp_init(&resp, 4096);
    make_req(&r, "lang=en");
    assert_true(param_lang(&r, &resp, &lang));
    assert_string_equal(lang, "en");
    req_free(&r);
    make_req(&r, "lang=de&cursor=zzz");
    assert_false(param_lang(&r, &resp, &lang));
    assert_error(&resp, 400, "invalid_parameter", "lang");
    assert_false(param_cursor(&r, &resp, &c, &has));
    assert_error(&resp, 400, "invalid_parameter", "cursor");
    req_free(&r);
    resp_free(&resp);
}

static void test_json_answers_escape_text(void **state) {
    (void)state;
    resp_t resp;
    json_error_t e;
    resp_init(&resp, 4096);
    resp_json(&resp, 200, json_pack("{s:s}", "q", "<script>\"x\"</script>"));
    assert_int_equal(resp.status, 200);
    assert_string_equal(resp.content_type, "application/json; charset=utf-8");
    json_t *v = json_loadb(resp.body.data, resp.body.len, 0, &e);
    assert_string_equal(json_string_value(json_object_get(v, "q")), "<script>\"x\"</script>");
    json_decref(v);
    /* A body over the cap becomes a 500 with the error shape, never a truncated document. */
    resp_t small;
    resp_init(&small, 100);
    char big[300];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    resp_json(&small, 200, json_pack("{s:s}", "big", big));
    assert_error(&small, 500, "internal", NULL);
    resp_free(&small);
    resp_error(&resp, 404, "not_found", "Aucune ressource à cette adresse.", NULL);
    assert_error(&resp, 404, "not_found", NULL);
    resp_free(&resp);
}

static void test_path_id(void **state) {
    (void)state;
    static const route_t routes[] = {{"GET", "/x/{id}", NULL}};
    const char *bad[] = {"/x/abc", "/x/-1", "/x/1.5", "/x/0", "/x/99999999999999999999", "/x/007"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        req_t r;
        resp_t resp;
        int64_t id;
        assert_int_equal(req_parse(&r, "GET", bad[i], "", NULL, 1024), REQ_OK);
        assert_int_equal(router_match(routes, 1, "GET", r.path, &r.match), ROUTER_FOUND);
        resp_init(&resp, 4096);
        assert_false(param_path_id(&r, &resp, "id", &id));
        assert_error(&resp, 400, "invalid_parameter", "id");
        resp_free(&resp);
        req_free(&r);
    }
    req_t r;
    resp_t resp;
    int64_t id;
    assert_int_equal(req_parse(&r, "GET", "/x/9223372036854775807", "", NULL, 1024), REQ_OK);
    assert_int_equal(router_match(routes, 1, "GET", r.path, &r.match), ROUTER_FOUND);
    resp_init(&resp, 4096);
    assert_true(param_path_id(&r, &resp, "id", &id));
    assert_int_equal(id, INT64_MAX);
    resp_free(&resp);
    req_free(&r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_limit),           cmocka_unit_test(test_text),
            cmocka_unit_test(test_lang_and_cursor), cmocka_unit_test(test_json_answers_escape_text),
            cmocka_unit_test(test_path_id),
    };
    return cmocka_run_group_tests_name("params", tests, NULL, NULL);
}

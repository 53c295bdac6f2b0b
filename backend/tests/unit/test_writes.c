/* The write path's pure parts: request bodies checked field by field, cookies and headers, random
 * tokens, SHA-256 and HMAC. (The policy's table: test_policy.c.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka needs the headers above first. */
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/crypto.h"
#include "core/log.h"
#include "core/utf8.h"
#include "http/body.h"
#include "server/request.h"

static const char *const colours[] = {"rouge", "vert", NULL};
static const body_field_t fields[] = {
        {"name", BODY_STR, true, 0, 5, NULL},        {"note", BODY_TEXT, false, 0, 10, NULL},
        {"secret", BODY_SECRET, false, 0, 8, NULL},  {"n", BODY_INT, false, 1, 9, NULL},
        {"colour", BODY_ENUM, false, 0, 0, colours}, {NULL, 0, false, 0, 0, NULL},
};

/* Runs body_parse on text; returns the status written (200 for success) and the field named. */
static int parse(const char *text, const char *content_type, json_t **out, char *field) {
    req_t r;
    resp_t resp;
    field[0] = '\0';
    assert_int_equal(req_parse(&r, "POST", "/x", "", NULL, 1 << 20), REQ_OK);
    req_set_header(&r, REQ_H_CONTENT_TYPE, content_type);
    assert_true(buf_append(&r.body, text, strlen(text)));
    resp_init(&resp, 1 << 16);
    bool ok = body_parse(&r, &resp, fields, 200, out);
    int status = ok ? 200 : resp.status;
    if (!ok) {
        json_t *e = json_loadb(resp.body.data, resp.body.len, 0, NULL);
        const char *f = json_string_value(json_object_get(json_object_get(e, "error"), "field"));
        if (f)
            strcpy(field, f);
        json_decref(e);
    }
    req_free(&r);
    resp_free(&resp);
    return status;
}

static void test_body_accepts_and_trims(void **state) {
    (void)state;
    json_t *o = NULL;
    char field[64];
    assert_int_equal(
            parse("{\"name\": \"  Ana \\u00a0\", \"note\": \"a\\nb \", \"secret\": \" s \","
                  " \"n\": 3, \"colour\": \"vert\"}",
                  "application/json; charset=utf-8", &o, field),
            200);
    assert_string_equal(body_str(o, "name"), "Ana");
    assert_string_equal(body_str(o, "note"), "a\nb");
    assert_string_equal(body_str(o, "secret"), " s ");
    assert_int_equal(body_int(o, "n", 0), 3);
    json_decref(o);
    /* null is absent; an empty body is {} (here the required name is missing). */
    assert_int_equal(parse("{\"name\": \"é\", \"note\": null}", "application/json", &o, field),
                     200);
    assert_null(json_object_get(o, "note"));
    json_decref(o);
    assert_int_equal(parse("", "", &o, field), 400);
    assert_string_equal(field, "name");
}

static void test_body_refusals_name_the_field(void **state) {
    (void)state;
    static const struct {
        const char *text;
        int status;
        const char *field;
    } cases[] = {
            {"{\"name\": \"a\", \"admin\": true}", 400, "admin"},
            {"{\"name\": 1}", 400, "name"},
            {"{\"name\": \"\"}", 400, "name"},
            {"{\"name\": \"  \"}", 400, "name"},
            {"{\"name\": \"abcdef\"}", 400, "name"},
            {"{\"name\": \"éééééé\"}", 400, "name"},
            {"{\"name\": \"a\\tb\"}", 400, "name"},
            {"{\"name\": \"a\", \"note\": \"a\\u0001\"}", 400, "note"},
            {"{\"name\": \"a\", \"n\": 10}", 400, "n"},
            {"{\"name\": \"a\", \"n\": 1.5}", 400, "n"},
            {"{\"name\": \"a\", \"n\": \"1\"}", 400, "n"},
            {"{\"name\": \"a\", \"colour\": \"bleu\"}", 400, "colour"},
            {"{\"name\": \"a\", \"secret\": \"123456789\"}", 400, "secret"},
            {"{\"name\": \"a\\u0000b\"}", 400, ""},
            {"{\"name\": \"a\", \"name\": \"b\"}", 400, ""},
            {"[\"name\"]", 400, ""},
            {"{\"name\": ", 400, ""},
            {"{\"name\": \"\xff\"}", 400, ""},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        json_t *o = (json_t *)1;
        char field[64];
        int st = parse(cases[i].text, "application/json", &o, field);
        if (st != cases[i].status || strcmp(field, cases[i].field) != 0)
            fail_msg("case %zu (%s): %d field \"%s\"", i, cases[i].text, st, field);
        assert_null(o);
    }
    json_t *o = NULL;
    char field[64];
    assert_int_equal(parse("{\"name\": \"a\"}", "text/plain", &o, field), 415);
    char big[300];
    memset(big, ' ', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    big[0] = '{', big[sizeof big - 2] = '}';
    assert_int_equal(parse(big, "application/json", &o, field), 413);
}

static void test_cookies_and_headers(void **state) {
    (void)state;
    req_t r;
    char v[64];
    assert_int_equal(req_parse(&r, "GET", "/", "", NULL, 16), REQ_OK);
    req_set_header(&r, REQ_H_COOKIE, "a=1; sc_session=abc ;x_sc_session=no; b=");
    assert_true(req_cookie(&r, "sc_session", v, sizeof v));
    assert_string_equal(v, "abc");
    assert_false(req_cookie(&r, "b", v, sizeof v));
    assert_false(req_cookie(&r, "session", v, sizeof v));
    assert_false(req_cookie(&r, "a", v, 1));
    req_set_header(&r, REQ_H_ORIGIN, "http://ok.example\r\nX: y");
    assert_string_equal(r.origin, "");
    req_set_header(&r, REQ_H_ORIGIN, "https://ok.example");
    assert_string_equal(r.origin, "https://ok.example");
    char ua[400];
    memset(ua, 'u', sizeof ua - 1);
    ua[sizeof ua - 1] = '\0';
    req_set_header(&r, REQ_H_USER_AGENT, ua);
    assert_int_equal(strlen(r.user_agent), REQ_SHORT_MAX);
    req_set_header(&r, REQ_H_CSRF_TOKEN, ua);
    assert_string_equal(r.csrf_token, "");
    req_free(&r);
}

static void test_utf8_prefix(void **state) {
    (void)state;
    assert_int_equal(utf8_prefix("abc", 10), 3);
    assert_int_equal(utf8_prefix("abcdef", 4), 4);
    /* "é" is two bytes: a cut after its first byte keeps what comes before it. */
    assert_int_equal(utf8_prefix("aé", 2), 1);
    assert_int_equal(utf8_prefix("aé", 3), 3);
    assert_int_equal(utf8_prefix("€€", 4), 3);
    assert_int_equal(utf8_prefix("", 5), 0);
}

/* A flood of one message (PostgreSQL down) writes one line, and the count comes with the next. */
static void test_log_repeats(void **state) {
    (void)state;
    char path[] = "/tmp/sc-log-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    int saved = dup(STDERR_FILENO);
    assert_true(dup2(fd, STDERR_FILENO) >= 0);
    for (int i = 0; i < 1000; i++)
        log_msg(LOG_WARN, "postgres: cannot connect: %s", "refused");
    log_msg(LOG_INFO, "back");
    fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    char text[4096] = "";
    ssize_t n = pread(fd, text, sizeof text - 1, 0);
    close(fd);
    unlink(path);
    assert_true(n > 0);
    text[n] = '\0';
    int lines = 0;
    for (char *p = text; *p; p++)
        lines += *p == '\n';
    assert_int_equal(lines, 3);
    assert_non_null(strstr(text, "\"repeated\":999"));
    assert_non_null(strstr(text, "\"msg\":\"back\""));
}

static void test_tokens_and_hashes(void **state) {
    (void)state;
    char a[CRYPTO_TOKEN_LEN], b[CRYPTO_TOKEN_LEN], h[CRYPTO_HEX_LEN + 2], m[CRYPTO_TOKEN_LEN];
    assert_true(crypto_token(a));
    assert_true(crypto_token(b));
    assert_int_equal(strlen(a), 43);
    assert_string_not_equal(a, b);
    crypto_sha256_bytea("abc", h);
    assert_string_equal(h, "\\xba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    /* RFC 4231, test case 2. */
    assert_true(crypto_hmac_b64("Jefe", 4, "what do ya want for nothing?", m));
    assert_string_equal(m, "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM");
    assert_false(crypto_hmac_b64("", 0, "x", m));
    assert_true(crypto_equal("abc", "abc"));
    assert_false(crypto_equal("abc", "abd"));
    assert_false(crypto_equal("abc", "abcd"));
}

int main(void) {
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_body_accepts_and_trims),
            cmocka_unit_test(test_body_refusals_name_the_field),
            cmocka_unit_test(test_cookies_and_headers),
            cmocka_unit_test(test_utf8_prefix),
            cmocka_unit_test(test_log_repeats),
            cmocka_unit_test(test_tokens_and_hashes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

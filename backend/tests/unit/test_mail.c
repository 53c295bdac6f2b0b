/* E-mail formatting (jobs/mail_msg.c), the query string of saved searches and the unsubscribe
 * token (domain/alert.c): what a mail server and a mail reader receive, and what a forger cannot
 * make. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka needs the headers above first. */
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "domain/alert.h"
#include "jobs/job_alerts.h"
#include "jobs/mail_msg.h"

static mail_msg_t sample(void) {
    return (mail_msg_t){
            .from_name = "SocialConnect",
            .from_addr = "no-reply@socialconnect.local",
            .to = "camille@example.org",
            .subject = "3 nouveautés pour votre recherche « Jardins à Lyon »",
            .body = "Bonjour,\n.un point en tête\nfin\n",
            .message_id = "<outbox-7@socialconnect.local>",
            .date = 1796616481, /* Mon, 07 Dec 2026 04:08:01 UTC */
            .headers = NULL,
    };
}

static bool format(const mail_msg_t *m, buf_t *out, char *err) {
    buf_init(out, MAIL_MSG_MAX);
    return mail_msg_format(m, out, err, 200);
}

/* Every line ends with CRLF (no bare CR or LF) and holds at most 78 characters. */
static void assert_lines_ok(const char *s) {
    size_t col = 0;
    for (const char *p = s; *p; p++) {
        if (*p == '\r') {
            assert_int_equal(p[1], '\n');
            col = 0;
            p++;
            continue;
        }
        assert_int_not_equal(*p, '\n');
        col++;
        assert_true(col <= 78);
    }
    assert_int_equal(col, 0); /* the message ends with a line end */
}

static void test_headers_and_body(void **state) {
    (void)state;
    mail_msg_t m = sample();
    buf_t out;
    char err[200];
    assert_true(format(&m, &out, err));
    const char *s = buf_cstr(&out);
    assert_lines_ok(s);
    assert_non_null(strstr(s, "From: SocialConnect <no-reply@socialconnect.local>\r\n"));
    assert_non_null(strstr(s, "\r\nTo: camille@example.org\r\n"));
    assert_non_null(strstr(s, "\r\nDate: Mon, 07 Dec 2026 04:08:01 +0000\r\n"));
    assert_non_null(strstr(s, "\r\nMessage-ID: <outbox-7@socialconnect.local>\r\n"));
    assert_non_null(strstr(s, "\r\nMIME-Version: 1.0\r\n"));
    assert_non_null(strstr(s, "\r\nContent-Type: text/plain; charset=utf-8\r\n"));
    assert_non_null(strstr(s, "\r\nContent-Transfer-Encoding: quoted-printable\r\n"));
    /* The subject is encoded words (UTF-8, base64), folded onto a second line; Python's
     * email.header decodes them back to the subject. */
    assert_non_null(strstr(
            s, "\r\nSubject: =?UTF-8?B?MyBub3V2ZWF1dMOpcyBwb3VyIHZvdHJlIHJlY2hlcmNoZSDCqyBK?=\r\n"
               " =?UTF-8?B?YXJkaW5zIMOgIEx5b24gwrs=?=\r\n"));
    /* Headers end at the first empty line; a dot never starts a line of the body. */
    const char *body = strstr(s, "\r\n\r\n");
    assert_non_null(body);
    assert_string_equal(body + 4, "Bonjour,\r\n=2Eun point en t=C3=AAte\r\nfin\r\n\r\n");
    assert_null(strstr(s, "\r\n."));
    buf_free(&out);
}

static void test_long_lines_soft_broken(void **state) {
    (void)state;
    char body[2000];
    mail_msg_t m = sample();
    memset(body, 'a', sizeof body - 1);
    body[sizeof body - 1] = '\0';
    body[75] = '.'; /* a dot that a soft break would put at the start of a line */
    m.body = body;
    buf_t out;
    char err[200];
    assert_true(format(&m, &out, err));
    assert_lines_ok(buf_cstr(&out));
    assert_null(strstr(buf_cstr(&out), "\r\n."));
    buf_free(&out);
}

static void test_header_injection_refused(void **state) {
    (void)state;
    buf_t out;
    char err[200];
    mail_msg_t m = sample();
    m.subject = "Bonjour\r\nBcc: victim@example.org";
    assert_false(format(&m, &out, err));
    buf_free(&out);
    m = sample();
    m.subject = "Bonjour\nBcc: victim@example.org";
    assert_false(format(&m, &out, err));
    buf_free(&out);
    m = sample();
    m.to = "camille@example.org\r\nBcc: victim@example.org";
    assert_false(format(&m, &out, err));
    buf_free(&out);
    m = sample();
    m.to = "camille@example.org>, <victim@example.org";
    assert_false(format(&m, &out, err));
    buf_free(&out);

    json_t *h = json_pack("{s:s}", "List-Unsubscribe", "<https://x/u>\r\nBcc: victim@example.org");
    m = sample();
    m.headers = h;
    assert_false(format(&m, &out, err));
    buf_free(&out);
    json_decref(h);
    /* An extra header cannot replace one of ours, nor have a name that is not a token. */
    h = json_pack("{s:s}", "bcc", "victim@example.org");
    m.headers = h;
    assert_false(format(&m, &out, err));
    buf_free(&out);
    json_decref(h);
    h = json_pack("{s:s}", "X-A: b\r\nBcc", "victim@example.org");
    m.headers = h;
    assert_false(format(&m, &out, err));
    buf_free(&out);
    json_decref(h);
}

static void test_extra_headers(void **state) {
    (void)state;
    buf_t out;
    char err[200];
    mail_msg_t m = sample();
    json_t *h = json_pack("{s:s,s:s}", "List-Unsubscribe",
                          "<http://localhost:8080/api/v1/alerts/unsubscribe?token=12.abc>",
                          "List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
    m.headers = h;
    assert_true(format(&m, &out, err));
    assert_non_null(strstr(buf_cstr(&out), "\r\nList-Unsubscribe: "
                                           "<http://localhost:8080/api/v1/alerts/unsubscribe?"
                                           "token=12.abc>\r\n"));
    assert_non_null(
            strstr(buf_cstr(&out), "\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"));
    buf_free(&out);
    json_decref(h);
}

static void test_addresses(void **state) {
    (void)state;
    char name[100], addr[MAIL_ADDR_MAX + 1];
    assert_true(mail_addr_ok("a@b"));
    assert_false(mail_addr_ok("a b@c"));
    assert_false(mail_addr_ok("@c"));
    assert_false(mail_addr_ok("a@"));
    assert_false(mail_addr_ok("a@b@c"));
    assert_false(mail_addr_ok("é@b.fr")); /* would need SMTPUTF8 */
    assert_true(mail_from_parse("SocialConnect <no-reply@socialconnect.local>", name, sizeof name,
                                addr));
    assert_string_equal(name, "SocialConnect");
    assert_string_equal(addr, "no-reply@socialconnect.local");
    assert_true(mail_from_parse("x@y.fr", name, sizeof name, addr));
    assert_string_equal(name, "");
    assert_false(mail_from_parse("Nom <x@y.fr> suite", name, sizeof name, addr));
    assert_false(mail_from_parse("Nom\r\nBcc: z <x@y.fr>", name, sizeof name, addr));
}

static void test_encoded_words_keep_characters(void **state) {
    (void)state;
    buf_t out;
    buf_init(&out, 4096);
    /* 100 two-byte characters: words must not cut one in half. */
    char s[201];
    for (int i = 0; i < 100; i++)
        memcpy(s + 2 * i, "é", 2);
    s[200] = '\0';
    assert_true(mail_encode_words(&out, s, 9));
    const char *p = buf_cstr(&out);
    for (const char *w = p; (w = strstr(w, "=?UTF-8?B?")) != NULL; w++) {
        const char *end = strstr(w + 10, "?=");
        assert_non_null(end);
        assert_true(end + 2 - w <= 75);
        /* 44 bytes (22 characters) at most per word: base64 of an even byte count. */
        assert_true((end - (w + 10)) % 4 == 0);
    }
    buf_reset(&out);
    assert_true(mail_encode_words(&out, "Bonjour", 9));
    assert_string_equal(buf_cstr(&out), "Bonjour");
    buf_reset(&out);
    assert_true(mail_encode_words(&out, "=?x?", 9)); /* looks like a word: encoded */
    assert_string_equal(buf_cstr(&out), "=?UTF-8?B?PT94Pw==?=");
    buf_free(&out);
}

static void test_query_string(void **state) {
    (void)state;
    buf_t out;
    buf_init(&out, 1024);
    json_t *p = json_pack("{s:s,s:s,s:i,s:s,s:s}", "q", "jardin & potager", "territory",
                          "commune:69123", "limit", 5, "cursor", "abc", "limit", "5");
    assert_true(job_alerts_query_string(p, &out));
    assert_string_equal(buf_cstr(&out), "q=jardin%20%26%20potager&territory=commune%3A69123");
    json_decref(p);
    buf_free(&out);
}

static void test_unsubscribe_token(void **state) {
    (void)state;
    const char key[] = "a-secret-key-of-the-site-0123456789";
    char token[ALERT_TOKEN_LEN], forged[ALERT_TOKEN_LEN + 8];
    int64_t id;
    assert_true(alert_token_make(key, strlen(key), 42, token));
    assert_true(strncmp(token, "42.", 3) == 0);
    assert_int_equal(strlen(token), 3 + 43);
    assert_true(alert_token_check(key, strlen(key), token, &id));
    assert_int_equal(id, 42);
    /* Another id with the same signature, another key, a changed signature, noise. */
    snprintf(forged, sizeof forged, "43%s", token + 2);
    assert_false(alert_token_check(key, strlen(key), forged, &id));
    assert_false(alert_token_check("another-key-entirely-0123", 25, token, &id));
    snprintf(forged, sizeof forged, "%s", token);
    forged[10] = forged[10] == 'A' ? 'B' : 'A';
    assert_false(alert_token_check(key, strlen(key), forged, &id));
    snprintf(forged, sizeof forged, "042%s", token + 2); /* one id, one token */
    assert_false(alert_token_check(key, strlen(key), forged, &id));
    assert_false(alert_token_check(key, strlen(key), "", &id));
    assert_false(alert_token_check(key, strlen(key), "42", &id));
    assert_false(alert_token_check(key, strlen(key), "42.", &id));
    assert_false(alert_token_check(key, strlen(key), "99999999999999999999.x", &id));
    assert_int_equal(id, 0);
    assert_false(alert_token_make(key, strlen(key), 0, token));
}

int main(void) {
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_headers_and_body),
            cmocka_unit_test(test_long_lines_soft_broken),
            cmocka_unit_test(test_header_injection_refused),
            cmocka_unit_test(test_extra_headers),
            cmocka_unit_test(test_addresses),
            cmocka_unit_test(test_encoded_words_keep_characters),
            cmocka_unit_test(test_query_string),
            cmocka_unit_test(test_unsubscribe_token),
    };
    return cmocka_run_group_tests_name("mail", tests, NULL, NULL);
}

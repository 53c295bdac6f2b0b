/* Comments: the linkifier (plain text as safe HTML with its http(s) addresses as links) and the
 * policy's actions on comments and reports. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka needs the headers above first. */
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/linkify.h"
#include "domain/people/policy.h"

#define REL "\" rel=\"nofollow ugc noopener\">"

/* The HTML of text; the caller frees it. */
static char *html_of(const char *text) {
    buf_t b;
    buf_init(&b, LINKIFY_HTML_MAX(strlen(text)));
    assert_true(linkify_html(text, strlen(text), &b));
    assert_true(buf_append(&b, "", 0));
    char *s = strdup(buf_cstr(&b));
    buf_free(&b);
    return s;
}

static void expect_html(const char *text, const char *html) {
    char *got = html_of(text);
    assert_string_equal(got, html);
    free(got);
}

static void test_escaping(void **state) {
    (void)state;
    expect_html("", "");
    expect_html("Bonjour à tous", "Bonjour à tous");
    expect_html("<script>alert('x') & \"y\"</script>",
                "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;");
    expect_html("ligne 1\nligne 2", "ligne 1\nligne 2");
    /* Only http and https: the rest stays text. */
    expect_html("javascript:alert(1) data:text/html,x ftp://a.fr mailto:a@b.fr",
                "javascript:alert(1) data:text/html,x ftp://a.fr mailto:a@b.fr");
    expect_html("http:// https:/a.fr http:", "http:// https:/a.fr http:");
}

static void test_links(void **state) {
    (void)state;
    expect_html("https://exemple.fr", "<a href=\"https://exemple.fr" REL "https://exemple.fr</a>");
    expect_html("Voir HTTP://A.fr/x?a=1&b=2.",
                "Voir <a href=\"HTTP://A.fr/x?a=1&amp;b=2" REL "HTTP://A.fr/x?a=1&amp;b=2</a>.");
    /* Punctuation that ends the sentence is not part of the address; parentheses balance. */
    expect_html("(http://a.fr/x), puis http://b.fr/w_(z)!",
                "(<a href=\"http://a.fr/x" REL
                "http://a.fr/x</a>), puis <a href=\"http://b.fr/w_(z)" REL
                "http://b.fr/w_(z)</a>!");
    /* Quotes and angle brackets end an address: nothing can leave the attribute. */
    expect_html("http://a.fr/\"onmouseover=\"x",
                "<a href=\"http://a.fr/" REL "http://a.fr/</a>&quot;onmouseover=&quot;x");
    expect_html("http://a.fr/<b>", "<a href=\"http://a.fr/" REL "http://a.fr/</a>&lt;b&gt;");
    /* Glued to a word before it: not an address. */
    expect_html("xhttp://a.fr", "xhttp://a.fr");
    /* Accented addresses are kept whole. */
    expect_html("https://fr.wikipedia.org/wiki/Économie_sociale",
                "<a href=\"https://fr.wikipedia.org/wiki/Économie_sociale" REL
                "https://fr.wikipedia.org/wiki/Économie_sociale</a>");
}

static void test_long_address(void **state) {
    (void)state;
    size_t n = LINKIFY_URL_MAX + 100;
    char *text = malloc(n + 1);
    assert_non_null(text);
    memcpy(text, "https://a.fr/", 13);
    memset(text + 13, 'x', n - 13);
    text[n] = '\0';
    char *html = html_of(text);
    assert_null(strchr(html, '<')); /* too long to be a link: plain text */
    assert_string_equal(html, text);
    free(html);
    free(text);
}

static void test_cap(void **state) {
    (void)state;
    buf_t b;
    buf_init(&b, 10);
    assert_false(linkify_html("<<<<<<<<<<", 10, &b));
    buf_free(&b);
}

static actor_t actor(int64_t id, actor_role role, bool verified) {
    actor_t a;
    actor_anonymous(&a);
    a.user_id = id;
    a.role = role;
    a.verified = verified;
    return a;
}

static void test_policy(void **state) {
    (void)state;
    enum { AUTHOR = 7, OTHER = 8, MODERATOR = 9, ADMIN = 10 };
    actor_t anon = actor(0, ROLE_MEMBER, false), author = actor(AUTHOR, ROLE_MEMBER, true),
            other = actor(OTHER, ROLE_MEMBER, true), unverified = actor(OTHER, ROLE_MEMBER, false),
            moderator = actor(MODERATOR, ROLE_MODERATOR, true),
            admin = actor(ADMIN, ROLE_ADMIN, true);
    policy_object_t visible = {.owner_id = AUTHOR, .is_public = true};
    policy_object_t hidden = {.owner_id = AUTHOR, .is_public = false};

    assert_int_equal(policy_can(&anon, POLICY_COMMENT_CREATE, NULL), POLICY_UNAUTHENTICATED);
    assert_int_equal(policy_can(&unverified, POLICY_COMMENT_CREATE, NULL), POLICY_UNVERIFIED);
    assert_int_equal(policy_can(&other, POLICY_COMMENT_CREATE, NULL), POLICY_ALLOW);

    assert_int_equal(policy_can(&author, POLICY_COMMENT_EDIT, &visible), POLICY_ALLOW);
    assert_int_equal(policy_can(&author, POLICY_COMMENT_EDIT, &hidden), POLICY_FORBIDDEN);
    assert_int_equal(policy_can(&other, POLICY_COMMENT_EDIT, &visible), POLICY_FORBIDDEN);
    assert_int_equal(policy_can(&moderator, POLICY_COMMENT_EDIT, &visible), POLICY_FORBIDDEN);
    assert_int_equal(policy_can(&other, POLICY_COMMENT_EDIT, &hidden), POLICY_HIDDEN);
    assert_int_equal(policy_can(&anon, POLICY_COMMENT_EDIT, &visible), POLICY_UNAUTHENTICATED);
    assert_int_equal(policy_can(&anon, POLICY_COMMENT_EDIT, &hidden), POLICY_HIDDEN);

    assert_int_equal(policy_can(&author, POLICY_COMMENT_DELETE, &hidden), POLICY_ALLOW);
    assert_int_equal(policy_can(&moderator, POLICY_COMMENT_DELETE, &visible), POLICY_ALLOW);
    assert_int_equal(policy_can(&admin, POLICY_COMMENT_DELETE, &hidden), POLICY_ALLOW);
    assert_int_equal(policy_can(&other, POLICY_COMMENT_DELETE, &visible), POLICY_FORBIDDEN);
    assert_int_equal(policy_can(&other, POLICY_COMMENT_DELETE, &hidden), POLICY_HIDDEN);

    assert_int_equal(policy_can(&moderator, POLICY_COMMENT_HIDE, &visible), POLICY_ALLOW);
    assert_int_equal(policy_can(&admin, POLICY_COMMENT_HIDE, &hidden), POLICY_ALLOW);
    assert_int_equal(policy_can(&author, POLICY_COMMENT_HIDE, &visible), POLICY_FORBIDDEN);
    assert_int_equal(policy_can(&author, POLICY_COMMENT_HIDE, &hidden), POLICY_FORBIDDEN);
    assert_int_equal(policy_can(&other, POLICY_COMMENT_HIDE, &hidden), POLICY_HIDDEN);

    assert_int_equal(policy_can(&anon, POLICY_REPORT_CREATE, NULL), POLICY_ALLOW);
    assert_int_equal(policy_can(&anon, POLICY_REPORT_REVIEW, NULL), POLICY_UNAUTHENTICATED);
    assert_int_equal(policy_can(&other, POLICY_REPORT_REVIEW, NULL), POLICY_FORBIDDEN);
    assert_int_equal(policy_can(&moderator, POLICY_REPORT_REVIEW, NULL), POLICY_ALLOW);
    assert_int_equal(policy_can(&admin, POLICY_REPORT_REVIEW, NULL), POLICY_ALLOW);
}

int main(void) {
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_escaping),     cmocka_unit_test(test_links),
            cmocka_unit_test(test_long_address), cmocka_unit_test(test_cap),
            cmocka_unit_test(test_policy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* robots.txt: which group applies to us, longest-match precedence, wildcards, Crawl-delay, and
 * files that are odd, broken or huge. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka needs the headers above first. */
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "harvest/robots.h"

static hv_robots *parse(const char *text) {
    hv_robots *r = hv_robots_parse(text, strlen(text), "SocialConnect");
    assert_non_null(r);
    return r;
}

static void test_our_group_wins_over_star(void **state) {
    (void)state;
    hv_robots *r = parse("User-agent: *\n"
                         "Disallow: /\n"
                         "\n"
                         "User-agent: socialconnect\n" /* case does not matter */
                         "Disallow: /private\n");
    assert_true(hv_robots_allowed(r, "/"));
    assert_true(hv_robots_allowed(r, "/initiatives?page=2"));
    assert_false(hv_robots_allowed(r, "/private"));
    assert_false(hv_robots_allowed(r, "/private/x"));
    assert_false(hv_robots_allowed(r, "/privateer")); /* a prefix, as the RFC says */
    assert_int_equal(hv_robots_rule_count(r), 1);
    hv_robots_free(r);
}

static void test_star_applies_when_no_group_names_us(void **state) {
    (void)state;
    hv_robots *r = parse("User-agent: Googlebot\n"
                         "Disallow: /\n"
                         "User-agent: *\n"
                         "Disallow: /admin\n");
    assert_true(hv_robots_allowed(r, "/a"));
    assert_false(hv_robots_allowed(r, "/admin/users"));
    hv_robots_free(r);
}

static void test_product_token_with_version_and_shared_group(void **state) {
    (void)state;
    /* Two User-agent lines open one group; our token with a version still names us. */
    hv_robots *r = parse("User-agent: OtherBot\n"
                         "User-agent: SocialConnect/1.0\n"
                         "Disallow: /x\n"
                         "User-agent: *\n"
                         "Disallow: /\n");
    assert_false(hv_robots_allowed(r, "/x"));
    assert_true(hv_robots_allowed(r, "/y"));
    hv_robots_free(r);
    /* A name that merely starts with ours is somebody else. */
    r = parse("User-agent: SocialConnectBot\nDisallow: /\n");
    assert_true(hv_robots_allowed(r, "/y"));
    hv_robots_free(r);
}

static void test_groups_naming_us_are_merged(void **state) {
    (void)state;
    hv_robots *r = parse("User-agent: SocialConnect\n"
                         "Disallow: /a\n"
                         "User-agent: *\n"
                         "Disallow: /c\n"
                         "User-agent: SocialConnect\n"
                         "Disallow: /b\n");
    assert_false(hv_robots_allowed(r, "/a"));
    assert_false(hv_robots_allowed(r, "/b"));
    assert_true(hv_robots_allowed(r, "/c"));
    hv_robots_free(r);
}

static void test_an_empty_group_for_us_allows_everything(void **state) {
    (void)state;
    hv_robots *r = parse("User-agent: SocialConnect\n"
                         "Disallow:\n"
                         "User-agent: *\n"
                         "Disallow: /\n");
    assert_true(hv_robots_allowed(r, "/anything"));
    assert_int_equal(hv_robots_rule_count(r), 0);
    hv_robots_free(r);
}

static void test_longest_match_wins_and_allow_wins_ties(void **state) {
    (void)state;
    hv_robots *r = parse("User-agent: *\n"
                         "Disallow: /private\n"
                         "Allow: /private/open\n"
                         "Disallow: /private/open/secret\n"
                         "Allow: /tie\n"
                         "Disallow: /tie\n");
    assert_false(hv_robots_allowed(r, "/private/closed"));
    assert_true(hv_robots_allowed(r, "/private/open"));
    assert_true(hv_robots_allowed(r, "/private/open/page"));
    assert_false(hv_robots_allowed(r, "/private/open/secret/1"));
    assert_true(hv_robots_allowed(r, "/tie/x"));
    hv_robots_free(r);
}

static void test_wildcards(void **state) {
    (void)state;
    hv_robots *r = parse("User-agent: *\n"
                         "Disallow: /*.pdf$\n"
                         "Disallow: /search*q=\n"
                         "Disallow: /end$\n"
                         "Allow: /*/public/\n"
                         "Disallow: /**/p\n");
    assert_false(hv_robots_allowed(r, "/docs/rapport.pdf"));
    assert_true(hv_robots_allowed(r, "/docs/rapport.pdf?v=2")); /* $ anchors the end */
    assert_true(hv_robots_allowed(r, "/docs/rapport.pdfx"));
    assert_false(hv_robots_allowed(r, "/search?page=1&q=eau"));
    assert_true(hv_robots_allowed(r, "/search?page=1"));
    assert_false(hv_robots_allowed(r, "/end"));
    assert_true(hv_robots_allowed(r, "/end/more"));
    assert_true(hv_robots_allowed(r, "/x/public/p")); /* the longer Allow wins */
    assert_false(hv_robots_allowed(r, "/x/y/p"));
    hv_robots_free(r);
}

static void test_pathological_pattern_is_cheap(void **state) {
    (void)state;
    /* Exponential for a naive backtracking matcher; bounded by len * len here. */
    hv_robots *r = parse("User-agent: *\nDisallow: /*a*a*a*a*a*a*a*a*a*a*a*a*b$\n");
    char path[4096];
    path[0] = '/';
    memset(path + 1, 'a', sizeof path - 2);
    path[sizeof path - 1] = '\0';
    assert_true(hv_robots_allowed(r, path));
    path[sizeof path - 2] = 'b';
    assert_false(hv_robots_allowed(r, path));
    hv_robots_free(r);
}

static void test_robots_txt_itself_and_empty_path(void **state) {
    (void)state;
    hv_robots *r = parse("User-agent: *\nDisallow: /\n");
    assert_true(hv_robots_allowed(r, "/robots.txt"));
    assert_false(hv_robots_allowed(r, ""));
    assert_false(hv_robots_allowed(r, "/"));
    hv_robots_free(r);
}

static void test_syntax_tolerance(void **state) {
    (void)state;
    /* BOM, CR-only and CRLF line ends, comments, odd spacing, unknown and rule-less lines. */
    hv_robots *r = parse("\xEF\xBB\xBFUser-Agent :  SocialConnect   # us\r"
                         "Sitemap: https://example.org/sitemap.xml\r\n"
                         "Disallow:/a # comment\r\n"
                         "nonsense without colon\n"
                         "DISALLOW :\t/b\t\n"
                         "Unknown-field: /c\n"
                         "# Disallow: /d\n"
                         "Allow:\n");
    assert_false(hv_robots_allowed(r, "/a"));
    assert_false(hv_robots_allowed(r, "/b"));
    assert_true(hv_robots_allowed(r, "/c"));
    assert_true(hv_robots_allowed(r, "/d"));
    assert_int_equal(hv_robots_rule_count(r), 2);
    hv_robots_free(r);
    /* Rules before any User-agent belong to no group. */
    r = parse("Disallow: /\n");
    assert_true(hv_robots_allowed(r, "/x"));
    hv_robots_free(r);
    r = parse("");
    assert_true(hv_robots_allowed(r, "/x"));
    assert_int_equal(hv_robots_crawl_delay_ms(r), 0);
    hv_robots_free(r);
}

static void test_utf8_patterns_meet_encoded_paths(void **state) {
    (void)state;
    hv_robots *r = parse("User-agent: *\nDisallow: /actualités\n");
    assert_false(hv_robots_allowed(r, "/actualit%C3%A9s/2024"));
    assert_true(hv_robots_allowed(r, "/actualites"));
    hv_robots_free(r);
}

static void test_crawl_delay(void **state) {
    (void)state;
    hv_robots *r = parse("User-agent: *\nCrawl-delay: 7\n"
                         "User-agent: SocialConnect\nCrawl-delay: 0.5\nDisallow: /x\n");
    assert_int_equal(hv_robots_crawl_delay_ms(r), 500);
    hv_robots_free(r);
    r = parse("User-agent: *\nCrawl-delay: 2\nCrawl-delay: 3\n"); /* the larger one */
    assert_int_equal(hv_robots_crawl_delay_ms(r), 3000);
    hv_robots_free(r);
    r = parse("User-agent: *\nCrawl-delay: 86400\n");
    assert_int_equal(hv_robots_crawl_delay_ms(r), HV_ROBOTS_MAX_CRAWL_DELAY_MS);
    hv_robots_free(r);
    r = parse("User-agent: *\nCrawl-delay: soon\nCrawl-delay: -4\nCrawl-delay: nan\n");
    assert_int_equal(hv_robots_crawl_delay_ms(r), 0);
    hv_robots_free(r);
    /* A Crawl-delay line ends the User-agent lines of its group like any rule. */
    r = parse("User-agent: *\nCrawl-delay: 1\nUser-agent: SocialConnect\nDisallow: /y\n");
    assert_int_equal(hv_robots_crawl_delay_ms(r), 0);
    assert_true(hv_robots_allowed(r, "/x"));
    assert_false(hv_robots_allowed(r, "/y"));
    hv_robots_free(r);
}

static void test_only_the_first_512_kib_are_read(void **state) {
    (void)state;
    const char *head = "User-agent: *\nDisallow: /early\n";
    const char *tail = "\nDisallow: /late\n";
    size_t len = HV_ROBOTS_MAX_BYTES + 4096;
    char *text = malloc(len);
    assert_non_null(text);
    memset(text, '#', len); /* one long comment line between the two rules */
    memcpy(text, head, strlen(head));
    memcpy(text + HV_ROBOTS_MAX_BYTES + 100, tail, strlen(tail));
    hv_robots *r = hv_robots_parse(text, len, "SocialConnect");
    assert_non_null(r);
    assert_false(hv_robots_allowed(r, "/early"));
    assert_true(hv_robots_allowed(r, "/late"));
    hv_robots_free(r);
    free(text);
}

int main(void) {
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_our_group_wins_over_star),
            cmocka_unit_test(test_star_applies_when_no_group_names_us),
            cmocka_unit_test(test_product_token_with_version_and_shared_group),
            cmocka_unit_test(test_groups_naming_us_are_merged),
            cmocka_unit_test(test_an_empty_group_for_us_allows_everything),
            cmocka_unit_test(test_longest_match_wins_and_allow_wins_ties),
            cmocka_unit_test(test_wildcards),
            cmocka_unit_test(test_pathological_pattern_is_cheap),
            cmocka_unit_test(test_robots_txt_itself_and_empty_path),
            cmocka_unit_test(test_syntax_tolerance),
            cmocka_unit_test(test_utf8_patterns_meet_encoded_paths),
            cmocka_unit_test(test_crawl_delay),
            cmocka_unit_test(test_only_the_first_512_kib_are_read),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Source documents: good documents of each kind are accepted with their defaults; bad ones are
 * refused with an error that names the offending key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka needs the headers above first. */
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harvest/extract.h"
#include "harvest/source_doc.h"

static hv_source *parse_ok(const char *text) {
    hv_source *src = NULL;
    char err[HV_ERR_MAX];
    int rc = hv_source_parse(text, strlen(text), &src, err);
    if (rc != 0)
        fail_msg("refused: %s", err);
    assert_non_null(src);
    return src;
}

static const char *HTML_DOC =
        "{\"slug\": \"portraits-solidaires\", \"name\": \"Portraits solidaires\","
        " \"homepage\": \"http://127.0.0.1:${HV_TEST_PORT}/drupal/\", \"kind\": \"html\","
        " \"licence\": \"Licence Ouverte 2.0\", \"encoding\": \"auto\","
        " \"politeness\": {\"delay_ms\": 250, \"max_connections\": 1},"
        " \"limits\": {\"max_pages\": 20, \"max_body_bytes\": 1048576},"
        " \"start_urls\": [\"portraits?page=0\", \"/autres?page=0&tri=date\"],"
        " \"pagination\": {\"param\": \"page\", \"start\": 0, \"step\": 1},"
        " \"items\": \"//div[contains(@class,'node--portrait')]\","
        " \"detail\": {\"link\": \".//h2/a/@href\"},"
        " \"external_id\": {\"path\": \".//h2/a/@href\", \"transforms\": [\"absolute_url\"]},"
        " \"fields\": {"
        "   \"title\": {\"path\": \".//h2/a\"},"
        "   \"summary\": {\"path\": \"//div[@class='chapo']\", \"from\": \"detail\"},"
        "   \"themes\": {\"path\": \"//ul[@class='tags']/li\", \"from\": \"detail\", \"multiple\": "
        "true, \"map\": \"themes\"},"
        "   \"commune\": {\"path\": \"//span[@class='ville']\", \"from\": \"detail\"},"
        "   \"start_year\": {\"path\": \"//span[@class='date']\", \"from\": \"detail\","
        "                   \"transforms\": [{\"date\": \"auto\"}]}},"
        " \"maps\": {\"themes\": {\"Finance solidaire\": \"FSO\", \"Insertion\": \"ACE\"}},"
        " \"classify\": true}";

static void test_html_document(void **state) {
    (void)state;
    setenv("HV_TEST_PORT", "8099", 1);
    hv_source *src = parse_ok(HTML_DOC);
    assert_string_equal(hv_source_slug(src), "portraits-solidaires");
    assert_string_equal(hv_source_name(src), "Portraits solidaires");
    assert_string_equal(hv_source_homepage(src), "http://127.0.0.1:8099/drupal/");
    assert_string_equal(hv_source_kind_name(src), "html");
    assert_int_equal(hv_source_kind(src), HV_KIND_HTML);
    assert_string_equal(hv_source_licence(src), "Licence Ouverte 2.0");
    assert_int_equal(hv_source_period_hours(src), 24);
    assert_int_equal(hv_source_gone_after_runs(src), 3);
    assert_int_equal(hv_source_delay_ms(src), 250);
    assert_int_equal(hv_source_max_connections(src), 1);
    assert_int_equal(hv_source_max_pages(src), 20);
    assert_int_equal(hv_source_max_body_bytes(src), 1048576);
    assert_string_equal(json_string_value(json_object_get(hv_source_document(src), "slug")),
                        "portraits-solidaires");
    json_t *first = hv_source_first_pages(src);
    assert_int_equal(json_array_size(first), 2);
    assert_string_equal(json_string_value(json_array_get(first, 0)),
                        "http://127.0.0.1:8099/drupal/portraits?page=0");
    assert_string_equal(json_string_value(json_array_get(first, 1)),
                        "http://127.0.0.1:8099/autres?page=0&tri=date");
    json_decref(first);
    hv_source_free(src);
}

static void test_defaults(void **state) {
    (void)state;
    hv_source *src = parse_ok("{\"slug\": \"a\", \"name\": \"A\", \"homepage\": "
                              "\"https://example.org\", \"kind\": \"rss\", \"start_urls\": "
                              "[\"/feed\"], \"fields\": {\"title\": {\"path\": \"title\"}}}");
    assert_null(hv_source_licence(src));
    assert_int_equal(hv_source_period_hours(src), 24);
    assert_int_equal(hv_source_gone_after_runs(src), 3);
    assert_int_equal(hv_source_delay_ms(src), 1000);
    assert_int_equal(hv_source_max_connections(src), 2);
    assert_int_equal(hv_source_max_pages(src), 500);
    assert_int_equal(hv_source_max_body_bytes(src), 5 * 1024 * 1024);
    json_t *first = hv_source_first_pages(src);
    assert_string_equal(json_string_value(json_array_get(first, 0)), "https://example.org/feed");
    json_decref(first);
    /* not paginated by parameter: no page URL */
    assert_null(hv_source_page_url(src, "https://example.org/feed", 1));
    hv_source_free(src);
}

static void test_each_kind(void **state) {
    (void)state;
    const char *docs[] = {
            "{\"slug\": \"j\", \"name\": \"J\", \"homepage\": \"https://api.example.org/\","
            " \"kind\": \"json\", \"start_urls\": [\"v1/projects?p=1\"],"
            " \"pagination\": {\"param\": \"p\", \"start\": 1}, \"items\": \"/data/items\","
            " \"fields\": {\"title\": {\"path\": \"/name\"}, \"lat\": {\"path\": \"/geo/0\"},"
            " \"tags\": {\"path\": \"/tags\", \"multiple\": true}}}",
            "{\"slug\": \"r\", \"name\": \"R\", \"homepage\": \"https://example.org/\", \"kind\": "
            "\"rss\", \"start_urls\": [\"feed.xml\"], \"pagination\": {\"next\": "
            "\"//atom:link[@rel='next']/@href\"}, \"fields\": {\"title\": {\"path\": \"title\"},"
            " \"description\": {\"path\": \"content:encoded\"}, \"tags\": {\"path\": "
            "\"category\", \"multiple\": true}}}",
            "{\"slug\": \"at\", \"name\": \"At\", \"homepage\": \"https://example.org/\", "
            "\"kind\": \"atom\", \"start_urls\": [\"atom.xml\"], \"fields\": {\"title\": "
            "{\"path\": \"title\"}, \"summary\": {\"path\": \"./*[local-name()='summary']\"}}}",
            "{\"slug\": \"c\", \"name\": \"C\", \"homepage\": \"https://example.org/\", \"kind\": "
            "\"csv\", \"start_urls\": [\"export.csv\"], \"csv\": {\"delimiter\": \";\", "
            "\"header\": true}, \"external_id\": {\"path\": \"id\"}, \"fields\": {\"title\": "
            "{\"path\": \"Nom\"}, \"commune\": {\"path\": \"3\"}}}",
    };
    for (size_t i = 0; i < ARRAY_LEN(docs); i++)
        hv_source_free(parse_ok(docs[i]));
}

/* A minimal valid html document with one part replaced. */
static char *variant(const char *key_json) {
    char *out = malloc(4096);
    snprintf(out, 4096,
             "{\"slug\": \"s\", \"name\": \"S\", \"homepage\": \"https://example.org/\","
             " \"kind\": \"html\", \"start_urls\": [\"/list\"], \"items\": \"//article\","
             " \"fields\": {\"title\": {\"path\": \".//h2\"}}%s%s}",
             key_json[0] ? ", " : "", key_json);
    return out;
}

static void expect_refused(const char *text, const char *key) {
    hv_source *src = NULL;
    char err[HV_ERR_MAX];
    int rc = hv_source_parse(text, strlen(text), &src, err);
    if (rc == 0)
        fail_msg("accepted, expected an error on %s: %s", key, text);
    assert_null(src);
    if (strncmp(err, key, strlen(key)) != 0)
        fail_msg("error \"%s\" does not start with \"%s\"", err, key);
}

static void expect_variant_refused(const char *part, const char *key) {
    char *text = variant(part);
    expect_refused(text, key);
    free(text);
}

static void test_refusals_name_the_key(void **state) {
    (void)state;
    char *ok = variant("");
    hv_source *src = parse_ok(ok);
    hv_source_free(src);
    free(ok);

    unsetenv("HV_TEST_UNSET");
    expect_refused("{\"slug\": \"s\", \"name\": \"S\", \"kind\": \"html\"}", "homepage: required");
    expect_refused("{\"slug\": \"Bad Slug\", \"name\": \"S\"}", "slug:");
    expect_refused("{\"slug\": \"s\", \"name\": \"S\", \"homepage\": \"ftp://x.org/\", "
                   "\"kind\": \"html\"}",
                   "homepage:");
    expect_refused("{\"slug\": \"s\", \"name\": \"S\", \"homepage\": "
                   "\"http://h:${HV_TEST_UNSET}/\", \"kind\": \"html\"}",
                   "homepage: environment variable HV_TEST_UNSET is not set");
    expect_refused("{\"slug\": \"s\", \"name\": \"S\", \"homepage\": \"http://h/\", \"kind\": "
                   "\"xml\"}",
                   "kind:");
    expect_refused("[1, 2]", "the document must be a JSON object");
    expect_refused("{\"slug\": ", "invalid JSON");
    expect_variant_refused("\"titel\": 1", "titel: unknown key");
    expect_variant_refused("\"period_hours\": 0", "period_hours: must be between 1 and 8760");
    expect_variant_refused("\"period_hours\": \"24\"", "period_hours: must be an integer");
    expect_variant_refused("\"gone_after_runs\": 101", "gone_after_runs:");
    expect_variant_refused("\"encoding\": \"utf-16\"", "encoding:");
    expect_variant_refused("\"politeness\": {\"max_connections\": 3}",
                           "politeness.max_connections:");
    expect_variant_refused("\"politeness\": {\"delay\": 3}", "politeness.delay: unknown key");
    expect_variant_refused("\"limits\": {\"max_pages\": 10001}", "limits.max_pages:");
    expect_variant_refused("\"limits\": {\"max_body_bytes\": 60000000}", "limits.max_body_bytes:");
    expect_variant_refused("\"pagination\": {\"next\": \"//a[\"}",
                           "pagination.next: invalid XPath");
    expect_variant_refused("\"pagination\": {\"param\": \"page\", \"step\": 0}",
                           "pagination.step:");
    expect_variant_refused("\"pagination\": {\"param\": \"page\", \"next\": \"//a\"}",
                           "pagination:");
    expect_variant_refused("\"detail\": {\"link\": \"..//[\"}", "detail.link: invalid XPath");
    expect_variant_refused("\"detail\": {\"href\": \"//a\"}", "detail.href: unknown key");
    expect_variant_refused("\"csv\": {\"delimiter\": \";\"}", "csv: only for kind csv");
    expect_variant_refused("\"classify\": \"yes\"", "classify:");
    expect_variant_refused("\"maps\": {\"themes\": {\"Insertion\": 12}}",
                           "maps.themes: \"Insertion\"");
    expect_variant_refused("\"external_id\": {\"path\": \"//a[\"}",
                           "external_id.path: invalid XPath");
    expect_variant_refused("\"external_id\": {\"from\": \"detail\", \"path\": \"//a\"}",
                           "external_id.from: \"detail\" needs a \"detail\" link");
    /* a key given twice is refused by the JSON reader itself */
    expect_variant_refused("\"start_urls\": [\"/a\", 3]", "invalid JSON");

    /* The fields object, key by key. */
    const struct {
        const char *text;
        const char *key;
    } bad_fields[] = {
            {"{\"titel\": {\"path\": \"//h2\"}}", "fields.titel: unknown field (expected one of "
                                                  "title, url, summary"},
            {"{\"summary\": {\"path\": \"//p\"}}", "fields.title: required"},
            {"{\"title\": \"//h2\"}", "fields.title: must be an object"},
            {"{\"title\": {\"path\": \"//h2[\"}}", "fields.title.path: invalid XPath"},
            {"{\"title\": {\"path\": \"//h2\", \"multiple\": 1}}", "fields.title.multiple:"},
            {"{\"title\": {\"path\": \"//h2\", \"from\": \"page\"}}", "fields.title.from:"},
            {"{\"title\": {\"path\": \"//h2\", \"transforms\": [\"uppercase\"]}}",
             "fields.title.transforms[0]: unknown transform"},
            {"{\"title\": {\"path\": \"//h2\", \"transforms\": [\"trim\", {\"regex\": "
             "\"([0-9\"}]}}",
             "fields.title.transforms[1]: regex: invalid"},
            {"{\"title\": {\"path\": \"//h2\", \"transforms\": [{\"date\": \"us\"}]}}",
             "fields.title.transforms[0]: date:"},
            {"{\"title\": {\"path\": \"//h2\", \"transforms\": [{\"replace\": [\"a\"]}]}}",
             "fields.title.transforms[0]: replace:"},
            {"{\"title\": {\"path\": \"//h2\", \"transforms\": [{\"regex\": \"(a{100}){100}\"}]}}",
             "fields.title.transforms[0].regex: counted repetitions too large"},
            {"{\"title\": {\"path\": \"//h2\"}, \"themes\": {\"path\": \"//li\", \"map\": "
             "\"themes\"}}",
             "fields.themes.map: no map named \"themes\""},
            {"{\"title\": {\"path\": \"//h2\", \"xpath\": \"//h2\"}}",
             "fields.title.xpath: unknown key"},
            {"{\"title\": {\"from\": \"list\"}}", "fields.title.path: required"},
            {"{\"title\": {\"path\": \"//h2\", \"from\": \"detail\"}}",
             "fields.title.from: \"detail\" needs"},
            {"{\"title\": {\"path\": \"//h2\", \"default\": 3}}", "fields.title.default:"},
    };
    for (size_t i = 0; i < ARRAY_LEN(bad_fields); i++) {
        char text[2048];
        snprintf(text, sizeof text,
                 "{\"slug\": \"s\", \"name\": \"S\", \"homepage\": \"https://example.org/\","
                 " \"kind\": \"html\", \"start_urls\": [\"/list\"], \"items\": \"//article\","
                 " \"fields\": %s}",
                 bad_fields[i].text);
        expect_refused(text, bad_fields[i].key);
    }

    /* Kind-specific paths. */
    expect_refused("{\"slug\": \"j\", \"name\": \"J\", \"homepage\": \"https://e.org/\", "
                   "\"kind\": \"json\", \"start_urls\": [\"/a\"], \"items\": \"data\", "
                   "\"fields\": {\"title\": {\"path\": \"/name\"}}}",
                   "items: invalid JSON pointer");
    expect_refused("{\"slug\": \"j\", \"name\": \"J\", \"homepage\": \"https://e.org/\", "
                   "\"kind\": \"json\", \"start_urls\": [\"/a\"], \"items\": \"/data\", "
                   "\"fields\": {\"title\": {\"path\": \"/name~2\"}}}",
                   "fields.title.path: invalid JSON pointer");
    expect_refused("{\"slug\": \"j\", \"name\": \"J\", \"homepage\": \"https://e.org/\", "
                   "\"kind\": \"json\", \"start_urls\": [\"/a\"], "
                   "\"fields\": {\"title\": {\"path\": \"/name\"}}}",
                   "items: required for kind json");
    expect_refused("{\"slug\": \"r\", \"name\": \"R\", \"homepage\": \"https://e.org/\", "
                   "\"kind\": \"rss\", \"start_urls\": [\"/a\"], \"items\": \"//item\", "
                   "\"fields\": {\"title\": {\"path\": \"title\"}}}",
                   "items: not used by kind rss");
    expect_refused("{\"slug\": \"c\", \"name\": \"C\", \"homepage\": \"https://e.org/\", "
                   "\"kind\": \"csv\", \"start_urls\": [\"/a\"], \"csv\": {\"delimiter\": "
                   "\";;\"}, \"fields\": {\"title\": {\"path\": \"Nom\"}}}",
                   "csv.delimiter:");
    expect_refused("{\"slug\": \"c\", \"name\": \"C\", \"homepage\": \"https://e.org/\", "
                   "\"kind\": \"csv\", \"start_urls\": [\"javascript:alert(1)\"], "
                   "\"fields\": {\"title\": {\"path\": \"Nom\"}}}",
                   "start_urls[0]: not an http(s) URL");
    expect_refused("{\"slug\": \"c\", \"name\": \"C\", \"homepage\": \"https://e.org/\", "
                   "\"kind\": \"csv\", \"start_urls\": [], "
                   "\"fields\": {\"title\": {\"path\": \"Nom\"}}}",
                   "start_urls: must be a non-empty array");
}

static void test_page_url(void **state) {
    (void)state;
    hv_source *src = parse_ok(
            "{\"slug\": \"spip\", \"name\": \"Spip\", \"homepage\": \"https://e.org/\", "
            "\"kind\": \"html\", \"start_urls\": [\"spip.php?page=rubrique&id_rubrique=3\"], "
            "\"pagination\": {\"param\": \"debut_articles\", \"start\": 0, \"step\": 10}, "
            "\"items\": \"//li\", \"fields\": {\"title\": {\"path\": \"a\"}}}");
    char *u = hv_source_page_url(src, "https://e.org/spip.php?page=rubrique&id_rubrique=3", 0);
    assert_string_equal(u, "https://e.org/spip.php?page=rubrique&id_rubrique=3&debut_articles=0");
    free(u);
    u = hv_source_page_url(src,
                           "https://e.org/spip.php?debut_articles=0&page=rubrique&id_rubrique=3"
                           "#pagination_articles",
                           3);
    assert_string_equal(u, "https://e.org/spip.php?debut_articles=30&page=rubrique&id_rubrique=3");
    free(u);
    json_t *first = hv_source_first_pages(src);
    assert_string_equal(json_string_value(json_array_get(first, 0)),
                        "https://e.org/spip.php?page=rubrique&id_rubrique=3&debut_articles=0");
    json_decref(first);
    hv_source_free(src);

    src = parse_ok("{\"slug\": \"d\", \"name\": \"D\", \"homepage\": \"https://e.org/\", "
                   "\"kind\": \"html\", \"start_urls\": [\"portraits?page=0\"], "
                   "\"pagination\": {\"param\": \"page\"}, "
                   "\"items\": \"//li\", \"fields\": {\"title\": {\"path\": \"a\"}}}");
    u = hv_source_page_url(src, "https://e.org/portraits?page=0&sort=title&page=9", 2);
    assert_string_equal(u, "https://e.org/portraits?page=2&sort=title");
    free(u);
    /* "pages" is another parameter, not ours */
    u = hv_source_page_url(src, "https://e.org/portraits?pages=7", 1);
    assert_string_equal(u, "https://e.org/portraits?pages=7&page=1");
    free(u);
    u = hv_source_page_url(src, "/portraits", 4);
    assert_string_equal(u, "https://e.org/portraits?page=4");
    free(u);
    assert_null(hv_source_page_url(src, "/portraits", -1));
    hv_source_free(src);
}

int main(void) {
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_html_document), cmocka_unit_test(test_defaults),
            cmocka_unit_test(test_each_kind),     cmocka_unit_test(test_refusals_name_the_key),
            cmocka_unit_test(test_page_url),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Extraction: from fetched pages (HTML, feeds, JSON, CSV) to items and records. */
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

static hv_source *source(const char *text) {
    hv_source *src = NULL;
    char err[HV_ERR_MAX];
    if (hv_source_parse(text, strlen(text), &src, err) != 0)
        fail_msg("source refused: %s", err);
    return src;
}

static json_t *list_page(const hv_source *src, const char *url, const char *ctype, const char *body,
                         size_t len) {
    hv_page page = {.url = url,
                    .content_type = ctype,
                    .body = (const unsigned char *)body,
                    .len = len ? len : strlen(body)};
    json_t *out = NULL;
    char err[HV_ERR_MAX];
    if (hv_extract_list(src, &page, &out, err) != 0)
        fail_msg("extract_list failed: %s", err);
    return out;
}

static json_t *detail_page(const hv_source *src, const char *url, const char *ctype,
                           const char *body, size_t len) {
    hv_page page = {.url = url,
                    .content_type = ctype,
                    .body = (const unsigned char *)body,
                    .len = len ? len : strlen(body)};
    json_t *out = NULL;
    char err[HV_ERR_MAX];
    if (hv_extract_detail(src, &page, &out, err) != 0)
        fail_msg("extract_detail failed: %s", err);
    return out;
}

static const char *item_str(const json_t *list, size_t i, const char *key) {
    return json_string_value(
            json_object_get(json_array_get(json_object_get(list, "items"), i), key));
}

static const json_t *item_field(const json_t *list, size_t i, const char *name) {
    return json_object_get(
            json_object_get(json_array_get(json_object_get(list, "items"), i), "fields"), name);
}

static const char *DRUPAL =
        "{\"slug\": \"portraits\", \"name\": \"Portraits\", \"homepage\": \"https://e.org/\","
        " \"kind\": \"html\", \"start_urls\": [\"portraits?page=0\"],"
        " \"pagination\": {\"next\": \"//li[@class='pager__item--next']/a/@href\"},"
        " \"items\": \"//div[contains(@class,'node--portrait')]\","
        " \"detail\": {\"link\": \".//h2/a/@href\"},"
        " \"fields\": {"
        "   \"title\": {\"path\": \".//h2/a\"},"
        "   \"commune\": {\"path\": \".//span[@class='ville']\", \"transforms\": "
        "[\"trim\", {\"replace\": [\"Ville : \", \"\"]}]},"
        "   \"image_url\": {\"path\": \".//img/@src\", \"transforms\": [\"absolute_url\"]},"
        "   \"summary\": {\"path\": \"//div[@class='chapo']\", \"from\": \"detail\"},"
        "   \"themes\": {\"path\": \"//ul[@class='tags']/li\", \"from\": \"detail\","
        "                \"multiple\": true, \"map\": \"themes\"},"
        "   \"start_year\": {\"path\": \"//span[@class='date']\", \"from\": \"detail\","
        "                   \"transforms\": [{\"date\": \"auto\"}]},"
        "   \"postcode\": {\"path\": \"//p[@class='adresse']\", \"from\": \"detail\","
        "                 \"transforms\": [{\"regex\": \"([0-9]{5})\"}]},"
        "   \"stage\": {\"path\": \"//p[@class='stade']\", \"from\": \"detail\", \"default\": "
        "\"developpement\"}},"
        " \"maps\": {\"themes\": {\"Finance solidaire\": \"FSO\", \"Insertion\": \"ACE\","
        "                       \"Économie circulaire\": \"CON\"}}}";

static const char *DRUPAL_LIST =
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Portraits</title></head><body>"
        "<div class=\"view\">"
        "<div class=\"node node--portrait\"><h2><a href=\"/portraits/la-cagette\">La "
        "Cagette</a></h2><span class=\"ville\"> Ville : Montpellier </span>"
        "<img src=\"/sites/default/files/cagette.jpg\"></div>"
        "<div class=\"node node--portrait\"><h2><a href=\"portraits/repair-cafe?x=1\">Repair "
        "<em>Café</em> d’Ici</a></h2></div>"
        "<div class=\"node node--portrait\"><h2><a href=\"/portraits/sans-titre\"> </a></h2></div>"
        "</div>"
        "<ul class=\"pager\"><li class=\"pager__item--next\"><a href=\"?page=1\">Suivant "
        "›</a></li></ul>"
        "</body></html>";

static const char *DRUPAL_DETAIL =
        "<html><body><article><h1>La Cagette</h1>"
        "<div class=\"chapo\"><p>Un supermarché <b>coopératif</b> et participatif.</p></div>"
        "<ul class=\"tags\"><li>Finance solidaire</li><li> insertion </li><li>Inconnu</li>"
        "<li>ÉCONOMIE  CIRCULAIRE</li></ul>"
        "<span class=\"date\">Créé le 1er mars 2016</span>"
        "<p class=\"adresse\">12 rue du Faubourg, 34000 Montpellier</p>"
        "</article></body></html>";

static void test_html_list_and_detail(void **state) {
    (void)state;
    hv_source *src = source(DRUPAL);
    json_t *list = list_page(src, "https://e.org/portraits?page=0", "text/html", DRUPAL_LIST, 0);
    json_t *items = json_object_get(list, "items");
    assert_int_equal(json_array_size(items), 2);
    assert_int_equal(json_integer_value(json_object_get(list, "skipped")), 1);
    assert_string_equal(json_string_value(json_object_get(list, "next")),
                        "https://e.org/portraits?page=1");

    assert_string_equal(json_string_value(item_field(list, 0, "title")), "La Cagette");
    assert_string_equal(json_string_value(item_field(list, 0, "commune")), "Montpellier");
    assert_string_equal(json_string_value(item_field(list, 0, "image_url")),
                        "https://e.org/sites/default/files/cagette.jpg");
    assert_string_equal(item_str(list, 0, "detail_url"), "https://e.org/portraits/la-cagette");
    /* external_id defaults to the detail link; url to the detail page */
    assert_string_equal(item_str(list, 0, "external_id"), "https://e.org/portraits/la-cagette");
    assert_string_equal(item_str(list, 0, "url"), "https://e.org/portraits/la-cagette");
    assert_null(item_field(list, 0, "summary")); /* a detail field */
    assert_string_equal(json_string_value(item_field(list, 1, "title")), "Repair Café d’Ici");
    assert_string_equal(item_str(list, 1, "detail_url"), "https://e.org/portraits/repair-cafe?x=1");
    json_decref(list);

    json_t *d = detail_page(src, "https://e.org/portraits/la-cagette", "text/html; charset=utf-8",
                            DRUPAL_DETAIL, 0);
    json_t *f = json_object_get(d, "fields");
    assert_string_equal(json_string_value(json_object_get(f, "summary")),
                        "Un supermarché coopératif et participatif.");
    json_t *themes = json_object_get(f, "themes");
    assert_int_equal(json_array_size(themes), 3);
    assert_string_equal(json_string_value(json_array_get(themes, 0)), "FSO");
    assert_string_equal(json_string_value(json_array_get(themes, 1)), "ACE");
    assert_string_equal(json_string_value(json_array_get(themes, 2)), "CON");
    /* the value the map did not know is kept aside, not lost */
    json_t *unmapped = json_object_get(json_object_get(d, "unmapped"), "themes");
    assert_int_equal(json_array_size(unmapped), 1);
    assert_string_equal(json_string_value(json_array_get(unmapped, 0)), "Inconnu");
    assert_string_equal(json_string_value(json_object_get(f, "start_year")), "2016-03-01");
    assert_string_equal(json_string_value(json_object_get(f, "postcode")), "34000");
    assert_string_equal(json_string_value(json_object_get(f, "stage")), "developpement");
    assert_null(json_object_get(f, "title")); /* a list field */
    json_decref(d);
    hv_source_free(src);
}

static void test_malformed_html(void **state) {
    (void)state;
    hv_source *src = source(DRUPAL);
    const char *broken = "<html><body><div class=\"node--portrait\"><h2><a href=/a>Premier"
                         "<div class='node--portrait'><h2><a href='/b'>Second <b>gras"
                         "<div class=\"node--portrait\"><h2><a href=\"/c\">Troisième &amp; "
                         "dernier</h2></div></table></span>";
    json_t *list = list_page(src, "https://e.org/p", NULL, broken, 0);
    json_t *items = json_object_get(list, "items");
    assert_int_equal(json_array_size(items), 3);
    assert_string_equal(item_str(list, 2, "external_id"), "https://e.org/c");
    assert_string_equal(json_string_value(item_field(list, 2, "title")), "Troisième & dernier");
    assert_true(json_is_null(json_object_get(list, "next")));
    json_decref(list);

    /* not HTML at all: no items, no failure */
    list = list_page(src, "https://e.org/p", NULL, "\x01\x02 binaire \xff\xfe", 0);
    assert_int_equal(json_array_size(json_object_get(list, "items")), 0);
    json_decref(list);
    hv_source_free(src);
}

static const char *SIMPLE =
        "{\"slug\": \"s\", \"name\": \"S\", \"homepage\": \"https://e.org/\", \"kind\": \"html\","
        " \"start_urls\": [\"/\"], \"items\": \"//li\", \"fields\": {\"title\": {\"path\": "
        "\".\"}}}";

static void test_charsets(void **state) {
    (void)state;
    hv_source *src = source(SIMPLE);
    /* ISO-8859-1 declared by the page */
    const char *meta = "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; "
                       "charset=iso-8859-1\"></head><body><ul><li>Caf\xE9 solidaire</li></ul>";
    json_t *list = list_page(src, "https://e.org/", "text/html", meta, 0);
    assert_string_equal(json_string_value(item_field(list, 0, "title")), "Café solidaire");
    json_decref(list);
    /* ISO-8859-1 said only by the header */
    const char *bare = "<ul><li>R\xE9seau d'\xE9pargne</li></ul>";
    list = list_page(src, "https://e.org/", "text/html; charset=ISO-8859-1", bare, 0);
    assert_string_equal(json_string_value(item_field(list, 0, "title")), "Réseau d'épargne");
    json_decref(list);
    /* windows-1252: the typographic apostrophe 0x92 */
    const char *cp = "<meta charset=\"windows-1252\"><ul><li>L\x92"
                     "atelier \x96 v\xE9lo</li></ul>";
    list = list_page(src, "https://e.org/", NULL, cp, 0);
    assert_string_equal(json_string_value(item_field(list, 0, "title")), "L’atelier – vélo");
    json_decref(list);
    /* UTF-8 by default; a stray byte does not lose the page */
    list = list_page(src, "https://e.org/", NULL, "<ul><li>Écol\xE9 ok</li></ul>", 0);
    assert_string_equal(json_string_value(item_field(list, 0, "title")), "Écol\xEF\xBF\xBD ok");
    json_decref(list);
    hv_source_free(src);

    /* the document's encoding wins over the page */
    src = source("{\"slug\": \"s\", \"name\": \"S\", \"homepage\": \"https://e.org/\", \"kind\": "
                 "\"html\", \"encoding\": \"iso-8859-1\", \"start_urls\": [\"/\"], \"items\": "
                 "\"//li\", \"fields\": {\"title\": {\"path\": \".\"}}}");
    list = list_page(src, "https://e.org/", "text/html; charset=utf-8", bare, 0);
    assert_string_equal(json_string_value(item_field(list, 0, "title")), "Réseau d'épargne");
    json_decref(list);
    hv_source_free(src);
}

static void test_rss(void **state) {
    (void)state;
    hv_source *src = source(
            "{\"slug\": \"r\", \"name\": \"R\", \"homepage\": \"https://e.org/\", \"kind\": "
            "\"rss\", \"start_urls\": [\"feed\"], \"fields\": {\"title\": {\"path\": \"title\"},"
            " \"summary\": {\"path\": \"description\", \"transforms\": [\"strip_html\"]},"
            " \"description\": {\"path\": \"content:encoded\"},"
            " \"tags\": {\"path\": \"category\", \"multiple\": true},"
            " \"actor_name\": {\"path\": \"dc:creator\"},"
            " \"start_year\": {\"path\": \"pubDate\", \"transforms\": [{\"date\": \"auto\"}]}}}");
    const char *feed =
            "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n"
            "<!DOCTYPE rss [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n"
            "<rss version=\"2.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" "
            "xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><channel><title>Fil</title>"
            "<item><title>Atelier v\xE9lo &amp; r\xE9paration</title>"
            "<link>https://e.org/articles/velo</link>"
            "<guid isPermaLink=\"false\">e.org-article-42</guid>"
            "<description>&lt;p&gt;Un &lt;b&gt;atelier&lt;/b&gt; partag\xE9&lt;/p&gt;</description>"
            "<content:encoded><![CDATA[<p>Texte <i>long</i></p>]]></content:encoded>"
            "<category>Mobilit\xE9</category><category>R\xE9"
            "emploi</category>"
            "<dc:creator>Association Roue Libre</dc:creator>"
            "<pubDate>Fri, 01 Mar 2019 10:00:00 +0100</pubDate></item>"
            "<item><title>Secret &xxe;</title><link>/articles/secret</link></item>"
            "<item><title>  </title><link>/articles/vide</link></item>"
            "</channel></rss>";
    json_t *list = list_page(src, "https://e.org/feed", "application/rss+xml", feed, 0);
    assert_int_equal(json_array_size(json_object_get(list, "items")), 2);
    assert_int_equal(json_integer_value(json_object_get(list, "skipped")), 1);
    assert_string_equal(json_string_value(item_field(list, 0, "title")),
                        "Atelier vélo & réparation");
    assert_string_equal(json_string_value(item_field(list, 0, "summary")), "Un atelier partagé");
    assert_string_equal(json_string_value(item_field(list, 0, "description")),
                        "<p>Texte <i>long</i></p>");
    json_t *tags = (json_t *)item_field(list, 0, "tags");
    assert_int_equal(json_array_size(tags), 2);
    assert_string_equal(json_string_value(json_array_get(tags, 1)), "Réemploi");
    assert_string_equal(json_string_value(item_field(list, 0, "actor_name")),
                        "Association Roue Libre");
    assert_string_equal(json_string_value(item_field(list, 0, "start_year")), "2019-03-01");
    /* guid is the stable id; the link is the url */
    assert_string_equal(item_str(list, 0, "external_id"), "e.org-article-42");
    assert_string_equal(item_str(list, 0, "url"), "https://e.org/articles/velo");
    assert_null(item_str(list, 0, "detail_url"));
    /* no guid: the link, made absolute; the external entity is never read */
    assert_string_equal(item_str(list, 1, "external_id"), "https://e.org/articles/secret");
    assert_null(strstr(json_string_value(item_field(list, 1, "title")), "root"));
    json_decref(list);
    hv_source_free(src);
}

static void test_atom(void **state) {
    (void)state;
    hv_source *src = source(
            "{\"slug\": \"a\", \"name\": \"A\", \"homepage\": \"https://e.org/\", \"kind\": "
            "\"atom\", \"start_urls\": [\"atom.xml\"], \"pagination\": {\"next\": "
            "\"/atom:feed/atom:link[@rel='next']/@href\"}, \"fields\": {\"title\": {\"path\": "
            "\"title\"}, \"summary\": {\"path\": \"summary\"}, \"url\": {\"path\": \"link\"},"
            " \"actor_name\": {\"path\": \"author\"},"
            " \"tags\": {\"path\": \"category\", \"multiple\": true},"
            " \"lat\": {\"path\": \"georss:point\", \"transforms\": [{\"regex\": "
            "\"^([-0-9.]+)\"}]}}}");
    const char *feed = "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
                       "<feed xmlns=\"http://www.w3.org/2005/Atom\" "
                       "xmlns:georss=\"http://www.georss.org/georss\">"
                       "<title>Projets</title><link rel=\"self\" href=\"https://e.org/atom.xml\"/>"
                       "<link rel=\"next\" href=\"atom.xml?page=2\"/>"
                       "<entry><title type=\"html\">Tiers-lieu des Ormeaux</title>"
                       "<link rel=\"edit\" href=\"https://e.org/edit/7\"/>"
                       "<link rel=\"alternate\" href=\"/projets/7\"/>"
                       "<id>tag:e.org,2019:7</id><summary>Un lieu partagé</summary>"
                       "<author><name>Collectif Ormeaux</name><email>c@e.org</email></author>"
                       "<category term=\"numerique\"/><category term=\"lien-social\"/>"
                       "<georss:point>47.2 -1.55</georss:point></entry>"
                       "</feed>";
    json_t *list = list_page(src, "https://e.org/atom.xml", "application/atom+xml", feed, 0);
    assert_int_equal(json_array_size(json_object_get(list, "items")), 1);
    assert_string_equal(json_string_value(item_field(list, 0, "title")), "Tiers-lieu des Ormeaux");
    assert_string_equal(json_string_value(item_field(list, 0, "url")), "/projets/7");
    assert_string_equal(item_str(list, 0, "url"), "https://e.org/projets/7");
    /* a url field comes before the entry id in the external_id defaults */
    assert_string_equal(item_str(list, 0, "external_id"), "https://e.org/projets/7");
    assert_string_equal(json_string_value(item_field(list, 0, "actor_name")), "Collectif Ormeaux");
    json_t *tags = (json_t *)item_field(list, 0, "tags");
    assert_int_equal(json_array_size(tags), 2);
    assert_string_equal(json_string_value(json_array_get(tags, 0)), "numerique");
    assert_string_equal(json_string_value(item_field(list, 0, "lat")), "47.2");
    assert_string_equal(json_string_value(json_object_get(list, "next")),
                        "https://e.org/atom.xml?page=2");
    json_decref(list);
    hv_source_free(src);
}

static void test_json_pointer_and_paging(void **state) {
    (void)state;
    hv_source *src = source(
            "{\"slug\": \"j\", \"name\": \"J\", \"homepage\": \"https://api.e.org/\", \"kind\": "
            "\"json\", \"start_urls\": [\"v1/projects?format=json\"], \"pagination\": {\"param\": "
            "\"p\", \"start\": 1}, \"items\": \"/data/items\", \"external_id\": {\"path\": "
            "\"/id\"}, \"fields\": {\"title\": {\"path\": \"/name\"}, \"commune\": {\"path\": "
            "\"/address/city\"}, \"lat\": {\"path\": \"/geo/0\"}, \"lon\": {\"path\": \"/geo/1\"},"
            " \"themes\": {\"path\": \"/themes\", \"multiple\": true}, \"tags\": {\"path\": "
            "\"/keywords\", \"multiple\": true}, \"website\": {\"path\": \"/links~1site\"}}}");
    const char *page =
            "{\"data\": {\"total\": 3, \"items\": ["
            "{\"id\": 101, \"name\": \"Épicerie solidaire\", \"address\": {\"city\": \"Rennes\"},"
            " \"geo\": [48.11, -1.68], \"themes\": [\"SOL\", \"ALI\"], \"keywords\": "
            "[{\"label\": \"épicerie\"}, {\"label\": \"circuit court\"}], \"links/site\": "
            "\"https://epicerie.example\"},"
            "{\"id\": \"abc\", \"name\": \"Sans ville\", \"address\": null},"
            "{\"id\": 103, \"name\": \"\"}]}}";
    json_t *list = list_page(src, "https://api.e.org/v1/projects?format=json&p=1",
                             "application/json", page, 0);
    assert_int_equal(json_array_size(json_object_get(list, "items")), 2);
    assert_int_equal(json_integer_value(json_object_get(list, "skipped")), 1);
    assert_string_equal(item_str(list, 0, "external_id"), "101");
    assert_string_equal(item_str(list, 1, "external_id"), "abc");
    assert_string_equal(json_string_value(item_field(list, 0, "commune")), "Rennes");
    assert_string_equal(json_string_value(item_field(list, 0, "lat")), "48.11");
    assert_string_equal(json_string_value(item_field(list, 0, "lon")), "-1.68");
    assert_int_equal(json_array_size(item_field(list, 0, "themes")), 2);
    assert_string_equal(json_string_value(json_array_get(item_field(list, 0, "tags"), 1)),
                        "circuit court");
    assert_string_equal(json_string_value(item_field(list, 0, "website")),
                        "https://epicerie.example");
    assert_null(item_field(list, 1, "commune"));
    assert_true(json_is_null(json_object_get(list, "next")));
    json_decref(list);

    char *u = hv_source_page_url(src, "https://api.e.org/v1/projects?format=json", 2);
    assert_string_equal(u, "https://api.e.org/v1/projects?format=json&p=3");
    free(u);

    /* past the last page: no items array at all */
    list = list_page(src, "https://api.e.org/v1/projects?p=9", NULL, "{\"data\": {}}", 0);
    assert_int_equal(json_array_size(json_object_get(list, "items")), 0);
    json_decref(list);

    /* not JSON: an error */
    hv_page bad = {.url = "https://api.e.org/", .body = (const unsigned char *)"<html>", .len = 6};
    json_t *out = NULL;
    char err[HV_ERR_MAX];
    assert_int_equal(hv_extract_list(src, &bad, &out, err), -1);
    assert_null(out);
    assert_non_null(strstr(err, "invalid JSON"));
    hv_source_free(src);
}

static void test_csv(void **state) {
    (void)state;
    hv_source *src = source(
            "{\"slug\": \"c\", \"name\": \"C\", \"homepage\": \"https://e.org/\", \"kind\": "
            "\"csv\", \"start_urls\": [\"export.csv\"], \"csv\": {\"delimiter\": \";\"},"
            " \"fields\": {\"title\": {\"path\": \"Nom du projet\"}, \"description\": {\"path\": "
            "\"Description\"}, \"commune\": {\"path\": \"3\"}, \"themes\": {\"path\": "
            "\"Thèmes\", \"transforms\": [{\"split\": \",\"}], \"map\": \"t\"}},"
            " \"maps\": {\"t\": {\"Emploi\": \"EMP\", \"Santé\": \"SAN\"}}}");
    const char *csv = "\xEF\xBB\xBFNom du projet;Description;Commune;Thèmes\r\n"
                      "\"Garage solidaire; mobilité\";\"Réparer\r\nà prix doux\";Brest;"
                      "\"emploi, santé\"\r\n"
                      "Ressourcerie;\"Dit \"\"la Ressource\"\"\";Quimper;Autre\r\n"
                      ";sans nom;Lorient;\r\n";
    json_t *list = list_page(src, "https://e.org/export.csv", "text/csv; charset=utf-8", csv, 0);
    assert_int_equal(json_array_size(json_object_get(list, "items")), 2);
    assert_int_equal(json_integer_value(json_object_get(list, "skipped")), 1);
    assert_string_equal(json_string_value(item_field(list, 0, "title")),
                        "Garage solidaire; mobilité");
    assert_string_equal(json_string_value(item_field(list, 0, "description")),
                        "Réparer\r\nà prix doux");
    assert_string_equal(json_string_value(item_field(list, 0, "commune")), "Brest");
    json_t *themes = (json_t *)item_field(list, 0, "themes");
    assert_int_equal(json_array_size(themes), 2);
    assert_string_equal(json_string_value(json_array_get(themes, 0)), "EMP");
    assert_string_equal(json_string_value(json_array_get(themes, 1)), "SAN");
    assert_string_equal(json_string_value(item_field(list, 1, "description")),
                        "Dit \"la Ressource\"");
    assert_null(item_field(list, 1, "themes"));
    /* no id, no link: a hash of the title, the same whatever its case and spacing */
    const char *id = item_str(list, 0, "external_id");
    assert_int_equal(strncmp(id, "title:", 6), 0);
    json_decref(list);
    const char *again = "Nom du projet;Description\n\"  GARAGE solidaire;   MOBILITÉ\";x\n";
    list = list_page(src, "https://e.org/export.csv", NULL, again, 0);
    json_t *first = list_page(src, "https://e.org/export.csv", NULL, csv, 0);
    assert_string_equal(item_str(list, 0, "external_id"), item_str(first, 0, "external_id"));
    assert_string_not_equal(item_str(first, 0, "external_id"), item_str(first, 1, "external_id"));
    json_decref(list);
    json_decref(first);
    hv_source_free(src);
}

static json_t *vocab(void) {
    return json_pack("{s:[sssss], s:[ssss], s:[ss], s:[ss], s:[ss], s:[ss]}", "theme", "EMP", "ENV",
                     "SOL", "CON", "FIN", "subtheme", "ACE", "FSO", "IAE", "LIE", "actor_type",
                     "association", "cooperative", "public", "jeunes", "seniors", "scale",
                     "commune", "region", "stage", "ideation", "developpement");
}

static void test_record_finish(void **state) {
    (void)state;
    hv_source *src = source(DRUPAL);
    json_t *v = vocab();
    char err[HV_ERR_MAX];
    json_t *f = json_pack(
            "{s:s, s:s, s:[ssss], s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:[ss], s:s, s:s}",
            "title", "  <b>La   Cagette</b> ", "summary", "<p>Un&nbsp;supermarché</p>", "themes",
            "FSO", "ACE", "XYZ", "fin", "website", "javascript:alert(1)", "image_url",
            "https://e.org/i.png", "lat", "43,61", "lon", "3.87", "start_year", "2016-03-01",
            "postcode", "34 000", "actor_type", "Association", "scale", "planetaire", "publics",
            "jeunes", "inconnu", "stage", "developpement", "description",
            "<p>Premier paragraphe.</p><p>Second</p>");
    assert_int_equal(hv_record_finish(src, v, f, err), 0);
    assert_string_equal(json_string_value(json_object_get(f, "title")), "La Cagette");
    assert_string_equal(json_string_value(json_object_get(f, "summary")), "Un supermarché");
    assert_string_equal(json_string_value(json_object_get(f, "description")),
                        "Premier paragraphe.\n\nSecond");
    json_t *themes = json_object_get(f, "themes");
    assert_int_equal(json_array_size(themes), 1);
    assert_string_equal(json_string_value(json_array_get(themes, 0)), "FIN");
    json_t *subs = json_object_get(f, "subthemes");
    assert_int_equal(json_array_size(subs), 2); /* sub-theme codes given as themes */
    assert_string_equal(json_string_value(json_array_get(subs, 0)), "FSO");
    assert_null(json_object_get(f, "website"));
    assert_string_equal(json_string_value(json_object_get(f, "image_url")), "https://e.org/i.png");
    assert_true(json_is_real(json_object_get(f, "lat")));
    assert_true(json_real_value(json_object_get(f, "lat")) > 43.6 &&
                json_real_value(json_object_get(f, "lat")) < 43.62);
    assert_int_equal(json_integer_value(json_object_get(f, "start_year")), 2016);
    assert_string_equal(json_string_value(json_object_get(f, "postcode")), "34000");
    assert_string_equal(json_string_value(json_object_get(f, "actor_type")), "association");
    assert_null(json_object_get(f, "scale"));
    assert_int_equal(json_array_size(json_object_get(f, "publics")), 1);
    json_decref(f);

    /* bad values are dropped: coordinates out of range (both go), year, postcode */
    f = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "title", "X", "lat", "123", "lon", "2",
                  "start_year", "1750", "postcode", "7501", "url", "ftp://e.org/x");
    assert_int_equal(hv_record_finish(src, v, f, err), 0);
    assert_null(json_object_get(f, "lat"));
    assert_null(json_object_get(f, "lon"));
    assert_null(json_object_get(f, "start_year"));
    assert_null(json_object_get(f, "postcode"));
    assert_null(json_object_get(f, "url"));
    json_decref(f);
    f = json_pack("{s:s, s:s}", "title", "Y", "postcode", "2a004");
    assert_int_equal(hv_record_finish(src, v, f, err), 0);
    assert_string_equal(json_string_value(json_object_get(f, "postcode")), "2A004");
    json_decref(f);

    /* a sub-theme implies its theme, even when the map gave sub-themes only */
    json_t *vp = vocab();
    json_object_set_new(vp, "subtheme_parent", json_pack("{s:s, s:s}", "ACE", "EMP", "FSO", "FIN"));
    f = json_pack("{s:s, s:[ss], s:[s]}", "title", "Sous-thèmes", "themes", "ACE", "FSO",
                  "subthemes", "ACE");
    assert_int_equal(hv_record_finish(src, vp, f, err), 0);
    themes = json_object_get(f, "themes");
    assert_int_equal(json_array_size(themes), 2);
    assert_string_equal(json_string_value(json_array_get(themes, 0)), "EMP");
    assert_string_equal(json_string_value(json_array_get(themes, 1)), "FIN");
    assert_int_equal(json_array_size(json_object_get(f, "subthemes")), 2);
    json_decref(f);
    json_decref(vp);

    /* tags stand in for themes through maps.themes */
    f = json_pack("{s:s, s:[ss]}", "title", "Z", "tags", "Économie circulaire", "autre");
    assert_int_equal(hv_record_finish(src, v, f, err), 0);
    assert_string_equal(json_string_value(json_array_get(json_object_get(f, "themes"), 0)), "CON");
    assert_int_equal(json_array_size(json_object_get(f, "tags")), 2);
    json_decref(f);

    /* the classifier when nothing else gives a theme */
    f = json_pack("{s:s, s:s}", "title", "Chantier d'insertion pour l'emploi des jeunes", "summary",
                  "Retour à l'emploi et recrutement local");
    assert_int_equal(hv_record_finish(src, v, f, err), 0);
    assert_string_equal(json_string_value(json_array_get(json_object_get(f, "themes"), 0)), "EMP");
    json_decref(f);
    f = json_pack("{s:s}", "title", "Le chat dort");
    assert_int_equal(hv_record_finish(src, v, f, err), 0);
    assert_null(json_object_get(f, "themes"));
    json_decref(f);

    /* long texts are cut at a word */
    char *longtext = malloc(5001);
    for (int i = 0; i < 1000; i++)
        memcpy(longtext + i * 5, "mot  ", 5);
    longtext[5000] = '\0';
    f = json_pack("{s:s, s:s}", "title", longtext, "summary", longtext);
    assert_int_equal(hv_record_finish(src, v, f, err), 0);
    const char *t = json_string_value(json_object_get(f, "title"));
    assert_true(strlen(t) <= 300 + 2);
    assert_non_null(strstr(t, "mot mot…"));
    assert_true(strlen(json_string_value(json_object_get(f, "summary"))) <= 2002);
    json_decref(f);
    free(longtext);

    /* no title: not an initiative */
    f = json_pack("{s:s}", "title", " <br> ");
    assert_int_equal(hv_record_finish(src, v, f, err), -1);
    assert_string_equal(err, "no title");
    json_decref(f);
    json_decref(v);
    hv_source_free(src);
}

int main(void) {
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_html_list_and_detail),
            cmocka_unit_test(test_malformed_html),
            cmocka_unit_test(test_charsets),
            cmocka_unit_test(test_rss),
            cmocka_unit_test(test_atom),
            cmocka_unit_test(test_json_pointer_and_paging),
            cmocka_unit_test(test_csv),
            cmocka_unit_test(test_record_finish),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

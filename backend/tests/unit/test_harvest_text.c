/* Text helpers of the harvester: transforms, dates, value maps, the classifier, charsets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka needs the headers above first. */
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/fold.h"
#include "harvest/charset.h"
#include "harvest/classify.h"
#include "harvest/csv.h"
#include "harvest/transform.h"
#include "harvest/valuemap.h"

#define CHECK(call, expected)                  \
    do {                                       \
        char *got_ = (call);                   \
        assert_non_null(got_);                 \
        assert_string_equal(got_, (expected)); \
        free(got_);                            \
    } while (0)

static void test_trim_collapse_lower(void **state) {
    (void)state;
    CHECK(hv_text_trim("  \t Maison \xC2\xA0 des\njeunes \n"), "Maison \xC2\xA0 des\njeunes");
    CHECK(hv_text_trim(""), "");
    CHECK(hv_text_trim(" \xC2\xA0 "), "");
    CHECK(hv_text_collapse("  Maison \xC2\xA0 des\n\t jeunes  "), "Maison des jeunes");
    CHECK(hv_text_collapse("\n\n"), "");
    CHECK(hv_text_lower("ÉCOLE ÉTÉ ŒUVRE Ça"), "\xC3\xA9"
                                               "cole été œuvre ça");
    CHECK(hv_text_lower("ABC×"), "abc×"); /* × has no case */
}

static void test_strip_html(void **state) {
    (void)state;
    CHECK(hv_text_strip_html("<p>Caf&eacute; &amp; <b>cr&egrave;che</b></p><p>solidaire&nbsp;!</p>",
                             false),
          "Café & crèche solidaire !"); /* one line: the NBSP is white space too */
    CHECK(hv_text_strip_html("l&#8217;emploi, l&#x2019;ESS, l&#146;insertion", false),
          "l’emploi, l’ESS, l’insertion");
    CHECK(hv_text_strip_html("a <script>alert('<p>x</p>')</script>b<style>p{}</style> c", false),
          "a b c");
    CHECK(hv_text_strip_html("<!-- commentaire --> 3 < 5 &unknown; & fin", false),
          "3 < 5 &unknown; & fin");
    CHECK(hv_text_strip_html("<p>Un</p><p>Deux<br>trois</p>", true), "Un\n\nDeux\ntrois");
    CHECK(hv_text_strip_html("<div", false), "");
    CHECK(hv_text_strip_html("&#0; &#xD800; &#1114112;", false), "\xEF\xBF\xBD \xEF\xBF\xBD "
                                                                 "\xEF\xBF\xBD");
}

static void test_absolute_url(void **state) {
    (void)state;
    const char *base = "https://e.org/drupal/portraits?page=2";
    CHECK(hv_text_absolute_url(base, "/node/12"), "https://e.org/node/12");
    CHECK(hv_text_absolute_url(base, "node/12"), "https://e.org/drupal/node/12");
    CHECK(hv_text_absolute_url(base, "../a?b=1#c"), "https://e.org/a?b=1#c");
    CHECK(hv_text_absolute_url(base, "?page=3"), "https://e.org/drupal/portraits?page=3");
    CHECK(hv_text_absolute_url(base, "//cdn.e.org/i.png"), "https://cdn.e.org/i.png");
    CHECK(hv_text_absolute_url(base, "  http://autre.fr/x  "), "http://autre.fr/x");
    CHECK(hv_text_absolute_url(base, "/projets/café solidaire"),
          "https://e.org/projets/caf%C3%A9%20solidaire");
    CHECK(hv_text_absolute_url(base, "javascript:alert(1)"), "");
    CHECK(hv_text_absolute_url(base, "mailto:a@b.fr"), "");
    CHECK(hv_text_absolute_url(base, ""), "");
    CHECK(hv_text_absolute_url(NULL, "relative/only"), "");
}

static void test_regex_replace_split(void **state) {
    (void)state;
    regex_t re;
    assert_int_equal(regcomp(&re, "([0-9]{5})", REG_EXTENDED), 0);
    CHECK(hv_text_regex(&re, "12 rue X, 75011 Paris"), "75011");
    CHECK(hv_text_regex(&re, "pas de code"), "");
    regfree(&re);
    assert_int_equal(regcomp(&re, "[0-9]+", REG_EXTENDED), 0);
    CHECK(hv_text_regex(&re, "créé en 2019"), "2019"); /* no group: the whole match */
    regfree(&re);
    CHECK(hv_text_replace("Ville : Lyon", "Ville : ", ""), "Lyon");
    CHECK(hv_text_replace("a-b-c", "-", " / "), "a / b / c");

    hv_transform t;
    char err[256];
    json_t *spec = json_pack("{s:s}", "split", ",");
    assert_int_equal(hv_transform_parse(spec, &t, err, sizeof err), 0);
    json_t *in = json_pack("[s]", " Emploi , Insertion,, Santé ");
    json_t *out = hv_transform_apply(&t, in, NULL);
    assert_int_equal(json_array_size(out), 3);
    assert_string_equal(json_string_value(json_array_get(out, 0)), "Emploi");
    assert_string_equal(json_string_value(json_array_get(out, 1)), "Insertion");
    assert_string_equal(json_string_value(json_array_get(out, 2)), "Santé");
    json_decref(out);
    json_decref(in);
    json_decref(spec);
    hv_transform_clear(&t);

    spec = json_pack("{s:[ss]}", "replace", "é", "e");
    assert_int_equal(hv_transform_parse(spec, &t, err, sizeof err), 0);
    in = json_pack("[ss]", "été", "rien");
    out = hv_transform_apply(&t, in, NULL);
    assert_string_equal(json_string_value(json_array_get(out, 0)), "ete");
    assert_string_equal(json_string_value(json_array_get(out, 1)), "rien");
    json_decref(out);
    json_decref(in);
    json_decref(spec);
    hv_transform_clear(&t);

    spec = json_string("absolute_url");
    assert_int_equal(hv_transform_parse(spec, &t, err, sizeof err), 0);
    in = json_pack("[s]", "../fiche/3");
    out = hv_transform_apply(&t, in, "http://h/a/b/c");
    assert_string_equal(json_string_value(json_array_get(out, 0)), "http://h/a/fiche/3");
    json_decref(out);
    json_decref(in);
    json_decref(spec);
    hv_transform_clear(&t);

    spec = json_string("upper");
    assert_int_not_equal(hv_transform_parse(spec, &t, err, sizeof err), 0);
    assert_non_null(strstr(err, "unknown transform \"upper\""));
    hv_transform_clear(&t);
    json_decref(spec);
}

static void test_dates(void **state) {
    (void)state;
    CHECK(hv_text_date("2019-03-01", HV_DATE_AUTO), "2019-03-01");
    CHECK(hv_text_date("2019-03-01T10:00:00+01:00", HV_DATE_AUTO), "2019-03-01");
    CHECK(hv_text_date("01/03/2019", HV_DATE_AUTO), "2019-03-01");
    CHECK(hv_text_date("Publié le 1/3/2019", HV_DATE_FR), "2019-03-01");
    CHECK(hv_text_date("1er mars 2019", HV_DATE_AUTO), "2019-03-01");
    CHECK(hv_text_date("Lancé le 1er mars 2019", HV_DATE_FR), "2019-03-01");
    CHECK(hv_text_date("15 février 2020", HV_DATE_AUTO), "2020-02-15");
    CHECK(hv_text_date("15 FÉVRIER 2020", HV_DATE_AUTO), "2020-02-15");
    CHECK(hv_text_date("3 août 2018", HV_DATE_AUTO), "2018-08-03");
    CHECK(hv_text_date("24 décembre 2021", HV_DATE_FR), "2021-12-24");
    CHECK(hv_text_date("29 février 2021", HV_DATE_AUTO), "2021-02"); /* not a day: the month */
    CHECK(hv_text_date("29 février 2020", HV_DATE_AUTO), "2020-02-29");
    CHECK(hv_text_date("mars 2019", HV_DATE_AUTO), "2019-03");
    CHECK(hv_text_date("depuis août 2017", HV_DATE_FR), "2017-08");
    CHECK(hv_text_date("janv. 2016", HV_DATE_AUTO), "2016-01");
    CHECK(hv_text_date("2019", HV_DATE_AUTO), "2019");
    CHECK(hv_text_date("Créée en 2015, 12 salariés", HV_DATE_AUTO), "2015");
    CHECK(hv_text_date("Fri, 01 Mar 2019 10:00:00 +0000", HV_DATE_AUTO), "2019-03-01");
    CHECK(hv_text_date("March 1, 2019", HV_DATE_AUTO), "2019-03-01");
    /* full dates win over an earlier bare year */
    CHECK(hv_text_date("Projet 2018, lancé le 2 avril 2019", HV_DATE_AUTO), "2019-04-02");
    CHECK(hv_text_date("32/01/2019", HV_DATE_AUTO), "2019");
    CHECK(hv_text_date("75011 Paris", HV_DATE_AUTO), "");
    CHECK(hv_text_date("", HV_DATE_AUTO), "");
    CHECK(hv_text_date("bientôt", HV_DATE_AUTO), "");
    /* modes */
    CHECK(hv_text_date("01/03/2019", HV_DATE_ISO), "2019");
    CHECK(hv_text_date("2019-03-01", HV_DATE_FR), "2019");
    CHECK(hv_text_date("2019-03", HV_DATE_ISO), "2019-03");
}

static void test_truncate(void **state) {
    (void)state;
    CHECK(hv_text_truncate("court", 10, true), "court");
    CHECK(hv_text_truncate("un deux trois quatre", 12, true), "un deux…");
    CHECK(hv_text_truncate("éééééé", 4, false), "ééé…");
    char *t = hv_text_truncate("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 10, true);
    assert_int_equal(strlen(t), 9 + 3);
    free(t);
}

static void test_fold_and_valuemap(void **state) {
    (void)state;
    buf_t b;
    buf_init(&b, 1024);
    const char *eco = "  Économie \xC2\xA0 SOCIALE et Solidaire ";
    assert_true(fold_text(eco, strlen(eco), &b));
    assert_string_equal(buf_cstr(&b), "economie sociale et solidaire");
    buf_reset(&b);
    assert_true(fold_text("Accès à l’emploi — Œuvres", strlen("Accès à l’emploi — Œuvres"), &b));
    assert_string_equal(buf_cstr(&b), "acces a l'emploi — oeuvres");
    buf_free(&b);

    json_t *obj = json_pack("{s:s, s:s, s:s}", "Finance solidaire", "FSO",
                            "Insertion par "
                            "l'activité économique",
                            "IAE", "Santé", "SAN");
    char err[256];
    hv_valuemap *m = hv_valuemap_new(obj, err, sizeof err);
    assert_non_null(m);
    assert_string_equal(hv_valuemap_lookup(m, "finance SOLIDAIRE"), "FSO");
    assert_string_equal(hv_valuemap_lookup(m, "  Finance\n  solidaire "), "FSO");
    assert_string_equal(hv_valuemap_lookup(m, "insertion par l’activite economique"), "IAE");
    assert_string_equal(hv_valuemap_lookup(m, "SANTE"), "SAN");
    assert_null(hv_valuemap_lookup(m, "Sant"));
    assert_null(hv_valuemap_lookup(m, ""));
    hv_valuemap_free(m);
    json_decref(obj);

    obj = json_pack("{s:i}", "Santé", 3);
    assert_null(hv_valuemap_new(obj, err, sizeof err));
    assert_non_null(strstr(err, "\"Santé\""));
    json_decref(obj);
}

static void test_classify(void **state) {
    (void)state;
    const char *codes[HV_CLASSIFY_MAX];
    size_t n = hv_classify("Un jardin partagé et un composteur de quartier pour réduire les "
                           "déchets, avec la biodiversité en ville",
                           codes);
    assert_true(n >= 1);
    assert_string_equal(codes[0], "ENV");
    n = hv_classify("Accompagner les demandeurs d'emploi vers l'emploi durable : chantier "
                    "d'insertion et recrutement",
                    codes);
    assert_true(n >= 1);
    assert_string_equal(codes[0], "EMP");
    n = hv_classify("Une épicerie solidaire contre la précarité, avec aide alimentaire et lien "
                    "social",
                    codes);
    assert_true(n >= 1);
    assert_string_equal(codes[0], "SOL");
    n = hv_classify("Fablab et tiers-lieu numérique : inclusion numérique des seniors", codes);
    assert_string_equal(codes[0], "NUM");
    /* two themes of similar weight */
    n = hv_classify("Sport et santé : activité physique adaptée, prévention des maladies", codes);
    assert_int_equal(n, 2);
    assert_true((strcmp(codes[0], "SAN") == 0 && strcmp(codes[1], "SPO") == 0) ||
                (strcmp(codes[0], "SPO") == 0 && strcmp(codes[1], "SAN") == 0));
    /* words only: "sportif" is not matched inside "transportifs" ... nor "art" in "partage" */
    assert_int_equal(hv_classify("Départager les partenaires", codes), 0);
    assert_int_equal(hv_classify("", codes), 0);
    assert_int_equal(hv_classify("Le chat dort sur le canapé", codes), 0);
}

static void test_charset(void **state) {
    (void)state;
    hv_charset cs;
    assert_int_equal(hv_charset_from_name("ISO-8859-1", 10, &cs), 0);
    assert_int_equal(cs, HV_CS_LATIN1);
    assert_int_not_equal(hv_charset_from_name("koi8-r", 6, &cs), 0);

    const unsigned char meta[] = "<html><head><META http-equiv=\"Content-Type\" "
                                 "content=\"text/html; charset=iso-8859-1\"></head>";
    assert_int_equal(hv_charset_detect(NULL, meta, sizeof meta - 1), HV_CS_LATIN1);
    const unsigned char meta5[] = "<meta charset='windows-1252'>";
    assert_int_equal(hv_charset_detect(NULL, meta5, sizeof meta5 - 1), HV_CS_CP1252);
    /* the header wins over the page */
    assert_int_equal(hv_charset_detect("text/html; charset=UTF-8", meta, sizeof meta - 1),
                     HV_CS_UTF8);
    assert_int_equal(
            hv_charset_detect("text/html;charset=\"ISO-8859-1\"", (const unsigned char *)"x", 1),
            HV_CS_LATIN1);
    const unsigned char xml[] = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss/>";
    assert_int_equal(hv_charset_detect("application/xml", xml, sizeof xml - 1), HV_CS_LATIN1);
    assert_int_equal(hv_charset_detect(NULL, (const unsigned char *)"<p>x</p>", 8), HV_CS_UTF8);
    /* an unknown label is skipped: the next source decides */
    assert_int_equal(hv_charset_detect("text/html; charset=klingon", meta, sizeof meta - 1),
                     HV_CS_LATIN1);

    size_t len;
    char *s = hv_charset_to_utf8(HV_CS_LATIN1, (const unsigned char *)"caf\xE9", 4, &len);
    assert_string_equal(s, "café");
    assert_int_equal(len, 5);
    free(s);
    s = hv_charset_to_utf8(HV_CS_CP1252,
                           (const unsigned char *)"l\x92"
                                                  "emploi \x80",
                           10, &len);
    assert_string_equal(s, "l’emploi €");
    free(s);
    /* invalid UTF-8 and NUL become U+FFFD; valid sequences are kept; the BOM is dropped */
    s = hv_charset_to_utf8(HV_CS_UTF8,
                           (const unsigned char *)"\xEF\xBB\xBF"
                                                  "a\xE9"
                                                  "b\0c\xC3\xA9"
                                                  "\xED\xA0\x80",
                           13, &len);
    assert_string_equal(s, "a\xEF\xBF\xBD"
                           "b\xEF\xBF\xBD"
                           "c\xC3\xA9\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
    free(s);
}

static void test_csv_reader(void **state) {
    (void)state;
    const char *text = "nom;ville;desc\r\n"
                       "\"Café; solidaire\";Lyon;\"ligne 1\r\nligne 2 \"\"citée\"\"\"\r\n"
                       "\r\n"
                       "Jardin;Nantes\n"
                       "Dernière;\"\";fin";
    hv_csv r;
    json_t *row;
    hv_csv_init(&r, text, strlen(text), ';');
    assert_int_equal(hv_csv_next(&r, &row), 1);
    assert_int_equal(json_array_size(row), 3);
    json_decref(row);
    assert_int_equal(hv_csv_next(&r, &row), 1);
    assert_string_equal(json_string_value(json_array_get(row, 0)), "Café; solidaire");
    assert_string_equal(json_string_value(json_array_get(row, 2)), "ligne 1\r\nligne 2 \"citée\"");
    json_decref(row);
    assert_int_equal(hv_csv_next(&r, &row), 1);
    assert_int_equal(json_array_size(row), 2);
    assert_string_equal(json_string_value(json_array_get(row, 1)), "Nantes");
    json_decref(row);
    assert_int_equal(hv_csv_next(&r, &row), 1);
    assert_string_equal(json_string_value(json_array_get(row, 1)), "");
    assert_string_equal(json_string_value(json_array_get(row, 2)), "fin");
    json_decref(row);
    assert_int_equal(hv_csv_next(&r, &row), 0);

    /* an unterminated quote runs to the end instead of failing */
    hv_csv_init(&r, "\"abc", 4, ',');
    assert_int_equal(hv_csv_next(&r, &row), 1);
    assert_string_equal(json_string_value(json_array_get(row, 0)), "abc");
    json_decref(row);

    /* a row with more fields than the cap keeps the first HV_CSV_MAX_FIELDS */
    size_t n = HV_CSV_MAX_FIELDS * 2 + 10;
    char *many = malloc(n * 2 + 1);
    for (size_t i = 0; i < n; i++) {
        many[2 * i] = 'x';
        many[2 * i + 1] = ',';
    }
    many[n * 2] = '\0';
    hv_csv_init(&r, many, n * 2, ',');
    assert_int_equal(hv_csv_next(&r, &row), 1);
    assert_int_equal(json_array_size(row), HV_CSV_MAX_FIELDS);
    json_decref(row);
    free(many);
}

int main(void) {
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_trim_collapse_lower),
            cmocka_unit_test(test_strip_html),
            cmocka_unit_test(test_absolute_url),
            cmocka_unit_test(test_regex_replace_split),
            cmocka_unit_test(test_dates),
            cmocka_unit_test(test_truncate),
            cmocka_unit_test(test_fold_and_valuemap),
            cmocka_unit_test(test_classify),
            cmocka_unit_test(test_charset),
            cmocka_unit_test(test_csv_reader),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

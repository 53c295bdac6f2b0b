/* Place queries: codes, départements, CEDEX and boxes taken out; where the commune name is
 * expected; the candidate names sent to the database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka needs the headers above first. */
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "domain/geoparse.h"

/* The words of tokens [first, end) joined by spaces. */
static const char *span(const geoparse_t *gp, int first, int end) {
    static char text[1200];
    geoparse_text(gp, first, end - first, text, sizeof text);
    return text;
}

static const char *locality(const geoparse_t *gp) {
    return span(gp, gp->locality_first, gp->locality_end);
}

/* True when one candidate name is exactly `words`. */
static bool has_ngram(const geoparse_t *gp, const char *words) {
    for (int i = 0; i < gp->nngrams; i++)
        if (strcmp(span(gp, gp->ngrams[i].first, gp->ngrams[i].first + gp->ngrams[i].count),
                   words) == 0)
            return true;
    return false;
}

static void test_code_alone(void **state) {
    (void)state;
    geoparse_t gp;
    geoparse_run("69123", &gp);
    assert_string_equal(gp.code, "69123");
    assert_int_equal(gp.letters, 0);
    assert_int_equal(gp.ntokens, 0);
    assert_false(gp.code_insee);

    geoparse_run("  2a004 ", &gp);
    assert_string_equal(gp.code, "2A004"); /* Corsica, upper-cased */
    assert_int_equal(gp.letters, 0);

    geoparse_run("INSEE 69100", &gp);
    assert_string_equal(gp.code, "69100");
    assert_true(gp.code_insee);
    assert_int_equal(gp.letters, 0);

    geoparse_run("6912", &gp); /* four digits are no code */
    assert_string_equal(gp.code, "");
    geoparse_run("2C004", &gp);
    assert_string_equal(gp.code, "");
}

static void test_address_with_postcode(void **state) {
    (void)state;
    geoparse_t gp;
    geoparse_run("12 rue de la République, 69003 Lyon", &gp);
    assert_string_equal(gp.code, "69003");
    assert_string_equal(locality(&gp), "Lyon");
    assert_true(has_ngram(&gp, "Lyon"));
    assert_true(has_ngram(&gp, "République"));
    /* a house number is never part of a name; a name never ends with an article */
    assert_false(has_ngram(&gp, "12 rue"));
    assert_false(has_ngram(&gp, "rue de la"));
    /* the locality comes first, so that a cap never drops it */
    assert_string_equal(span(&gp, gp.ngrams[0].first, gp.ngrams[0].first + gp.ngrams[0].count),
                        "Lyon");

    geoparse_run("12 rue de la Republique 42000 St Etienne", &gp);
    assert_string_equal(gp.code, "42000");
    assert_string_equal(locality(&gp), "St Etienne");
    assert_true(has_ngram(&gp, "St Etienne"));

    /* the code after the name: the words before it */
    geoparse_run("Saint-Denis 97400", &gp);
    assert_string_equal(gp.code, "97400");
    assert_string_equal(locality(&gp), "Saint-Denis");

    geoparse_run("12 rue X, Lyon 69003, France", &gp);
    assert_string_equal(gp.code, "69003");
    assert_string_equal(locality(&gp), "Lyon");
}

static void test_cedex_and_boxes(void **state) {
    (void)state;
    geoparse_t gp;
    geoparse_run("BP 123, 75700 Paris Cedex 07", &gp);
    assert_string_equal(gp.code, "75700");
    assert_true(gp.cedex);
    assert_string_equal(locality(&gp), "Paris");
    assert_string_equal(span(&gp, 0, gp.ntokens), "Paris"); /* BP 123 and 07 are gone */

    /* a CS number has the shape of a postcode, but is a box */
    geoparse_run("CS 30001, 31036 Toulouse Cedex 1", &gp);
    assert_string_equal(gp.code, "31036");
    assert_string_equal(span(&gp, 0, gp.ntokens), "Toulouse");

    geoparse_run("TSA 12345, 13395 Marseille CEDEX 10", &gp);
    assert_string_equal(gp.code, "13395");
    assert_string_equal(locality(&gp), "Marseille");

    geoparse_run("Nanterre Cedex", &gp);
    assert_true(gp.cedex);
    assert_string_equal(gp.code, "");
    assert_string_equal(locality(&gp), "Nanterre");
}

static void test_departement_hints(void **state) {
    (void)state;
    geoparse_t gp;
    geoparse_run("Saint-Denis (93)", &gp);
    assert_string_equal(gp.dep, "93");
    assert_false(gp.dep_trailing);
    assert_string_equal(locality(&gp), "Saint-Denis");

    geoparse_run("Sainte-Geneviève-des-Bois ( Loiret )", &gp);
    assert_string_equal(gp.dep, "Loiret");
    assert_string_equal(locality(&gp), "Sainte-Geneviève-des-Bois");

    geoparse_run("Saint-Denis 93", &gp);
    assert_string_equal(gp.dep, "93");
    assert_true(gp.dep_trailing);
    assert_string_equal(locality(&gp), "Saint-Denis");

    geoparse_run("Ajaccio 2a", &gp);
    assert_string_equal(gp.dep, "2A");
    geoparse_run("Saint-Pierre 974", &gp);
    assert_string_equal(gp.dep, "974");

    /* a trailing département before the code: the name is still before them */
    geoparse_run("Saint-Denis 93 93200", &gp);
    assert_string_equal(gp.code, "93200");
    assert_string_equal(gp.dep, "93");
    assert_string_equal(locality(&gp), "Saint-Denis");

    /* a number alone is not a département hint */
    geoparse_run("93", &gp);
    assert_string_equal(gp.dep, "");
    /* a code in parentheses is the code */
    geoparse_run("Saint-Denis (93200)", &gp);
    assert_string_equal(gp.code, "93200");
    assert_string_equal(gp.dep, "");
}

static void test_segments(void **state) {
    (void)state;
    geoparse_t gp;
    int a, b;
    geoparse_run("Saint-Denis, La Réunion", &gp);
    assert_string_equal(locality(&gp), "La Réunion");
    assert_true(geoparse_segment_before(&gp, gp.locality_first, &a, &b));
    assert_string_equal(span(&gp, a, b), "Saint-Denis");
    assert_false(geoparse_segment_before(&gp, a, &a, &b));

    /* a dash standing alone separates parts; a hyphen inside a word does not */
    geoparse_run("Saint-Denis - La Réunion", &gp);
    assert_string_equal(locality(&gp), "La Réunion");
    assert_false(has_ngram(&gp, "Saint-Denis La"));

    /* no-break spaces and French quotes are spaces */
    geoparse_run("\xc2\xab"
                 "Saint\xc2\xa0"
                 "Malo"
                 "\xc2\xbb",
                 &gp);
    assert_string_equal(locality(&gp), "Saint Malo");
}

static void test_country(void **state) {
    (void)state;
    geoparse_t gp;
    geoparse_run("Lyon France", &gp);
    assert_string_equal(span(&gp, 0, gp.ntokens), "Lyon");
    geoparse_run("Paris, FRANCE", &gp);
    assert_string_equal(locality(&gp), "Paris");
    /* the end of a name is not the country */
    geoparse_run("fort de france", &gp);
    assert_string_equal(locality(&gp), "fort de france");
    assert_true(has_ngram(&gp, "fort de france"));
}

static void test_ngrams(void **state) {
    (void)state;
    geoparse_t gp;
    geoparse_run("rue Victor Hugo Le Havre", &gp);
    assert_true(has_ngram(&gp, "Le Havre"));
    assert_true(has_ngram(&gp, "Havre"));
    assert_false(has_ngram(&gp, "Hugo Le")); /* never ends with an article */
    assert_true(gp.nngrams <= GEOPARSE_NGRAMS_MAX);

    geoparse_run("Saint Remy en Bouzemont Saint Genest et Isson", &gp);
    assert_true(has_ngram(&gp, "Saint Remy en Bouzemont Saint Genest et Isson"));
}

static void test_text_is_cut_between_words(void **state) {
    (void)state;
    geoparse_t gp;
    char out[12];
    geoparse_run("Saint Martin d'Hères", &gp);
    size_t n = geoparse_text(&gp, 0, gp.ntokens, out, sizeof out);
    assert_string_equal(out, "Saint");
    assert_int_equal(n, 5);
    n = geoparse_text(&gp, 0, gp.ntokens, out, 1);
    assert_string_equal(out, "");
    assert_int_equal(n, 0);
}

static void test_long_and_odd_input(void **state) {
    (void)state;
    geoparse_t gp;
    char q[3000];
    size_t len = 0;
    /* 3000 bytes of words: bounded tokens and candidates, the last words kept */
    while (len + 16 < sizeof q) {
        memcpy(q + len, "mot é ", 7);
        len += 7;
    }
    snprintf(q + len, sizeof q - len, "Lyon");
    geoparse_run(q, &gp);
    assert_true(gp.ntokens <= GEOPARSE_TOKENS_MAX);
    assert_true(gp.nngrams <= GEOPARSE_NGRAMS_MAX);

    const char *odd[] = {
            "",      " ",  "(",     ")",      "((((", "(Loire", "-",       ",,,", "\xe2\x80\x93",
            "CEDEX", "BP", "INSEE", "France", "12",   "00000",  "(12345)", "2A",  NULL};
    for (int i = 0; odd[i]; i++) {
        geoparse_run(odd[i], &gp);
        assert_true(gp.locality_first <= gp.locality_end);
        assert_true(gp.locality_end <= gp.ntokens);
        for (int k = 0; k < gp.nngrams; k++)
            assert_true(gp.ngrams[k].first + gp.ngrams[k].count <= gp.ntokens);
    }
    geoparse_run("(12345)", &gp);
    assert_string_equal(gp.code, "12345");
    geoparse_run("00000", &gp);
    assert_string_equal(gp.code, "00000");
}

int main(void) {
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_code_alone),
            cmocka_unit_test(test_address_with_postcode),
            cmocka_unit_test(test_cedex_and_boxes),
            cmocka_unit_test(test_departement_hints),
            cmocka_unit_test(test_segments),
            cmocka_unit_test(test_country),
            cmocka_unit_test(test_ngrams),
            cmocka_unit_test(test_text_is_cut_between_words),
            cmocka_unit_test(test_long_and_odd_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

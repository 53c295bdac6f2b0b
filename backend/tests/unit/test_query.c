/* The fine-search query language: what is accepted and the tree it gives, what is refused and
 * the message and column a person then reads, and the limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka needs the headers above first. */
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "domain/query.h"

#define OUT_MAX 8192

static query_t *parse_ok(const char *text) {
    query_t *q = NULL;
    query_error_t err;
    query_status st = query_parse(text, strlen(text), &q, &err);
    if (st != QUERY_OK)
        fail_msg("« %s » refused: %s", text, err.message);
    assert_non_null(q);
    return q;
}

/* The debug rendering of the tree of text, which must parse. */
static void tree_of(const char *text, buf_t *out) {
    query_t *q = parse_ok(text);
    buf_init(out, OUT_MAX);
    assert_true(query_to_string(q, out));
    query_free(q);
}

static void canonical_of(const char *text, buf_t *out) {
    query_t *q = parse_ok(text);
    buf_init(out, OUT_MAX);
    assert_true(query_to_text(q, out));
    query_free(q);
}

/* text gives tree, and its canonical text parses back to the same tree and the same text. */
static void assert_tree(const char *text, const char *tree) {
    buf_t t, canon, again, canon2;
    tree_of(text, &t);
    if (strcmp(buf_cstr(&t), tree) != 0)
        fail_msg("« %s »\n  gives    %s\n  expected %s", text, buf_cstr(&t), tree);
    canonical_of(text, &canon);
    tree_of(buf_cstr(&canon), &again);
    assert_string_equal(buf_cstr(&again), tree);
    canonical_of(buf_cstr(&canon), &canon2);
    assert_string_equal(buf_cstr(&canon2), buf_cstr(&canon));
    buf_free(&t);
    buf_free(&canon);
    buf_free(&again);
    buf_free(&canon2);
}

static void assert_canonical(const char *text, const char *canonical) {
    buf_t c;
    canonical_of(text, &c);
    if (strcmp(buf_cstr(&c), canonical) != 0)
        fail_msg("« %s »\n  prints   %s\n  expected %s", text, buf_cstr(&c), canonical);
    buf_free(&c);
}

/* text is refused with this code, at this column, with this message (column appended). */
static void assert_error(const char *text, query_errcode code, size_t column, const char *msg) {
    static char sentinel;
    query_t *q = (query_t *)&sentinel; /* not NULL: a refused parse must reset it */
    query_error_t err;
    char expected[QUERY_MESSAGE_MAX];
    query_status st = query_parse(text, strlen(text), &q, &err);
    if (st != QUERY_INVALID)
        fail_msg("« %s » accepted", text);
    assert_null(q);
    snprintf(expected, sizeof expected, "%s (colonne %zu)", msg, column);
    if (strcmp(err.message, expected) != 0 || err.column != column || err.code != code)
        fail_msg("« %s »\n  gives    [%d] %s (column %zu)\n  expected [%d] %s", text, err.code,
                 err.message, err.column, code, expected);
    assert_true(err.offset <= strlen(text));
    assert_int_equal(err.column, query_column(text, strlen(text), err.offset));
}

static void test_words_and_phrases(void **state) {
    (void)state;
    assert_tree("jardin", "(WORD jardin)");
    assert_tree("jardins partagés", "(AND (WORD jardins) (WORD partagés))");
    assert_tree("l'école", "(WORD l'école)"); /* the SQL layer splits and stems */
    assert_tree("aujourd’hui", "(WORD aujourd’hui)");
    assert_tree("Économie SOCIALE", "(AND (WORD Économie) (WORD SOCIALE))");
    assert_tree("covid-19 2024", "(AND (WORD covid-19) (WORD 2024))");
    assert_tree("\"aide à domicile\"", "(PHRASE \"aide à domicile\")");
    assert_tree("\"  aide   à\tdomicile \"", "(PHRASE \"aide à domicile\")");
    assert_tree("«\u00a0aide à domicile\u00a0»", "(PHRASE \"aide à domicile\")");
    assert_tree("“tiers-lieu” rural", "(AND (PHRASE \"tiers-lieu\") (WORD rural))");
    assert_tree("«a\"b", "(AND (PHRASE \"a\") (WORD b))"); /* '"' closes any quote */
    assert_tree("a\"b c\"d", "(AND (WORD a) (PHRASE \"b c\") (WORD d))");
    assert_tree("jardin\u00a0partagé", "(AND (WORD jardin) (WORD partagé))");
    assert_tree("https://avise.org/x", "(WORD https://avise.org/x)");
    assert_tree("10:30 Lyon,Villeurbanne", "(AND (WORD 10:30) (WORD Lyon,Villeurbanne))");
    assert_tree("bijoux en or", "(AND (WORD bijoux) (WORD en) (WORD or))");
    assert_tree("Or", "(WORD Or)");
    assert_tree("ORNE", "(WORD ORNE)");
    assert_tree("»", "(WORD »)");
}

static void test_empty(void **state) {
    (void)state;
    const char *texts[] = {"", "   ", "\t\n", "\u00a0\u202f"};
    for (size_t i = 0; i < ARRAY_LEN(texts); i++) {
        query_t *q = parse_ok(texts[i]);
        buf_t b;
        buf_init(&b, OUT_MAX);
        assert_null(query_root(q));
        assert_true(query_is_plain(q));
        assert_int_equal(query_terms(q), 0);
        assert_true(query_to_string(q, &b));
        assert_true(query_to_text(q, &b));
        assert_string_equal(buf_cstr(&b), "");
        buf_free(&b);
        query_free(q);
    }
    query_t *q;
    query_error_t err;
    assert_int_equal(query_parse(NULL, 0, &q, &err), QUERY_OK);
    assert_null(query_root(q));
    query_free(q);
    query_free(NULL);
}

static void test_operators(void **state) {
    (void)state;
    assert_tree("-compost", "(NOT (WORD compost))");
    assert_tree("jardin -\"aide à domicile\"",
                "(AND (WORD jardin) (NOT (PHRASE \"aide à domicile\")))");
    assert_tree("-theme:ENV", "(NOT (FIELD theme ENV))");
    assert_tree("-(a b)", "(NOT (AND (WORD a) (WORD b)))");
    assert_tree("--a", "(NOT (NOT (WORD a)))");
    assert_tree("-OR", "(NOT (WORD OR))"); /* after '-', OR is a word */
    assert_tree("-«x y»", "(NOT (PHRASE \"x y\"))");
    assert_tree("a-b", "(WORD a-b)");
    assert_tree("Lyon - Villeurbanne", "(AND (WORD Lyon) (WORD Villeurbanne))");
    assert_tree("a - -b", "(AND (WORD a) (NOT (WORD b)))");
    assert_tree("a - (b)", "(AND (WORD a) (WORD b))");
    assert_tree("a OR b", "(OR (WORD a) (WORD b))");
    assert_tree("a | b", "(OR (WORD a) (WORD b))");
    assert_tree("a|b|c", "(OR (WORD a) (WORD b) (WORD c))");
    assert_tree("a OR(b)", "(OR (WORD a) (WORD b))");
    assert_tree("a OR\"b\"", "(OR (WORD a) (PHRASE \"b\"))");
    assert_tree("(a)", "(WORD a)");
    assert_tree("((a))", "(WORD a)");
    assert_tree("a(b)c", "(AND (WORD a) (WORD b) (WORD c))");
    assert_tree("(a b) (c d)", "(AND (WORD a) (WORD b) (WORD c) (WORD d))");
    assert_tree("(a OR b) OR (c OR d)", "(OR (WORD a) (WORD b) (WORD c) (WORD d))");
    assert_tree("(a OR b) (c OR d)", "(AND (OR (WORD a) (WORD b)) (OR (WORD c) (WORD d)))");
    assert_tree("-(a OR b) -c", "(AND (NOT (OR (WORD a) (WORD b))) (NOT (WORD c)))");
}

static void test_precedence(void **state) {
    (void)state;
    /* '-' binds tightest, then the implicit AND, then OR. */
    assert_tree("a b OR c", "(OR (AND (WORD a) (WORD b)) (WORD c))");
    assert_tree("a OR b c", "(OR (WORD a) (AND (WORD b) (WORD c)))");
    assert_tree("a OR b c OR d", "(OR (WORD a) (AND (WORD b) (WORD c)) (WORD d))");
    assert_tree("-a OR b", "(OR (NOT (WORD a)) (WORD b))");
    assert_tree("a -b OR -c d", "(OR (AND (WORD a) (NOT (WORD b))) (AND (NOT (WORD c)) (WORD d)))");
    assert_tree("a (b OR c)", "(AND (WORD a) (OR (WORD b) (WORD c)))");
    assert_tree("(a (b OR (c -d)))", "(AND (WORD a) (OR (WORD b) (AND (WORD c) (NOT (WORD d)))))");
    assert_tree("theme:ENV OR theme:SAN year:2020",
                "(OR (FIELD theme ENV) (AND (FIELD theme SAN) (FIELD year 2020)))");
}

static void test_fields(void **state) {
    (void)state;
    assert_tree("theme:ENV", "(FIELD theme ENV)");
    assert_tree("theme:ENV,SAN", "(FIELD theme ENV,SAN)");
    assert_tree("THEME:env", "(FIELD theme env)"); /* values keep their case */
    assert_tree("subtheme:ALI", "(FIELD subtheme ALI)");
    assert_tree("actor:association,cooperative", "(FIELD actor association,cooperative)");
    assert_tree("actor_type:collectif", "(FIELD actor collectif)");
    assert_tree("public:seniors", "(FIELD public seniors)");
    assert_tree("scale:quartier", "(FIELD scale quartier)");
    assert_tree("stage:essaimage", "(FIELD stage essaimage)");
    assert_tree("source:\"Le Labo de l'ESS\",avise", "(FIELD source \"Le Labo de l'ESS\",avise)");
    assert_tree("source:«  Le  Labo »", "(FIELD source \"Le Labo\")");
    assert_tree("source:\"avise\"", "(FIELD source avise)");
    assert_tree("territory:69", "(FIELD territory 69)");
    assert_tree("territory:commune:69123,region:84,2A",
                "(FIELD territory commune:69123,region:84,2A)");
    assert_tree("theme:ENV jardin", "(AND (FIELD theme ENV) (WORD jardin))");
    assert_tree("theme:\"ENV\"jardin", "(AND (FIELD theme ENV) (WORD jardin))");
    assert_tree("(theme:ENV)", "(FIELD theme ENV)");
    assert_tree("theme:ENV|theme:SAN", "(OR (FIELD theme ENV) (FIELD theme SAN))");
    assert_tree("theme:\"a,b\",c", "(FIELD theme \"a,b\",c)");
    assert_tree("theme:OR", "(FIELD theme OR)");
    assert_tree("theme:-ENV", "(FIELD theme -ENV)");
    /* A known field stays a field even when its value looks like the rest of a web address. */
    assert_tree("source://x", "(FIELD source //x)");
    assert_tree("source:\"//x\v \"", "(FIELD source //x)");
}

static void test_years(void **state) {
    (void)state;
    assert_tree("year:2015", "(FIELD year 2015)");
    assert_tree("year:2015..2020", "(FIELD year 2015..2020)");
    assert_tree("year:..2010", "(FIELD year ..2010)");
    assert_tree("year:2018..", "(FIELD year 2018..)");
    assert_tree("year:2015..2015", "(FIELD year 2015)");
    assert_tree("year:2010,2015..2017", "(FIELD year 2010,2015..2017)");
    assert_tree("YEAR:\"2015..2020\"", "(FIELD year 2015..2020)");

    query_t *q = parse_ok("year:..2010,2018..,2015");
    const query_node_t *n = query_root(q);
    assert_int_equal(n->kind, QUERY_FIELD);
    assert_int_equal(n->field, QUERY_FIELD_YEAR);
    assert_int_equal(n->nyears, 3);
    assert_int_equal(n->years[0].from, 0);
    assert_int_equal(n->years[0].to, 2010);
    assert_int_equal(n->years[1].from, 2018);
    assert_int_equal(n->years[1].to, 0);
    assert_int_equal(n->years[2].from, 2015);
    assert_int_equal(n->years[2].to, 2015);
    assert_int_equal(n->nvalues, 0);
    query_free(q);
}

static void test_geo(void **state) {
    (void)state;
    assert_tree("near:45.76,4.83,10km", "(FIELD near 45.76,4.83,10km)");
    assert_tree("near:45.76,4.83,10KM", "(FIELD near 45.76,4.83,10km)");
    assert_tree("near:-21.1151,55.5364,500m", "(FIELD near -21.1151,55.5364,500m)");
    assert_tree("near:45.7600,4.830,2000m", "(FIELD near 45.76,4.83,2km)");
    assert_tree("near:45,4,1.5km", "(FIELD near 45,4,1500m)");
    assert_tree("near:45,4,0.5m", "(FIELD near 45,4,0.5m)");
    assert_tree("near:90,-180,500km", "(FIELD near 90,-180,500km)");
    assert_tree("near:\"45.76, 4.83, 10 km\"", "(FIELD near 45.76,4.83,10km)");
    /* Digits past 1e-7 degree are dropped: a pasted map coordinate is still accepted. */
    assert_tree("near:45.76404316853451,4.835659,1km", "(FIELD near 45.7640431,4.835659,1km)");
    assert_tree("bbox:4.7,45.6,5.0,45.9", "(FIELD bbox 4.7,45.6,5,45.9)");
    assert_tree("bbox:-180,-90,180,90", "(FIELD bbox -180,-90,180,90)");
    assert_tree("bbox:\"-5.2, 41.3, 9.6, 51.1\" jardin",
                "(AND (FIELD bbox -5.2,41.3,9.6,51.1) (WORD jardin))");

    query_t *q = parse_ok("near:45.76,4.83,10km bbox:-0.5,45.6,5.25,45.9");
    const query_node_t *root = query_root(q);
    assert_int_equal(root->kind, QUERY_AND);
    const query_node_t *near = root->children[0], *bbox = root->children[1];
    assert_int_equal(near->field, QUERY_FIELD_NEAR);
    assert_true(near->near.lat == 45.76);
    assert_true(near->near.lon == 4.83);
    assert_true(near->near.radius_m == 10000.0);
    assert_int_equal(bbox->field, QUERY_FIELD_BBOX);
    assert_true(bbox->bbox.min_lon == -0.5);
    assert_true(bbox->bbox.min_lat == 45.6);
    assert_true(bbox->bbox.max_lon == 5.25);
    assert_true(bbox->bbox.max_lat == 45.9);
    query_free(q);
}

static void test_canonical_text(void **state) {
    (void)state;
    assert_canonical("  jardin   partagé ", "jardin partagé");
    assert_canonical("Lyon - Villeurbanne", "Lyon Villeurbanne");
    assert_canonical("((a OR b)) (c)", "(a OR b) c");
    assert_canonical("a | b", "a OR b");
    assert_canonical("-(x)", "-x");
    assert_canonical("«aide à domicile»", "\"aide à domicile\"");
    assert_canonical("Theme:ENV,SAN actor_type:association", "theme:ENV,SAN actor:association");
    assert_canonical("source:«Le Labo»", "source:\"Le Labo\"");
    assert_canonical("year:2015..2015", "year:2015");
    assert_canonical("near:45.760,4.8300,10000m", "near:45.76,4.83,10km");
    assert_canonical("bbox:4.70,45.60,5.00,45.90", "bbox:4.7,45.6,5,45.9");
    assert_canonical("a\"b\"c", "a \"b\" c");
    assert_canonical("-(a OR b) (c OR d) e", "-(a OR b) (c OR d) e");
}

static void test_errors(void **state) {
    (void)state;
    assert_error("\"aide à domicile", QUERY_E_QUOTE, 1, "Guillemet non fermé");
    assert_error("jardin bio \"aide", QUERY_E_QUOTE, 12, "Guillemet non fermé");
    assert_error("a «b c", QUERY_E_QUOTE, 3, "Guillemet non fermé");
    assert_error("a “b c", QUERY_E_QUOTE, 3, "Guillemet non fermé");
    assert_error("«b c”", QUERY_E_QUOTE, 1, "Guillemet non fermé"); /* ” does not close « */
    assert_error("source:\"Le Labo", QUERY_E_QUOTE, 8, "Guillemet non fermé");
    assert_error("a \"\" b", QUERY_E_QUOTE, 3, "Rien entre les guillemets");
    assert_error("\" \u00a0 \"", QUERY_E_QUOTE, 1, "Rien entre les guillemets");
    assert_error("abc) d", QUERY_E_PARENTHESIS, 4, "Parenthèse fermante sans parenthèse ouvrante");
    assert_error(")", QUERY_E_PARENTHESIS, 1, "Parenthèse fermante sans parenthèse ouvrante");
    assert_error("(a)) b", QUERY_E_PARENTHESIS, 4, "Parenthèse fermante sans parenthèse ouvrante");
    assert_error("a (b c", QUERY_E_PARENTHESIS, 3, "Parenthèse ouvrante sans parenthèse fermante");
    assert_error("((a) b", QUERY_E_PARENTHESIS, 1, "Parenthèse ouvrante sans parenthèse fermante");
    assert_error("a () b", QUERY_E_PARENTHESIS, 3, "Parenthèses vides");
    assert_error("( )", QUERY_E_PARENTHESIS, 1, "Parenthèses vides");
    assert_error("a -", QUERY_E_OPERATOR, 3, "Signe « - » sans terme à exclure");
    assert_error("a - ", QUERY_E_OPERATOR, 3, "Signe « - » sans terme à exclure");
    assert_error("-", QUERY_E_OPERATOR, 1, "Signe « - » sans terme à exclure");
    assert_error("(a -)", QUERY_E_OPERATOR, 4, "Signe « - » sans terme à exclure");
    assert_error("a -|b", QUERY_E_OPERATOR, 3, "Signe « - » sans terme à exclure");
    assert_error("a - OR b", QUERY_E_OPERATOR, 3, "Signe « - » sans terme à exclure");
    assert_error("-- a", QUERY_E_OPERATOR, 1, "Signe « - » sans terme à exclure");
    assert_error("OR a", QUERY_E_OPERATOR, 1, "OR sans terme à gauche");
    assert_error("| a", QUERY_E_OPERATOR, 1, "OR sans terme à gauche");
    assert_error("a (OR b)", QUERY_E_OPERATOR, 4, "OR sans terme à gauche");
    assert_error("OR", QUERY_E_OPERATOR, 1, "OR sans terme à gauche");
    assert_error("a OR", QUERY_E_OPERATOR, 3, "OR sans terme à droite");
    assert_error("a OR OR b", QUERY_E_OPERATOR, 3, "OR sans terme à droite");
    assert_error("(a OR) b", QUERY_E_OPERATOR, 4, "OR sans terme à droite");
    assert_error("a |", QUERY_E_OPERATOR, 3, "OR sans terme à droite");
    assert_error("thme:ENV", QUERY_E_UNKNOWN_FIELD, 1,
                 "Champ inconnu « thme » : champs possibles : theme, subtheme, actor, public, "
                 "scale, stage, source, territory, year, near, bbox");
    assert_error("jardin Lyon: x", QUERY_E_UNKNOWN_FIELD, 8,
                 "Champ inconnu « Lyon » : champs possibles : theme, subtheme, actor, public, "
                 "scale, stage, source, territory, year, near, bbox");
    assert_error("theme:", QUERY_E_VALUE, 7, "Valeur manquante après « theme: »");
    assert_error("theme: ENV", QUERY_E_VALUE, 7, "Valeur manquante après « theme: »");
    assert_error("(theme:)", QUERY_E_VALUE, 8, "Valeur manquante après « theme: »");
    assert_error("Theme:ENV,", QUERY_E_VALUE, 11, "Valeur manquante après « Theme:ENV, »");
    assert_error("theme:ENV,,SAN", QUERY_E_VALUE, 11, "Valeur manquante après « theme:ENV, »");
    assert_error("theme:ENV, SAN", QUERY_E_VALUE, 11, "Valeur manquante après « theme:ENV, »");
    assert_error("source:\"  \"", QUERY_E_VALUE, 8, "Valeur manquante après « source: »");
    assert_error("year:2020..2015", QUERY_E_VALUE, 6,
                 "Intervalle d'années invalide « 2020..2015 »");
    assert_error("year:15", QUERY_E_VALUE, 6,
                 "Année invalide « 15 » : par exemple year:2015, year:2015..2020 ou year:..2010");
    assert_error("year:2015-2020", QUERY_E_VALUE, 6,
                 "Année invalide « 2015-2020 » : par exemple year:2015, year:2015..2020 ou "
                 "year:..2010");
    assert_error("year:..", QUERY_E_VALUE, 6,
                 "Année invalide « .. » : par exemple year:2015, year:2015..2020 ou year:..2010");
    assert_error("year:2010,0999", QUERY_E_VALUE, 11,
                 "Année invalide « 0999 » : par exemple year:2015, year:2015..2020 ou "
                 "year:..2010");
    assert_error("near:45.76,4.83,600km", QUERY_E_VALUE, 17,
                 "Rayon trop grand : 600 km (maximum 500 km)");
    assert_error("near:45.76,4.83,500001m", QUERY_E_VALUE, 17,
                 "Rayon trop grand : 500001 m (maximum 500 km)");
    assert_error("near:95,4.83,10km", QUERY_E_VALUE, 6, "Latitude hors limites : 95");
    assert_error("near:-90.0000001,4.83,10km", QUERY_E_VALUE, 6,
                 "Latitude hors limites : -90.0000001");
    assert_error("near:45,180.5,10km", QUERY_E_VALUE, 9, "Longitude hors limites : 180.5");
    assert_error("near:45,99999999999999999999,1km", QUERY_E_VALUE, 9,
                 "Longitude hors limites : 99999999999999999999");
    assert_error("near:45.76,4.83", QUERY_E_VALUE, 6,
                 "near attend latitude,longitude,rayon, par exemple near:45.76,4.83,10km");
    assert_error("near:45,4,1km,2", QUERY_E_VALUE, 6,
                 "near attend latitude,longitude,rayon, par exemple near:45.76,4.83,10km");
    assert_error("near:45,,1km", QUERY_E_VALUE, 9, "Longitude manquante");
    assert_error("near:4a,4,1km", QUERY_E_VALUE, 6, "Latitude invalide « 4a »");
    assert_error("near:45.,4,1km", QUERY_E_VALUE, 6, "Latitude invalide « 45. »");
    assert_error("near:45,4,", QUERY_E_VALUE, 11, "Rayon manquant");
    assert_error("near:45,4,10", QUERY_E_VALUE, 11,
                 "Rayon invalide « 10 » : un nombre suivi de km ou m, par exemple 10km");
    assert_error("near:45,4,10mi", QUERY_E_VALUE, 11,
                 "Rayon invalide « 10mi » : un nombre suivi de km ou m, par exemple 10km");
    assert_error("near:45,4,-1km", QUERY_E_VALUE, 11,
                 "Rayon invalide « -1km » : un nombre suivi de km ou m, par exemple 10km");
    assert_error("near:45,4,0km", QUERY_E_VALUE, 11, "Le rayon doit être positif : 0 km");
    assert_error("near:45,4,0.0001m", QUERY_E_VALUE, 11, "Le rayon doit être positif : 0.0001 m");
    assert_error("near:", QUERY_E_VALUE, 6, "Valeur manquante après « near: »");
    assert_error("bbox:4.7,45.6,5.0", QUERY_E_VALUE, 6,
                 "bbox attend minLon,minLat,maxLon,maxLat, par exemple bbox:4.7,45.6,5.0,45.9");
    assert_error("bbox:190,45.6,5.0,45.9", QUERY_E_VALUE, 6, "Longitude hors limites : 190");
    assert_error("bbox:4.7,45.6,5.0,95", QUERY_E_VALUE, 19, "Latitude hors limites : 95");
    assert_error("bbox:5,45.6,4.7,45.9", QUERY_E_VALUE, 6,
                 "bbox invalide : minLon doit être inférieure à maxLon");
    assert_error("bbox:4.7,45.9,5,45.9", QUERY_E_VALUE, 6,
                 "bbox invalide : minLat doit être inférieure à maxLat");
}

static void test_unicode_columns(void **state) {
    (void)state;
    /* Columns count characters: é is two bytes and one column, € three, 🌱 four. */
    assert_error("é)", QUERY_E_PARENTHESIS, 2, "Parenthèse fermante sans parenthèse ouvrante");
    assert_error("école \"x", QUERY_E_QUOTE, 7, "Guillemet non fermé");
    assert_error("€ 🌱 )", QUERY_E_PARENTHESIS, 5, "Parenthèse fermante sans parenthèse ouvrante");
    assert_error("«\u00a0aide", QUERY_E_QUOTE, 1, "Guillemet non fermé");
    assert_error("où\u00a0thme:x", QUERY_E_UNKNOWN_FIELD, 4,
                 "Champ inconnu « thme » : champs possibles : theme, subtheme, actor, public, "
                 "scale, stage, source, territory, year, near, bbox");

    query_t *q;
    query_error_t err;
    const char *t = "éé ) x";
    assert_int_equal(query_parse(t, strlen(t), &q, &err), QUERY_INVALID);
    assert_int_equal(err.offset, 5);
    assert_int_equal(err.column, 4);
    assert_int_equal(query_column(t, strlen(t), 0), 1);
    assert_int_equal(query_column(t, strlen(t), 2), 2);
    assert_int_equal(query_column(t, strlen(t), strlen(t)), 7);
    assert_int_equal(query_column(t, strlen(t), 1000), 7);

    /* A long text quoted back is cut after 40 characters, on a character boundary. */
    char text[256], expected[256];
    size_t k = (size_t)snprintf(text, sizeof text, "source:");
    for (int i = 0; i < 45; i++)
        k += (size_t)snprintf(text + k, sizeof text - k, "é");
    snprintf(text + k, sizeof text - k, ",");
    k = (size_t)snprintf(expected, sizeof expected, "Valeur manquante après « source:");
    for (int i = 0; i < 33; i++)
        k += (size_t)snprintf(expected + k, sizeof expected - k, "é");
    snprintf(expected + k, sizeof expected - k, "… »");
    assert_error(text, QUERY_E_VALUE, 54, expected);
}

static void test_offsets(void **state) {
    (void)state;
    query_t *q = parse_ok("jardin -\"aide\" (a OR théme:ENV) year:2020");
    const query_node_t *root = query_root(q);
    assert_int_equal(root->kind, QUERY_AND);
    assert_int_equal(root->nchildren, 4);
    assert_int_equal(root->offset, 0);
    assert_int_equal(root->children[0]->offset, 0);
    assert_int_equal(root->children[1]->kind, QUERY_NOT);
    assert_int_equal(root->children[1]->offset, 7);
    assert_int_equal(root->children[1]->children[0]->offset, 8);
    const query_node_t * or = root->children[2];
    assert_int_equal(or->kind, QUERY_OR);
    assert_int_equal(or->offset, 16);
    assert_int_equal(or->children[1]->kind, QUERY_WORD); /* théme: is no field name */
    assert_string_equal(or->children[1]->text, "théme:ENV");
    assert_int_equal(root->children[3]->offset, 33);
    query_free(q);

    q = parse_ok("x theme:ENV,\"SAN\"  ");
    const query_node_t *f = query_root(q)->children[1];
    assert_int_equal(f->offset, 2);
    assert_int_equal(f->nvalues, 2);
    assert_string_equal(f->values[0].text, "ENV");
    assert_int_equal(f->values[0].offset, 8);
    assert_string_equal(f->values[1].text, "SAN");
    assert_int_equal(f->values[1].offset, 12);
    query_free(q);
}

static void test_plain(void **state) {
    (void)state;
    static const struct {
        const char *text;
        bool plain;
    } cases[] = {
            {"jardin partagé", true},
            {"l'école (primaire)", true},
            {"Lyon - Villeurbanne", true},
            {"", true},
            {"bijoux en or", false},
            {"a OR b", false},
            {"a | b", false},
            {"\"jardin\"", false},
            {"-jardin", false},
            {"theme:ENV", false},
            {"a (b OR c)", false},
            {"(a OR b)", false},
            {"https://avise.org", true},
            {"OR_x", true},
    };
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        query_t *q = parse_ok(cases[i].text);
        if (query_is_plain(q) != cases[i].plain)
            fail_msg("« %s »: plain should be %d", cases[i].text, cases[i].plain);
        query_free(q);
    }
}

/* "( ( … a … ) )" nested n deep. */
static void nested(char *out, size_t outlen, int n) {
    size_t k = 0;
    for (int i = 0; i < n; i++)
        k += (size_t)snprintf(out + k, outlen - k, "(");
    k += (size_t)snprintf(out + k, outlen - k, "a");
    for (int i = 0; i < n; i++)
        k += (size_t)snprintf(out + k, outlen - k, ")");
}

static void test_depth_limit(void **state) {
    (void)state;
    char text[128];
    nested(text, sizeof text, QUERY_MAX_DEPTH);
    query_free(parse_ok(text));
    nested(text, sizeof text, QUERY_MAX_DEPTH + 1);
    assert_error(text, QUERY_E_TOO_COMPLEX, QUERY_MAX_DEPTH + 1,
                 "Requête trop longue ou trop complexe");

    /* Exclusions count too: -(-(-(…))). */
    size_t k = 0;
    for (int i = 0; i < QUERY_MAX_DEPTH / 2; i++)
        k += (size_t)snprintf(text + k, sizeof text - k, "-(");
    k += (size_t)snprintf(text + k, sizeof text - k, "a");
    for (int i = 0; i < QUERY_MAX_DEPTH / 2; i++)
        k += (size_t)snprintf(text + k, sizeof text - k, ")");
    query_free(parse_ok(text));
    memset(text, '-', QUERY_MAX_DEPTH);
    strcpy(text + QUERY_MAX_DEPTH, "a");
    query_free(parse_ok(text));
    memset(text, '-', QUERY_MAX_DEPTH + 1);
    strcpy(text + QUERY_MAX_DEPTH + 1, "a");
    assert_error(text, QUERY_E_TOO_COMPLEX, QUERY_MAX_DEPTH + 1,
                 "Requête trop longue ou trop complexe");
}

static void test_term_limit(void **state) {
    (void)state;
    char text[QUERY_MAX_BYTES + 1];
    size_t k = 0;
    for (int i = 0; i < QUERY_MAX_TERMS; i++)
        k += (size_t)snprintf(text + k, sizeof text - k, "%sw%d", i ? " " : "", i % 10);
    query_t *q = parse_ok(text);
    assert_int_equal(query_terms(q), QUERY_MAX_TERMS);
    assert_int_equal(query_root(q)->nchildren, QUERY_MAX_TERMS);
    query_free(q);
    /* The 65th term is refused where it starts (column 64 × 3 + 1). */
    snprintf(text + k, sizeof text - k, " x");
    assert_error(text, QUERY_E_TOO_COMPLEX, 193, "Requête trop longue ou trop complexe");

    /* Phrases, fields and grouped terms count alike. */
    k = 0;
    for (int i = 0; i < QUERY_MAX_TERMS; i++)
        k += (size_t)snprintf(text + k, sizeof text - k, "%s",
                              i % 3 == 0   ? "\"a\" "
                              : i % 3 == 1 ? "year:2000 "
                                           : "(b) OR ");
    snprintf(text + k, sizeof text - k, "c");
    assert_error(text, QUERY_E_TOO_COMPLEX, k + 1, "Requête trop longue ou trop complexe");
}

static void test_value_limit(void **state) {
    (void)state;
    char text[256];
    size_t k = (size_t)snprintf(text, sizeof text, "theme:");
    for (int i = 0; i < QUERY_MAX_VALUES; i++)
        k += (size_t)snprintf(text + k, sizeof text - k, "%sV%02d", i ? "," : "", i);
    query_t *q = parse_ok(text);
    assert_int_equal(query_root(q)->nvalues, QUERY_MAX_VALUES);
    assert_string_equal(query_root(q)->values[19].text, "V19");
    query_free(q);
    snprintf(text + k, sizeof text - k, ",V20");
    assert_error(text, QUERY_E_TOO_COMPLEX, k + 2, "Trop de valeurs pour « theme » : 20 au plus");

    k = (size_t)snprintf(text, sizeof text, "year:");
    for (int i = 0; i <= QUERY_MAX_VALUES; i++)
        k += (size_t)snprintf(text + k, sizeof text - k, "%s%d", i ? "," : "", 2000 + i);
    assert_error(text, QUERY_E_TOO_COMPLEX, 6 + 5 * QUERY_MAX_VALUES,
                 "Trop de valeurs pour « year » : 20 au plus");
}

static void test_length_and_encoding(void **state) {
    (void)state;
    char text[QUERY_MAX_BYTES + 2];
    memset(text, 'a', sizeof text);
    query_t *q;
    query_error_t err;
    assert_int_equal(query_parse(text, QUERY_MAX_BYTES, &q, &err), QUERY_OK);
    assert_string_equal(query_root(q)->text + QUERY_MAX_BYTES - 3, "aaa");
    query_free(q);
    assert_int_equal(query_parse(text, QUERY_MAX_BYTES + 1, &q, &err), QUERY_INVALID);
    assert_null(q);
    assert_int_equal(err.code, QUERY_E_TOO_COMPLEX);
    assert_int_equal(err.offset, QUERY_MAX_BYTES);
    assert_string_equal(err.message, "Requête trop longue ou trop complexe (colonne 501)");

    /* Not NUL-terminated: only len bytes are read. */
    memcpy(text, "jardin)", 7);
    assert_int_equal(query_parse(text, 6, &q, &err), QUERY_OK);
    assert_string_equal(query_root(q)->text, "jardin");
    query_free(q);

    const char bad[] = {'a', ' ', (char)0xC3, '(', 0};
    assert_int_equal(query_parse(bad, 4, &q, &err), QUERY_INVALID);
    assert_int_equal(err.code, QUERY_E_ENCODING);
    assert_int_equal(query_parse("a\0b", 3, &q, &err), QUERY_INVALID);
    assert_int_equal(err.code, QUERY_E_ENCODING);
    assert_null(q);
}

static void test_printing(void **state) {
    (void)state;
    query_t *q = parse_ok("jardin -\"aide à domicile\" theme:ENV,SAN");
    buf_t b;
    buf_init(&b, OUT_MAX);
    assert_true(query_to_string(q, &b));
    assert_string_equal(buf_cstr(&b), "(AND (WORD jardin) (NOT (PHRASE \"aide à domicile\")) "
                                      "(FIELD theme ENV,SAN))");
    buf_free(&b);
    buf_init(&b, 10); /* the caller's cap is honoured */
    assert_false(query_to_string(q, &b));
    assert_true(b.toobig);
    buf_free(&b);
    buf_init(&b, 10);
    assert_false(query_to_text(q, &b));
    buf_free(&b);
    query_free(q);

    assert_string_equal(query_field_name(QUERY_FIELD_ACTOR), "actor");
    assert_string_equal(query_field_name(QUERY_FIELD_BBOX), "bbox");
    assert_string_equal(query_field_name((query_field)99), "");
    assert_string_equal(query_strerror(QUERY_INVALID), "invalid query");
}

int main(void) {
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_words_and_phrases),
            cmocka_unit_test(test_empty),
            cmocka_unit_test(test_operators),
            cmocka_unit_test(test_precedence),
            cmocka_unit_test(test_fields),
            cmocka_unit_test(test_years),
            cmocka_unit_test(test_geo),
            cmocka_unit_test(test_canonical_text),
            cmocka_unit_test(test_errors),
            cmocka_unit_test(test_unicode_columns),
            cmocka_unit_test(test_offsets),
            cmocka_unit_test(test_plain),
            cmocka_unit_test(test_depth_limit),
            cmocka_unit_test(test_term_limit),
            cmocka_unit_test(test_value_limit),
            cmocka_unit_test(test_length_and_encoding),
            cmocka_unit_test(test_printing),
    };
    return cmocka_run_group_tests_name("query", tests, NULL, NULL);
}

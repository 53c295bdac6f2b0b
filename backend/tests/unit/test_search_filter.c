/* The search's one filter table (domain/search/filter.h): every kind and territory level has its
 * column, no two share one, and the conditions built from it — by the search's parameters and by
 * the fine-search language — are the SQL and parameters the search sends. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka needs the headers above first. */
#include <cmocka.h>
#include <string.h>

#include "domain/query.h"
#include "domain/search/ast.h"
#include "domain/search/filter.h"

static void every_kind_has_its_column(void **state) {
    (void)state;
    for (int k = 0; k < SEARCH_NKINDS; k++) {
        const search_filter_def_t *f = search_filter((search_kind)k);
        assert_int_equal(f->kind, k);
        assert_non_null(f->name);
        assert_string_equal(search_kind_name((search_kind)k), f->name);
        assert_string_equal(search_facet_name(k), f->name);
        if (f->type == SEARCH_VALUES_SOURCE)
            assert_null(f->column);
        else
            assert_non_null(f->column);
        assert_int_equal(search_filter_of_field(f->field), k);
    }
    assert_string_equal(search_filter(SEARCH_THEME)->column, "themes");
    assert_int_equal(search_filter(SEARCH_THEME)->type, SEARCH_VALUES_ARRAY);
    assert_string_equal(search_filter(SEARCH_ACTOR_TYPE)->column, "actor_type");
    assert_int_equal(search_filter(SEARCH_ACTOR_TYPE)->type, SEARCH_VALUES_SCALAR);
    assert_string_equal(search_filter(SEARCH_PUBLIC)->column, "publics");
    assert_int_equal(search_filter(SEARCH_SOURCE)->type, SEARCH_VALUES_SOURCE);
    /* Fields that are not codes have no kind. */
    assert_int_equal(search_filter_of_field(QUERY_FIELD_TERRITORY), -1);
    assert_int_equal(search_filter_of_field(QUERY_FIELD_YEAR), -1);
    assert_int_equal(search_filter_of_field(QUERY_FIELD_NEAR), -1);
    assert_int_equal(search_filter_of_field(QUERY_FIELD_BBOX), -1);
}

static void no_two_kinds_collide(void **state) {
    (void)state;
    for (int a = 0; a < SEARCH_NKINDS; a++)
        for (int b = a + 1; b < SEARCH_NKINDS; b++) {
            const search_filter_def_t *fa = search_filter((search_kind)a);
            const search_filter_def_t *fb = search_filter((search_kind)b);
            assert_string_not_equal(fa->name, fb->name);
            assert_int_not_equal(fa->field, fb->field);
            if (fa->column && fb->column)
                assert_string_not_equal(fa->column, fb->column);
        }
    /* Nor a kind with a facet of another sort, nor a territory column with a kind's column. */
    for (int f = SEARCH_NKINDS; f < SEARCH_NFACETS; f++)
        for (int k = 0; k < SEARCH_NKINDS; k++)
            assert_string_not_equal(search_facet_name(f), search_kind_name((search_kind)k));
    for (int l = 0; l < SEARCH_NLEVELS; l++)
        for (int k = 0; k < SEARCH_NKINDS; k++)
            if (search_filter((search_kind)k)->column)
                assert_string_not_equal(search_level(l)->column,
                                        search_filter((search_kind)k)->column);
}

static void every_level_has_its_column(void **state) {
    (void)state;
    static const char *const expected[][2] = {{"commune", "commune_code"},
                                              {"arrondissement", "arrondissement_code"},
                                              {"departement", "departement_code"},
                                              {"region", "region_code"}};
    for (int l = 0; l < SEARCH_NLEVELS; l++) {
        assert_string_equal(search_level(l)->level, expected[l][0]);
        assert_string_equal(search_level(l)->column, expected[l][1]);
        assert_string_equal(search_level_column(expected[l][0]), expected[l][1]);
        for (int m = l + 1; m < SEARCH_NLEVELS; m++)
            assert_string_not_equal(search_level(l)->column, search_level(m)->column);
    }
    assert_null(search_level_column("pays"));
    assert_true(search_level_coarse("region"));
    assert_true(search_level_coarse("departement"));
    assert_false(search_level_coarse("commune"));
    /* The facets of places are the coarse levels, under the same names. */
    assert_non_null(search_level_column(search_facet_name(SEARCH_FACET_REGION)));
    assert_non_null(search_level_column(search_facet_name(SEARCH_FACET_DEPARTEMENT)));
}

/* The WHERE clause of sq (free words q), and its parameters, as search_qb_where writes them. */
static void where_of(const search_query_t *sq, const char *q, int skip, search_qb_t *x) {
    search_qb_init(x, sq, q, NULL);
    search_qb_where(x, skip);
    assert_true(sqlb_ok(&x->b));
}

static void where_binds_in_order(void **state) {
    (void)state;
    territory_ref_t places[] = {{.level = "region", .code = "84"},
                                {.level = "commune", .code = "69123"},
                                {.level = "commune", .code = "38185"}};
    search_query_t sq = {.lang = "fr", .limit = 20, .year_min = 2015, .year_max = 2020};
    sq.codes[SEARCH_THEME] = (search_codes_t){.codes = {"ENV", "EMP"}, .n = 2};
    sq.codes[SEARCH_ACTOR_TYPE] = (search_codes_t){.codes = {"association"}, .n = 1};
    sq.codes[SEARCH_SOURCE] = (search_codes_t){.codes = {"demo-source"}, .n = 1};
    sq.territories = places;
    sq.nterritories = 3;
    search_qb_t x;
    where_of(&sq, "jardin", -1, &x);
    assert_string_equal(
            buf_cstr(&x.b.sql),
            " WHERE i.status = 'published' AND i.tsv @@ sc_tsquery($1) AND i.themes && $2::text[]"
            " AND i.actor_type = ANY ($3::text[]) AND EXISTS (SELECT 1 FROM source_record sr"
            " JOIN source s ON s.id = sr.source_id WHERE sr.initiative_id = i.id"
            " AND sr.gone_at IS NULL AND s.code = ANY ($4::text[])) AND (i.commune_code = ANY"
            " ($5::text[]) OR i.region_code = $6) AND i.start_year >= $7 AND i.start_year <= $8");
    const char *params[] = {"jardin",        "{ENV,EMP}", "{association}", "{demo-source}",
                            "{69123,38185}", "84",        "2015",          "2020"};
    assert_int_equal(x.b.n, 8);
    for (int i = 0; i < 8; i++)
        assert_string_equal(x.b.params[i], params[i]);
    sqlb_free(&x.b);

    /* A facet leaves its own filter out: the territories for the région facet, the theme for the
     * theme facet; the numbers of the others follow. */
    where_of(&sq, NULL, SEARCH_FACET_REGION, &x);
    assert_int_equal(x.b.n, 5);
    assert_null(strstr(buf_cstr(&x.b.sql), "region_code"));
    assert_string_equal(x.b.params[3], "2015");
    sqlb_free(&x.b);
    where_of(&sq, NULL, SEARCH_THEME, &x);
    assert_null(strstr(buf_cstr(&x.b.sql), "themes"));
    assert_string_equal(x.b.params[0], "{association}");
    sqlb_free(&x.b);
}

/* The point of near is bound once however often it is written; the box comes last. */
static void where_near_and_box(void **state) {
    (void)state;
    search_query_t sq = {.lang = "fr",
                         .limit = 20,
                         .year_max = 2018,
                         .has_near = true,
                         .near_lat = 45.75,
                         .near_lon = 4.85,
                         .near_km = 10,
                         .has_bbox = true,
                         .bbox = {4.7, 45.7, 4.9, 45.8}};
    sq.codes[SEARCH_THEME] = (search_codes_t){.codes = {"ENV"}, .n = 1};
    search_qb_t x;
    where_of(&sq, NULL, -1, &x);
    assert_string_equal(buf_cstr(&x.b.sql),
                        " WHERE i.status = 'published' AND i.themes && $1::text[]"
                        " AND i.start_year <= $2 AND i.geom && ST_Expand(ST_SetSRID("
                        "ST_MakePoint($3::float8, $4::float8), 4326), $5::float8)"
                        " AND ST_DWithin(i.geom::geography, ST_SetSRID(ST_MakePoint($3::float8,"
                        " $4::float8), 4326)::geography, $6::float8) AND i.geom && "
                        "ST_MakeEnvelope($7::float8, $8::float8, $9::float8, $10::float8, 4326)");
    assert_int_equal(x.b.n, 10);
    assert_string_equal(x.b.params[2], "4.8500000");
    assert_string_equal(x.b.params[3], "45.7500000");
    assert_string_equal(x.b.params[5], "10000.0");
    assert_string_equal(x.b.params[9], "45.8000000");
    sqlb_free(&x.b);
}

/* Free words in one région use the région's own index (a form only it proves). */
static void where_words_in_one_region(void **state) {
    (void)state;
    territory_ref_t place = {.level = "region", .code = "84"};
    search_query_t sq = {.lang = "fr", .limit = 20, .territories = &place, .nterritories = 1};
    search_qb_t x;
    where_of(&sq, "vélo", -1, &x);
    assert_string_equal(buf_cstr(&x.b.sql),
                        " WHERE i.status = 'published' AND i.tsv @@ sc_tsquery($1)"
                        " AND (i.region_code = $2::text) IS TRUE");
    sqlb_free(&x.b);
}

/* The fine-search language tests the same columns with the same SQL as the parameters. */
static void language_uses_the_table(void **state) {
    (void)state;
    const char *text = "theme:env,emp (actor:association OR public:jeunes) -scale:locale";
    query_t *q = NULL;
    query_error_t err;
    assert_int_equal(query_parse(text, strlen(text), &q, &err), QUERY_OK);
    search_ast_t ast = {.query = q, .root = query_root(q)};
    sqlb_t b;
    sqlb_init(&b);
    search_ast_sql(&ast, NULL, &b);
    assert_true(sqlb_ok(&b));
    assert_string_equal(buf_cstr(&b.sql), "((i.themes && $1::text[] AND (i.actor_type = ANY "
                                          "($2::text[]) OR i.publics && $3::text[]) AND NOT "
                                          "coalesce((i.scale = ANY ($4::text[])), false)))");
    assert_int_equal(b.n, 4);
    assert_string_equal(b.params[0], "{ENV,EMP}"); /* themes in upper case */
    assert_string_equal(b.params[1], "{association}");
    assert_string_equal(b.params[2], "{jeunes}");
    assert_string_equal(b.params[3], "{locale}");
    sqlb_free(&b);
    query_free(q);
}

int main(void) {
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(every_kind_has_its_column),
            cmocka_unit_test(no_two_kinds_collide),
            cmocka_unit_test(every_level_has_its_column),
            cmocka_unit_test(where_binds_in_order),
            cmocka_unit_test(where_near_and_box),
            cmocka_unit_test(where_words_in_one_region),
            cmocka_unit_test(language_uses_the_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

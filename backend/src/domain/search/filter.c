#include "domain/search/filter.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "domain/search/theme_bits.h"
#include "domain/status.h"

/* The filters, in the order of search_kind. */
static const search_filter_def_t filters[SEARCH_NKINDS] = {
        {SEARCH_THEME, "theme", "themes", SEARCH_VALUES_ARRAY, QUERY_FIELD_THEME, true},
        {SEARCH_SUBTHEME, "subtheme", "subthemes", SEARCH_VALUES_ARRAY, QUERY_FIELD_SUBTHEME, true},
        {SEARCH_ACTOR_TYPE, "actor_type", "actor_type", SEARCH_VALUES_SCALAR, QUERY_FIELD_ACTOR,
         false},
        {SEARCH_PUBLIC, "public", "publics", SEARCH_VALUES_ARRAY, QUERY_FIELD_PUBLIC, false},
        {SEARCH_SCALE, "scale", "scale", SEARCH_VALUES_SCALAR, QUERY_FIELD_SCALE, false},
        {SEARCH_STAGE, "stage", "stage", SEARCH_VALUES_SCALAR, QUERY_FIELD_STAGE, false},
        {SEARCH_SOURCE, "source", NULL, SEARCH_VALUES_SOURCE, QUERY_FIELD_SOURCE, false},
};

static const search_level_def_t levels[SEARCH_NLEVELS] = {
        {"commune", "commune_code"},
        {"arrondissement", "arrondissement_code"},
        {"departement", "departement_code"},
        {"region", "region_code"},
};

/* The live records of the initiative i in the sources, joined to their source s. */
#define SOURCE_RECORDS                                           \
    "FROM source_record sr JOIN source s ON s.id = sr.source_id" \
    " WHERE sr.initiative_id = i.id AND sr.gone_at IS NULL"

const search_filter_def_t *search_filter(search_kind k) {
    return &filters[k];
}

int search_filter_of_field(query_field f) {
    for (int k = 0; k < SEARCH_NKINDS; k++)
        if (filters[k].field == f)
            return k;
    return -1;
}

const char *search_kind_name(search_kind k) {
    return filters[k].name;
}

const search_level_def_t *search_level(int l) {
    return &levels[l];
}

const char *search_level_column(const char *level) {
    for (int l = 0; l < SEARCH_NLEVELS; l++)
        if (strcmp(levels[l].level, level) == 0)
            return levels[l].column;
    return NULL;
}

bool search_level_coarse(const char *level) {
    return strcmp(level, "region") == 0 || strcmp(level, "departement") == 0;
}

void search_filter_values_sql(search_kind k, sqlb_t *b) {
    const search_filter_def_t *f = &filters[k];
    switch (f->type) {
    case SEARCH_VALUES_ARRAY:
        sqlb_sql(b, "i.");
        sqlb_sql(b, f->column);
        break;
    case SEARCH_VALUES_SCALAR:
        sqlb_sql(b, "ARRAY[i.");
        sqlb_sql(b, f->column);
        sqlb_sql(b, "]");
        break;
    case SEARCH_VALUES_SOURCE: /* distinct: an initiative may have several records in one source */
        sqlb_sql(b, "ARRAY(SELECT DISTINCT s.code " SOURCE_RECORDS ")");
        break;
    }
}

void search_filter_test_sql(search_kind k, const char *lit, sqlb_t *b) {
    const search_filter_def_t *f = &filters[k];
    switch (f->type) {
    case SEARCH_VALUES_ARRAY:
        sqlb_sql(b, "i.");
        sqlb_sql(b, f->column);
        sqlb_sql(b, " && ");
        sqlb_param(b, lit);
        sqlb_sql(b, "::text[]");
        break;
    case SEARCH_VALUES_SCALAR: /* = ANY: the btree index on the column serves it */
        sqlb_sql(b, "i.");
        sqlb_sql(b, f->column);
        sqlb_sql(b, " = ANY (");
        sqlb_param(b, lit);
        sqlb_sql(b, "::text[])");
        break;
    case SEARCH_VALUES_SOURCE:
        sqlb_sql(b, "EXISTS (SELECT 1 " SOURCE_RECORDS " AND s.code = ANY (");
        sqlb_param(b, lit);
        sqlb_sql(b, "::text[]))");
        break;
    }
}

void search_qb_init(search_qb_t *x, const search_query_t *sq, const char *q,
                    const search_ast_t *ast) {
    sqlb_init(&x->b);
    x->sq = sq;
    x->q = q;
    x->ast = ast;
    x->p_lang = x->p_q = x->p_lon = x->p_lat = 0;
    x->bits = NULL;
    x->count_all = x->estimate = false;
    x->only_ids = NULL;
}

void search_qb_lang(search_qb_t *x) {
    if (x->p_lang == 0)
        x->p_lang = sqlb_bind(&x->b, x->sq->lang);
    sqlb_ref(&x->b, x->p_lang);
}

void search_qb_words(search_qb_t *x) {
    if (x->p_q == 0)
        x->p_q = sqlb_bind(&x->b, x->q);
    sqlb_ref(&x->b, x->p_q);
}

void search_qb_near_point(search_qb_t *x) {
    char lon[32], lat[32];
    if (x->p_lon == 0) {
        snprintf(lon, sizeof lon, "%.7f", x->sq->near_lon);
        snprintf(lat, sizeof lat, "%.7f", x->sq->near_lat);
        x->p_lon = sqlb_bind(&x->b, lon);
        x->p_lat = sqlb_bind(&x->b, lat);
    }
    sqlb_sql(&x->b, "ST_SetSRID(ST_MakePoint(");
    sqlb_ref(&x->b, x->p_lon);
    sqlb_sql(&x->b, "::float8, ");
    sqlb_ref(&x->b, x->p_lat);
    sqlb_sql(&x->b, "::float8), 4326)");
}

void search_codes_literal(const search_codes_t *c, char lit[SEARCH_CODES_LIT_MAX]) {
    size_t n = 0;
    lit[n++] = '{';
    for (size_t i = 0; i < c->n; i++) {
        size_t len = strlen(c->codes[i]);
        if (i)
            lit[n++] = ',';
        memcpy(lit + n, c->codes[i], len);
        n += len;
    }
    lit[n++] = '}';
    lit[n] = '\0';
}

void search_qb_codes(search_qb_t *x, const search_codes_t *c) {
    char lit[SEARCH_CODES_LIT_MAX];
    search_codes_literal(c, lit);
    sqlb_param(&x->b, lit);
    sqlb_sql(&x->b, "::text[]");
}

/* The territories of the search, OR'ed. */
static void where_territory(search_qb_t *x) {
    const search_query_t *sq = x->sq;
    bool first = true;
    /* Free words in one région are looked up in that région's own GIN index (migration 028),
     * whose predicate only this form proves; the btree indexes on region_code cannot use it, so
     * the planner does not intersect them with that index. It estimates the same rows as
     * `= ANY`. Not with a radius, whose words are tested with its points (migration 027). */
    bool free_words = !x->ast && x->q && x->q[0] && !sq->has_near;
    if (sq->nterritories == 1 && strcmp(sq->territories[0].level, "region") == 0 && free_words) {
        sqlb_sql(&x->b, " AND (i.region_code = ");
        sqlb_param(&x->b, sq->territories[0].code);
        sqlb_sql(&x->b, "::text) IS TRUE");
        return;
    }
    /* The same index for free words in one département, which it also holds: its région is
     * written as well (the same rows: every write takes both codes from the gazetteer's commune;
     * 'atelier vélo' in the Rhône 9.6 -> 1.7 ms). Not in the planner's estimate of the number of
     * matches (x->estimate), which would count the région twice and so change the totals shown
     * as estimates. */
    if (sq->nterritories == 1 && strcmp(sq->territories[0].level, "departement") == 0 &&
        sq->territories[0].region[0] && free_words && !x->estimate) {
        sqlb_sql(&x->b, " AND (i.region_code = ");
        sqlb_param(&x->b, sq->territories[0].region);
        sqlb_sql(&x->b, "::text) IS TRUE AND i.departement_code = ");
        sqlb_param(&x->b, sq->territories[0].code);
        return;
    }
    sqlb_sql(&x->b, " AND (");
    for (int l = 0; l < SEARCH_NLEVELS; l++) {
        search_codes_t c = {.n = 0};
        for (size_t i = 0; i < sq->nterritories; i++)
            if (strcmp(sq->territories[i].level, levels[l].level) == 0)
                c.codes[c.n++] = sq->territories[i].code;
        if (c.n == 0)
            continue;
        sqlb_sql(&x->b, first ? "i." : " OR i.");
        sqlb_sql(&x->b, levels[l].column);
        if (c.n == 1) { /* = lets an index on (place, created_at) give the newest in order */
            sqlb_sql(&x->b, " = ");
            sqlb_param(&x->b, c.codes[0]);
        } else {
            sqlb_sql(&x->b, " = ANY (");
            search_qb_codes(x, &c);
            sqlb_sql(&x->b, ")");
        }
        first = false;
    }
    sqlb_sql(&x->b, ")");
}

/* The theme filter as a test of the themes' bits (x->bits, search_theme_bits_sql); false, with
 * nothing written, when a theme has no bit. */
static bool where_theme_bits(search_qb_t *x) {
    const search_codes_t *c = &x->sq->codes[SEARCH_THEME];
    unsigned mask = 0;
    if (x->bits == NULL)
        return false;
    for (size_t i = 0; i < c->n; i++) {
        int bit = search_theme_bit(x->bits, c->codes[i]);
        if (bit < 0)
            return false;
        mask |= 1u << bit;
    }
    sqlb_sql(&x->b, " AND ");
    search_theme_bits_sql(mask, &x->b);
    return true;
}

/* The box prefilter lets the GiST index on geom work; the geography test is exact. */
static void where_near(search_qb_t *x) {
    const search_query_t *sq = x->sq;
    double c = cos(sq->near_lat * M_PI / 180);
    double deg = sq->near_km / (111.32 * (c < 0.01 ? 0.01 : c));
    sqlb_sql(&x->b, " AND i.geom && ST_Expand(");
    search_qb_near_point(x);
    sqlb_sql(&x->b, ", ");
    sqlb_paramf(&x->b, "%.6f", deg);
    sqlb_sql(&x->b, "::float8) AND ST_DWithin(i.geom::geography, ");
    search_qb_near_point(x);
    sqlb_sql(&x->b, "::geography, ");
    sqlb_paramf(&x->b, "%.1f", sq->near_km * 1000);
    sqlb_sql(&x->b, "::float8)");
}

void search_qb_where(search_qb_t *x, int skip) {
    const search_query_t *sq = x->sq;
    sqlb_sql(&x->b, " WHERE i.status = 'published'");
    if (x->only_ids) {
        sqlb_sql(&x->b, " AND i.id = ANY (");
        sqlb_param(&x->b, x->only_ids);
        sqlb_sql(&x->b, "::bigint[])");
    }
    if (x->ast) {
        sqlb_sql(&x->b, " AND ");
        search_ast_sql(x->ast, x->bits, &x->b);
    } else if (x->q && x->q[0]) {
        /* Left to the planner: with a radius or a box, it tests the words and the point together
         * in initiative_geom_tsv_idx (sql/migrations/027_search_place_words.sql), cheaper than
         * testing the words on each row of the box or reading the words' whole posting list. */
        sqlb_sql(&x->b, " AND i.tsv @@ sc_tsquery(");
        search_qb_words(x);
        sqlb_sql(&x->b, ")");
    }
    for (int k = 0; k < SEARCH_NKINDS; k++) {
        char lit[SEARCH_CODES_LIT_MAX];
        if (sq->codes[k].n == 0 || k == skip)
            continue;
        if (k == SEARCH_THEME && where_theme_bits(x))
            continue;
        search_codes_literal(&sq->codes[k], lit);
        sqlb_sql(&x->b, " AND ");
        search_filter_test_sql((search_kind)k, lit, &x->b);
    }
    if (sq->nterritories > 0 && skip != SEARCH_FACET_REGION && skip != SEARCH_FACET_DEPARTEMENT)
        where_territory(x);
    if (skip != SEARCH_FACET_YEAR) {
        if (sq->year_min) {
            sqlb_sql(&x->b, " AND i.start_year >= ");
            sqlb_paramf(&x->b, "%d", sq->year_min);
        }
        if (sq->year_max) {
            sqlb_sql(&x->b, " AND i.start_year <= ");
            sqlb_paramf(&x->b, "%d", sq->year_max);
        }
    }
    if (sq->has_near)
        where_near(x);
    if (sq->changed_since) {
        sqlb_sql(&x->b, " AND GREATEST(i.created_at, i.updated_at) > ");
        sqlb_param(&x->b, sq->changed_since);
        sqlb_sql(&x->b, "::timestamptz");
    }
    if (sq->has_bbox) {
        sqlb_sql(&x->b, " AND i.geom && ST_MakeEnvelope(");
        for (int i = 0; i < 4; i++) {
            sqlb_paramf(&x->b, "%.7f", sq->bbox[i]);
            sqlb_sql(&x->b, i < 3 ? "::float8, " : "::float8, 4326)");
        }
    }
}

bool search_has_filters(const search_query_t *sq, const search_ast_t *ast) {
    if (ast || sq->nterritories > 0 || sq->year_min || sq->year_max || sq->has_near ||
        sq->has_bbox || sq->changed_since)
        return true;
    for (int k = 0; k < SEARCH_NKINDS; k++)
        if (sq->codes[k].n > 0)
            return true;
    return false;
}

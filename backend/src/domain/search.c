#include "domain/search.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "domain/excerpt.h"
#include "domain/initiative.h"
#include "domain/search_ast.h"
#include "domain/search_where.h"
#include "domain/sqlbuild.h"

/* Counting stops at the cap plus one: an exact count of a very common word costs more than the
 * search itself; past the cap the planner's estimate is given, and said to be one. */
#define CAP_PLUS_ONE "10001"

/* The ids of a page of a large ranked match set of free words ($1), in three tiers: the matches
 * with the words in their title, then in their summary or actor name but not their title, each
 * newest first, then the others by rank (RUM distance). $2: the rows each tier reads (offset +
 * page + 1), $3 and $4: the page's LIMIT and OFFSET. Append reads its parts in order under the
 * LIMIT, so the tiers after the one that fills the page are not read at all.
 *
 * A tier is first looked for among the newest 3,000 initiatives (walk0, walk1), which hold exactly
 * the newest rows of the tier when they hold $2 of them (a common word's tier is dense enough);
 * the walk is skipped when the newest 500 hold none of the tier, as a tier that sparse seldom
 * fills a page from 3,000 rows and reading them costs 2.5 ms ("emploi" is in 6 titles of
 * 1,000,000); the rows are the same either way. Else every row of the tier is found through its
 * own index (migrations 018, 019) and sorted (created_at + 0: never by walking the newest-first
 * index, which would read the whole table for a word seldom in titles). The tier test reads the
 * stored tsv with the query's lexemes restricted to weight A (title) or B (summary, actor name).
 *
 * Prepared, with the queries computed once (qq) rather than folded into the plan: the statement
 * cost 1.7 to 2.7 ms to plan for each search, and its generic plan is the same for every word
 * (the tiers' structure decides it). IS TRUE keeps the other indexes on tsv out of a tier's
 * lookup, which a generic plan, blind to how common the words are, would otherwise choose. */
#define TIER_COLUMNS \
    "SELECT i.id, i.tsv <=> (SELECT q FROM qq) AS rank, NULL::float8 AS dist, NULL::bigint AS n"
#define NEWEST " FROM initiative WHERE status = 'published' ORDER BY created_at DESC, id DESC"
#define WALK_ROWS(tier)                                                          \
    "(SELECT CASE WHEN EXISTS (SELECT 1 FROM (SELECT tsv" NEWEST " LIMIT 500) p" \
    " WHERE p.tsv @@ (SELECT " tier " FROM qq)) THEN 3000 ELSE 0 END)"
#define TIER_WALK_FROM    TIER_COLUMNS " FROM (SELECT *" NEWEST " LIMIT "
#define TIER_WALK_WHERE   ") i WHERE i.status = 'published' AND i.tsv @@ (SELECT q FROM qq)"
#define TIER_WALK_TITLE   TIER_WALK_FROM WALK_ROWS("qt") TIER_WALK_WHERE
#define TIER_WALK_SUMMARY TIER_WALK_FROM WALK_ROWS("qs") TIER_WALK_WHERE
#define TIER_NEWEST       " ORDER BY i.created_at DESC, i.id DESC LIMIT $2::bigint"
#define TIERS_SQL                                                                            \
    "WITH qq AS MATERIALIZED (SELECT sc_tsquery($1::text) AS q,"                             \
    "  sc_tsquery_title($1::text) AS qt, sc_tsquery_summary($1::text) AS qs),"               \
    " walk0 AS (" TIER_WALK_TITLE " AND i.tsv @@ (SELECT qt FROM qq)" TIER_NEWEST "),"       \
    " walk1 AS (" TIER_WALK_SUMMARY " AND i.tsv @@ (SELECT qs FROM qq)"                      \
    "  AND NOT i.tsv @@ (SELECT qt FROM qq)" TIER_NEWEST ")"                                 \
    " SELECT * FROM ((SELECT * FROM walk0 WHERE (SELECT count(*) FROM walk0) >= $2::bigint)" \
    " UNION ALL (" TIER_COLUMNS " FROM initiative i WHERE i.status = 'published'"            \
    "  AND sc_title_tsv(i.title) @@ (SELECT q FROM qq)"                                      \
    "  AND (i.tsv @@ (SELECT q FROM qq)) IS TRUE AND (i.tsv @@ (SELECT qt FROM qq)) IS TRUE" \
    "  AND (SELECT count(*) FROM walk0) < $2::bigint"                                        \
    "  ORDER BY i.created_at + interval '0 s' DESC, i.id DESC LIMIT $2::bigint)"             \
    " UNION ALL (SELECT * FROM walk1 WHERE (SELECT count(*) FROM walk1) >= $2::bigint)"      \
    " UNION ALL (" TIER_COLUMNS " FROM initiative i WHERE i.status = 'published'"            \
    "  AND sc_summary_tsv(i.summary, i.actor_name) @@ (SELECT q FROM qq)"                    \
    "  AND (i.tsv @@ (SELECT q FROM qq)) IS TRUE AND (i.tsv @@ (SELECT qs FROM qq)) IS TRUE" \
    "  AND (NOT i.tsv @@ (SELECT qt FROM qq)) IS TRUE"                                       \
    "  AND (SELECT count(*) FROM walk1) < $2::bigint"                                        \
    "  ORDER BY i.created_at + interval '0 s' DESC, i.id DESC LIMIT $2::bigint)"             \
    " UNION ALL (" TIER_COLUMNS " FROM initiative i WHERE i.status = 'published'"            \
    "  AND i.tsv @@ (SELECT q FROM qq) AND NOT i.tsv @@ (SELECT qt FROM qq)"                 \
    "  AND NOT i.tsv @@ (SELECT qs FROM qq) ORDER BY rank LIMIT $2::bigint)) t"              \
    " LIMIT $3::bigint OFFSET $4::bigint"

const db_stmt_t search_stmts[] = {
        {"search_unknown_vocab",
         "SELECT u.c FROM unnest($1::text[]) WITH ORDINALITY AS u(c, o)"
         " WHERE NOT EXISTS (SELECT 1 FROM vocabulary v WHERE v.kind = $2 AND v.code = u.c)"
         " ORDER BY u.o LIMIT 1",
         2, true},
        {"search_unknown_source",
         "SELECT u.c FROM unnest($1::text[]) WITH ORDINALITY AS u(c, o)"
         " WHERE NOT EXISTS (SELECT 1 FROM source s WHERE s.code = u.c) ORDER BY u.o LIMIT 1",
         1, true},
        /* Each word missing from the lexicon is replaced by the closest indexed word, the most
         * frequent among equals; words of two letters or less are kept as typed. */
        {"search_correct",
         "SELECT string_agg(coalesce("
         "   (SELECT l.word FROM search_lexicon l WHERE l.word = w.word),"
         "   CASE WHEN length(w.word) > 2 THEN"
         "     (SELECT l.word FROM search_lexicon l WHERE l.word % w.word"
         "       ORDER BY similarity(l.word, w.word) DESC, l.ndoc DESC, l.word LIMIT 1) END,"
         "   w.word), ' ' ORDER BY w.ord), sc_normalize($1)"
         " FROM unnest(regexp_split_to_array(sc_normalize($1), ' ')) WITH ORDINALITY AS w(word, "
         "ord)"
         " WHERE w.word <> ''",
         1, true},
        /* The items of a page, in the order of the ids ($2), with, when there are words ($3),
         * the text the excerpt is made from and the lexemes of the words (domain/excerpt).
         * Prepared, so planned for the first few pages of a connection only (the same SQL in each
         * search cost 1 to 1.4 ms to plan); the query is made once per page (InitPlan). */
        {"search_items",
         "SELECT " INITIATIVE_ITEM_COLUMNS ", CASE WHEN $3::text IS NOT NULL THEN"
         " (SELECT sc_tsquery($3::text)::text) END,"
         " CASE WHEN $3::text IS NOT NULL THEN concat_ws(' ', i.summary, i.description) END"
         " FROM unnest($2::bigint[]) WITH ORDINALITY AS p(id, ord) JOIN initiative i"
         " ON i.id = p.id" INITIATIVE_ITEM_JOINS(" = ANY ($2::bigint[])") " ORDER BY p.ord",
         3, true},
        {"search_tiers", TIERS_SQL, 4, true},
        /* The themes that have a bit in initiative.theme_bits (sql/migrations/026). */
        {"search_theme_bits",
         "SELECT code, bit FROM vocabulary WHERE kind = 'theme' AND bit IS NOT NULL ORDER BY bit",
         0, true},
        {"search_total_precounted",
         "SELECT n FROM facet_count WHERE fkind = $1 AND fcode = $2 AND kind = $3 AND code = $4", 4,
         true},
        {NULL, NULL, 0, false},
};

static const char *const kind_names[SEARCH_NKINDS] = {
        "theme", "subtheme", "actor_type", "public", "scale", "stage", "source",
};
static const char *const facet_extra_names[] = {"region", "departement", "year"};

const char *search_kind_name(search_kind k) {
    return kind_names[k];
}

const char *search_facet_name(int facet) {
    return facet < SEARCH_NKINDS ? kind_names[facet] : facet_extra_names[facet - SEARCH_NKINDS];
}

/* A query being assembled, with the parameters shared by its parts bound on first use. */
typedef struct qb {
    sqlb_t b;
    const search_query_t *sq;
    const char *q;           /* the words ranked (the corrected ones on a second attempt) */
    const search_ast_t *ast; /* a query in the fine-search language, or NULL for free words */
    int p_lang, p_q, p_lon, p_lat;
    const search_theme_bits_t *bits; /* themes tested on their bits (NULL: on the array) */
    bool count_all; /* the page's rows carry the number of all matches (column n) */
    bool estimate;  /* the planner's estimate of the number of matches is asked */
} qb_t;

static void qb_init(qb_t *x, const search_query_t *sq, const char *q, const search_ast_t *ast) {
    sqlb_init(&x->b);
    x->sq = sq;
    x->q = q;
    x->ast = ast;
    x->p_lang = x->p_q = x->p_lon = x->p_lat = 0;
    x->bits = NULL;
    x->count_all = x->estimate = false;
}

static void ref_lang(qb_t *x) {
    if (x->p_lang == 0)
        x->p_lang = sqlb_bind(&x->b, x->sq->lang);
    sqlb_ref(&x->b, x->p_lang);
}

static void ref_q(qb_t *x) {
    if (x->p_q == 0)
        x->p_q = sqlb_bind(&x->b, x->q);
    sqlb_ref(&x->b, x->p_q);
}

/* The point of `near`, as a geometry. */
static void near_point(qb_t *x) {
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

/* A PostgreSQL array literal of checked codes ([A-Za-z0-9_] only, see search_codes_t). */
static void codes_param(qb_t *x, const search_codes_t *c) {
    char lit[SEARCH_CODES_MAX * 42 + 3];
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
    sqlb_param(&x->b, lit);
    sqlb_sql(&x->b, "::text[]");
}

static void where_territory(qb_t *x) {
    static const char *const levels[] = {"commune", "arrondissement", "departement", "region"};
    static const char *const columns[] = {"i.commune_code", "i.arrondissement_code",
                                          "i.departement_code", "i.region_code"};
    const search_query_t *sq = x->sq;
    bool first = true;
    /* Free words in one région are looked up in that région's own GIN index (migration 028),
     * whose predicate only this form proves; the btree indexes on region_code cannot use it, so
     * the planner does not intersect them with that index. It estimates the same rows as
     * `= ANY`. Not with a radius, whose words are tested with its points (migration 027). */
    if (sq->nterritories == 1 && strcmp(sq->territories[0].level, "region") == 0 && !x->ast &&
        x->q && x->q[0] && !sq->has_near) {
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
        sq->territories[0].region[0] && !x->ast && x->q && x->q[0] && !sq->has_near &&
        !x->estimate) {
        sqlb_sql(&x->b, " AND (i.region_code = ");
        sqlb_param(&x->b, sq->territories[0].region);
        sqlb_sql(&x->b, "::text) IS TRUE AND i.departement_code = ");
        sqlb_param(&x->b, sq->territories[0].code);
        return;
    }
    sqlb_sql(&x->b, " AND (");
    for (int l = 0; l < 4; l++) {
        search_codes_t c = {.n = 0};
        for (size_t i = 0; i < sq->nterritories; i++)
            if (strcmp(sq->territories[i].level, levels[l]) == 0)
                c.codes[c.n++] = sq->territories[i].code;
        if (c.n == 0)
            continue;
        sqlb_sql(&x->b, first ? "" : " OR ");
        sqlb_sql(&x->b, columns[l]);
        if (c.n == 1) { /* = lets an index on (place, created_at) give the newest in order */
            sqlb_sql(&x->b, " = ");
            sqlb_param(&x->b, c.codes[0]);
        } else {
            sqlb_sql(&x->b, " = ANY (");
            codes_param(x, &c);
            sqlb_sql(&x->b, ")");
        }
        first = false;
    }
    sqlb_sql(&x->b, ")");
}

/* The theme filter as a test of the themes' bits (x->bits, search_theme_bits_sql); false, with
 * nothing written, when a theme has no bit. */
static bool where_theme_bits(qb_t *x) {
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

/* The conditions of the search, except the filter behind facet `skip` (-1: none), so that a
 * facet's counts ignore its own filter. */
static void where_build(qb_t *x, int skip) {
    static const char *const array_cols[SEARCH_NKINDS] = {[SEARCH_THEME] = "i.themes",
                                                          [SEARCH_SUBTHEME] = "i.subthemes",
                                                          [SEARCH_PUBLIC] = "i.publics"};
    static const char *const scalar_cols[SEARCH_NKINDS] = {[SEARCH_ACTOR_TYPE] = "i.actor_type",
                                                           [SEARCH_SCALE] = "i.scale",
                                                           [SEARCH_STAGE] = "i.stage"};
    const search_query_t *sq = x->sq;
    sqlb_sql(&x->b, " WHERE i.status = 'published'");
    if (x->ast) {
        sqlb_sql(&x->b, " AND ");
        search_ast_sql(x->ast, x->bits, &x->b);
    } else if (x->q && x->q[0]) {
        /* Left to the planner: with a radius or a box, it tests the words and the point together
         * in initiative_geom_tsv_idx (sql/migrations/027_search_place_words.sql), cheaper than
         * testing the words on each row of the box or reading the words' whole posting list. */
        sqlb_sql(&x->b, " AND i.tsv @@ sc_tsquery(");
        ref_q(x);
        sqlb_sql(&x->b, ")");
    }
    for (int k = 0; k < SEARCH_NKINDS; k++) {
        if (sq->codes[k].n == 0 || k == skip)
            continue;
        if (k == SEARCH_THEME && where_theme_bits(x))
            continue;
        if (array_cols[k]) {
            sqlb_sql(&x->b, " AND ");
            sqlb_sql(&x->b, array_cols[k]);
            sqlb_sql(&x->b, " && ");
            codes_param(x, &sq->codes[k]);
        } else if (scalar_cols[k]) {
            sqlb_sql(&x->b, " AND ");
            sqlb_sql(&x->b, scalar_cols[k]);
            sqlb_sql(&x->b, " = ANY (");
            codes_param(x, &sq->codes[k]);
            sqlb_sql(&x->b, ")");
        } else { /* source */
            sqlb_sql(&x->b, " AND EXISTS (SELECT 1 FROM source_record sr JOIN source s"
                            " ON s.id = sr.source_id WHERE sr.initiative_id = i.id"
                            " AND sr.gone_at IS NULL AND s.code = ANY (");
            codes_param(x, &sq->codes[k]);
            sqlb_sql(&x->b, "))");
        }
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
    if (sq->has_near) {
        /* The box prefilter lets the GiST index on geom work; the geography test is exact. */
        double c = cos(sq->near_lat * M_PI / 180);
        double deg = sq->near_km / (111.32 * (c < 0.01 ? 0.01 : c));
        sqlb_sql(&x->b, " AND i.geom && ST_Expand(");
        near_point(x);
        sqlb_sql(&x->b, ", ");
        sqlb_paramf(&x->b, "%.6f", deg);
        sqlb_sql(&x->b, "::float8) AND ST_DWithin(i.geom::geography, ");
        near_point(x);
        sqlb_sql(&x->b, "::geography, ");
        sqlb_paramf(&x->b, "%.1f", sq->near_km * 1000);
        sqlb_sql(&x->b, "::float8)");
    }
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

static search_sort effective_sort(const search_query_t *sq, const char *q) {
    if (sq->sort != SEARCH_SORT_DEFAULT)
        return sq->sort == SEARCH_SORT_RELEVANCE && !(q && q[0]) ? SEARCH_SORT_RECENT : sq->sort;
    return q && q[0] ? SEARCH_SORT_RELEVANCE : SEARCH_SORT_RECENT;
}

static dom_status run(db_t *db, qb_t *x, const char *label, PGresult **r) {
    *r = NULL;
    if (!sqlb_ok(&x->b)) {
        log_msg("error", "search: cannot assemble %s", label);
        return DOM_INTERNAL;
    }
    return dom_from_db(
            db_query(db, label, buf_cstr(&x->b.sql), x->b.n, (const char *const *)x->b.params, r));
}

/* The planner's row estimate of a node of an EXPLAIN (FORMAT JSON) plan; -1 when absent. */
static double plan_rows(json_t *node) {
    json_t *rows = json_object_get(node, "Plan Rows");
    return json_is_number(rows) ? json_number_value(rows) : -1;
}

/* The planner's estimate of the number of matches (0 when it cannot be read). */
static dom_status search_estimate(db_t *db, const search_query_t *sq, const char *q,
                                  const search_ast_t *ast, double *est) {
    qb_t x;
    PGresult *r;
    json_error_t jerr;
    qb_init(&x, sq, q, ast);
    x.estimate = true;
    sqlb_sql(&x.b, "EXPLAIN (FORMAT JSON) SELECT 1 FROM initiative i");
    where_build(&x, -1);
    dom_status st = run(db, &x, "search estimate", &r);
    sqlb_free(&x.b);
    *est = 0;
    if (st != DOM_OK)
        return st;
    json_t *plan = json_loads(PQgetvalue(r, 0, 0), 0, &jerr);
    double rows = plan_rows(json_object_get(json_array_get(plan, 0), "Plan"));
    *est = rows >= 0 ? rows : 0;
    json_decref(plan);
    PQclear(r);
    return DOM_OK;
}

/* The number of matches read from facet_count, when the search has no words, place or year and
 * one filter code of a kind held once per initiative (actor type, scale, stage, région,
 * département), or two codes of which one is of such a kind: exact at any size. False when the
 * search is not of that shape. */
static dom_status total_precounted(db_t *db, const search_query_t *sq, const char *q,
                                   const search_ast_t *ast, json_int_t *total, bool *found) {
    const char *kind[2], *code[2];
    bool single[2], territorial[2];
    int n = 0;
    *found = false;
    if (ast || (q && q[0]) || sq->has_near || sq->has_bbox || sq->year_min || sq->year_max ||
        sq->changed_since)
        return DOM_OK;
    for (int k = 0; k < SEARCH_NKINDS; k++) {
        if (sq->codes[k].n == 0)
            continue;
        if (sq->codes[k].n > 1 || k == SEARCH_SOURCE || n == 2)
            return DOM_OK;
        kind[n] = kind_names[k];
        code[n] = sq->codes[k].codes[0];
        single[n] = k == SEARCH_ACTOR_TYPE || k == SEARCH_SCALE || k == SEARCH_STAGE;
        territorial[n++] = false;
    }
    for (size_t i = 0; i < sq->nterritories; i++) {
        const territory_ref_t *t = &sq->territories[i];
        if (n == 2 || (strcmp(t->level, "region") != 0 && strcmp(t->level, "departement") != 0))
            return DOM_OK;
        kind[n] = t->level;
        code[n] = t->code;
        single[n] = territorial[n] = true;
        n++;
    }
    if (n == 0 || (n == 1 && !single[0]) || (n == 2 && !single[0] && !single[1]) ||
        (n == 2 && territorial[0] && territorial[1]))
        return DOM_OK;
    /* The counted kind is one held once per initiative; the other, if any, is the filter. */
    int b = n == 2 && single[1] ? 1 : 0, a = 1 - b;
    const char *params[] = {n == 2 ? kind[a] : "", n == 2 ? code[a] : "", kind[b], code[b]};
    PGresult *r;
    dom_status st = dom_from_db(db_exec(db, "search_total_precounted", 4, params, &r));
    if (st != DOM_OK)
        return st;
    *total = PQntuples(r) == 1 ? strtoll(PQgetvalue(r, 0, 0), NULL, 10) : 0;
    *found = true;
    PQclear(r);
    return DOM_OK;
}

/* The number of matches, counted up to the cap plus one. */
static dom_status search_count(db_t *db, const search_query_t *sq, const char *q,
                               const search_ast_t *ast, const search_theme_bits_t *bits,
                               json_int_t *total) {
    qb_t x;
    PGresult *r;
    qb_init(&x, sq, q, ast);
    x.bits = bits;
    sqlb_sql(&x.b, "SELECT count(*) FROM (SELECT 1 FROM initiative i");
    where_build(&x, -1);
    sqlb_sql(&x.b, " LIMIT " CAP_PLUS_ONE ") s");
    dom_status st = run(db, &x, "search count", &r);
    sqlb_free(&x.b);
    if (st != DOM_OK)
        return st;
    *total = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return DOM_OK;
}

/* The number of matches: the planner's estimate when it is far above the cap (counting a common
 * word costs more than the search itself: 84 ms for 33,000 matches of 1,000,000), else exact up
 * to the cap, and past the cap the estimate if it is above the cap; exact at any size when read
 * from facet_count (*precounted). *est is the estimate. When a count is needed and the estimate
 * is at most defer_below, nothing is counted and *deferred is set: the page counts its matches
 * (a ranked page of that size reads all of them anyway). */
static dom_status search_total(db_t *db, const search_query_t *sq, const char *q,
                               const search_ast_t *ast, const search_theme_bits_t *bits,
                               double defer_below, json_int_t *total, bool *estimate, double *est,
                               bool *precounted, bool *deferred) {
    *estimate = *deferred = false;
    dom_status st = total_precounted(db, sq, q, ast, total, precounted);
    if (st != DOM_OK || *precounted) {
        *est = (double)*total;
        return st;
    }
    st = search_estimate(db, sq, q, ast, est);
    if (st != DOM_OK)
        return st;
    if (*est > SEARCH_ESTIMATE_ABOVE) {
        *total = (json_int_t)*est;
        *estimate = true;
        return DOM_OK;
    }
    if (*est <= defer_below) {
        *deferred = true;
        return DOM_OK;
    }
    return search_count(db, sq, q, ast, bits, total);
}

/* The ORDER BY of a page's ids. Relevance is the RUM distance (lower is better); ties come newest
 * first, except for a large match set (big), where they come in the order of the index: ordering
 * the ties by id would make the planner compute the distance of every match instead of reading
 * the best ones from the index. */
static void order_by(qb_t *x, search_sort sort, bool big) {
    switch (sort) {
    case SEARCH_SORT_RELEVANCE:
        sqlb_sql(&x->b, big ? " ORDER BY rank" : " ORDER BY rank, i.id DESC");
        break;
    case SEARCH_SORT_NAME:
        sqlb_sql(&x->b, " ORDER BY sc_normalize(i.title), i.id");
        break;
    case SEARCH_SORT_DISTANCE:
        sqlb_sql(&x->b, " ORDER BY dist, i.id");
        break;
    default:
        sqlb_sql(&x->b, " ORDER BY i.created_at DESC, i.id DESC");
        break;
    }
}

/* SELECT id, rank, dist, n FROM initiative i (or `from`) WHERE …, past the keyset cursor when
 * `after`. With the count of all matches (count_all), the matches are a subquery, also named i,
 * that OFFSET 0 keeps apart: the window of the count then stores their id, rank and distance
 * (20 bytes a match). Flattened, it stored the columns the rank is computed from, tsv included
 * (650 bytes a match, 3 MB for the 4,500 of q=insertion&theme=EMP&territory=region:84), and the
 * rank was computed above it: that page took 26.0 ms, now 25.4 ms in a long-lived connection
 * (29.6 and 25.7 ms in a new one, which has yet to grow its memory). */
static void page_select(qb_t *x, const char *from, bool after) {
    const search_query_t *sq = x->sq;
    if (x->count_all)
        sqlb_sql(&x->b, "SELECT i.id, i.rank, i.dist, count(*) OVER () AS n FROM (");
    sqlb_sql(&x->b, "SELECT i.id, ");
    if (x->q && x->q[0]) {
        sqlb_sql(&x->b, "i.tsv <=> sc_tsquery(");
        ref_q(x);
        sqlb_sql(&x->b, ") AS rank, ");
    } else {
        sqlb_sql(&x->b, "0 AS rank, ");
    }
    if (sq->has_near) {
        sqlb_sql(&x->b, "ST_Distance(i.geom::geography, ");
        near_point(x);
        sqlb_sql(&x->b, "::geography) AS dist");
    } else {
        sqlb_sql(&x->b, "NULL::float8 AS dist");
    }
    if (!x->count_all)
        sqlb_sql(&x->b, ", NULL::bigint AS n");
    sqlb_sql(&x->b, from);
    where_build(x, -1);
    if (after) {
        sqlb_sql(&x->b, " AND (i.created_at, i.id) < ('epoch'::timestamptz + ");
        sqlb_paramf(&x->b, "%" PRId64, sq->cursor->created_us);
        sqlb_sql(&x->b, "::bigint * interval '1 microsecond', ");
        sqlb_paramf(&x->b, "%" PRId64, sq->cursor->id);
        sqlb_sql(&x->b, "::bigint)");
    }
    if (x->count_all)
        sqlb_sql(&x->b, " OFFSET 0) i");
}

static bool has_filters(const search_query_t *sq, const search_ast_t *ast);

/* A newest-first page (keyset) with the number of all matches in column n, from one read of the
 * matches: up to the cap plus one of them, in any order (the plan of the count), then their
 * newest. Past the cursor is decided above the count, which counts them all. A search with more
 * matches than the cap gets a page of some of them only: the caller reads it again without the
 * count (n tells). Used for the searches filtered by theme and région or département without words
 * (search_attempt), whose indexes (migrations 026, 032) hold the date and id of their entries: the
 * count read them anyway, and walking the newest-first index for the page read 3,800 rows of the
 * table for the 21 of theme:ENV year:2015..2020 territory:region:76. */
static void newest_counted(qb_t *x) {
    const search_query_t *sq = x->sq;
    sqlb_sql(&x->b, "SELECT m.id, 0 AS rank, NULL::float8 AS dist, m.n FROM (SELECT i.id,"
                    " i.created_at, count(*) OVER () AS n FROM (SELECT i.id, i.created_at"
                    " FROM initiative i");
    where_build(x, -1);
    sqlb_sql(&x->b, " LIMIT " CAP_PLUS_ONE ") i) m");
    if (sq->cursor) {
        sqlb_sql(&x->b, " WHERE (m.created_at, m.id) < ('epoch'::timestamptz + ");
        sqlb_paramf(&x->b, "%" PRId64, sq->cursor->created_us);
        sqlb_sql(&x->b, "::bigint * interval '1 microsecond', ");
        sqlb_paramf(&x->b, "%" PRId64, sq->cursor->id);
        sqlb_sql(&x->b, "::bigint)");
    }
    sqlb_sql(&x->b, " ORDER BY m.created_at DESC, m.id DESC LIMIT ");
    sqlb_paramf(&x->b, "%d", sq->limit + 1);
}

/* *counted, when not NULL: the number of all matches, read with the page (-1 when a page past
 * the first is empty). The page is read in two statements: its ids, the part that depends on the
 * search (planned for it), then their items (search_items, prepared). */
static dom_status search_page(db_t *db, const search_query_t *sq, const char *q,
                              const search_ast_t *ast, const search_theme_bits_t *bits,
                              search_sort sort, bool big, json_int_t *counted, json_t **out) {
    qb_t x;
    PGresult *r;
    bool words = q && q[0];
    bool keyset = sort == SEARCH_SORT_RECENT;
    cursor_t base = {.kind = CURSOR_OFFSET,
                     .offset = sq->cursor && !keyset ? sq->cursor->offset : 0};
    qb_init(&x, sq, q, ast);
    x.bits = bits;
    x.count_all = counted != NULL && !keyset;

    bool ranked = sort == SEARCH_SORT_RELEVANCE;
    /* A large ranked match set of free words comes in tiers (TIERS_SQL). */
    dom_status st;
    if (ranked && big && words && !has_filters(sq, ast)) {
        char n[32], lim[32], off[32];
        snprintf(n, sizeof n, "%" PRId64, base.offset + sq->limit + 1);
        snprintf(lim, sizeof lim, "%d", sq->limit + 1);
        snprintf(off, sizeof off, "%" PRId64, base.offset);
        const char *params[] = {q, n, lim, off};
        st = dom_from_db(db_exec(db, "search_tiers", 4, params, &r));
    } else if (keyset && counted) {
        newest_counted(&x);
        st = run(db, &x, "search page", &r);
        if (st == DOM_OK && PQntuples(r) > 0 &&
            strtoll(PQgetvalue(r, 0, 3), NULL, 10) > SEARCH_TOTAL_CAP) {
            /* More matches than were read: the page is not theirs; it is read on its own. */
            *counted = strtoll(PQgetvalue(r, 0, 3), NULL, 10);
            PQclear(r);
            sqlb_free(&x.b);
            return search_page(db, sq, q, ast, bits, sort, big, NULL, out);
        }
    } else {
        page_select(&x, " FROM initiative i", keyset && sq->cursor);
        order_by(&x, sort, big);
        sqlb_sql(&x.b, " LIMIT ");
        sqlb_paramf(&x.b, "%d", sq->limit + 1);
        if (!keyset) {
            sqlb_sql(&x.b, " OFFSET ");
            sqlb_paramf(&x.b, "%" PRId64, base.offset);
        }
        st = run(db, &x, "search page", &r);
    }
    sqlb_free(&x.b);
    if (st != DOM_OK)
        return st;
    int rows = PQntuples(r);
    /* An empty page: no match at all, unless it comes after a cursor (-1: not counted). */
    if (counted)
        *counted = rows > 0 ? strtoll(PQgetvalue(r, 0, 3), NULL, 10)
                   : base.offset == 0 && !(keyset && sq->cursor) ? 0
                                                                 : -1;

    /* The ids of the page shown ("{1,2,…}"), the row after it only telling that there is more. */
    int shown = rows < sq->limit ? rows : sq->limit;
    buf_t ids;
    buf_init(&ids, 32 * (size_t)(shown + 1));
    bool ok = buf_append_str(&ids, "{");
    for (int i = 0; ok && i < shown; i++)
        ok = (i == 0 || buf_append_str(&ids, ",")) && buf_append_str(&ids, PQgetvalue(r, i, 0));
    ok = ok && buf_append_str(&ids, "}");
    PGresult *items = NULL;
    if (ok && shown == 0) {
        /* Nothing to read (the first attempt of a misspelt word): an empty result of the items. */
        items = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
        st = items ? DOM_OK : DOM_INTERNAL;
    } else if (ok) {
        const char *params[] = {sq->lang, buf_cstr(&ids), words ? q : NULL};
        st = dom_from_db(db_exec(db, "search_items", 3, params, &items));
    } else {
        st = DOM_INTERNAL;
    }
    buf_free(&ids);
    if (st == DOM_OK)
        st = initiative_items_json(items, sq->limit, rows > sq->limit, keyset ? NULL : &base, out);
    json_t *list = st == DOM_OK ? json_object_get(*out, "items") : NULL;
    /* The query's lexemes, the same on every row: a query whose lexemes cannot be read gets its
     * excerpts without marks. */
    excerpt_terms_t terms = {.n = 0};
    if (list && PQntuples(items) > 0 && !PQgetisnull(items, 0, INITIATIVE_ITEM_NCOLS) &&
        !excerpt_terms_parse(PQgetvalue(items, 0, INITIATIVE_ITEM_NCOLS), &terms))
        log_msg("warning", "search: unreadable query lexemes");
    /* The items come in the order of the ids; one deleted in between is missing (j skips it). */
    for (int i = 0, j = 0; list && i < PQntuples(items) && i < sq->limit; i++, j++) {
        json_t *item = json_array_get(list, (size_t)i);
        while (j < shown && strcmp(PQgetvalue(r, j, 0), PQgetvalue(items, i, 0)) != 0)
            j++;
        if (!PQgetisnull(items, i, INITIATIVE_ITEM_NCOLS)) {
            buf_t html;
            buf_init(&html, 4 * EXCERPT_TEXT_MAX);
            if (excerpt_html(PQgetvalue(items, i, INITIATIVE_ITEM_NCOLS + 1),
                             (size_t)PQgetlength(items, i, INITIATIVE_ITEM_NCOLS + 1), &terms,
                             &html))
                json_object_set_new(item, "excerpt", json_stringn(buf_cstr(&html), html.len));
            buf_free(&html);
        }
        if (j < shown && !PQgetisnull(r, j, 2))
            json_object_set_new(
                    item, "distance_m",
                    json_integer((json_int_t)llround(strtod(PQgetvalue(r, j, 2), NULL))));
    }
    PQclear(items);
    PQclear(r);
    return st;
}

/* Whether facet's counts can be read from facet_count (sql/migrations/013_facet_counts.sql): no
 * words, place or year, and, its own filter left out, no filter or a single code of a kind the
 * table keeps. Sets *fkind and *fcode to that filter ("" and "" for none). */
static bool facet_precounted(const search_query_t *sq, const char *q, const search_ast_t *ast,
                             int facet, const char **fkind, const char **fcode) {
    bool territorial = facet == SEARCH_FACET_REGION || facet == SEARCH_FACET_DEPARTEMENT;
    size_t nfilters = 0;
    *fkind = *fcode = "";
    if (facet == SEARCH_SOURCE || ast || (q && q[0]) || sq->has_near || sq->has_bbox ||
        sq->year_min || sq->year_max || sq->changed_since)
        return false;
    for (int k = 0; k < SEARCH_NKINDS; k++) {
        if (k == facet || sq->codes[k].n == 0)
            continue;
        if (k == SEARCH_SOURCE)
            return false;
        nfilters += sq->codes[k].n;
        *fkind = kind_names[k];
        *fcode = sq->codes[k].codes[0];
    }
    if (!territorial) {
        for (size_t i = 0; i < sq->nterritories; i++) {
            const territory_ref_t *t = &sq->territories[i];
            if (strcmp(t->level, "region") != 0 && strcmp(t->level, "departement") != 0)
                return false;
            nfilters++;
            *fkind = t->level;
            *fcode = t->code;
        }
    }
    return nfilters <= 1;
}

/* One facet: [{"code","label","count"}], its own filter left out. */
static dom_status search_facet(db_t *db, const search_query_t *sq, const char *q,
                               const search_ast_t *ast, const search_theme_bits_t *bits, int facet,
                               json_t **out) {
    static const char *const array_cols[SEARCH_NKINDS] = {[SEARCH_THEME] = "themes",
                                                          [SEARCH_SUBTHEME] = "subthemes",
                                                          [SEARCH_PUBLIC] = "publics"};
    static const char *const scalar_cols[SEARCH_NKINDS] = {
            [SEARCH_ACTOR_TYPE] = "actor_type", [SEARCH_SCALE] = "scale", [SEARCH_STAGE] = "stage"};
    qb_t x;
    PGresult *r;
    const char *fkind, *fcode;
    qb_init(&x, sq, q, ast);
    x.bits = bits;
    if (facet_precounted(sq, q, ast, facet, &fkind, &fcode)) {
        const char *kind = search_facet_name(facet);
        if (facet == SEARCH_FACET_REGION || facet == SEARCH_FACET_DEPARTEMENT) {
            sqlb_sql(&x.b, "SELECT c.code, t.name, c.n FROM facet_count c JOIN territory t"
                           " ON t.level = c.kind AND t.code = c.code");
        } else if (facet == SEARCH_FACET_YEAR) {
            sqlb_sql(&x.b, "SELECT c.code, c.code, c.n FROM facet_count c");
        } else {
            sqlb_sql(&x.b, "SELECT c.code, vocab_label(c.kind, c.code, ");
            ref_lang(&x);
            sqlb_sql(&x.b, "), c.n FROM facet_count c");
        }
        sqlb_sql(&x.b, " WHERE c.fkind = ");
        sqlb_param(&x.b, fkind);
        sqlb_sql(&x.b, " AND c.fcode = ");
        sqlb_param(&x.b, fcode);
        sqlb_sql(&x.b, " AND c.kind = ");
        sqlb_param(&x.b, kind);
        sqlb_sql(&x.b, " AND c.n > 0");
    } else if (facet == SEARCH_SOURCE) {
        sqlb_sql(&x.b, "SELECT s.code, s.name, count(DISTINCT i.id) FROM initiative i"
                       " JOIN source_record sr ON sr.initiative_id = i.id AND sr.gone_at IS NULL"
                       " JOIN source s ON s.id = sr.source_id");
        where_build(&x, facet);
        sqlb_sql(&x.b, " GROUP BY s.code, s.name");
    } else if (facet == SEARCH_FACET_REGION || facet == SEARCH_FACET_DEPARTEMENT) {
        bool reg = facet == SEARCH_FACET_REGION;
        sqlb_sql(&x.b, reg ? "SELECT i.region_code, t.name, count(*) FROM initiative i"
                             " JOIN territory t ON t.level = 'region' AND t.code = i.region_code"
                           : "SELECT i.departement_code, t.name, count(*) FROM initiative i"
                             " JOIN territory t ON t.level = 'departement'"
                             " AND t.code = i.departement_code");
        where_build(&x, facet);
        sqlb_sql(&x.b, " GROUP BY 1, 2");
    } else if (facet == SEARCH_FACET_YEAR) {
        sqlb_sql(&x.b, "SELECT i.start_year::text, i.start_year::text, count(*) FROM initiative i");
        where_build(&x, facet);
        sqlb_sql(&x.b, " AND i.start_year IS NOT NULL GROUP BY i.start_year");
    } else if (facet < SEARCH_NKINDS && array_cols[facet]) {
        sqlb_sql(&x.b, "SELECT u.code, vocab_label('");
        sqlb_sql(&x.b, facet == SEARCH_THEME      ? "theme"
                       : facet == SEARCH_SUBTHEME ? "subtheme"
                                                  : "public");
        sqlb_sql(&x.b, "', u.code, ");
        ref_lang(&x);
        sqlb_sql(&x.b, "), count(*) FROM initiative i CROSS JOIN LATERAL unnest(i.");
        sqlb_sql(&x.b, array_cols[facet]);
        sqlb_sql(&x.b, ") AS u(code)");
        where_build(&x, facet);
        sqlb_sql(&x.b, " GROUP BY u.code");
    } else {
        sqlb_sql(&x.b, "SELECT i.");
        sqlb_sql(&x.b, scalar_cols[facet]);
        sqlb_sql(&x.b, ", vocab_label('");
        sqlb_sql(&x.b, kind_names[facet]);
        sqlb_sql(&x.b, "', i.");
        sqlb_sql(&x.b, scalar_cols[facet]);
        sqlb_sql(&x.b, ", ");
        ref_lang(&x);
        sqlb_sql(&x.b, "), count(*) FROM initiative i");
        where_build(&x, facet);
        sqlb_sql(&x.b, " AND i.");
        sqlb_sql(&x.b, scalar_cols[facet]);
        sqlb_sql(&x.b, " IS NOT NULL GROUP BY 1");
    }
    sqlb_sql(&x.b, facet == SEARCH_FACET_YEAR ? " ORDER BY 1 DESC" : " ORDER BY 3 DESC, 2, 1");
    dom_status st = run(db, &x, "search facet", &r);
    sqlb_free(&x.b);
    *out = NULL;
    if (st != DOM_OK)
        return st;
    *out = json_array();
    for (int i = 0; *out && i < PQntuples(r); i++) {
        const char *label = PQgetisnull(r, i, 1) ? PQgetvalue(r, i, 0) : PQgetvalue(r, i, 1);
        if (json_array_append_new(
                    *out, json_pack("{s:s, s:s, s:I}", "code", PQgetvalue(r, i, 0), "label", label,
                                    "count", (json_int_t)strtoll(PQgetvalue(r, i, 2), NULL, 10))) !=
            0) {
            json_decref(*out);
            *out = NULL;
        }
    }
    PQclear(r);
    return *out ? DOM_OK : DOM_INTERNAL;
}

static dom_status search_facets(db_t *db, const search_query_t *sq, const char *q,
                                const search_ast_t *ast, const search_theme_bits_t *bits,
                                json_t *answer) {
    if (sq->facets == 0)
        return DOM_OK;
    json_t *facets = json_object();
    if (facets == NULL || json_object_set_new(answer, "facets", facets) != 0)
        return DOM_INTERNAL;
    for (int f = 0; f < SEARCH_NFACETS; f++) {
        json_t *list;
        if (!(sq->facets & (1u << f)))
            continue;
        dom_status st = search_facet(db, sq, q, ast, bits, f, &list);
        if (st != DOM_OK)
            return st;
        if (json_object_set_new(facets, search_facet_name(f), list) != 0)
            return DOM_INTERNAL;
    }
    return DOM_OK;
}

/* Fails with SEARCH_UNKNOWN_CODE on the first code that is not in its vocabulary. */
static search_status check_codes(db_t *db, const search_query_t *sq, search_error_t *err) {
    for (int k = 0; k < SEARCH_NKINDS; k++) {
        const search_codes_t *c = &sq->codes[k];
        qb_t x;
        PGresult *r;
        if (c->n == 0)
            continue;
        qb_init(&x, sq, NULL, NULL);
        codes_param(&x, c); /* only to build the literal: $1 */
        const char *params[] = {x.b.params[0], kind_names[k]};
        dom_status st =
                sqlb_ok(&x.b)
                        ? dom_from_db(k == SEARCH_SOURCE
                                              ? db_exec(db, "search_unknown_source", 1, params, &r)
                                              : db_exec(db, "search_unknown_vocab", 2, params, &r))
                        : DOM_INTERNAL;
        sqlb_free(&x.b);
        if (st != DOM_OK) {
            err->dom = st;
            return SEARCH_FAILED;
        }
        bool unknown = PQntuples(r) > 0;
        if (unknown) {
            err->bad_kind = (search_kind)k;
            for (size_t i = 0; i < c->n; i++)
                if (strcmp(c->codes[i], PQgetvalue(r, 0, 0)) == 0)
                    err->bad_code = c->codes[i];
        }
        PQclear(r);
        if (unknown)
            return SEARCH_UNKNOWN_CODE;
    }
    return SEARCH_OK;
}

/* The words with each unknown one replaced by the closest indexed word; NULL when nothing
 * changed. The caller frees the result. */
static dom_status search_correct(db_t *db, const char *q, char **corrected) {
    const char *params[] = {q};
    PGresult *r;
    *corrected = NULL;
    dom_status st = dom_from_db(db_exec(db, "search_correct", 1, params, &r));
    if (st != DOM_OK)
        return st;
    if (PQntuples(r) == 1 && !PQgetisnull(r, 0, 0) &&
        strcmp(PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1)) != 0)
        *corrected = strdup(PQgetvalue(r, 0, 0));
    PQclear(r);
    return DOM_OK;
}

/* Whether the search has conditions besides its free words: its matches are then few enough to be
 * read (they are counted up to the cap), and ranked ties stay newest first up to the cap. */
static bool has_filters(const search_query_t *sq, const search_ast_t *ast) {
    if (ast || sq->nterritories > 0 || sq->year_min || sq->year_max || sq->has_near ||
        sq->has_bbox || sq->changed_since)
        return true;
    for (int k = 0; k < SEARCH_NKINDS; k++)
        if (sq->codes[k].n > 0)
            return true;
    return false;
}

/* Whether the themes are tested on their bits (*use, with *bits read): for a search without words
 * filtered by région or département, whose indexes (migration 026) hold the bits. Elsewhere the
 * array stays, which the GIN indexes on themes serve (a theme with words, or with other filters).
 * The estimate of the total keeps the array in every case (search_estimate), so that it stays
 * the same figure. */
static dom_status theme_bits_use(db_t *db, const search_query_t *sq, const char *q,
                                 const search_ast_t *ast, search_theme_bits_t *bits, bool *use) {
    bool words = q && q[0], territorial = false;
    *use = false;
    bits->n = 0;
    if (ast) {
        bool ast_words;
        territorial = search_ast_territorial(ast, &ast_words);
        words = words || ast_words;
    } else if (sq->codes[SEARCH_THEME].n > 0) {
        territorial = sq->nterritories > 0;
        for (size_t i = 0; i < sq->nterritories; i++)
            territorial = territorial && (strcmp(sq->territories[i].level, "region") == 0 ||
                                          strcmp(sq->territories[i].level, "departement") == 0);
    }
    if (words || !territorial)
        return DOM_OK;
    PGresult *r;
    dom_status st = dom_from_db(db_exec(db, "search_theme_bits", 0, NULL, &r));
    if (st != DOM_OK)
        return st;
    for (int i = 0; i < PQntuples(r) && bits->n < SEARCH_THEME_BITS_MAX; i++) {
        snprintf(bits->code[bits->n], sizeof bits->code[0], "%s", PQgetvalue(r, i, 0));
        bits->bit[bits->n++] = atoi(PQgetvalue(r, i, 1));
    }
    PQclear(r);
    *use = true;
    return DOM_OK;
}

static dom_status search_attempt(db_t *db, const search_query_t *sq, const char *q,
                                 const search_ast_t *ast, json_t **out, json_int_t *total) {
    bool estimate, precounted, use_bits;
    double est;
    search_theme_bits_t bits;
    *out = NULL;
    search_sort sort = effective_sort(sq, q);
    double big_above = has_filters(sq, ast) ? SEARCH_TOTAL_CAP : SEARCH_RANK_TIES_BY_INDEX;
    bool deferred;
    json_int_t counted = -1;
    /* A ranked page that is not big sorts all its matches, and so does a page by distance (the
     * distance is computed for each match, no index reads it in order): it counts them as well. */
    bool sorts_all = (sort == SEARCH_SORT_RELEVANCE && q && q[0]) || sort == SEARCH_SORT_DISTANCE;
    dom_status st = theme_bits_use(db, sq, q, ast, &bits, &use_bits);
    const search_theme_bits_t *b = use_bits ? &bits : NULL;
    /* The newest page of a search by theme and territory counts its matches (newest_counted). */
    if (use_bits && sort == SEARCH_SORT_RECENT && !sq->has_near)
        sorts_all = true;
    if (st == DOM_OK)
        st = search_total(db, sq, q, ast, b, sorts_all ? big_above : -1, total, &estimate, &est,
                          &precounted, &deferred);
    if (st == DOM_OK)
        st = search_page(db, sq, q, ast, b, sort, est > big_above, deferred ? &counted : NULL, out);
    if (st == DOM_OK && deferred) {
        if (counted >= 0)
            *total = counted;
        else
            st = search_count(db, sq, q, ast, b, total); /* a page past the last match */
    }
    if (st == DOM_OK && !precounted && !estimate && *total > SEARCH_TOTAL_CAP &&
        est > SEARCH_TOTAL_CAP) {
        *total = (json_int_t)est;
        estimate = true;
    }
    if (st == DOM_OK) {
        bool exact = !estimate && (precounted || *total <= SEARCH_TOTAL_CAP);
        if (json_object_set_new(*out, "total",
                                json_integer(estimate ? *total
                                             : exact  ? *total
                                                      : SEARCH_TOTAL_CAP)) != 0 ||
            json_object_set_new(*out, "total_exact", json_boolean(exact)) != 0 ||
            json_object_set_new(*out, "total_is_estimate", json_boolean(estimate)) != 0)
            st = DOM_INTERNAL;
    }
    if (st == DOM_OK)
        st = search_facets(db, sq, q, ast, b, *out);
    if (st != DOM_OK) {
        json_decref(*out);
        *out = NULL;
    }
    return st;
}

/* Reads q: free words (*ranked is their websearch text, in plain) or the fine-search language
 * (*fine, ast set; *ranked the words to rank by, or NULL). On failure nothing is left to free. */
static search_status prepare_q(db_t *db, const search_query_t *sq, search_ast_t *ast, buf_t *plain,
                               bool *fine, const char **ranked, search_error_t *err) {
    *fine = false;
    *ranked = sq->q;
    buf_init(plain, 2 * SEARCH_Q_MAX);
    if (!(sq->q && sq->q[0]))
        return SEARCH_OK;
    switch (search_ast_prepare(db, sq->q, ast, plain, err->message, sizeof err->message,
                               &err->dom)) {
    case SEARCH_AST_PLAIN:
        *ranked = buf_cstr(plain);
        return SEARCH_OK;
    case SEARCH_AST_READY:
        *fine = true;
        *ranked = ast->rank_text.len ? buf_cstr(&ast->rank_text) : NULL;
        return SEARCH_OK;
    case SEARCH_AST_INVALID:
        buf_free(plain);
        return SEARCH_SYNTAX;
    default:
        buf_free(plain);
        return SEARCH_FAILED;
    }
}

search_status search_run(db_t *db, const search_query_t *sq, json_t **out, search_error_t *err) {
    json_int_t total = 0;
    char *corrected = NULL;
    search_ast_t ast;
    buf_t plain;
    bool fine = false;
    const char *ranked = sq->q;
    search_status ss;
    *out = NULL;
    err->dom = DOM_OK;
    if (sq->nterritories > SEARCH_TERRITORIES_MAX) {
        err->dom = DOM_INTERNAL;
        return SEARCH_FAILED;
    }
    ss = check_codes(db, sq, err);
    if (ss != SEARCH_OK)
        return ss;
    ss = prepare_q(db, sq, &ast, &plain, &fine, &ranked, err);
    if (ss != SEARCH_OK)
        return ss;
    if (sq->cursor &&
        sq->cursor->kind != (effective_sort(sq, ranked) == SEARCH_SORT_RECENT ? CURSOR_KEYSET
                                                                              : CURSOR_OFFSET)) {
        ss = SEARCH_BAD_CURSOR;
        goto done;
    }

    err->dom = search_attempt(db, sq, ranked, fine ? &ast : NULL, out, &total);
    /* Nothing found for free words: try the closest indexed words (on every page, so that the
     * cursors of a corrected search keep working). The fine-search language is taken literally. */
    if (err->dom == DOM_OK && total == 0 && !fine && ranked && ranked[0]) {
        err->dom = search_correct(db, ranked, &corrected);
        if (err->dom == DOM_OK && corrected) {
            json_t *second;
            json_int_t total2;
            err->dom = search_attempt(db, sq, corrected, NULL, &second, &total2);
            if (err->dom == DOM_OK && total2 > 0) {
                json_decref(*out);
                *out = second;
                json_object_set_new(*out, "did_you_mean", json_string(corrected));
                json_object_set_new(*out, "corrected", json_true());
            } else {
                json_decref(second);
            }
        }
    }
    ss = err->dom == DOM_OK ? SEARCH_OK : SEARCH_FAILED;
    if (ss == SEARCH_OK && !json_object_get(*out, "corrected"))
        json_object_set_new(*out, "corrected", json_false());
done:
    free(corrected);
    buf_free(&plain);
    if (fine)
        search_ast_free(&ast);
    if (ss != SEARCH_OK) {
        json_decref(*out);
        *out = NULL;
    }
    return ss;
}

bool search_precounted(const search_query_t *sq, int facet, const char **fkind,
                       const char **fcode) {
    return facet_precounted(sq, sq->q, NULL, facet, fkind, fcode);
}

search_status search_where_sql(db_t *db, const search_query_t *sq, sqlb_t *b, search_error_t *err) {
    search_ast_t ast;
    buf_t plain;
    bool fine = false;
    const char *ranked = sq->q;
    qb_t x;
    err->dom = DOM_OK;
    if (sq->nterritories > SEARCH_TERRITORIES_MAX) {
        err->dom = DOM_INTERNAL;
        return SEARCH_FAILED;
    }
    search_status ss = check_codes(db, sq, err);
    if (ss != SEARCH_OK)
        return ss;
    ss = prepare_q(db, sq, &ast, &plain, &fine, &ranked, err);
    if (ss != SEARCH_OK)
        return ss;
    qb_init(&x, sq, ranked, fine ? &ast : NULL);
    sqlb_free(&x.b);
    x.b = *b; /* the builder moves in and back out, with what it already holds */
    where_build(&x, -1);
    *b = x.b;
    buf_free(&plain);
    if (fine)
        search_ast_free(&ast);
    return SEARCH_OK;
}

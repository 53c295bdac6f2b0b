/* A search on the counting index: the match set, its total and facets from the bitmaps, the ids of
 * its page from the orders of the file, then the page's rows read, ranked and decorated by
 * search/page.c as any page. */
#include "domain/search/indexed.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "domain/rows.h"
#include "domain/search/filter.h"

/* A ranked search with at most RANK_ALL_MAX matches is ranked whole in PostgreSQL, as in SQL;
 * with more, RANK_CANDIDATES are ranked (or down to the page's end, when deeper): those whose
 * title holds the words, newest first, then those whose summary holds them, then the others (the
 * tiers of search/statements.c). Ranking costs about 10 µs a candidate (its words are read from
 * its row: 400 candidates 4.5 ms, 20 of them 1.5 ms, at 1,000,000 initiatives), the most of a
 * search's time in PostgreSQL. */
#define RANK_ALL_MAX    400
#define RANK_CANDIDATES 100

/* ---------------------------------------------------------------------------------------------
 * One attempt. */

/* What an attempt holds while it is made; everything owned. */
typedef struct ix_attempt {
    cidx_t *ix;
    const search_attempt_t *a;
    search_dirty_t dirty;
    char *tsq;
    roaring_bitmap_t *words; /* NULL without words */
    roaring_bitmap_t *m;     /* the matches that are not dirty */
    char *dirty_matches;     /* the dirty ones that match (array literal), NULL when none */
    json_int_t ndirty;
} ix_attempt_t;

/* Appends ids to a PostgreSQL array literal being built ("{" already in it). */
static bool lit_add(buf_t *lit, const uint32_t *ids, size_t n) {
    char num[16];
    bool ok = true;
    for (size_t i = 0; ok && i < n; i++) {
        snprintf(num, sizeof num, "%" PRIu32, ids[i]);
        ok = (lit->len <= 1 || buf_append_str(lit, ",")) && buf_append_str(lit, num);
    }
    return ok;
}

/* The dirty initiatives that match, read in SQL (none read when none is dirty). */
static dom_status read_dirty_matches(db_t *db, ix_attempt_t *x) {
    if (roaring_bitmap_is_empty(x->dirty.ids))
        return DOM_OK;
    search_qb_t qb;
    PGresult *r;
    search_qb_init(&qb, x->a->sq, x->a->q, x->a->ast);
    qb.only_ids = x->dirty.lit;
    sqlb_sql(&qb.b, "SELECT coalesce(array_agg(i.id), '{}')::text, count(*) FROM initiative i");
    search_qb_where(&qb, -1);
    dom_status st = dom_query_built(db, "search dirty matches", &qb.b, &r);
    sqlb_free(&qb.b);
    if (st != DOM_OK)
        return st;
    x->ndirty = strtoll(PQgetvalue(r, 0, 1), NULL, 10);
    if (x->ndirty > 0) {
        x->dirty_matches = strdup(PQgetvalue(r, 0, 0));
        if (x->dirty_matches == NULL)
            st = DOM_INTERNAL;
    }
    PQclear(r);
    return st;
}

/* Writes into lit ("{…", the caller closes it) the candidates of a ranked page: all the matches
 * when they are few, else the tiers up to `want`. */
static bool ranked_candidates(ix_attempt_t *x, size_t want, buf_t *lit) {
    uint64_t n = roaring_bitmap_get_cardinality(x->m);
    uint32_t *ids = NULL;
    bool ok = true;
    if (n + (uint64_t)x->ndirty <= RANK_ALL_MAX) {
        ids = malloc((n ? n : 1) * sizeof *ids);
        if (ids == NULL)
            return false;
        roaring_bitmap_to_uint32_array(x->m, ids);
        ok = lit_add(lit, ids, n);
        free(ids);
        return ok;
    }
    if (want < RANK_CANDIDATES)
        want = RANK_CANDIDATES;
    roaring_bitmap_t *tiers[3] = {NULL, NULL, NULL}, *title = NULL, *summary = NULL;
    /* Title, summary: the same words on the lexemes of that weight; a tier a query cannot be
     * read in is left empty (its matches come in the last tier). */
    if (x->tsq == NULL || cidx_tsquery_in(x->ix, CIDX_WORD_TITLE, x->tsq, &title) != CIDX_OK)
        title = roaring_bitmap_create();
    if (x->tsq == NULL || cidx_tsquery_in(x->ix, CIDX_WORD_SUMMARY, x->tsq, &summary) != CIDX_OK)
        summary = roaring_bitmap_create();
    ids = malloc(want * sizeof *ids);
    ok = title && summary && ids;
    if (ok) {
        tiers[0] = roaring_bitmap_and(x->m, title);
        tiers[1] = tiers[0] ? roaring_bitmap_and(x->m, summary) : NULL;
        if (tiers[1])
            roaring_bitmap_andnot_inplace(tiers[1], tiers[0]);
        tiers[2] = tiers[1] ? roaring_bitmap_andnot(x->m, tiers[0]) : NULL;
        if (tiers[2])
            roaring_bitmap_andnot_inplace(tiers[2], tiers[1]);
        ok = tiers[2] != NULL;
    }
    for (int t = 0; ok && t < 3 && want > 0; t++) {
        size_t got = cidx_top(x->ix, tiers[t], CIDX_ORDER_RECENT, 0, 0, want, ids);
        ok = lit_add(lit, ids, got);
        want -= got;
    }
    for (int t = 0; t < 3; t++)
        cidx_bitmap_free(tiers[t]);
    cidx_bitmap_free(title);
    cidx_bitmap_free(summary);
    free(ids);
    return ok;
}

/* The page: its candidates from the index (and the dirty matches), ordered in SQL. */
static dom_status indexed_page(db_t *db, ix_attempt_t *x, search_sort sort, json_t **out,
                               bool *done) {
    const search_query_t *sq = x->a->sq;
    size_t limit1 = (size_t)sq->limit + 1;
    int64_t offset = sq->cursor && sort != SEARCH_SORT_RECENT ? sq->cursor->offset : 0;
    int64_t sql_offset = 0;
    buf_t lit;
    dom_status st = DOM_INTERNAL;
    uint32_t *ids = NULL;
    /* Ids of at most 10 digits and a comma each. */
    buf_init(&lit, 11 * ((size_t)CIDX_TOP_MAX + RANK_ALL_MAX + (size_t)x->ndirty) + 64);
    bool ok = buf_append_str(&lit, "{");
    if (offset < 0 || (uint64_t)offset + limit1 > CIDX_TOP_MAX) {
        *done = false; /* a page this deep is read in SQL */
        st = DOM_OK;
        goto done;
    }
    if (sort == SEARCH_SORT_RELEVANCE) {
        ok = ok && ranked_candidates(x, (size_t)offset + limit1, &lit);
        sql_offset = offset;
    } else {
        cidx_order o = sort == SEARCH_SORT_NAME ? CIDX_ORDER_NAME : CIDX_ORDER_RECENT;
        uint32_t from = 0;
        /* With dirty matches, the index gives the first offset + limit + 1 and SQL skips: a
         * dirty match may come anywhere among them. */
        size_t skip = x->dirty_matches ? 0 : (size_t)offset;
        size_t want = x->dirty_matches ? (size_t)offset + limit1 : limit1;
        sql_offset = x->dirty_matches ? offset : 0;
        if (sort == SEARCH_SORT_RECENT && sq->cursor)
            from = cidx_recent_after(x->ix, sq->cursor->created_us,
                                     sq->cursor->id > 0 && sq->cursor->id <= UINT32_MAX
                                             ? (uint32_t)sq->cursor->id
                                             : UINT32_MAX);
        ids = malloc(want * sizeof *ids);
        ok = ok && ids;
        if (ok) {
            size_t got = cidx_top(x->ix, x->m, o, from, skip, want, ids);
            ok = lit_add(&lit, ids, got);
        }
    }
    if (ok && x->dirty_matches && strlen(x->dirty_matches) > 2) {
        /* "{1,2}" joined to the candidates without its braces. */
        ok = (lit.len <= 1 || buf_append_str(&lit, ",")) &&
             buf_append(&lit, x->dirty_matches + 1, strlen(x->dirty_matches) - 2);
    }
    ok = ok && buf_append_str(&lit, "}");
    if (!ok)
        goto done;
    st = search_page_among(db, x->a, sort, buf_cstr(&lit), sql_offset, out);
done:
    free(ids);
    buf_free(&lit);
    return st;
}

/* The counts of the facets asked, gathered as [{"f","code","n"}]. */
typedef struct facet_rows {
    json_t *rows;
    const char *facet;
} facet_rows_t;

static bool add_facet_count(void *arg, const char *code, const char *code2, uint64_t n) {
    facet_rows_t *fr = arg;
    (void)code2;
    json_t *row = json_pack("{s:s, s:s, s:I}", "f", fr->facet, "code", code, "n", (json_int_t)n);
    return row && json_array_append_new(fr->rows, row) == 0;
}

/* The index dimension of a facet. */
static cidx_dim facet_dim(int facet) {
    switch (facet) {
    case SEARCH_FACET_REGION:
        return CIDX_REGION;
    case SEARCH_FACET_DEPARTEMENT:
        return CIDX_DEPARTEMENT;
    case SEARCH_FACET_YEAR:
        return CIDX_START_YEAR;
    default:
        return (cidx_dim)facet; /* the filter kinds are the first dimensions, in order */
    }
}

/* Whether facet f has a filter of its own in sq (its counts then leave it out). */
static bool facet_filtered(const search_query_t *sq, int f) {
    if (f == SEARCH_FACET_REGION || f == SEARCH_FACET_DEPARTEMENT)
        return sq->nterritories > 0;
    if (f == SEARCH_FACET_YEAR)
        return sq->year_min || sq->year_max;
    return sq->codes[f].n > 0;
}

/* Adds to fr->rows the counts of facet f over the dirty initiatives, made in SQL as
 * search/facets.c makes them: among all of them, since a facet leaves its own filter out. */
static dom_status dirty_facet(db_t *db, ix_attempt_t *x, int f, facet_rows_t *fr) {
    search_qb_t qb;
    PGresult *r;
    search_qb_init(&qb, x->a->sq, x->a->q, x->a->ast);
    qb.only_ids = x->dirty.lit;
    search_facet_count_sql(&qb, f);
    dom_status st = dom_query_built(db, "search facet of the changed initiatives", &qb.b, &r);
    sqlb_free(&qb.b);
    if (st != DOM_OK)
        return st;
    for (int i = 0; st == DOM_OK && i < PQntuples(r); i++)
        if (!add_facet_count(fr, PQgetvalue(r, i, 0), NULL,
                             (uint64_t)strtoull(PQgetvalue(r, i, 2), NULL, 10)))
            st = DOM_INTERNAL;
    PQclear(r);
    return st;
}

/* The facets: counted on the bitmaps (and in SQL over the dirty initiatives), then summed,
 * labelled and ordered in one query, as search/facets.c orders them. */
static dom_status indexed_facets(db_t *db, ix_attempt_t *x, json_t *answer) {
    const search_query_t *sq = x->a->sq;
    facet_rows_t fr = {json_array(), NULL};
    char *counts = NULL;
    PGresult *r = NULL;
    search_qb_t qb;
    dom_status st = DOM_INTERNAL;
    json_t *facets = json_object();
    search_qb_init(&qb, sq, x->a->q, x->a->ast);
    if (fr.rows == NULL || facets == NULL)
        goto done;
    for (int f = 0; f < SEARCH_NFACETS; f++) {
        if (!(sq->facets & (1u << f)))
            continue;
        roaring_bitmap_t *mf = facet_filtered(sq, f)
                                       ? search_index_matches(x->ix, sq, x->words, x->dirty.ids, f)
                                       : roaring_bitmap_copy(x->m);
        fr.facet = search_facet_name(f);
        bool ok = mf && cidx_count_1d(x->ix, mf, facet_dim(f), add_facet_count, &fr);
        cidx_bitmap_free(mf);
        if (!ok || json_object_set_new(facets, fr.facet, json_array()) != 0)
            goto done;
        if (!roaring_bitmap_is_empty(x->dirty.ids)) {
            st = dirty_facet(db, x, f, &fr);
            if (st != DOM_OK)
                goto done;
            st = DOM_INTERNAL;
        }
    }
    counts = json_dumps(fr.rows, JSON_COMPACT);
    if (counts == NULL)
        goto done;
    sqlb_sql(&qb.b, "SELECT y.f, y.code, CASE WHEN y.f = 'source' THEN (SELECT s.name FROM source s"
                    " WHERE s.code = y.code) WHEN y.f IN ('region', 'departement') THEN (SELECT"
                    " t.name FROM territory t WHERE t.level = y.f AND t.code = y.code) WHEN y.f ="
                    " 'year' THEN y.code ELSE vocab_label(y.f, y.code, ");
    search_qb_lang(&qb);
    sqlb_sql(&qb.b, ") END AS label, y.n FROM (SELECT u.f, u.code, sum(u.n)::bigint AS n FROM"
                    " jsonb_to_recordset(");
    sqlb_param(&qb.b, counts);
    sqlb_sql(&qb.b, "::jsonb) AS u(f text, code text, n bigint) GROUP BY u.f, u.code) y");
    sqlb_sql(&qb.b, " WHERE y.f NOT IN ('region', 'departement') OR EXISTS (SELECT 1 FROM territory"
                    " t WHERE t.level = y.f AND t.code = y.code) ORDER BY y.f, CASE WHEN y.f ="
                    " 'year' THEN y.code END DESC, 4 DESC, 3, 2");
    st = dom_query_built(db, "search facets on the index", &qb.b, &r);
    if (st != DOM_OK)
        goto done;
    st = DOM_INTERNAL;
    for (int i = 0; i < PQntuples(r); i++) {
        json_t *list = json_object_get(facets, PQgetvalue(r, i, 0));
        const char *label = PQgetisnull(r, i, 2) ? PQgetvalue(r, i, 1) : PQgetvalue(r, i, 2);
        if (list == NULL ||
            json_array_append_new(
                    list, json_pack("{s:s, s:s, s:I}", "code", PQgetvalue(r, i, 1), "label", label,
                                    "count", (json_int_t)strtoll(PQgetvalue(r, i, 3), NULL, 10))) !=
                    0)
            goto done;
    }
    if (json_object_set(answer, "facets", facets) != 0)
        goto done;
    st = DOM_OK;
done:
    PQclear(r);
    sqlb_free(&qb.b);
    free(counts);
    json_decref(fr.rows);
    json_decref(facets);
    return st;
}

/* Whether the attempt can be made on this file at all, before anything is read. */
static bool indexable(cidx_t *ix, const search_attempt_t *a, search_sort sort) {
    if (!search_index_expressible(a->sq, true) || sort == SEARCH_SORT_DISTANCE)
        return false;
    return cidx_has_order(ix, CIDX_ORDER_RECENT) && cidx_has_order(ix, CIDX_ORDER_NAME);
}

dom_status search_indexed_attempt(db_t *db, const search_attempt_t *a, search_sort sort,
                                  json_t **out, json_int_t *total, bool *done) {
    ix_attempt_t x = {.ix = cidx_current(), .a = a};
    dom_status st = DOM_OK;
    *out = NULL;
    *total = 0;
    *done = false;
    if (x.ix == NULL || !indexable(x.ix, a, sort))
        return DOM_OK;
    const char *words = a->q && a->q[0] ? a->q : NULL;
    st = search_dirty_read(db, x.ix, words, &x.dirty, &x.tsq);
    if (st != DOM_OK || x.dirty.over)
        goto done;
    if (a->ast) {
        /* The fine-search language: its own bitmap; words (the ones ranked) only rank. */
        st = search_index_ast(db, x.ix, a->ast, &x.words);
        if (st != DOM_OK || x.words == NULL)
            goto done;
    } else if (words && (x.tsq == NULL || cidx_tsquery(x.ix, x.tsq, &x.words) != CIDX_OK)) {
        goto done; /* phrases, prefixes, or stop words only: in SQL */
    }
    /* The points inside go with the words (every match set holds them); those at an edge are
     * tested in SQL with the dirty ones. */
    if (!search_index_geo_apply(x.ix, a->sq, &x.dirty, &x.words))
        goto done;
    x.m = search_index_matches(x.ix, a->sq, x.words, x.dirty.ids, -1);
    if (x.m == NULL) {
        log_msg(LOG_ERROR, "search: out of memory on the index");
        goto done; /* SQL may still answer */
    }
    st = read_dirty_matches(db, &x);
    if (st != DOM_OK)
        goto done;
    *done = true;
    st = indexed_page(db, &x, sort, out, done);
    if (st != DOM_OK || !*done)
        goto done;
    *total = (json_int_t)roaring_bitmap_get_cardinality(x.m) + x.ndirty;
    if (json_object_set_new(*out, "total", json_integer(*total)) != 0 ||
        json_object_set_new(*out, "total_exact", json_true()) != 0 ||
        json_object_set_new(*out, "total_is_estimate", json_false()) != 0)
        st = DOM_INTERNAL;
    if (st == DOM_OK && a->sq->facets)
        st = indexed_facets(db, &x, *out);
done:
    if (st != DOM_OK || !*done) {
        json_decref(*out);
        *out = NULL;
    }
    if (st != DOM_OK)
        *done = true; /* a database error is the answer: SQL would meet it too */
    search_dirty_free(&x.dirty);
    free(x.tsq);
    cidx_bitmap_free(x.words);
    cidx_bitmap_free(x.m);
    free(x.dirty_matches);
    return st;
}

/* The match sets of a search on the counting index, and the initiatives changed since its build
 * (the dirty ones, tested in SQL): what the search (search/indexed.c) and the statistics
 * (domain/stats.c) count on. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/rows.h"
#include "domain/search/filter.h"
#include "domain/search/indexed.h"

dom_status search_dirty_read(db_t *db, cidx_t *ix, const char *words, search_dirty_t *d,
                             char **tsq) {
    char pos[24], limit[16];
    PGresult *r = NULL;
    d->lit = NULL;
    d->ids = NULL;
    d->over = false;
    *tsq = NULL;
    snprintf(pos, sizeof pos, "%" PRIu64, cidx_position(ix));
    snprintf(limit, sizeof limit, "%d", SEARCH_DIRTY_MAX + 1);
    const char *params[] = {pos, limit, words ? words : ""};
    dom_status st = dom_from_db(db_query(
            db, "search dirty",
            "SELECT coalesce((SELECT array_agg(d.id ORDER BY d.id) FROM (SELECT DISTINCT"
            " initiative_id AS id FROM initiative_change WHERE xid >= $1::text::xid8 LIMIT"
            " $2::int) d)::text, '{}'), CASE WHEN $3::text <> '' THEN sc_tsquery($3)::text END",
            3, params, &r));
    if (st != DOM_OK)
        return st;
    d->lit = strdup(PQgetvalue(r, 0, 0));
    d->ids = roaring_bitmap_create();
    if (!PQgetisnull(r, 0, 1))
        *tsq = strdup(PQgetvalue(r, 0, 1));
    bool ok = d->lit && d->ids && (PQgetisnull(r, 0, 1) || *tsq);
    PQclear(r);
    if (!ok) {
        free(*tsq);
        *tsq = NULL;
        return DOM_INTERNAL;
    }
    uint64_t n = 0;
    for (const char *p = d->lit; *p;) {
        char *end;
        unsigned long long id = strtoull(p, &end, 10);
        if (end == p) {
            p++;
            continue;
        }
        if (id <= UINT32_MAX)
            roaring_bitmap_add(d->ids, (uint32_t)id);
        n++;
        p = end;
    }
    d->over = n > SEARCH_DIRTY_MAX;
    return DOM_OK;
}

void search_dirty_free(search_dirty_t *d) {
    free(d->lit);
    cidx_bitmap_free(d->ids);
    d->lit = NULL;
    d->ids = NULL;
}

int search_index_level_dim(const char *level) {
    static const struct {
        const char *level;
        cidx_dim dim;
    } dims[] = {{"region", CIDX_REGION},
                {"departement", CIDX_DEPARTEMENT},
                {"arrondissement", CIDX_ARRONDISSEMENT},
                {"commune", CIDX_COMMUNE}};
    for (size_t i = 0; i < ARRAY_LEN(dims); i++)
        if (strcmp(dims[i].level, level) == 0)
            return (int)dims[i].dim;
    return -1;
}

bool search_index_expressible(const search_query_t *sq, bool geo) {
    if (sq->changed_since || (!geo && (sq->has_near || sq->has_bbox)))
        return false;
    for (size_t i = 0; i < sq->nterritories; i++)
        if (search_index_level_dim(sq->territories[i].level) < 0)
            return false;
    return true;
}

bool search_dirty_add(search_dirty_t *d, const roaring_bitmap_t *ids) {
    roaring_bitmap_or_inplace(d->ids, ids);
    uint64_t n = roaring_bitmap_get_cardinality(d->ids);
    if (n > SEARCH_DIRTY_MAX) {
        d->over = true;
        return false;
    }
    buf_t lit;
    char num[16];
    buf_init(&lit, 11 * (size_t)n + 8);
    bool ok = buf_append_str(&lit, "{");
    roaring_uint32_iterator_t *it = roaring_create_iterator(d->ids);
    for (bool first = true; ok && it && it->has_value; roaring_advance_uint32_iterator(it)) {
        snprintf(num, sizeof num, "%" PRIu32, it->current_value);
        ok = (first || buf_append_str(&lit, ",")) && buf_append_str(&lit, num);
        first = false;
    }
    ok = ok && it && buf_append_str(&lit, "}");
    if (it)
        roaring_free_uint32_iterator(it);
    char *copy = ok ? strdup(buf_cstr(&lit)) : NULL;
    buf_free(&lit);
    if (copy == NULL)
        return false;
    free(d->lit);
    d->lit = copy;
    return true;
}

/* m &= b, b a new bitmap (freed); m freed and NULL when b is NULL (out of memory). */
static roaring_bitmap_t *and_new(roaring_bitmap_t *m, roaring_bitmap_t *b) {
    if (b == NULL) {
        cidx_bitmap_free(m);
        return NULL;
    }
    roaring_bitmap_and_inplace(m, b);
    cidx_bitmap_free(b);
    return m;
}

roaring_bitmap_t *search_index_matches(cidx_t *ix, const search_query_t *sq,
                                       const roaring_bitmap_t *words, const roaring_bitmap_t *dirty,
                                       int skip) {
    const roaring_bitmap_t *all = cidx_get(ix, CIDX_META, "published");
    roaring_bitmap_t *m = all ? roaring_bitmap_andnot(all, dirty) : roaring_bitmap_create();
    if (m && words)
        roaring_bitmap_and_inplace(m, words);
    for (int k = 0; m && k < SEARCH_NKINDS; k++)
        if (sq->codes[k].n > 0 && k != skip)
            m = and_new(m, cidx_any(ix, (cidx_dim)k, sq->codes[k].codes, sq->codes[k].n));
    if (m && sq->nterritories > 0 && skip != SEARCH_FACET_REGION &&
        skip != SEARCH_FACET_DEPARTEMENT) {
        roaring_bitmap_t *any = roaring_bitmap_create();
        for (size_t i = 0; any && i < sq->nterritories; i++) {
            int dim = search_index_level_dim(sq->territories[i].level);
            const roaring_bitmap_t *b =
                    dim < 0 ? NULL : cidx_get(ix, (cidx_dim)dim, sq->territories[i].code);
            if (b)
                roaring_bitmap_or_inplace(any, b);
        }
        m = and_new(m, any);
    }
    if (m && (sq->year_min || sq->year_max) && skip != SEARCH_FACET_YEAR)
        m = and_new(m, cidx_years(ix, sq->year_min, sq->year_max));
    return m;
}

dom_status search_index_exists(db_t *db, const search_query_t *sq, const char *q, bool *found,
                               bool *known) {
    cidx_t *ix = cidx_current();
    search_dirty_t d = {NULL, NULL, false};
    roaring_bitmap_t *words = NULL, *m = NULL;
    char *tsq = NULL;
    bool words_given = q && q[0];
    *found = *known = false;
    if (ix == NULL || !search_index_expressible(sq, true))
        return DOM_OK;
    dom_status st = search_dirty_read(db, ix, words_given ? q : NULL, &d, &tsq);
    if (st != DOM_OK || d.over)
        goto done;
    if (words_given && (tsq == NULL || cidx_tsquery(ix, tsq, &words) != CIDX_OK))
        goto done; /* phrases, prefixes, stop words only */
    if (!search_index_geo_apply(ix, sq, &d, &words))
        goto done;
    m = search_index_matches(ix, sq, words, d.ids, -1);
    if (m == NULL)
        goto done;
    *found = !roaring_bitmap_is_empty(m);
    if (!*found && !roaring_bitmap_is_empty(d.ids)) {
        /* The changed initiatives (and points at an edge) in SQL, them alone. */
        search_qb_t x;
        PGresult *r;
        search_qb_init(&x, sq, q, NULL);
        x.only_ids = d.lit;
        sqlb_sql(&x.b, "SELECT EXISTS (SELECT 1 FROM initiative i");
        search_qb_where(&x, -1);
        sqlb_sql(&x.b, ")");
        st = dom_query_built(db, "search exists among the changed", &x.b, &r);
        sqlb_free(&x.b);
        if (st != DOM_OK)
            goto done;
        *found = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
        PQclear(r);
    }
    *known = true;
done:
    cidx_bitmap_free(m);
    cidx_bitmap_free(words);
    free(tsq);
    search_dirty_free(&d);
    return st;
}

/* A search on the counting index: the match set, its total and facets from the bitmaps, the ids of
 * its page from the orders of the file, then the page's rows read, ranked and decorated by
 * search/page.c as any page. */
#include "domain/search/indexed.h"

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
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

/* The index dimension of a territory level; -1 for another. */
static int level_dim(const char *level) {
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
        if (level_dim(sq->territories[i].level) < 0)
            return false;
    return true;
}

/* How a point is placed against a radius: first on a flat approximation around the centre (its
 * error stays below 1 % of the distance within 200 km), then, in a band of that width around the
 * circle, by Vincenty's formula on the WGS 84 spheroid, as PostGIS measures geography (within a
 * millimetre of it); a point within GEO_EDGE_M of the circle, or of a box's edge (PostGIS tests
 * boxes on float4 corners: 7.6e-6 degree at most), is left to PostGIS. */
#define GEO_FLAT_RATIO 0.01
#define GEO_EDGE_M     0.5
#define GEO_EDGE_DEG   1e-5
#define EARTH_R_M      6371008.8

/* The distance in metres between two points (degrees) on the WGS 84 spheroid (Vincenty's inverse
 * formula); a negative value when it does not converge (nearly antipodal points). */
static double spheroid_m(double lon1, double lat1, double lon2, double lat2) {
    const double a = 6378137.0, f = 1 / 298.257223563, b = a * (1 - f);
    double L = (lon2 - lon1) * M_PI / 180;
    double U1 = atan((1 - f) * tan(lat1 * M_PI / 180)), U2 = atan((1 - f) * tan(lat2 * M_PI / 180));
    double sinU1 = sin(U1), cosU1 = cos(U1), sinU2 = sin(U2), cosU2 = cos(U2);
    double lambda = L, sinSigma = 0, cosSigma = 1, sigma = 0, cos2Alpha = 1, cos2SigmaM = 0;
    for (int i = 0; i < 100; i++) {
        double sinL = sin(lambda), cosL = cos(lambda);
        double t1 = cosU2 * sinL, t2 = cosU1 * sinU2 - sinU1 * cosU2 * cosL;
        sinSigma = sqrt(t1 * t1 + t2 * t2);
        if (sinSigma == 0)
            return 0; /* the same point */
        cosSigma = sinU1 * sinU2 + cosU1 * cosU2 * cosL;
        sigma = atan2(sinSigma, cosSigma);
        double sinAlpha = cosU1 * cosU2 * sinL / sinSigma;
        cos2Alpha = 1 - sinAlpha * sinAlpha;
        cos2SigmaM = cos2Alpha != 0 ? cosSigma - 2 * sinU1 * sinU2 / cos2Alpha : 0;
        double C = f / 16 * cos2Alpha * (4 + f * (4 - 3 * cos2Alpha));
        double prev = lambda;
        lambda = L + (1 - C) * f * sinAlpha *
                             (sigma + C * sinSigma *
                                              (cos2SigmaM +
                                               C * cosSigma * (-1 + 2 * cos2SigmaM * cos2SigmaM)));
        if (fabs(lambda - prev) < 1e-12) {
            double u2 = cos2Alpha * (a * a - b * b) / (b * b);
            double A = 1 + u2 / 16384 * (4096 + u2 * (-768 + u2 * (320 - 175 * u2)));
            double B = u2 / 1024 * (256 + u2 * (-128 + u2 * (74 - 47 * u2)));
            double dSigma =
                    B * sinSigma *
                    (cos2SigmaM + B / 4 *
                                          (cosSigma * (-1 + 2 * cos2SigmaM * cos2SigmaM) -
                                           B / 6 * cos2SigmaM * (-3 + 4 * sinSigma * sinSigma) *
                                                   (-3 + 4 * cos2SigmaM * cos2SigmaM)));
            return b * A * (sigma - dSigma);
        }
    }
    return -1;
}

/* Where a coordinate lies against the range [lo, hi]: 1 inside, 0 outside, -1 at an edge. */
static int range_side(double v, double lo, double hi) {
    if (v < lo - GEO_EDGE_DEG || v > hi + GEO_EDGE_DEG)
        return 0;
    if (v > lo + GEO_EDGE_DEG && v < hi - GEO_EDGE_DEG)
        return 1;
    return -1;
}

/* Where a point lies against the circle of sq: 1 inside, 0 outside, -1 at the edge. The flat
 * distance takes the longitudes at the mean latitude (within 0.1 % of the sphere's up to a few
 * hundred kilometres; the sphere is within 0.5 % of the spheroid). */
static int circle_side(const search_query_t *sq, double lon, double lat) {
    double r = sq->near_km * 1000, k = EARTH_R_M * M_PI / 180;
    double dx = (lon - sq->near_lon) * k * cos((lat + sq->near_lat) * M_PI / 360);
    double dy = (lat - sq->near_lat) * k;
    double flat = sqrt(dx * dx + dy * dy), band = r * GEO_FLAT_RATIO + 10;
    if (flat < r - band)
        return 1;
    if (flat > r + band)
        return 0;
    double d = spheroid_m(sq->near_lon, sq->near_lat, lon, lat);
    if (d < 0 || fabs(d - r) <= GEO_EDGE_M)
        return -1;
    return d < r;
}

bool search_index_geo(cidx_t *ix, const search_query_t *sq, roaring_bitmap_t **in,
                      roaring_bitmap_t **edge) {
    const double *ll;
    uint32_t max_id;
    *in = *edge = NULL;
    if (!cidx_points(ix, &ll, &max_id))
        return false;
    /* The radius as search/filter.c tests it: the box of ST_Expand, then the distance. */
    double near_deg = 0;
    if (sq->has_near) {
        double c = cos(sq->near_lat * M_PI / 180);
        near_deg = sq->near_km / (111.32 * (c < 0.01 ? 0.01 : c));
    }
    *in = roaring_bitmap_create();
    *edge = roaring_bitmap_create();
    if (*in == NULL || *edge == NULL)
        goto fail;
    for (uint32_t id = 0; id <= max_id; id++) {
        double lon = ll[2 * (size_t)id], lat = ll[2 * (size_t)id + 1];
        int side = 1;
        if (isnan(lon) || isnan(lat))
            continue;
        if (sq->has_bbox) {
            int a = range_side(lon, sq->bbox[0], sq->bbox[2]);
            int b = a ? range_side(lat, sq->bbox[1], sq->bbox[3]) : 0;
            side = a == 0 || b == 0 ? 0 : a < 0 || b < 0 ? -1 : 1;
        }
        if (side != 0 && sq->has_near) {
            int a = range_side(lon, sq->near_lon - near_deg, sq->near_lon + near_deg);
            int b = a ? range_side(lat, sq->near_lat - near_deg, sq->near_lat + near_deg) : 0;
            int box = a == 0 || b == 0 ? 0 : a < 0 || b < 0 ? -1 : 1;
            int dist = box != 0 ? circle_side(sq, lon, lat) : 0;
            int both = box == 0 || dist == 0 ? 0 : box < 0 || dist < 0 ? -1 : 1;
            side = both == 0 ? 0 : side < 0 || both < 0 ? -1 : 1;
        }
        if (side > 0)
            roaring_bitmap_add(*in, id);
        else if (side < 0)
            roaring_bitmap_add(*edge, id);
    }
    return true;
fail:
    cidx_bitmap_free(*in);
    cidx_bitmap_free(*edge);
    *in = *edge = NULL;
    return false;
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
            int dim = level_dim(sq->territories[i].level);
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

/* ---------------------------------------------------------------------------------------------
 * The fine-search language on the bitmaps: words (their lexemes as PostgreSQL reads them, read in
 * one query), codes, territories and years; phrases, a radius and a box are left to SQL. */

#define AST_WORDS_MAX QUERY_MAX_TERMS

typedef struct ast_eval {
    cidx_t *ix;
    const search_ast_t *ast;
    const query_node_t *words[AST_WORDS_MAX]; /* the WORD nodes, in walk order */
    char *tsq[AST_WORDS_MAX];                 /* their tsquery text, NULL for a stop word; owned */
    size_t nwords, next_word, next_ref;
} ast_eval_t;

/* Gathers the WORD nodes; false when a node cannot be evaluated on the index. */
static bool ast_gather(ast_eval_t *e, const query_node_t *n) {
    switch (n->kind) {
    case QUERY_WORD:
        if (e->nwords == AST_WORDS_MAX)
            return false;
        e->words[e->nwords++] = n;
        return true;
    case QUERY_PHRASE:
        return false;
    case QUERY_FIELD:
        return n->field != QUERY_FIELD_NEAR && n->field != QUERY_FIELD_BBOX;
    default:
        for (size_t i = 0; i < n->nchildren; i++)
            if (!ast_gather(e, n->children[i]))
                return false;
        return true;
    }
}

/* The tsquery text of each word, as search/ast.c tests it (a stop word: NULL, every row). */
static dom_status ast_words(db_t *db, ast_eval_t *e) {
    json_t *list = json_array();
    char *text = NULL;
    PGresult *r = NULL;
    dom_status st = DOM_INTERNAL;
    for (size_t i = 0; list && i < e->nwords; i++)
        if (json_array_append_new(list, json_string(e->words[i]->text)) != 0)
            goto done;
    if (list == NULL || (text = json_dumps(list, JSON_COMPACT)) == NULL)
        goto done;
    const char *params[] = {text};
    st = dom_from_db(db_query(db, "search words on the index",
                              "SELECT CASE WHEN numnode(q) > 0 THEN sc_synonyms(q)::text END FROM"
                              " jsonb_array_elements_text($1::jsonb) WITH ORDINALITY AS w(t, o),"
                              " plainto_tsquery('sc_french', sc_fold(w.t)) AS q ORDER BY w.o",
                              1, params, &r));
    if (st != DOM_OK)
        goto done;
    st = DOM_INTERNAL;
    if ((size_t)PQntuples(r) != e->nwords)
        goto done;
    for (size_t i = 0; i < e->nwords; i++)
        if (!PQgetisnull(r, (int)i, 0) && (e->tsq[i] = strdup(PQgetvalue(r, (int)i, 0))) == NULL)
            goto done;
    st = DOM_OK;
done:
    PQclear(r);
    free(text);
    json_decref(list);
    return st;
}

/* The published initiatives, a new bitmap. */
static roaring_bitmap_t *ast_all(cidx_t *ix) {
    const roaring_bitmap_t *all = cidx_get(ix, CIDX_META, "published");
    return all ? roaring_bitmap_copy(all) : roaring_bitmap_create();
}

/* A field's bitmap: codes (as the vocabulary spells them), territories (resolved when q was
 * checked, in walk order), years. */
static cidx_status ast_field(ast_eval_t *e, const query_node_t *n, roaring_bitmap_t **out) {
    *out = roaring_bitmap_create();
    if (*out == NULL)
        return CIDX_NO_MEMORY;
    if (n->field == QUERY_FIELD_TERRITORY) {
        for (size_t i = 0; i < n->nvalues && e->next_ref < e->ast->nrefs; i++) {
            const territory_ref_t *ref = &e->ast->refs[e->next_ref++];
            int dim = level_dim(ref->level);
            if (dim < 0)
                return CIDX_UNSUPPORTED;
            const roaring_bitmap_t *b = cidx_get(e->ix, (cidx_dim)dim, ref->code);
            if (b)
                roaring_bitmap_or_inplace(*out, b);
        }
        return CIDX_OK;
    }
    if (n->field == QUERY_FIELD_YEAR) {
        for (size_t i = 0; i < n->nyears; i++) {
            roaring_bitmap_t *y = cidx_years(e->ix, n->years[i].from, n->years[i].to);
            if (y == NULL)
                return CIDX_NO_MEMORY;
            roaring_bitmap_or_inplace(*out, y);
            cidx_bitmap_free(y);
        }
        return CIDX_OK;
    }
    int k = search_filter_of_field(n->field);
    if (k < 0)
        return CIDX_UNSUPPORTED;
    bool upper = search_filter((search_kind)k)->upper;
    for (size_t i = 0; i < n->nvalues; i++) {
        char code[SEARCH_CODE_LEN_MAX + 1];
        size_t len = strlen(n->values[i].text);
        if (len == 0 || len > SEARCH_CODE_LEN_MAX)
            continue; /* refused when q was checked */
        for (size_t j = 0; j <= len; j++) {
            unsigned char c = (unsigned char)n->values[i].text[j];
            code[j] = (char)(upper ? toupper(c) : tolower(c));
        }
        const roaring_bitmap_t *b = cidx_get(e->ix, (cidx_dim)k, code);
        if (b)
            roaring_bitmap_or_inplace(*out, b);
    }
    return CIDX_OK;
}

static cidx_status ast_node(ast_eval_t *e, const query_node_t *n, roaring_bitmap_t **out) {
    cidx_status st = CIDX_OK;
    *out = NULL;
    switch (n->kind) {
    case QUERY_WORD: {
        const char *tsq = e->next_word < e->nwords ? e->tsq[e->next_word] : NULL;
        e->next_word++;
        if (tsq == NULL) { /* a stop word does not empty the results */
            *out = ast_all(e->ix);
            return *out ? CIDX_OK : CIDX_NO_MEMORY;
        }
        return cidx_tsquery(e->ix, tsq, out);
    }
    case QUERY_FIELD:
        st = ast_field(e, n, out);
        break;
    case QUERY_NOT: {
        roaring_bitmap_t *x;
        st = ast_node(e, n->children[0], &x);
        if (st == CIDX_OK) {
            *out = ast_all(e->ix);
            if (*out)
                roaring_bitmap_andnot_inplace(*out, x);
            else
                st = CIDX_NO_MEMORY;
        }
        cidx_bitmap_free(x);
        break;
    }
    case QUERY_AND:
    case QUERY_OR:
        for (size_t i = 0; st == CIDX_OK && i < n->nchildren; i++) {
            roaring_bitmap_t *x;
            st = ast_node(e, n->children[i], &x);
            if (st != CIDX_OK)
                break;
            if (*out == NULL) {
                *out = x;
                continue;
            }
            if (n->kind == QUERY_AND)
                roaring_bitmap_and_inplace(*out, x);
            else
                roaring_bitmap_or_inplace(*out, x);
            cidx_bitmap_free(x);
        }
        break;
    default:
        st = CIDX_UNSUPPORTED;
        break;
    }
    if (st != CIDX_OK) {
        cidx_bitmap_free(*out);
        *out = NULL;
    }
    return st;
}

/* The bitmap of a query in the fine-search language (*out NULL: not expressible on the index). */
static dom_status ast_bitmap(db_t *db, cidx_t *ix, const search_ast_t *ast,
                             roaring_bitmap_t **out) {
    ast_eval_t e = {.ix = ix, .ast = ast};
    dom_status st = DOM_OK;
    *out = NULL;
    if (ast->root == NULL || !ast_gather(&e, ast->root))
        return DOM_OK;
    if (e.nwords > 0)
        st = ast_words(db, &e);
    if (st == DOM_OK && ast_node(&e, ast->root, out) != CIDX_OK)
        *out = NULL;
    for (size_t i = 0; i < e.nwords; i++)
        free(e.tsq[i]);
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
        st = ast_bitmap(db, x.ix, a->ast, &x.words);
        if (st != DOM_OK || x.words == NULL)
            goto done;
    } else if (words && (x.tsq == NULL || cidx_tsquery(x.ix, x.tsq, &x.words) != CIDX_OK)) {
        goto done; /* phrases, prefixes, or stop words only: in SQL */
    }
    if (a->sq->has_near || a->sq->has_bbox) {
        /* The points inside go with the words (every match set holds them); those at the edge
         * are tested in SQL with the dirty ones. */
        roaring_bitmap_t *in, *edge;
        if (!search_index_geo(x.ix, a->sq, &in, &edge))
            goto done;
        bool ok = search_dirty_add(&x.dirty, edge);
        cidx_bitmap_free(edge);
        if (!ok) {
            cidx_bitmap_free(in);
            goto done;
        }
        if (x.words) {
            roaring_bitmap_and_inplace(x.words, in);
            cidx_bitmap_free(in);
        } else {
            x.words = in;
        }
    }
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

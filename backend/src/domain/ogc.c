#include "domain/ogc.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "domain/rows.h"
#include "domain/search_where.h"

/* The French labels of the vocabulary as one map "kind:code" -> label, read once per statement:
 * looking each label up in it costs a tenth of a lookup in vocabulary per row and field (a page of
 * 100 features: about 8 instead of 25 ms of labels on a busy machine). */
#define OGC_VOCAB                                                                    \
    " CROSS JOIN (SELECT jsonb_object_agg(v.kind || ':' || v.code, v.label_fr) AS m" \
    " FROM vocabulary v) vl"
#define OGC_LABEL(kind, code) "vl.m ->> ('" kind ":' || " code ")"
/* The labels of a text[] of codes of one vocabulary, in their order, joined by "; " — GIS tools
 * show flat properties better than nested objects. */
#define OGC_LABELS(kind, codes)                                                        \
    "array_to_string(ARRAY(SELECT vl.m ->> ('" kind ":' || c.code) FROM unnest(" codes \
    ") WITH ORDINALITY c(code, o) ORDER BY c.o), '; ')"

/* The GeoJSON feature of the initiative i (text), in two halves around the address of the record's
 * page up to its id (a bound parameter). Properties are flat where a GIS table can show them. */
/* One property a line: the formatter's layout of this macro was unreadable. */
/* clang-format off */
#define OGC_FEATURE_HEAD                                                                         \
    "json_build_object('type', 'Feature', 'id', i.id,"                                          \
    " 'geometry', ST_AsGeoJSON(i.geom, 7)::json,"                                               \
    " 'properties', json_build_object("                                                         \
    "   'title', i.title, 'summary', i.summary,"                                                \
    "   'themes', i.themes, 'theme_labels', " OGC_LABELS("theme", "i.themes") ","               \
    "   'subthemes', i.subthemes,"                                                              \
    "   'actor_name', i.actor_name, 'actor_type', i.actor_type,"                                \
    "   'actor_type_label', " OGC_LABEL("actor_type", "i.actor_type") ","                       \
    "   'publics', i.publics, 'public_labels', " OGC_LABELS("public", "i.publics") ","          \
    "   'scale', i.scale, 'scale_label', " OGC_LABEL("scale", "i.scale") ","                    \
    "   'stage', i.stage, 'stage_label', " OGC_LABEL("stage", "i.stage") ","                    \
    "   'start_year', i.start_year,"                                                            \
    "   'commune_code', i.commune_code,"                                                        \
    "   'commune', (SELECT t.name FROM territory t"                                             \
    "                WHERE t.level = 'commune' AND t.code = i.commune_code),"                   \
    "   'departement_code', i.departement_code,"                                                \
    "   'departement', (SELECT t.name FROM territory t"                                         \
    "                    WHERE t.level = 'departement' AND t.code = i.departement_code),"       \
    "   'region_code', i.region_code,"                                                          \
    "   'region', (SELECT t.name FROM territory t"                                              \
    "               WHERE t.level = 'region' AND t.code = i.region_code),"                      \
    "   'geo_precision', i.geo_precision,"                                                      \
    "   'website', i.website,"                                                                  \
    "   'url', "
/* clang-format on */
#define OGC_FEATURE_TAIL                                                                        \
    " || i.id,"                                                                                 \
    "   'updated', sc_iso(i.updated_at),"                                                       \
    "   'sources', (SELECT coalesce(json_agg(json_build_object('code', x.code, 'name', x.name," \
    "                 'url', x.url, 'licence', x.licence, 'attribution', x.attribution)"        \
    "                 ORDER BY x.name, x.code), '[]'::json)"                                    \
    "      FROM (SELECT DISTINCT ON (s.id) s.code, s.name, sr.url, s.licence,"                  \
    "                   concat_ws(' — ', s.name, s.url) AS attribution"                       \
    "              FROM source_record sr JOIN source s ON s.id = sr.source_id"                  \
    "             WHERE sr.initiative_id = i.id AND sr.gone_at IS NULL"                         \
    "             ORDER BY s.id, sr.url IS NULL, sr.last_seen_at DESC) x)))::text"

const db_stmt_t ogc_stmts[] = {
        {"ogc_item",
         "SELECT " OGC_FEATURE_HEAD "$2::text" OGC_FEATURE_TAIL " FROM initiative i" OGC_VOCAB
         " WHERE i.id = $1 AND i.status = 'published' AND i.geom IS NOT NULL",
         2, true},
        /* The coarsest cells of the map hold every placed, published initiative with their extent
         * (kept by triggers): the bounding box without reading the initiatives. */
        {"ogc_extent",
         "SELECT min(c.x0), min(c.y0), max(c.x1), max(c.y1),"
         " (SELECT sc_iso(min(updated_at)) FROM initiative WHERE status = 'published'"
         "   AND geom IS NOT NULL),"
         " (SELECT sc_iso(max(updated_at)) FROM initiative WHERE status = 'published'"
         "   AND geom IS NOT NULL)"
         " FROM map_cell c WHERE c.g = 3",
         0, true},
        {NULL, NULL, 0, false},
};

static json_t *parse_row_json(const PGresult *r, int row, int col) {
    json_error_t e;
    json_t *v = json_loadb(PQgetvalue(r, row, col), (size_t)PQgetlength(r, row, col), 0, &e);
    if (v == NULL)
        log_msg(LOG_ERROR, "ogc: bad feature json from postgres: %s", e.text);
    return v;
}

/* The conditions of the page besides the search's: placed, datetime, and the cursor (when
 * with_cursor). */
static void extra_where(const ogc_items_query_t *q, sqlb_t *b, bool with_cursor) {
    sqlb_sql(b, " AND i.geom IS NOT NULL");
    if (q->from) {
        sqlb_sql(b, " AND i.updated_at >= ");
        sqlb_param(b, q->from);
        sqlb_sql(b, "::timestamptz");
    }
    if (q->to) {
        sqlb_sql(b, q->to_exclusive ? " AND i.updated_at < " : " AND i.updated_at <= ");
        sqlb_param(b, q->to);
        sqlb_sql(b, "::timestamptz");
    }
    if (with_cursor && q->cursor_id > 0) {
        sqlb_sql(b, q->before ? " AND i.id < " : " AND i.id > ");
        sqlb_paramf(b, "%" PRId64, q->cursor_id);
        sqlb_sql(b, "::bigint");
    }
}

search_status ogc_items(db_t *db, const ogc_items_query_t *q, ogc_page_t *page,
                        search_error_t *err) {
    sqlb_t b;
    PGresult *r = NULL;
    search_status ss;
    memset(page, 0, sizeof *page);
    buf_init(&page->features, OGC_FEATURES_MAX);
    page->matched = -1;
    err->dom = DOM_OK;
    sqlb_init(&b);
    /* One round trip: the page's ids (one more, to know whether a page follows), then the
     * features of the page. Nothing else is counted (ogc_page_t, matched). */
    sqlb_sql(&b, "WITH page AS (SELECT i.id FROM initiative i");
    ss = search_where_sql(db, q->sq, &b, err);
    if (ss != SEARCH_OK)
        goto done;
    extra_where(q, &b, true);
    sqlb_sql(&b, q->before ? " ORDER BY i.id DESC LIMIT " : " ORDER BY i.id LIMIT ");
    sqlb_paramf(&b, "%d", q->limit + 1);
    sqlb_sql(&b, "::int) SELECT i.id, " OGC_FEATURE_HEAD);
    sqlb_param(&b, q->record_base);
    sqlb_sql(&b, "::text" OGC_FEATURE_TAIL " AS feature FROM page p JOIN initiative i ON i.id = "
                 "p.id" OGC_VOCAB " ORDER BY i.id");
    err->dom = dom_query_built(db, "ogc_items", &b, &r);
    if (err->dom != DOM_OK) {
        ss = SEARCH_FAILED;
        goto done;
    }
    int rows = PQntuples(r);
    ss = SEARCH_FAILED;
    err->dom = DOM_INTERNAL;
    /* Rows are in id order; read backwards, the extra row is the first one. */
    page->more = rows > q->limit;
    int from = page->more && q->before ? 1 : 0;
    int to = page->more && !q->before ? rows - 1 : rows;
    if (q->cursor_id == 0 && !page->more)
        page->matched = rows;
    for (int i = from; i < to; i++) {
        /* The text of PostgreSQL's json_build_object: one JSON object (its tests parse it). */
        if ((i > from && !buf_append(&page->features, ",", 1)) ||
            !buf_append(&page->features, PQgetvalue(r, i, 1), (size_t)PQgetlength(r, i, 1))) {
            log_msg(LOG_ERROR, "ogc: a page of features over %d bytes", OGC_FEATURES_MAX);
            goto done;
        }
    }
    page->nfeatures = to > from ? to - from : 0;
    if (to > from) {
        page->first_id = strtoll(PQgetvalue(r, from, 0), NULL, 10);
        page->last_id = strtoll(PQgetvalue(r, to - 1, 0), NULL, 10);
    }
    ss = SEARCH_OK;
    err->dom = DOM_OK;
done:
    if (ss != SEARCH_OK) {
        buf_reset(&page->features);
        page->nfeatures = 0;
    }
    PQclear(r);
    sqlb_free(&b);
    return ss;
}

void ogc_page_free(ogc_page_t *page) {
    buf_free(&page->features);
}

dom_status ogc_item(db_t *db, int64_t id, const char *record_base, json_t **out) {
    char idtext[24];
    PGresult *r;
    snprintf(idtext, sizeof idtext, "%" PRId64, id);
    const char *params[] = {idtext, record_base};
    dom_status st = dom_exec_one(db, "ogc_item", 2, params, &r);
    *out = NULL;
    if (st == DOM_OK && (*out = parse_row_json(r, 0, 0)) == NULL)
        st = DOM_INTERNAL;
    PQclear(r);
    return st;
}

dom_status ogc_extent(db_t *db, double bbox[4], char **t0, char **t1) {
    PGresult *r;
    dom_status st = dom_exec_one(db, "ogc_extent", 0, NULL, &r);
    *t0 = *t1 = NULL;
    for (int k = 0; k < 4; k++)
        bbox[k] = 0;
    if (st != DOM_OK)
        goto done;
    for (int k = 0; k < 4; k++)
        if (!PQgetisnull(r, 0, k))
            bbox[k] = strtod(PQgetvalue(r, 0, k), NULL);
    if (!PQgetisnull(r, 0, 4) && (*t0 = strdup(PQgetvalue(r, 0, 4))) == NULL)
        st = DOM_INTERNAL;
    if (!PQgetisnull(r, 0, 5) && (*t1 = strdup(PQgetvalue(r, 0, 5))) == NULL)
        st = DOM_INTERNAL;
    if (st != DOM_OK) {
        free(*t0);
        free(*t1);
        *t0 = *t1 = NULL;
    }
done:
    PQclear(r);
    return st;
}

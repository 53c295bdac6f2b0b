/* ogc: the initiatives as the features of an OGC API – Features collection (OGC 17-069r4, Core and
 * GeoJSON): pages of GeoJSON features in id order with keyset positions, one feature, and the
 * extent of the collection.
 *
 * Only published initiatives that have a point are features: the collection is a layer of points,
 * and an initiative without a place is left out of it (it is in GET /api/v1/initiatives). The
 * filters are the search's (search_where_sql, over the one filter table of search/filter.c). */
#ifndef SC_OGC_H
#define SC_OGC_H

#include <jansson.h>
#include <stdint.h>

#include "core/buf.h"
#include "domain/search.h"
#include "domain/status.h"
#include "storage/db.h"

#define OGC_LIMIT_DEFAULT 10
#define OGC_LIMIT_MAX     1000
/* The features of one page as text: 1,000 features of ~1.2 KB, with room for long summaries. */
#define OGC_FEATURES_MAX (8 * 1024 * 1024)

extern const db_stmt_t ogc_stmts[];

typedef struct ogc_items_query {
    const search_query_t *sq; /* the search's filters (its limit, cursor and sort are ignored) */
    /* datetime on updated_at: timestamptz texts checked by the caller, NULL for an open end. */
    const char *from; /* updated_at >= from */
    const char *to;   /* updated_at <= to (or < to when to_exclusive) */
    bool to_exclusive;
    int64_t cursor_id;       /* 0: the first page */
    bool before;             /* the page before cursor_id (a prev link), else the page after it */
    int limit;               /* 1..OGC_LIMIT_MAX */
    const char *record_base; /* the record's page is record_base + id ("https://…/initiatives/") */
} ogc_items_query_t;

typedef struct ogc_page {
    /* The features in id order, as GeoJSON texts joined by commas (the contents of a JSON array),
     * written by PostgreSQL and passed on as they are: parsing and writing them again in C cost
     * as much as building them. Owned by the page: ogc_page_free. */
    buf_t features;
    int nfeatures;
    int64_t first_id; /* of the page (0 when empty) */
    int64_t last_id;  /* of the page (0 when empty) */
    bool more;        /* a row follows the page in the direction read */
    /* Every match, when the page is known to hold them all (the first page, nothing after it),
     * else -1: numberMatched is then left out (OGC 17-069r4 makes it optional). Counting matches
     * beyond the page reads every one of them: at 1,000,000 initiatives a count capped at 1,000
     * cost 6 times the page for a wide box and a theme (two whole index bitmaps). */
    json_int_t matched;
} ogc_page_t;

/* One page of features. *page is always initialised (ogc_page_free it, whatever the outcome); on
 * SEARCH_OK it holds the features. Fails like search_run (unknown code, bad q) or with
 * SEARCH_FAILED and err->dom. */
search_status ogc_items(db_t *db, const ogc_items_query_t *q, ogc_page_t *page,
                        search_error_t *err) MUST_CHECK;
void ogc_page_free(ogc_page_t *page);

/* The feature of a published, placed initiative; DOM_NOT_FOUND otherwise. *out owned by the
 * caller. */
dom_status ogc_item(db_t *db, int64_t id, const char *record_base, json_t **out) MUST_CHECK;

/* The extent of the features: *bbox [minLon, minLat, maxLon, maxLat] (all 0 when there is no
 * feature) from the map's coarsest cells, and the first and last update times (ISO 8601 texts
 * owned by the caller in *t0 and *t1, NULL when there is none). */
dom_status ogc_extent(db_t *db, double bbox[4], char **t0, char **t1) MUST_CHECK;

#endif

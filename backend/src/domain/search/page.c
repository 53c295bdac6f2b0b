/* The page of a search: which ids, in which order, by one of three strategies (page_strategy),
 * then their items, with excerpts and distances. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "domain/excerpt.h"
#include "domain/initiative.h"
#include "domain/rows.h"
#include "domain/search/engine.h"
#include "domain/search/filter.h"

/* The ORDER BY of a page's ids. Relevance is the RUM distance (lower is better); ties come newest
 * first, except for a large match set (big), where they come in the order of the index: ordering
 * the ties by id would make the planner compute the distance of every match instead of reading
 * the best ones from the index. */
static void order_by(search_qb_t *x, search_sort sort, bool big) {
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
static void page_select(search_qb_t *x, const char *from, bool after) {
    const search_query_t *sq = x->sq;
    if (x->count_all)
        sqlb_sql(&x->b, "SELECT i.id, i.rank, i.dist, count(*) OVER () AS n FROM (");
    sqlb_sql(&x->b, "SELECT i.id, ");
    if (x->q && x->q[0]) {
        sqlb_sql(&x->b, "i.tsv <=> sc_tsquery(");
        search_qb_words(x);
        sqlb_sql(&x->b, ") AS rank, ");
    } else {
        sqlb_sql(&x->b, "0 AS rank, ");
    }
    if (sq->has_near) {
        sqlb_sql(&x->b, "ST_Distance(i.geom::geography, ");
        search_qb_near_point(x);
        sqlb_sql(&x->b, "::geography) AS dist");
    } else {
        sqlb_sql(&x->b, "NULL::float8 AS dist");
    }
    if (!x->count_all)
        sqlb_sql(&x->b, ", NULL::bigint AS n");
    sqlb_sql(&x->b, from);
    search_qb_where(x, -1);
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

/* A newest-first page (keyset) with the number of all matches in column n, from one read of the
 * matches: up to the cap plus one of them, in any order (the plan of the count), then their
 * newest. Past the cursor is decided above the count, which counts them all. A search with more
 * matches than the cap gets a page of some of them only: the caller reads it again without the
 * count (n tells). Used for the searches filtered by theme and région or département without words
 * (search/search.c), whose indexes (migrations 026, 032) hold the date and id of their entries: the
 * count read them anyway, and walking the newest-first index for the page read 3,800 rows of the
 * table for the 21 of theme:ENV year:2015..2020 territory:region:76. */
static void newest_counted(search_qb_t *x) {
    const search_query_t *sq = x->sq;
    sqlb_sql(&x->b, "SELECT m.id, 0 AS rank, NULL::float8 AS dist, m.n FROM (SELECT i.id,"
                    " i.created_at, count(*) OVER () AS n FROM (SELECT i.id, i.created_at"
                    " FROM initiative i");
    search_qb_where(x, -1);
    sqlb_sql(&x->b, " LIMIT " SEARCH_CAP_PLUS_ONE ") i) m");
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

/* How the ids of a page are read. */
typedef enum page_strategy {
    PAGE_TIERS,          /* a large ranked match set of free words: in tiers (statements.c) */
    PAGE_NEWEST_COUNTED, /* newest first, counting the matches in the same read (newest_counted) */
    PAGE_SELECT,         /* one SELECT of the matches in the order asked (page_select) */
} page_strategy;

/* The one place where the strategy is chosen. counting: the number of all matches is asked. */
static page_strategy page_choose(const search_attempt_t *a, search_sort sort, bool big,
                                 bool counting) {
    if (sort == SEARCH_SORT_RELEVANCE && big && a->q && a->q[0] &&
        !search_has_filters(a->sq, a->ast))
        return PAGE_TIERS;
    if (sort == SEARCH_SORT_RECENT && counting)
        return PAGE_NEWEST_COUNTED;
    return PAGE_SELECT;
}

/* PAGE_TIERS: the prepared statement search_tiers, past `offset` matches. */
static dom_status page_tiers(db_t *db, const search_attempt_t *a, int64_t offset, PGresult **r) {
    char n[32], lim[32], off[32];
    snprintf(n, sizeof n, "%" PRId64, offset + a->sq->limit + 1);
    snprintf(lim, sizeof lim, "%d", a->sq->limit + 1);
    snprintf(off, sizeof off, "%" PRId64, offset);
    const char *params[] = {a->q, n, lim, off};
    return dom_from_db(db_exec(db, "search_tiers", 4, params, r));
}

/* PAGE_NEWEST_COUNTED: the newest page past the cursor, each row with the number of all matches
 * (column n). */
static dom_status page_newest_counted(db_t *db, const search_attempt_t *a, PGresult **r) {
    search_qb_t x;
    search_qb_init(&x, a->sq, a->q, a->ast);
    x.bits = a->bits;
    newest_counted(&x);
    dom_status st = dom_query_built(db, "search page", &x.b, r);
    sqlb_free(&x.b);
    return st;
}

/* PAGE_SELECT: newest first past the keyset cursor, or in the order of sort past `offset`
 * matches; with the number of all matches in column n when count_all. */
static dom_status page_select_run(db_t *db, const search_attempt_t *a, search_sort sort, bool big,
                                  bool count_all, int64_t offset, PGresult **r) {
    const search_query_t *sq = a->sq;
    bool keyset = sort == SEARCH_SORT_RECENT;
    search_qb_t x;
    search_qb_init(&x, sq, a->q, a->ast);
    x.bits = a->bits;
    x.count_all = count_all;
    page_select(&x, " FROM initiative i", keyset && sq->cursor);
    order_by(&x, sort, big);
    sqlb_sql(&x.b, " LIMIT ");
    sqlb_paramf(&x.b, "%d", sq->limit + 1);
    if (!keyset) {
        sqlb_sql(&x.b, " OFFSET ");
        sqlb_paramf(&x.b, "%" PRId64, offset);
    }
    dom_status st = dom_query_built(db, "search page", &x.b, r);
    sqlb_free(&x.b);
    return st;
}

/* Sets the excerpt (when the items carry the text and the query's lexemes) and the distance (when
 * the ids carry one) of each item of list. ids: the rows of the page's ids, shown of them shown;
 * items: their items, in the same order, one deleted in between missing. */
static void page_decorate(json_t *list, const PGresult *ids, int shown, const PGresult *items,
                          int limit) {
    /* The query's lexemes, the same on every row: a query whose lexemes cannot be read gets its
     * excerpts without marks. */
    excerpt_terms_t terms = {.n = 0};
    if (PQntuples(items) > 0 && !PQgetisnull(items, 0, INITIATIVE_ITEM_NCOLS) &&
        !excerpt_terms_parse(PQgetvalue(items, 0, INITIATIVE_ITEM_NCOLS), &terms))
        log_msg(LOG_WARN, "search: unreadable query lexemes");
    for (int i = 0, j = 0; i < PQntuples(items) && i < limit; i++, j++) {
        json_t *item = json_array_get(list, (size_t)i);
        while (j < shown && strcmp(PQgetvalue(ids, j, 0), PQgetvalue(items, i, 0)) != 0)
            j++; /* an initiative deleted since its id was read */
        if (!PQgetisnull(items, i, INITIATIVE_ITEM_NCOLS)) {
            buf_t html;
            buf_init(&html, 4 * EXCERPT_TEXT_MAX);
            if (excerpt_html(PQgetvalue(items, i, INITIATIVE_ITEM_NCOLS + 1),
                             (size_t)PQgetlength(items, i, INITIATIVE_ITEM_NCOLS + 1), &terms,
                             &html))
                json_object_set_new(item, "excerpt", json_stringn(buf_cstr(&html), html.len));
            buf_free(&html);
        }
        if (j < shown && !PQgetisnull(ids, j, 2))
            json_object_set_new(
                    item, "distance_m",
                    json_integer((json_int_t)llround(strtod(PQgetvalue(ids, j, 2), NULL))));
    }
}

/* The answer of a page from the rows of its ids (id, rank, dist, n; one more than the limit when
 * there are more): their items (search_items, prepared), decorated. base: the offset cursor of
 * the page, NULL for a keyset page. */
static dom_status page_json(db_t *db, const search_attempt_t *a, const PGresult *ids,
                            const cursor_t *base, json_t **out) {
    const search_query_t *sq = a->sq;
    int rows = PQntuples(ids);
    /* The ids of the page shown ("{1,2,…}"), the row after it only telling that there is more. */
    int shown = rows < sq->limit ? rows : sq->limit;
    buf_t list;
    dom_status st;
    buf_init(&list, 32 * (size_t)(shown + 1));
    bool ok = buf_append_str(&list, "{");
    for (int i = 0; ok && i < shown; i++)
        ok = (i == 0 || buf_append_str(&list, ",")) && buf_append_str(&list, PQgetvalue(ids, i, 0));
    ok = ok && buf_append_str(&list, "}");
    PGresult *items = NULL;
    if (ok && shown == 0) {
        /* Nothing to read (the first attempt of a misspelt word): an empty result of the items. */
        items = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
        st = items ? DOM_OK : DOM_INTERNAL;
    } else if (ok) {
        const char *params[] = {sq->lang, buf_cstr(&list), a->q && a->q[0] ? a->q : NULL};
        st = dom_from_db(db_exec(db, "search_items", 3, params, &items));
    } else {
        st = DOM_INTERNAL;
    }
    buf_free(&list);
    if (st == DOM_OK)
        st = initiative_items_json(items, sq->limit, rows > sq->limit, base, out);
    if (st == DOM_OK && json_object_get(*out, "items"))
        page_decorate(json_object_get(*out, "items"), ids, shown, items, sq->limit);
    PQclear(items);
    return st;
}

dom_status search_page(db_t *db, const search_attempt_t *a, search_sort sort, bool big,
                       json_int_t *counted, json_t **out) {
    const search_query_t *sq = a->sq;
    bool keyset = sort == SEARCH_SORT_RECENT;
    cursor_t base = {.kind = CURSOR_OFFSET,
                     .offset = sq->cursor && !keyset ? sq->cursor->offset : 0};
    PGresult *r = NULL;
    dom_status st = DOM_INTERNAL;
    switch (page_choose(a, sort, big, counted != NULL)) {
    case PAGE_TIERS:
        st = page_tiers(db, a, base.offset, &r);
        break;
    case PAGE_NEWEST_COUNTED:
        st = page_newest_counted(db, a, &r);
        if (st == DOM_OK && PQntuples(r) > 0 &&
            strtoll(PQgetvalue(r, 0, 3), NULL, 10) > SEARCH_TOTAL_CAP) {
            /* More matches than were read: the page is not theirs; it is read on its own. */
            *counted = strtoll(PQgetvalue(r, 0, 3), NULL, 10);
            counted = NULL;
            PQclear(r);
            st = page_select_run(db, a, sort, big, false, base.offset, &r);
        }
        break;
    case PAGE_SELECT:
        st = page_select_run(db, a, sort, big, counted != NULL && !keyset, base.offset, &r);
        break;
    }
    if (st != DOM_OK)
        return st;
    /* An empty page: no match at all, unless it comes after a cursor (-1: not counted). */
    if (counted && PQntuples(r) > 0)
        *counted = strtoll(PQgetvalue(r, 0, 3), NULL, 10);
    else if (counted)
        *counted = base.offset == 0 && !(keyset && sq->cursor) ? 0 : -1;
    st = page_json(db, a, r, keyset ? NULL : &base, out);
    PQclear(r);
    return st;
}

dom_status search_page_among(db_t *db, const search_attempt_t *a, search_sort sort, const char *ids,
                             int64_t sql_offset, json_t **out) {
    const search_query_t *sq = a->sq;
    bool keyset = sort == SEARCH_SORT_RECENT;
    cursor_t base = {.kind = CURSOR_OFFSET,
                     .offset = sq->cursor && !keyset ? sq->cursor->offset : 0};
    char from[96];
    PGresult *r = NULL;
    search_qb_t x;
    search_qb_init(&x, sq, a->q, NULL);
    /* The candidates first, then the conditions on them alone (OFFSET 0 keeps the planner from
     * reading the filters' indexes instead). */
    snprintf(from, sizeof from,
             " FROM (SELECT * FROM initiative WHERE id = ANY ($%d::bigint[]) OFFSET 0) i",
             sqlb_bind(&x.b, ids));
    page_select(&x, from, keyset && sq->cursor);
    order_by(&x, sort, false);
    sqlb_sql(&x.b, " LIMIT ");
    sqlb_paramf(&x.b, "%d", sq->limit + 1);
    if (!keyset) {
        sqlb_sql(&x.b, " OFFSET ");
        sqlb_paramf(&x.b, "%" PRId64, sql_offset);
    }
    dom_status st = dom_query_built(db, "search page among", &x.b, &r);
    sqlb_free(&x.b);
    if (st == DOM_OK)
        st = page_json(db, a, r, keyset ? NULL : &base, out);
    PQclear(r);
    return st;
}

#include "domain/search.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "domain/initiative.h"

#define RANKED_PAGE_SQL                                                          \
    "WITH page AS (SELECT i.id, ts_rank_cd(i.tsv, q) AS rank"                    \
    "                FROM initiative i, websearch_to_tsquery('sc_french', $2) q" \
    "               WHERE i.status = 'published' AND i.tsv @@ q"                 \
    "               ORDER BY rank DESC, i.id DESC LIMIT $3 OFFSET $4)"           \
    " SELECT " INITIATIVE_ITEM_COLUMNS                                           \
    " FROM page p JOIN initiative i ON i.id = p.id" INITIATIVE_ITEM_JOINS        \
    " ORDER BY p.rank DESC, p.id DESC"

/* Counting stops at the cap plus one: an exact count of a very common word costs more than the
 * search itself, and nobody reads past ten thousand results. */
#define CAP "10001"

const db_stmt_t search_stmts[] = {
        {"search_ranked", RANKED_PAGE_SQL, 4, true},
        {"search_ranked_count",
         "SELECT count(*) FROM (SELECT 1 FROM initiative i WHERE i.status = 'published'"
         " AND i.tsv @@ websearch_to_tsquery('sc_french', $1) LIMIT " CAP ") s",
         1, true},
        {"search_all_count",
         "SELECT count(*) FROM (SELECT 1 FROM initiative WHERE status = 'published' LIMIT " CAP
         ") s",
         0, true},
        {NULL, NULL, 0, false},
};

static dom_status search_count(db_t *db, const char *q, json_int_t *total) {
    PGresult *r;
    const char *params[] = {q};
    db_status ds = q ? db_exec(db, "search_ranked_count", 1, params, &r)
                     : db_exec(db, "search_all_count", 0, NULL, &r);
    if (ds != DB_OK)
        return dom_from_db(ds);
    *total = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return DOM_OK;
}

static dom_status search_ranked(db_t *db, const search_query_t *sq, json_t **out) {
    char lim[16], off[24];
    cursor_t base = {.kind = CURSOR_OFFSET, .offset = sq->cursor ? sq->cursor->offset : 0};
    snprintf(lim, sizeof lim, "%d", sq->limit + 1);
    snprintf(off, sizeof off, "%" PRId64, base.offset);
    const char *params[] = {sq->lang, sq->q, lim, off};
    PGresult *r;
    db_status ds = db_exec(db, "search_ranked", 4, params, &r);
    if (ds != DB_OK)
        return dom_from_db(ds);
    dom_status st = initiative_page_json(r, sq->limit, &base, out);
    PQclear(r);
    return st;
}

search_status search_run(db_t *db, const search_query_t *sq, json_t **out, dom_status *dom) {
    bool ranked = sq->q != NULL && sq->q[0] != '\0';
    json_int_t total = 0;
    *out = NULL;
    if (sq->cursor && sq->cursor->kind != (ranked ? CURSOR_OFFSET : CURSOR_KEYSET))
        return SEARCH_BAD_CURSOR;

    *dom = search_count(db, ranked ? sq->q : NULL, &total);
    if (*dom != DOM_OK)
        return SEARCH_FAILED;
    *dom = ranked ? search_ranked(db, sq, out)
                  : initiative_list(db, sq->cursor, sq->limit, sq->lang, out);
    if (*dom != DOM_OK)
        return SEARCH_FAILED;

    bool exact = total <= SEARCH_TOTAL_CAP;
    if (json_object_set_new(*out, "total", json_integer(exact ? total : SEARCH_TOTAL_CAP)) != 0 ||
        json_object_set_new(*out, "total_exact", json_boolean(exact)) != 0) {
        json_decref(*out);
        *out = NULL;
        *dom = DOM_INTERNAL;
        return SEARCH_FAILED;
    }
    return SEARCH_OK;
}

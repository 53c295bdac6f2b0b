#include "domain/people/favourite.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/initiative.h"
#include "domain/rows.h"

/* The limit as SQL text, from the constant of the header. */
#define FV_TEXT_(x) #x
#define FV_TEXT(x)  FV_TEXT_(x)
#define FV_MAX_TEXT FV_TEXT(FAVOURITE_MAX)

/* $1 lang, $2 limit, $3 user, then the keyset condition's parameters. The page's ids come from the
 * favourite index (user, created_at, initiative); their items are read by the code of lists. */
#define FV_PAGE_SQL(where)                                                                      \
    "WITH page AS (SELECT f.initiative_id AS id, f.created_at AS fav_at FROM favourite f"       \
    "                JOIN initiative i0 ON i0.id = f.initiative_id AND i0.status = 'published'" \
    "               WHERE f.user_id = $3" where                                                 \
    "               ORDER BY f.created_at DESC, f.initiative_id DESC LIMIT $2)"                 \
    " SELECT " INITIATIVE_ITEM_COLUMNS ","                                                      \
    "  to_char(p.fav_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"                 \
    "  (extract(epoch FROM p.fav_at) * 1000000)::bigint"                                        \
    " FROM page p JOIN initiative i ON i.id = p.id" INITIATIVE_ITEM_JOINS(                      \
            " IN (SELECT id FROM page)") " ORDER BY p.fav_at DESC, p.id DESC"

const db_stmt_t favourite_stmts[] = {
        {"fv_page_first", FV_PAGE_SQL(""), 3, true},
        {"fv_page_after",
         FV_PAGE_SQL(" AND (f.created_at, f.initiative_id) < ('epoch'::timestamptz + $4::bigint"
                     " * interval '1 microsecond', $5::bigint)"),
         5, true},
        {"fv_ids",
         "SELECT coalesce(json_agg(f.initiative_id ORDER BY f.created_at DESC,"
         "                         f.initiative_id DESC), '[]')::text"
         "  FROM favourite f JOIN initiative i ON i.id = f.initiative_id"
         " WHERE f.user_id = $1 AND i.status = 'published'",
         1, true},
        /* Taken first in the transaction of a write that checks a per-person limit: two requests of
         * the same person then count one after the other. NO KEY UPDATE does not block the foreign
         * key checks of other rows pointing to the person. */
        {"fv_lock_user", "SELECT 1 FROM app_user WHERE id = $1 FOR NO KEY UPDATE", 1, false},
        {"fv_add",
         "WITH i AS (SELECT id FROM initiative WHERE id = $2 AND status = 'published'),"
         " n AS (SELECT count(*) AS n FROM favourite WHERE user_id = $1),"
         " ins AS (INSERT INTO favourite (user_id, initiative_id)"
         "         SELECT $1, i.id FROM i, n WHERE n.n < " FV_MAX_TEXT
         "         ON CONFLICT DO NOTHING RETURNING 1)"
         " SELECT (SELECT count(*) FROM i), (SELECT count(*) FROM ins),"
         "        EXISTS (SELECT 1 FROM favourite WHERE user_id = $1 AND initiative_id = $2)",
         2, false},
        {"fv_remove", "DELETE FROM favourite WHERE user_id = $1 AND initiative_id = $2", 2, false},
        {NULL, NULL, 0, false},
};

dom_status favourite_list(db_t *db, int64_t user_id, const cursor_t *after, int limit,
                          const char *lang, json_t **out) {
    char lim[16], uid[24], created[24], idtext[24];
    PGresult *r = NULL;
    db_status ds;
    json_t *items = NULL, *next = NULL;
    dom_status st = DOM_INTERNAL;
    *out = NULL;
    snprintf(lim, sizeof lim, "%d", limit + 1); /* one more row tells whether a next page exists */
    snprintf(uid, sizeof uid, "%" PRId64, user_id);
    if (after) {
        snprintf(created, sizeof created, "%" PRId64, after->created_us);
        snprintf(idtext, sizeof idtext, "%" PRId64, after->id);
        const char *params[] = {lang, lim, uid, created, idtext};
        ds = db_exec(db, "fv_page_after", 5, params, &r);
    } else {
        const char *params[] = {lang, lim, uid};
        ds = db_exec(db, "fv_page_first", 3, params, &r);
    }
    if (ds != DB_OK)
        return dom_from_db(ds);
    int rows = PQntuples(r);
    const int c_at = INITIATIVE_ITEM_NCOLS, c_us = INITIATIVE_ITEM_NCOLS + 1;
    items = json_array();
    next = json_null();
    if (items == NULL)
        goto done;
    for (int i = 0; i < rows && i < limit; i++) {
        json_t *item = initiative_item_json(r, i);
        if (item == NULL ||
            json_object_set_new(item, "favourited_at", json_string(PQgetvalue(r, i, c_at))) != 0 ||
            json_array_append_new(items, item) != 0)
            goto done;
    }
    if (rows > limit) {
        /* The position of the last row shown, in the order of favourites (not of initiatives). */
        cursor_t c = {.kind = CURSOR_KEYSET,
                      .created_us = strtoll(PQgetvalue(r, limit - 1, c_us), NULL, 10),
                      .id = strtoll(PQgetvalue(r, limit - 1, 0), NULL, 10)};
        char text[CURSOR_TEXT_MAX];
        if (cursor_encode(&c, text, sizeof text)) {
            json_decref(next);
            next = json_string(text);
        }
    }
    *out = json_pack("{s:o, s:o}", "items", items, "next_cursor", next);
    items = next = NULL;
    st = *out ? DOM_OK : DOM_INTERNAL;
done:
    json_decref(items);
    json_decref(next);
    PQclear(r);
    return st;
}

dom_status favourite_ids(db_t *db, int64_t user_id, json_t **out) {
    char uid[24];
    PGresult *r = NULL;
    json_error_t e;
    snprintf(uid, sizeof uid, "%" PRId64, user_id);
    const char *params[] = {uid};
    *out = NULL;
    dom_status st = dom_from_db(db_exec(db, "fv_ids", 1, params, &r));
    if (st != DOM_OK)
        return st;
    json_t *ids = PQntuples(r) == 1 ? json_loads(PQgetvalue(r, 0, 0), 0, &e) : NULL;
    PQclear(r);
    if (ids == NULL)
        return DOM_INTERNAL;
    *out = json_pack("{s:o}", "ids", ids);
    return *out ? DOM_OK : DOM_INTERNAL;
}

dom_status favourite_add(db_t *db, int64_t user_id, int64_t initiative_id, favourite_result *res) {
    char uid[24], iid[24];
    snprintf(uid, sizeof uid, "%" PRId64, user_id);
    snprintf(iid, sizeof iid, "%" PRId64, initiative_id);
    const char *lock_params[] = {uid};
    const char *add_params[] = {uid, iid};
    db_call_t calls[] = {{"fv_lock_user", 1, lock_params, NULL}, {"fv_add", 2, add_params, NULL}};
    *res = FAVOURITE_DONE;
    dom_status st = dom_from_db(db_exec_batch(db, calls, ARRAY_LEN(calls)));
    if (st != DOM_OK)
        return st;
    PGresult *r = calls[1].result;
    if (PQntuples(r) != 1)
        st = DOM_INTERNAL;
    else if (strcmp(PQgetvalue(r, 0, 0), "0") == 0)
        *res = FAVOURITE_NO_INITIATIVE;
    else if (strcmp(PQgetvalue(r, 0, 1), "0") == 0 && strcmp(PQgetvalue(r, 0, 2), "t") != 0)
        *res = FAVOURITE_LIMIT;
    PQclear(calls[0].result);
    PQclear(calls[1].result);
    return st;
}

dom_status favourite_remove(db_t *db, int64_t user_id, int64_t initiative_id) {
    char uid[24], iid[24];
    PGresult *r = NULL;
    snprintf(uid, sizeof uid, "%" PRId64, user_id);
    snprintf(iid, sizeof iid, "%" PRId64, initiative_id);
    const char *params[] = {uid, iid};
    dom_status st = dom_from_db(db_exec(db, "fv_remove", 2, params, &r));
    PQclear(r);
    return st;
}

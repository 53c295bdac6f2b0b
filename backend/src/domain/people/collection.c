#include "domain/people/collection.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "domain/initiative.h"
#include "domain/rows.h"

#define CO_TS_FORMAT " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
/* COLLECTION without its items, from collection c joined with its owner u, to be closed by
 * ", 'is_owner', …)". Only the owner's display name is shown: the address never leaves the
 * account's own answers. */
#define CO_JSON_OPEN                                                                           \
    "json_build_object('id', c.id, 'title', c.title, 'description', c.description,"            \
    " 'visibility', c.visibility, 'owner', json_build_object('display_name', u.display_name)," \
    " 'item_count', (SELECT count(*) FROM collection_item ci JOIN initiative ii"               \
    "                  ON ii.id = ci.initiative_id AND ii.status = 'published'"                \
    "                 WHERE ci.collection_id = c.id),"                                         \
    " 'created_at', to_char(c.created_at" CO_TS_FORMAT ","                                     \
    " 'updated_at', to_char(c.updated_at" CO_TS_FORMAT ", 'version', c.version"
#define CO_PAGE_JOINS INITIATIVE_ITEM_JOINS(" IN (SELECT id FROM page)")
/* The limits as SQL text, from the constants of the header. */
#define CO_TEXT_(x)       #x
#define CO_TEXT(x)        CO_TEXT_(x)
#define CO_ITEMS_MAX_TEXT CO_TEXT(COLLECTION_ITEMS_MAX)
#define CO_MAX_TEXT       CO_TEXT(COLLECTION_MAX)

const db_stmt_t collection_stmts[] = {
        {"co_find", "SELECT user_id, visibility = 'public' FROM collection WHERE id = $1", 1, true},
        {"co_get",
         "SELECT " CO_JSON_OPEN ", 'is_owner', c.user_id = $2::bigint)::text"
         "  FROM collection c JOIN app_user u ON u.id = c.user_id WHERE c.id = $1",
         2, true},
        /* $1 lang, $2 collection: the items in order, read by the code of lists. */
        {"co_items",
         "WITH page AS (SELECT ci.initiative_id AS id, ci.position, ci.note, ci.added_at"
         "                FROM collection_item ci JOIN initiative i0"
         "                  ON i0.id = ci.initiative_id AND i0.status = 'published'"
         "               WHERE ci.collection_id = $2)"
         " SELECT " INITIATIVE_ITEM_COLUMNS ", p.position, p.note,"
         "        to_char(p.added_at" CO_TS_FORMAT
         " FROM page p JOIN initiative i ON i.id = p.id" CO_PAGE_JOINS " ORDER BY p.position, p.id",
         2, true},
        {"co_list",
         "SELECT coalesce(json_agg(x.j ORDER BY x.updated_at DESC, x.id DESC), '[]')::text"
         "  FROM (SELECT " CO_JSON_OPEN ", 'is_owner', true) AS j, c.updated_at, c.id"
         "          FROM collection c JOIN app_user u ON u.id = c.user_id"
         "         WHERE c.user_id = $1 AND c.community_id IS NULL"
         "         ORDER BY c.updated_at DESC, c.id DESC LIMIT " CO_MAX_TEXT ") x",
         1, true},
        /* Runs after fv_lock_user in the same transaction: the count cannot change meanwhile. */
        {"co_create",
         "INSERT INTO collection (user_id, title, description, visibility)"
         " SELECT $1, $2, $3, $4"
         "  WHERE (SELECT count(*) FROM collection WHERE user_id = $1) < " CO_MAX_TEXT
         " RETURNING id",
         4, false},
        /* $1 id, $2 owner, $3 version, $4 title, $5 description, $6 visibility (NULL: kept). */
        {"co_update",
         "WITH u AS (UPDATE collection SET title = coalesce($4, title),"
         "                  description = coalesce($5, description),"
         "                  visibility = coalesce($6, visibility), updated_at = now(),"
         "                  version = version + 1"
         "            WHERE id = $1 AND user_id = $2 AND version = $3::int RETURNING id)"
         " SELECT (SELECT count(*) FROM u),"
         "        EXISTS (SELECT 1 FROM collection WHERE id = $1 AND user_id = $2)",
         6, false},
        {"co_delete", "DELETE FROM collection WHERE id = $1 AND user_id = $2", 2, false},
        /* Taken first in the transaction of every change of items (see collection.h). */
        {"co_lock", "SELECT 1 FROM collection WHERE id = $1 AND user_id = $2 FOR UPDATE", 2, false},
        /* $1 id, $2 owner, $3 initiative, $4 note. */
        {"co_item_add",
         "WITH c AS (SELECT id FROM collection WHERE id = $1 AND user_id = $2),"
         " i AS (SELECT id FROM initiative WHERE id = $3 AND status = 'published'),"
         " n AS (SELECT count(*) AS n, coalesce(max(position), 0) AS last"
         "         FROM collection_item WHERE collection_id = $1),"
         " ex AS (SELECT 1 FROM collection_item WHERE collection_id = $1 AND initiative_id = $3),"
         " ins AS (INSERT INTO collection_item (collection_id, initiative_id, position, note)"
         "         SELECT c.id, i.id, n.last + 1, $4 FROM c, i, n"
         "          WHERE n.n < " CO_ITEMS_MAX_TEXT " AND NOT EXISTS (SELECT 1 FROM ex)"
         "         RETURNING 1),"
         " up AS (UPDATE collection SET updated_at = now()"
         "         WHERE id = $1 AND EXISTS (SELECT 1 FROM ins))"
         " SELECT (SELECT count(*) FROM c), (SELECT count(*) FROM i), (SELECT count(*) FROM ex),"
         "        (SELECT count(*) FROM ins)",
         4, false},
        /* $1 id, $2 owner, $3 initiative, $4 note (NULL: kept). */
        {"co_item_note",
         "WITH t AS (UPDATE collection_item ci SET note = coalesce($4, ci.note) FROM collection c"
         "            WHERE c.id = $1 AND c.user_id = $2 AND ci.collection_id = c.id"
         "              AND ci.initiative_id = $3 RETURNING 1),"
         " up AS (UPDATE collection SET updated_at = now()"
         "         WHERE id = $1 AND $4::text IS NOT NULL AND EXISTS (SELECT 1 FROM t))"
         " SELECT count(*) FROM t",
         4, false},
        /* $1 id, $2 owner, $3 initiative, $4 note (NULL: kept), $5 position. The others keep their
         * order and are numbered around the moved one, so positions stay 1..n (gaps left by a
         * deleted initiative close too). */
        {"co_item_move",
         "WITH cur AS (SELECT ci.initiative_id, ci.position FROM collection_item ci"
         "               JOIN collection c ON c.id = ci.collection_id AND c.user_id = $2"
         "              WHERE ci.collection_id = $1),"
         " t AS (SELECT 1 FROM cur WHERE initiative_id = $3::bigint),"
         " p AS (SELECT least(greatest($5::int, 1), count(*)) AS p FROM cur),"
         " ord AS (SELECT initiative_id,"
         "                row_number() OVER (ORDER BY position, initiative_id) AS rn"
         "           FROM cur WHERE initiative_id <> $3::bigint),"
         " np AS (SELECT o.initiative_id, CASE WHEN o.rn >= p.p THEN o.rn + 1 ELSE o.rn END AS pos"
         "          FROM ord o, p"
         "        UNION ALL SELECT $3::bigint, p.p FROM p),"
         " upd AS (UPDATE collection_item ci SET position = np.pos,"
         "                note = CASE WHEN ci.initiative_id = $3::bigint"
         "                            THEN coalesce($4, ci.note) ELSE ci.note END"
         "           FROM np WHERE EXISTS (SELECT 1 FROM t) AND ci.collection_id = $1"
         "            AND ci.initiative_id = np.initiative_id"
         "            AND (ci.position <> np.pos OR ci.initiative_id = $3::bigint)),"
         " up AS (UPDATE collection SET updated_at = now()"
         "         WHERE id = $1 AND EXISTS (SELECT 1 FROM t))"
         " SELECT count(*) FROM t",
         5, false},
        /* $1 id, $2 owner, $3 initiative. */
        {"co_item_remove",
         "WITH d AS (DELETE FROM collection_item ci USING collection c"
         "            WHERE c.id = $1 AND c.user_id = $2 AND ci.collection_id = c.id"
         "              AND ci.initiative_id = $3 RETURNING ci.initiative_id),"
         " r AS (UPDATE collection_item ci SET position = o.rn"
         "         FROM (SELECT initiative_id,"
         "                      row_number() OVER (ORDER BY position, initiative_id) AS rn"
         "                 FROM collection_item WHERE collection_id = $1"
         "                  AND initiative_id <> $3) o"
         "        WHERE EXISTS (SELECT 1 FROM d) AND ci.collection_id = $1"
         "          AND ci.initiative_id = o.initiative_id AND ci.position <> o.rn),"
         " up AS (UPDATE collection SET updated_at = now()"
         "         WHERE id = $1 AND EXISTS (SELECT 1 FROM d))"
         " SELECT count(*) FROM d",
         3, false},
        {NULL, NULL, 0, false},
};

#define CO_ID(buf, v) snprintf(buf, sizeof buf, "%" PRId64, (int64_t)(v))

static json_t *co_json(const char *text) {
    json_error_t e;
    json_t *j = json_loads(text, 0, &e);
    if (j == NULL)
        log_msg(LOG_ERROR, "collection: unreadable JSON from the database: %s", e.text);
    return j;
}

dom_status collection_find(db_t *db, int64_t id, policy_object_t *obj) {
    char cid[24];
    PGresult *r = NULL;
    CO_ID(cid, id);
    const char *params[] = {cid};
    obj->owner_id = 0;
    obj->is_public = false;
    dom_status st = dom_exec_one(db, "co_find", 1, params, &r);
    if (st == DOM_OK) {
        obj->owner_id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
        obj->is_public = strcmp(PQgetvalue(r, 0, 1), "t") == 0;
    }
    PQclear(r);
    return st;
}

/* The items of a co_items result: [{"position", "note", "added_at", "initiative": ITEM}]. */
static json_t *co_items_json(const PGresult *r) {
    const int c = INITIATIVE_ITEM_NCOLS;
    json_t *items = json_array();
    for (int i = 0; items != NULL && i < PQntuples(r); i++) {
        json_t *item = json_pack("{s:I, s:s, s:s, s:o}", "position",
                                 (json_int_t)strtoll(PQgetvalue(r, i, c), NULL, 10), "note",
                                 PQgetvalue(r, i, c + 1), "added_at", PQgetvalue(r, i, c + 2),
                                 "initiative", initiative_item_json(r, i));
        if (item == NULL || json_array_append_new(items, item) != 0) {
            json_decref(items);
            items = NULL;
        }
    }
    return items;
}

dom_status collection_get(db_t *db, int64_t id, int64_t viewer_id, const char *lang, json_t **out) {
    char cid[24], vid[24];
    CO_ID(cid, id);
    CO_ID(vid, viewer_id);
    const char *get_params[] = {cid, vid};
    const char *item_params[] = {lang, cid};
    db_call_t calls[] = {{"co_get", 2, get_params, NULL}, {"co_items", 2, item_params, NULL}};
    json_t *items = NULL;
    *out = NULL;
    dom_status st = dom_from_db(db_exec_batch(db, calls, ARRAY_LEN(calls)));
    if (st != DOM_OK)
        return st;
    if (PQntuples(calls[0].result) != 1) {
        st = DOM_NOT_FOUND;
        goto done;
    }
    st = DOM_INTERNAL;
    *out = co_json(PQgetvalue(calls[0].result, 0, 0));
    items = co_items_json(calls[1].result);
    if (*out == NULL || items == NULL || json_object_set_new(*out, "items", items) != 0) {
        json_decref(*out);
        *out = NULL;
        goto done;
    }
    items = NULL;
    st = DOM_OK;
done:
    json_decref(items);
    PQclear(calls[0].result);
    PQclear(calls[1].result);
    return st;
}

dom_status collection_list(db_t *db, int64_t owner_id, json_t **out) {
    char uid[24];
    PGresult *r = NULL;
    CO_ID(uid, owner_id);
    const char *params[] = {uid};
    *out = NULL;
    dom_status st = dom_from_db(db_exec(db, "co_list", 1, params, &r));
    if (st != DOM_OK)
        return st;
    json_t *items = PQntuples(r) == 1 ? co_json(PQgetvalue(r, 0, 0)) : NULL;
    PQclear(r);
    if (items == NULL)
        return DOM_INTERNAL;
    *out = json_pack("{s:o}", "items", items);
    return *out ? DOM_OK : DOM_INTERNAL;
}

dom_status collection_create(db_t *db, int64_t owner_id, const char *title, const char *description,
                             const char *visibility, collection_result *res, int64_t *id) {
    char uid[24];
    CO_ID(uid, owner_id);
    const char *lock_params[] = {uid};
    const char *params[] = {uid, title, description, visibility};
    db_call_t calls[] = {{"fv_lock_user", 1, lock_params, NULL}, {"co_create", 4, params, NULL}};
    *res = COLLECTION_DONE;
    *id = 0;
    dom_status st = dom_from_db(db_exec_batch(db, calls, ARRAY_LEN(calls)));
    if (st != DOM_OK)
        return st;
    if (PQntuples(calls[0].result) != 1)
        *res = COLLECTION_GONE; /* the account was deleted meanwhile */
    else if (PQntuples(calls[1].result) != 1)
        *res = COLLECTION_LIMIT;
    else
        *id = strtoll(PQgetvalue(calls[1].result, 0, 0), NULL, 10);
    PQclear(calls[0].result);
    PQclear(calls[1].result);
    return st;
}

dom_status collection_update(db_t *db, int64_t id, int64_t owner_id, long long version,
                             const collection_edit_t *edit, collection_result *res) {
    char cid[24], uid[24], ver[24];
    PGresult *r = NULL;
    CO_ID(cid, id);
    CO_ID(uid, owner_id);
    snprintf(ver, sizeof ver, "%lld", version);
    const char *params[] = {cid, uid, ver, edit->title, edit->description, edit->visibility};
    *res = COLLECTION_DONE;
    dom_status st = dom_from_db(db_exec(db, "co_update", 6, params, &r));
    if (st == DOM_OK && PQntuples(r) != 1)
        st = DOM_INTERNAL;
    if (st == DOM_OK && strcmp(PQgetvalue(r, 0, 0), "1") != 0)
        *res = strcmp(PQgetvalue(r, 0, 1), "t") == 0 ? COLLECTION_CONFLICT : COLLECTION_GONE;
    PQclear(r);
    return st;
}

dom_status collection_delete(db_t *db, int64_t id, int64_t owner_id, collection_result *res) {
    char cid[24], uid[24];
    PGresult *r = NULL;
    CO_ID(cid, id);
    CO_ID(uid, owner_id);
    const char *params[] = {cid, uid};
    dom_status st = dom_from_db(db_exec(db, "co_delete", 2, params, &r));
    *res = st == DOM_OK && strcmp(PQcmdTuples(r), "1") == 0 ? COLLECTION_DONE : COLLECTION_GONE;
    PQclear(r);
    return st;
}

/* Runs statement name (params: collection, owner, then more) after co_lock in one transaction;
 * *r receives its result (caller clears). */
static dom_status co_locked(db_t *db, const char *name, int n, const char *const *params,
                            PGresult **r) {
    db_call_t calls[] = {{"co_lock", 2, params, NULL}, {name, n, params, NULL}};
    *r = NULL;
    dom_status st = dom_from_db(db_exec_batch(db, calls, ARRAY_LEN(calls)));
    if (st != DOM_OK)
        return st;
    PQclear(calls[0].result);
    *r = calls[1].result;
    return DOM_OK;
}

dom_status collection_item_add(db_t *db, int64_t id, int64_t owner_id, int64_t initiative_id,
                               const char *note, collection_result *res) {
    char cid[24], uid[24], iid[24];
    PGresult *r = NULL;
    CO_ID(cid, id);
    CO_ID(uid, owner_id);
    CO_ID(iid, initiative_id);
    const char *params[] = {cid, uid, iid, note};
    *res = COLLECTION_DONE;
    dom_status st = co_locked(db, "co_item_add", 4, params, &r);
    if (st == DOM_OK && PQntuples(r) != 1)
        st = DOM_INTERNAL;
    if (st == DOM_OK) {
        if (strcmp(PQgetvalue(r, 0, 0), "0") == 0)
            *res = COLLECTION_GONE;
        else if (strcmp(PQgetvalue(r, 0, 1), "0") == 0)
            *res = COLLECTION_NO_INITIATIVE;
        else if (strcmp(PQgetvalue(r, 0, 2), "0") != 0)
            *res = COLLECTION_PRESENT;
        else if (strcmp(PQgetvalue(r, 0, 3), "0") == 0)
            *res = COLLECTION_LIMIT;
    }
    PQclear(r);
    return st;
}

dom_status collection_item_update(db_t *db, int64_t id, int64_t owner_id, int64_t initiative_id,
                                  const char *note, long long position, collection_result *res) {
    char cid[24], uid[24], iid[24], pos[24];
    PGresult *r = NULL;
    CO_ID(cid, id);
    CO_ID(uid, owner_id);
    CO_ID(iid, initiative_id);
    snprintf(pos, sizeof pos, "%lld", position);
    const char *params[] = {cid, uid, iid, note, pos};
    *res = COLLECTION_DONE;
    dom_status st = position > 0 ? co_locked(db, "co_item_move", 5, params, &r)
                                 : co_locked(db, "co_item_note", 4, params, &r);
    if (st == DOM_OK && PQntuples(r) != 1)
        st = DOM_INTERNAL;
    if (st == DOM_OK && strcmp(PQgetvalue(r, 0, 0), "0") == 0)
        *res = COLLECTION_GONE;
    PQclear(r);
    return st;
}

dom_status collection_item_remove(db_t *db, int64_t id, int64_t owner_id, int64_t initiative_id,
                                  collection_result *res) {
    char cid[24], uid[24], iid[24];
    PGresult *r = NULL;
    CO_ID(cid, id);
    CO_ID(uid, owner_id);
    CO_ID(iid, initiative_id);
    const char *params[] = {cid, uid, iid};
    *res = COLLECTION_DONE;
    dom_status st = co_locked(db, "co_item_remove", 3, params, &r);
    if (st == DOM_OK && PQntuples(r) != 1)
        st = DOM_INTERNAL;
    if (st == DOM_OK && strcmp(PQgetvalue(r, 0, 0), "0") == 0)
        *res = COLLECTION_GONE;
    PQclear(r);
    return st;
}

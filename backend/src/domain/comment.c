#include "domain/comment.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "domain/keyset_page.h"
#include "domain/rows.h"
#include "domain/status.h"

#define CM_TS(x)    "to_char(" x " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
#define CM_TEXT_(x) #x
#define CM_TEXT(x)  CM_TEXT_(x)
#define CM_WINDOW   "interval '" CM_TEXT(COMMENT_EDIT_WINDOW_MIN) " minutes'"
/* COMMENT from comment c and its author u, as docs/api.md shows it. Only the author's display
 * name leaves the account; a deleted account shows as « compte supprimé ». */
#define CM_JSON                                                                                    \
    "json_build_object('id', c.id, 'version', c.version, 'author',"                                \
    " json_build_object('id', c.author_id, 'name', coalesce(u.display_name, 'compte supprimé'))," \
    " 'body', c.body, 'body_html', c.body_html, 'created_at', " CM_TS(                             \
            "c.created_at") ","                                                                    \
                            " 'edited_at', " CM_TS("c.edited_at") ", 'editable_until', " CM_TS(    \
                                    "(c.created_at + " CM_WINDOW ")") ")"
#define CM_JSON_HIDDEN \
    "(" CM_JSON "::jsonb || jsonb_build_object('hidden', c.status = 'hidden'))::text"
#define CM_PAGE(where)                                                                      \
    "SELECT " CM_JSON "::text, (extract(epoch FROM c.created_at) * 1000000)::bigint, c.id"  \
    "  FROM comment c JOIN app_user u ON u.id = c.author_id"                                \
    " WHERE c.initiative_id = $1 AND c.status = 'visible'" where                            \
    "   AND EXISTS (SELECT 1 FROM initiative i WHERE i.id = $1 AND i.status = 'published')" \
    " ORDER BY c.created_at, c.id LIMIT $2"

const db_stmt_t comment_stmts[] = {
        {"cm_find",
         "SELECT author_id, status = 'visible', initiative_id FROM comment WHERE id = $1", 1, true},
        {"cm_versions",
         "SELECT (SELECT version FROM data_version),"
         "       coalesce((SELECT version FROM comment_thread WHERE initiative_id = $1), 0)",
         1, true},
        {"cm_published", "SELECT 1 FROM initiative WHERE id = $1 AND status = 'published'", 1,
         true},
        {"cm_page_first", CM_PAGE(""), 2, true},
        {"cm_page_after",
         CM_PAGE(" AND (c.created_at, c.id) > ('epoch'::timestamptz + $3::bigint * interval '1 "
                 "microsecond', $4::bigint)"),
         4, true},
        {"cm_mine",
         "SELECT coalesce(json_agg(x.j ORDER BY x.created_at, x.id), '[]')::text"
         "  FROM (SELECT " CM_JSON_HIDDEN "::json AS j, c.created_at, c.id"
         "          FROM comment c JOIN app_user u ON u.id = c.author_id"
         "         WHERE c.initiative_id = $1 AND c.author_id = $2"
         "         ORDER BY c.created_at, c.id LIMIT 1000) x",
         2, true},
        {"cm_get",
         "SELECT " CM_JSON_HIDDEN " FROM comment c JOIN app_user u ON u.id = c.author_id"
         " WHERE c.id = $1",
         1, true},
        /* $1 initiative, $2 author, $3 body, $4 body_html. */
        {"cm_create",
         "WITH ins AS (INSERT INTO comment (initiative_id, author_id, body, body_html)"
         "             SELECT i.id, $2, $3, $4 FROM initiative i"
         "              WHERE i.id = $1 AND i.status = 'published' RETURNING *)"
         " SELECT " CM_JSON "::text FROM ins c JOIN app_user u ON u.id = c.author_id",
         4, false},
        /* $1 id, $2 author, $3 version, $4 body, $5 body_html. The window is checked before the
         * version: a late edit is refused as late, whatever version it sends. */
        {"cm_update",
         "WITH cur AS (SELECT id, version, sc_now() < created_at + " CM_WINDOW " AS open"
         "               FROM comment WHERE id = $1 AND author_id = $2 AND status = 'visible'"
         "                FOR UPDATE),"
         " up AS (UPDATE comment c SET body = $4, body_html = $5, edited_at = sc_now(),"
         "               version = c.version + 1"
         "          FROM cur WHERE c.id = cur.id AND cur.open AND cur.version = $3::int"
         "        RETURNING c.*)"
         " SELECT (SELECT count(*) FROM cur), (SELECT open FROM cur),"
         "        (SELECT " CM_JSON "::text FROM up c JOIN app_user u ON u.id = c.author_id)",
         5, false},
        /* $1 id, $2 who deletes. */
        {"cm_delete",
         "WITH d AS (DELETE FROM comment WHERE id = $1 RETURNING id),"
         " r AS (UPDATE report SET status = 'resolved', decision = 'resolve',"
         "              review_reason = 'Commentaire supprimé.', reviewed_by = $2,"
         "              reviewed_at = sc_now(), version = version + 1"
         "        WHERE target_kind = 'comment' AND target_id = $1 AND status = 'open'"
         "          AND EXISTS (SELECT 1 FROM d))"
         " SELECT count(*) FROM d",
         2, false},
        /* $1 id, $2 moderator, $3 hidden (true/false), $4 reason. */
        {"cm_set_hidden",
         "WITH c0 AS (SELECT id FROM comment WHERE id = $1),"
         " h AS (UPDATE comment c SET status = CASE WHEN $3::bool THEN 'hidden' ELSE 'visible' END,"
         "              hidden_at = CASE WHEN $3::bool THEN sc_now() END,"
         "              hidden_by = CASE WHEN $3::bool THEN $2::bigint END,"
         "              hidden_reason = CASE WHEN $3::bool THEN $4 END, version = c.version + 1"
         "        WHERE c.id = $1 AND c.status <> CASE WHEN $3::bool THEN 'hidden'"
         "                                             ELSE 'visible' END RETURNING c.id),"
         " r AS (UPDATE report SET status = 'resolved', decision = 'hide', review_reason = $4,"
         "              reviewed_by = $2, reviewed_at = sc_now(), version = version + 1"
         "        WHERE $3::bool AND target_kind = 'comment' AND target_id = $1"
         "          AND status = 'open' AND EXISTS (SELECT 1 FROM c0))"
         " SELECT count(*) FROM c0",
         4, false},
        {NULL, NULL, 0, false},
};

#define CM_ID(buf, v) snprintf(buf, sizeof buf, "%" PRId64, (int64_t)(v))

dom_status comment_find(db_t *db, int64_t id, policy_object_t *obj, int64_t *initiative_id) {
    char cid[24];
    PGresult *r = NULL;
    CM_ID(cid, id);
    const char *params[] = {cid};
    obj->owner_id = 0;
    obj->is_public = false;
    *initiative_id = 0;
    dom_status st = dom_exec_one(db, "cm_find", 1, params, &r);
    if (st == DOM_OK) {
        obj->owner_id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
        obj->is_public = strcmp(PQgetvalue(r, 0, 1), "t") == 0;
        *initiative_id = strtoll(PQgetvalue(r, 0, 2), NULL, 10);
    }
    PQclear(r);
    return st;
}

dom_status comment_versions(db_t *db, int64_t initiative_id, int64_t *data_version,
                            int64_t *thread_version) {
    char iid[24];
    PGresult *r = NULL;
    CM_ID(iid, initiative_id);
    const char *params[] = {iid};
    dom_status st = dom_from_db(db_exec(db, "cm_versions", 1, params, &r));
    if (st == DOM_OK && PQntuples(r) != 1)
        st = DOM_INTERNAL;
    if (st == DOM_OK) {
        *data_version = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
        *thread_version = strtoll(PQgetvalue(r, 0, 1), NULL, 10);
    }
    PQclear(r);
    return st;
}

dom_status comment_list(db_t *db, int64_t initiative_id, const cursor_t *after, int limit,
                        json_t **out) {
    char iid[24], lim[24], created[24], last[24];
    PGresult *r = NULL;
    CM_ID(iid, initiative_id);
    snprintf(lim, sizeof lim, "%d", limit + 1); /* one more: is there a next page? */
    *out = NULL;
    dom_status st;
    if (after != NULL) {
        CM_ID(created, after->created_us);
        CM_ID(last, after->id);
        const char *params[] = {iid, lim, created, last};
        st = dom_from_db(db_exec(db, "cm_page_after", 4, params, &r));
    } else {
        const char *params[] = {iid, lim};
        st = dom_from_db(db_exec(db, "cm_page_first", 2, params, &r));
    }
    if (st != DOM_OK)
        return st;
    int n = PQntuples(r);
    if (n == 0) {
        /* An empty page of a published initiative, or no such initiative. */
        PQclear(r);
        const char *params[] = {iid};
        st = dom_exec_one(db, "cm_published", 1, params, &r);
        if (st == DOM_OK) {
            *out = json_pack("{s:[], s:n}", "items", "next_cursor");
            st = *out ? DOM_OK : DOM_INTERNAL;
        }
        goto done;
    }
    st = keyset_page(r, limit, "comment", out);
done:
    PQclear(r);
    return st;
}

/* Runs a statement whose one row and column is a JSON text; *out receives it (NULL and
 * DOM_NOT_FOUND when no row). */
static dom_status cm_one_json(db_t *db, const char *name, int n, const char *const *params,
                              json_t **out) {
    PGresult *r = NULL;
    *out = NULL;
    dom_status st = dom_from_db(db_exec(db, name, n, params, &r));
    if (st == DOM_OK && PQntuples(r) != 1)
        st = DOM_NOT_FOUND;
    if (st == DOM_OK) {
        *out = keyset_page_row(PQgetvalue(r, 0, 0), "comment");
        if (*out == NULL)
            st = DOM_INTERNAL;
    }
    PQclear(r);
    return st;
}

dom_status comment_mine(db_t *db, int64_t initiative_id, int64_t author_id, json_t **out) {
    char iid[24], uid[24];
    json_t *items;
    CM_ID(iid, initiative_id);
    CM_ID(uid, author_id);
    const char *params[] = {iid, uid};
    *out = NULL;
    dom_status st = cm_one_json(db, "cm_mine", 2, params, &items);
    if (st != DOM_OK)
        return st;
    *out = json_pack("{s:o}", "items", items);
    return *out ? DOM_OK : DOM_INTERNAL;
}

dom_status comment_get(db_t *db, int64_t id, json_t **out) {
    char cid[24];
    CM_ID(cid, id);
    const char *params[] = {cid};
    return cm_one_json(db, "cm_get", 1, params, out);
}

dom_status comment_create(db_t *db, int64_t initiative_id, int64_t author_id, const char *body,
                          const char *body_html, comment_result *res, json_t **out) {
    char iid[24], uid[24];
    CM_ID(iid, initiative_id);
    CM_ID(uid, author_id);
    const char *params[] = {iid, uid, body, body_html};
    *res = COMMENT_DONE;
    dom_status st = cm_one_json(db, "cm_create", 4, params, out);
    if (st == DOM_NOT_FOUND) {
        *res = COMMENT_GONE;
        st = DOM_OK;
    }
    return st;
}

dom_status comment_update(db_t *db, int64_t id, int64_t author_id, long long version,
                          const char *body, const char *body_html, comment_result *res,
                          json_t **out) {
    char cid[24], uid[24], ver[24];
    PGresult *r = NULL;
    CM_ID(cid, id);
    CM_ID(uid, author_id);
    snprintf(ver, sizeof ver, "%lld", version);
    const char *params[] = {cid, uid, ver, body, body_html};
    *res = COMMENT_DONE;
    *out = NULL;
    dom_status st = dom_from_db(db_exec(db, "cm_update", 5, params, &r));
    if (st == DOM_OK && PQntuples(r) != 1)
        st = DOM_INTERNAL;
    if (st != DOM_OK)
        goto done;
    if (strcmp(PQgetvalue(r, 0, 0), "0") == 0)
        *res = COMMENT_GONE;
    else if (strcmp(PQgetvalue(r, 0, 1), "t") != 0)
        *res = COMMENT_TOO_LATE;
    else if (PQgetisnull(r, 0, 2))
        *res = COMMENT_CONFLICT;
    else if ((*out = keyset_page_row(PQgetvalue(r, 0, 2), "comment")) == NULL)
        st = DOM_INTERNAL;
done:
    PQclear(r);
    return st;
}

dom_status comment_delete(db_t *db, int64_t id, int64_t actor_id, comment_result *res) {
    char cid[24], uid[24];
    PGresult *r = NULL;
    CM_ID(cid, id);
    CM_ID(uid, actor_id);
    const char *params[] = {cid, uid};
    *res = COMMENT_DONE;
    dom_status st = dom_from_db(db_exec(db, "cm_delete", 2, params, &r));
    if (st == DOM_OK && PQntuples(r) != 1)
        st = DOM_INTERNAL;
    if (st == DOM_OK && strcmp(PQgetvalue(r, 0, 0), "0") == 0)
        *res = COMMENT_GONE;
    PQclear(r);
    return st;
}

dom_status comment_set_hidden(db_t *db, int64_t id, int64_t moderator_id, bool hidden,
                              const char *reason, comment_result *res) {
    char cid[24], uid[24];
    PGresult *r = NULL;
    CM_ID(cid, id);
    CM_ID(uid, moderator_id);
    const char *params[] = {cid, uid, hidden ? "true" : "false", reason};
    *res = COMMENT_DONE;
    dom_status st = dom_from_db(db_exec(db, "cm_set_hidden", 4, params, &r));
    if (st == DOM_OK && PQntuples(r) != 1)
        st = DOM_INTERNAL;
    if (st == DOM_OK && strcmp(PQgetvalue(r, 0, 0), "0") == 0)
        *res = COMMENT_GONE;
    PQclear(r);
    return st;
}

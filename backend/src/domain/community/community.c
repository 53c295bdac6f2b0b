#include "domain/community/community.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/b64url.h"
#include "core/log.h"
#include "domain/keyset_page.h"
#include "domain/rows.h"

const db_stmt_t community_stmts[] = {
        {"cmy_context", "SELECT visibility, status, role FROM community_context($1, $2)", 2, true},
        {"cmy_get", "SELECT community_get($1, $2)::text", 2, true},
        {"cmy_create",
         "SELECT community_create($1, $2, $3, $4, $5, $6, coalesce($7, '{}')::text[])::text", 7,
         false},
        {"cmy_update",
         "SELECT community_update($1, $2, $3::int, $4, $5, $6, $7, $8, $9::boolean,"
         " $10::text[])::text",
         10, false},
        {"cmy_delete", "DELETE FROM community WHERE id = $1", 1, false},
        {"cmy_directory",
         "SELECT (d->'j')::text, d->>'k', d->>'id'"
         "  FROM community_directory($1, $2, $3, $4, $5, $6::bigint, $7::int, $8) d",
         8, true},
        {"cmy_mine", "SELECT community_mine($1)::text", 1, true},
        {"cmy_themes",
         "SELECT NOT EXISTS (SELECT 1 FROM unnest($1::text[]) x WHERE NOT EXISTS"
         " (SELECT 1 FROM vocabulary v WHERE v.kind = 'theme' AND v.code = x))",
         1, true},
        {NULL, NULL, 0, false},
};

#define CM_ID(buf, v) snprintf(buf, sizeof buf, "%" PRId64, (int64_t)(v))

dom_status community_call(db_t *db, const char *stmt, int n, const char *const *params,
                          json_t **out) {
    PGresult *r = NULL;
    *out = NULL;
    dom_status st = dom_from_db(db_exec(db, stmt, n, params, &r));
    if (st != DOM_OK)
        return st;
    if (PQntuples(r) != 1 || PQgetisnull(r, 0, 0)) {
        st = DOM_NOT_FOUND;
        goto done;
    }
    json_error_t e;
    *out = json_loads(PQgetvalue(r, 0, 0), 0, &e);
    if (*out == NULL) {
        log_msg(LOG_ERROR, "%s: unreadable JSON from the database: %s", stmt, e.text);
        st = DOM_INTERNAL;
    }
done:
    PQclear(r);
    return st;
}

dom_status community_page(db_t *db, const char *stmt, int n, const char *const *params, int limit,
                          json_t **out) {
    PGresult *r = NULL;
    *out = NULL;
    dom_status st = dom_from_db(db_exec(db, stmt, n, params, &r));
    if (st == DOM_OK)
        st = keyset_page(r, limit, stmt, out);
    PQclear(r);
    return st;
}

dom_status community_context(db_t *db, int64_t id, int64_t viewer, policy_object_t *obj) {
    char cid[24], uid[24];
    PGresult *r = NULL;
    CM_ID(cid, id);
    CM_ID(uid, viewer);
    const char *params[] = {cid, uid};
    memset(obj, 0, sizeof *obj);
    obj->owner_id = 0;
    dom_status st = dom_exec_one(db, "cmy_context", 2, params, &r);
    if (st == DOM_OK) {
        const char *vis = PQgetvalue(r, 0, 0), *s = PQgetvalue(r, 0, 1),
                   *role = PQgetvalue(r, 0, 2);
        policy_community_t *c = &obj->community;
        c->visibility = strcmp(vis, "public") == 0       ? PCV_PUBLIC
                        : strcmp(vis, "restricted") == 0 ? PCV_RESTRICTED
                                                         : PCV_PRIVATE;
        c->status = strcmp(s, "member") == 0    ? PCS_MEMBER
                    : strcmp(s, "pending") == 0 ? PCS_PENDING
                    : strcmp(s, "banned") == 0  ? PCS_BANNED
                                                : PCS_NONE;
        c->role = strcmp(role, "owner") == 0       ? PCR_OWNER
                  : strcmp(role, "moderator") == 0 ? PCR_MODERATOR
                  : strcmp(role, "member") == 0    ? PCR_MEMBER
                                                   : PCR_NONE;
        obj->is_public = c->visibility == PCV_PUBLIC;
    }
    PQclear(r);
    return st;
}

dom_status community_get(db_t *db, int64_t id, int64_t viewer, json_t **out) {
    char cid[24], uid[24];
    CM_ID(cid, id);
    CM_ID(uid, viewer);
    const char *params[] = {cid, uid};
    return community_call(db, "cmy_get", 2, params, out);
}

dom_status community_create(db_t *db, int64_t actor, const community_fields_t *f, json_t **out) {
    char uid[24];
    CM_ID(uid, actor);
    const char *params[] = {
            uid,      f->name, f->description, f->visibility, f->territory_level, f->territory_code,
            f->themes};
    return community_call(db, "cmy_create", 7, params, out);
}

dom_status community_update(db_t *db, int64_t id, int64_t actor, long long version,
                            const community_fields_t *f, json_t **out) {
    char cid[24], uid[24], ver[24];
    CM_ID(cid, id);
    CM_ID(uid, actor);
    snprintf(ver, sizeof ver, "%lld", version);
    const char *params[] = {cid,
                            uid,
                            ver,
                            f->name,
                            f->description,
                            f->visibility,
                            f->territory_level,
                            f->territory_code,
                            f->clear_territory ? "true" : "false",
                            f->themes};
    return community_call(db, "cmy_update", 10, params, out);
}

dom_status community_delete(db_t *db, int64_t id) {
    char cid[24];
    PGresult *r = NULL;
    CM_ID(cid, id);
    const char *params[] = {cid};
    dom_status st = dom_from_db(db_exec(db, "cmy_delete", 1, params, &r));
    if (st == DOM_OK && strcmp(PQcmdTuples(r), "1") != 0)
        st = DOM_NOT_FOUND;
    PQclear(r);
    return st;
}

/* The directory's cursor: base64url of "id:name_key" (the keyset position). */
#define CM_DIR_CURSOR_MAX 700

dom_status community_directory(db_t *db, const char *q, const char *theme, const char *level,
                               const char *code, const char *cursor, int limit, int64_t viewer,
                               json_t **out) {
    char uid[24], lim[16], after_id[24] = "", key[CM_DIR_CURSOR_MAX];
    const char *after_key = NULL;
    PGresult *r = NULL;
    json_t *items = NULL;
    dom_status st = DOM_INTERNAL;
    *out = NULL;
    CM_ID(uid, viewer);
    snprintf(lim, sizeof lim, "%d", limit + 1);
    if (cursor != NULL) {
        size_t n = 0;
        char *colon;
        if (!b64url_decode(cursor, key, sizeof key - 1, &n))
            return DOM_NOT_FOUND;
        key[n] = '\0';
        colon = strchr(key, ':');
        if (colon == NULL || colon == key || colon - key >= (long)sizeof after_id)
            return DOM_NOT_FOUND;
        memcpy(after_id, key, (size_t)(colon - key));
        after_id[colon - key] = '\0';
        for (char *p = after_id; *p; p++)
            if (*p < '0' || *p > '9')
                return DOM_NOT_FOUND;
        after_key = colon + 1;
    }
    const char *params[] = {q,   theme, level, code, after_key, after_key ? after_id : NULL,
                            lim, uid};
    st = dom_from_db(db_exec(db, "cmy_directory", 8, params, &r));
    if (st != DOM_OK)
        return st;
    st = DOM_INTERNAL;
    items = json_array();
    int rows = PQntuples(r);
    for (int i = 0; items != NULL && i < rows && i < limit; i++) {
        json_error_t e;
        json_t *c = json_loads(PQgetvalue(r, i, 0), 0, &e);
        if (c == NULL || json_array_append_new(items, c) != 0)
            goto done;
    }
    json_t *next = json_null();
    if (rows > limit) {
        char pos[CM_DIR_CURSOR_MAX], enc[CM_DIR_CURSOR_MAX * 2];
        int len = snprintf(pos, sizeof pos, "%s:%s", PQgetvalue(r, limit - 1, 2),
                           PQgetvalue(r, limit - 1, 1));
        if (len < 0 || (size_t)len >= sizeof pos ||
            !b64url_encode(pos, (size_t)len, enc, sizeof enc))
            goto done;
        next = json_string(enc);
    }
    *out = json_pack("{s:O, s:o}", "items", items, "next_cursor", next);
    st = *out ? DOM_OK : DOM_INTERNAL;
done:
    json_decref(items);
    PQclear(r);
    return st;
}

dom_status community_mine(db_t *db, int64_t viewer, json_t **out) {
    char uid[24];
    CM_ID(uid, viewer);
    const char *params[] = {uid};
    return community_call(db, "cmy_mine", 1, params, out);
}

dom_status community_themes_known(db_t *db, const char *themes, bool *known) {
    PGresult *r = NULL;
    const char *params[] = {themes};
    *known = false;
    dom_status st = dom_exec_one(db, "cmy_themes", 1, params, &r);
    if (st == DOM_OK)
        *known = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
    PQclear(r);
    return st;
}

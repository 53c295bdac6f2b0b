#include "domain/people/apikey.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "domain/rows.h"

#define AK_TS(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
/* KEY, from api_key k: never the hash. use: the requests of the last days, oldest first, days
 * without a request included (a chart needs them). */
#define AK_JSON                                                                                  \
    "json_build_object('id', k.id, 'name', k.name, 'prefix', k.prefix,"                          \
    " 'quota_minute', k.quota_minute, 'quota_day', k.quota_day,"                                 \
    " 'created_at', " AK_TS("k.created_at") ", 'last_used_at', " AK_TS(                          \
            "k.last_used_at") ","                                                                \
                              " 'revoked_at', " AK_TS(                                           \
                                      "k.revoked_at") ","                                        \
                                                      " 'use', (SELECT "                         \
                                                      "json_agg(json_build_object('day', "       \
                                                      "to_char(d, 'YYYY-MM-DD'),"                \
                                                      "                'requests', "             \
                                                      "coalesce(u.requests, 0)) ORDER BY d)"     \
                                                      "         FROM generate_series((now() AT " \
                                                      "TIME ZONE 'UTC')::date - 13,"             \
                                                      "                              (now() AT " \
                                                      "TIME ZONE 'UTC')::date, '1 day') d"       \
                                                      "         LEFT JOIN api_key_use u ON "     \
                                                      "u.key_id = k.id AND u.day = d::date))"
#define AK_TEXT_(x) #x
#define AK_TEXT(x)  AK_TEXT_(x)

const db_stmt_t apikey_stmts[] = {
        {"ak_find", "SELECT user_id FROM api_key WHERE id = $1", 1, true},
        {"ak_list",
         "SELECT coalesce(json_agg(" AK_JSON
         " ORDER BY k.revoked_at IS NOT NULL, k.created_at DESC,"
         " k.id DESC), '[]')::text FROM api_key k WHERE k.user_id = $1",
         1, true},
        /* Runs after fv_lock_user in the same transaction: the count cannot change meanwhile. */
        {"ak_create",
         "INSERT INTO api_key AS k (user_id, name, prefix, hash)"
         " SELECT $1, $2, $3, decode($4, 'hex')"
         "  WHERE (SELECT count(*) FROM api_key WHERE user_id = $1 AND revoked_at IS NULL) "
         "< " AK_TEXT(APIKEY_MAX) " RETURNING " AK_JSON "::text",
         4, false},
        {"ak_revoke",
         "UPDATE api_key SET revoked_at = coalesce(revoked_at, now())"
         " WHERE id = $1 AND user_id = $2 RETURNING encode(hash, 'hex')",
         2, false},
        /* The key of a deleted account is refused as revoked. */
        {"ak_lookup",
         "SELECT k.id, coalesce(k.quota_minute, 0), coalesce(k.quota_day, 0),"
         "       k.revoked_at IS NOT NULL OR u.deleted_at IS NOT NULL"
         "  FROM api_key k JOIN app_user u ON u.id = k.user_id WHERE k.hash = decode($1, 'hex')",
         1, true},
        {"ak_live_hashes",
         "SELECT encode(hash, 'hex') FROM api_key WHERE user_id = $1 AND revoked_at IS NULL", 1,
         true},
        {"ak_use_add",
         "WITH u AS (INSERT INTO api_key_use AS a (key_id, day, requests)"
         "   SELECT (e->>0)::bigint, (e->>1)::date, sum((e->>2)::bigint)"
         "     FROM jsonb_array_elements($1::jsonb) e"
         "    WHERE EXISTS (SELECT 1 FROM api_key WHERE id = (e->>0)::bigint)"
         "    GROUP BY 1, 2"
         "   ON CONFLICT (key_id, day) DO UPDATE SET requests = a.requests + excluded.requests)"
         " UPDATE api_key k SET last_used_at = greatest(k.last_used_at, to_timestamp(l.t))"
         "   FROM (SELECT (e->>0)::bigint AS id, max((e->>1)::double precision) AS t"
         "           FROM jsonb_array_elements($2::jsonb) e GROUP BY 1) l"
         "  WHERE k.id = l.id",
         2, false},
        {NULL, NULL, 0, false},
};

#define AK_ID(buf, v) snprintf(buf, sizeof buf, "%" PRId64, (int64_t)(v))

static json_t *ak_json(const char *text) {
    json_error_t e;
    json_t *j = json_loads(text, 0, &e);
    if (j == NULL)
        log_msg(LOG_ERROR, "apikey: unreadable JSON from the database: %s", e.text);
    return j;
}

dom_status apikey_find(db_t *db, int64_t id, policy_object_t *obj) {
    char sid[24];
    PGresult *r = NULL;
    AK_ID(sid, id);
    const char *params[] = {sid};
    obj->owner_id = 0;
    obj->is_public = false;
    obj->actor_carries = false;
    dom_status st = dom_exec_one(db, "ak_find", 1, params, &r);
    if (st == DOM_OK)
        obj->owner_id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return st;
}

dom_status apikey_list(db_t *db, int64_t owner_id, json_t **out) {
    char uid[24];
    PGresult *r = NULL;
    AK_ID(uid, owner_id);
    const char *params[] = {uid};
    *out = NULL;
    dom_status st = dom_from_db(db_exec(db, "ak_list", 1, params, &r));
    if (st != DOM_OK)
        return st;
    json_t *items = PQntuples(r) == 1 ? ak_json(PQgetvalue(r, 0, 0)) : NULL;
    PQclear(r);
    if (items == NULL)
        return DOM_INTERNAL;
    *out = json_pack("{s:o}", "items", items);
    return *out ? DOM_OK : DOM_INTERNAL;
}

dom_status apikey_create(db_t *db, int64_t owner_id, const char *name, const char *prefix,
                         const char *hash_hex, apikey_result *res, json_t **out) {
    char uid[24];
    AK_ID(uid, owner_id);
    const char *lock_params[] = {uid};
    const char *values[] = {uid, name, prefix, hash_hex};
    db_call_t calls[] = {{"fv_lock_user", 1, lock_params, NULL}, {"ak_create", 4, values, NULL}};
    *res = APIKEY_DONE;
    *out = NULL;
    dom_status st = dom_from_db(db_exec_batch(db, calls, ARRAY_LEN(calls)));
    if (st != DOM_OK)
        return st;
    if (PQntuples(calls[0].result) != 1)
        *res = APIKEY_GONE; /* the account was deleted meanwhile */
    else if (PQntuples(calls[1].result) != 1)
        *res = APIKEY_LIMIT;
    else if ((*out = ak_json(PQgetvalue(calls[1].result, 0, 0))) == NULL)
        st = DOM_INTERNAL;
    PQclear(calls[0].result);
    PQclear(calls[1].result);
    return st;
}

dom_status apikey_revoke(db_t *db, int64_t id, int64_t owner_id, apikey_result *res,
                         char hash_hex[APIKEY_HEX_LEN + 1]) {
    char sid[24], uid[24];
    PGresult *r = NULL;
    AK_ID(sid, id);
    AK_ID(uid, owner_id);
    const char *params[] = {sid, uid};
    hash_hex[0] = '\0';
    *res = APIKEY_GONE;
    dom_status st = dom_from_db(db_exec(db, "ak_revoke", 2, params, &r));
    if (st == DOM_OK && PQntuples(r) == 1 && strlen(PQgetvalue(r, 0, 0)) == APIKEY_HEX_LEN) {
        memcpy(hash_hex, PQgetvalue(r, 0, 0), APIKEY_HEX_LEN + 1);
        *res = APIKEY_DONE;
    }
    PQclear(r);
    return st;
}

dom_status apikey_lookup(db_t *db, const char *hash_hex, apikey_info_t *info) {
    PGresult *r = NULL;
    const char *params[] = {hash_hex};
    memset(info, 0, sizeof *info);
    dom_status st = dom_exec_one(db, "ak_lookup", 1, params, &r);
    if (st == DOM_OK) {
        info->id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
        info->quota_minute = atoi(PQgetvalue(r, 0, 1));
        info->quota_day = atoi(PQgetvalue(r, 0, 2));
        info->revoked = strcmp(PQgetvalue(r, 0, 3), "t") == 0;
    }
    PQclear(r);
    return st;
}

dom_status apikey_use_add(db_t *db, const char *uses_json, const char *last_json) {
    PGresult *r = NULL;
    const char *params[] = {uses_json, last_json};
    dom_status st = dom_from_db(db_exec(db, "ak_use_add", 2, params, &r));
    PQclear(r);
    return st;
}

dom_status apikey_live_hashes(db_t *db, int64_t owner_id, json_t **out) {
    char uid[24];
    PGresult *r = NULL;
    AK_ID(uid, owner_id);
    const char *params[] = {uid};
    *out = NULL;
    dom_status st = dom_from_db(db_exec(db, "ak_live_hashes", 1, params, &r));
    if (st == DOM_OK) {
        *out = json_array();
        for (int i = 0; *out != NULL && i < PQntuples(r); i++)
            if (json_array_append_new(*out, json_string(PQgetvalue(r, i, 0))) != 0)
                st = DOM_INTERNAL;
        if (*out == NULL)
            st = DOM_INTERNAL;
    }
    PQclear(r);
    return st;
}

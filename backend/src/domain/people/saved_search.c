#include "domain/people/saved_search.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "domain/rows.h"
#include "domain/status.h"

#define SV_TS_FORMAT " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
/* SAVED_SEARCH, from saved_search s. */
#define SV_JSON                                                                           \
    "json_build_object('id', s.id, 'name', s.name, 'params', s.params, 'alert', s.alert," \
    " 'last_alert_at', to_char(s.last_alert_at" SV_TS_FORMAT ","                          \
    " 'created_at', to_char(s.created_at" SV_TS_FORMAT ", 'version', s.version)"
/* The limit as SQL text, from the constant of the header. */
#define SV_TEXT_(x) #x
#define SV_TEXT(x)  SV_TEXT_(x)
#define SV_MAX_TEXT SV_TEXT(SAVED_SEARCH_MAX)

const db_stmt_t saved_search_stmts[] = {
        {"sv_find", "SELECT user_id FROM saved_search WHERE id = $1", 1, true},
        {"sv_list",
         "SELECT coalesce(json_agg(" SV_JSON " ORDER BY s.created_at DESC, s.id DESC), '[]')::text"
         "  FROM saved_search s WHERE s.user_id = $1",
         1, true},
        /* Runs after fv_lock_user in the same transaction: the count cannot change meanwhile. */
        {"sv_create",
         "INSERT INTO saved_search AS s (user_id, name, params, alert)"
         " SELECT $1, $2, $3::jsonb, $4"
         "  WHERE (SELECT count(*) FROM saved_search WHERE user_id = $1) < " SV_MAX_TEXT
         " RETURNING " SV_JSON "::text",
         4, false},
        /* $1 id, $2 owner, $3 version, $4 name, $5 alert (NULL: kept). Returns whether it changed,
         * and the row after the change or as it is. */
        {"sv_update",
         "WITH c AS (UPDATE saved_search s SET name = coalesce($4, s.name),"
         "                  alert = coalesce($5, s.alert),"
         "                  last_alert_at = CASE WHEN s.alert = 'none' AND coalesce($5, s.alert)"
         "                      <> 'none' THEN now() ELSE s.last_alert_at END,"
         "                  updated_at = now(), version = s.version + 1"
         "            WHERE s.id = $1 AND s.user_id = $2 AND s.version = $3::int RETURNING s.*)"
         " SELECT true, " SV_JSON "::text FROM c s"
         " UNION ALL SELECT false, " SV_JSON "::text FROM saved_search s"
         "  WHERE s.id = $1 AND s.user_id = $2 AND NOT EXISTS (SELECT 1 FROM c)",
         5, false},
        {"sv_delete", "DELETE FROM saved_search WHERE id = $1 AND user_id = $2", 2, false},
        {NULL, NULL, 0, false},
};

#define SV_ID(buf, v) snprintf(buf, sizeof buf, "%" PRId64, (int64_t)(v))

static json_t *sv_json(const char *text) {
    json_error_t e;
    json_t *j = json_loads(text, 0, &e);
    if (j == NULL)
        log_msg(LOG_ERROR, "saved_search: unreadable JSON from the database: %s", e.text);
    return j;
}

dom_status saved_search_find(db_t *db, int64_t id, policy_object_t *obj) {
    char sid[24];
    PGresult *r = NULL;
    SV_ID(sid, id);
    const char *params[] = {sid};
    obj->owner_id = 0;
    obj->is_public = false;
    dom_status st = dom_exec_one(db, "sv_find", 1, params, &r);
    if (st == DOM_OK)
        obj->owner_id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return st;
}

dom_status saved_search_list(db_t *db, int64_t owner_id, json_t **out) {
    char uid[24];
    PGresult *r = NULL;
    SV_ID(uid, owner_id);
    const char *params[] = {uid};
    *out = NULL;
    dom_status st = dom_from_db(db_exec(db, "sv_list", 1, params, &r));
    if (st != DOM_OK)
        return st;
    json_t *items = PQntuples(r) == 1 ? sv_json(PQgetvalue(r, 0, 0)) : NULL;
    PQclear(r);
    if (items == NULL)
        return DOM_INTERNAL;
    *out = json_pack("{s:o}", "items", items);
    return *out ? DOM_OK : DOM_INTERNAL;
}

dom_status saved_search_create(db_t *db, int64_t owner_id, const char *name, const json_t *params,
                               const char *alert, saved_search_result *res, json_t **out) {
    char uid[24];
    char *ptext = json_dumps(params, JSON_COMPACT);
    dom_status st = DOM_INTERNAL;
    *res = SAVED_SEARCH_DONE;
    *out = NULL;
    if (ptext == NULL)
        return DOM_INTERNAL;
    SV_ID(uid, owner_id);
    const char *lock_params[] = {uid};
    const char *values[] = {uid, name, ptext, alert};
    db_call_t calls[] = {{"fv_lock_user", 1, lock_params, NULL}, {"sv_create", 4, values, NULL}};
    st = dom_from_db(db_exec_batch(db, calls, ARRAY_LEN(calls)));
    free(ptext);
    if (st != DOM_OK)
        return st;
    if (PQntuples(calls[0].result) != 1)
        *res = SAVED_SEARCH_GONE; /* the account was deleted meanwhile */
    else if (PQntuples(calls[1].result) != 1)
        *res = SAVED_SEARCH_LIMIT;
    else if ((*out = sv_json(PQgetvalue(calls[1].result, 0, 0))) == NULL)
        st = DOM_INTERNAL;
    PQclear(calls[0].result);
    PQclear(calls[1].result);
    return st;
}

dom_status saved_search_update(db_t *db, int64_t id, int64_t owner_id, long long version,
                               const char *name, const char *alert, saved_search_result *res,
                               json_t **out) {
    char sid[24], uid[24], ver[24];
    PGresult *r = NULL;
    SV_ID(sid, id);
    SV_ID(uid, owner_id);
    snprintf(ver, sizeof ver, "%lld", version);
    const char *params[] = {sid, uid, ver, name, alert};
    *res = SAVED_SEARCH_DONE;
    *out = NULL;
    dom_status st = dom_from_db(db_exec(db, "sv_update", 5, params, &r));
    if (st == DOM_OK && PQntuples(r) != 1)
        *res = SAVED_SEARCH_GONE;
    else if (st == DOM_OK) {
        if (strcmp(PQgetvalue(r, 0, 0), "t") != 0)
            *res = SAVED_SEARCH_CONFLICT;
        if ((*out = sv_json(PQgetvalue(r, 0, 1))) == NULL)
            st = DOM_INTERNAL;
    }
    PQclear(r);
    return st;
}

dom_status saved_search_delete(db_t *db, int64_t id, int64_t owner_id, saved_search_result *res) {
    char sid[24], uid[24];
    PGresult *r = NULL;
    SV_ID(sid, id);
    SV_ID(uid, owner_id);
    const char *params[] = {sid, uid};
    dom_status st = dom_from_db(db_exec(db, "sv_delete", 2, params, &r));
    *res = st == DOM_OK && strcmp(PQcmdTuples(r), "1") == 0 ? SAVED_SEARCH_DONE : SAVED_SEARCH_GONE;
    PQclear(r);
    return st;
}

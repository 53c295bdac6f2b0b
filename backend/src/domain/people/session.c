#include "domain/people/session.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/rows.h"
#include "domain/status.h"

#define SS_LIVE "s.expires_at > sc_now() AND s.last_seen_at > sc_now() - interval '30 days'"

const db_stmt_t session_stmts[] = {
        /* The lookup also records the use, at most once a minute: one round trip per request. */
        {"ss_lookup",
         "WITH s AS (SELECT s.id, s.user_id, s.csrf_token, s.last_seen_at, u.role,"
         "                  u.email_verified_at IS NOT NULL AS verified, u.display_name"
         "             FROM user_session s JOIN app_user u ON u.id = s.user_id"
         "            WHERE s.token_hash = $1::bytea AND " SS_LIVE " AND u.deleted_at IS NULL),"
         " t AS (UPDATE user_session x SET last_seen_at = sc_now() FROM s"
         "        WHERE x.id = s.id AND s.last_seen_at < sc_now() - interval '1 minute')"
         " SELECT id, user_id, csrf_token, role, verified, display_name FROM s",
         1, true},
        {"ss_open",
         "INSERT INTO user_session (user_id, token_hash, csrf_token, device, created_at,"
         "                          last_seen_at, expires_at)"
         " SELECT u.id, $2::bytea, $3, left($4, 200), sc_now(), sc_now(),"
         "        sc_now() + interval '180 days'"
         "   FROM app_user u WHERE u.id = $1 AND u.deleted_at IS NULL"
         " RETURNING id, (SELECT role FROM app_user WHERE id = $1),"
         "   (SELECT email_verified_at IS NOT NULL FROM app_user WHERE id = $1),"
         "   (SELECT display_name FROM app_user WHERE id = $1)",
         4, false},
        {"ss_close", "DELETE FROM user_session WHERE id = $2 AND user_id = $1", 2, false},
        {"ss_list",
         "SELECT id, device, to_char(created_at AT TIME ZONE 'UTC', "
         "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
         "       to_char(last_seen_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
         "  FROM user_session s WHERE s.user_id = $1 AND " SS_LIVE
         " ORDER BY last_seen_at DESC, id DESC LIMIT 100",
         1, true},
        {NULL, NULL, 0, false},
};

static void ss_fill(actor_t *a, PGresult *r, int64_t user_id, int c_id, int c_role, int c_verified,
                    int c_name) {
    a->user_id = user_id;
    a->session_id = strtoll(PQgetvalue(r, 0, c_id), NULL, 10);
    if (!actor_role_parse(PQgetvalue(r, 0, c_role), &a->role))
        a->role = ROLE_MEMBER;
    a->verified = strcmp(PQgetvalue(r, 0, c_verified), "t") == 0;
    snprintf(a->display_name, sizeof a->display_name, "%s", PQgetvalue(r, 0, c_name));
}

dom_status session_lookup(db_t *db, const char *token, actor_t *actor) {
    char hash[CRYPTO_HEX_LEN + 2];
    PGresult *r = NULL;
    actor_anonymous(actor);
    crypto_sha256_bytea(token, hash);
    const char *params[] = {hash};
    dom_status st = dom_exec_one(db, "ss_lookup", 1, params, &r);
    if (st != DOM_OK)
        goto done;
    ss_fill(actor, r, strtoll(PQgetvalue(r, 0, 1), NULL, 10), 0, 3, 4, 5);
    snprintf(actor->csrf_token, sizeof actor->csrf_token, "%s", PQgetvalue(r, 0, 2));
done:
    PQclear(r);
    return st;
}

dom_status session_open(db_t *db, int64_t user_id, const char *device, char token[CRYPTO_TOKEN_LEN],
                        actor_t *actor) {
    char hash[CRYPTO_HEX_LEN + 2], csrf[CRYPTO_TOKEN_LEN], uid[24];
    PGresult *r = NULL;
    dom_status st = DOM_INTERNAL;
    actor_anonymous(actor);
    if (!crypto_token(token) || !crypto_token(csrf))
        goto done;
    crypto_sha256_bytea(token, hash);
    snprintf(uid, sizeof uid, "%" PRId64, user_id);
    const char *params[] = {uid, hash, csrf, device ? device : ""};
    st = dom_exec_one(db, "ss_open", 4, params, &r);
    if (st != DOM_OK)
        goto done;
    ss_fill(actor, r, user_id, 0, 1, 2, 3);
    snprintf(actor->csrf_token, sizeof actor->csrf_token, "%s", csrf);
done:
    PQclear(r);
    return st;
}

dom_status session_close(db_t *db, int64_t user_id, int64_t session_id) {
    char uid[24], sid[24];
    PGresult *r = NULL;
    snprintf(uid, sizeof uid, "%" PRId64, user_id);
    snprintf(sid, sizeof sid, "%" PRId64, session_id);
    const char *params[] = {uid, sid};
    dom_status st = dom_from_db(db_exec(db, "ss_close", 2, params, &r));
    if (st == DOM_OK && strcmp(PQcmdTuples(r), "1") != 0)
        st = DOM_NOT_FOUND;
    PQclear(r);
    return st;
}

dom_status session_list(db_t *db, int64_t user_id, int64_t current, json_t **out) {
    char uid[24];
    PGresult *r = NULL;
    json_t *items = NULL;
    snprintf(uid, sizeof uid, "%" PRId64, user_id);
    const char *params[] = {uid};
    *out = NULL;
    dom_status st = dom_from_db(db_exec(db, "ss_list", 1, params, &r));
    if (st != DOM_OK)
        goto done;
    items = json_array();
    if (items == NULL) {
        st = DOM_INTERNAL;
        goto done;
    }
    for (int i = 0; i < PQntuples(r); i++) {
        int64_t id = strtoll(PQgetvalue(r, i, 0), NULL, 10);
        json_t *o = json_pack("{sI ss ss ss sb}", "id", (json_int_t)id, "device",
                              PQgetvalue(r, i, 1), "created_at", PQgetvalue(r, i, 2),
                              "last_seen_at", PQgetvalue(r, i, 3), "current", id == current);
        if (o == NULL || json_array_append_new(items, o) != 0) {
            st = DOM_INTERNAL;
            goto done;
        }
    }
    *out = items;
    items = NULL;
done:
    json_decref(items);
    PQclear(r);
    return st;
}

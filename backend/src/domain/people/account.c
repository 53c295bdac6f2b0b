#include "domain/people/account.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/crypto.h"
#include "core/log.h"
#include "domain/people/letters.h"
#include "domain/status.h"

#define AC_TS(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
/* USER, as docs/api.md shows it: only ever sent to the person themselves. */
#define AC_USER                                                                               \
    "json_build_object('id', u.id, 'email', u.email, 'display_name', u.display_name, 'role'," \
    " u.role, 'verified', u.email_verified_at IS NOT NULL, 'created_at', " AC_TS(             \
            "u.created_at") ", 'version', u.version)::text"
#define AC_MAIL_MAX 16384

const db_stmt_t account_stmts[] = {
        /* $1 email, $2 name, $3 hash, $4 token hash, $5/$6 verify letter, $7/$8 "already" letter */
        {"ac_signup",
         "WITH new AS (INSERT INTO app_user (email, email_norm, display_name, password_hash)"
         "             VALUES ($1, lower($1), $2, $3) ON CONFLICT (email_norm) DO NOTHING"
         "             RETURNING id),"
         " tok AS (INSERT INTO user_token (user_id, purpose, token_hash, email, created_at,"
         "                                 expires_at)"
         "         SELECT id, 'verify', $4::bytea, $1, sc_now(), sc_now() + interval '48 hours'"
         "           FROM new RETURNING user_id),"
         " m1 AS (INSERT INTO mail_outbox (kind, to_addr, subject, body_text)"
         "        SELECT 'verify', $1, $5, $6 FROM tok RETURNING 1),"
         " m2 AS (INSERT INTO mail_outbox (kind, to_addr, subject, body_text)"
         "        SELECT 'signup_existing', u.email, $7, $8 FROM app_user u"
         "         WHERE u.email_norm = lower($1) AND NOT EXISTS (SELECT 1 FROM new) RETURNING 1)"
         " SELECT (SELECT count(*) FROM new), (SELECT count(*) FROM m1) + (SELECT count(*) FROM "
         "m2)",
         8, false},
        /* A link confirms the address it was sent to: for a sign-up, while it is still the
         * account's address; for a change, when no other account took it meanwhile. */
        {"ac_verify",
         "WITH t AS (UPDATE user_token SET used_at = sc_now()"
         "            WHERE token_hash = $1::bytea AND purpose IN ('verify', 'email_change')"
         "              AND used_at IS NULL AND expires_at > sc_now()"
         "            RETURNING user_id, purpose, email),"
         " u AS (UPDATE app_user u SET email = t.email, email_norm = lower(t.email),"
         "              email_verified_at = coalesce(CASE WHEN t.purpose = 'verify'"
         "                  THEN u.email_verified_at END, sc_now()),"
         "              updated_at = now(), version = u.version + 1"
         "         FROM t WHERE u.id = t.user_id AND u.deleted_at IS NULL"
         "          AND (t.purpose = 'email_change' OR u.email_norm = lower(t.email))"
         "          AND NOT EXISTS (SELECT 1 FROM app_user o WHERE o.email_norm = lower(t.email)"
         "                            AND o.id <> u.id)"
         "       RETURNING u.*)"
         " SELECT " AC_USER " FROM u",
         1, false},
        {"ac_resend",
         "WITH u AS (SELECT id, email FROM app_user"
         "            WHERE id = $1 AND deleted_at IS NULL AND email_verified_at IS NULL),"
         " tok AS (INSERT INTO user_token (user_id, purpose, token_hash, email, created_at,"
         "                                 expires_at)"
         "         SELECT id, 'verify', $2::bytea, email, sc_now(), sc_now() + interval '48 hours'"
         "           FROM u RETURNING email)"
         " INSERT INTO mail_outbox (kind, to_addr, subject, body_text)"
         " SELECT 'verify', email, $3, $4 FROM tok",
         4, false},
        {"ac_credentials",
         "SELECT id, password_hash FROM app_user WHERE email_norm = lower($1) AND deleted_at IS "
         "NULL",
         1, true},
        {"ac_hash_by_id", "SELECT password_hash FROM app_user WHERE id = $1 AND deleted_at IS NULL",
         1, true},
        {"ac_forgot",
         "WITH u AS (SELECT id, email FROM app_user"
         "            WHERE email_norm = lower($1) AND deleted_at IS NULL),"
         " tok AS (INSERT INTO user_token (user_id, purpose, token_hash, email, created_at,"
         "                                 expires_at)"
         "         SELECT id, 'reset', $2::bytea, email, sc_now(), sc_now() + interval '1 hour'"
         "           FROM u RETURNING email)"
         " INSERT INTO mail_outbox (kind, to_addr, subject, body_text)"
         " SELECT 'reset', email, $3, $4 FROM tok",
         4, false},
        {"ac_reset",
         "WITH t AS (UPDATE user_token SET used_at = sc_now()"
         "            WHERE token_hash = $1::bytea AND purpose = 'reset' AND used_at IS NULL"
         "              AND expires_at > sc_now() RETURNING user_id),"
         " u AS (UPDATE app_user u SET password_hash = $2, updated_at = now(),"
         "              version = u.version + 1"
         "         FROM t WHERE u.id = t.user_id AND u.deleted_at IS NULL RETURNING u.id),"
         " s AS (DELETE FROM user_session s USING u WHERE s.user_id = u.id),"
         " o AS (UPDATE user_token x SET used_at = sc_now() FROM u"
         "        WHERE x.user_id = u.id AND x.purpose = 'reset' AND x.used_at IS NULL"
         "          AND x.token_hash <> $1::bytea)"
         " SELECT count(*) FROM u",
         2, false},
        {"ac_get", "SELECT " AC_USER " FROM app_user u WHERE u.id = $1 AND u.deleted_at IS NULL", 1,
         true},
        {"ac_rename",
         "WITH c AS (UPDATE app_user u SET display_name = $2, updated_at = now(),"
         "                 version = u.version + 1"
         "            WHERE u.id = $1 AND u.version = $3::int AND u.deleted_at IS NULL"
         "           RETURNING u.*)"
         " SELECT true, " AC_USER " FROM c u"
         " UNION ALL SELECT false, " AC_USER " FROM app_user u"
         "  WHERE u.id = $1 AND u.deleted_at IS NULL AND NOT EXISTS (SELECT 1 FROM c)",
         3, false},
        {"ac_set_password",
         "WITH u AS (UPDATE app_user SET password_hash = $2, updated_at = now(),"
         "                  version = version + 1"
         "            WHERE id = $1 AND deleted_at IS NULL RETURNING id)"
         " DELETE FROM user_session s USING u WHERE s.user_id = u.id AND s.id <> $3",
         3, false},
        /* $1 user, $2 new address, $3 token hash, $4/$5 letter to the new address, $6/$7 notice
         * to the old one. */
        {"ac_change_email",
         "WITH u AS (SELECT id, email FROM app_user WHERE id = $1 AND deleted_at IS NULL"
         "             AND NOT EXISTS (SELECT 1 FROM app_user o WHERE o.email_norm = lower($2))),"
         " tok AS (INSERT INTO user_token (user_id, purpose, token_hash, email, created_at,"
         "                                 expires_at)"
         "         SELECT id, 'email_change', $3::bytea, $2, sc_now(),"
         "                sc_now() + interval '48 hours' FROM u RETURNING user_id),"
         " m1 AS (INSERT INTO mail_outbox (kind, to_addr, subject, body_text)"
         "        SELECT 'email_change', $2, $4, $5 FROM tok RETURNING 1),"
         " m2 AS (INSERT INTO mail_outbox (kind, to_addr, subject, body_text)"
         "        SELECT 'email_notice', u.email, $6, $7 FROM u JOIN tok ON tok.user_id = u.id"
         "        RETURNING 1)"
         " SELECT (SELECT count(*) FROM tok)",
         7, false},
        {"ac_export",
         "SELECT json_build_object("
         "  'format', 'socialconnect-export-1', 'exported_at', " AC_TS(
                 "sc_now()") ","
                             "  'account', (SELECT " AC_USER
                             "::json FROM app_user u WHERE u.id = $1),"
                             "  'sessions', coalesce((SELECT json_agg(json_build_object('device', "
                             "device,"
                             "       'created_at', " AC_TS("created_at") ", 'last_seen_at', " AC_TS(
                                     "last_seen_at") ")"
                                                     "       ORDER BY last_seen_at DESC) FROM "
                                                     "user_session WHERE user_id = $1), '[]'),"
                                                     "  'favourites', coalesce((SELECT "
                                                     "json_agg(json_build_object('initiative_id',"
                                                     "       f.initiative_id, 'title', i.title, "
                                                     "'added_at', " AC_TS(
                                                             "f.created_at") ")"
                                                                             "       ORDER BY "
                                                                             "f.created_at DESC) "
                                                                             "FROM favourite f "
                                                                             "JOIN initiative i"
                                                                             "       ON i.id = "
                                                                             "f.initiative_id "
                                                                             "WHERE f.user_id = "
                                                                             "$1), '[]'),"
                                                                             "  'collections', "
                                                                             "coalesce((SELECT "
                                                                             "json_agg(json_build_"
                                                                             "object('id', c.id, "
                                                                             "'title',"
                                                                             "       c.title, "
                                                                             "'description', "
                                                                             "c.description, "
                                                                             "'visibility', "
                                                                             "c.visibility,"
                                                                             "       "
                                                                             "'created_at', " AC_TS(
                                                                                     "c.created_at") ", 'items', coalesce((SELECT json_agg("
                                                                                                     "         json_build_object('initiative_id', ci.initiative_id, 'title', i.title,"
                                                                                                     "         'note', ci.note, 'position', ci.position) ORDER BY ci.position)"
                                                                                                     "         FROM collection_item ci JOIN initiative i ON i.id = ci.initiative_id"
                                                                                                     "         WHERE ci.collection_id = c.id), '[]')) ORDER BY c.created_at)"
                                                                                                     "       FROM collection c WHERE c.user_id = $1), '[]'),"
                                                                                                     "  'saved_searches', coalesce((SELECT json_agg(json_build_object('name', s.name,"
                                                                                                     "       'params', s.params, 'alert', s.alert, 'created_at', " AC_TS(
                                                                                                             "s.created_at") ")"
                                                                                                                             "       ORDER BY s.created_at) FROM saved_search s WHERE s.user_id = $1), '[]')"
                                                                                                                             ")::text",
         1, true},
        {"ac_delete",
         "WITH s AS (DELETE FROM user_session WHERE user_id = $1),"
         " t AS (DELETE FROM user_token WHERE user_id = $1),"
         " f AS (DELETE FROM favourite WHERE user_id = $1),"
         " c AS (DELETE FROM collection WHERE user_id = $1),"
         " q AS (DELETE FROM saved_search WHERE user_id = $1),"
         /* Its API keys are kept (their use stays counted) but refused from now on. */
         " k AS (UPDATE api_key SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL)"
         " UPDATE app_user SET email = NULL, email_norm = NULL, display_name = NULL,"
         "        password_hash = NULL, email_verified_at = NULL, deleted_at = now(),"
         "        updated_at = now(), version = version + 1"
         "  WHERE id = $1 AND deleted_at IS NULL",
         1, false},
        {"ac_set_role",
         "UPDATE app_user SET role = $2, updated_at = now(), version = version + 1"
         " WHERE email_norm = lower($1) AND deleted_at IS NULL",
         2, false},
        {"ac_ensure",
         "WITH new AS (INSERT INTO app_user (email, email_norm, display_name, password_hash, role,"
         "                                  email_verified_at)"
         "             VALUES ($1, lower($1), $2, $3, $4, now())"
         "             ON CONFLICT (email_norm) DO UPDATE SET role = EXCLUDED.role,"
         "               updated_at = now(), version = app_user.version + 1"
         "             RETURNING (xmax = 0) AS created)"
         " SELECT created FROM new",
         4, false},
        {NULL, NULL, 0, false},
};

static dom_status ac_exec(db_t *db, const char *name, int n, const char *const *params,
                          PGresult **r) {
    return dom_from_db(db_exec(db, name, n, params, r));
}

/* Parses the JSON text in column col of the first row into *out. */
static dom_status ac_json(PGresult *r, int row, int col, json_t **out) {
    json_error_t e;
    *out = json_loads(PQgetvalue(r, row, col), 0, &e);
    if (*out == NULL) {
        log_msg(LOG_ERROR, "account: unreadable JSON from the database: %s", e.text);
        return DOM_INTERNAL;
    }
    return DOM_OK;
}

/* A fresh link token (for the message) and its hash (for the table). */
static bool ac_token(char token[CRYPTO_TOKEN_LEN], char hash[CRYPTO_HEX_LEN + 2]) {
    if (!crypto_token(token))
        return false;
    crypto_sha256_bytea(token, hash);
    return true;
}

dom_status account_signup(db_t *db, const char *public_url, const char *email,
                          const char *display_name, const char *password_hash) {
    char token[CRYPTO_TOKEN_LEN], hash[CRYPTO_HEX_LEN + 2];
    buf_t s1, b1, s2, b2;
    PGresult *r = NULL;
    dom_status st = DOM_INTERNAL;
    buf_init(&s1, 512), buf_init(&b1, AC_MAIL_MAX), buf_init(&s2, 512), buf_init(&b2, AC_MAIL_MAX);
    if (!ac_token(token, hash) || !letter_write(LETTER_VERIFY, public_url, token, &s1, &b1) ||
        !letter_write(LETTER_ALREADY, public_url, NULL, &s2, &b2))
        goto done;
    const char *params[] = {email,         display_name,  password_hash, hash,
                            buf_cstr(&s1), buf_cstr(&b1), buf_cstr(&s2), buf_cstr(&b2)};
    st = ac_exec(db, "ac_signup", 8, params, &r);
done:
    PQclear(r);
    buf_free(&s1), buf_free(&b1), buf_free(&s2), buf_free(&b2);
    return st;
}

dom_status account_verify(db_t *db, const char *token, account_result *res, json_t **user) {
    char hash[CRYPTO_HEX_LEN + 2];
    PGresult *r = NULL;
    *user = NULL;
    *res = ACCOUNT_INVALID_TOKEN;
    crypto_sha256_bytea(token, hash);
    const char *params[] = {hash};
    dom_status st = ac_exec(db, "ac_verify", 1, params, &r);
    if (st == DOM_OK && PQntuples(r) == 1) {
        st = ac_json(r, 0, 0, user);
        if (st == DOM_OK)
            *res = ACCOUNT_DONE;
    }
    PQclear(r);
    return st;
}

dom_status account_verify_resend(db_t *db, const char *public_url, int64_t user_id) {
    char token[CRYPTO_TOKEN_LEN], hash[CRYPTO_HEX_LEN + 2], uid[24];
    buf_t s, b;
    PGresult *r = NULL;
    dom_status st = DOM_INTERNAL;
    buf_init(&s, 512), buf_init(&b, AC_MAIL_MAX);
    snprintf(uid, sizeof uid, "%" PRId64, user_id);
    if (!ac_token(token, hash) || !letter_write(LETTER_VERIFY, public_url, token, &s, &b))
        goto done;
    const char *params[] = {uid, hash, buf_cstr(&s), buf_cstr(&b)};
    st = ac_exec(db, "ac_resend", 4, params, &r);
done:
    PQclear(r);
    buf_free(&s), buf_free(&b);
    return st;
}

dom_status account_credentials(db_t *db, const char *email, int64_t *user_id, char *hash,
                               size_t hashlen) {
    PGresult *r = NULL;
    const char *params[] = {email};
    *user_id = 0;
    hash[0] = '\0';
    dom_status st = ac_exec(db, "ac_credentials", 1, params, &r);
    if (st == DOM_OK && PQntuples(r) != 1)
        st = DOM_NOT_FOUND;
    if (st == DOM_OK) {
        *user_id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
        snprintf(hash, hashlen, "%s", PQgetvalue(r, 0, 1));
    }
    PQclear(r);
    return st;
}

dom_status account_hash_by_id(db_t *db, int64_t user_id, char *hash, size_t hashlen) {
    char uid[24];
    PGresult *r = NULL;
    snprintf(uid, sizeof uid, "%" PRId64, user_id);
    const char *params[] = {uid};
    hash[0] = '\0';
    dom_status st = ac_exec(db, "ac_hash_by_id", 1, params, &r);
    if (st == DOM_OK && PQntuples(r) != 1)
        st = DOM_NOT_FOUND;
    if (st == DOM_OK)
        snprintf(hash, hashlen, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    return st;
}

dom_status account_forgot(db_t *db, const char *public_url, const char *email) {
    char token[CRYPTO_TOKEN_LEN], hash[CRYPTO_HEX_LEN + 2];
    buf_t s, b;
    PGresult *r = NULL;
    dom_status st = DOM_INTERNAL;
    buf_init(&s, 512), buf_init(&b, AC_MAIL_MAX);
    if (!ac_token(token, hash) || !letter_write(LETTER_RESET, public_url, token, &s, &b))
        goto done;
    const char *params[] = {email, hash, buf_cstr(&s), buf_cstr(&b)};
    st = ac_exec(db, "ac_forgot", 4, params, &r);
done:
    PQclear(r);
    buf_free(&s), buf_free(&b);
    return st;
}

dom_status account_reset(db_t *db, const char *token, const char *password_hash,
                         account_result *res) {
    char hash[CRYPTO_HEX_LEN + 2];
    PGresult *r = NULL;
    crypto_sha256_bytea(token, hash);
    const char *params[] = {hash, password_hash};
    *res = ACCOUNT_INVALID_TOKEN;
    dom_status st = ac_exec(db, "ac_reset", 2, params, &r);
    if (st == DOM_OK && PQntuples(r) == 1 && strcmp(PQgetvalue(r, 0, 0), "1") == 0)
        *res = ACCOUNT_DONE;
    PQclear(r);
    return st;
}

dom_status account_get(db_t *db, int64_t user_id, json_t **user) {
    char uid[24];
    PGresult *r = NULL;
    snprintf(uid, sizeof uid, "%" PRId64, user_id);
    const char *params[] = {uid};
    *user = NULL;
    dom_status st = ac_exec(db, "ac_get", 1, params, &r);
    if (st == DOM_OK && PQntuples(r) != 1)
        st = DOM_NOT_FOUND;
    if (st == DOM_OK)
        st = ac_json(r, 0, 0, user);
    PQclear(r);
    return st;
}

dom_status account_rename(db_t *db, int64_t user_id, const char *display_name, long long version,
                          account_result *res, json_t **user) {
    char uid[24], ver[24];
    PGresult *r = NULL;
    snprintf(uid, sizeof uid, "%" PRId64, user_id);
    snprintf(ver, sizeof ver, "%lld", version);
    const char *params[] = {uid, display_name, ver};
    *user = NULL;
    *res = ACCOUNT_DONE;
    dom_status st = ac_exec(db, "ac_rename", 3, params, &r);
    if (st == DOM_OK && PQntuples(r) != 1)
        st = DOM_NOT_FOUND;
    if (st == DOM_OK) {
        *res = strcmp(PQgetvalue(r, 0, 0), "t") == 0 ? ACCOUNT_DONE : ACCOUNT_CONFLICT;
        st = ac_json(r, 0, 1, user);
    }
    PQclear(r);
    return st;
}

dom_status account_set_password(db_t *db, int64_t user_id, int64_t keep_session,
                                const char *password_hash) {
    char uid[24], sid[24];
    PGresult *r = NULL;
    snprintf(uid, sizeof uid, "%" PRId64, user_id);
    snprintf(sid, sizeof sid, "%" PRId64, keep_session);
    const char *params[] = {uid, password_hash, sid};
    dom_status st = ac_exec(db, "ac_set_password", 3, params, &r);
    PQclear(r);
    return st;
}

dom_status account_change_email(db_t *db, const char *public_url, int64_t user_id,
                                const char *new_email, account_result *res) {
    char token[CRYPTO_TOKEN_LEN], hash[CRYPTO_HEX_LEN + 2], uid[24];
    buf_t s1, b1, s2, b2;
    PGresult *r = NULL;
    dom_status st = DOM_INTERNAL;
    *res = ACCOUNT_DONE;
    buf_init(&s1, 512), buf_init(&b1, AC_MAIL_MAX), buf_init(&s2, 512), buf_init(&b2, AC_MAIL_MAX);
    snprintf(uid, sizeof uid, "%" PRId64, user_id);
    if (!ac_token(token, hash) || !letter_write(LETTER_EMAIL_CHANGE, public_url, token, &s1, &b1) ||
        !letter_write(LETTER_EMAIL_NOTICE, public_url, NULL, &s2, &b2))
        goto done;
    const char *params[] = {uid,           new_email,     hash,         buf_cstr(&s1),
                            buf_cstr(&b1), buf_cstr(&s2), buf_cstr(&b2)};
    st = ac_exec(db, "ac_change_email", 7, params, &r);
    if (st == DOM_OK && (PQntuples(r) != 1 || strcmp(PQgetvalue(r, 0, 0), "1") != 0))
        *res = ACCOUNT_CONFLICT;
done:
    PQclear(r);
    buf_free(&s1), buf_free(&b1), buf_free(&s2), buf_free(&b2);
    return st;
}

dom_status account_export(db_t *db, int64_t user_id, json_t **doc) {
    char uid[24];
    PGresult *r = NULL;
    snprintf(uid, sizeof uid, "%" PRId64, user_id);
    const char *params[] = {uid};
    *doc = NULL;
    dom_status st = ac_exec(db, "ac_export", 1, params, &r);
    if (st == DOM_OK && PQntuples(r) != 1)
        st = DOM_NOT_FOUND;
    if (st == DOM_OK)
        st = ac_json(r, 0, 0, doc);
    PQclear(r);
    return st;
}

dom_status account_delete(db_t *db, int64_t user_id) {
    char uid[24];
    PGresult *r = NULL;
    snprintf(uid, sizeof uid, "%" PRId64, user_id);
    const char *params[] = {uid};
    dom_status st = ac_exec(db, "ac_delete", 1, params, &r);
    if (st == DOM_OK && strcmp(PQcmdTuples(r), "1") != 0)
        st = DOM_NOT_FOUND;
    PQclear(r);
    return st;
}

dom_status account_set_role(db_t *db, const char *email, actor_role role) {
    PGresult *r = NULL;
    const char *params[] = {email, actor_role_name(role)};
    dom_status st = ac_exec(db, "ac_set_role", 2, params, &r);
    if (st == DOM_OK && strcmp(PQcmdTuples(r), "1") != 0)
        st = DOM_NOT_FOUND;
    PQclear(r);
    return st;
}

dom_status account_ensure(db_t *db, const char *email, const char *display_name,
                          const char *password_hash, actor_role role, bool *created) {
    PGresult *r = NULL;
    const char *params[] = {email, display_name, password_hash, actor_role_name(role)};
    *created = false;
    dom_status st = ac_exec(db, "ac_ensure", 4, params, &r);
    if (st == DOM_OK && PQntuples(r) == 1)
        *created = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
    PQclear(r);
    return st;
}

#include "domain/edits/contribution.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/log.h"
#include "domain/edits/edits_common.h"
#include "domain/edits/notices.h"
#include "domain/initiative.h"
#include "domain/rows.h"

#define CT_TEXT_(x)      #x
#define CT_TEXT(x)       CT_TEXT_(x)
#define CT_OPEN_MAX_TEXT CT_TEXT(CONTRIBUTION_OPEN_MAX)
#define CT_OPEN_COUNT                                         \
    "(SELECT count(*) FROM contribution WHERE author_id = $1" \
    "    AND status IN ('draft', 'pending', 'changes_requested')) < " CT_OPEN_MAX_TEXT

const db_stmt_t contribution_stmts[] = {
        {"ct_find", "SELECT author_id FROM contribution WHERE id = $1", 1, true},
        {"ct_get", "SELECT contribution_json(c)::text FROM contribution c WHERE c.id = $1", 1,
         true},
        {"ct_mine",
         "SELECT jsonb_build_object('items', coalesce(jsonb_agg(contribution_json(c)"
         "        ORDER BY c.created_at DESC, c.id DESC), '[]'))::text"
         "  FROM contribution c WHERE c.id IN (SELECT id FROM contribution WHERE author_id = $1"
         "                                      ORDER BY created_at DESC, id DESC LIMIT 500)",
         1, true},
        /* $1 author, $2 fields, $3 comment, $4 submit. */
        {"ct_propose",
         "INSERT INTO contribution (kind, status, author_id, fields, comment, submitted_at)"
         " SELECT 'proposal', CASE WHEN $4::boolean THEN 'pending' ELSE 'draft' END, $1,"
         "        $2::jsonb, $3, CASE WHEN $4::boolean THEN sc_now() END"
         "  WHERE " CT_OPEN_COUNT " RETURNING id",
         4, false},
        /* $1 author, $2 initiative, $3 base version, $4 fields, $5 comment. The base is what the
         * initiative holds now in the corrected fields. */
        {"ct_correct",
         "WITH pub AS (SELECT id FROM initiative WHERE id = $2 AND status = 'published'),"
         " ins AS (INSERT INTO contribution (kind, status, author_id, initiative_id, base_version,"
         "                                  fields, base, comment, submitted_at)"
         "         SELECT 'correction', 'pending', $1, i.id, $3::int, $4::jsonb,"
         "                (SELECT coalesce(jsonb_object_agg(k, f->k), '{}')"
         "                   FROM initiative_fields(i) f, jsonb_object_keys($4::jsonb) k),"
         "                $5, sc_now()"
         "           FROM initiative i WHERE i.id = $2 AND i.status = 'published'"
         "            AND " CT_OPEN_COUNT " RETURNING id)"
         " SELECT (SELECT count(*) FROM pub), (SELECT id FROM ins)",
         5, false},
        /* $1 id, $2 author, $3 version, $4 fields (NULL: kept), $5 comment (NULL: kept), $6 submit.
         */
        {"ct_update",
         "WITH cur AS (SELECT id, version, status, kind, coalesce($4::jsonb, fields) AS f"
         "               FROM contribution WHERE id = $1 AND author_id = $2 FOR UPDATE),"
         " up AS (UPDATE contribution c SET fields = cur.f, comment = coalesce($5, c.comment),"
         "               status = CASE WHEN $6::boolean THEN 'pending' ELSE c.status END,"
         "               submitted_at = CASE WHEN $6::boolean THEN sc_now() ELSE c.submitted_at "
         "END,"
         "               version = c.version + 1, updated_at = sc_now()"
         "          FROM cur WHERE c.id = cur.id AND cur.version = $3::int"
         "           AND cur.status IN ('draft', 'changes_requested')"
         "           AND (NOT $6::boolean OR cur.kind = 'correction' OR (cur.f->>'title') IS NOT "
         "NULL)"
         "        RETURNING 1)"
         " SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM cur) THEN 'gone'"
         "             WHEN EXISTS (SELECT 1 FROM up) THEN 'done'"
         "             WHEN (SELECT version FROM cur) <> $3::int THEN 'conflict'"
         "             WHEN (SELECT status FROM cur) NOT IN ('draft', 'changes_requested')"
         "               THEN 'locked'"
         "             ELSE 'incomplete' END",
         6, false},
        {"ct_withdraw",
         "WITH cur AS (SELECT id, status FROM contribution WHERE id = $1 AND author_id = $2"
         "                FOR UPDATE),"
         " up AS (UPDATE contribution c SET status = 'withdrawn', version = c.version + 1,"
         "               updated_at = sc_now()"
         "          FROM cur WHERE c.id = cur.id"
         "           AND cur.status IN ('draft', 'pending', 'changes_requested') RETURNING 1)"
         " SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM cur) THEN 'gone'"
         "             WHEN EXISTS (SELECT 1 FROM up) THEN 'done' ELSE 'locked' END",
         2, false},
        {"ct_review_about",
         "SELECT c.kind, coalesce(i.title, c.fields->>'title', '')"
         "  FROM contribution c LEFT JOIN initiative i ON i.id = c.initiative_id WHERE c.id = $1",
         1, true},
        /* $1 id, $2 version, $3 decision, $4 reason, $5 reviewer, $6 subject, $7 body: the
         * decision and the author's e-mail in one transaction. */
        {"ct_review",
         "WITH r AS (SELECT * FROM contribution_review($1, $2::int, $3, $4, $5)),"
         " m AS (INSERT INTO mail_outbox (kind, to_addr, subject, body_text)"
         "       SELECT 'contribution', u.email, $6, $7"
         "         FROM r, contribution c JOIN app_user u ON u.id = c.author_id"
         "        WHERE r.outcome = 'done' AND c.id = $1 AND u.deleted_at IS NULL"
         "          AND u.email IS NOT NULL RETURNING 1)"
         " SELECT r.outcome, r.current_version, r.new_initiative FROM r",
         7, false},
        {NULL, NULL, 0, false},
};

dom_status contribution_find(db_t *db, int64_t id, policy_object_t *obj) {
    char cid[24];
    PGresult *r = NULL;
    EDITS_ID(cid, id);
    const char *params[] = {cid};
    memset(obj, 0, sizeof *obj);
    dom_status st = dom_exec_one(db, "ct_find", 1, params, &r);
    if (st == DOM_OK)
        obj->owner_id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return st;
}

dom_status contribution_get(db_t *db, int64_t id, json_t **out) {
    char cid[24];
    EDITS_ID(cid, id);
    const char *params[] = {cid};
    return edits_json_row(db, "ct_get", 1, params, out);
}

dom_status contribution_list_mine(db_t *db, int64_t author_id, json_t **out) {
    char uid[24];
    EDITS_ID(uid, author_id);
    const char *params[] = {uid};
    return edits_json_row(db, "ct_mine", 1, params, out);
}

dom_status contribution_propose(db_t *db, int64_t author_id, const json_t *fields,
                                const char *comment, bool submit, contribution_result *res,
                                int64_t *id) {
    char uid[24];
    char *text = NULL;
    PGresult *r = NULL;
    dom_status st = DOM_INTERNAL;
    *res = CONTRIB_DONE;
    *id = 0;
    if (submit && json_string_value(json_object_get(fields, "title")) == NULL) {
        *res = CONTRIB_INCOMPLETE;
        return DOM_OK;
    }
    EDITS_ID(uid, author_id);
    text = json_dumps(fields, JSON_COMPACT);
    if (text == NULL)
        goto done;
    const char *params[] = {uid, text, comment, submit ? "true" : "false"};
    st = dom_from_db(db_exec(db, "ct_propose", 4, params, &r));
    if (st != DOM_OK)
        goto done;
    if (PQntuples(r) != 1)
        *res = CONTRIB_LIMIT;
    else
        *id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
done:
    PQclear(r);
    free(text);
    return st;
}

dom_status contribution_correct(db_t *db, int64_t author_id, int64_t initiative_id,
                                long long base_version, const json_t *fields, const char *comment,
                                contribution_result *res, int64_t *id) {
    char uid[24], iid[24], ver[24];
    char *text = NULL;
    PGresult *r = NULL;
    dom_status st = DOM_INTERNAL;
    *res = CONTRIB_DONE;
    *id = 0;
    EDITS_ID(uid, author_id);
    EDITS_ID(iid, initiative_id);
    snprintf(ver, sizeof ver, "%lld", base_version);
    text = json_dumps(fields, JSON_COMPACT);
    if (text == NULL)
        goto done;
    const char *params[] = {uid, iid, ver, text, comment};
    st = dom_from_db(db_exec(db, "ct_correct", 5, params, &r));
    if (st != DOM_OK)
        goto done;
    if (strcmp(PQgetvalue(r, 0, 0), "0") == 0)
        *res = CONTRIB_NO_INITIATIVE;
    else if (PQgetisnull(r, 0, 1))
        *res = CONTRIB_LIMIT;
    else
        *id = strtoll(PQgetvalue(r, 0, 1), NULL, 10);
done:
    PQclear(r);
    free(text);
    return st;
}

dom_status contribution_update(db_t *db, int64_t id, int64_t author_id, long long version,
                               const json_t *fields, const char *comment, bool submit,
                               contribution_result *res) {
    char cid[24], uid[24], ver[24];
    char *text = NULL;
    PGresult *r = NULL;
    dom_status st = DOM_INTERNAL;
    *res = CONTRIB_GONE;
    EDITS_ID(cid, id);
    EDITS_ID(uid, author_id);
    snprintf(ver, sizeof ver, "%lld", version);
    if (fields != NULL && (text = json_dumps(fields, JSON_COMPACT)) == NULL)
        goto done;
    const char *params[] = {cid, uid, ver, text, comment, submit ? "true" : "false"};
    st = dom_from_db(db_exec(db, "ct_update", 6, params, &r));
    if (st != DOM_OK)
        goto done;
    const char *o = PQgetvalue(r, 0, 0);
    *res = strcmp(o, "done") == 0       ? CONTRIB_DONE
           : strcmp(o, "conflict") == 0 ? CONTRIB_CONFLICT
           : strcmp(o, "locked") == 0   ? CONTRIB_LOCKED
           : strcmp(o, "gone") == 0     ? CONTRIB_GONE
                                        : CONTRIB_INCOMPLETE;
done:
    PQclear(r);
    free(text);
    return st;
}

dom_status contribution_withdraw(db_t *db, int64_t id, int64_t author_id,
                                 contribution_result *res) {
    char cid[24], uid[24];
    PGresult *r = NULL;
    EDITS_ID(cid, id);
    EDITS_ID(uid, author_id);
    const char *params[] = {cid, uid};
    *res = CONTRIB_GONE;
    dom_status st = dom_from_db(db_exec(db, "ct_withdraw", 2, params, &r));
    if (st == DOM_OK) {
        const char *o = PQgetvalue(r, 0, 0);
        *res = strcmp(o, "done") == 0   ? CONTRIB_DONE
               : strcmp(o, "gone") == 0 ? CONTRIB_GONE
                                        : CONTRIB_LOCKED;
    }
    PQclear(r);
    return st;
}

/* The notice the author receives for decision on a contribution of kind. */
static notice_kind ct_notice(const char *kind, const char *decision) {
    if (strcmp(decision, "approve") == 0)
        return strcmp(kind, "proposal") == 0 ? NOTICE_PROPOSAL_APPROVED
                                             : NOTICE_CORRECTION_APPROVED;
    return strcmp(decision, "reject") == 0 ? NOTICE_CONTRIBUTION_REJECTED
                                           : NOTICE_CHANGES_REQUESTED;
}

dom_status contribution_review(db_t *db, int64_t id, long long version, const char *decision,
                               const char *reason, int64_t reviewer_id, const char *public_url,
                               contribution_result *res, int64_t *initiative_id) {
    char cid[24], ver[24], rid[24];
    PGresult *about = NULL, *r = NULL;
    buf_t subject, body;
    buf_init(&subject, 512);
    buf_init(&body, EDITS_MAIL_MAX);
    EDITS_ID(cid, id);
    EDITS_ID(rid, reviewer_id);
    snprintf(ver, sizeof ver, "%lld", version);
    *res = CONTRIB_GONE;
    *initiative_id = 0;
    const char *about_params[] = {cid};
    dom_status st = dom_from_db(db_exec(db, "ct_review_about", 1, about_params, &about));
    if (st != DOM_OK || PQntuples(about) != 1)
        goto done;
    if (!notice_write(ct_notice(PQgetvalue(about, 0, 0), decision), public_url,
                      "/mon-espace/contributions", PQgetvalue(about, 0, 1), reason, &subject,
                      &body)) {
        st = DOM_INTERNAL;
        goto done;
    }
    const char *params[] = {cid, ver, decision, reason, rid, buf_cstr(&subject), buf_cstr(&body)};
    st = dom_from_db(db_exec(db, "ct_review", 7, params, &r));
    if (st != DOM_OK)
        goto done;
    *res = edits_outcome_parse(PQgetvalue(r, 0, 0)) == EDITS_DONE       ? CONTRIB_DONE
           : edits_outcome_parse(PQgetvalue(r, 0, 0)) == EDITS_CONFLICT ? CONTRIB_CONFLICT
                                                                        : CONTRIB_GONE;
    if (!PQgetisnull(r, 0, 2))
        *initiative_id = strtoll(PQgetvalue(r, 0, 2), NULL, 10);
done:
    PQclear(about);
    PQclear(r);
    buf_free(&subject);
    buf_free(&body);
    return st;
}

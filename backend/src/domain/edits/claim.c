#include "domain/edits/claim.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "domain/edits/notices.h"
#include "domain/status.h"

const db_stmt_t claim_stmts[] = {
        /* $1 initiative, $2 member, $3 message. ROW(ins.*)::claim: the inserted row, which the
         * rest of the statement cannot read from the table yet. */
        {"cl_create",
         "WITH pub AS (SELECT id FROM initiative WHERE id = $1 AND status = 'published'),"
         " m AS (SELECT claim_domain_matches($2, $1) AS auto),"
         " ins AS (INSERT INTO claim (initiative_id, user_id, status, message, auto, reviewed_at)"
         "         SELECT pub.id, $2, CASE WHEN m.auto THEN 'approved' ELSE 'pending' END, $3,"
         "                m.auto, CASE WHEN m.auto THEN sc_now() END FROM pub, m"
         "         ON CONFLICT (initiative_id, user_id) WHERE status IN ('pending', 'approved')"
         "         DO NOTHING RETURNING *)"
         " SELECT (SELECT count(*) FROM pub),"
         "        (SELECT claim_json(ROW(ins.*)::claim)::text FROM ins)",
         3, false},
        {"cl_mine",
         "SELECT jsonb_build_object('items', coalesce(jsonb_agg(claim_json(c)"
         "        ORDER BY c.created_at DESC, c.id DESC), '[]'))::text"
         "  FROM claim c WHERE c.user_id = $1",
         1, true},
        {"cl_carries",
         "SELECT EXISTS (SELECT 1 FROM claim WHERE initiative_id = $1 AND user_id = $2"
         "                 AND status = 'approved')",
         2, true},
        {"cl_review_about",
         "SELECT i.title FROM claim c JOIN initiative i ON i.id = c.initiative_id WHERE c.id = $1",
         1, true},
        /* $1 id, $2 version, $3 decision, $4 reason, $5 reviewer, $6 subject, $7 body. */
        {"cl_review",
         "WITH r AS (SELECT * FROM claim_review($1, $2::int, $3, $4, $5)),"
         " m AS (INSERT INTO mail_outbox (kind, to_addr, subject, body_text)"
         "       SELECT 'claim', u.email, $6, $7"
         "         FROM r, claim c JOIN app_user u ON u.id = c.user_id"
         "        WHERE r.outcome = 'done' AND c.id = $1 AND u.deleted_at IS NULL"
         "          AND u.email IS NOT NULL RETURNING 1)"
         " SELECT r.outcome FROM r",
         7, false},
        {NULL, NULL, 0, false},
};

dom_status claim_create(db_t *db, int64_t user_id, int64_t initiative_id, const char *message,
                        claim_result *res, json_t **out) {
    char uid[24], iid[24];
    PGresult *r = NULL;
    json_error_t e;
    EDITS_ID(uid, user_id);
    EDITS_ID(iid, initiative_id);
    const char *params[] = {iid, uid, message};
    *out = NULL;
    *res = CLAIM_DONE;
    dom_status st = dom_from_db(db_exec(db, "cl_create", 3, params, &r));
    if (st != DOM_OK)
        goto done;
    if (strcmp(PQgetvalue(r, 0, 0), "0") == 0) {
        *res = CLAIM_NO_INITIATIVE;
    } else if (PQgetisnull(r, 0, 1)) {
        *res = CLAIM_EXISTS;
    } else if ((*out = json_loads(PQgetvalue(r, 0, 1), 0, &e)) == NULL) {
        st = DOM_INTERNAL;
    }
done:
    PQclear(r);
    return st;
}

dom_status claim_list_mine(db_t *db, int64_t user_id, json_t **out) {
    char uid[24];
    EDITS_ID(uid, user_id);
    const char *params[] = {uid};
    return edits_json_row(db, "cl_mine", 1, params, out);
}

dom_status claim_carries(db_t *db, int64_t initiative_id, int64_t user_id, bool *carries) {
    char uid[24], iid[24];
    PGresult *r = NULL;
    EDITS_ID(uid, user_id);
    EDITS_ID(iid, initiative_id);
    const char *params[] = {iid, uid};
    *carries = false;
    dom_status st = dom_from_db(db_exec(db, "cl_carries", 2, params, &r));
    if (st == DOM_OK)
        *carries = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
    PQclear(r);
    return st;
}

dom_status claim_review(db_t *db, int64_t id, long long version, const char *decision,
                        const char *reason, int64_t reviewer_id, const char *public_url,
                        edits_outcome *out) {
    char cid[24], ver[24], rid[24];
    PGresult *about = NULL, *r = NULL;
    buf_t subject, body;
    buf_init(&subject, 512);
    buf_init(&body, EDITS_MAIL_MAX);
    EDITS_ID(cid, id);
    EDITS_ID(rid, reviewer_id);
    snprintf(ver, sizeof ver, "%lld", version);
    *out = EDITS_GONE;
    const char *about_params[] = {cid};
    dom_status st = dom_from_db(db_exec(db, "cl_review_about", 1, about_params, &about));
    if (st != DOM_OK || PQntuples(about) != 1)
        goto done;
    bool approve = strcmp(decision, "approve") == 0;
    if (!notice_write(approve ? NOTICE_CLAIM_APPROVED : NOTICE_CLAIM_REJECTED, public_url,
                      "/mon-espace/contributions", PQgetvalue(about, 0, 0), reason, &subject,
                      &body)) {
        st = DOM_INTERNAL;
        goto done;
    }
    const char *params[] = {cid, ver, decision, reason, rid, buf_cstr(&subject), buf_cstr(&body)};
    st = dom_from_db(db_exec(db, "cl_review", 7, params, &r));
    if (st == DOM_OK)
        *out = edits_outcome_parse(PQgetvalue(r, 0, 0));
done:
    PQclear(about);
    PQclear(r);
    buf_free(&subject);
    buf_free(&body);
    return st;
}

#include "domain/report.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "domain/keyset_page.h"
#include "domain/rows.h"
#include "domain/status.h"

#define RP_TS(x) "to_char(" x " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
/* REPORT from report p, its initiative i, reporter ru, reviewer vu, and — for a comment — the
 * comment c (NULL when deleted since) and its author cu. */
#define RP_JSON                                                                                 \
    "json_build_object('id', p.id, 'version', p.version, 'status', p.status,"                   \
    " 'target', json_build_object('kind', p.target_kind, 'id', p.target_id),"                   \
    " 'initiative', json_build_object('id', i.id, 'title', i.title),"                           \
    " 'reason', p.reason,"                                                                      \
    " 'reporter', CASE WHEN p.reporter_id IS NULL THEN NULL ELSE json_build_object('id',"       \
    "   p.reporter_id, 'name', coalesce(ru.display_name, 'compte supprimé')) END,"             \
    " 'email', p.reporter_email,"                                                               \
    " 'comment', CASE WHEN c.id IS NULL THEN NULL ELSE json_build_object('id', c.id, 'body',"   \
    "   c.body, 'body_html', c.body_html, 'hidden', c.status = 'hidden', 'created_at', " RP_TS( \
            "c.created_at") ", 'author', json_build_object('id', c.author_id, 'name',"          \
                            "   coalesce(cu.display_name, 'compte supprimé'))) END,"           \
                            " 'decision', p.decision, 'review_reason', p.review_reason,"        \
                            " 'reviewed_by', CASE WHEN p.reviewed_by IS NULL THEN NULL ELSE "   \
                            "json_build_object('id',"                                           \
                            "   p.reviewed_by, 'name', coalesce(vu.display_name, 'compte "      \
                            "supprimé')) END,"                                                 \
                            " 'created_at', " RP_TS("p.created_at") ", 'reviewed_at', " RP_TS(  \
                                    "p.reviewed_at") ")"
#define RP_FROM                                                                \
    " FROM report p JOIN initiative i ON i.id = p.initiative_id"               \
    " LEFT JOIN app_user ru ON ru.id = p.reporter_id"                          \
    " LEFT JOIN app_user vu ON vu.id = p.reviewed_by"                          \
    " LEFT JOIN comment c ON p.target_kind = 'comment' AND c.id = p.target_id" \
    " LEFT JOIN app_user cu ON cu.id = c.author_id"
#define RP_PAGE(where)                                                                             \
    "SELECT " RP_JSON "::text, (extract(epoch FROM p.created_at) * 1000000)::bigint, p.id" RP_FROM \
    " WHERE p.status = $1" where " ORDER BY p.created_at, p.id LIMIT $2"

const db_stmt_t report_stmts[] = {
        /* $1 kind, $2 target, $3 reason, $4 reporter (NULL), $5 e-mail (NULL). */
        {"rp_create",
         "INSERT INTO report (target_kind, target_id, initiative_id, reason, reporter_id,"
         "                    reporter_email)"
         " SELECT $1, $2::bigint, t.iid, $3, $4::bigint, $5"
         "   FROM (SELECT i.id AS iid FROM initiative i"
         "          WHERE $1 = 'initiative' AND i.id = $2::bigint AND i.status = 'published'"
         "         UNION ALL"
         "         SELECT c.initiative_id FROM comment c JOIN initiative i"
         "             ON i.id = c.initiative_id AND i.status = 'published'"
         "          WHERE $1 = 'comment' AND c.id = $2::bigint AND c.status = 'visible') t"
         " RETURNING id",
         5, false},
        {"rp_kind", "SELECT target_kind FROM report WHERE id = $1", 1, true},
        {"rp_get", "SELECT " RP_JSON "::text" RP_FROM " WHERE p.id = $1", 1, true},
        {"rp_page_first", RP_PAGE(""), 2, true},
        {"rp_page_after",
         RP_PAGE(" AND (p.created_at, p.id) > ('epoch'::timestamptz + $3::bigint * interval '1 "
                 "microsecond', $4::bigint)"),
         4, true},
        /* $1 id, $2 version, $3 decision, $4 reason, $5 moderator. The report's row is locked
         * first, so two moderators deciding at once see one succeed and the other a conflict.
         * hide also hides the comment and resolves every other open report about it. */
        {"rp_review",
         "WITH r AS (SELECT * FROM report WHERE id = $1 FOR UPDATE),"
         " ok AS (SELECT * FROM r WHERE status = 'open' AND version = $2::int),"
         " h AS (UPDATE comment c SET status = 'hidden', hidden_at = sc_now(),"
         "              hidden_by = $5::bigint, hidden_reason = $4, version = c.version + 1"
         "          FROM ok WHERE $3 = 'hide' AND ok.target_kind = 'comment'"
         "           AND c.id = ok.target_id AND c.status = 'visible' RETURNING c.id),"
         " up AS (UPDATE report p SET status = CASE WHEN $3 = 'dismiss' THEN 'dismissed'"
         "                                         ELSE 'resolved' END,"
         "               decision = $3, review_reason = $4, reviewed_by = $5::bigint,"
         "               reviewed_at = sc_now(), version = p.version + 1"
         "          FROM ok WHERE p.id = ok.id RETURNING p.id),"
         " others AS (UPDATE report p SET status = 'resolved', decision = 'hide',"
         "                   review_reason = $4, reviewed_by = $5::bigint,"
         "                   reviewed_at = sc_now(), version = p.version + 1"
         "              FROM ok WHERE $3 = 'hide' AND ok.target_kind = 'comment'"
         "               AND p.target_kind = 'comment' AND p.target_id = ok.target_id"
         "               AND p.status = 'open' AND p.id <> ok.id)"
         " SELECT (SELECT count(*) FROM r), (SELECT count(*) FROM up)",
         5, false},
        {NULL, NULL, 0, false},
};

#define RP_ID(buf, v) snprintf(buf, sizeof buf, "%" PRId64, (int64_t)(v))

dom_status report_create(db_t *db, const char *target_kind, int64_t target_id, const char *reason,
                         int64_t reporter_id, const char *email, report_result *res) {
    char tid[24], uid[24];
    PGresult *r = NULL;
    RP_ID(tid, target_id);
    RP_ID(uid, reporter_id);
    const char *params[] = {target_kind, tid, reason, reporter_id ? uid : NULL, email};
    *res = REPORT_DONE;
    dom_status st = dom_from_db(db_exec(db, "rp_create", 5, params, &r));
    if (st == DOM_OK && PQntuples(r) != 1)
        *res = REPORT_NO_TARGET;
    PQclear(r);
    return st;
}

dom_status report_target_kind(db_t *db, int64_t id, const char **kind) {
    char rid[24];
    PGresult *r = NULL;
    RP_ID(rid, id);
    const char *params[] = {rid};
    *kind = NULL;
    dom_status st = dom_exec_one(db, "rp_kind", 1, params, &r);
    if (st == DOM_OK)
        *kind = strcmp(PQgetvalue(r, 0, 0), "comment") == 0 ? "comment" : "initiative";
    PQclear(r);
    return st;
}

dom_status report_get(db_t *db, int64_t id, json_t **out) {
    char rid[24];
    PGresult *r = NULL;
    RP_ID(rid, id);
    const char *params[] = {rid};
    *out = NULL;
    dom_status st = dom_exec_one(db, "rp_get", 1, params, &r);
    if (st == DOM_OK && (*out = keyset_page_row(PQgetvalue(r, 0, 0), "report")) == NULL)
        st = DOM_INTERNAL;
    PQclear(r);
    return st;
}

dom_status report_list(db_t *db, const char *status, const cursor_t *after, int limit,
                       json_t **out) {
    char lim[24], created[24], last[24];
    PGresult *r = NULL;
    snprintf(lim, sizeof lim, "%d", limit + 1);
    *out = NULL;
    dom_status st;
    if (after != NULL) {
        RP_ID(created, after->created_us);
        RP_ID(last, after->id);
        const char *params[] = {status, lim, created, last};
        st = dom_from_db(db_exec(db, "rp_page_after", 4, params, &r));
    } else {
        const char *params[] = {status, lim};
        st = dom_from_db(db_exec(db, "rp_page_first", 2, params, &r));
    }
    if (st != DOM_OK)
        return st;
    st = keyset_page(r, limit, "report", out);
    PQclear(r);
    return st;
}

dom_status report_review(db_t *db, int64_t id, long long version, const char *decision,
                         const char *reason, int64_t moderator_id, report_result *res) {
    char rid[24], ver[24], uid[24];
    PGresult *r = NULL;
    RP_ID(rid, id);
    RP_ID(uid, moderator_id);
    snprintf(ver, sizeof ver, "%lld", version);
    const char *params[] = {rid, ver, decision, reason, uid};
    *res = REPORT_DONE;
    dom_status st = dom_from_db(db_exec(db, "rp_review", 5, params, &r));
    if (st == DOM_OK && PQntuples(r) != 1)
        st = DOM_INTERNAL;
    if (st == DOM_OK) {
        if (strcmp(PQgetvalue(r, 0, 0), "0") == 0)
            *res = REPORT_GONE;
        else if (strcmp(PQgetvalue(r, 0, 1), "0") == 0)
            *res = REPORT_CONFLICT;
    }
    PQclear(r);
    return st;
}

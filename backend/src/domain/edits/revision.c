#include "domain/edits/revision.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/log.h"
#include "domain/edits/notices.h"
#include "domain/initiative.h"
#include "domain/rows.h"

/* The order in which a revision lists its fields: the order of the form. */
#define RV_FIELD_ORDER                                                                            \
    "ARRAY['title', 'summary', 'description', 'actor_name', 'actor_type', 'themes', 'subthemes'," \
    " 'publics', 'scale', 'stage', 'start_year', 'website', 'image_url', 'place']"

const db_stmt_t revision_stmts[] = {
        /* $1 initiative, $2 before (NULL: newest), $3 rows. No row: not published; one row with
         * a NULL version: no revision yet. */
        {"rv_history",
         "SELECT r.version, CASE WHEN r.version IS NOT NULL THEN jsonb_build_object("
         "   'version', r.version, 'at', sc_iso(r.created_at),"
         "   'actor', jsonb_build_object('kind', r.actor_kind,"
         "       'name', CASE WHEN r.actor_kind = 'harvest' THEN coalesce(s.name, 'Source')"
         "                    ELSE coalesce(u.display_name, 'Compte supprimé') END,"
         "       'source', s.code),"
         "   'reviewer', person_json(r.reviewer_id)->>'name', 'comment', r.comment,"
         "   'changes', (SELECT coalesce(jsonb_agg(jsonb_build_object('field', c.key,"
         "                   'before', field_display(c.key, c.value->'before'),"
         "                   'after', field_display(c.key, c.value->'after'))"
         "                   ORDER BY array_position(" RV_FIELD_ORDER ", c.key)), '[]')"
         "                 FROM jsonb_each(r.changes) c))::text END"
         "  FROM initiative i"
         "  LEFT JOIN LATERAL (SELECT * FROM initiative_revision r"
         "                      WHERE r.initiative_id = i.id"
         "                        AND ($2::int IS NULL OR r.version < $2::int)"
         "                      ORDER BY r.version DESC LIMIT $3) r ON true"
         "  LEFT JOIN source s ON s.id = r.source_id"
         "  LEFT JOIN app_user u ON u.id = r.user_id"
         " WHERE i.id = $1 AND i.status = 'published'"
         " ORDER BY r.version DESC",
         3, true},
        {"rv_target",
         "SELECT i.title, EXISTS (SELECT 1 FROM claim c WHERE c.initiative_id = i.id"
         "                          AND c.user_id = $2 AND c.status = 'approved')"
         "  FROM initiative i WHERE i.id = $1 AND i.status = 'published'",
         2, true},
        /* $1 initiative, $2 version, $3 fields, $4 kind, $5 user, $6 comment, $7 subject and $8
         * body of the moderators' notice (carrier edits only). */
        {"rv_edit",
         "WITH r AS (SELECT * FROM initiative_revise($1, $2::int, $3::jsonb, $4, $5, NULL, NULL,"
         "                                           NULL, $6)),"
         " m AS (INSERT INTO mail_outbox (kind, to_addr, subject, body_text)"
         "       SELECT 'carrier_edit', u.email, $7, $8 FROM r, app_user u"
         "        WHERE r.outcome = 'done' AND $4 = 'carrier'"
         "          AND u.role IN ('moderator', 'admin') AND u.deleted_at IS NULL"
         "          AND u.email_verified_at IS NOT NULL AND u.email IS NOT NULL"
         "        ORDER BY u.id LIMIT 50 RETURNING 1)"
         " SELECT r.outcome, r.new_version FROM r",
         8, false},
        /* $1 initiative, $2 version, $3 target revision, $4 moderator, $5 reason. No row: the
         * target is not one of its revisions. */
        {"rv_revert",
         "SELECT r.outcome, r.new_version"
         "  FROM (SELECT initiative_fields_at($1, $3::int) AS f) a,"
         "       LATERAL initiative_revise($1, $2::int, a.f, 'moderator', $4, NULL, NULL, NULL,"
         "                                 $5) r"
         " WHERE a.f IS NOT NULL",
         5, false},
        {"rv_source_change", "SELECT outcome FROM source_change_review($1, $2::int, $3, $4)", 4,
         false},
        {NULL, NULL, 0, false},
};

dom_status revision_history(db_t *db, int64_t initiative_id, int before, int limit, json_t **out) {
    char iid[24], bef[16], lim[16];
    PGresult *r = NULL;
    json_t *items = NULL, *page = NULL;
    json_error_t e;
    EDITS_ID(iid, initiative_id);
    snprintf(bef, sizeof bef, "%d", before);
    snprintf(lim, sizeof lim, "%d", limit + 1); /* one more row tells whether a next page exists */
    const char *params[] = {iid, before > 0 ? bef : NULL, lim};
    *out = NULL;
    dom_status st = dom_from_db(db_exec(db, "rv_history", 3, params, &r));
    if (st != DOM_OK)
        goto done;
    if (PQntuples(r) == 0) {
        st = DOM_NOT_FOUND;
        goto done;
    }
    st = DOM_INTERNAL;
    if ((items = json_array()) == NULL)
        goto done;
    int rows = PQntuples(r);
    for (int i = 0; i < rows && i < limit && !PQgetisnull(r, i, 1); i++) {
        json_t *rev = json_loads(PQgetvalue(r, i, 1), 0, &e);
        if (rev == NULL || json_array_append_new(items, rev) != 0) {
            log_msg(LOG_ERROR, "revision: unreadable history row: %s", e.text);
            goto done;
        }
    }
    json_t *next = rows > limit ? json_string(PQgetvalue(r, limit - 1, 0)) : json_null();
    page = json_pack("{s:O, s:o}", "items", items, "next_cursor", next);
    if (page != NULL) {
        *out = page;
        st = DOM_OK;
    }
done:
    json_decref(items);
    PQclear(r);
    return st;
}

dom_status revision_target(db_t *db, int64_t initiative_id, int64_t user_id, char *title,
                           bool *carries) {
    char iid[24], uid[24];
    PGresult *r = NULL;
    EDITS_ID(iid, initiative_id);
    EDITS_ID(uid, user_id);
    const char *params[] = {iid, uid};
    title[0] = '\0';
    *carries = false;
    dom_status st = dom_exec_one(db, "rv_target", 2, params, &r);
    if (st == DOM_OK) {
        snprintf(title, REVISION_TITLE_MAX, "%s", PQgetvalue(r, 0, 0));
        *carries = strcmp(PQgetvalue(r, 0, 1), "t") == 0;
    }
    PQclear(r);
    return st;
}

/* Reads the (outcome, version) row of a revising statement. */
static void rv_outcome(const PGresult *r, edits_outcome *out, long long *current) {
    *out = edits_outcome_parse(PQgetvalue(r, 0, 0));
    *current = PQgetisnull(r, 0, 1) ? 0 : strtoll(PQgetvalue(r, 0, 1), NULL, 10);
}

dom_status revision_edit(db_t *db, int64_t initiative_id, long long version, const json_t *fields,
                         const char *kind, int64_t user_id, const char *comment, const char *title,
                         const char *public_url, edits_outcome *out, long long *current) {
    char iid[24], ver[24], uid[24], path[64];
    char *text = NULL;
    PGresult *r = NULL;
    buf_t subject, body;
    dom_status st = DOM_INTERNAL;
    buf_init(&subject, 512);
    buf_init(&body, EDITS_MAIL_MAX);
    *out = EDITS_GONE;
    *current = 0;
    EDITS_ID(iid, initiative_id);
    EDITS_ID(uid, user_id);
    snprintf(ver, sizeof ver, "%lld", version);
    snprintf(path, sizeof path, "/initiatives/%s/historique", iid);
    if (!notice_write(NOTICE_CARRIER_EDIT, public_url, path, title, NULL, &subject, &body) ||
        (text = json_dumps(fields, JSON_COMPACT)) == NULL)
        goto done;
    const char *params[] = {
            iid, ver, text, kind, uid, comment, buf_cstr(&subject), buf_cstr(&body)};
    st = dom_from_db(db_exec(db, "rv_edit", 8, params, &r));
    if (st == DOM_OK)
        rv_outcome(r, out, current);
done:
    PQclear(r);
    free(text);
    buf_free(&subject);
    buf_free(&body);
    return st;
}

dom_status revision_revert(db_t *db, int64_t initiative_id, long long version, long long to_version,
                           int64_t moderator_id, const char *reason, bool *valid_target,
                           edits_outcome *out, long long *current) {
    char iid[24], ver[24], to[24], uid[24];
    PGresult *r = NULL;
    EDITS_ID(iid, initiative_id);
    EDITS_ID(uid, moderator_id);
    snprintf(ver, sizeof ver, "%lld", version);
    snprintf(to, sizeof to, "%lld", to_version);
    const char *params[] = {iid, ver, to, uid, reason};
    *valid_target = false;
    *out = EDITS_GONE;
    *current = 0;
    dom_status st = dom_from_db(db_exec(db, "rv_revert", 5, params, &r));
    if (st == DOM_OK && PQntuples(r) == 1) {
        *valid_target = true;
        rv_outcome(r, out, current);
    }
    PQclear(r);
    return st;
}

dom_status revision_source_change_review(db_t *db, int64_t id, long long version,
                                         const char *decision, int64_t moderator_id,
                                         edits_outcome *out) {
    char sid[24], ver[24], uid[24];
    PGresult *r = NULL;
    EDITS_ID(sid, id);
    EDITS_ID(uid, moderator_id);
    snprintf(ver, sizeof ver, "%lld", version);
    const char *params[] = {sid, ver, decision, uid};
    *out = EDITS_GONE;
    dom_status st = dom_from_db(db_exec(db, "rv_source_change", 4, params, &r));
    if (st == DOM_OK)
        *out = edits_outcome_parse(PQgetvalue(r, 0, 0));
    PQclear(r);
    return st;
}

#include "domain/community/notification.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "domain/community/community.h"
#include "domain/rows.h"

const db_stmt_t notification_stmts[] = {
        {"cmn_list",
         "SELECT j::text, k, id FROM community_notifications($1, nullif($2::bigint, 0), $3::int)",
         3, true},
        {"cmn_unread",
         "SELECT coalesce((SELECT unread FROM notification_unread WHERE account_id = $1), 0)", 1,
         true},
        {"cmn_read", "SELECT community_notifications_read($1, $2::bigint[], $3::boolean)", 3,
         false},
        {NULL, NULL, 0, false},
};

dom_status notification_list(db_t *db, int64_t account, int64_t after, int limit, json_t **out) {
    char uid[24], aid[24], lim[16];
    long unread = 0;
    snprintf(uid, sizeof uid, "%" PRId64, account);
    snprintf(aid, sizeof aid, "%" PRId64, after);
    snprintf(lim, sizeof lim, "%d", limit + 1);
    const char *params[] = {uid, aid, lim};
    dom_status st = community_page(db, "cmn_list", 3, params, limit, out);
    if (st == DOM_OK)
        st = notification_unread(db, account, &unread);
    if (st == DOM_OK && json_object_set_new(*out, "unread", json_integer(unread)) != 0)
        st = DOM_INTERNAL;
    if (st != DOM_OK) {
        json_decref(*out);
        *out = NULL;
    }
    return st;
}

dom_status notification_unread(db_t *db, int64_t account, long *unread) {
    char uid[24];
    PGresult *r = NULL;
    snprintf(uid, sizeof uid, "%" PRId64, account);
    const char *params[] = {uid};
    *unread = 0;
    dom_status st = dom_exec_one(db, "cmn_unread", 1, params, &r);
    if (st == DOM_OK)
        *unread = strtol(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return st;
}

dom_status notification_read(db_t *db, int64_t account, const char *ids, bool all) {
    char uid[24];
    PGresult *r = NULL;
    snprintf(uid, sizeof uid, "%" PRId64, account);
    const char *params[] = {uid, ids, all ? "true" : "false"};
    dom_status st = dom_from_db(db_exec(db, "cmn_read", 3, params, &r));
    PQclear(r);
    return st;
}

#include "domain/expiry.h"

#include <stdio.h>
#include <stdlib.h>

#include "domain/status.h"

const db_stmt_t expiry_stmts[] = {
        {"expiry_sessions", "DELETE FROM user_session WHERE expires_at < sc_now()", 0, true},
        {"expiry_tokens",
         "DELETE FROM user_token WHERE used_at IS NOT NULL OR expires_at < sc_now()", 0, true},
        {"expiry_changes",
         "SELECT initiative_change_compact(make_interval(days => $1::int), " EXPIRY_CHANGES_BATCH_S
         ")",
         1, true},
        {NULL, NULL, 0, false},
};

static dom_status sweep(db_t *db, const char *name, long *n) {
    PGresult *r = NULL;
    dom_status st = dom_from_db(db_exec(db, name, 0, NULL, &r));
    *n = st == DOM_OK ? strtol(PQcmdTuples(r), NULL, 10) : 0;
    PQclear(r);
    return st;
}

dom_status expiry_sweep(db_t *db, long *sessions, long *tokens) {
    *tokens = 0;
    dom_status st = sweep(db, "expiry_sessions", sessions);
    if (st == DOM_OK)
        st = sweep(db, "expiry_tokens", tokens);
    return st;
}

dom_status expiry_compact_changes(db_t *db, int keep_days, int max_batches, long *removed) {
    char days[16];
    dom_status st = DOM_OK;
    *removed = 0;
    if (keep_days < 1 || max_batches < 1)
        return DOM_INTERNAL;
    snprintf(days, sizeof days, "%d", keep_days);
    const char *params[] = {days};
    /* Each call is its own short transaction (see migration 062: a long one holds the feed back).
     */
    for (int i = 0; i < max_batches; i++) {
        PGresult *r = NULL;
        st = dom_from_db(db_exec(db, "expiry_changes", 1, params, &r));
        long n = st == DOM_OK ? strtol(PQgetvalue(r, 0, 0), NULL, 10) : -1;
        PQclear(r);
        if (n < 0)
            break;
        *removed += n;
    }
    return st;
}

#include "domain/expiry.h"

#include <stdlib.h>

#include "domain/status.h"

const db_stmt_t expiry_stmts[] = {
        {"expiry_sessions", "DELETE FROM user_session WHERE expires_at < sc_now()", 0, true},
        {"expiry_tokens",
         "DELETE FROM user_token WHERE used_at IS NOT NULL OR expires_at < sc_now()", 0, true},
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

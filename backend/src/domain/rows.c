#include "domain/rows.h"

#include "core/log.h"

dom_status dom_exec_one(db_t *db, const char *name, int nparams, const char *const *params,
                        PGresult **r) {
    dom_status st = dom_from_db(db_exec(db, name, nparams, params, r));
    if (st == DOM_OK && PQntuples(*r) != 1)
        st = DOM_NOT_FOUND;
    return st;
}

dom_status dom_query_built(db_t *db, const char *label, const sqlb_t *b, PGresult **r) {
    *r = NULL;
    if (!sqlb_ok(b)) {
        log_msg(LOG_ERROR, "cannot assemble the query %s", label);
        return DOM_INTERNAL;
    }
    return dom_from_db(
            db_query(db, label, buf_cstr(&b->sql), b->n, (const char *const *)b->params, r));
}

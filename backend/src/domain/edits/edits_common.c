#include "domain/edits/edits_common.h"

#include <string.h>

#include "core/log.h"
#include "domain/status.h"

edits_outcome edits_outcome_parse(const char *text) {
    if (strcmp(text, "done") == 0)
        return EDITS_DONE;
    if (strcmp(text, "unchanged") == 0)
        return EDITS_UNCHANGED;
    if (strcmp(text, "conflict") == 0)
        return EDITS_CONFLICT;
    return EDITS_GONE;
}

dom_status edits_json_row(db_t *db, const char *name, int nparams, const char *const *params,
                          json_t **out) {
    PGresult *r = NULL;
    json_error_t e;
    *out = NULL;
    dom_status st = dom_from_db(db_exec(db, name, nparams, params, &r));
    if (st != DOM_OK)
        goto done;
    if (PQntuples(r) != 1 || PQgetisnull(r, 0, 0)) {
        st = DOM_NOT_FOUND;
        goto done;
    }
    *out = json_loadb(PQgetvalue(r, 0, 0), (size_t)PQgetlength(r, 0, 0), 0, &e);
    if (*out == NULL) {
        log_msg(LOG_ERROR, "%s: unreadable JSON from the database: %s", name, e.text);
        st = DOM_INTERNAL;
    }
done:
    PQclear(r);
    return st;
}

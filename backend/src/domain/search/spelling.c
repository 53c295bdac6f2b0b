/* "Did you mean": the words of a search that matched nothing, each replaced by the closest word
 * of the index (statement search_correct). */
#include <stdlib.h>
#include <string.h>

#include "domain/search/engine.h"
#include "domain/status.h"

dom_status search_correct(db_t *db, const char *q, char **corrected) {
    const char *params[] = {q};
    PGresult *r;
    *corrected = NULL;
    dom_status st = dom_from_db(db_exec(db, "search_correct", 1, params, &r));
    if (st != DOM_OK)
        return st;
    if (PQntuples(r) == 1 && !PQgetisnull(r, 0, 0) &&
        strcmp(PQgetvalue(r, 0, 0), PQgetvalue(r, 0, 1)) != 0)
        *corrected = strdup(PQgetvalue(r, 0, 0));
    PQclear(r);
    return DOM_OK;
}

#include "domain/catalog.h"

#include <stdlib.h>

#include "domain/initiative.h"

const db_stmt_t catalog_stmts[] = {
        {"catalog_version", "SELECT version FROM data_version", 0, true},
        {NULL, NULL, 0, false},
};

dom_status catalog_version(db_t *db, int64_t *version) {
    PGresult *r;
    dom_status st = dom_from_db(db_exec(db, "catalog_version", 0, NULL, &r));
    if (st != DOM_OK)
        return st;
    st = PQntuples(r) == 1 ? DOM_OK : DOM_INTERNAL;
    if (st == DOM_OK)
        *version = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return st;
}

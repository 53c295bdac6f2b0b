/* catalog: the data version, which every write bumps (a trigger in the database). Cached
 * answers are keyed by it, so none can outlive the data it was computed from. */
#ifndef SC_CATALOG_H
#define SC_CATALOG_H

#include <stdint.h>

#include "domain/status.h"
#include "storage/db.h"

extern const db_stmt_t catalog_stmts[];

dom_status catalog_version(db_t *db, int64_t *version) MUST_CHECK;

#endif

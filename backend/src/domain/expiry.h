/* expiry: removes what has expired of the accounts' rows: sessions past their absolute lifetime,
 * and e-mailed single-use links once used or expired. They are refused by their own checks
 * already; removing them keeps the tables small and holds no dead secret longer than needed. */
#ifndef SC_EXPIRY_H
#define SC_EXPIRY_H

#include "domain/status.h"
#include "storage/db.h"

extern const db_stmt_t expiry_stmts[];

/* Deletes them (each statement its own transaction; safe to run from several runners at once).
 * *sessions and *tokens receive the numbers of rows removed. */
dom_status expiry_sweep(db_t *db, long *sessions, long *tokens) MUST_CHECK;

#endif

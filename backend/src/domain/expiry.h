/* expiry: removes what has expired: sessions past their absolute lifetime, e-mailed single-use
 * links once used or expired (refused by their own checks already: removing them keeps the tables
 * small and holds no dead secret longer than needed), and the entries of the change log that no
 * reader needs any more (a harvest logs every record it touches, each night). */
#ifndef SC_EXPIRY_H
#define SC_EXPIRY_H

#include "domain/status.h"
#include "storage/db.h"

/* Entries of the change log walked per call of initiative_change_compact (one transaction). */
#define EXPIRY_CHANGES_BATCH   5000
#define EXPIRY_CHANGES_BATCH_S "5000"

extern const db_stmt_t expiry_stmts[];

/* Deletes them (each statement its own transaction; safe to run from several runners at once).
 * *sessions and *tokens receive the numbers of rows removed. */
dom_status expiry_sweep(db_t *db, long *sessions, long *tokens) MUST_CHECK;

/* Removes the superseded entries of the change log older than keep_days (migration 062), at most
 * max_batches batches of EXPIRY_CHANGES_BATCH entries walked, stopping when the walk reaches
 * entries younger than that. *removed receives the number of entries removed. */
dom_status expiry_compact_changes(db_t *db, int keep_days, int max_batches,
                                  long *removed) MUST_CHECK;

#endif

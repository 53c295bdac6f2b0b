/* catalog: the data version, which every write bumps (a trigger in the database). Cached
 * answers are keyed by it, so none can outlive the data it was computed from.
 *
 * Each writing transaction also announces the new version on the channel sc_data_version
 * (migration 047). A worker follows it (catalog_watch_*) and knows the current version without
 * asking PostgreSQL for every request: a cache hit costs one Redis round trip, and cached answers
 * can be served while PostgreSQL is unreachable.
 *
 * Notifications reach the other connections a moment after the commit. So that a write made
 * through the API shows in the very next request whichever worker serves it, the workers also
 * share the highest version any of them has seen, in memory mapped before they are forked: the
 * writing worker receives its own transaction's notification with the answer to its COMMIT and
 * publishes it there before answering. The version only grows; a database re-created from
 * scratch (version back to 1) needs the API restarted. */
#ifndef SC_CATALOG_H
#define SC_CATALOG_H

#include <stdint.h>

#include "domain/status.h"
#include "storage/db.h"

extern const db_stmt_t catalog_stmts[];

/* Reads the data version with a query. */
dom_status catalog_version(db_t *db, int64_t *version) MUST_CHECK;

/* The highest version seen by any worker: shared memory, mapped once before the fork. */
typedef struct catalog_shared catalog_shared_t;

/* Maps it (call once in the parent process). NULL when the mapping fails. Never freed: it lives as
 * long as the processes. */
catalog_shared_t *catalog_shared_new(void);

/* What one worker knows of the data version. */
typedef struct catalog_watch {
    catalog_shared_t *shared; /* borrowed, or NULL (then nothing is shared) */
    int64_t version;          /* the last version known; -1 before the first read */
    uint64_t connects;        /* db_connects() when it was last read with a query */
    double down_since_ms;     /* CLOCK_MONOTONIC ms when PostgreSQL stopped answering; 0 while up */
    double retry_at_ms;       /* while down, no reconnect attempt before this time */
} catalog_watch_t;

/* Initialises w, subscribes db to sc_data_version (kept across reconnects) and hands it db's
 * notifications. shared may be NULL. w must outlive db. PostgreSQL may be down: the subscription
 * is made at the next connect. */
void catalog_watch_start(db_t *db, catalog_watch_t *w, catalog_shared_t *shared);

/* The current data version, from the notifications received so far (no query, except the one
 * read after each (re)connect, when notifications may have been missed). *confirmed tells whether
 * PostgreSQL answered now. When it cannot be reached, the last version known is given with
 * *confirmed = false and *unconfirmed_s = the seconds since it stopped answering (reconnection is
 * tried at most every CATALOG_RETRY_MS meanwhile, or as soon as another request reconnected).
 * DOM_UNAVAILABLE only when no version was ever known. */
#define CATALOG_RETRY_MS 250
dom_status catalog_watch_version(db_t *db, catalog_watch_t *w, int64_t *version, bool *confirmed,
                                 double *unconfirmed_s) MUST_CHECK;

#endif

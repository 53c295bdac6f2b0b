/* changes: the feed of the changes of the public catalogue (GET /api/v1/changes), read from the
 * log that migration 050 writes in the transaction of every write of an initiative.
 *
 * Entries come in (xid, seq) order and only those of transactions older than the reader's snapshot
 * xmin (docs/architecture.md, "The change log"): a transaction still running, or that committed
 * after a reader passed it by sequence number, can never be skipped. The log is compacted when
 * read: an entry is served only if no later entry of the same initiative is already servable, and
 * every entry carries the initiative as it is when read (or a tombstone). */
#ifndef SC_CHANGES_H
#define SC_CHANGES_H

#include <jansson.h>
#include <stdint.h>

#include "domain/status.h"
#include "storage/db.h"

#define CHANGES_LIMIT_DEFAULT 100
#define CHANGES_LIMIT_MAX     500
#define CHANGES_CURSOR_MAX    48 /* bytes of a cursor's text, NUL included */

extern const db_stmt_t changes_stmts[];

/* A position in the feed: after the entry (xid, seq); (0, 0) before the first. */
typedef struct changes_cursor {
    uint64_t xid;
    int64_t seq;
} changes_cursor_t;

/* Parses "XID.SEQ" (two decimal numbers) as written by changes_page. False for anything else. */
bool changes_cursor_decode(const char *text, changes_cursor_t *c) MUST_CHECK;

/* The entries after `after`, at most limit (1..CHANGES_LIMIT_MAX). *out (owned by the caller) is
 * {"changes": [{"kind", "changed_at", "id", "record" | null}], "next_cursor", "more"}: next_cursor
 * is the position after the last entry (the same as `after` when there is none), more says that
 * the page is full and more entries may be servable now. */
dom_status changes_page(db_t *db, const changes_cursor_t *after, int limit,
                        json_t **out) MUST_CHECK;

#endif

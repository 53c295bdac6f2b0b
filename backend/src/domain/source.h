/* source: the platforms the harvester reads — their figures, their freshness and their runs.
 *
 * Read-only: the harvester writes sources, runs and records; this module reports them in the
 * shapes of docs/api.md ("Sources"). Every *out is a new jansson reference on DOM_OK, NULL
 * otherwise. */
#ifndef SC_SOURCE_H
#define SC_SOURCE_H

#include <jansson.h>

#include "domain/cursor.h"
#include "domain/status.h"
#include "storage/db.h"

#define SOURCE_RUNS_PAGE_MAX  100
#define SOURCE_DETAIL_RUNS    5   /* runs listed in one source's detail */
#define SOURCE_RUN_ERRORS_MAX 100 /* errors listed per run; errors_total counts them all */
#define SOURCE_UNMAPPED_MAX   50  /* values without a map entry listed in one source's detail */

extern const db_stmt_t source_stmts[];

/* True when slug has the shape of a source code: ^[a-z0-9][a-z0-9_-]{0,62}$. */
bool source_slug_valid(const char *slug) MUST_CHECK;

/* {"items":[SOURCE…]}, every source, ordered by name (French collation), then slug. */
dom_status source_list(db_t *db, json_t **out) MUST_CHECK;

/* SOURCE plus "record_count_gone", "runs" (the last SOURCE_DETAIL_RUNS, newest first) and
 * "unmapped": [{"field", "value", "records"}], the values the source's maps had no entry for, on
 * its records not gone, the most common first (at most SOURCE_UNMAPPED_MAX).
 * DOM_NOT_FOUND for an unknown slug. */
dom_status source_get(db_t *db, const char *slug, json_t **out) MUST_CHECK;

/* {"items":[RUN…], "total", "next_cursor"}: the runs of a source, newest first (started_at, then
 * id), after the keyset position `after` (NULL for the first page). DOM_NOT_FOUND for an unknown
 * slug. */
dom_status source_runs(db_t *db, const char *slug, const cursor_t *after, int limit,
                       json_t **out) MUST_CHECK;

#endif

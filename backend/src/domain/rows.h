/* rows: the reading of PostgreSQL results shared by the modules of the domain.
 *
 * Internal to domain/: the HTTP layer and the jobs see domain functions that answer JSON and
 * statuses, never a PGresult; this is the one domain header that names it. */
#ifndef SC_DOMAIN_ROWS_H
#define SC_DOMAIN_ROWS_H

#include <jansson.h>
#include <libpq-fe.h>

#include "core/common.h"
#include "domain/cursor.h"
#include "domain/sqlbuild.h"
#include "domain/status.h"
#include "storage/db.h"

/* Runs the prepared statement name, which answers at most one row (a lookup by key): DOM_OK with
 * that row in *r, DOM_NOT_FOUND when there is none (or, against its promise, more than one), else
 * the failure of the statement. *r is the caller's to PQclear whatever the status (NULL when the
 * statement failed). */
dom_status dom_exec_one(db_t *db, const char *name, int nparams, const char *const *params,
                        PGresult **r) MUST_CHECK;

/* Runs the query assembled in b, labelled label in the log: DOM_INTERNAL (logged) when b could not
 * be assembled, else as db_query. *r is the caller's to PQclear on DOM_OK. */
dom_status dom_query_built(db_t *db, const char *label, const sqlb_t *b, PGresult **r) MUST_CHECK;

/* ---- initiatives (domain/initiative.c) ---- */

/* Builds the short form from row `row` of a result whose first columns are ITEM_COLUMNS.
 * Returns a new reference, or NULL when out of memory. */
json_t *initiative_item_json(const PGresult *r, int row);

/* The keyset position of that row, for the next cursor. */
void initiative_item_position(const PGresult *r, int row, cursor_t *c);

/* Builds {"items":[…], "next_cursor":…} from a result of ITEM_COLUMNS rows fetched with
 * LIMIT limit + 1. The next cursor is a keyset position, or, when offset_base is given (ranked
 * results), the offset after this page. */
dom_status initiative_page_json(const PGresult *r, int limit, const cursor_t *offset_base,
                                json_t **out) MUST_CHECK;

/* The same from a result of at most limit ITEM_COLUMNS rows, more telling whether a row followed
 * them. */
dom_status initiative_items_json(const PGresult *r, int limit, bool more,
                                 const cursor_t *offset_base, json_t **out) MUST_CHECK;

/* ---- keyset pages (domain/keyset_page.c) ---- */

/* Builds the page from r (borrowed; not cleared) holding up to limit + 1 rows. what names the list
 * in the log when a row's JSON cannot be read. On DOM_OK *out (owned by the caller) is the page. */
dom_status keyset_page(const PGresult *r, int limit, const char *what, json_t **out) MUST_CHECK;

/* ---- territories (domain/territory.c) ---- */

/* The list of territory_suggest's rows (the prepared statement "territory_suggest", parameters
 * q, level or "", limit), for a caller that ran it itself. *out is a new array on DOM_OK. */
dom_status territory_suggest_items(const PGresult *r, json_t **out) MUST_CHECK;

#endif

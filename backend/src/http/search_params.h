/* search_params: reading the many parameters of GET /api/v1/search into a search_query_t.
 *
 * Each malformed value is a 400 naming its parameter, written into resp. */
#ifndef SC_SEARCH_PARAMS_H
#define SC_SEARCH_PARAMS_H

#include <jansson.h>

#include "domain/search.h"
#include "server/request.h"
#include "server/response.h"
#include "storage/db.h"

/* Where the parsed values live: search_query_t points into it, so it must outlive the query. */
typedef struct search_params_store {
    char q[SEARCH_Q_MAX + 1];
    char codes[SEARCH_NKINDS][SEARCH_CODES_MAX * (SEARCH_CODE_LEN_MAX + 1) + 1];
    territory_ref_t territories[SEARCH_TERRITORIES_MAX];
    cursor_t cursor;
} search_params_store_t;

/* Reads every parameter. With db NULL, territory references are checked for their form only, and
 * sq has none yet: a handler looks its cache up, then on a miss calls search_params_resolve — a
 * cached answer needs no query, and is served while PostgreSQL is down. */
bool search_params_parse(const req_t *req, resp_t *resp, db_t *db, search_query_t *sq,
                         search_params_store_t *store) MUST_CHECK;

/* After search_params_parse with db NULL: resolves the territory references (400 naming the first
 * unknown one) into sq. */
bool search_params_resolve(const req_t *req, resp_t *resp, db_t *db, search_query_t *sq,
                           search_params_store_t *store) MUST_CHECK;

/* Writes the answer for a search that did not succeed (ss != SEARCH_OK): the 400 naming the bad
 * cursor, code or query, or the failure of the domain. Shared by the search and map endpoints. */
void search_params_reply_error(resp_t *resp, search_status ss, const search_error_t *err);

/* Validates search parameters that do not come from a URL — a saved search's params, a JSON object
 * of strings — exactly as GET /api/v1/search validates its query: the checks of
 * search_params_parse, then those the search itself makes (codes that exist, the syntax of q), by
 * running it for one item. Only search_params_saved are accepted. On refusal resp holds the 400
 * whose field is prefix followed by the parameter's name ("params.theme"), or the failure (503…),
 * and false is returned. */
bool search_params_check_json(const json_t *params, resp_t *resp, db_t *db,
                              const char *prefix) MUST_CHECK;

/* The parameters a saved search may hold (those that choose what is found, not how a page is
 * shown); NULL-terminated. */
extern const char *const search_params_saved[];

/* The parameters that shape a search answer, for the cache key; NULL-terminated. */
extern const char *const search_params_shape[];

#endif

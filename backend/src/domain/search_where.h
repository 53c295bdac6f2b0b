/* search_where: the conditions of a search, for the other modules that count or draw its matches.
 *
 * Internal to the domain: the map module uses it to apply exactly the filters of GET /api/v1/search
 * (codes, territories, years, near, bbox, and q in the fine-search language or as free words). The
 * "did you mean" second attempt of the search is not made here: unknown words match nothing. */
#ifndef SC_SEARCH_WHERE_H
#define SC_SEARCH_WHERE_H

#include "domain/search.h"
#include "domain/sqlbuild.h"

/* Checks the codes of sq, reads q, and appends " WHERE …" (over the initiative aliased i) to b.
 * Returns SEARCH_OK, SEARCH_UNKNOWN_CODE, SEARCH_SYNTAX or SEARCH_FAILED like search_run. */
search_status search_where_sql(db_t *db, const search_query_t *sq, sqlb_t *b,
                               search_error_t *err) MUST_CHECK;

#endif

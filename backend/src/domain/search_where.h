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

/* Checks the codes of sq, reads q, and appends to b the SELECT of the ids of its first `limit`
 * matches in the order of the search (sort, with ties broken by id), in two columns: id and n, the
 * rank of the match from 1. For exports (domain/export.h), which join the columns they write to
 * it. Same statuses as search_where_sql. */
search_status search_export_sql(db_t *db, const search_query_t *sq, int limit, sqlb_t *b,
                                search_error_t *err) MUST_CHECK;

/* Whether the counts of facet (a search_facet_name: SEARCH_FACET_REGION…) under the filters of sq
 * can be read from the table facet_count (sql/migrations/013_facet_counts.sql) rather than counted
 * on the initiatives: sq has no words, place or year and, the facet's own filter left out, at most
 * one filter code. Sets *fkind and *fcode to the key of the counts ("" and "" without a filter).
 * The codes are not checked here. */
bool search_precounted(const search_query_t *sq, int facet, const char **fkind, const char **fcode);

#endif

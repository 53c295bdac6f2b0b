/* search/engine: the parts of one search, as search/search.c runs them — its total (count.c), its
 * page (page.c), its facets (facets.c) and the correction of its words (spelling.c). Each reads
 * the search's conditions from search/filter.h. Internal to the search engine. */
#ifndef SC_SEARCH_ENGINE_H
#define SC_SEARCH_ENGINE_H

#include <jansson.h>

#include "domain/search.h"
#include "domain/search/ast.h"
#include "domain/search/filter.h"
#include "domain/search/theme_bits.h"

/* Counting stops at the cap plus one: an exact count of a very common word costs more than the
 * search itself; past the cap the planner's estimate is given, and said to be one. */
#define SEARCH_CAP_PLUS_ONE "10001"

/* One attempt of a search: the search's filters, the words ranked (q: the corrected ones on a
 * second attempt; NULL or "" without words), the fine-search query (NULL for free words) and the
 * themes tested on their bits (NULL: on the array). All borrowed. */
typedef struct search_attempt {
    const search_query_t *sq;
    const char *q;
    const search_ast_t *ast;
    const search_theme_bits_t *bits;
} search_attempt_t;

/* count.c */

/* The total of an attempt (search_total). */
typedef struct search_total {
    json_int_t n;    /* the number shown */
    bool estimate;   /* n is the planner's estimate */
    double est;      /* the planner's estimate (or the precounted number) */
    bool precounted; /* n was read from facet_count: exact at any size */
    bool deferred;   /* nothing was counted: the page counts its matches */
} search_total_t;

/* The number of matches: the planner's estimate when it is far above the cap, else exact up to
 * the cap, and exact at any size when read from facet_count. When a count is needed and the
 * estimate is at most defer_below, nothing is counted and t->deferred is set. */
dom_status search_total(db_t *db, const search_attempt_t *a, double defer_below,
                        search_total_t *t) MUST_CHECK;

/* The number of matches, counted up to the cap plus one. */
dom_status search_count(db_t *db, const search_attempt_t *a, json_int_t *total) MUST_CHECK;

/* page.c */

/* The page of an attempt sorted by sort: *out is {"items","next_cursor"}. big: a large match set
 * (ranked ties in the order of the index). counted, when not NULL: the number of all matches is
 * read with the page (-1 when a page past the first is empty). */
dom_status search_page(db_t *db, const search_attempt_t *a, search_sort sort, bool big,
                       json_int_t *counted, json_t **out) MUST_CHECK;

/* The page of an attempt among candidates only (ids: a PostgreSQL array literal holding at least
 * every match the page shows; search/indexed.c), in the order of sort, past sql_offset of the
 * candidates (and past the keyset cursor for the newest first); its cursors those of the
 * attempt. */
dom_status search_page_among(db_t *db, const search_attempt_t *a, search_sort sort, const char *ids,
                             int64_t sql_offset, json_t **out) MUST_CHECK;

/* facets.c */

/* Appends SELECT code, label, count of the matches of x, grouped by the values of facet (its own
 * filter left out). */
void search_facet_count_sql(search_qb_t *x, int facet);

/* Sets answer.facets to the facets sq asks for, each without its own filter. */
dom_status search_facets(db_t *db, const search_attempt_t *a, json_t *answer) MUST_CHECK;

/* spelling.c */

/* The words with each unknown one replaced by the closest indexed word; NULL when nothing
 * changed. The caller frees *corrected. */
dom_status search_correct(db_t *db, const char *q, char **corrected) MUST_CHECK;

/* relax.c */

/* For free words q that match nothing together under sq's conditions: the largest set of them
 * some initiative holds, the rarest kept among sets of one size (relax.c says how). *kept (the
 * words kept, as websearch text) and *dropped (a JSON array of the words left out, as typed) are
 * the caller's to free; both NULL when no word matches or q has fewer than two words. */
dom_status search_relax(db_t *db, const search_query_t *sq, const char *q, char **kept,
                        json_t **dropped) MUST_CHECK;

/* The words the other answers of a search (map, statistics, exports) use for free words q, as
 * the list does (search_run): q when it matches, else its correction when that matches, else the
 * words of q that search_relax keeps. *words is NULL for q itself or nothing better, else the
 * caller's to free. */
dom_status search_fallback_words(db_t *db, const search_query_t *sq, const char *q,
                                 char **words) MUST_CHECK;

#endif

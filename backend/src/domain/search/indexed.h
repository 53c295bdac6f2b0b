/* search/indexed: a search and its counts on the counting index (index/cidx.h) rather than on the
 * rows — the match set as one bitmap from the bitmaps of its words and filters, its total as that
 * bitmap's cardinality, its facets as intersections, its page from the orders the file holds, the
 * few rows of the page then read and ranked in PostgreSQL (docs/architecture.md, "Search on the
 * counting index"). The statistics (domain/stats.c) count on the same match sets.
 *
 * The file is a snapshot: the initiatives changed since its build ("dirty", from the change log)
 * are left out of its bitmaps and tested in SQL, so that every answer is that of the rows. */
#ifndef SC_SEARCH_INDEXED_H
#define SC_SEARCH_INDEXED_H

#include <roaring/roaring.h>

#include "domain/search.h"
#include "domain/search/engine.h"
#include "index/cidx.h"

/* Above this many initiatives changed since the file's build, the search and the counts are made
 * in SQL (the job runner rebuilds far below it: SC_INDEX_DIRTY_MAX). */
#define SEARCH_DIRTY_MAX 20000

/* The initiatives changed since the build of a file. */
typedef struct search_dirty {
    char *lit;             /* their ids as a PostgreSQL array literal; owned, "{}" when none */
    roaring_bitmap_t *ids; /* owned */
    bool over;             /* more than SEARCH_DIRTY_MAX: the index is not to be used */
} search_dirty_t;

/* Reads the dirty set of ix and, for free words (words; NULL or "" for none), their tsquery as
 * text (*tsq, owned by the caller; NULL without words), in one query. On failure nothing is left
 * to free but what search_dirty_free frees. */
dom_status search_dirty_read(db_t *db, cidx_t *ix, const char *words, search_dirty_t *d,
                             char **tsq) MUST_CHECK;
void search_dirty_free(search_dirty_t *d);

/* The index dimension of a territory level; -1 for a level the file does not hold. */
int search_index_level_dim(const char *level);

/* The bitmap of a query in the fine-search language: *out a new bitmap for the caller, NULL when
 * the query cannot be evaluated on the file (phrases, a radius or a box in q). */
dom_status search_index_ast(db_t *db, cidx_t *ix, const search_ast_t *ast,
                            roaring_bitmap_t **out) MUST_CHECK;

/* Whether the filters of sq other than its words can be evaluated on the index: no change date,
 * territory levels the file holds, and no radius or box unless geo (search_index_geo then
 * applies them). */
bool search_index_expressible(const search_query_t *sq, bool geo);

/* For a search with a radius or a box: *in, the initiatives the file places inside, and *edge,
 * those too close to the edge to decide on the file's points (a radius is measured on a sphere
 * there, on the spheroid in PostGIS; a box in floats there), to be tested in SQL (added to the
 * dirty set by the caller). Both new bitmaps for the caller; false when the file has no points
 * or out of memory (nothing to free then). */
bool search_index_geo(cidx_t *ix, const search_query_t *sq, roaring_bitmap_t **in,
                      roaring_bitmap_t **edge);

/* For a search with a radius or a box (nothing done without): the points inside ANDed into
 * *words (a new bitmap when *words was NULL), those at an edge added to the dirty set d. False
 * when the file cannot place them (no points, too many at the edges, out of memory): the search
 * is then made in SQL. */
bool search_index_geo_apply(cidx_t *ix, const search_query_t *sq, search_dirty_t *d,
                            roaring_bitmap_t **words);

/* Whether some initiative matches sq with the free words q (NULL or "" for none), asked of the
 * index (and of SQL for the dirty initiatives only): *known is false when the index cannot tell
 * (the caller asks SQL; nothing else was done). */
dom_status search_index_exists(db_t *db, const search_query_t *sq, const char *q, bool *found,
                               bool *known) MUST_CHECK;

/* Adds ids to the dirty set (its literal rewritten); false when out of memory or past
 * SEARCH_DIRTY_MAX (d->over set). */
bool search_dirty_add(search_dirty_t *d, const roaring_bitmap_t *ids);

/* The matches of sq on the index (words: the bitmap of its words, or NULL for none), the dirty
 * ones left out, and the filter behind facet `skip` too (-1: none; as search_qb_where). A new
 * bitmap for cidx_bitmap_free; NULL when out of memory. */
roaring_bitmap_t *search_index_matches(cidx_t *ix, const search_query_t *sq,
                                       const roaring_bitmap_t *words, const roaring_bitmap_t *dirty,
                                       int skip);

/* One attempt of search/search.c on the index: *done is false when it cannot be made there (the
 * caller makes it in SQL; nothing was answered), else *out and *total are those of the SQL
 * attempt — the same items in the same order, its total exact at any size. */
dom_status search_indexed_attempt(db_t *db, const search_attempt_t *a, search_sort sort,
                                  json_t **out, json_int_t *total, bool *done) MUST_CHECK;

#endif

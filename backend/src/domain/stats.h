/* stats: exact counts of a search's matches by one or two dimensions, for charts.
 *
 * The counts follow the search's facets: every filter applies except the counted dimensions' own
 * (a theme filter is left out of the counts by theme, the territory filters out of those by région
 * or département, the years out of those by start year), so that a chart shows the values one may
 * switch to; a table of two dimensions leaves out the filters of both. The total is the number of
 * matches of the whole search. q is read as the map reads it (search_where.h): the fine-search
 * language as the search reads it, free words without the "did you mean" second attempt. Counts
 * are counted on the counting index (index/cidx.h) when its file is there and the filters are
 * codes, territories, years and free words: the bitmaps count the initiatives unchanged since the
 * file's build, SQL the few changed since. Otherwise (a radius, a box, phrases, the fine-search
 * language, no file) they are read from facet_count when what is counted has no words, place or
 * year and at most one filter code (sql/migrations/013, 045), else counted on the matching
 * initiatives in one pass. */
#ifndef SC_STATS_H
#define SC_STATS_H

#include <jansson.h>

#include "domain/search.h"

/* The dimensions: the search's filter kinds (same order and values as search_kind), then these. */
enum {
    STATS_START_YEAR = SEARCH_NKINDS,
    STATS_REGION,
    STATS_DEPARTEMENT,
    STATS_NDIMS,
};
#define STATS_DIMS_MAX 2

/* The API name of a dimension ("actor_type", "start_year"…). */
const char *stats_dim_name(int dim);

/* The dimension of an API name, or -1. */
int stats_dim_parse(const char *name);

typedef struct stats_query {
    const search_query_t *sq; /* borrowed: the filters */
    int dims[STATS_DIMS_MAX]; /* distinct dimensions */
    int ndims;                /* 1 or 2 */
    bool coverage;            /* also count the matches that have a point ("located") */
} stats_query_t;

/* Counts. On SEARCH_OK *out (owned by the caller) is
 *   one dimension:  {"by":[d],"total","items":[{"code","label","count"[,"population","per_100k"]}]}
 *   two dimensions: {"by":[d1,d2],"total","rows":[items of d1],"columns":[items of d2],
 *                    "cells":[{"row","column","count"}]}
 * plus "located" with coverage. population and per_100k are given for régions and départements
 * (null without a population). Items come by decreasing count, start years in order; a match
 * without a value of a dimension is in no item of it; an initiative counts once in each value it
 * holds (themes, sub-themes, publics and sources may be several). Errors as search_run. */
search_status stats_run(db_t *db, const stats_query_t *st, json_t **out,
                        search_error_t *err) MUST_CHECK;

#endif

/* map: the matches of a search drawn on a map — grid clusters of points, and counts by territory.
 *
 * Both apply every filter of the search (see search_where.h); q in the fine-search language is
 * read as the search reads it, free words without the "did you mean" second attempt. */
#ifndef SC_MAP_H
#define SC_MAP_H

#include <jansson.h>

#include "domain/search.h"

#define MAP_ZOOM_MAX 20
/* The unfiltered map reads the cell levels of map_cell up to this zoom (the levels kept: 3 to 8).
 */
#define MAP_CELL_LEVEL_MIN 3
#define MAP_CELL_ZOOM_MAX  8

typedef enum map_level {
    MAP_REGION,
    MAP_DEPARTEMENT,
} map_level;

/* The matches with a point, grouped by cells of 360 / 2^zoom / 4 degrees: a GeoJSON
 * FeatureCollection of Points at the centroid of each cell's members, with properties
 * {"cluster": true, "count", "bbox": [minLon,minLat,maxLon,maxLat]}, or for a cell of one match
 * {"cluster": false, "count": 1, "id", "title", "themes"}. sq->bbox should be set. */
search_status map_clusters(db_t *db, const search_query_t *sq, int zoom, json_t **out,
                           search_error_t *err) MUST_CHECK;

/* Every territory of the level as a Feature with its simplified contour and properties
 * {"ref", "code", "name", "count", "per_100k"} (per_100k null without a population). */
search_status map_choropleth(db_t *db, const search_query_t *sq, map_level level, json_t **out,
                             search_error_t *err) MUST_CHECK;

/* Where the located matches lie: {"bbox": [minLon,minLat,maxLon,maxLat] or null, "located": n,
 * "zones": [{"zone", "count", "bbox"}, …]} with zone one of metropole, guadeloupe, martinique,
 * guyane, reunion, mayotte (by the région of the match), largest first. The map frames the
 * search with it before asking for clusters. */
search_status map_extent(db_t *db, const search_query_t *sq, json_t **out,
                         search_error_t *err) MUST_CHECK;

#endif

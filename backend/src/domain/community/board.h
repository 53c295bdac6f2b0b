/* board: a community's shared collections (ordinary collections with a community owner, table
 * collection.community_id; their items change through the collection endpoints), the proposals
 * of members to add to them, and its map. community.h says how these calls answer. */
#ifndef SC_BOARD_H
#define SC_BOARD_H

#include <jansson.h>
#include <stdint.h>

#include "domain/status.h"
#include "storage/db.h"

#define BOARD_MAP_MAX 2000

extern const db_stmt_t board_stmts[];

/* {"items": [COLLECTION without items, with community_id]}. */
dom_status board_collections(db_t *db, int64_t community, json_t **out) MUST_CHECK;

/* Creates a collection of the community (public when the community is); *id receives it. */
dom_status board_collection_create(db_t *db, int64_t community, int64_t actor, const char *title,
                                   const char *description, int64_t *id) MUST_CHECK;

/* The community owning collection id (0: a personal collection). DOM_NOT_FOUND. */
dom_status board_collection_community(db_t *db, int64_t collection, int64_t *community) MUST_CHECK;

/* {"items": [proposal]}, oldest first (at most 200). */
dom_status board_proposals(db_t *db, int64_t community, json_t **out) MUST_CHECK;

/* The proposal, or {"error": "collection_id"|"initiative_id"|"already_present"}. */
dom_status board_propose(db_t *db, int64_t community, int64_t actor, int64_t collection,
                         int64_t initiative, const char *note, json_t **out) MUST_CHECK;

/* {"accepted", …} or {"error": "not_found"}. */
dom_status board_decide(db_t *db, int64_t community, int64_t proposal, bool accept,
                        json_t **out) MUST_CHECK;

/* GeoJSON FeatureCollection of at most BOARD_MAP_MAX points. */
dom_status board_map(db_t *db, int64_t community, json_t **out) MUST_CHECK;

#endif

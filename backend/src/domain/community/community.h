/* community: groups of members around a theme or a territory (docs/api.md, "Communities";
 * sql/migrations/051_communities.sql holds the tables and the SQL functions these call).
 *
 * Every function here runs one SQL function that does the whole write or read of a request and
 * answers a JSON object: the result, or {"error": CODE, …} for a refusal of the domain (stale
 * version, owner must hand over, unknown mention…), which the HTTP layer turns into an answer.
 * Nothing here decides who may act: the caller reads the actor's standing with community_context
 * once per request and asks policy_can (domain/people/policy.h) before calling. */
#ifndef SC_COMMUNITY_H
#define SC_COMMUNITY_H

#include <jansson.h>
#include <stdint.h>

#include "domain/cursor.h"
#include "domain/people/policy.h"
#include "domain/status.h"
#include "storage/db.h"

#define COMMUNITY_NAME_MAX   120
#define COMMUNITY_DESC_MAX   4000
#define COMMUNITY_THEMES_MAX 20
#define COMMUNITY_PAGE_MAX   100

extern const db_stmt_t community_stmts[];

/* Runs stmt (one row, one column of JSON text) with n text parameters; *out is the parsed object
 * (caller owns). DOM_NOT_FOUND when the row or its value is NULL. Shared by the community modules.
 */
dom_status community_call(db_t *db, const char *stmt, int n, const char *const *params,
                          json_t **out) MUST_CHECK;

/* Runs stmt answering rows (JSON text, keyset key, id) fetched with limit + 1, as a page
 * {"items", "next_cursor"} (domain/keyset_page.h). Caller owns *out. */
dom_status community_page(db_t *db, const char *stmt, int n, const char *const *params, int limit,
                          json_t **out) MUST_CHECK;

/* The community's visibility and viewer's (0: anonymous) membership into obj->community.
 * DOM_NOT_FOUND when there is no community id. */
dom_status community_context(db_t *db, int64_t id, int64_t viewer, policy_object_t *obj) MUST_CHECK;

/* COMMUNITY as viewer sees it. */
dom_status community_get(db_t *db, int64_t id, int64_t viewer, json_t **out) MUST_CHECK;

/* The fields of a create or a change; NULL members: absent (kept). themes is a PostgreSQL array
 * literal of checked codes ("{ALI,ENV}"). territory_level/code NULL: none; clear_territory: the
 * change removes it. */
typedef struct community_fields {
    const char *name, *description, *visibility;
    const char *territory_level, *territory_code;
    bool clear_territory;
    const char *themes;
} community_fields_t;

/* Creates it with actor as owner; *out: COMMUNITY. */
dom_status community_create(db_t *db, int64_t actor, const community_fields_t *f,
                            json_t **out) MUST_CHECK;

/* Changes it at version: *out COMMUNITY, or {"error": "conflict", "current": COMMUNITY}. */
dom_status community_update(db_t *db, int64_t id, int64_t actor, long long version,
                            const community_fields_t *f, json_t **out) MUST_CHECK;

/* Deletes it with all it holds. */
dom_status community_delete(db_t *db, int64_t id) MUST_CHECK;

/* The directory page (public and restricted only): q words ("" none), theme ("" none), territory
 * level/code ("" none), after a cursor (NULL: first page). */
dom_status community_directory(db_t *db, const char *q, const char *theme, const char *level,
                               const char *code, const char *cursor, int limit, int64_t viewer,
                               json_t **out) MUST_CHECK;

/* {"items": [COMMUNITY]} of the viewer's communities (not banned). */
dom_status community_mine(db_t *db, int64_t viewer, json_t **out) MUST_CHECK;

/* Whether every code of the array literal is a theme of the vocabulary. */
dom_status community_themes_known(db_t *db, const char *themes, bool *known) MUST_CHECK;

#endif

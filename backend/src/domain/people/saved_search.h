/* saved_search: searches kept under a name, with an optional e-mail alert (table saved_search).
 *
 * params are the search's query parameters as GET /api/v1/search takes them, validated by the
 * caller (http/search_params.h) before they are stored. When an alert is switched on, its
 * last_alert_at starts at that moment, so the first alert lists only what is new from then. The
 * caller has asked the policy (POLICY_SAVED_SEARCH_EDIT) first; writes are scoped to the owner all
 * the same. */
#ifndef SC_SAVED_SEARCH_H
#define SC_SAVED_SEARCH_H

#include <jansson.h>
#include <stdint.h>

#include "domain/people/policy.h"
#include "domain/status.h"
#include "storage/db.h"

#define SAVED_SEARCH_MAX      100 /* saved searches per person */
#define SAVED_SEARCH_NAME_MAX 120

typedef enum saved_search_result {
    SAVED_SEARCH_DONE = 0,
    SAVED_SEARCH_GONE,     /* not there, or not the owner's */
    SAVED_SEARCH_CONFLICT, /* stale version */
    SAVED_SEARCH_LIMIT,    /* SAVED_SEARCH_MAX reached */
} saved_search_result;

/* The owner of saved search id, for the policy. DOM_NOT_FOUND when there is none. */
dom_status saved_search_find(db_t *db, int64_t id, policy_object_t *obj) MUST_CHECK;

/* {"items": [SAVED_SEARCH]}, newest first (caller owns). */
dom_status saved_search_list(db_t *db, int64_t owner_id, json_t **out) MUST_CHECK;

/* Saves a search. params is a JSON object of strings (borrowed); alert is none, daily or weekly.
 * On SAVED_SEARCH_DONE *out is the SAVED_SEARCH (caller owns). */
dom_status saved_search_create(db_t *db, int64_t owner_id, const char *name, const json_t *params,
                               const char *alert, saved_search_result *res,
                               json_t **out) MUST_CHECK;

/* Renames and/or changes the alert (NULL: kept) when version is current. *out is the
 * SAVED_SEARCH after the change, or the current one on SAVED_SEARCH_CONFLICT (caller owns). */
dom_status saved_search_update(db_t *db, int64_t id, int64_t owner_id, long long version,
                               const char *name, const char *alert, saved_search_result *res,
                               json_t **out) MUST_CHECK;

/* Deletes it (SAVED_SEARCH_GONE when not the owner's). */
dom_status saved_search_delete(db_t *db, int64_t id, int64_t owner_id,
                               saved_search_result *res) MUST_CHECK;

extern const db_stmt_t saved_search_stmts[];

#endif

/* favourite: the initiatives a person starred (table favourite).
 *
 * Only published initiatives can be starred, and only they are listed: an initiative archived
 * after it was starred stays in the table (it comes back if published again) but is not shown.
 * The caller has asked the policy (POLICY_FAVOURITE_EDIT) before any of these. */
#ifndef SC_FAVOURITE_H
#define SC_FAVOURITE_H

#include <jansson.h>
#include <stdint.h>

#include "domain/cursor.h"
#include "domain/status.h"
#include "storage/db.h"

#define FAVOURITE_MAX      5000 /* favourites per person */
#define FAVOURITE_PAGE_MAX 100

typedef enum favourite_result {
    FAVOURITE_DONE = 0,
    FAVOURITE_NO_INITIATIVE, /* unknown or unpublished initiative */
    FAVOURITE_LIMIT,         /* FAVOURITE_MAX reached */
} favourite_result;

/* A page of the person's favourites, newest first, after cursor (NULL for the first page): *out is
 * {"items": [ITEM + "favourited_at"], "next_cursor"} (new object, caller owns). */
dom_status favourite_list(db_t *db, int64_t user_id, const cursor_t *after, int limit,
                          const char *lang, json_t **out) MUST_CHECK;

/* {"ids": [...]}: the ids of every listed favourite, newest first (caller owns). */
dom_status favourite_ids(db_t *db, int64_t user_id, json_t **out) MUST_CHECK;

/* Stars the initiative; starring it again changes nothing (FAVOURITE_DONE). The count is checked
 * under a lock on the person's row, so that parallel requests cannot pass the limit. */
dom_status favourite_add(db_t *db, int64_t user_id, int64_t initiative_id,
                         favourite_result *res) MUST_CHECK;

/* Removes the star, if any. */
dom_status favourite_remove(db_t *db, int64_t user_id, int64_t initiative_id) MUST_CHECK;

extern const db_stmt_t favourite_stmts[];

#endif

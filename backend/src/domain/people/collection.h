/* collection: lists of initiatives that a person puts together, with a note per item, kept
 * private or shared by link (tables collection, collection_item).
 *
 * Positions of items are 1..n without gaps: an item is added last, moving one shifts the ones in
 * between, removing one closes the gap. Every change of items runs after a lock on the collection's
 * row in the same transaction, so parallel changes of one collection apply one after the other.
 * `version` counts the changes of the collection's own fields (title, description, visibility);
 * changes of items move `updated_at` only. Items whose initiative is no longer published are left
 * out of answers (and of item_count) until it is published again.
 *
 * These functions do not decide who may do what: the caller reads the collection's owner and
 * visibility with collection_find and asks the policy first. Writes are scoped to the owner
 * all the same. */
#ifndef SC_COLLECTION_H
#define SC_COLLECTION_H

#include <jansson.h>
#include <stdint.h>

#include "domain/people/policy.h"
#include "domain/status.h"
#include "storage/db.h"

#define COLLECTION_MAX       200 /* collections per person */
#define COLLECTION_ITEMS_MAX 500 /* items per collection */
#define COLLECTION_TITLE_MAX 120
#define COLLECTION_DESC_MAX  2000
#define COLLECTION_NOTE_MAX  1000

typedef enum collection_result {
    COLLECTION_DONE = 0,
    COLLECTION_GONE,          /* the collection (or the item) does not exist */
    COLLECTION_CONFLICT,      /* stale version */
    COLLECTION_LIMIT,         /* COLLECTION_MAX or COLLECTION_ITEMS_MAX reached */
    COLLECTION_NO_INITIATIVE, /* unknown or unpublished initiative */
    COLLECTION_PRESENT,       /* the initiative is already in the collection */
} collection_result;

/* The changes of a PATCH; NULL members are left as they are. */
typedef struct collection_edit {
    const char *title;
    const char *description;
    const char *visibility; /* "public" or "private" */
} collection_edit_t;

/* Owner and visibility of collection id, for the policy. DOM_NOT_FOUND when there is none. */
dom_status collection_find(db_t *db, int64_t id, policy_object_t *obj) MUST_CHECK;

/* COLLECTION with its items, as docs/api.md shows it; is_owner tells whether viewer_id (0 for
 * anonymous) owns it. *out is a new object (caller owns). DOM_NOT_FOUND when there is none. */
dom_status collection_get(db_t *db, int64_t id, int64_t viewer_id, const char *lang,
                          json_t **out) MUST_CHECK;

/* {"items": [COLLECTION without items]} of the owner, last changed first (caller owns). */
dom_status collection_list(db_t *db, int64_t owner_id, json_t **out) MUST_CHECK;

/* Creates a collection (COLLECTION_LIMIT past COLLECTION_MAX); *id receives its id. */
dom_status collection_create(db_t *db, int64_t owner_id, const char *title, const char *description,
                             const char *visibility, collection_result *res,
                             int64_t *id) MUST_CHECK;

/* Applies edit when version is current (COLLECTION_CONFLICT otherwise, COLLECTION_GONE when the
 * collection is not the owner's). */
dom_status collection_update(db_t *db, int64_t id, int64_t owner_id, long long version,
                             const collection_edit_t *edit, collection_result *res) MUST_CHECK;

/* Deletes the collection and its items (COLLECTION_GONE when not the owner's). */
dom_status collection_delete(db_t *db, int64_t id, int64_t owner_id,
                             collection_result *res) MUST_CHECK;

/* Adds the initiative last, with note ("" for none). */
dom_status collection_item_add(db_t *db, int64_t id, int64_t owner_id, int64_t initiative_id,
                               const char *note, collection_result *res) MUST_CHECK;

/* Changes an item's note (NULL: unchanged) and moves it to position (0: unchanged; past the
 * last, it goes last). COLLECTION_GONE when the initiative is not in the collection. */
dom_status collection_item_update(db_t *db, int64_t id, int64_t owner_id, int64_t initiative_id,
                                  const char *note, long long position,
                                  collection_result *res) MUST_CHECK;

/* Removes an item; the ones after it move up. COLLECTION_GONE when it is not there. */
dom_status collection_item_remove(db_t *db, int64_t id, int64_t owner_id, int64_t initiative_id,
                                  collection_result *res) MUST_CHECK;

extern const db_stmt_t collection_stmts[];

#endif

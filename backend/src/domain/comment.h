/* comment: members' comments on an initiative (table comment), and the version of each
 * initiative's thread (comment_thread) that keys the cache of its public list.
 *
 * A comment is stored as typed (body) with its HTML (body_html: core/linkify.c) made once when it
 * is written. Its author may change it during COMMENT_EDIT_WINDOW_MIN minutes after it was posted
 * (on the clock of the rules, sc_now()), and delete it at any time. A moderator may hide it: it
 * then leaves the public list, its author still sees it, marked hidden (comment_mine). Deleting or
 * hiding a comment closes the open reports about it.
 *
 * These functions do not decide who may do what: the caller reads the comment with comment_find
 * and asks the policy (people/policy.h) first. */
#ifndef SC_COMMENT_H
#define SC_COMMENT_H

#include <jansson.h>
#include <stdint.h>

#include "domain/cursor.h"
#include "domain/people/policy.h"
#include "domain/status.h"
#include "storage/db.h"

#define COMMENT_BODY_MAX        5000 /* characters */
#define COMMENT_REASON_MAX      2000 /* a moderator's reason for hiding */
#define COMMENT_EDIT_WINDOW_MIN 15
#define COMMENT_PAGE_DEFAULT    20
#define COMMENT_PAGE_MAX        100

typedef enum comment_result {
    COMMENT_DONE = 0,
    COMMENT_GONE,     /* no such comment (or no such published initiative) */
    COMMENT_CONFLICT, /* stale version */
    COMMENT_TOO_LATE, /* the edit window is over */
} comment_result;

/* What the policy needs: the author (obj->owner_id), whether the comment is visible to everyone
 * (obj->is_public; false when hidden), and its initiative. DOM_NOT_FOUND when there is none. */
dom_status comment_find(db_t *db, int64_t id, policy_object_t *obj,
                        int64_t *initiative_id) MUST_CHECK;

/* The versions that key the cached public list of initiative_id's comments: *data_version (the
 * catalogue's: an initiative unpublished changes it) and *thread_version (moved by every change
 * of one of its comments). */
dom_status comment_versions(db_t *db, int64_t initiative_id, int64_t *data_version,
                            int64_t *thread_version) MUST_CHECK;

/* {"items": [COMMENT…], "next_cursor"} — the visible comments of a published initiative, oldest
 * first, limit per page, after cursor (NULL: from the start). *out is new (caller owns).
 * DOM_NOT_FOUND when the initiative is not published. */
dom_status comment_list(db_t *db, int64_t initiative_id, const cursor_t *after, int limit,
                        json_t **out) MUST_CHECK;

/* {"items": [COMMENT + "hidden": bool…]} — author_id's own comments on initiative_id, hidden ones
 * included, oldest first (at most COMMENT_PAGE_MAX * 10). *out is new (caller owns). */
dom_status comment_mine(db_t *db, int64_t initiative_id, int64_t author_id,
                        json_t **out) MUST_CHECK;

/* COMMENT id as docs/api.md shows it, with "hidden" (caller owns *out). DOM_NOT_FOUND. */
dom_status comment_get(db_t *db, int64_t id, json_t **out) MUST_CHECK;

/* Posts body (its HTML body_html) on a published initiative; *out receives the new COMMENT
 * (caller owns), or NULL with COMMENT_GONE when the initiative is not published. */
dom_status comment_create(db_t *db, int64_t initiative_id, int64_t author_id, const char *body,
                          const char *body_html, comment_result *res, json_t **out) MUST_CHECK;

/* The author's change of the text: COMMENT_TOO_LATE after the window, COMMENT_CONFLICT when
 * version is stale, COMMENT_GONE when it is not author_id's visible comment. *out receives the
 * changed COMMENT on COMMENT_DONE (caller owns), NULL otherwise. */
dom_status comment_update(db_t *db, int64_t id, int64_t author_id, long long version,
                          const char *body, const char *body_html, comment_result *res,
                          json_t **out) MUST_CHECK;

/* Deletes the comment; its open reports are closed as resolved by actor_id. */
dom_status comment_delete(db_t *db, int64_t id, int64_t actor_id, comment_result *res) MUST_CHECK;

/* A moderator hides the comment (hidden true; its open reports are resolved with the decision
 * "hide") or shows it again (false). reason may be NULL. Hiding a hidden comment changes nothing.
 */
dom_status comment_set_hidden(db_t *db, int64_t id, int64_t moderator_id, bool hidden,
                              const char *reason, comment_result *res) MUST_CHECK;

extern const db_stmt_t comment_stmts[];

#endif

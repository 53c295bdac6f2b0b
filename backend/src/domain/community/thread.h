/* thread: the discussions of a community — threads, their replies (oldest first, keyset on
 * (thread_id, id)), pin and lock, reports (community.h says how these calls answer). Text is
 * stored as typed; answers are JSON, escaped by whoever writes them out. */
#ifndef SC_THREAD_H
#define SC_THREAD_H

#include <jansson.h>
#include <stdint.h>

#include "domain/status.h"
#include "storage/db.h"

#define THREAD_TITLE_MAX    200
#define THREAD_BODY_MAX     10000
#define THREAD_MENTIONS_MAX 20
#define THREAD_REASON_MAX   2000

extern const db_stmt_t thread_stmts[];

/* mentions: a PostgreSQL array literal of account ids ("{7,9}"), NULL for none. Answers THREAD, or
 * {"error": "mentions"} when one is not a member. */
dom_status thread_create(db_t *db, int64_t community, int64_t actor, const char *title,
                         const char *body, const char *mentions, json_t **out) MUST_CHECK;

/* THREAD; DOM_NOT_FOUND when it is not one of the community's. */
dom_status thread_get(db_t *db, int64_t community, int64_t id, json_t **out) MUST_CHECK;

/* The author of the thread (0 for a deleted account); DOM_NOT_FOUND. */
dom_status thread_author(db_t *db, int64_t community, int64_t id, int64_t *author) MUST_CHECK;

/* The author of the reply; DOM_NOT_FOUND. */
dom_status thread_reply_author(db_t *db, int64_t community, int64_t id, int64_t *author) MUST_CHECK;

/* A page of threads (without body): pinned first, then last activity. after_key/after_id: the
 * cursor's position (after_id 0: first page). */
dom_status thread_list(db_t *db, int64_t community, int64_t after_key, int64_t after_id, int limit,
                       json_t **out) MUST_CHECK;

/* Changes at version (NULL members kept; pinned/locked "true"/"false"): THREAD or
 * {"error": "conflict", "current"}. */
dom_status thread_update(db_t *db, int64_t community, int64_t id, long long version,
                         const char *title, const char *body, const char *pinned,
                         const char *locked, json_t **out) MUST_CHECK;

dom_status thread_delete(db_t *db, int64_t community, int64_t id) MUST_CHECK;

/* REPLY, or {"error": "not_found"|"locked"|"mentions"}. */
dom_status thread_reply_create(db_t *db, int64_t community, int64_t thread, int64_t actor,
                               const char *body, const char *mentions, json_t **out) MUST_CHECK;

/* A page of replies, oldest first, after reply id after (0: first page). */
dom_status thread_replies(db_t *db, int64_t community, int64_t thread, int64_t after, int limit,
                          json_t **out) MUST_CHECK;

/* REPLY or {"error": "conflict", "current"}. */
dom_status thread_reply_update(db_t *db, int64_t community, int64_t id, long long version,
                               const char *body, json_t **out) MUST_CHECK;

/* {"deleted"} or {"error": "not_found"}. */
dom_status thread_reply_delete(db_t *db, int64_t community, int64_t id, json_t **out) MUST_CHECK;

/* A report about a thread or a reply (one of them 0): the report, or {"error": "thread_id" |
 * "reply_id"} when it is not the community's. */
dom_status thread_report(db_t *db, int64_t community, int64_t thread, int64_t reply, int64_t actor,
                         const char *reason, json_t **out) MUST_CHECK;

/* {"items": [report]}: the community's reports, newest first (at most 100), for its moderators. */
dom_status thread_reports(db_t *db, int64_t community, json_t **out) MUST_CHECK;

#endif

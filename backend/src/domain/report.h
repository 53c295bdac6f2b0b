/* report: « Signaler une erreur » on an initiative and « Signaler » on a comment (table report).
 *
 * Anyone may report (reporter_id 0 when signed out); the report lands in the moderation queue
 * while its status is "open". A moderator then dismisses it, resolves it, or — for a comment —
 * hides the comment, which resolves every open report about that comment at once.
 *
 * These functions do not decide who may do what (people/policy.h). */
#ifndef SC_REPORT_H
#define SC_REPORT_H

#include <jansson.h>
#include <stdint.h>

#include "domain/cursor.h"
#include "domain/status.h"
#include "storage/db.h"

#define REPORT_REASON_MAX 2000 /* characters */
#define REPORT_EMAIL_MAX  254
#define REPORT_PAGE_MAX   50

typedef enum report_result {
    REPORT_DONE = 0,
    REPORT_NO_TARGET, /* no published initiative or visible comment with that id */
    REPORT_GONE,      /* no such report */
    REPORT_CONFLICT,  /* stale version, or already reviewed */
} report_result;

/* Files a report about target_kind ("initiative" or "comment") target_id. reporter_id 0 for an
 * anonymous reporter; email may be NULL. */
dom_status report_create(db_t *db, const char *target_kind, int64_t target_id, const char *reason,
                         int64_t reporter_id, const char *email, report_result *res) MUST_CHECK;

/* The kind of target of report id ("initiative" or "comment", static). DOM_NOT_FOUND. */
dom_status report_target_kind(db_t *db, int64_t id, const char **kind) MUST_CHECK;

/* REPORT id as the moderators see it (docs/api.md), caller owns *out. DOM_NOT_FOUND. */
dom_status report_get(db_t *db, int64_t id, json_t **out) MUST_CHECK;

/* {"items": [REPORT…], "next_cursor"} of status ("open", "dismissed", "resolved"), oldest first,
 * limit per page, after cursor (NULL: from the start). Caller owns *out. */
dom_status report_list(db_t *db, const char *status, const cursor_t *after, int limit,
                       json_t **out) MUST_CHECK;

/* A moderator's decision ("dismiss", "resolve", "hide": the caller has checked that hide is about a
 * comment) on an open report at version; reason may be NULL. REPORT_CONFLICT when the version is
 * stale or the report was already reviewed, REPORT_GONE when there is none. */
dom_status report_review(db_t *db, int64_t id, long long version, const char *decision,
                         const char *reason, int64_t moderator_id, report_result *res) MUST_CHECK;

extern const db_stmt_t report_stmts[];

#endif

/* contribution: proposals of new initiatives and corrections of published ones, written by
 * verified members and reviewed by moderators (table contribution, sql/migrations/036).
 *
 * A proposal may be saved as a draft and submitted later; a submitted one (status pending)
 * exists only for its author and the moderators until it is approved — then it becomes a
 * published initiative, created by its first revision. An approved correction becomes a
 * revision of its initiative by its author (initiative_revise). Every row carries a version: a
 * change or a decision against an older one is refused (CONTRIB_CONFLICT), so two moderators
 * deciding at once cannot both win.
 *
 * These functions do not decide who may do what: the caller reads the author with
 * contribution_find and asks the policy first. Writes by the author are scoped to the author
 * all the same. */
#ifndef SC_CONTRIBUTION_H
#define SC_CONTRIBUTION_H

#include <jansson.h>
#include <stdint.h>

#include "domain/people/policy.h"
#include "domain/status.h"
#include "storage/db.h"

#define CONTRIBUTION_COMMENT_MAX 2000
#define CONTRIBUTION_OPEN_MAX    100 /* drafts and pending contributions per person */

typedef enum contribution_result {
    CONTRIB_DONE = 0,
    CONTRIB_GONE,          /* no such contribution (or not the author's) */
    CONTRIB_CONFLICT,      /* stale version, or already decided */
    CONTRIB_LOCKED,        /* its status does not allow this change */
    CONTRIB_INCOMPLETE,    /* submitting without a title */
    CONTRIB_NO_INITIATIVE, /* correcting an initiative that is not published */
    CONTRIB_LIMIT,         /* CONTRIBUTION_OPEN_MAX reached */
} contribution_result;

extern const db_stmt_t contribution_stmts[];

/* The author of contribution id, for the policy. DOM_NOT_FOUND when there is none. */
dom_status contribution_find(db_t *db, int64_t id, policy_object_t *obj) MUST_CHECK;

/* The contribution as docs/api.md shows it; *out is new (caller owns). DOM_NOT_FOUND. */
dom_status contribution_get(db_t *db, int64_t id, json_t **out) MUST_CHECK;

/* {"items": [CONTRIBUTION…]} of the author, newest first (at most 500; caller owns). */
dom_status contribution_list_mine(db_t *db, int64_t author_id, json_t **out) MUST_CHECK;

/* A new proposal with fields (checked by fields_check; borrowed), as a draft or submitted. */
dom_status contribution_propose(db_t *db, int64_t author_id, const json_t *fields,
                                const char *comment, bool submit, contribution_result *res,
                                int64_t *id) MUST_CHECK;

/* A new correction of initiative_id, seen by the author at base_version. */
dom_status contribution_correct(db_t *db, int64_t author_id, int64_t initiative_id,
                                long long base_version, const json_t *fields, const char *comment,
                                contribution_result *res, int64_t *id) MUST_CHECK;

/* The author changes a draft or a contribution sent back for changes (fields and comment: NULL
 * keeps them; fields replace the old ones whole) and may submit it. */
dom_status contribution_update(db_t *db, int64_t id, int64_t author_id, long long version,
                               const json_t *fields, const char *comment, bool submit,
                               contribution_result *res) MUST_CHECK;

/* The author withdraws a draft, pending or sent-back contribution. */
dom_status contribution_withdraw(db_t *db, int64_t id, int64_t author_id,
                                 contribution_result *res) MUST_CHECK;

/* A moderator's decision ("approve", "reject", "request_changes"; reason may be NULL for an
 * approval) on the contribution at version. The author is e-mailed the decision (outbox) in the
 * same transaction. *initiative_id receives the initiative (new for an approved proposal). */
dom_status contribution_review(db_t *db, int64_t id, long long version, const char *decision,
                               const char *reason, int64_t reviewer_id, const char *public_url,
                               contribution_result *res, int64_t *initiative_id) MUST_CHECK;

#endif

/* claim: « Je porte ce projet » — a verified member says they carry an initiative (table claim,
 * sql/migrations/036). A moderator approves or rejects; the claim is approved at once when the
 * member's verified e-mail address is at the domain of the initiative's website. An approved
 * claim makes its member a carrier, who edits the initiative directly (revision.h). */
#ifndef SC_CLAIM_H
#define SC_CLAIM_H

#include <jansson.h>
#include <stdint.h>

#include "domain/edits/edits_common.h"
#include "domain/status.h"
#include "storage/db.h"

#define CLAIM_MESSAGE_MAX 2000

typedef enum claim_result {
    CLAIM_DONE = 0,
    CLAIM_NO_INITIATIVE, /* not a published initiative */
    CLAIM_EXISTS,        /* the member already has a pending or approved claim on it */
} claim_result;

extern const db_stmt_t claim_stmts[];

/* A claim by user_id on initiative_id with message (may be NULL). On CLAIM_DONE *out is the new
 * CLAIM (caller owns). */
dom_status claim_create(db_t *db, int64_t user_id, int64_t initiative_id, const char *message,
                        claim_result *res, json_t **out) MUST_CHECK;

/* {"items": [CLAIM…]} of the member, newest first (caller owns). */
dom_status claim_list_mine(db_t *db, int64_t user_id, json_t **out) MUST_CHECK;

/* Whether user_id carries initiative_id (an approved claim). */
dom_status claim_carries(db_t *db, int64_t initiative_id, int64_t user_id,
                         bool *carries) MUST_CHECK;

/* A moderator's decision ("approve" or "reject") on the claim at version; the member is
 * e-mailed (outbox) in the same transaction. *out: EDITS_DONE, EDITS_CONFLICT or EDITS_GONE. */
dom_status claim_review(db_t *db, int64_t id, long long version, const char *decision,
                        const char *reason, int64_t reviewer_id, const char *public_url,
                        edits_outcome *out) MUST_CHECK;

#endif

/* notices: the French e-mails that contributions cause — a moderator's decision told to the
 * author or claimant, a carrier's edit told to the moderators. Each writes a subject and a plain
 * text body into caller-owned buffers (capped by their owner). */
#ifndef SC_NOTICES_H
#define SC_NOTICES_H

#include "core/buf.h"

typedef enum notice_kind {
    NOTICE_PROPOSAL_APPROVED,
    NOTICE_CORRECTION_APPROVED,
    NOTICE_CONTRIBUTION_REJECTED,
    NOTICE_CHANGES_REQUESTED,
    NOTICE_CLAIM_APPROVED,
    NOTICE_CLAIM_REJECTED,
    NOTICE_CARRIER_EDIT, /* to moderators */
} notice_kind;

/* Writes the notice about the initiative or proposal called title (borrowed), with the
 * moderator's reason (NULL or "" for none) and a link to public_url + path. False when a buffer's
 * cap is reached. */
bool notice_write(notice_kind k, const char *public_url, const char *path, const char *title,
                  const char *reason, buf_t *subject, buf_t *body) MUST_CHECK;

#endif

/* membership: joining, leaving, preferences, the member list, moderators' decisions, the
 * hand-over of ownership and invitations of a community (community.h says how these calls
 * answer and that they decide nothing about who may act). */
#ifndef SC_MEMBERSHIP_H
#define SC_MEMBERSHIP_H

#include <jansson.h>
#include <stdint.h>

#include "domain/status.h"
#include "storage/db.h"

#define MEMBERSHIP_EMAIL_MAX 254

extern const db_stmt_t membership_stmts[];

/* Joins (public) or asks to (otherwise): {"status", "created"}. */
dom_status membership_join(db_t *db, int64_t id, int64_t actor, json_t **out) MUST_CHECK;

/* Leaves or cancels a request: {"status": null}, or {"error": "owner_must_transfer"|"not_found"}.
 */
dom_status membership_leave(db_t *db, int64_t id, int64_t actor, json_t **out) MUST_CHECK;

/* Changes one's preferences (NULL: kept): the "me" object. */
dom_status membership_prefs(db_t *db, int64_t id, int64_t actor, const char *listed,
                            const char *digest, json_t **out) MUST_CHECK;

/* A page of members of status ("member", "pending", "banned"); all: unlisted ones too. after: the
 * last account id of the previous page (0: first page). */
dom_status membership_list(db_t *db, int64_t id, const char *status, bool all, int64_t after,
                           int limit, json_t **out) MUST_CHECK;

/* A moderator's change (status "member"/"banned", role "moderator"/"member"; NULL: kept): MEMBER,
 * or {"error": "not_found"|"owner"|"not_member"}. */
dom_status membership_update(db_t *db, int64_t id, int64_t actor, int64_t target,
                             const char *status, const char *role, json_t **out) MUST_CHECK;

/* Removes a member or refuses a request: {"removed"} or {"error": "not_found"|"owner"}. */
dom_status membership_remove(db_t *db, int64_t id, int64_t target, json_t **out) MUST_CHECK;

/* Hands the community over to member target: COMMUNITY, or {"error": "not_member"}. */
dom_status membership_transfer(db_t *db, int64_t id, int64_t actor, int64_t target,
                               json_t **out) MUST_CHECK;

/* Records an invitation of email, valid 14 days, and queues its e-mail in the outbox in the same
 * statement, with the link public_url + "/communautes/invitation?token=" + a token signed with key
 * (invitation_token.h). *out: {"expires_at"} (caller owns). */
dom_status membership_invite_send(db_t *db, const char *key, const char *public_url, int64_t id,
                                  int64_t actor, const char *email, json_t **out) MUST_CHECK;

/* The invitation as GET /community-invitations shows it; DOM_NOT_FOUND when expired or unknown. */
dom_status membership_invitation(db_t *db, int64_t invitation, json_t **out) MUST_CHECK;

/* The signed-in actor accepts: COMMUNITY, or {"error": "invalid_token"|"unverified"|"banned"}. */
dom_status membership_accept(db_t *db, int64_t invitation, int64_t actor, json_t **out) MUST_CHECK;

#endif

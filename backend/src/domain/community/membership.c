#include "domain/community/membership.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <stdlib.h>

#include "domain/community/community.h"
#include "domain/community/invitation_token.h"
#include "domain/rows.h"

const db_stmt_t membership_stmts[] = {
        {"cmm_join", "SELECT community_join($1, $2)::text", 2, false},
        {"cmm_leave", "SELECT community_leave($1, $2)::text", 2, false},
        {"cmm_prefs", "SELECT community_prefs($1, $2, $3::boolean, $4)::text", 4, false},
        {"cmm_list",
         "SELECT j::text, id, id FROM community_members($1, $2, $3::boolean, $4, $5::int)", 5,
         true},
        {"cmm_update", "SELECT community_member_update($1, $2, $3, $4, $5)::text", 5, false},
        {"cmm_remove", "SELECT community_member_remove($1, $2)::text", 2, false},
        {"cmm_transfer", "SELECT community_transfer($1, $2, $3)::text", 3, false},
        {"cmm_next_invitation", "SELECT nextval('community_invitation_id_seq')", 0, false},
        {"cmm_invite", "SELECT community_invite($1, $2, $3, $4, $5, $6)::text", 6, false},
        {"cmm_invitation", "SELECT community_invitation_get($1)::text", 1, true},
        {"cmm_accept", "SELECT community_invitation_accept($1, $2)::text", 2, false},
        {NULL, NULL, 0, false},
};

#define MS_ID(buf, v) snprintf(buf, sizeof buf, "%" PRId64, (int64_t)(v))

/* The calls taking (community, account). */
static dom_status ms_pair(db_t *db, const char *stmt, int64_t id, int64_t account, json_t **out) {
    char cid[24], uid[24];
    MS_ID(cid, id);
    MS_ID(uid, account);
    const char *params[] = {cid, uid};
    return community_call(db, stmt, 2, params, out);
}

dom_status membership_join(db_t *db, int64_t id, int64_t actor, json_t **out) {
    return ms_pair(db, "cmm_join", id, actor, out);
}

dom_status membership_leave(db_t *db, int64_t id, int64_t actor, json_t **out) {
    return ms_pair(db, "cmm_leave", id, actor, out);
}

dom_status membership_prefs(db_t *db, int64_t id, int64_t actor, const char *listed,
                            const char *digest, json_t **out) {
    char cid[24], uid[24];
    MS_ID(cid, id);
    MS_ID(uid, actor);
    const char *params[] = {cid, uid, listed, digest};
    return community_call(db, "cmm_prefs", 4, params, out);
}

dom_status membership_list(db_t *db, int64_t id, const char *status, bool all, int64_t after,
                           int limit, json_t **out) {
    char cid[24], aid[24], lim[16];
    MS_ID(cid, id);
    MS_ID(aid, after);
    snprintf(lim, sizeof lim, "%d", limit + 1);
    const char *params[] = {cid, status, all ? "true" : "false", aid, lim};
    return community_page(db, "cmm_list", 5, params, limit, out);
}

dom_status membership_update(db_t *db, int64_t id, int64_t actor, int64_t target,
                             const char *status, const char *role, json_t **out) {
    char cid[24], uid[24], tid[24];
    MS_ID(cid, id);
    MS_ID(uid, actor);
    MS_ID(tid, target);
    const char *params[] = {cid, uid, tid, status, role};
    return community_call(db, "cmm_update", 5, params, out);
}

dom_status membership_remove(db_t *db, int64_t id, int64_t target, json_t **out) {
    return ms_pair(db, "cmm_remove", id, target, out);
}

dom_status membership_transfer(db_t *db, int64_t id, int64_t actor, int64_t target, json_t **out) {
    char cid[24], uid[24], tid[24];
    MS_ID(cid, id);
    MS_ID(uid, actor);
    MS_ID(tid, target);
    const char *params[] = {cid, uid, tid};
    return community_call(db, "cmm_transfer", 3, params, out);
}

dom_status membership_invitation(db_t *db, int64_t invitation, json_t **out) {
    char iid[24];
    MS_ID(iid, invitation);
    const char *params[] = {iid};
    return community_call(db, "cmm_invitation", 1, params, out);
}

dom_status membership_accept(db_t *db, int64_t invitation, int64_t actor, json_t **out) {
    return ms_pair(db, "cmm_accept", invitation, actor, out);
}

dom_status membership_invite_send(db_t *db, const char *key, const char *public_url, int64_t id,
                                  int64_t actor, const char *email, json_t **out) {
    char token[INVITATION_TOKEN_LEN], cid[24], uid[24];
    PGresult *r = NULL;
    *out = NULL;
    /* The invitation's id first, so that the e-mail queued with it carries its signed link. */
    dom_status st = dom_exec_one(db, "cmm_next_invitation", 0, NULL, &r);
    if (st != DOM_OK)
        goto done;
    const char *iid = PQgetvalue(r, 0, 0);
    if (!invitation_token_make(key, strlen(key), strtoll(iid, NULL, 10), token)) {
        st = DOM_INTERNAL;
        goto done;
    }
    MS_ID(cid, id);
    MS_ID(uid, actor);
    const char *params[] = {iid, cid, uid, email, token, public_url};
    st = community_call(db, "cmm_invite", 6, params, out);
done:
    PQclear(r);
    return st;
}

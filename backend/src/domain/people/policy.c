#include "domain/people/policy.h"

#include <string.h>

void actor_anonymous(actor_t *a) {
    memset(a, 0, sizeof *a);
    a->role = ROLE_MEMBER;
}

const char *actor_role_name(actor_role r) {
    switch (r) {
    case ROLE_ADMIN:
        return "admin";
    case ROLE_MODERATOR:
        return "moderator";
    case ROLE_MEMBER:
        break;
    }
    return "member";
}

bool actor_role_parse(const char *name, actor_role *out) {
    static const actor_role roles[] = {ROLE_MEMBER, ROLE_MODERATOR, ROLE_ADMIN};
    for (size_t i = 0; i < ARRAY_LEN(roles); i++)
        if (strcmp(name, actor_role_name(roles[i])) == 0) {
            *out = roles[i];
            return true;
        }
    return false;
}

/* Owning the object: the only way to reach anything private in the personal space. Moderators
 * get no reading right on private spaces: moderation (contributions, comments) has its own
 * actions. */
static bool policy_owns(const actor_t *a, const policy_object_t *obj) {
    return obj != NULL && obj->owner_id != 0 && obj->owner_id == a->user_id;
}

/* Moderators and administrators: an administrator can do all a moderator can. */
static bool policy_moderates(const actor_t *a) {
    return a->user_id != 0 && (a->role == ROLE_MODERATOR || a->role == ROLE_ADMIN);
}

/* The communities' actions (policy.h): one decision from the membership looked up once. */
static policy_verdict policy_community(const actor_t *a, policy_action action,
                                       const policy_object_t *obj) {
    bool signed_in = a->user_id != 0;
    if (action == POLICY_COMMUNITY_CREATE)
        return !signed_in ? POLICY_UNAUTHENTICATED
                          : (a->verified ? POLICY_ALLOW : POLICY_UNVERIFIED);
    if (obj == NULL || obj->community.visibility == PCV_NONE)
        return POLICY_HIDDEN;
    const policy_community_t *c = &obj->community;
    bool member = signed_in && c->status == PCS_MEMBER;
    bool pending = signed_in && c->status == PCS_PENDING;
    bool moderator = member && (c->role == PCR_MODERATOR || c->role == PCR_OWNER);
    bool owner = member && c->role == PCR_OWNER;
    /* A private community exists only for its members. */
    if (c->visibility == PCV_PRIVATE && !member)
        return POLICY_HIDDEN;
    /* Refusing something visible: sign in first, or not yours. */
    policy_verdict no = signed_in ? POLICY_FORBIDDEN : POLICY_UNAUTHENTICATED;
    switch (action) {
    case POLICY_COMMUNITY_READ:
        return POLICY_ALLOW;
    case POLICY_COMMUNITY_CONTENT_READ:
        return c->visibility == PCV_PUBLIC || member ? POLICY_ALLOW : no;
    case POLICY_COMMUNITY_MEMBERS_READ:
        return member ? POLICY_ALLOW : no;
    case POLICY_COMMUNITY_EDIT:
    case POLICY_COMMUNITY_MODERATE:
        return moderator ? POLICY_ALLOW : no;
    case POLICY_COMMUNITY_DELETE:
    case POLICY_COMMUNITY_OWN:
        return owner ? POLICY_ALLOW : no;
    case POLICY_COMMUNITY_JOIN:
        if (!signed_in)
            return POLICY_UNAUTHENTICATED;
        if (c->status == PCS_BANNED)
            return POLICY_FORBIDDEN;
        return a->verified ? POLICY_ALLOW : POLICY_UNVERIFIED;
    case POLICY_COMMUNITY_MEMBERSHIP:
        return member || pending ? POLICY_ALLOW : no;
    case POLICY_COMMUNITY_POST:
        if (!member)
            return no;
        return a->verified ? POLICY_ALLOW : POLICY_UNVERIFIED;
    case POLICY_COMMUNITY_AUTHOR_EDIT:
        if (!member)
            return no;
        return policy_owns(a, obj) ? POLICY_ALLOW : POLICY_FORBIDDEN;
    case POLICY_COMMUNITY_CONTENT_DELETE:
        return member && (moderator || policy_owns(a, obj)) ? POLICY_ALLOW : no;
    default:
        break;
    }
    return POLICY_FORBIDDEN;
}

policy_verdict policy_can(const actor_t *a, policy_action action, const policy_object_t *obj) {
    bool signed_in = a->user_id != 0;
    switch (action) {
    case POLICY_COLLECTION_READ:
        if (obj != NULL && obj->is_public)
            return POLICY_ALLOW;
        if (!signed_in)
            return POLICY_HIDDEN; /* a private collection is not known to exist */
        return policy_owns(a, obj) ? POLICY_ALLOW : POLICY_HIDDEN;
    case POLICY_COLLECTION_EDIT:
        if (!signed_in)
            return obj != NULL && obj->is_public ? POLICY_UNAUTHENTICATED : POLICY_HIDDEN;
        if (policy_owns(a, obj))
            return POLICY_ALLOW;
        return obj != NULL && obj->is_public ? POLICY_FORBIDDEN : POLICY_HIDDEN;
    case POLICY_COLLECTION_PUBLISH:
        if (!signed_in)
            return POLICY_UNAUTHENTICATED;
        if (obj != NULL && obj->owner_id != 0 && !policy_owns(a, obj))
            return obj->is_public ? POLICY_FORBIDDEN : POLICY_HIDDEN;
        return a->verified ? POLICY_ALLOW : POLICY_UNVERIFIED;
    case POLICY_SPACE_USE:
    case POLICY_FAVOURITE_EDIT:
    case POLICY_COLLECTION_CREATE:
        return signed_in ? POLICY_ALLOW : POLICY_UNAUTHENTICATED;
    case POLICY_SAVED_SEARCH_EDIT:
    case POLICY_SESSION_REVOKE:
        if (!signed_in)
            return POLICY_UNAUTHENTICATED;
        return obj == NULL || obj->owner_id == 0 || policy_owns(a, obj) ? POLICY_ALLOW
                                                                        : POLICY_HIDDEN;
    case POLICY_ROLE_GRANT:
        if (!signed_in)
            return POLICY_UNAUTHENTICATED;
        return a->role == ROLE_ADMIN ? POLICY_ALLOW : POLICY_FORBIDDEN;
    case POLICY_CONTRIBUTE:
        if (!signed_in)
            return POLICY_UNAUTHENTICATED;
        return a->verified ? POLICY_ALLOW : POLICY_UNVERIFIED;
    case POLICY_CONTRIBUTION_READ:
        /* A pending proposal exists for its author and the moderators only. */
        if (!signed_in)
            return POLICY_UNAUTHENTICATED;
        return policy_owns(a, obj) || policy_moderates(a) ? POLICY_ALLOW : POLICY_HIDDEN;
    case POLICY_CONTRIBUTION_EDIT:
        if (!signed_in)
            return POLICY_UNAUTHENTICATED;
        if (policy_owns(a, obj))
            return POLICY_ALLOW;
        return policy_moderates(a) ? POLICY_FORBIDDEN : POLICY_HIDDEN;
    case POLICY_MODERATE:
        if (!signed_in)
            return POLICY_UNAUTHENTICATED;
        return policy_moderates(a) ? POLICY_ALLOW : POLICY_FORBIDDEN;
    case POLICY_INITIATIVE_EDIT:
        /* The initiative is public: refusing says so (403), it does not hide it. */
        if (!signed_in)
            return POLICY_UNAUTHENTICATED;
        if (policy_moderates(a) || (obj != NULL && obj->actor_carries && a->verified))
            return POLICY_ALLOW;
        return POLICY_FORBIDDEN;
    case POLICY_COMMENT_CREATE:
        if (!signed_in)
            return POLICY_UNAUTHENTICATED;
        return a->verified ? POLICY_ALLOW : POLICY_UNVERIFIED;
    case POLICY_COMMENT_EDIT:
    case POLICY_COMMENT_DELETE:
    case POLICY_COMMENT_HIDE: {
        /* A hidden comment is known to its author and to moderators only. */
        bool moderates = a->role == ROLE_MODERATOR || a->role == ROLE_ADMIN;
        bool visible = obj != NULL && obj->is_public;
        if (!signed_in)
            return visible ? POLICY_UNAUTHENTICATED : POLICY_HIDDEN;
        if (!visible && !moderates && !policy_owns(a, obj))
            return POLICY_HIDDEN;
        if (action == POLICY_COMMENT_HIDE)
            return moderates ? POLICY_ALLOW : POLICY_FORBIDDEN;
        if (action == POLICY_COMMENT_DELETE && moderates)
            return POLICY_ALLOW;
        if (!policy_owns(a, obj))
            return POLICY_FORBIDDEN;
        /* The author of a hidden comment may delete it, not change it. */
        return action == POLICY_COMMENT_DELETE || visible ? POLICY_ALLOW : POLICY_FORBIDDEN;
    }
    case POLICY_REPORT_CREATE:
        return POLICY_ALLOW;
    case POLICY_REPORT_REVIEW:
        if (!signed_in)
            return POLICY_UNAUTHENTICATED;
        return a->role == ROLE_MODERATOR || a->role == ROLE_ADMIN ? POLICY_ALLOW : POLICY_FORBIDDEN;
    case POLICY_API_KEY_MANAGE:
        if (!signed_in)
            return POLICY_UNAUTHENTICATED;
        if (obj == NULL || obj->owner_id == 0)
            return a->verified ? POLICY_ALLOW : POLICY_UNVERIFIED;
        return policy_owns(a, obj) ? POLICY_ALLOW : POLICY_HIDDEN;
    case POLICY_COMMUNITY_CREATE:
    case POLICY_COMMUNITY_READ:
    case POLICY_COMMUNITY_CONTENT_READ:
    case POLICY_COMMUNITY_MEMBERS_READ:
    case POLICY_COMMUNITY_EDIT:
    case POLICY_COMMUNITY_DELETE:
    case POLICY_COMMUNITY_JOIN:
    case POLICY_COMMUNITY_MEMBERSHIP:
    case POLICY_COMMUNITY_MODERATE:
    case POLICY_COMMUNITY_OWN:
    case POLICY_COMMUNITY_POST:
    case POLICY_COMMUNITY_AUTHOR_EDIT:
    case POLICY_COMMUNITY_CONTENT_DELETE:
        return policy_community(a, action, obj);
    }
    return POLICY_FORBIDDEN;
}

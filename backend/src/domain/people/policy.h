/* policy: the one place that decides who may do what (DESIGN.md §12b).
 *
 * Every personal read and every write asks policy_can before it acts; no handler and no other
 * domain function decides. The verdicts map to answers the same way everywhere
 * (http/auth.h, auth_refuse): a thing the actor may not see is POLICY_HIDDEN (404, exactly like a
 * thing that does not exist); a thing they may see but not change is POLICY_FORBIDDEN (403). */
#ifndef SC_POLICY_H
#define SC_POLICY_H

#include <stdint.h>

#include "domain/people/actor.h"

typedef enum policy_action {
    POLICY_SPACE_USE,          /* read and manage one's own account and space */
    POLICY_FAVOURITE_EDIT,     /* list, add and remove one's own favourites */
    POLICY_COLLECTION_CREATE,  /* start a collection (private; public also needs PUBLISH) */
    POLICY_COLLECTION_READ,    /* open a collection */
    POLICY_COLLECTION_EDIT,    /* change a collection or its items, delete it */
    POLICY_COLLECTION_PUBLISH, /* make a collection public (or create it public) */
    POLICY_SAVED_SEARCH_EDIT,  /* read, change or delete a saved search; obj NULL: create one */
    POLICY_SESSION_REVOKE,     /* close a session */
    POLICY_ROLE_GRANT,         /* change someone's role */
    POLICY_CONTRIBUTE,         /* propose an initiative, suggest a correction, claim one */
    POLICY_CONTRIBUTION_READ,  /* read a contribution (its author, moderators) */
    POLICY_CONTRIBUTION_EDIT,  /* change, submit or withdraw a contribution (its author) */
    POLICY_MODERATE,           /* the moderation queue and its decisions, revert, history tools */
    POLICY_INITIATIVE_EDIT,    /* edit a published initiative directly (its carriers, moderators) */
    /* Comments (obj: owner_id = author, is_public = not hidden; NULL for CREATE) and reports. */
    POLICY_COMMENT_CREATE, /* post a comment on an initiative (verified members) */
    POLICY_COMMENT_EDIT,   /* change one's own visible comment (the time window is the domain's) */
    POLICY_COMMENT_DELETE, /* delete a comment: its author, or a moderator */
    POLICY_COMMENT_HIDE,   /* hide a comment, or show it again: moderators */
    POLICY_REPORT_CREATE,  /* report an error or a comment: anyone, signed in or not */
    POLICY_REPORT_REVIEW,  /* list reports and decide on them: moderators */
    /* API keys (obj: owner_id = the key's owner; NULL to create one). Creating needs a confirmed
     * address: a key draws on the service's capacity under the member's name, so its owner must
     * be reachable, and throwaway sign-ups cannot multiply quotas. Listing and revoking one's own
     * keys needs only a session (an address being changed must not keep a key alive). */
    POLICY_API_KEY_MANAGE,
    /* Communities (obj->community: the community's visibility and the actor's membership, looked
     * up once per request by community_context). A private community and all inside it is
     * POLICY_HIDDEN to whoever is not a member; a banned person counts as a non-member. Site
     * moderators have no right inside a community: they see reports in the site's queue. */
    POLICY_COMMUNITY_CREATE,       /* verified members */
    POLICY_COMMUNITY_READ,         /* its page: public and restricted to all, private to members */
    POLICY_COMMUNITY_CONTENT_READ, /* discussions, feed, map, collections: members, all if public */
    POLICY_COMMUNITY_MEMBERS_READ, /* the member list: members */
    POLICY_COMMUNITY_EDIT,         /* change it: its moderators and owner */
    POLICY_COMMUNITY_DELETE,       /* its owner */
    POLICY_COMMUNITY_JOIN,         /* join or ask to (verified; not banned; private: invitation) */
    POLICY_COMMUNITY_MEMBERSHIP,   /* one's own preferences, leaving: members and pending */
    POLICY_COMMUNITY_MODERATE, /* requests, bans, invitations, pin/lock, proposals, collections */
    POLICY_COMMUNITY_OWN,      /* roles, hand-over: the owner */
    POLICY_COMMUNITY_POST,     /* threads, replies, proposals, reports: verified members */
    POLICY_COMMUNITY_AUTHOR_EDIT,    /* change one's own thread or reply (obj->owner_id: author) */
    POLICY_COMMUNITY_CONTENT_DELETE, /* delete a thread or reply: its author or moderators */
} policy_action;

/* The actor's standing in a community (POLICY_COMMUNITY_*). */
typedef enum policy_community_visibility {
    PCV_NONE = 0, /* not about a community */
    PCV_PUBLIC,
    PCV_RESTRICTED,
    PCV_PRIVATE,
} policy_community_visibility;
typedef enum policy_community_status {
    PCS_NONE = 0,
    PCS_PENDING,
    PCS_MEMBER,
    PCS_BANNED,
} policy_community_status;
typedef enum policy_community_role {
    PCR_NONE = 0,
    PCR_MEMBER,
    PCR_MODERATOR,
    PCR_OWNER,
} policy_community_role;
typedef struct policy_community {
    policy_community_visibility visibility;
    policy_community_status status;
    policy_community_role role;
} policy_community_t;

/* What the action is about. owner_id is 0 when the action is about no object (creating). */
typedef struct policy_object {
    int64_t owner_id;
    bool is_public;
    bool actor_carries; /* POLICY_INITIATIVE_EDIT: the actor carries the initiative (approved claim)
                         */
    policy_community_t community; /* POLICY_COMMUNITY_* */
} policy_object_t;

typedef enum policy_verdict {
    POLICY_ALLOW = 0,
    POLICY_UNAUTHENTICATED, /* 401: sign in first */
    POLICY_HIDDEN,          /* 404: the actor may not know it exists */
    POLICY_FORBIDDEN,       /* 403: visible, but not the actor's to change */
    POLICY_UNVERIFIED,      /* 403: needs a confirmed e-mail address */
} policy_verdict;

/* The verdict for actor doing action on obj (obj may be NULL for actions without an object). */
policy_verdict policy_can(const actor_t *actor, policy_action action, const policy_object_t *obj);

#endif

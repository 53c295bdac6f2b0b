/* The one authorisation policy: the table of actors × actions × objects of the personal space. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka needs the headers above first. */
#include <cmocka.h>
#include <string.h>

#include "domain/people/policy.h"

enum { OWNER = 7, OTHER = 8, MODERATOR = 9 };

static actor_t actor(int64_t id, actor_role role, bool verified) {
    actor_t a;
    actor_anonymous(&a);
    a.user_id = id;
    a.role = role;
    a.verified = verified;
    return a;
}

static void test_collections(void **state) {
    (void)state;
    actor_t anon = actor(0, ROLE_MEMBER, false), owner = actor(OWNER, ROLE_MEMBER, true),
            other = actor(OTHER, ROLE_MEMBER, true),
            moderator = actor(MODERATOR, ROLE_MODERATOR, true);
    policy_object_t priv = {.owner_id = OWNER, .is_public = false};
    policy_object_t pub = {.owner_id = OWNER, .is_public = true};
    /* Reading: a public one by anyone, a private one by its owner only — hidden from the rest. */
    assert_int_equal(policy_can(&anon, POLICY_COLLECTION_READ, &pub), POLICY_ALLOW);
    assert_int_equal(policy_can(&other, POLICY_COLLECTION_READ, &pub), POLICY_ALLOW);
    assert_int_equal(policy_can(&owner, POLICY_COLLECTION_READ, &priv), POLICY_ALLOW);
    assert_int_equal(policy_can(&anon, POLICY_COLLECTION_READ, &priv), POLICY_HIDDEN);
    assert_int_equal(policy_can(&other, POLICY_COLLECTION_READ, &priv), POLICY_HIDDEN);
    assert_int_equal(policy_can(&moderator, POLICY_COLLECTION_READ, &priv), POLICY_HIDDEN);
    /* Changing: the owner only; a visible one is forbidden to others, a private one hidden. */
    assert_int_equal(policy_can(&owner, POLICY_COLLECTION_EDIT, &priv), POLICY_ALLOW);
    assert_int_equal(policy_can(&owner, POLICY_COLLECTION_EDIT, &pub), POLICY_ALLOW);
    assert_int_equal(policy_can(&other, POLICY_COLLECTION_EDIT, &pub), POLICY_FORBIDDEN);
    assert_int_equal(policy_can(&moderator, POLICY_COLLECTION_EDIT, &pub), POLICY_FORBIDDEN);
    assert_int_equal(policy_can(&other, POLICY_COLLECTION_EDIT, &priv), POLICY_HIDDEN);
    assert_int_equal(policy_can(&moderator, POLICY_COLLECTION_EDIT, &priv), POLICY_HIDDEN);
    assert_int_equal(policy_can(&anon, POLICY_COLLECTION_EDIT, &pub), POLICY_UNAUTHENTICATED);
    /* Creating, and publishing: publishing needs a confirmed address. */
    actor_t unverified = actor(OWNER, ROLE_MEMBER, false);
    assert_int_equal(policy_can(&unverified, POLICY_COLLECTION_CREATE, NULL), POLICY_ALLOW);
    assert_int_equal(policy_can(&anon, POLICY_COLLECTION_CREATE, NULL), POLICY_UNAUTHENTICATED);
    assert_int_equal(policy_can(&owner, POLICY_COLLECTION_PUBLISH, NULL), POLICY_ALLOW);
    assert_int_equal(policy_can(&owner, POLICY_COLLECTION_PUBLISH, &priv), POLICY_ALLOW);
    assert_int_equal(policy_can(&unverified, POLICY_COLLECTION_PUBLISH, NULL), POLICY_UNVERIFIED);
    assert_int_equal(policy_can(&unverified, POLICY_COLLECTION_PUBLISH, &priv), POLICY_UNVERIFIED);
    assert_int_equal(policy_can(&other, POLICY_COLLECTION_PUBLISH, &priv), POLICY_HIDDEN);
}

static void test_own_space(void **state) {
    (void)state;
    actor_t anon = actor(0, ROLE_MEMBER, false), owner = actor(OWNER, ROLE_MEMBER, false),
            other = actor(OTHER, ROLE_MEMBER, true),
            moderator = actor(MODERATOR, ROLE_MODERATOR, true);
    policy_object_t search = {.owner_id = OWNER};
    static const policy_action own[] = {POLICY_SPACE_USE, POLICY_FAVOURITE_EDIT};
    for (size_t i = 0; i < sizeof own / sizeof own[0]; i++) {
        assert_int_equal(policy_can(&anon, own[i], NULL), POLICY_UNAUTHENTICATED);
        assert_int_equal(policy_can(&owner, own[i], NULL), POLICY_ALLOW);
    }
    assert_int_equal(policy_can(&owner, POLICY_SAVED_SEARCH_EDIT, NULL), POLICY_ALLOW);
    assert_int_equal(policy_can(&owner, POLICY_SAVED_SEARCH_EDIT, &search), POLICY_ALLOW);
    assert_int_equal(policy_can(&other, POLICY_SAVED_SEARCH_EDIT, &search), POLICY_HIDDEN);
    assert_int_equal(policy_can(&moderator, POLICY_SAVED_SEARCH_EDIT, &search), POLICY_HIDDEN);
    assert_int_equal(policy_can(&anon, POLICY_SAVED_SEARCH_EDIT, &search), POLICY_UNAUTHENTICATED);
}

static void test_roles(void **state) {
    (void)state;
    actor_t anon = actor(0, ROLE_MEMBER, false), member = actor(OWNER, ROLE_MEMBER, true),
            moderator = actor(MODERATOR, ROLE_MODERATOR, true), admin = actor(10, ROLE_ADMIN, true);
    assert_int_equal(policy_can(&anon, POLICY_ROLE_GRANT, NULL), POLICY_UNAUTHENTICATED);
    assert_int_equal(policy_can(&member, POLICY_ROLE_GRANT, NULL), POLICY_FORBIDDEN);
    assert_int_equal(policy_can(&moderator, POLICY_ROLE_GRANT, NULL), POLICY_FORBIDDEN);
    assert_int_equal(policy_can(&admin, POLICY_ROLE_GRANT, NULL), POLICY_ALLOW);
    /* Sessions: one's own only; another's is not known to exist. */
    policy_object_t session = {.owner_id = OWNER};
    assert_int_equal(policy_can(&member, POLICY_SESSION_REVOKE, &session), POLICY_ALLOW);
    assert_int_equal(policy_can(&admin, POLICY_SESSION_REVOKE, &session), POLICY_HIDDEN);
    assert_int_equal(policy_can(&anon, POLICY_SESSION_REVOKE, &session), POLICY_UNAUTHENTICATED);
    actor_role r;
    assert_true(actor_role_parse("moderator", &r));
    assert_int_equal(r, ROLE_MODERATOR);
    assert_false(actor_role_parse("root", &r));
}

static void test_contributions(void **state) {
    (void)state;
    actor_t anon = actor(0, ROLE_MEMBER, false), author = actor(OWNER, ROLE_MEMBER, true),
            unverified = actor(OTHER, ROLE_MEMBER, false), other = actor(OTHER, ROLE_MEMBER, true),
            moderator = actor(MODERATOR, ROLE_MODERATOR, true), admin = actor(10, ROLE_ADMIN, true);
    policy_object_t contribution = {.owner_id = OWNER};
    /* Contributing needs a confirmed address. */
    assert_int_equal(policy_can(&anon, POLICY_CONTRIBUTE, NULL), POLICY_UNAUTHENTICATED);
    assert_int_equal(policy_can(&unverified, POLICY_CONTRIBUTE, NULL), POLICY_UNVERIFIED);
    assert_int_equal(policy_can(&other, POLICY_CONTRIBUTE, NULL), POLICY_ALLOW);
    /* A contribution exists for its author and the moderators; only its author changes it. */
    assert_int_equal(policy_can(&author, POLICY_CONTRIBUTION_READ, &contribution), POLICY_ALLOW);
    assert_int_equal(policy_can(&moderator, POLICY_CONTRIBUTION_READ, &contribution), POLICY_ALLOW);
    assert_int_equal(policy_can(&admin, POLICY_CONTRIBUTION_READ, &contribution), POLICY_ALLOW);
    assert_int_equal(policy_can(&other, POLICY_CONTRIBUTION_READ, &contribution), POLICY_HIDDEN);
    assert_int_equal(policy_can(&author, POLICY_CONTRIBUTION_EDIT, &contribution), POLICY_ALLOW);
    assert_int_equal(policy_can(&moderator, POLICY_CONTRIBUTION_EDIT, &contribution),
                     POLICY_FORBIDDEN);
    assert_int_equal(policy_can(&other, POLICY_CONTRIBUTION_EDIT, &contribution), POLICY_HIDDEN);
    /* Moderation: moderators and administrators. */
    assert_int_equal(policy_can(&anon, POLICY_MODERATE, NULL), POLICY_UNAUTHENTICATED);
    assert_int_equal(policy_can(&other, POLICY_MODERATE, NULL), POLICY_FORBIDDEN);
    assert_int_equal(policy_can(&moderator, POLICY_MODERATE, NULL), POLICY_ALLOW);
    assert_int_equal(policy_can(&admin, POLICY_MODERATE, NULL), POLICY_ALLOW);
    /* Direct edits: carriers (with a confirmed address) and moderators. */
    policy_object_t carried = {.is_public = true, .actor_carries = true};
    policy_object_t not_carried = {.is_public = true, .actor_carries = false};
    assert_int_equal(policy_can(&other, POLICY_INITIATIVE_EDIT, &carried), POLICY_ALLOW);
    assert_int_equal(policy_can(&unverified, POLICY_INITIATIVE_EDIT, &carried), POLICY_FORBIDDEN);
    assert_int_equal(policy_can(&other, POLICY_INITIATIVE_EDIT, &not_carried), POLICY_FORBIDDEN);
    assert_int_equal(policy_can(&moderator, POLICY_INITIATIVE_EDIT, &not_carried), POLICY_ALLOW);
    assert_int_equal(policy_can(&anon, POLICY_INITIATIVE_EDIT, &carried), POLICY_UNAUTHENTICATED);
}

/* API keys: creating needs a confirmed address; another's key is not known to exist. */
static void test_api_keys(void **state) {
    (void)state;
    actor_t anon = actor(0, ROLE_MEMBER, false), owner = actor(OWNER, ROLE_MEMBER, true),
            unverified = actor(OWNER, ROLE_MEMBER, false),
            other = actor(OWNER + 1, ROLE_MEMBER, true), admin = actor(OWNER + 2, ROLE_ADMIN, true);
    policy_object_t key = {.owner_id = OWNER};
    assert_int_equal(policy_can(&anon, POLICY_API_KEY_MANAGE, NULL), POLICY_UNAUTHENTICATED);
    assert_int_equal(policy_can(&anon, POLICY_API_KEY_MANAGE, &key), POLICY_UNAUTHENTICATED);
    assert_int_equal(policy_can(&owner, POLICY_API_KEY_MANAGE, NULL), POLICY_ALLOW);
    assert_int_equal(policy_can(&unverified, POLICY_API_KEY_MANAGE, NULL), POLICY_UNVERIFIED);
    assert_int_equal(policy_can(&owner, POLICY_API_KEY_MANAGE, &key), POLICY_ALLOW);
    assert_int_equal(policy_can(&unverified, POLICY_API_KEY_MANAGE, &key), POLICY_ALLOW);
    assert_int_equal(policy_can(&other, POLICY_API_KEY_MANAGE, &key), POLICY_HIDDEN);
    assert_int_equal(policy_can(&admin, POLICY_API_KEY_MANAGE, &key), POLICY_HIDDEN);
}

int main(void) {
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_collections), cmocka_unit_test(test_own_space),
            cmocka_unit_test(test_roles),       cmocka_unit_test(test_contributions),
            cmocka_unit_test(test_api_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

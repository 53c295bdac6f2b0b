/* The communities' part of the one policy: visibility × standing × action, and the signed
 * invitation tokens. The whole table is walked against the real stack by
 * tests/api/communities-authorization.test.mjs; these are its corners, without a database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka needs the headers above first. */
#include <cmocka.h>
#include <string.h>

#include "domain/community/invitation_token.h"
#include "domain/people/policy.h"

enum { AUTHOR = 7, OTHER = 8 };

static actor_t actor(int64_t id, actor_role role, bool verified) {
    actor_t a;
    actor_anonymous(&a);
    a.user_id = id;
    a.role = role;
    a.verified = verified;
    return a;
}

static policy_object_t in(policy_community_visibility v, policy_community_status s,
                          policy_community_role r, int64_t author) {
    policy_object_t o = {.owner_id = author};
    o.community.visibility = v;
    o.community.status = s;
    o.community.role = r;
    return o;
}

static void test_private_is_hidden_to_non_members(void **state) {
    (void)state;
    actor_t anon = actor(0, ROLE_MEMBER, false), person = actor(OTHER, ROLE_MEMBER, true),
            admin = actor(OTHER, ROLE_ADMIN, true);
    policy_object_t none = in(PCV_PRIVATE, PCS_NONE, PCR_NONE, 0),
                    pending = in(PCV_PRIVATE, PCS_PENDING, PCR_MEMBER, 0),
                    banned = in(PCV_PRIVATE, PCS_BANNED, PCR_MEMBER, 0);
    for (int a = POLICY_COMMUNITY_READ; a <= POLICY_COMMUNITY_CONTENT_DELETE; a++) {
        assert_int_equal(policy_can(&anon, (policy_action)a, &none), POLICY_HIDDEN);
        assert_int_equal(policy_can(&person, (policy_action)a, &none), POLICY_HIDDEN);
        /* A site administrator has no right inside a community. */
        assert_int_equal(policy_can(&admin, (policy_action)a, &none), POLICY_HIDDEN);
        assert_int_equal(policy_can(&person, (policy_action)a, &pending), POLICY_HIDDEN);
        assert_int_equal(policy_can(&person, (policy_action)a, &banned), POLICY_HIDDEN);
    }
}

static void test_public_and_restricted(void **state) {
    (void)state;
    actor_t anon = actor(0, ROLE_MEMBER, false), person = actor(OTHER, ROLE_MEMBER, true),
            author = actor(AUTHOR, ROLE_MEMBER, true),
            unverified = actor(AUTHOR, ROLE_MEMBER, false);
    policy_object_t pub = in(PCV_PUBLIC, PCS_NONE, PCR_NONE, 0),
                    restr = in(PCV_RESTRICTED, PCS_NONE, PCR_NONE, 0),
                    banned = in(PCV_PUBLIC, PCS_BANNED, PCR_MEMBER, 0),
                    member = in(PCV_RESTRICTED, PCS_MEMBER, PCR_MEMBER, AUTHOR),
                    moderator = in(PCV_RESTRICTED, PCS_MEMBER, PCR_MODERATOR, AUTHOR);
    assert_int_equal(policy_can(&anon, POLICY_COMMUNITY_CONTENT_READ, &pub), POLICY_ALLOW);
    assert_int_equal(policy_can(&anon, POLICY_COMMUNITY_CONTENT_READ, &restr),
                     POLICY_UNAUTHENTICATED);
    assert_int_equal(policy_can(&person, POLICY_COMMUNITY_CONTENT_READ, &restr), POLICY_FORBIDDEN);
    assert_int_equal(policy_can(&person, POLICY_COMMUNITY_READ, &restr), POLICY_ALLOW);
    /* Banned: sees a public community, cannot join it. */
    assert_int_equal(policy_can(&person, POLICY_COMMUNITY_READ, &banned), POLICY_ALLOW);
    assert_int_equal(policy_can(&person, POLICY_COMMUNITY_JOIN, &banned), POLICY_FORBIDDEN);
    assert_int_equal(policy_can(&person, POLICY_COMMUNITY_JOIN, &pub), POLICY_ALLOW);
    /* Posting needs a confirmed address; editing is the author's, deleting also moderators'. */
    assert_int_equal(policy_can(&author, POLICY_COMMUNITY_POST, &member), POLICY_ALLOW);
    assert_int_equal(policy_can(&unverified, POLICY_COMMUNITY_POST, &member), POLICY_UNVERIFIED);
    assert_int_equal(policy_can(&author, POLICY_COMMUNITY_AUTHOR_EDIT, &member), POLICY_ALLOW);
    policy_object_t others = member;
    others.owner_id = OTHER + 1;
    assert_int_equal(policy_can(&author, POLICY_COMMUNITY_AUTHOR_EDIT, &others), POLICY_FORBIDDEN);
    assert_int_equal(policy_can(&author, POLICY_COMMUNITY_CONTENT_DELETE, &others),
                     POLICY_FORBIDDEN);
    policy_object_t mod_others = moderator;
    mod_others.owner_id = OTHER + 1;
    assert_int_equal(policy_can(&author, POLICY_COMMUNITY_CONTENT_DELETE, &mod_others),
                     POLICY_ALLOW);
    assert_int_equal(policy_can(&author, POLICY_COMMUNITY_AUTHOR_EDIT, &mod_others),
                     POLICY_FORBIDDEN);
    /* Owner-only actions. */
    assert_int_equal(policy_can(&author, POLICY_COMMUNITY_OWN, &moderator), POLICY_FORBIDDEN);
    assert_int_equal(policy_can(&author, POLICY_COMMUNITY_MODERATE, &moderator), POLICY_ALLOW);
    policy_object_t owner = in(PCV_PRIVATE, PCS_MEMBER, PCR_OWNER, 0);
    assert_int_equal(policy_can(&author, POLICY_COMMUNITY_DELETE, &owner), POLICY_ALLOW);
    /* Creating needs a session and a confirmed address; without a community nothing is known. */
    assert_int_equal(policy_can(&anon, POLICY_COMMUNITY_CREATE, NULL), POLICY_UNAUTHENTICATED);
    assert_int_equal(policy_can(&unverified, POLICY_COMMUNITY_CREATE, NULL), POLICY_UNVERIFIED);
    assert_int_equal(policy_can(&author, POLICY_COMMUNITY_READ, NULL), POLICY_HIDDEN);
}

static void test_invitation_tokens(void **state) {
    (void)state;
    const char *key = "0123456789abcdef0123456789abcdef";
    char token[INVITATION_TOKEN_LEN], forged[INVITATION_TOKEN_LEN];
    int64_t id = 0;
    assert_true(invitation_token_make(key, strlen(key), 42, token));
    assert_true(invitation_token_check(key, strlen(key), token, &id));
    assert_int_equal(id, 42);
    /* Another id with the same signature, a changed signature, another key: refused. */
    memcpy(forged, token, sizeof forged);
    forged[0] = '3';
    assert_false(invitation_token_check(key, strlen(key), forged, &id));
    memcpy(forged, token, sizeof forged);
    forged[strlen(forged) - 1] = forged[strlen(forged) - 1] == 'A' ? 'B' : 'A';
    assert_false(invitation_token_check(key, strlen(key), forged, &id));
    assert_false(invitation_token_check("another key, long enough", 24, token, &id));
    assert_false(invitation_token_check(key, strlen(key), "042.x", &id));
    assert_false(invitation_token_check(key, strlen(key), "", &id));
    assert_false(invitation_token_make(key, strlen(key), 0, token));
}

int main(void) {
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(test_private_is_hidden_to_non_members),
            cmocka_unit_test(test_public_and_restricted),
            cmocka_unit_test(test_invitation_tokens),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

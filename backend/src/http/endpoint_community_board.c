/* A community's collections, proposals and map, and the notifications of the signed-in person
 * (docs/api.md, "Communities"). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "domain/community/board.h"
#include "domain/community/notification.h"
#include "domain/people/collection.h"
#include "http/auth.h"
#include "http/body.h"
#include "http/community_access.h"
#include "http/handlers.h"
#include "http/params.h"
#include "http/reply.h"

static const char *const decisions[] = {"accept", "reject", NULL};

static const body_field_t collection_fields[] = {
        {"title", BODY_STR, true, 0, COLLECTION_TITLE_MAX, NULL},
        {"description", BODY_TEXT, false, 0, COLLECTION_DESC_MAX, NULL},
        {NULL, 0, false, 0, 0, NULL},
};
static const body_field_t proposal_fields[] = {
        {"collection_id", BODY_INT, true, 1, INT64_MAX, NULL},
        {"initiative_id", BODY_INT, true, 1, INT64_MAX, NULL},
        {"note", BODY_TEXT, false, 0, COLLECTION_NOTE_MAX, NULL},
        {NULL, 0, false, 0, 0, NULL},
};
static const body_field_t decision_fields[] = {
        {"decision", BODY_ENUM, true, 0, 0, decisions},
        {NULL, 0, false, 0, 0, NULL},
};
static const body_field_t read_fields[] = {
        {"ids", BODY_ARRAY, false, 0, NOTIFICATION_READ_IDS_MAX, NULL},
        {"all", BODY_BOOL, false, 0, 0, NULL},
        {NULL, 0, false, 0, 0, NULL},
};

void handle_community_collections(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    int64_t id;
    policy_object_t obj;
    json_t *out = NULL;
    if (!caccess_open(app, req, resp, false, POLICY_COMMUNITY_CONTENT_READ, &actor, &id, &obj))
        return;
    dom_status st = board_collections(app->db, id, &out);
    caccess_reply(resp, st, out, 200);
}

void handle_community_collection_create(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    int64_t id, cid;
    policy_object_t obj;
    json_t *body = NULL, *out = NULL;
    if (!caccess_open(app, req, resp, true, POLICY_COMMUNITY_MODERATE, &actor, &id, &obj) ||
        !body_parse(req, resp, collection_fields, BODY_MAX_DEFAULT, &body))
        goto done;
    const char *description = body_str(body, "description");
    dom_status st = board_collection_create(app->db, id, actor.user_id, body_str(body, "title"),
                                            description ? description : "", &cid);
    if (st == DOM_OK)
        st = collection_get(app->db, cid, actor.user_id, "fr", &out);
    if (st == DOM_OK && json_object_set_new(out, "community_id", json_integer(id)) != 0)
        st = DOM_INTERNAL;
    caccess_reply(resp, st, out, 201);
done:
    json_decref(body);
}

void handle_community_proposals(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    int64_t id;
    policy_object_t obj;
    json_t *out = NULL;
    if (!caccess_open(app, req, resp, false, POLICY_COMMUNITY_MODERATE, &actor, &id, &obj))
        return;
    dom_status st = board_proposals(app->db, id, &out);
    caccess_reply(resp, st, out, 200);
}

void handle_community_proposal_create(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    int64_t id;
    policy_object_t obj;
    json_t *body = NULL, *out = NULL;
    char uid[24];
    if (!caccess_open(app, req, resp, true, POLICY_COMMUNITY_POST, &actor, &id, &obj) ||
        !body_parse(req, resp, proposal_fields, BODY_MAX_DEFAULT, &body))
        goto done;
    snprintf(uid, sizeof uid, "%" PRId64, actor.user_id);
    if (!auth_rate_limit(app, resp, "community-post", uid, 60, 600))
        goto done;
    const char *note = body_str(body, "note");
    dom_status st = board_propose(app->db, id, actor.user_id, body_int(body, "collection_id", 0),
                                  body_int(body, "initiative_id", 0), note ? note : "", &out);
    caccess_reply(resp, st, out, 201);
done:
    json_decref(body);
}

void handle_community_proposal_decide(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    int64_t id, pid;
    policy_object_t obj;
    json_t *body = NULL, *out = NULL;
    if (!caccess_open(app, req, resp, true, POLICY_COMMUNITY_MODERATE, &actor, &id, &obj) ||
        !param_path_id(req, resp, "pid", &pid) ||
        !body_parse(req, resp, decision_fields, BODY_MAX_DEFAULT, &body))
        goto done;
    bool accept = strcmp(body_str(body, "decision"), "accept") == 0;
    dom_status st = board_decide(app->db, id, pid, accept, &out);
    caccess_reply(resp, st, out, accept ? 200 : 204);
done:
    json_decref(body);
}

void handle_community_map(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    int64_t id;
    policy_object_t obj;
    json_t *out = NULL;
    if (!caccess_open(app, req, resp, false, POLICY_COMMUNITY_CONTENT_READ, &actor, &id, &obj))
        return;
    dom_status st = board_map(app->db, id, &out);
    caccess_reply(resp, st, out, 200);
}

void handle_notification_list(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    int64_t key, after;
    int limit;
    json_t *out = NULL;
    if (!auth_require(app, req, resp, &actor) ||
        !auth_allow(resp, &actor, POLICY_SPACE_USE, NULL) ||
        !param_limit(req, resp, 20, 100, &limit) || !caccess_cursor(req, resp, &key, &after))
        return;
    dom_status st = notification_list(app->db, actor.user_id, after, limit, &out);
    caccess_reply(resp, st, out, 200);
}

void handle_notification_unread(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    long unread;
    if (!auth_require(app, req, resp, &actor) || !auth_allow(resp, &actor, POLICY_SPACE_USE, NULL))
        return;
    dom_status st = notification_unread(app->db, actor.user_id, &unread);
    caccess_reply(resp, st, st == DOM_OK ? json_pack("{s:i}", "unread", (int)unread) : NULL, 200);
}

void handle_notification_read(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    json_t *body = NULL;
    char ids[NOTIFICATION_READ_IDS_MAX * 21 + 4];
    const char *list;
    if (!auth_require(app, req, resp, &actor) ||
        !auth_allow(resp, &actor, POLICY_SPACE_USE, NULL) ||
        !body_parse(req, resp, read_fields, BODY_MAX_DEFAULT, &body) ||
        !caccess_ids(resp, body, "ids", ids, sizeof ids, &list))
        goto done;
    dom_status st = notification_read(app->db, actor.user_id, list ? list : "{}",
                                      json_is_true(json_object_get(body, "all")));
    if (st != DOM_OK)
        caccess_reply(resp, st, NULL, 200);
    else
        reply_no_content(resp);
done:
    json_decref(body);
}

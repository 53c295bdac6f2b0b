/* A community's discussions, reports and activity feed (docs/api.md, "Communities"). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "domain/community/community.h"
#include "domain/community/feed.h"
#include "domain/community/thread.h"
#include "http/auth.h"
#include "http/body.h"
#include "http/community_access.h"
#include "http/handlers.h"
#include "http/params.h"
#include "http/reply.h"

static const body_field_t thread_fields[] = {
        {"title", BODY_STR, true, 0, THREAD_TITLE_MAX, NULL},
        {"body", BODY_TEXT, true, 0, THREAD_BODY_MAX, NULL},
        {"mentions", BODY_ARRAY, false, 0, THREAD_MENTIONS_MAX, NULL},
        {NULL, 0, false, 0, 0, NULL},
};
static const body_field_t thread_patch_fields[] = {
        {"version", BODY_INT, true, 1, INT32_MAX, NULL},
        {"title", BODY_STR, false, 0, THREAD_TITLE_MAX, NULL},
        {"body", BODY_TEXT, false, 0, THREAD_BODY_MAX, NULL},
        {"pinned", BODY_BOOL, false, 0, 0, NULL},
        {"locked", BODY_BOOL, false, 0, 0, NULL},
        {NULL, 0, false, 0, 0, NULL},
};
static const body_field_t reply_fields[] = {
        {"body", BODY_TEXT, true, 0, THREAD_BODY_MAX, NULL},
        {"mentions", BODY_ARRAY, false, 0, THREAD_MENTIONS_MAX, NULL},
        {NULL, 0, false, 0, 0, NULL},
};
static const body_field_t reply_patch_fields[] = {
        {"version", BODY_INT, true, 1, INT32_MAX, NULL},
        {"body", BODY_TEXT, true, 0, THREAD_BODY_MAX, NULL},
        {NULL, 0, false, 0, 0, NULL},
};
static const body_field_t report_fields[] = {
        {"thread_id", BODY_INT, false, 1, INT64_MAX, NULL},
        {"reply_id", BODY_INT, false, 1, INT64_MAX, NULL},
        {"reason", BODY_STR, true, 0, THREAD_REASON_MAX, NULL},
        {NULL, 0, false, 0, 0, NULL},
};

#define TH_IDS_TEXT (THREAD_MENTIONS_MAX * 21 + 4)

/* A body's text is required non-empty (BODY_TEXT allows ""). */
static bool th_nonempty(resp_t *resp, const json_t *body, const char *field) {
    const char *s = body_str(body, field);
    if (s != NULL && *s == '\0') {
        resp_error(resp, 400, "invalid_field", "Ce texte ne peut pas être vide.", field);
        return false;
    }
    return true;
}

/* Posting is rate-limited per person: 60 threads or replies in 10 minutes. */
static bool th_post_limit(app_t *app, resp_t *resp, const actor_t *actor, const char *kind, int max,
                          int window_s) {
    char uid[24];
    snprintf(uid, sizeof uid, "%" PRId64, actor->user_id);
    return auth_rate_limit(app, resp, kind, uid, max, window_s);
}

void handle_community_threads(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    int64_t id, key, after;
    policy_object_t obj;
    json_t *out = NULL;
    int limit;
    if (!caccess_open(app, req, resp, false, POLICY_COMMUNITY_CONTENT_READ, &actor, &id, &obj) ||
        !param_limit(req, resp, 20, 100, &limit) || !caccess_cursor(req, resp, &key, &after))
        return;
    dom_status st = thread_list(app->db, id, key, after, limit, &out);
    caccess_reply(resp, st, out, 200);
}

void handle_community_thread_create(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    int64_t id;
    policy_object_t obj;
    json_t *body = NULL, *out = NULL;
    char ids[TH_IDS_TEXT];
    const char *mentions;
    if (!caccess_open(app, req, resp, true, POLICY_COMMUNITY_POST, &actor, &id, &obj) ||
        !body_parse(req, resp, thread_fields, BODY_MAX_DEFAULT, &body) ||
        !th_nonempty(resp, body, "body") ||
        !caccess_ids(resp, body, "mentions", ids, sizeof ids, &mentions) ||
        !th_post_limit(app, resp, &actor, "community-post", 60, 600))
        goto done;
    dom_status st = thread_create(app->db, id, actor.user_id, body_str(body, "title"),
                                  body_str(body, "body"), mentions, &out);
    caccess_reply(resp, st, out, 201);
done:
    json_decref(body);
}

/* The community (after the policy's action) and the thread of the path. */
static bool th_open(app_t *app, const req_t *req, resp_t *resp, bool write, policy_action action,
                    actor_t *actor, int64_t *id, policy_object_t *obj, int64_t *tid) {
    return caccess_open(app, req, resp, write, action, actor, id, obj) &&
           param_path_id(req, resp, "tid", tid);
}

void handle_community_thread_get(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    int64_t id, tid;
    policy_object_t obj;
    json_t *out = NULL;
    if (!th_open(app, req, resp, false, POLICY_COMMUNITY_CONTENT_READ, &actor, &id, &obj, &tid))
        return;
    dom_status st = thread_get(app->db, id, tid, &out);
    caccess_reply(resp, st, out, 200);
}

void handle_community_thread_patch(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    int64_t id, tid, author;
    policy_object_t obj;
    json_t *body = NULL, *out = NULL;
    if (!th_open(app, req, resp, true, POLICY_COMMUNITY_CONTENT_READ, &actor, &id, &obj, &tid) ||
        !body_parse(req, resp, thread_patch_fields, BODY_MAX_DEFAULT, &body) ||
        !th_nonempty(resp, body, "body"))
        goto done;
    dom_status st = thread_author(app->db, id, tid, &author);
    if (st != DOM_OK) {
        caccess_reply(resp, st, NULL, 200);
        goto done;
    }
    /* The author changes the text; moderators pin and lock. */
    json_t *pinned = json_object_get(body, "pinned"), *locked = json_object_get(body, "locked");
    const char *title = body_str(body, "title"), *text = body_str(body, "body");
    if (((title || text) &&
         !caccess_allow(resp, &actor, POLICY_COMMUNITY_AUTHOR_EDIT, &obj, author)) ||
        ((pinned || locked) && !caccess_allow(resp, &actor, POLICY_COMMUNITY_MODERATE, &obj, 0)) ||
        (!title && !text && !pinned && !locked &&
         !caccess_allow(resp, &actor, POLICY_COMMUNITY_AUTHOR_EDIT, &obj, author)))
        goto done;
    st = thread_update(app->db, id, tid, body_int(body, "version", 0), title, text,
                       pinned ? (json_is_true(pinned) ? "true" : "false") : NULL,
                       locked ? (json_is_true(locked) ? "true" : "false") : NULL, &out);
    caccess_reply(resp, st, out, 200);
done:
    json_decref(body);
}

void handle_community_thread_delete(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    int64_t id, tid, author;
    policy_object_t obj;
    if (!th_open(app, req, resp, true, POLICY_COMMUNITY_CONTENT_READ, &actor, &id, &obj, &tid))
        return;
    dom_status st = thread_author(app->db, id, tid, &author);
    if (st != DOM_OK) {
        caccess_reply(resp, st, NULL, 200);
        return;
    }
    if (!caccess_allow(resp, &actor, POLICY_COMMUNITY_CONTENT_DELETE, &obj, author))
        return;
    st = thread_delete(app->db, id, tid);
    if (st != DOM_OK)
        caccess_reply(resp, st, NULL, 200);
    else
        reply_no_content(resp);
}

void handle_community_replies(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    int64_t id, tid, key, after, author;
    policy_object_t obj;
    json_t *out = NULL;
    int limit;
    if (!th_open(app, req, resp, false, POLICY_COMMUNITY_CONTENT_READ, &actor, &id, &obj, &tid) ||
        !param_limit(req, resp, 50, 100, &limit) || !caccess_cursor(req, resp, &key, &after))
        return;
    dom_status st = thread_author(app->db, id, tid, &author);
    if (st == DOM_OK)
        st = thread_replies(app->db, id, tid, after, limit, &out);
    caccess_reply(resp, st, out, 200);
}

void handle_community_reply_create(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    int64_t id, tid;
    policy_object_t obj;
    json_t *body = NULL, *out = NULL;
    char ids[TH_IDS_TEXT];
    const char *mentions;
    if (!th_open(app, req, resp, true, POLICY_COMMUNITY_POST, &actor, &id, &obj, &tid) ||
        !body_parse(req, resp, reply_fields, BODY_MAX_DEFAULT, &body) ||
        !th_nonempty(resp, body, "body") ||
        !caccess_ids(resp, body, "mentions", ids, sizeof ids, &mentions) ||
        !th_post_limit(app, resp, &actor, "community-post", 60, 600))
        goto done;
    dom_status st = thread_reply_create(app->db, id, tid, actor.user_id, body_str(body, "body"),
                                        mentions, &out);
    caccess_reply(resp, st, out, 201);
done:
    json_decref(body);
}

/* The community and the reply of the path, with the reply's author. */
static bool th_reply_open(app_t *app, const req_t *req, resp_t *resp, actor_t *actor, int64_t *id,
                          policy_object_t *obj, int64_t *rid, int64_t *author) {
    if (!caccess_open(app, req, resp, true, POLICY_COMMUNITY_CONTENT_READ, actor, id, obj) ||
        !param_path_id(req, resp, "rid", rid))
        return false;
    dom_status st = thread_reply_author(app->db, *id, *rid, author);
    if (st != DOM_OK) {
        caccess_reply(resp, st, NULL, 200);
        return false;
    }
    return true;
}

void handle_community_reply_patch(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    int64_t id, rid, author;
    policy_object_t obj;
    json_t *body = NULL, *out = NULL;
    if (!th_reply_open(app, req, resp, &actor, &id, &obj, &rid, &author) ||
        !caccess_allow(resp, &actor, POLICY_COMMUNITY_AUTHOR_EDIT, &obj, author) ||
        !body_parse(req, resp, reply_patch_fields, BODY_MAX_DEFAULT, &body) ||
        !th_nonempty(resp, body, "body"))
        goto done;
    dom_status st = thread_reply_update(app->db, id, rid, body_int(body, "version", 0),
                                        body_str(body, "body"), &out);
    caccess_reply(resp, st, out, 200);
done:
    json_decref(body);
}

void handle_community_reply_delete(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    int64_t id, rid, author;
    policy_object_t obj;
    json_t *out = NULL;
    if (!th_reply_open(app, req, resp, &actor, &id, &obj, &rid, &author) ||
        !caccess_allow(resp, &actor, POLICY_COMMUNITY_CONTENT_DELETE, &obj, author))
        return;
    dom_status st = thread_reply_delete(app->db, id, rid, &out);
    caccess_reply(resp, st, out, 204);
}

void handle_community_report(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    int64_t id;
    policy_object_t obj;
    json_t *body = NULL, *out = NULL;
    if (!caccess_open(app, req, resp, true, POLICY_COMMUNITY_POST, &actor, &id, &obj) ||
        !body_parse(req, resp, report_fields, BODY_MAX_DEFAULT, &body))
        goto done;
    int64_t thread = body_int(body, "thread_id", 0), reply = body_int(body, "reply_id", 0);
    if ((thread == 0) == (reply == 0)) {
        resp_error(resp, 400, "invalid_field",
                   "Indiquez soit thread_id, soit reply_id (l'un des deux).", "thread_id");
        goto done;
    }
    if (!th_post_limit(app, resp, &actor, "community-report", 20, 3600))
        goto done;
    dom_status st = thread_report(app->db, id, thread, reply, actor.user_id,
                                  body_str(body, "reason"), &out);
    caccess_reply(resp, st, out, 201);
done:
    json_decref(body);
}

void handle_community_reports(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    int64_t id;
    policy_object_t obj;
    json_t *out = NULL;
    if (!caccess_open(app, req, resp, false, POLICY_COMMUNITY_MODERATE, &actor, &id, &obj))
        return;
    dom_status st = thread_reports(app->db, id, &out);
    caccess_reply(resp, st, out, 200);
}

void handle_community_feed(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    int64_t id, key, after;
    policy_object_t obj;
    json_t *out = NULL;
    int limit;
    if (!caccess_open(app, req, resp, false, POLICY_COMMUNITY_CONTENT_READ, &actor, &id, &obj) ||
        !param_limit(req, resp, 20, 100, &limit) || !caccess_cursor(req, resp, &key, &after))
        return;
    dom_status st = feed_page(app->db, id, after, limit, &out);
    caccess_reply(resp, st, out, 200);
}

/* Collections (docs/api.md, "The personal space"). A public collection may be read by anyone,
 * signed in or not; every answer is private all the same (Cache-Control: private, no-store, and
 * never the shared cache): it says whether the reader owns it, and a private one is its owner's. */
#include <stdint.h>
#include <string.h>

#include "domain/community/board.h"
#include "domain/community/community.h"
#include "domain/people/collection.h"
#include "http/auth.h"
#include "http/body.h"
#include "http/handlers.h"
#include "http/params.h"
#include "http/reply.h"

static const char *const visibilities[] = {"private", "public", NULL};

static const body_field_t create_fields[] = {
        {"title", BODY_STR, true, 0, COLLECTION_TITLE_MAX, NULL},
        {"description", BODY_TEXT, false, 0, COLLECTION_DESC_MAX, NULL},
        {"visibility", BODY_ENUM, false, 0, 0, visibilities},
        {NULL, 0, false, 0, 0, NULL},
};
static const body_field_t patch_fields[] = {
        {"version", BODY_INT, true, 1, INT32_MAX, NULL},
        {"title", BODY_STR, false, 0, COLLECTION_TITLE_MAX, NULL},
        {"description", BODY_TEXT, false, 0, COLLECTION_DESC_MAX, NULL},
        {"visibility", BODY_ENUM, false, 0, 0, visibilities},
        {NULL, 0, false, 0, 0, NULL},
};
static const body_field_t item_add_fields[] = {
        {"initiative_id", BODY_INT, true, 1, INT64_MAX, NULL},
        {"note", BODY_TEXT, false, 0, COLLECTION_NOTE_MAX, NULL},
        {NULL, 0, false, 0, 0, NULL},
};
static const body_field_t item_patch_fields[] = {
        {"note", BODY_TEXT, false, 0, COLLECTION_NOTE_MAX, NULL},
        {"position", BODY_INT, false, 1, COLLECTION_ITEMS_MAX, NULL},
        {NULL, 0, false, 0, 0, NULL},
};

static void not_found(resp_t *resp) {
    auth_refuse(resp, POLICY_HIDDEN);
}

/* Answers the collection as viewer sees it, with status. */
static void collection_reply(app_t *app, const req_t *req, resp_t *resp, int status, int64_t id,
                             int64_t viewer) {
    const char *lang;
    json_t *out;
    if (!param_lang(req, resp, &lang))
        return;
    dom_status st = collection_get(app->db, id, viewer, lang, &out);
    if (st == DOM_NOT_FOUND)
        not_found(resp);
    else if (st != DOM_OK)
        reply_failure(resp, st, NULL);
    else
        resp_json(resp, status, out);
}

/* Reads the collection of the path and asks the policy for action; on refusal the answer is
 * written (404 for what the actor may not see, exactly as for what does not exist). */
static bool collection_allowed(app_t *app, const req_t *req, resp_t *resp, const actor_t *actor,
                               policy_action action, int64_t *id, policy_object_t *obj) {
    if (!param_path_id(req, resp, "id", id))
        return false;
    dom_status st = collection_find(app->db, *id, obj);
    if (st == DOM_NOT_FOUND) {
        not_found(resp);
        return false;
    }
    if (st != DOM_OK) {
        reply_failure(resp, st, NULL);
        return false;
    }
    /* A community's collection: read by whoever may read the community's content, changed by
     * its moderators (the policy's community actions); obj->owner_id stays its creator, whom the
     * domain's writes are scoped to. */
    int64_t community = 0, creator = obj->owner_id;
    st = board_collection_community(app->db, *id, &community);
    if (st == DOM_OK && community != 0) {
        st = community_context(app->db, community, actor->user_id, obj);
        action = action == POLICY_COLLECTION_READ ? POLICY_COMMUNITY_CONTENT_READ
                                                  : POLICY_COMMUNITY_MODERATE;
        obj->owner_id = creator;
    }
    if (st != DOM_OK) {
        reply_failure(resp, st, NULL);
        return false;
    }
    if (!auth_allow(resp, actor, action, obj))
        return false;
    return true;
}

/* The answer of a write that did not happen for a reason of the domain. */
static void collection_refusal(resp_t *resp, collection_result res) {
    switch (res) {
    case COLLECTION_NO_INITIATIVE:
        resp_error(resp, 404, "not_found", "Aucune initiative ne porte cet identifiant.",
                   "initiative_id");
        break;
    case COLLECTION_PRESENT:
        resp_error(resp, 409, "already_present", "Cette initiative est déjà dans la collection.",
                   "initiative_id");
        break;
    case COLLECTION_LIMIT:
        resp_error(resp, 409, "limit_reached",
                   "Le nombre maximal est atteint (200 collections, 500 initiatives par "
                   "collection).",
                   NULL);
        break;
    default:
        not_found(resp);
        break;
    }
}

void handle_collection_mine(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    json_t *out;
    if (!auth_require(app, req, resp, &actor))
        return;
    if (!auth_allow(resp, &actor, POLICY_SPACE_USE, NULL))
        return;
    dom_status st = collection_list(app->db, actor.user_id, &out);
    if (st != DOM_OK) {
        reply_failure(resp, st, NULL);
        return;
    }
    resp_json(resp, 200, out);
}

void handle_collection_create(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    json_t *body = NULL;
    collection_result res;
    int64_t id;
    if (!auth_require(app, req, resp, &actor) ||
        !body_parse(req, resp, create_fields, BODY_MAX_DEFAULT, &body))
        goto done;
    const char *visibility = body_str(body, "visibility");
    const char *description = body_str(body, "description");
    if (visibility == NULL)
        visibility = "private";
    if (!auth_allow(resp, &actor, POLICY_COLLECTION_CREATE, NULL) ||
        (strcmp(visibility, "public") == 0 &&
         !auth_allow(resp, &actor, POLICY_COLLECTION_PUBLISH, NULL)))
        goto done;
    dom_status st = collection_create(app->db, actor.user_id, body_str(body, "title"),
                                      description ? description : "", visibility, &res, &id);
    if (st != DOM_OK)
        reply_failure(resp, st, NULL);
    else if (res != COLLECTION_DONE)
        collection_refusal(resp, res);
    else
        collection_reply(app, req, resp, 201, id, actor.user_id);
done:
    json_decref(body);
}

void handle_collection_get(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    int64_t id;
    policy_object_t obj;
    auth_private(resp);
    if (!auth_identify(app, req, resp, &actor) ||
        !collection_allowed(app, req, resp, &actor, POLICY_COLLECTION_READ, &id, &obj))
        return;
    collection_reply(app, req, resp, 200, id, actor.user_id);
}

void handle_collection_patch(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    json_t *body = NULL;
    int64_t id;
    policy_object_t obj;
    collection_result res;
    if (!auth_require(app, req, resp, &actor) ||
        !body_parse(req, resp, patch_fields, BODY_MAX_DEFAULT, &body) ||
        !collection_allowed(app, req, resp, &actor, POLICY_COLLECTION_EDIT, &id, &obj))
        goto done;
    collection_edit_t edit = {body_str(body, "title"), body_str(body, "description"),
                              body_str(body, "visibility")};
    if (edit.visibility && strcmp(edit.visibility, "public") == 0) {
        if (!auth_allow(resp, &actor, POLICY_COLLECTION_PUBLISH, &obj))
            goto done;
    }
    dom_status st =
            collection_update(app->db, id, obj.owner_id, body_int(body, "version", 0), &edit, &res);
    if (st != DOM_OK) {
        reply_failure(resp, st, NULL);
    } else if (res == COLLECTION_CONFLICT) {
        const char *lang;
        json_t *current;
        if (!param_lang(req, resp, &lang))
            goto done;
        st = collection_get(app->db, id, actor.user_id, lang, &current);
        if (st != DOM_OK) {
            reply_failure(resp, st, NULL);
            goto done;
        }
        resp_json(resp, 409,
                  json_pack("{s{ss ss ss} so}", "error", "code", "conflict", "message",
                            "Cette collection a changé entre-temps (dans un autre onglet ?) : "
                            "voici sa version actuelle.",
                            "field", "version", "current", current));
    } else if (res != COLLECTION_DONE) {
        collection_refusal(resp, res);
    } else {
        collection_reply(app, req, resp, 200, id, actor.user_id);
    }
done:
    json_decref(body);
}

void handle_collection_delete(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    int64_t id;
    policy_object_t obj;
    collection_result res;
    if (!auth_require(app, req, resp, &actor) ||
        !collection_allowed(app, req, resp, &actor, POLICY_COLLECTION_EDIT, &id, &obj))
        return;
    dom_status st = collection_delete(app->db, id, obj.owner_id, &res);
    if (st != DOM_OK)
        reply_failure(resp, st, NULL);
    else if (res != COLLECTION_DONE)
        collection_refusal(resp, res);
    else
        reply_no_content(resp);
}

void handle_collection_item_add(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    json_t *body = NULL;
    int64_t id;
    policy_object_t obj;
    collection_result res;
    if (!auth_require(app, req, resp, &actor) ||
        !body_parse(req, resp, item_add_fields, BODY_MAX_DEFAULT, &body) ||
        !collection_allowed(app, req, resp, &actor, POLICY_COLLECTION_EDIT, &id, &obj))
        goto done;
    const char *note = body_str(body, "note");
    dom_status st = collection_item_add(app->db, id, obj.owner_id,
                                        body_int(body, "initiative_id", 0), note ? note : "", &res);
    if (st != DOM_OK)
        reply_failure(resp, st, NULL);
    else if (res != COLLECTION_DONE)
        collection_refusal(resp, res);
    else
        collection_reply(app, req, resp, 201, id, actor.user_id);
done:
    json_decref(body);
}

/* The collection and the initiative of an item's path, after the policy. */
static bool item_allowed(app_t *app, const req_t *req, resp_t *resp, const actor_t *actor,
                         int64_t *id, int64_t *initiative_id, int64_t *owner) {
    policy_object_t obj;
    bool ok = param_path_id(req, resp, "initiative_id", initiative_id) &&
              collection_allowed(app, req, resp, actor, POLICY_COLLECTION_EDIT, id, &obj);
    *owner = ok ? obj.owner_id : 0;
    return ok;
}

void handle_collection_item_patch(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    json_t *body = NULL;
    int64_t id, initiative_id, owner;
    collection_result res;
    if (!auth_require(app, req, resp, &actor) ||
        !body_parse(req, resp, item_patch_fields, BODY_MAX_DEFAULT, &body) ||
        !item_allowed(app, req, resp, &actor, &id, &initiative_id, &owner))
        goto done;
    dom_status st =
            collection_item_update(app->db, id, owner, initiative_id, body_str(body, "note"),
                                   body_int(body, "position", 0), &res);
    if (st != DOM_OK)
        reply_failure(resp, st, NULL);
    else if (res != COLLECTION_DONE)
        collection_refusal(resp, res);
    else
        collection_reply(app, req, resp, 200, id, actor.user_id);
done:
    json_decref(body);
}

void handle_collection_item_delete(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    int64_t id, initiative_id, owner;
    collection_result res;
    if (!auth_require(app, req, resp, &actor) ||
        !item_allowed(app, req, resp, &actor, &id, &initiative_id, &owner))
        return;
    dom_status st = collection_item_remove(app->db, id, owner, initiative_id, &res);
    if (st != DOM_OK)
        reply_failure(resp, st, NULL);
    else if (res != COLLECTION_DONE)
        collection_refusal(resp, res);
    else
        reply_no_content(resp);
}

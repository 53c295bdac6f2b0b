/* The signed-in person's saved searches (docs/api.md, "The personal space"): every answer is
 * private. Their params are validated by the search's own validation (http/search_params.h). */
#include <stdint.h>

#include "domain/people/saved_search.h"
#include "http/auth.h"
#include "http/body.h"
#include "http/handlers.h"
#include "http/params.h"
#include "http/reply.h"
#include "http/search_params.h"

static const char *const alerts[] = {"none", "daily", "weekly", NULL};

static const body_field_t create_fields[] = {
        {"name", BODY_STR, true, 0, SAVED_SEARCH_NAME_MAX, NULL},
        {"params", BODY_OBJECT, true, 0, 0, NULL},
        {"alert", BODY_ENUM, false, 0, 0, alerts},
        {NULL, 0, false, 0, 0, NULL},
};
static const body_field_t patch_fields[] = {
        {"version", BODY_INT, true, 1, INT32_MAX, NULL},
        {"name", BODY_STR, false, 0, SAVED_SEARCH_NAME_MAX, NULL},
        {"alert", BODY_ENUM, false, 0, 0, alerts},
        {NULL, 0, false, 0, 0, NULL},
};

/* The policy's leave for action on obj (NULL: none yet); on refusal the answer is written. */
static bool search_allowed(resp_t *resp, const actor_t *actor, const policy_object_t *obj) {
    if (!auth_allow(resp, actor, POLICY_SAVED_SEARCH_EDIT, obj))
        return false;
    return true;
}

/* Reads the saved search of the path and asks the policy: another's is not found. */
static bool search_of_path(app_t *app, const req_t *req, resp_t *resp, const actor_t *actor,
                           int64_t *id) {
    policy_object_t obj;
    if (!param_path_id(req, resp, "id", id))
        return false;
    dom_status st = saved_search_find(app->db, *id, &obj);
    if (st == DOM_NOT_FOUND) {
        auth_refuse(resp, POLICY_HIDDEN);
        return false;
    }
    if (st != DOM_OK) {
        reply_failure(resp, st, NULL);
        return false;
    }
    return search_allowed(resp, actor, &obj);
}

void handle_search_saved_list(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    json_t *out;
    if (!auth_require(app, req, resp, &actor) || !search_allowed(resp, &actor, NULL))
        return;
    dom_status st = saved_search_list(app->db, actor.user_id, &out);
    if (st != DOM_OK) {
        reply_failure(resp, st, NULL);
        return;
    }
    resp_json(resp, 200, out);
}

void handle_search_saved_create(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    json_t *body = NULL, *out = NULL;
    saved_search_result res;
    if (!auth_require(app, req, resp, &actor) ||
        !body_parse(req, resp, create_fields, BODY_MAX_DEFAULT, &body) ||
        !search_allowed(resp, &actor, NULL) ||
        !search_params_check_json(json_object_get(body, "params"), resp, app->db, "params."))
        goto done;
    const char *alert = body_str(body, "alert");
    dom_status st = saved_search_create(app->db, actor.user_id, body_str(body, "name"),
                                        json_object_get(body, "params"), alert ? alert : "none",
                                        &res, &out);
    if (st != DOM_OK) {
        reply_failure(resp, st, NULL);
    } else if (res == SAVED_SEARCH_LIMIT) {
        resp_error(resp, 409, "limit_reached",
                   "Vous avez atteint le nombre maximal de recherches enregistrées (100).", NULL);
    } else if (res != SAVED_SEARCH_DONE) {
        auth_refuse(resp, POLICY_HIDDEN);
    } else {
        resp_json(resp, 201, out);
        out = NULL;
    }
done:
    json_decref(out);
    json_decref(body);
}

void handle_search_saved_patch(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    json_t *body = NULL, *out = NULL;
    int64_t id;
    saved_search_result res;
    if (!auth_require(app, req, resp, &actor) ||
        !body_parse(req, resp, patch_fields, BODY_MAX_DEFAULT, &body) ||
        !search_of_path(app, req, resp, &actor, &id))
        goto done;
    dom_status st =
            saved_search_update(app->db, id, actor.user_id, body_int(body, "version", 0),
                                body_str(body, "name"), body_str(body, "alert"), &res, &out);
    if (st != DOM_OK) {
        reply_failure(resp, st, NULL);
    } else if (res == SAVED_SEARCH_CONFLICT) {
        resp_json(resp, 409,
                  json_pack("{s{ss ss ss} so}", "error", "code", "conflict", "message",
                            "Cette recherche a changé entre-temps (dans un autre onglet ?) : "
                            "voici sa version actuelle.",
                            "field", "version", "current", out));
        out = NULL;
    } else if (res != SAVED_SEARCH_DONE) {
        auth_refuse(resp, POLICY_HIDDEN);
    } else {
        resp_json(resp, 200, out);
        out = NULL;
    }
done:
    json_decref(out);
    json_decref(body);
}

void handle_search_saved_delete(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    int64_t id;
    saved_search_result res;
    if (!auth_require(app, req, resp, &actor) || !search_of_path(app, req, resp, &actor, &id))
        return;
    dom_status st = saved_search_delete(app->db, id, actor.user_id, &res);
    if (st != DOM_OK) {
        reply_failure(resp, st, NULL);
    } else if (res != SAVED_SEARCH_DONE) {
        auth_refuse(resp, POLICY_HIDDEN);
    } else {
        reply_no_content(resp);
    }
}

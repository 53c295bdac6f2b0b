/* Contributions: proposals and corrections by verified members, and the moderators' decisions
 * (docs/api.md, "Contributions"). Every answer is personal (private, never the shared cache): a
 * pending contribution exists for its author and the moderators only. */
#include <stdint.h>
#include <string.h>

#include "domain/edits/contribution.h"
#include "domain/edits/fields.h"
#include "http/auth.h"
#include "http/body.h"
#include "http/edit_input.h"
#include "http/handlers.h"
#include "http/params.h"
#include "http/reply.h"

static const char *const decisions[] = {"approve", "reject", "request_changes", NULL};
static const char *const kinds[] = {"proposal", NULL};

static const body_field_t propose_fields[] = {
        {"kind", BODY_ENUM, true, 0, 0, kinds},
        {"fields", BODY_OBJECT, true, 0, 0, NULL},
        {"comment", BODY_TEXT, false, 0, CONTRIBUTION_COMMENT_MAX, NULL},
        {"submit", BODY_BOOL, false, 0, 0, NULL},
        {NULL, 0, false, 0, 0, NULL},
};
static const body_field_t correct_fields[] = {
        {"version", BODY_INT, true, 0, INT32_MAX, NULL},
        {"fields", BODY_OBJECT, true, 0, 0, NULL},
        {"comment", BODY_TEXT, false, 0, CONTRIBUTION_COMMENT_MAX, NULL},
        {NULL, 0, false, 0, 0, NULL},
};
static const body_field_t patch_fields[] = {
        {"version", BODY_INT, true, 1, INT32_MAX, NULL},
        {"fields", BODY_OBJECT, false, 0, 0, NULL},
        {"comment", BODY_TEXT, false, 0, CONTRIBUTION_COMMENT_MAX, NULL},
        {"submit", BODY_BOOL, false, 0, 0, NULL},
        {NULL, 0, false, 0, 0, NULL},
};
static const body_field_t review_fields[] = {
        {"version", BODY_INT, true, 1, INT32_MAX, NULL},
        {"decision", BODY_ENUM, true, 0, 0, decisions},
        {"reason", BODY_TEXT, false, 0, CONTRIBUTION_COMMENT_MAX, NULL},
        {NULL, 0, false, 0, 0, NULL},
};

/* Answers the contribution with status. */
static void ct_reply(app_t *app, resp_t *resp, int status, int64_t id) {
    json_t *out;
    dom_status st = contribution_get(app->db, id, &out);
    if (st != DOM_OK)
        reply_failure(resp, st, "Aucune contribution ne porte cet identifiant.");
    else
        resp_json(resp, status, out);
}

/* The answer of a write that did not happen for a reason of the domain. */
static void ct_refusal(app_t *app, resp_t *resp, contribution_result res, int64_t id) {
    json_t *current;
    switch (res) {
    case CONTRIB_CONFLICT:
        if (contribution_get(app->db, id, &current) != DOM_OK)
            current = json_null();
        resp_json(resp, 409,
                  json_pack("{s{ss ss ss} sO* so}", "error", "code", "conflict", "message",
                            "Cette contribution a changé entre-temps (quelqu'un d'autre l'a "
                            "traitée, ou elle a été modifiée dans un autre onglet) : voici son "
                            "état actuel.",
                            "field", "version", "current_version",
                            json_object_get(current, "version"), "current", current));
        break;
    case CONTRIB_LOCKED:
        resp_error(resp, 409, "locked",
                   "Cette contribution ne peut plus être modifiée : elle est en cours de "
                   "modération ou déjà traitée.",
                   NULL);
        break;
    case CONTRIB_INCOMPLETE:
        resp_error(resp, 400, "invalid_field",
                   "Donnez un titre à l'initiative avant de l'envoyer à la modération.",
                   "fields.title");
        break;
    case CONTRIB_NO_INITIATIVE:
        resp_error(resp, 404, "not_found", "Aucune initiative publiée ne porte cet identifiant.",
                   NULL);
        break;
    case CONTRIB_LIMIT:
        resp_error(resp, 409, "limit_reached",
                   "Vous avez déjà 100 contributions en cours : attendez qu'elles soient "
                   "traitées, ou retirez-en.",
                   NULL);
        break;
    default:
        auth_refuse(resp, POLICY_HIDDEN);
        break;
    }
}

/* The answer of a write: the database's failure, the domain's refusal (about contribution
 * refused_id), or on success the contribution id with status (204: no body). */
static void ct_answer(app_t *app, resp_t *resp, dom_status st, contribution_result res, int status,
                      int64_t id, int64_t refused_id) {
    if (st != DOM_OK)
        reply_failure(resp, st, NULL);
    else if (res != CONTRIB_DONE)
        ct_refusal(app, resp, res, refused_id);
    else if (status == 204)
        reply_no_content(resp);
    else
        ct_reply(app, resp, status, id);
}

/* Reads the contribution of the path and asks the policy for action. */
static bool ct_allowed(app_t *app, const req_t *req, resp_t *resp, const actor_t *actor,
                       policy_action action, int64_t *id) {
    policy_object_t obj;
    if (!param_path_id(req, resp, "id", id))
        return false;
    dom_status st = contribution_find(app->db, *id, &obj);
    if (st == DOM_NOT_FOUND) {
        auth_refuse(resp, POLICY_HIDDEN);
        return false;
    }
    if (st != DOM_OK) {
        reply_failure(resp, st, NULL);
        return false;
    }
    return auth_allow(resp, actor, action, &obj);
}

void handle_contribution_create(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    json_t *body = NULL, *fields = NULL;
    contribution_result res;
    int64_t id;
    if (!auth_require(app, req, resp, &actor) ||
        !body_parse(req, resp, propose_fields, BODY_MAX_DEFAULT, &body) ||
        !auth_allow(resp, &actor, POLICY_CONTRIBUTE, NULL) ||
        !edit_fields(app, resp, json_object_get(body, "fields"), false, &fields) ||
        !edit_rate_limit(app, resp, &actor, "contribute-user"))
        goto done;
    bool submit = json_is_true(json_object_get(body, "submit"));
    dom_status st = contribution_propose(app->db, actor.user_id, fields, body_str(body, "comment"),
                                         submit, &res, &id);
    ct_answer(app, resp, st, res, 201, id, 0);
done:
    json_decref(fields);
    json_decref(body);
}

void handle_correction_create(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    json_t *body = NULL, *fields = NULL;
    contribution_result res;
    int64_t initiative_id, id;
    if (!auth_require(app, req, resp, &actor) || !param_path_id(req, resp, "id", &initiative_id) ||
        !body_parse(req, resp, correct_fields, BODY_MAX_DEFAULT, &body) ||
        !auth_allow(resp, &actor, POLICY_CONTRIBUTE, NULL) ||
        !edit_fields(app, resp, json_object_get(body, "fields"), true, &fields) ||
        !edit_rate_limit(app, resp, &actor, "contribute-user"))
        goto done;
    dom_status st = contribution_correct(app->db, actor.user_id, initiative_id,
                                         body_int(body, "version", 0), fields,
                                         body_str(body, "comment"), &res, &id);
    ct_answer(app, resp, st, res, 201, id, 0);
done:
    json_decref(fields);
    json_decref(body);
}

void handle_contribution_mine(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    json_t *out;
    if (!auth_require(app, req, resp, &actor) || !auth_allow(resp, &actor, POLICY_SPACE_USE, NULL))
        return;
    dom_status st = contribution_list_mine(app->db, actor.user_id, &out);
    if (st != DOM_OK)
        reply_failure(resp, st, NULL);
    else
        resp_json(resp, 200, out);
}

void handle_contribution_get(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    int64_t id;
    if (!auth_require(app, req, resp, &actor) ||
        !ct_allowed(app, req, resp, &actor, POLICY_CONTRIBUTION_READ, &id))
        return;
    ct_reply(app, resp, 200, id);
}

void handle_contribution_patch(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    json_t *body = NULL, *fields = NULL;
    contribution_result res;
    int64_t id;
    if (!auth_require(app, req, resp, &actor) ||
        !ct_allowed(app, req, resp, &actor, POLICY_CONTRIBUTION_EDIT, &id) ||
        !body_parse(req, resp, patch_fields, BODY_MAX_DEFAULT, &body))
        goto done;
    const json_t *raw = json_object_get(body, "fields");
    if (raw != NULL && !edit_fields(app, resp, raw, false, &fields))
        goto done;
    dom_status st = contribution_update(app->db, id, actor.user_id, body_int(body, "version", 0),
                                        fields, body_str(body, "comment"),
                                        json_is_true(json_object_get(body, "submit")), &res);
    ct_answer(app, resp, st, res, 200, id, id);
done:
    json_decref(fields);
    json_decref(body);
}

void handle_contribution_delete(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    contribution_result res;
    int64_t id;
    if (!auth_require(app, req, resp, &actor) ||
        !ct_allowed(app, req, resp, &actor, POLICY_CONTRIBUTION_EDIT, &id))
        return;
    dom_status st = contribution_withdraw(app->db, id, actor.user_id, &res);
    ct_answer(app, resp, st, res, 204, id, id);
}

void handle_contribution_review(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    json_t *body = NULL;
    contribution_result res;
    int64_t id, initiative_id;
    if (!auth_require(app, req, resp, &actor) || !auth_allow(resp, &actor, POLICY_MODERATE, NULL) ||
        !param_path_id(req, resp, "id", &id) ||
        !body_parse(req, resp, review_fields, BODY_MAX_DEFAULT, &body) ||
        !edit_reason_given(resp, body))
        goto done;
    dom_status st = contribution_review(app->db, id, body_int(body, "version", 0),
                                        body_str(body, "decision"), body_str(body, "reason"),
                                        actor.user_id, app->cfg->public_url, &res, &initiative_id);
    ct_answer(app, resp, st, res, 200, id, id);
done:
    json_decref(body);
}

/* Claims (« Je porte ce projet ») and their review by moderators (docs/api.md,
 * "Contributions"). Every answer is personal. */
#include <stdint.h>

#include "domain/edits/claim.h"
#include "http/auth.h"
#include "http/body.h"
#include "http/edit_input.h"
#include "http/handlers.h"
#include "http/params.h"
#include "http/reply.h"

static const char *const decisions[] = {"approve", "reject", NULL};

static const body_field_t create_fields[] = {
        {"message", BODY_TEXT, false, 0, CLAIM_MESSAGE_MAX, NULL},
        {NULL, 0, false, 0, 0, NULL},
};
static const body_field_t review_fields[] = {
        {"version", BODY_INT, true, 1, INT32_MAX, NULL},
        {"decision", BODY_ENUM, true, 0, 0, decisions},
        {"reason", BODY_TEXT, false, 0, CLAIM_MESSAGE_MAX, NULL},
        {NULL, 0, false, 0, 0, NULL},
};

void handle_claim_create(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    json_t *body = NULL, *out = NULL;
    claim_result res;
    int64_t initiative_id;
    if (!auth_require(app, req, resp, &actor) || !param_path_id(req, resp, "id", &initiative_id) ||
        !body_parse(req, resp, create_fields, BODY_MAX_DEFAULT, &body) ||
        !auth_allow(resp, &actor, POLICY_CONTRIBUTE, NULL) ||
        !edit_rate_limit(app, resp, &actor, "claim-user"))
        goto done;
    const char *message = body_str(body, "message");
    dom_status st = claim_create(app->db, actor.user_id, initiative_id,
                                 message && message[0] ? message : NULL, &res, &out);
    if (st != DOM_OK)
        reply_failure(resp, st, NULL);
    else if (res == CLAIM_NO_INITIATIVE)
        resp_error(resp, 404, "not_found", "Aucune initiative publiée ne porte cet identifiant.",
                   NULL);
    else if (res == CLAIM_EXISTS)
        resp_error(resp, 409, "already_claimed",
                   "Vous avez déjà une demande en cours ou acceptée pour cette initiative.", NULL);
    else {
        resp_json(resp, 201, out);
        out = NULL;
    }
done:
    json_decref(out);
    json_decref(body);
}

void handle_claim_mine(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    json_t *out;
    if (!auth_require(app, req, resp, &actor) || !auth_allow(resp, &actor, POLICY_SPACE_USE, NULL))
        return;
    dom_status st = claim_list_mine(app->db, actor.user_id, &out);
    if (st != DOM_OK)
        reply_failure(resp, st, NULL);
    else
        resp_json(resp, 200, out);
}

void handle_claim_review(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    json_t *body = NULL;
    edits_outcome out;
    int64_t id;
    if (!auth_require(app, req, resp, &actor) || !auth_allow(resp, &actor, POLICY_MODERATE, NULL) ||
        !param_path_id(req, resp, "id", &id) ||
        !body_parse(req, resp, review_fields, BODY_MAX_DEFAULT, &body) ||
        !edit_reason_given(resp, body))
        goto done;
    dom_status st =
            claim_review(app->db, id, body_int(body, "version", 0), body_str(body, "decision"),
                         body_str(body, "reason"), actor.user_id, app->cfg->public_url, &out);
    if (st != DOM_OK)
        reply_failure(resp, st, NULL);
    else if (out == EDITS_CONFLICT)
        resp_error(resp, 409, "conflict",
                   "Cette demande a déjà été traitée, ou a changé entre-temps : rechargez la "
                   "file.",
                   "version");
    else if (out != EDITS_DONE)
        auth_refuse(resp, POLICY_HIDDEN);
    else
        reply_no_content(resp);
done:
    json_decref(body);
}

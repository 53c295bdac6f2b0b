/* The signed-in person's API keys (docs/api.md, "API keys and quotas"): every answer is private.
 * The secret is made here, shown in the answer of its creation only, and never kept: PostgreSQL
 * holds its SHA-256. */
#include <stdint.h>

#include "domain/people/apikey.h"
#include "http/auth.h"
#include "http/body.h"
#include "http/handlers.h"
#include "http/params.h"
#include "http/partner.h"
#include "http/reply.h"

static const body_field_t create_fields[] = {
        {"name", BODY_STR, true, 0, APIKEY_NAME_MAX, NULL},
        {NULL, 0, false, 0, 0, NULL},
};

void handle_key_list(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    json_t *out;
    if (!auth_require(app, req, resp, &actor) ||
        !auth_allow(resp, &actor, POLICY_API_KEY_MANAGE,
                    &(policy_object_t){.owner_id = actor.user_id}))
        return;
    dom_status st = apikey_list(app->db, actor.user_id, &out);
    if (st != DOM_OK) {
        reply_failure(resp, st, NULL);
        return;
    }
    resp_json(resp, 200, out);
}

void handle_key_create(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    json_t *body = NULL, *out = NULL;
    apikey_result res;
    char secret[PARTNER_SECRET_LEN], prefix[PARTNER_PREFIX_LEN], hash[65];
    if (!auth_require(app, req, resp, &actor) ||
        !body_parse(req, resp, create_fields, BODY_MAX_DEFAULT, &body) ||
        !auth_allow(resp, &actor, POLICY_API_KEY_MANAGE, NULL))
        goto done;
    if (!partner_new_secret(secret, prefix, hash)) {
        reply_failure(resp, DOM_INTERNAL, NULL);
        goto done;
    }
    dom_status st =
            apikey_create(app->db, actor.user_id, body_str(body, "name"), prefix, hash, &res, &out);
    if (st != DOM_OK) {
        reply_failure(resp, st, NULL);
    } else if (res == APIKEY_LIMIT) {
        resp_error(resp, 409, "limit_reached",
                   "Vous avez atteint le nombre maximal de clés d'API actives (10) : révoquez-en "
                   "une d'abord.",
                   NULL);
    } else if (res != APIKEY_DONE) {
        auth_refuse(resp, POLICY_HIDDEN);
    } else {
        /* The only time the secret is given: the answer is private and stored nowhere. */
        json_object_set_new(out, "secret", json_string(secret));
        resp_json(resp, 201, out);
        out = NULL;
    }
done:
    json_decref(out);
    json_decref(body);
}

void handle_key_delete(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    int64_t id;
    policy_object_t obj;
    apikey_result res;
    char hash[APIKEY_HEX_LEN + 1];
    if (!auth_require(app, req, resp, &actor) || !param_path_id(req, resp, "id", &id))
        return;
    dom_status st = apikey_find(app->db, id, &obj);
    if (st == DOM_NOT_FOUND) {
        auth_refuse(resp, POLICY_HIDDEN);
        return;
    }
    if (st != DOM_OK) {
        reply_failure(resp, st, NULL);
        return;
    }
    if (!auth_allow(resp, &actor, POLICY_API_KEY_MANAGE, &obj))
        return;
    st = apikey_revoke(app->db, id, actor.user_id, &res, hash);
    if (st != DOM_OK) {
        reply_failure(resp, st, NULL);
    } else if (res != APIKEY_DONE) {
        auth_refuse(resp, POLICY_HIDDEN);
    } else {
        /* Every worker refuses it from the next request on. */
        partner_key_revoked(app, hash);
        reply_no_content(resp);
    }
}

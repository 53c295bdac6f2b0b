/* The signed-in person's account (docs/api.md, "Accounts"): every answer is private. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "domain/people/account.h"
#include "domain/people/apikey.h"
#include "domain/people/password.h"
#include "domain/people/session.h"
#include "http/account_input.h"
#include "http/auth.h"
#include "http/body.h"
#include "http/handlers.h"
#include "http/partner.h"
#include "http/reply.h"

static const body_field_t rename_fields[] = {
        {"display_name", BODY_STR, true, 0, 80, NULL},
        {"version", BODY_INT, true, 1, 2147483647, NULL},
        {NULL, 0, false, 0, 0, NULL},
};
static const body_field_t password_fields[] = {
        {"current_password", BODY_SECRET, true, 0, PASSWORD_MAX_CHARS, NULL},
        {"new_password", BODY_SECRET, true, 0, PASSWORD_MAX_CHARS, NULL},
        {NULL, 0, false, 0, 0, NULL},
};
static const body_field_t email_fields[] = {
        {"email", BODY_STR, true, 0, 254, NULL},
        {"password", BODY_SECRET, true, 0, PASSWORD_MAX_CHARS, NULL},
        {NULL, 0, false, 0, 0, NULL},
};
static const body_field_t delete_fields[] = {
        {"password", BODY_SECRET, true, 0, PASSWORD_MAX_CHARS, NULL},
        {NULL, 0, false, 0, 0, NULL},
};

/* Checks the actor's own password (changing it, the address, deleting the account). On refusal
 * the answer is written: 403 invalid_credentials, or the failure. */
static bool own_password(app_t *app, resp_t *resp, const actor_t *actor, const char *password,
                         const char *field) {
    char hash[PASSWORD_HASH_MAX], uid[24];
    snprintf(uid, sizeof uid, "%lld", (long long)actor->user_id);
    /* The same bound as log-ins: a stolen session must not become a password oracle. */
    if (!auth_rate_limit(app, resp, "own-password", uid, 10, 300))
        return false;
    dom_status st = account_hash_by_id(app->db, actor->user_id, hash, sizeof hash);
    if (st != DOM_OK) {
        reply_failure(resp, st, NULL);
        return false;
    }
    password_status ps = password_verify(password, hash);
    if (ps == PASSWORD_OK)
        return true;
    if (ps == PASSWORD_MISMATCH)
        resp_error(resp, 403, "invalid_credentials", "Le mot de passe actuel est incorrect.",
                   field);
    else
        input_password_failure(resp, ps);
    return false;
}

void handle_me_get(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    json_t *user = NULL;
    if (!auth_require(app, req, resp, &actor))
        return;
    dom_status st = account_get(app->db, actor.user_id, &user);
    if (st != DOM_OK) {
        reply_failure(resp, st, NULL);
        return;
    }
    resp_json(resp, 200, json_pack("{so ss}", "user", user, "csrf_token", actor.csrf_token));
}

void handle_me_patch(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    json_t *body = NULL, *user = NULL;
    account_result res;
    if (!auth_require(app, req, resp, &actor) ||
        !body_parse(req, resp, rename_fields, BODY_MAX_DEFAULT, &body))
        goto done;
    dom_status st = account_rename(app->db, actor.user_id, body_str(body, "display_name"),
                                   body_int(body, "version", 0), &res, &user);
    if (st != DOM_OK) {
        reply_failure(resp, st, NULL);
    } else if (res == ACCOUNT_CONFLICT) {
        json_t *err = json_pack("{s{ss ss ss} so}", "error", "code", "conflict", "message",
                                "Votre profil a changé entre-temps (dans un autre onglet ?) : "
                                "voici sa version actuelle.",
                                "field", "version", "current", user);
        user = NULL;
        resp_json(resp, 409, err);
    } else {
        resp_json(resp, 200, json_pack("{so}", "user", user));
        user = NULL;
    }
done:
    json_decref(user);
    json_decref(body);
}

void handle_me_password(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    json_t *body = NULL;
    char hash[PASSWORD_HASH_MAX];
    if (!auth_require(app, req, resp, &actor) ||
        !body_parse(req, resp, password_fields, BODY_MAX_DEFAULT, &body) ||
        !own_password(app, resp, &actor, body_str(body, "current_password"), "current_password") ||
        !input_new_password(app, resp, body_str(body, "new_password"), "new_password") ||
        !input_hash(resp, body_str(body, "new_password"), hash))
        goto done;
    dom_status st = account_set_password(app->db, actor.user_id, actor.session_id, hash);
    if (st != DOM_OK)
        reply_failure(resp, st, NULL);
    else
        reply_no_content(resp);
done:
    json_decref(body);
}

void handle_me_email(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    json_t *body = NULL;
    account_result res;
    if (!auth_require(app, req, resp, &actor) ||
        !body_parse(req, resp, email_fields, BODY_MAX_DEFAULT, &body) ||
        !input_email(resp, body_str(body, "email"), "email") ||
        !own_password(app, resp, &actor, body_str(body, "password"), "password"))
        goto done;
    dom_status st = account_change_email(app->db, app->cfg->public_url, actor.user_id,
                                         body_str(body, "email"), &res);
    /* A taken address is answered like any other: the answer must not tell who has an account. */
    if (st != DOM_OK)
        reply_failure(resp, st, NULL);
    else
        resp_json(resp, 202, json_pack("{ss}", "status", "sent"));
done:
    json_decref(body);
}

void handle_me_sessions(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    json_t *items = NULL;
    if (!auth_require(app, req, resp, &actor))
        return;
    dom_status st = session_list(app->db, actor.user_id, actor.session_id, &items);
    if (st != DOM_OK) {
        reply_failure(resp, st, NULL);
        return;
    }
    resp_json(resp, 200, json_pack("{so}", "items", items));
}

void handle_me_session_delete(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    char idtext[24], *end;
    if (!auth_require(app, req, resp, &actor))
        return;
    long long id = 0;
    if (req_path_param(req, "id", idtext, sizeof idtext))
        id = strtoll(idtext, &end, 10);
    if (id <= 0 || *end != '\0') {
        resp_error(resp, 400, "invalid_parameter", "L'identifiant de session n'est pas valide.",
                   "id");
        return;
    }
    /* Only one's own sessions: another's is "not found" (the statement is scoped to the owner). */
    policy_object_t obj = {.owner_id = actor.user_id};
    if (!auth_allow(resp, &actor, POLICY_SESSION_REVOKE, &obj))
        return;
    dom_status st = session_close(app->db, actor.user_id, id);
    if (st != DOM_OK) {
        reply_failure(resp, st, "Aucune de vos sessions ne porte cet identifiant.");
        return;
    }
    reply_no_content(resp);
    if (id == actor.session_id)
        auth_set_cookie(app, resp, "");
}

void handle_me_export(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    json_t *doc = NULL;
    if (!auth_require(app, req, resp, &actor))
        return;
    dom_status st = account_export(app->db, actor.user_id, &doc);
    if (st != DOM_OK) {
        reply_failure(resp, st, NULL);
        return;
    }
    resp_json(resp, 200, doc);
    if (!resp_header(resp, "Content-Disposition",
                     "attachment; filename=\"socialconnect-mes-donnees.json\""))
        log_msg(LOG_WARN, "Content-Disposition header dropped");
}

void handle_me_delete(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    json_t *body = NULL;
    if (!auth_require(app, req, resp, &actor) ||
        !body_parse(req, resp, delete_fields, BODY_MAX_DEFAULT, &body) ||
        !own_password(app, resp, &actor, body_str(body, "password"), "password"))
        goto done;
    /* Its API keys: read before the deletion revokes them, told to Redis after it. */
    json_t *keys = NULL;
    dom_status st = apikey_live_hashes(app->db, actor.user_id, &keys);
    if (st == DOM_OK)
        st = account_delete(app->db, actor.user_id);
    if (st != DOM_OK) {
        json_decref(keys);
        reply_failure(resp, st, NULL);
        goto done;
    }
    size_t i;
    json_t *hash;
    json_array_foreach(keys, i, hash) {
        partner_key_revoked(app, json_string_value(hash));
    }
    json_decref(keys);
    reply_no_content(resp);
    auth_set_cookie(app, resp, "");
done:
    json_decref(body);
}

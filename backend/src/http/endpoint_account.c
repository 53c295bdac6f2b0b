/* Sign-up, verification, log-in and log-out, forgotten passwords (docs/api.md, "Accounts").
 * These writes have no session yet: they are held to the same-origin check and rate-limited per IP
 * and per address, and their answers never say whether an address has an account. */
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "domain/people/account.h"
#include "domain/people/password.h"
#include "domain/people/session.h"
#include "http/account_input.h"
#include "http/auth.h"
#include "http/body.h"
#include "http/handlers.h"
#include "http/reply.h"

static const body_field_t signup_fields[] = {
        {"email", BODY_STR, true, 0, 254, NULL},
        {"display_name", BODY_STR, true, 0, 80, NULL},
        {"password", BODY_SECRET, true, 0, PASSWORD_MAX_CHARS, NULL},
        {NULL, 0, false, 0, 0, NULL},
};
static const body_field_t token_fields[] = {
        {"token", BODY_SECRET, true, 0, 100, NULL},
        {NULL, 0, false, 0, 0, NULL},
};
static const body_field_t email_fields[] = {
        {"email", BODY_STR, true, 0, 254, NULL},
        {NULL, 0, false, 0, 0, NULL},
};
static const body_field_t reset_fields[] = {
        {"token", BODY_SECRET, true, 0, 100, NULL},
        {"password", BODY_SECRET, true, 0, PASSWORD_MAX_CHARS, NULL},
        {NULL, 0, false, 0, 0, NULL},
};
static const body_field_t login_fields[] = {
        {"email", BODY_STR, true, 0, 254, NULL},
        {"password", BODY_SECRET, true, 0, PASSWORD_MAX_CHARS, NULL},
        {NULL, 0, false, 0, 0, NULL},
};
static const body_field_t empty_fields[] = {
        {NULL, 0, false, 0, 0, NULL},
};

static void sent(resp_t *resp) {
    resp_json(resp, 202, json_pack("{ss}", "status", "sent"));
}

void handle_account_signup(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    json_t *body = NULL;
    char hash[PASSWORD_HASH_MAX];
    auth_private(resp);
    if (!auth_same_origin(app, req, resp) ||
        !auth_rate_limit(app, resp, "signup-ip", req->remote_addr, 20, 3600) ||
        !body_parse(req, resp, signup_fields, BODY_MAX_DEFAULT, &body))
        goto done;
    const char *email = body_str(body, "email");
    if (!input_email(resp, email, "email") ||
        !auth_rate_limit(app, resp, "signup-address", email, 3, 3600) ||
        !input_new_password(app, resp, body_str(body, "password"), "password") ||
        !input_hash(resp, body_str(body, "password"), hash))
        goto done;
    dom_status st = account_signup(app->db, app->cfg->public_url, email,
                                   body_str(body, "display_name"), hash);
    if (st != DOM_OK) {
        reply_failure(resp, st, NULL);
        goto done;
    }
    sent(resp);
done:
    json_decref(body);
}

void handle_account_verify(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    json_t *body = NULL, *user = NULL;
    account_result res;
    auth_private(resp);
    if (!auth_same_origin(app, req, resp) ||
        !auth_rate_limit(app, resp, "token-ip", req->remote_addr, 60, 600) ||
        !body_parse(req, resp, token_fields, BODY_MAX_DEFAULT, &body))
        goto done;
    dom_status st = account_verify(app->db, body_str(body, "token"), &res, &user);
    if (st != DOM_OK) {
        reply_failure(resp, st, NULL);
    } else if (res != ACCOUNT_DONE) {
        resp_error(resp, 400, "invalid_token",
                   "Ce lien n'est pas valable : il a déjà servi, a expiré, ou l'adresse a changé "
                   "depuis. Demandez-en un nouveau.",
                   "token");
    } else {
        resp_json(resp, 200, json_pack("{so}", "user", user));
        user = NULL;
    }
done:
    json_decref(user);
    json_decref(body);
}

void handle_account_verify_resend(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    json_t *body = NULL;
    char uid[24];
    if (!auth_require(app, req, resp, &actor))
        return;
    snprintf(uid, sizeof uid, "%lld", (long long)actor.user_id);
    if (!auth_rate_limit(app, resp, "resend-user", uid, 5, 3600) ||
        !body_parse(req, resp, empty_fields, BODY_MAX_DEFAULT, &body))
        goto done;
    dom_status st = account_verify_resend(app->db, app->cfg->public_url, actor.user_id);
    if (st != DOM_OK)
        reply_failure(resp, st, NULL);
    else
        sent(resp);
done:
    json_decref(body);
}

void handle_account_forgot(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    json_t *body = NULL;
    auth_private(resp);
    if (!auth_same_origin(app, req, resp) ||
        !auth_rate_limit(app, resp, "reset-ip", req->remote_addr, 20, 3600) ||
        !body_parse(req, resp, email_fields, BODY_MAX_DEFAULT, &body))
        goto done;
    const char *email = body_str(body, "email");
    if (!input_email(resp, email, "email") ||
        !auth_rate_limit(app, resp, "reset-address", email, 3, 3600))
        goto done;
    dom_status st = account_forgot(app->db, app->cfg->public_url, email);
    if (st != DOM_OK)
        reply_failure(resp, st, NULL);
    else
        sent(resp);
done:
    json_decref(body);
}

void handle_account_reset(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    json_t *body = NULL;
    char hash[PASSWORD_HASH_MAX];
    account_result res;
    auth_private(resp);
    if (!auth_same_origin(app, req, resp) ||
        !auth_rate_limit(app, resp, "token-ip", req->remote_addr, 60, 600) ||
        !body_parse(req, resp, reset_fields, BODY_MAX_DEFAULT, &body) ||
        !input_new_password(app, resp, body_str(body, "password"), "password") ||
        !input_hash(resp, body_str(body, "password"), hash))
        goto done;
    dom_status st = account_reset(app->db, body_str(body, "token"), hash, &res);
    if (st != DOM_OK)
        reply_failure(resp, st, NULL);
    else if (res != ACCOUNT_DONE)
        resp_error(resp, 400, "invalid_token",
                   "Ce lien n'est pas valable : il a déjà servi ou a expiré (il vaut une heure). "
                   "Demandez-en un nouveau.",
                   "token");
    else
        resp_json(resp, 200, json_pack("{ss}", "status", "reset"));
done:
    json_decref(body);
}

/* The answer of a successful log-in: the user, the CSRF token and the cookie. */
static void session_answer(app_t *app, resp_t *resp, const actor_t *actor, const char *token) {
    json_t *user = NULL;
    dom_status st = account_get(app->db, actor->user_id, &user);
    if (st != DOM_OK) {
        reply_failure(resp, st, NULL);
        return;
    }
    resp_json(resp, 200, json_pack("{so ss}", "user", user, "csrf_token", actor->csrf_token));
    auth_set_cookie(app, resp, token);
}

void handle_session_open(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    json_t *body = NULL;
    char hash[PASSWORD_HASH_MAX], token[CRYPTO_TOKEN_LEN], pair[600];
    int64_t user_id;
    actor_t actor;
    auth_private(resp);
    if (!auth_same_origin(app, req, resp) ||
        !auth_rate_limit(app, resp, "login-ip", req->remote_addr, 30, 300) ||
        !body_parse(req, resp, login_fields, BODY_MAX_DEFAULT, &body))
        goto done;
    const char *email = body_str(body, "email");
    /* Guessing one address is slowed from each IP, and from all of them together much later:
     * its owner, from their own IP, is never locked out by someone else's attempts. */
    snprintf(pair, sizeof pair, "%s|%s", email, req->remote_addr);
    if (!auth_rate_limit(app, resp, "login-pair", pair, 10, 300) ||
        !auth_rate_limit(app, resp, "login-address", email, 100, 3600))
        goto done;
    dom_status st = account_credentials(app->db, email, &user_id, hash, sizeof hash);
    if (st != DOM_OK && st != DOM_NOT_FOUND) {
        reply_failure(resp, st, NULL);
        goto done;
    }
    password_status ps = password_verify(body_str(body, "password"), st == DOM_OK ? hash : NULL);
    if (ps == PASSWORD_BUSY || ps == PASSWORD_ERROR) {
        input_password_failure(resp, ps);
        goto done;
    }
    if (ps != PASSWORD_OK) {
        resp_error(resp, 401, "invalid_credentials", "Adresse e-mail ou mot de passe incorrect.",
                   NULL);
        goto done;
    }
    st = session_open(app->db, user_id, req->user_agent, token, &actor);
    if (st != DOM_OK) {
        reply_failure(resp, st, NULL);
        goto done;
    }
    session_answer(app, resp, &actor, token);
done:
    json_decref(body);
}

void handle_session_close(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    if (!auth_require(app, req, resp, &actor))
        return;
    dom_status st = session_close(app->db, actor.user_id, actor.session_id);
    if (st != DOM_OK && st != DOM_NOT_FOUND) {
        reply_failure(resp, st, NULL);
        return;
    }
    reply_no_content(resp);
    auth_set_cookie(app, resp, "");
}

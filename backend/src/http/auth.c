#include "http/auth.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/crypto.h"
#include "core/log.h"
#include "domain/people/session.h"
#include "http/reply.h"

const char *auth_cookie_name(const app_t *app) {
    return app->cfg->cookie_secure ? "__Host-sc_session" : "sc_session";
}

void auth_private(resp_t *resp) {
    for (size_t i = 0; i < resp->nheaders; i++)
        if (strcasecmp(resp->headers[i].name, "Cache-Control") == 0)
            return;
    if (!resp_header(resp, "Cache-Control", "private, no-store"))
        log_msg(LOG_WARN, "Cache-Control header dropped");
}

bool auth_identify(app_t *app, const req_t *req, resp_t *resp, actor_t *actor) {
    char token[CRYPTO_TOKEN_LEN];
    actor_anonymous(actor);
    /* A token is always 43 characters of base64url: anything else is no session. */
    if (!req_cookie(req, auth_cookie_name(app), token, sizeof token) ||
        strlen(token) != CRYPTO_TOKEN_LEN - 1)
        return true;
    dom_status st = session_lookup(app->db, token, actor);
    if (st == DOM_OK || st == DOM_NOT_FOUND)
        return true;
    reply_failure(resp, st, NULL);
    return false;
}

static bool auth_unsafe_method(const req_t *req) {
    return strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0;
}

bool auth_same_origin(app_t *app, const req_t *req, resp_t *resp) {
    bool ok = true;
    if (req->sec_fetch_site[0] != '\0' && strcmp(req->sec_fetch_site, "same-origin") != 0 &&
        strcmp(req->sec_fetch_site, "none") != 0)
        ok = false;
    if (ok && req->origin[0] != '\0' && strcmp(req->origin, app->cfg->public_origin) != 0) {
        /* The site may be reached under another name than SC_PUBLIC_URL (a local address): the
         * origin must then name the host the request was sent to. */
        const char *o = req->origin;
        if (strncmp(o, "https://", 8) == 0)
            o += 8;
        else if (strncmp(o, "http://", 7) == 0)
            o += 7;
        else
            o = NULL;
        ok = o != NULL && req->host[0] != '\0' && strcasecmp(o, req->host) == 0;
    }
    if (!ok)
        resp_error(resp, 403, "csrf_failed",
                   "Cette demande ne vient pas de SocialConnect : elle est refusée.", NULL);
    return ok;
}

bool auth_require(app_t *app, const req_t *req, resp_t *resp, actor_t *actor) {
    auth_private(resp);
    if (!auth_identify(app, req, resp, actor))
        return false;
    if (actor->user_id == 0) {
        auth_refuse(resp, POLICY_UNAUTHENTICATED);
        return false;
    }
    if (!auth_unsafe_method(req))
        return true;
    if (!auth_same_origin(app, req, resp))
        return false;
    if (req->csrf_token[0] == '\0' || !crypto_equal(req->csrf_token, actor->csrf_token)) {
        resp_error(resp, 403, "csrf_failed",
                   "Le jeton de sécurité (CSRF) de cette demande est absent ou périmé : rechargez "
                   "la page et réessayez.",
                   "X-CSRF-Token");
        return false;
    }
    return true;
}

bool auth_allow(resp_t *resp, const actor_t *actor, policy_action action,
                const policy_object_t *obj) {
    policy_verdict v = policy_can(actor, action, obj);
    if (v == POLICY_ALLOW)
        return true;
    auth_refuse(resp, v);
    return false;
}

void auth_refuse(resp_t *resp, policy_verdict v) {
    auth_private(resp);
    switch (v) {
    case POLICY_UNAUTHENTICATED:
        resp_error(resp, 401, "unauthenticated", "Connectez-vous pour accéder à cette page.", NULL);
        break;
    case POLICY_HIDDEN:
        resp_error(resp, 404, "not_found", "Aucune ressource à cette adresse.", NULL);
        break;
    case POLICY_UNVERIFIED:
        resp_error(resp, 403, "unverified",
                   "Confirmez d'abord votre adresse e-mail (lien reçu à l'inscription).", NULL);
        break;
    case POLICY_FORBIDDEN:
    default:
        resp_error(resp, 403, "forbidden", "Vous n'avez pas le droit de faire cela.", NULL);
        break;
    }
}

bool auth_rate_limit(app_t *app, resp_t *resp, const char *kind, const char *subject, int max,
                     int window_s) {
    char hash[CRYPTO_HEX_LEN + 2], key[160], retry[24];
    long long count, ttl;
    if (!app->cfg->rate_limits)
        return true;
    crypto_sha256_bytea(subject, hash);
    snprintf(key, sizeof key, "sc:rl:%s:%.24s", kind, hash + 2);
    if (!cache_count_window(app->cache, key, window_s, &count, &ttl)) {
        log_msg(LOG_WARN, "rate limit %s not applied: Redis unavailable", kind);
        return true;
    }
    if (count <= max)
        return true;
    snprintf(retry, sizeof retry, "%lld", ttl);
    resp_error(resp, 429, "rate_limited",
               "Trop de tentatives en peu de temps : réessayez dans quelques minutes.", NULL);
    if (!resp_header(resp, "Retry-After", retry))
        log_msg(LOG_WARN, "Retry-After header dropped");
    return false;
}

void auth_set_cookie(app_t *app, resp_t *resp, const char *token) {
    char v[200];
    bool clear = token[0] == '\0';
    snprintf(v, sizeof v, "%s=%s; Path=/; HttpOnly; SameSite=Lax; Max-Age=%d%s",
             auth_cookie_name(app), token, clear ? 0 : 180 * 86400,
             app->cfg->cookie_secure ? "; Secure" : "");
    if (!resp_header(resp, "Set-Cookie", v))
        log_msg(LOG_ERROR, "Set-Cookie header dropped");
}

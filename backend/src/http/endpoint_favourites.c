/* The signed-in person's favourites (docs/api.md, "The personal space"): every answer is private.
 */
#include "domain/people/favourite.h"
#include "http/auth.h"
#include "http/handlers.h"
#include "http/params.h"
#include "http/reply.h"

/* The session, and the policy's leave to use one's favourites. */
static bool favourites_allowed(app_t *app, const req_t *req, resp_t *resp, actor_t *actor) {
    if (!auth_require(app, req, resp, actor))
        return false;
    if (!auth_allow(resp, actor, POLICY_FAVOURITE_EDIT, NULL))
        return false;
    return true;
}

void handle_favourite_list(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    int limit;
    cursor_t cursor;
    bool has_cursor;
    const char *lang;
    json_t *out;
    if (!favourites_allowed(app, req, resp, &actor) ||
        !param_limit(req, resp, 20, FAVOURITE_PAGE_MAX, &limit) ||
        !param_cursor(req, resp, &cursor, &has_cursor) || !param_lang(req, resp, &lang))
        return;
    if (has_cursor && cursor.kind != CURSOR_KEYSET) {
        resp_error(resp, 400, "invalid_parameter",
                   "cursor ne provient pas de cette liste : utilisez son next_cursor.", "cursor");
        return;
    }
    dom_status st =
            favourite_list(app->db, actor.user_id, has_cursor ? &cursor : NULL, limit, lang, &out);
    if (st != DOM_OK) {
        reply_failure(resp, st, NULL);
        return;
    }
    resp_json(resp, 200, out);
}

void handle_favourite_ids(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    json_t *out;
    if (!favourites_allowed(app, req, resp, &actor))
        return;
    dom_status st = favourite_ids(app->db, actor.user_id, &out);
    if (st != DOM_OK) {
        reply_failure(resp, st, NULL);
        return;
    }
    resp_json(resp, 200, out);
}

void handle_favourite_put(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    int64_t id;
    favourite_result res;
    if (!favourites_allowed(app, req, resp, &actor) ||
        !param_path_id(req, resp, "initiative_id", &id))
        return;
    dom_status st = favourite_add(app->db, actor.user_id, id, &res);
    if (st != DOM_OK) {
        reply_failure(resp, st, NULL);
    } else if (res == FAVOURITE_NO_INITIATIVE) {
        resp_error(resp, 404, "not_found", "Aucune initiative ne porte cet identifiant.", NULL);
    } else if (res == FAVOURITE_LIMIT) {
        resp_error(resp, 409, "limit_reached",
                   "Vous avez atteint le nombre maximal de favoris (5 000) : retirez-en d'abord.",
                   NULL);
    } else {
        reply_no_content(resp);
    }
}

void handle_favourite_delete(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    int64_t id;
    if (!favourites_allowed(app, req, resp, &actor) ||
        !param_path_id(req, resp, "initiative_id", &id))
        return;
    dom_status st = favourite_remove(app->db, actor.user_id, id);
    if (st != DOM_OK) {
        reply_failure(resp, st, NULL);
        return;
    }
    reply_no_content(resp);
}

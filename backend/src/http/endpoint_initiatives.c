#include "domain/initiative.h"
#include "http/handlers.h"
#include "http/params.h"
#include "http/reply.h"

void handle_initiative_get(const req_t *req, resp_t *resp, void *ctx) {
    static const char *const shape[] = {"lang", NULL};
    app_t *app = ctx;
    int64_t id;
    const char *lang;
    char key[REPLY_KEY_MAX];
    json_t *out;
    if (!param_path_id(req, resp, "id", &id) || !param_lang(req, resp, &lang) ||
        reply_cached(app, req, shape, resp, key))
        return;
    dom_status st = initiative_get(app->db, id, lang, &out);
    if (st != DOM_OK) {
        reply_failure(resp, st, "Aucune initiative ne porte cet identifiant.");
        return;
    }
    reply_ok_cached(app, resp, out, key);
}

void handle_initiative_list(const req_t *req, resp_t *resp, void *ctx) {
    static const char *const shape[] = {"lang", "limit", "cursor", NULL};
    app_t *app = ctx;
    int limit;
    cursor_t cursor;
    bool has_cursor;
    const char *lang;
    char key[REPLY_KEY_MAX];
    json_t *out;
    if (!param_limit(req, resp, 20, INITIATIVE_PAGE_MAX, &limit) ||
        !param_cursor(req, resp, &cursor, &has_cursor) || !param_lang(req, resp, &lang))
        return;
    if (has_cursor && cursor.kind != CURSOR_KEYSET) {
        resp_error(resp, 400, "invalid_parameter",
                   "cursor ne provient pas de cette liste : utilisez son next_cursor.", "cursor");
        return;
    }
    if (reply_cached(app, req, shape, resp, key))
        return;
    dom_status st = initiative_list(app->db, has_cursor ? &cursor : NULL, limit, lang, &out);
    if (st != DOM_OK) {
        reply_failure(resp, st, "Aucune initiative ne porte cet identifiant.");
        return;
    }
    reply_ok_cached(app, resp, out, key);
}

#include "domain/source.h"
#include "http/handlers.h"
#include "http/params.h"
#include "http/reply.h"

#define UNKNOWN_SOURCE "Aucune source ne porte cet identifiant."

void handle_source_list(const req_t *req, resp_t *resp, void *ctx) {
    static const char *const shape[] = {NULL};
    app_t *app = ctx;
    char key[REPLY_KEY_MAX];
    json_t *out;
    if (reply_cached(app, req, shape, resp, key))
        return;
    dom_status st = source_list(app->db, &out);
    if (st != DOM_OK) {
        reply_failure(resp, st, NULL);
        return;
    }
    reply_ok_cached(app, resp, out, key);
}

void handle_source_get(const req_t *req, resp_t *resp, void *ctx) {
    static const char *const shape[] = {NULL};
    app_t *app = ctx;
    char slug[64];
    char key[REPLY_KEY_MAX];
    json_t *out;
    if (!param_path_slug(req, resp, "slug", slug) || reply_cached(app, req, shape, resp, key))
        return;
    dom_status st = source_get(app->db, slug, &out);
    if (st != DOM_OK) {
        reply_failure(resp, st, UNKNOWN_SOURCE);
        return;
    }
    reply_ok_cached(app, resp, out, key);
}

void handle_source_runs(const req_t *req, resp_t *resp, void *ctx) {
    static const char *const shape[] = {"limit", "cursor", NULL};
    app_t *app = ctx;
    char slug[64];
    char key[REPLY_KEY_MAX];
    int limit;
    cursor_t cursor;
    bool has_cursor;
    json_t *out;
    if (!param_path_slug(req, resp, "slug", slug) ||
        !param_limit(req, resp, 20, SOURCE_RUNS_PAGE_MAX, &limit) ||
        !param_cursor(req, resp, &cursor, &has_cursor))
        return;
    if (has_cursor && cursor.kind != CURSOR_KEYSET) {
        resp_error(resp, 400, "invalid_parameter",
                   "cursor ne provient pas de cette liste : utilisez son next_cursor.", "cursor");
        return;
    }
    if (reply_cached(app, req, shape, resp, key))
        return;
    dom_status st = source_runs(app->db, slug, has_cursor ? &cursor : NULL, limit, &out);
    if (st != DOM_OK) {
        reply_failure(resp, st, UNKNOWN_SOURCE);
        return;
    }
    reply_ok_cached(app, resp, out, key);
}

#include "domain/suggest.h"
#include "http/handlers.h"
#include "http/params.h"
#include "http/reply.h"

void handle_suggest(const req_t *req, resp_t *resp, void *ctx) {
    static const char *const shape[] = {"q", "limit", "lang", NULL};
    app_t *app = ctx;
    char qbuf[SUGGEST_Q_MAX + 1];
    char key[REPLY_KEY_MAX];
    const char *q;
    const char *lang;
    int limit;
    json_t *out;
    if (!param_text(req, resp, "q", SUGGEST_Q_MAX, qbuf, &q) ||
        !param_int(req, resp, "limit", 5, 1, SUGGEST_LIMIT_MAX, &limit) ||
        !param_lang(req, resp, &lang))
        return;
    if (q == NULL || q[0] == '\0') {
        resp_error(resp, 400, "invalid_parameter",
                   "q est requis : le début d'un titre, d'un lieu ou d'un thème.", "q");
        return;
    }
    if (reply_cached(app, req, shape, resp, key))
        return;
    dom_status st = suggest_all(app->db, q, limit, lang, &out);
    if (st != DOM_OK) {
        reply_failure(resp, st, NULL);
        return;
    }
    reply_ok_cached(app, resp, out, key);
}

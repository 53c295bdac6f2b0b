#include "domain/vocab.h"
#include "http/handlers.h"
#include "http/params.h"
#include "http/reply.h"

void handle_vocabularies(const req_t *req, resp_t *resp, void *ctx) {
    static const char *const shape[] = {"lang", NULL};
    app_t *app = ctx;
    const char *lang;
    char key[REPLY_KEY_MAX];
    json_t *out;
    if (!param_lang(req, resp, &lang) || reply_cached(app, req, shape, resp, key))
        return;
    dom_status st = vocab_all(app->db, lang, &out);
    if (st != DOM_OK) {
        reply_failure(resp, st, NULL);
        return;
    }
    reply_ok_cached(app, resp, out, key);
}

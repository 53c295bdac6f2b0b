/* GET /api/v1/changes: the feed of the catalogue's changes (domain/changes.c). Not cached in
 * Redis: what it may serve depends on which transactions are still running, which the data
 * version does not tell (a late commit must show up as soon as it is servable). */
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "domain/changes.h"
#include "http/handlers.h"
#include "http/params.h"
#include "http/reply.h"

void handle_changes(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    changes_cursor_t after = {0, 0};
    int limit;
    json_t *out;
    char msg[160];
    for (size_t i = 0; i < req->query.n; i++) {
        const char *k = req->query.params[i].key;
        if (strcmp(k, "since") != 0 && strcmp(k, "limit") != 0) {
            snprintf(msg, sizeof msg, "Paramètre inconnu : « %.60s » (since, limit).", k);
            resp_error(resp, 400, "invalid_parameter", msg, k);
            return;
        }
    }
    if (!param_limit(req, resp, CHANGES_LIMIT_DEFAULT, CHANGES_LIMIT_MAX, &limit))
        return;
    const url_param_t *since = req_query(req, "since");
    if (since && !changes_cursor_decode(since->value, &after)) {
        resp_error(resp, 400, "invalid_parameter",
                   "since n'est pas valide : reprenez le next_cursor de la réponse précédente.",
                   "since");
        return;
    }
    dom_status st = changes_page(app->db, &after, limit, &out);
    if (st != DOM_OK) {
        reply_failure(resp, st, NULL);
        return;
    }
    resp_json(resp, 200, out);
    resp->cache = "none";
    if (!resp_header(resp, "Cache-Control", "no-cache"))
        log_msg(LOG_WARN, "Cache-Control header dropped");
}

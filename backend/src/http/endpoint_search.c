#include "domain/initiative.h"
#include "domain/search.h"
#include "http/handlers.h"
#include "http/params.h"
#include "http/reply.h"

void handle_search(const req_t *req, resp_t *resp, void *ctx) {
    static const char *const shape[] = {"q", "lang", "limit", "cursor", "territory", NULL};
    app_t *app = ctx;
    char qbuf[SEARCH_Q_MAX + 1];
    char key[REPLY_KEY_MAX];
    search_query_t sq;
    cursor_t cursor;
    bool has_cursor;
    json_t *out;
    dom_status dom;
    territory_ref_t territories[SEARCH_TERRITORIES_MAX];
    if (!param_text(req, resp, "q", SEARCH_Q_MAX, qbuf, &sq.q) ||
        !param_limit(req, resp, 20, INITIATIVE_PAGE_MAX, &sq.limit) ||
        !param_cursor(req, resp, &cursor, &has_cursor) || !param_lang(req, resp, &sq.lang) ||
        !param_territories(req, resp, app->db, territories, SEARCH_TERRITORIES_MAX,
                           &sq.nterritories) ||
        reply_cached(app, req, shape, resp, key))
        return;
    sq.cursor = has_cursor ? &cursor : NULL;
    sq.territories = territories;
    switch (search_run(app->db, &sq, &out, &dom)) {
    case SEARCH_OK:
        reply_ok_cached(app, resp, out, key);
        break;
    case SEARCH_BAD_CURSOR:
        resp_error(resp, 400, "invalid_parameter",
                   "cursor ne correspond pas à cette recherche : utilisez son next_cursor.",
                   "cursor");
        break;
    case SEARCH_FAILED:
        reply_failure(resp, dom, NULL);
        break;
    }
}

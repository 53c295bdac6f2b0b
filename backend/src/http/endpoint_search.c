#include <stdio.h>

#include "domain/search.h"
#include "http/handlers.h"
#include "http/params.h"
#include "http/reply.h"
#include "http/search_params.h"

void handle_search(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    search_params_store_t store;
    search_query_t sq;
    search_error_t err;
    char key[REPLY_KEY_MAX];
    char msg[160];
    json_t *out;
    if (!search_params_parse(req, resp, app->db, &sq, &store) ||
        reply_cached(app, req, search_params_shape, resp, key))
        return;
    switch (search_run(app->db, &sq, &out, &err)) {
    case SEARCH_OK:
        reply_ok_cached(app, resp, out, key);
        break;
    case SEARCH_BAD_CURSOR:
        resp_error(resp, 400, "invalid_parameter",
                   "cursor ne correspond pas à cette recherche : utilisez son next_cursor.",
                   "cursor");
        break;
    case SEARCH_UNKNOWN_CODE:
        snprintf(msg, sizeof msg, "Code inconnu pour %s : « %s ».", search_kind_name(err.bad_kind),
                 err.bad_code ? err.bad_code : "?");
        resp_error(resp, 400, "invalid_parameter", msg, search_kind_name(err.bad_kind));
        break;
    case SEARCH_SYNTAX:
        resp_error(resp, 400, "invalid_query", err.message, "q");
        break;
    case SEARCH_FAILED:
        reply_failure(resp, err.dom, NULL);
        break;
    }
}

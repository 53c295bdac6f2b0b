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
    json_t *out;
    if (!search_params_parse(req, resp, app->db, &sq, &store) ||
        reply_cached(app, req, search_params_shape, resp, key))
        return;
    search_status ss = search_run(app->db, &sq, &out, &err);
    if (ss == SEARCH_OK)
        reply_ok_cached(app, resp, out, key);
    else
        search_params_reply_error(resp, ss, &err);
}

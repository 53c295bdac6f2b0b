#include <string.h>

#include "domain/map.h"
#include "domain/search.h"
#include "http/handlers.h"
#include "http/params.h"
#include "http/reply.h"
#include "http/search_params.h"

/* extent=1 adds {"extent": …} (map_extent) to a first page: where all the matches lie, so that
 * a map frames the whole search at once. The corrected words are the ones located, as they are
 * the ones listed. */
static search_status add_extent(db_t *db, const search_query_t *sq, json_t *out,
                                search_error_t *err) {
    search_query_t located = *sq;
    json_t *extent = NULL;
    if (json_is_true(json_object_get(out, "corrected")))
        located.q = json_string_value(json_object_get(out, "did_you_mean"));
    search_status ss = map_extent(db, &located, &extent, err);
    if (ss == SEARCH_OK && json_object_set_new(out, "extent", extent) != 0) {
        err->dom = DOM_INTERNAL;
        ss = SEARCH_FAILED;
    }
    return ss;
}

void handle_search(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    search_params_store_t store;
    search_query_t sq;
    search_error_t err;
    char key[REPLY_KEY_MAX];
    json_t *out;
    const url_param_t *extent = req_query(req, "extent");
    if (extent && strcmp(extent->value, "1") != 0 && strcmp(extent->value, "0") != 0) {
        resp_error(resp, 400, "invalid_parameter", "extent vaut 1 (avec l’emprise) ou 0.",
                   "extent");
        return;
    }
    bool want_extent = extent && strcmp(extent->value, "1") == 0;
    if (!search_params_parse(req, resp, NULL, &sq, &store) ||
        reply_cached(app, req, search_params_shape, resp, key) ||
        !search_params_resolve(req, resp, app->db, &sq, &store))
        return;
    search_status ss = search_run(app->db, &sq, &out, &err);
    if (ss == SEARCH_OK && want_extent && sq.cursor == NULL) {
        ss = add_extent(app->db, &sq, out, &err);
        if (ss != SEARCH_OK)
            json_decref(out);
    }
    if (ss == SEARCH_OK)
        reply_ok_cached(app, resp, out, key);
    else
        search_params_reply_error(resp, ss, &err);
}

#include <stdio.h>
#include <string.h>

#include "domain/map.h"
#include "http/handlers.h"
#include "http/params.h"
#include "http/reply.h"
#include "http/search_params.h"

/* The filters of the search, which shape both map answers, plus each endpoint's own. */
#define MAP_FILTERS                                                                          \
    "q", "lang", "territory", "theme", "subtheme", "actor_type", "public", "scale", "stage", \
            "source", "year_min", "year_max", "near", "bbox"

static void map_reply(app_t *app, resp_t *resp, search_status ss, const search_error_t *err,
                      json_t *out, const char *key) {
    if (ss != SEARCH_OK) {
        search_params_reply_error(resp, ss, err);
        return;
    }
    reply_ok_cached(app, resp, out, key);
    if (resp->status == 200)
        resp->content_type = "application/geo+json";
}

void handle_map_clusters(const req_t *req, resp_t *resp, void *ctx) {
    static const char *const shape[] = {MAP_FILTERS, "zoom", NULL};
    app_t *app = ctx;
    search_params_store_t store;
    search_query_t sq;
    search_error_t err;
    char key[REPLY_KEY_MAX];
    json_t *out = NULL;
    int zoom;
    if (!search_params_parse(req, resp, NULL, &sq, &store))
        return;
    if (!sq.has_bbox) {
        resp_error(resp, 400, "invalid_parameter",
                   "bbox est requis : minLon,minLat,maxLon,maxLat (ex. -5.2,41.3,9.6,51.1).",
                   "bbox");
        return;
    }
    if (req_query(req, "zoom") == NULL) {
        resp_error(resp, 400, "invalid_parameter", "zoom est requis : un entier de 0 à 20.",
                   "zoom");
        return;
    }
    if (!param_int(req, resp, "zoom", 0, 0, MAP_ZOOM_MAX, &zoom))
        return;
    if (reply_cached(app, req, shape, resp, key)) {
        resp->content_type = "application/geo+json";
        return;
    }
    if (!search_params_resolve(req, resp, app->db, &sq, &store))
        return;
    search_status ss = map_clusters(app->db, &sq, zoom, &out, &err);
    map_reply(app, resp, ss, &err, out, key);
}

void handle_map_choropleth(const req_t *req, resp_t *resp, void *ctx) {
    static const char *const shape[] = {MAP_FILTERS, "level", NULL};
    app_t *app = ctx;
    search_params_store_t store;
    search_query_t sq;
    search_error_t err;
    char key[REPLY_KEY_MAX];
    json_t *out = NULL;
    map_level level;
    const url_param_t *p = req_query(req, "level");
    if (p && strcmp(p->value, "region") == 0) {
        level = MAP_REGION;
    } else if (p && strcmp(p->value, "departement") == 0) {
        level = MAP_DEPARTEMENT;
    } else {
        resp_error(resp, 400, "invalid_parameter", "level est requis : region ou departement.",
                   "level");
        return;
    }
    if (!search_params_parse(req, resp, NULL, &sq, &store))
        return;
    if (reply_cached(app, req, shape, resp, key)) {
        resp->content_type = "application/geo+json";
        return;
    }
    if (!search_params_resolve(req, resp, app->db, &sq, &store))
        return;
    search_status ss = map_choropleth(app->db, &sq, level, &out, &err);
    map_reply(app, resp, ss, &err, out, key);
}

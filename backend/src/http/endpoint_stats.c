#include <stdio.h>
#include <string.h>

#include "domain/stats.h"
#include "http/handlers.h"
#include "http/params.h"
#include "http/reply.h"
#include "http/search_params.h"

/* The search's filters, which choose what is counted, then the stats' own parameters. */
static const char *const stats_shape[] = {
        "q",      "lang",  "territory", "theme",    "subtheme", "actor_type",
        "public", "scale", "stage",     "source",   "year_min", "year_max",
        "near",   "bbox",  "by",        "coverage", NULL};

#define STATS_BY_HELP                                                                           \
    "by attend une ou deux dimensions différentes séparées par une virgule parmi : theme, "  \
    "subtheme, actor_type, public, scale, stage, source, start_year, region, departement (ex. " \
    "by=theme,region)."

/* Reads by=DIM[,DIM] into st. */
static bool parse_by(const req_t *req, resp_t *resp, stats_query_t *st) {
    const url_param_t *p = req_query(req, "by");
    char buf[64];
    st->ndims = 0;
    if (p == NULL || p->value_len == 0 || p->value_len >= sizeof buf) {
        resp_error(resp, 400, "invalid_parameter", STATS_BY_HELP, "by");
        return false;
    }
    memcpy(buf, p->value, p->value_len + 1);
    for (char *name = buf; name;) {
        char *comma = strchr(name, ',');
        if (comma)
            *comma++ = '\0';
        int d = stats_dim_parse(name);
        if (d < 0 || st->ndims == STATS_DIMS_MAX || (st->ndims == 1 && st->dims[0] == d)) {
            resp_error(resp, 400, "invalid_parameter", STATS_BY_HELP, "by");
            return false;
        }
        st->dims[st->ndims++] = d;
        name = comma;
    }
    return true;
}

static bool parse_coverage(const req_t *req, resp_t *resp, stats_query_t *st) {
    const url_param_t *p = req_query(req, "coverage");
    st->coverage = false;
    if (p == NULL || strcmp(p->value, "false") == 0)
        return true;
    if (strcmp(p->value, "true") == 0) {
        st->coverage = true;
        return true;
    }
    resp_error(resp, 400, "invalid_parameter", "coverage doit valoir true ou false.", "coverage");
    return false;
}

void handle_stats(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    search_params_store_t store;
    search_query_t sq;
    search_error_t err;
    stats_query_t st = {.sq = &sq};
    char key[REPLY_KEY_MAX];
    json_t *out = NULL;
    if (!parse_by(req, resp, &st) || !parse_coverage(req, resp, &st) ||
        !search_params_parse(req, resp, NULL, &sq, &store) ||
        reply_cached(app, req, stats_shape, resp, key) ||
        !search_params_resolve(req, resp, app->db, &sq, &store))
        return;
    search_status ss = stats_run(app->db, &st, &out, &err);
    if (ss == SEARCH_OK)
        reply_ok_cached(app, resp, out, key);
    else
        search_params_reply_error(resp, ss, &err);
}

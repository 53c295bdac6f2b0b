#include <string.h>

#include "domain/territory.h"
#include "http/handlers.h"
#include "http/params.h"
#include "http/reply.h"

void handle_territory_suggest(const req_t *req, resp_t *resp, void *ctx) {
    static const char *const shape[] = {"q", "level", "limit", NULL};
    static const char *const levels[] = {"region", "departement", "commune", "arrondissement"};
    app_t *app = ctx;
    char qbuf[TERRITORY_Q_MAX + 1];
    char key[REPLY_KEY_MAX];
    const char *q;
    const char *level = NULL;
    int limit;
    json_t *out;
    if (!param_text(req, resp, "q", TERRITORY_Q_MAX, qbuf, &q) ||
        !param_int(req, resp, "limit", 10, 1, TERRITORY_SUGGEST_MAX, &limit))
        return;
    if (q == NULL || q[0] == '\0') {
        resp_error(resp, 400, "invalid_parameter",
                   "q est requis : le début d'un nom de territoire ou un code postal.", "q");
        return;
    }
    const url_param_t *lp = req_query(req, "level");
    if (lp) {
        for (size_t i = 0; i < ARRAY_LEN(levels); i++)
            if (strcmp(lp->value, levels[i]) == 0)
                level = levels[i];
        if (level == NULL) {
            resp_error(resp, 400, "invalid_parameter",
                       "level doit valoir region, departement, commune ou arrondissement.",
                       "level");
            return;
        }
    }
    if (reply_cached(app, req, shape, resp, key))
        return;
    dom_status st = territory_suggest(app->db, q, level, limit, &out);
    if (st != DOM_OK) {
        reply_failure(resp, st, NULL);
        return;
    }
    reply_ok_cached(app, resp, out, key);
}

void handle_territory_get(const req_t *req, resp_t *resp, void *ctx) {
    static const char *const shape[] = {NULL};
    app_t *app = ctx;
    territory_ref_t ref;
    char key[REPLY_KEY_MAX];
    json_t *out;
    if (!param_path_territory(req, resp, NULL, "ref", &ref) ||
        reply_cached(app, req, shape, resp, key) ||
        !param_path_territory(req, resp, app->db, "ref", &ref))
        return;
    dom_status st = territory_get(app->db, &ref, true, &out);
    if (st != DOM_OK) {
        reply_failure(resp, st, "Territoire inconnu.");
        return;
    }
    reply_ok_cached(app, resp, out, key);
}

void handle_territory_contour(const req_t *req, resp_t *resp, void *ctx) {
    static const char *const shape[] = {"simplify", NULL};
    app_t *app = ctx;
    territory_ref_t ref;
    char key[REPLY_KEY_MAX];
    int zoom;
    json_t *out;
    if (!param_int(req, resp, "simplify", 12, 0, 18, &zoom) ||
        !param_path_territory(req, resp, NULL, "ref", &ref))
        return;
    /* Contours change only when the reference data is reloaded: browsers keep them a day and
     * revalidate with the ETag afterwards. */
    if (reply_cached(app, req, shape, resp, key)) {
        resp->content_type = "application/geo+json";
        reply_public_cache(req, resp, REPLY_CONTOUR_MAX_AGE);
        return;
    }
    if (!param_path_territory(req, resp, app->db, "ref", &ref))
        return;
    dom_status st = territory_contour(app->db, &ref, zoom, &out);
    if (st != DOM_OK) {
        reply_failure(resp, st,
                      "Ce territoire n'a pas de contour propre (les arrondissements de Paris, Lyon "
                      "et Marseille sont dessinés avec leur ville).");
        return;
    }
    reply_ok_cached(app, resp, out, key);
    if (resp->status == 200) {
        resp->content_type = "application/geo+json";
        reply_public_cache(req, resp, REPLY_CONTOUR_MAX_AGE);
    }
}

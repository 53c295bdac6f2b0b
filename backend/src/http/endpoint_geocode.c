#include "domain/geocoder.h"
#include "domain/territory.h"
#include "http/handlers.h"
#include "http/params.h"
#include "http/reply.h"

#define GEOCODE_Q_MAX 500

/* Reverse geocoding: lat and lon give the commune that contains the point, in the same shape as a
 * forward answer, with confidence 1 when the point falls inside a commune. */
static void geocode_reverse(app_t *app, double lat, double lon, resp_t *resp, const char *key) {
    json_t *territory;
    dom_status st = territory_at_point(app->db, lon, lat, &territory);
    json_t *match = json_null();
    if (st == DOM_OK) {
        json_decref(match);
        match = json_pack("{s:o, s:f, s:s, s:s}", "territory", territory, "confidence", 1.0,
                          "precision", "commune", "reason",
                          "le point est à l'intérieur de cette commune");
    } else if (st != DOM_NOT_FOUND) {
        json_decref(match);
        reply_failure(resp, st, NULL);
        return;
    }
    reply_ok_cached(app, resp,
                    json_pack("{s:{s:f, s:f}, s:o, s:[]}", "point", "lat", lat, "lon", lon, "match",
                              match, "alternatives"),
                    key);
}

void handle_geocode(const req_t *req, resp_t *resp, void *ctx) {
    static const char *const shape[] = {"q", "lat", "lon", NULL};
    app_t *app = ctx;
    char qbuf[GEOCODE_Q_MAX + 1];
    char key[REPLY_KEY_MAX];
    const char *q;
    double lat, lon;
    bool has_lat, has_lon;
    json_t *out;
    if (!param_text(req, resp, "q", GEOCODE_Q_MAX, qbuf, &q) ||
        !param_double(req, resp, "lat", -90, 90, &lat, &has_lat) ||
        !param_double(req, resp, "lon", -180, 180, &lon, &has_lon))
        return;
    bool reverse = q == NULL && (has_lat || has_lon);
    if (reverse && !(has_lat && has_lon)) {
        resp_error(resp, 400, "invalid_parameter",
                   "Le géocodage inverse demande lat et lon ensemble.", has_lat ? "lon" : "lat");
        return;
    }
    if (!reverse && (q == NULL || q[0] == '\0')) {
        resp_error(
                resp, 400, "invalid_parameter",
                "q est requis : un nom de commune, un code postal, un code INSEE ou une adresse.",
                "q");
        return;
    }
    if (reply_cached(app, req, shape, resp, key))
        return;
    if (reverse) {
        geocode_reverse(app, lat, lon, resp, key);
        return;
    }
    dom_status st = geocoder_resolve(app->db, q, &out);
    if (st != DOM_OK) {
        reply_failure(resp, st, NULL);
        return;
    }
    reply_ok_cached(app, resp, out, key);
}

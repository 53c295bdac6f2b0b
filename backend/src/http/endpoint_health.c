#include "http/app.h"
#include "http/handlers.h"

void handle_health(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    (void)req;
    bool pg = db_ping(app->db);
    bool redis = cache_ping(app->cache);
    const char *status = !pg ? "down" : redis ? "ok" : "degraded";
    resp_json(resp, pg ? 200 : 503,
              json_pack("{s:s, s:s, s:s}", "status", status, "postgres", pg ? "ok" : "down",
                        "redis", redis ? "ok" : "down"));
    if (!resp_header(resp, "Cache-Control", "no-store"))
        return;
}

/* socialconnect-api: the REST API, a FastCGI program behind nginx.
 *
 * Reads its configuration from the environment (README.md lists the variables), then hands the
 * route table and the per-worker set-up to the master, which runs the process model. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/log.h"
#include "domain/people/password.h"
#include "http/app.h"
#include "http/handlers.h"
#include "http/partner.h"
#include "server/master.h"

/* The data version seen by any worker (domain/catalog.h), mapped before the workers are forked. */
static catalog_shared_t *shared_version;

static void *api_worker_init(void *arg) {
    const cfg_t *cfg = arg;
    size_t nsets;
    const db_stmt_t *const *sets = routes_statements(&nsets);
    app_t *app = calloc(1, sizeof *app);
    if (app == NULL)
        goto failed;
    app->cfg = cfg;
    app->db = db_open(cfg->pg_dsn, sets, nsets);
    app->cache = cache_open(cfg->redis_host, cfg->redis_port, cfg->redis_timeout_ms);
    if (app->db == NULL || app->cache == NULL)
        goto failed;
    /* Connect (and subscribe to the data version) now so the first request does not pay for it;
     * a database that is down is not an error here: requests answer 503 until it is back. */
    catalog_watch_start(app->db, &app->watch, shared_version);
    if (!db_ping(app->db))
        log_msg(LOG_WARN, "postgres unreachable at worker start; will retry per request");
    return app;

failed:
    if (app) {
        db_close(app->db);
        cache_close(app->cache);
        free(app);
    }
    return NULL;
}

static void api_worker_fini(void *ctx) {
    app_t *app = ctx;
    db_close(app->db);
    cache_close(app->cache);
    free(app);
}

/* `socialconnect-api --routes`: one "METHOD /path" line per route of the table, nothing started.
 * The test of the OpenAPI description compares it with the described operations. */
static int api_print_routes(void) {
    size_t nroutes;
    const route_t *routes = routes_table(&nroutes);
    for (size_t i = 0; i < nroutes; i++)
        printf("%s %s\n", routes[i].method, routes[i].pattern);
    return fflush(stdout) == 0 ? 0 : 1;
}

int main(int argc, char **argv) {
    static cfg_t cfg;
    char err[256];
    if (argc == 2 && strcmp(argv[1], "--routes") == 0)
        return api_print_routes();
    if (argc > 1) {
        fprintf(stderr, "usage: socialconnect-api [--routes]\n");
        return 2;
    }
    if (!cfg_from_env(&cfg, err, sizeof err)) {
        fprintf(stderr, "socialconnect-api: %s\n", err);
        return 2;
    }
    /* Before the fork: the workers share the bound on password hashes computed at once. */
    /* All workers but one at most may be busy with passwords: one always serves the rest. */
    if (!password_limit_init(cfg.hash_concurrency, cfg.workers - 1)) {
        fprintf(stderr, "socialconnect-api: cannot set up the password hashing limit\n");
        return 2;
    }
    shared_version = catalog_shared_new();
    if (shared_version == NULL) {
        fprintf(stderr, "socialconnect-api: cannot map the shared data version\n");
        return 2;
    }
    size_t nroutes;
    const route_t *routes = routes_table(&nroutes);
    master_opts_t opts = {
            .socket = cfg.fcgi_socket,
            .workers = cfg.workers,
            .grace_s = cfg.shutdown_grace_s,
            .routes = routes,
            .nroutes = nroutes,
            .max_body = (size_t)cfg.max_body,
            .gate = partner_gate,
            .finish = partner_finish,
            .worker_init = api_worker_init,
            .worker_fini = api_worker_fini,
            .arg = &cfg,
    };
    return master_run(&opts);
}

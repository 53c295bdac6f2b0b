/* GET /api/v1/search/export: the matches of a search as a file (docs/api.md, "Exports").
 *
 * The same parameters and checks as GET /api/v1/search (search_params), plus format, bom and sep.
 * The file is streamed (resp_stream): rows are read from a cursor in batches and written to the
 * FastCGI stream as they come, so a worker's memory stays flat up to EXPORT_SEARCH_MAX rows. Never
 * in the Redis cache (megabytes). At most SC_EXPORT_CONCURRENCY exports run at once across every
 * worker and every API host (advisory locks of PostgreSQL): the next one is a 503 with
 * Retry-After, so that exports never take every worker from the searches. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "domain/export.h"
#include "http/handlers.h"
#include "http/reply.h"
#include "http/search_params.h"

#define EXPORT_RETRY_AFTER "10"

/* What the stream needs once the handler has returned. Owned by the response. */
typedef struct export_stream {
    export_run_t *run;
    export_opts_t opts;
    long matches;
    char public_url[256];
} export_stream_t;

static bool sink_write(void *arg, const void *data, size_t n) {
    return resp_sink_write(arg, data, n);
}

static bool stream_run(void *ctx, resp_sink_t *sink) {
    export_stream_t *s = ctx;
    long rows = 0;
    dom_status st =
            export_write(s->run, &s->opts, EXPORT_SEARCH_MAX, s->matches, sink_write, sink, &rows);
    if (st != DOM_OK)
        log_msg(LOG_WARN, "export stopped after %ld rows: %s", rows, dom_status_text(st));
    return st == DOM_OK;
}

static void stream_release(void *ctx) {
    export_stream_t *s = ctx;
    export_close(s->run);
    free(s);
}

static void bad(resp_t *resp, const char *field, const char *message) {
    resp_error(resp, 400, "invalid_parameter", message, field);
}

/* format, bom and sep into opts; false with a 400 in resp. */
static bool parse_options(const req_t *req, resp_t *resp, export_opts_t *opts) {
    const url_param_t *format = req_query(req, "format");
    const url_param_t *bom = req_query(req, "bom");
    const url_param_t *sep = req_query(req, "sep");
    opts->bom = false;
    opts->sep = ',';
    if (format == NULL || !export_format_parse(format->value, &opts->format)) {
        bad(resp, "format", "format vaut csv, geojson ou ndjson.");
        return false;
    }
    if (bom && strcmp(bom->value, "1") != 0 && strcmp(bom->value, "0") != 0) {
        bad(resp, "bom", "bom vaut 1 (avec l’indicateur d’ordre des octets UTF-8) ou 0.");
        return false;
    }
    if (sep && strcmp(sep->value, ",") != 0 && strcmp(sep->value, ";") != 0) {
        bad(resp, "sep", "sep vaut « , » ou « ; ».");
        return false;
    }
    if (opts->format != EXPORT_CSV && (bom || sep)) {
        bad(resp, bom ? "bom" : "sep", "bom et sep ne valent que pour format=csv.");
        return false;
    }
    opts->bom = bom && strcmp(bom->value, "1") == 0;
    if (sep)
        opts->sep = sep->value[0];
    if (req_query(req, "cursor")) {
        bad(resp, "cursor", "Un export part toujours du premier résultat : pas de cursor.");
        return false;
    }
    return true;
}

static void set_headers(resp_t *resp, const export_opts_t *opts, long matches) {
    char value[160], date[16];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%Y%m%d", &tm);
    snprintf(value, sizeof value, "attachment; filename=\"socialconnect-recherche-%s.%s\"", date,
             export_extension(opts->format));
    bool ok = resp_header(resp, "Content-Disposition", value);
    /* Made for one person's search now: not kept by browsers or proxies. */
    ok = resp_header(resp, "Cache-Control", "no-store") && ok;
    snprintf(value, sizeof value, "%ld", matches > EXPORT_SEARCH_MAX ? EXPORT_SEARCH_MAX : matches);
    ok = resp_header(resp, "X-Export-Rows", value) && ok;
    ok = resp_header(resp, "X-Export-Truncated", matches > EXPORT_SEARCH_MAX ? "true" : "false") &&
         ok;
    snprintf(value, sizeof value, "%d", EXPORT_SEARCH_MAX);
    ok = resp_header(resp, "X-Export-Limit", value) && ok;
    /* nginx would otherwise hold the body back (fastcgi_buffering is also off for this address:
     * nginx/local.conf.template). */
    ok = resp_header(resp, "X-Accel-Buffering", "no") && ok;
    if (!ok)
        log_msg(LOG_WARN, "an export header was dropped");
}

void handle_search_export(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    search_params_store_t store;
    search_query_t sq;
    search_error_t err;
    export_opts_t opts;
    export_run_t *run = NULL;
    bool busy = false;
    long matches = 0;
    resp->cache = "bypass";
    if (!parse_options(req, resp, &opts) || !search_params_parse(req, resp, app->db, &sq, &store))
        return;
    search_status ss = export_open_search(app->db, &sq, app->cfg->export_concurrency, &run, &busy,
                                          &matches, &err);
    if (ss != SEARCH_OK) {
        search_params_reply_error(resp, ss, &err);
        return;
    }
    if (busy) {
        resp_error(resp, 503, "export_busy",
                   "Trop d’exports sont en cours : réessayez dans quelques secondes.", NULL);
        if (!resp_header(resp, "Retry-After", EXPORT_RETRY_AFTER))
            log_msg(LOG_WARN, "Retry-After header dropped");
        return;
    }
    export_stream_t *s = calloc(1, sizeof *s);
    if (s == NULL) {
        export_close(run);
        reply_failure(resp, DOM_INTERNAL, NULL);
        return;
    }
    s->run = run;
    s->matches = matches;
    snprintf(s->public_url, sizeof s->public_url, "%s", app->cfg->public_url);
    /* No trailing slash: the rows' urls are public_url + "/initiatives/ID". */
    size_t n = strlen(s->public_url);
    if (n > 0 && s->public_url[n - 1] == '/')
        s->public_url[n - 1] = '\0';
    s->opts = opts;
    s->opts.public_url = s->public_url;
    resp_stream(resp, export_content_type(opts.format),
                (resp_stream_t){stream_run, stream_release, s});
    set_headers(resp, &opts, matches);
}

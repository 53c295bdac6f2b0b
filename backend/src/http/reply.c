#include "http/reply.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "domain/catalog.h"

/* Set by the build to a digest of the sources: a new program never serves answers cached by an
 * older one, whose shape or ranking may differ. */
#ifndef SC_BUILD_ID
#define SC_BUILD_ID "dev"
#endif

void reply_no_content(resp_t *resp) {
    resp->status = 204;
    buf_reset(&resp->body);
}

void reply_failure(resp_t *resp, dom_status st, const char *not_found) {
    switch (st) {
    case DOM_NOT_FOUND:
        resp_error(resp, 404, "not_found",
                   not_found ? not_found : "Aucune ressource à cette adresse.", NULL);
        break;
    case DOM_UNAVAILABLE:
        resp_error(resp, 503, "unavailable",
                   "Le service est momentanément indisponible, réessayez dans un instant.", NULL);
        if (!resp_header(resp, "Retry-After", "5"))
            break;
        break;
    default:
        resp_error(resp, 500, "internal", "Erreur interne du serveur.", NULL);
        break;
    }
}

/* The key is the data version, the path and the values of the parameters that shape the answer,
 * in the handler's fixed order: parameter order in the URL and unknown parameters do not split
 * the cache, and no entry survives a write. */
static bool reply_key(int64_t version, const char *scope, const req_t *req,
                      const char *const *names, char *key) {
    buf_t b;
    bool ok;
    buf_init(&b, REPLY_KEY_MAX - 1);
    ok = buf_appendf(&b, "sc:%s:v%" PRId64 "%s:%s", SC_BUILD_ID, version, scope, req->path);
    for (size_t i = 0; ok && names[i]; i++) {
        const url_param_t *p = req_query(req, names[i]);
        ok = buf_appendf(&b, "|%s", p ? p->value : "");
    }
    if (ok)
        memcpy(key, b.data, b.len + 1);
    buf_free(&b);
    return ok;
}

/* Looks key up (see reply_cached_scoped). unconfirmed_s >= 0: the version is the last one known
 * while PostgreSQL cannot be reached (for that many seconds); a hit then says STALE, and a miss is
 * not stored (an answer made now might be newer than its key says). Negative: confirmed. */
static bool reply_lookup(app_t *app, const req_t *req, const char *const *names, int64_t version,
                         const char *scope, double unconfirmed_s, resp_t *resp, char *key) {
    key[0] = '\0';
    resp->cache = "bypass";
    if (version >= 0) {
        /* Which data version the answer shows: a client that wrote, or a partner keeping in
         * sync, can tell whether it includes a change. */
        char v[24];
        snprintf(v, sizeof v, "%" PRId64, version);
        if (!resp_header(resp, "X-Data-Version", v))
            log_msg(LOG_WARN, "X-Data-Version header dropped");
    }
    if (version >= 0 && reply_key(version, scope, req, names, key)) {
        /* The entity tag: the data version and a digest of the key (build, scope, path and the
         * parameters that shape the answer), so it is known before the answer is, also on a hit
         * and while PostgreSQL is down. Weak: nginx compresses the bytes. */
        uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a, 64 bits */
        for (const char *p = key; *p; p++) {
            h ^= (unsigned char)*p;
            h *= 0x100000001b3ULL;
        }
        snprintf(resp->etag, sizeof resp->etag, "W/\"%" PRId64 "-%016" PRIx64 "\"", version, h);
    }
    if (app->cfg->cache_ttl_s <= 0 || version < 0 || !reply_key(version, scope, req, names, key)) {
        key[0] = '\0';
        if (!resp_header(resp, "X-Cache", "BYPASS"))
            log_msg(LOG_WARN, "X-Cache header dropped");
        return false;
    }
    buf_t hit;
    buf_init(&hit, resp->body.max);
    bool found = cache_get(app->cache, key, &hit);
    bool up = found || cache_up(app->cache);
    const char *said = "MISS";
    if (found && unconfirmed_s >= 0) {
        char seconds[32];
        snprintf(seconds, sizeof seconds, "%.0f", unconfirmed_s);
        resp_raw(resp, 200, "application/json; charset=utf-8", hit.data, hit.len);
        resp->cache = "stale";
        said = "STALE";
        if (!resp_header(resp, "X-Stale-Seconds", seconds))
            log_msg(LOG_WARN, "X-Stale-Seconds header dropped");
    } else if (found) {
        resp_raw(resp, 200, "application/json; charset=utf-8", hit.data, hit.len);
        resp->cache = "hit";
        said = "HIT";
    } else if (up) {
        resp->cache = "miss";
        if (unconfirmed_s >= 0)
            key[0] = '\0';
    } else {
        resp->cache = "bypass";
        said = "BYPASS";
        key[0] = '\0'; /* Redis unreachable: nothing to store the answer in */
    }
    buf_free(&hit);
    /* Says whether this answer came from the cache (confirmed or not), was missed, or Redis could
     * not be asked. */
    if (!resp_header(resp, "X-Cache", said))
        log_msg(LOG_WARN, "X-Cache header dropped");
    return found;
}

/* The data version to key the answer with, as this worker follows it (no query); *unconfirmed_s:
 * negative when PostgreSQL answered, else the seconds since it stopped and the version is the
 * last one known. -1 when there is none. */
static int64_t reply_version(app_t *app, double *unconfirmed_s) {
    int64_t version = -1;
    bool confirmed;
    *unconfirmed_s = -1;
    if (catalog_watch_version(app->db, &app->watch, &version, &confirmed, unconfirmed_s) != DOM_OK)
        return -1;
    if (confirmed)
        *unconfirmed_s = -1;
    return version;
}

bool reply_cached(app_t *app, const req_t *req, const char *const *names, resp_t *resp, char *key) {
    double unconfirmed_s;
    int64_t version = reply_version(app, &unconfirmed_s);
    return reply_lookup(app, req, names, version, "", unconfirmed_s, resp, key);
}

bool reply_cached_scoped(app_t *app, const req_t *req, const char *const *names, int64_t version,
                         const char *scope, resp_t *resp, char *key) {
    return reply_lookup(app, req, names, version, scope, -1, resp, key);
}

void reply_ok_cached(app_t *app, resp_t *resp, json_t *body, const char *key) {
    resp_json(resp, 200, body);
    if (resp->status == 200 && key[0] != '\0')
        cache_set(app->cache, key, resp->body.data, resp->body.len, app->cfg->cache_ttl_s);
}

void reply_public_cache(const req_t *req, resp_t *resp, int max_age_s) {
    char value[64];
    uint64_t hash = 0xcbf29ce484222325ULL; /* FNV-1a, 64 bits */
    if (resp->status != 200)
        return;
    for (size_t i = 0; i < resp->body.len; i++) {
        hash ^= (unsigned char)resp->body.data[i];
        hash *= 0x100000001b3ULL;
    }
    snprintf(value, sizeof value, "public, max-age=%d", max_age_s);
    if (!resp_header(resp, "Cache-Control", value))
        log_msg(LOG_WARN, "Cache-Control header dropped");
    snprintf(value, sizeof value, "\"%016" PRIx64 "-%zx\"", hash, resp->body.len);
    if (!resp_header(resp, "ETag", value)) {
        log_msg(LOG_WARN, "ETag header dropped");
        return;
    }
    /* The browser holds these very bytes: 304 without a body (nginx does not do it for FastCGI
     * answers that it does not cache itself). */
    if (req_etag_matches(req, value)) {
        resp->status = 304;
        buf_reset(&resp->body);
    }
}

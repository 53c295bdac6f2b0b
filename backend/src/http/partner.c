#include "http/partner.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/crypto.h"
#include "core/log.h"
#include "domain/people/apikey.h"
#include "http/handlers.h"
#include "http/reply.h"

/* How long Redis keeps what it knows of a key (its id and quotas, or that it is revoked or
 * unknown): a quota changed in PostgreSQL applies within that time; a revocation through the API
 * applies at once (partner_key_revoked). */
#define PARTNER_KEY_TTL_S     300
#define PARTNER_UNKNOWN_TTL_S 60
/* At most one line per worker and this many seconds says that quotas are not applied. */
#define PARTNER_LOG_EVERY_S 60

/* The GET routes whose answer does not depend on who asks: CORS for any origin, API keys, quotas.
 * A route added elsewhere is none of them until it is listed here. */
static const char *const partner_public_patterns[] = {
        "/api/v1/health",
        "/api/v1/vocabularies",
        "/api/v1/initiatives",
        "/api/v1/initiatives/{id}",
        "/api/v1/initiatives/{id}/history",
        "/api/v1/initiatives/{id}/comments",
        "/api/v1/search",
        "/api/v1/suggest",
        "/api/v1/stats",
        "/api/v1/territories",
        "/api/v1/territories/{ref}",
        "/api/v1/territories/{ref}/contour",
        "/api/v1/geocode",
        "/api/v1/map/clusters",
        "/api/v1/map/choropleth",
        "/api/v1/sources",
        "/api/v1/sources/{slug}",
        "/api/v1/sources/{slug}/runs",
        "/api/v1/search/export",
        "/api/v1/ogc",
        "/api/v1/ogc/conformance",
        "/api/v1/ogc/collections",
        "/api/v1/ogc/collections/initiatives",
        "/api/v1/ogc/collections/initiatives/items",
        "/api/v1/ogc/collections/initiatives/items/{featureId}",
        "/api/v1/changes",
};

static bool partner_is_public(const char *pattern) {
    for (size_t i = 0; i < ARRAY_LEN(partner_public_patterns); i++)
        if (strcmp(pattern, partner_public_patterns[i]) == 0)
            return true;
    return false;
}

/* The quota check, in one round trip. KEYS: the key's entry (mode "k"; unused for "i"), the
 * minute's and the day's theoretical arrival times (GCRA), the hash of uses per key and day, the
 * hash of last uses. ARGV: mode ("k" key, "i" client address), default quotas per minute and per
 * day, today (UTC, "YYYY-MM-DD"), "1" to apply the quotas or "0" only to check the key.
 * The entry is "k ID MINUTE DAY" (0: the default), "r" (revoked) or "n" (no such key).
 * Returns {status, id, q_minute, q_day, policy (1 minute, 2 day), remaining, seconds}: status 0
 * allowed (seconds: until the policy's quota is whole again), 1 refused (seconds: Retry-After),
 * 2 entry unknown (ask PostgreSQL), 3 revoked, 4 no such key. GCRA: a quota q per window w lets
 * one request through every w/q and a burst of q; a refused request consumes nothing. */
static const char partner_script[] =
        "local qm, qd = tonumber(ARGV[2]), tonumber(ARGV[3])\n"
        "local id = 0\n"
        "if ARGV[1] == 'k' then\n"
        "  local e = redis.call('GET', KEYS[1])\n"
        "  if not e then return {2} end\n"
        "  if e == 'r' then return {3} end\n"
        "  if e == 'n' then return {4} end\n"
        "  local a, b, c = string.match(e, '^k (%d+) (%d+) (%d+)$')\n"
        "  if not a then return {2} end\n"
        "  id = tonumber(a)\n"
        "  if tonumber(b) > 0 then qm = tonumber(b) end\n"
        "  if tonumber(c) > 0 then qd = tonumber(c) end\n"
        "end\n"
        "if ARGV[5] ~= '1' then\n"
        "  if id > 0 then\n"
        "    redis.call('HINCRBY', KEYS[4], id .. ' ' .. ARGV[4], 1)\n"
        "    redis.call('HSET', KEYS[5], id, redis.call('TIME')[1])\n"
        "  end\n"
        "  return {0, id, qm, qd, 0, 0, 0}\n"
        "end\n"
        "local t = redis.call('TIME')\n"
        "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n"
        "local lim, win, tat = {qm, qd}, {60000, 86400000}, {}\n"
        "local worst, wait = 0, 0\n"
        "for i = 1, 2 do\n"
        "  local em = math.max(1, math.floor(win[i] / lim[i]))\n"
        "  local cur = tonumber(redis.call('GET', KEYS[i + 1]) or '0')\n"
        "  if cur < now then cur = now end\n"
        "  tat[i] = cur + em\n"
        "  local allow_at = tat[i] - em * lim[i]\n"
        "  if allow_at > now and allow_at - now > wait then wait = allow_at - now; worst = i end\n"
        "end\n"
        "if worst > 0 then return {1, id, qm, qd, worst, 0, math.ceil(wait / 1000)} end\n"
        "local best, left, reset = 1, -1, 0\n"
        "for i = 1, 2 do\n"
        "  local em = math.max(1, math.floor(win[i] / lim[i]))\n"
        "  redis.call('SET', KEYS[i + 1], string.format('%d', tat[i]), 'PX', tat[i] - now)\n"
        "  local r = math.floor((now + em * lim[i] - tat[i]) / em)\n"
        "  if left < 0 or r < left then best, left, reset = i, r, math.ceil((tat[i] - now) / 1000) "
        "end\n"
        "end\n"
        "if id > 0 then\n"
        "  redis.call('HINCRBY', KEYS[4], id .. ' ' .. ARGV[4], 1)\n"
        "  redis.call('HSET', KEYS[5], id, t[1])\n"
        "end\n"
        "return {0, id, qm, qd, best, left, reset}\n";

typedef struct partner_verdict {
    long long v[7]; /* status, id, q_minute, q_day, policy, remaining, seconds */
} partner_verdict_t;

/* Runs the script; false when Redis cannot be reached (or the script failed). */
static bool partner_run(app_t *app, const char *mode, const char *entry, const char *subject,
                        partner_verdict_t *out) {
    char km[120], kd[120], qm[16], qd[16], day[16];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(day, sizeof day, "%Y-%m-%d", &tm);
    snprintf(km, sizeof km, "sc:q:%s:%s:m", mode, subject);
    snprintf(kd, sizeof kd, "sc:q:%s:%s:d", mode, subject);
    bool key = mode[0] == 'k';
    snprintf(qm, sizeof qm, "%d", key ? app->cfg->quota_key_minute : app->cfg->quota_ip_minute);
    snprintf(qd, sizeof qd, "%d", key ? app->cfg->quota_key_day : app->cfg->quota_ip_day);
    const char *args[] = {entry, km, kd, "sc:use", "sc:lastuse",
                          mode,  qm, qd, day,      app->cfg->quotas ? "1" : "0"};
    buf_t b;
    buf_init(&b, 512);
    bool ok = cache_script(app->cache, partner_script, 5, args, 5, &b);
    memset(out, 0, sizeof *out);
    if (ok) {
        const char *p = b.data;
        for (int i = 0; i < 7 && p != NULL && *p; i++) {
            out->v[i] = strtoll(p, NULL, 10);
            p = strchr(p, '\n');
            if (p)
                p++;
        }
    }
    buf_free(&b);
    return ok;
}

/* Quotas not applied because Redis cannot be reached: said once per PARTNER_LOG_EVERY_S per
 * worker, with the number of requests let through meanwhile, not once per request. */
static void partner_fail_open(void) {
    static time_t last;
    static long skipped;
    time_t now = time(NULL);
    skipped++;
    if (last != 0 && now - last < PARTNER_LOG_EVERY_S)
        return;
    log_msg(LOG_WARN, "quotas not applied: Redis unavailable (%ld request(s) let through)",
            skipped);
    last = now;
    skipped = 0;
}

static void partner_header(resp_t *resp, const char *name, const char *value) {
    if (!resp_header(resp, name, value))
        log_msg(LOG_WARN, "%s header dropped", name);
}

static void partner_cors(resp_t *resp) {
    /* Any origin, never with credentials: a public answer is the same for everyone. */
    partner_header(resp, "Access-Control-Allow-Origin", "*");
    partner_header(resp, "Access-Control-Expose-Headers",
                   "ETag, RateLimit, RateLimit-Policy, Retry-After, X-Request-Id, X-Cache, "
                   "X-Data-Version, X-Stale-Seconds");
}

static void partner_bad_key(resp_t *resp, const char *message) {
    resp_error(resp, 401, "invalid_api_key", message, "Authorization");
    partner_header(resp, "WWW-Authenticate", "Bearer realm=\"SocialConnect\"");
    partner_header(resp, "Cache-Control", "no-store");
}

/* The RateLimit headers of an answer (IETF httpapi draft, structured fields). */
static void partner_limit_headers(resp_t *resp, const partner_verdict_t *v) {
    char value[160];
    snprintf(value, sizeof value, "\"minute\";q=%lld;w=60, \"day\";q=%lld;w=86400", v->v[2],
             v->v[3]);
    partner_header(resp, "RateLimit-Policy", value);
    snprintf(value, sizeof value, "\"%s\";r=%lld;t=%lld", v->v[4] == 2 ? "day" : "minute", v->v[5],
             v->v[6]);
    partner_header(resp, "RateLimit", value);
}

/* The key of an Authorization header: "Bearer sck_" and 43 characters of base64url. */
static bool partner_parse_key(const char *h, const char **secret) {
    if (strncasecmp(h, "Bearer ", 7) != 0)
        return false;
    h += 7;
    while (*h == ' ')
        h++;
    if (strlen(h) != PARTNER_SECRET_LEN - 1 || strncmp(h, "sck_", 4) != 0)
        return false;
    for (const char *p = h + 4; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_'))
            return false;
    *secret = h;
    return true;
}

static void partner_hex(const char *secret, char hex[65]) {
    char bytea[CRYPTO_HEX_LEN + 2];
    crypto_sha256_bytea(secret, bytea); /* "\\x" and 64 hex characters */
    memcpy(hex, bytea + 2, 64);
    hex[64] = '\0';
}

/* Is addr listed in SC_QUOTA_EXEMPT (comma-separated, exact text)? */
static bool partner_exempt(const char *list, const char *addr) {
    size_t n = strlen(addr);
    if (n == 0)
        return false;
    for (const char *p = list; *p;) {
        size_t len = strcspn(p, ",");
        if (len == n && strncmp(p, addr, n) == 0)
            return true;
        p += len;
        if (*p == ',')
            p++;
    }
    return false;
}

/* Reads the key in PostgreSQL and tells Redis. False when the answer is written (401 or 503). */
static bool partner_key_from_db(app_t *app, resp_t *resp, const char *entry) {
    apikey_info_t info;
    char value[80];
    dom_status st = apikey_lookup(app->db, entry + strlen("sc:key:"), &info);
    if (st == DOM_NOT_FOUND) {
        cache_set(app->cache, entry, "n", 1, PARTNER_UNKNOWN_TTL_S);
        partner_bad_key(resp, "Cette clé d'API est inconnue : vérifiez-la dans votre espace "
                              "personnel, rubrique « Clés d'API ».");
        return false;
    }
    if (st != DOM_OK) {
        reply_failure(resp, st, NULL);
        return false;
    }
    if (info.revoked) {
        cache_set(app->cache, entry, "r", 1, PARTNER_KEY_TTL_S);
        partner_bad_key(resp, "Cette clé d'API a été révoquée : créez-en une autre dans votre "
                              "espace personnel.");
        return false;
    }
    /* NX: a revocation written meanwhile wins over what was read before it. */
    snprintf(value, sizeof value, "k %" PRId64 " %d %d", info.id, info.quota_minute,
             info.quota_day);
    cache_set_nx(app->cache, entry, value, PARTNER_KEY_TTL_S);
    return true;
}

static void partner_preflight(resp_t *resp) {
    resp->status = 204;
    buf_reset(&resp->body);
    partner_header(resp, "Access-Control-Allow-Origin", "*");
    partner_header(resp, "Access-Control-Allow-Methods", "GET, HEAD");
    partner_header(resp, "Access-Control-Allow-Headers",
                   "Authorization, If-None-Match, X-Request-Id");
    partner_header(resp, "Access-Control-Max-Age", "86400");
    partner_header(resp, "Cache-Control", "public, max-age=86400");
}

bool partner_gate(const req_t *req, resp_t *resp, void *ctx, router_result found) {
    app_t *app = ctx;
    if (strcmp(req->method, "OPTIONS") == 0) {
        /* A preflight: answered only for the public GETs; elsewhere the usual 405 (no CORS
         * header, so a browser refuses the cross-origin request). */
        size_t n;
        const route_t *routes = routes_table(&n);
        route_match_t m;
        if (router_match(routes, n, "GET", req->path, &m) == ROUTER_FOUND &&
            partner_is_public(m.route->pattern)) {
            partner_preflight(resp);
            return false;
        }
        return true;
    }
    if (found != ROUTER_FOUND || !partner_is_public(req->match.route->pattern) ||
        (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0))
        return true;
    partner_cors(resp);
    bool health = strcmp(req->match.route->pattern, "/api/v1/health") == 0;
    const char *secret = NULL;
    partner_verdict_t v;
    if (req->authorization[0] != '\0') {
        char hex[65], entry[80];
        if (!partner_parse_key(req->authorization, &secret)) {
            partner_bad_key(resp, "L'en-tête Authorization doit être « Bearer » suivi d'une clé "
                                  "d'API (sck_…) telle que votre espace personnel l'a donnée.");
            return false;
        }
        partner_hex(secret, hex);
        snprintf(entry, sizeof entry, "sc:key:%s", hex);
        char subject[32];
        snprintf(subject, sizeof subject, "%.24s", hex);
        for (int attempt = 0;; attempt++) {
            if (!partner_run(app, "k", entry, subject, &v)) {
                /* Redis cannot be reached: the key is still checked, in PostgreSQL. */
                if (!partner_key_from_db(app, resp, entry))
                    return false;
                if (app->cfg->quotas)
                    partner_fail_open();
                return true;
            }
            if (v.v[0] == 3 || v.v[0] == 4) {
                partner_bad_key(resp, v.v[0] == 3 ? "Cette clé d'API a été révoquée : créez-en "
                                                    "une autre dans votre espace personnel."
                                                  : "Cette clé d'API est inconnue : vérifiez-la "
                                                    "dans votre espace personnel, rubrique « Clés "
                                                    "d'API ».");
                return false;
            }
            if (v.v[0] != 2)
                break;
            if (attempt == 1) /* Redis keeps forgetting it: let it through unlimited */
                return true;
            if (!partner_key_from_db(app, resp, entry))
                return false;
        }
    } else {
        if (!app->cfg->quotas || health || partner_exempt(app->cfg->quota_exempt, req->remote_addr))
            return true;
        char hex[65], subject[32];
        partner_hex(req->remote_addr, hex); /* no address is written to Redis */
        snprintf(subject, sizeof subject, "%.24s", hex);
        if (!partner_run(app, "i", "", subject, &v)) {
            partner_fail_open();
            return true;
        }
    }
    if (!app->cfg->quotas)
        return true;
    partner_limit_headers(resp, &v);
    if (v.v[0] == 1) {
        char retry[24];
        snprintf(retry, sizeof retry, "%lld", v.v[6] > 0 ? v.v[6] : 1);
        resp_error(resp, 429, "too_many_requests",
                   secret ? "Le quota de cette clé d'API est atteint : réessayez après le délai "
                            "indiqué (Retry-After)."
                          : "Trop de requêtes depuis votre adresse : réessayez après le délai "
                            "indiqué (Retry-After), ou utilisez une clé d'API.",
                   NULL);
        partner_header(resp, "Retry-After", retry);
        partner_header(resp, "Cache-Control", "no-store");
        return false;
    }
    return true;
}

void partner_finish(const req_t *req, resp_t *resp, void *ctx) {
    (void)ctx;
    if (resp->etag[0] == '\0' || resp->status != 200)
        return;
    for (size_t i = 0; i < resp->nheaders; i++)
        if ((strcasecmp(resp->headers[i].name, "Cache-Control") == 0 &&
             strstr(resp->headers[i].value, "private") != NULL) ||
            strcasecmp(resp->headers[i].name, "ETag") == 0)
            return; /* personal, or tagged by the handler itself */
    partner_header(resp, "ETag", resp->etag);
    if (req_etag_matches(req, resp->etag)) {
        resp->status = 304;
        buf_reset(&resp->body);
    }
}

bool partner_new_secret(char secret[PARTNER_SECRET_LEN], char prefix[PARTNER_PREFIX_LEN],
                        char hash_hex[65]) {
    char token[CRYPTO_TOKEN_LEN];
    if (!crypto_token(token))
        return false;
    snprintf(secret, PARTNER_SECRET_LEN, "sck_%s", token);
    snprintf(prefix, PARTNER_PREFIX_LEN, "%s", secret);
    partner_hex(secret, hash_hex);
    return true;
}

void partner_key_revoked(app_t *app, const char *hash_hex) {
    char entry[80];
    snprintf(entry, sizeof entry, "sc:key:%s", hash_hex);
    cache_set(app->cache, entry, "r", 1, PARTNER_KEY_TTL_S);
}

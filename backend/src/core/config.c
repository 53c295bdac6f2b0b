#include "core/config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool env_str(const char *name, const char *def, char *out, size_t outlen, char *err,
                    size_t errlen) {
    const char *v = getenv(name);
    if (v == NULL || *v == '\0')
        v = def;
    if (strlen(v) >= outlen) {
        snprintf(err, errlen, "%s is too long (at most %zu bytes)", name, outlen - 1);
        return false;
    }
    memcpy(out, v, strlen(v) + 1);
    return true;
}

static bool env_long(const char *name, long def, long min, long max, long *out, char *err,
                     size_t errlen) {
    const char *v = getenv(name);
    if (v == NULL || *v == '\0') {
        *out = def;
        return true;
    }
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno != 0 || *end != '\0' || n < min || n > max) {
        snprintf(err, errlen, "%s must be an integer between %ld and %ld, got \"%s\"", name, min,
                 max, v);
        return false;
    }
    *out = n;
    return true;
}

/* The origin of an http(s) URL: its scheme and authority, without path or trailing slash. */
static bool cfg_origin(const char *url, char *out, size_t outlen) {
    size_t skip;
    if (strncmp(url, "https://", 8) == 0)
        skip = 8;
    else if (strncmp(url, "http://", 7) == 0)
        skip = 7;
    else
        return false;
    size_t n = skip + strcspn(url + skip, "/?#");
    if (n == skip || n >= outlen)
        return false;
    memcpy(out, url, n);
    out[n] = '\0';
    return true;
}

bool cfg_from_env(cfg_t *cfg, char *err, size_t errlen) {
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    if (cores < 1)
        cores = 1;
    long workers, port, timeout, ttl, grace, secure, hashes, limits;
    if (!env_str("SC_FCGI_SOCKET", "var/run/api.sock", cfg->fcgi_socket, sizeof cfg->fcgi_socket,
                 err, errlen) ||
        !env_str("SC_PG_DSN", "host=127.0.0.1 port=5433 dbname=socialconnect user=socialconnect",
                 cfg->pg_dsn, sizeof cfg->pg_dsn, err, errlen) ||
        !env_str("SC_REDIS_HOST", "127.0.0.1", cfg->redis_host, sizeof cfg->redis_host, err,
                 errlen) ||
        !env_long("SC_WORKERS", 2 * cores, 1, 256, &workers, err, errlen) ||
        !env_long("SC_REDIS_PORT", 6380, 1, 65535, &port, err, errlen) ||
        !env_long("SC_REDIS_TIMEOUT_MS", 200, 10, 10000, &timeout, err, errlen) ||
        !env_long("SC_MAX_BODY", 1048576, 1024, 64L * 1048576, &cfg->max_body, err, errlen) ||
        !env_long("SC_CACHE_TTL", 300, 0, 86400, &ttl, err, errlen) ||
        !env_long("SC_SHUTDOWN_GRACE", 20, 1, 600, &grace, err, errlen) ||
        !env_str("SC_PUBLIC_URL", "http://localhost:8080", cfg->public_url, sizeof cfg->public_url,
                 err, errlen) ||
        !env_long("SC_COOKIE_SECURE", 1, 0, 1, &secure, err, errlen) ||
        !env_long("SC_HASH_CONCURRENCY", 1, 1, 64, &hashes, err, errlen) ||
        !env_long("SC_RATE_LIMITS", 1, 0, 1, &limits, err, errlen))
        return false;
    if (!cfg_origin(cfg->public_url, cfg->public_origin, sizeof cfg->public_origin)) {
        snprintf(err, errlen, "SC_PUBLIC_URL must be an http:// or https:// address, not \"%s\"",
                 cfg->public_url);
        return false;
    }
    cfg->cookie_secure = secure == 1;
    cfg->hash_concurrency = (int)hashes;
    cfg->rate_limits = limits == 1;
    long exports;
    if (!env_long("SC_EXPORT_CONCURRENCY", 2, 1, 64, &exports, err, errlen))
        return false;
    cfg->export_concurrency = (int)exports;
    if (!env_str("SC_SECRET_KEY", "", cfg->secret_key, sizeof cfg->secret_key, err, errlen))
        return false;
    if (strlen(cfg->secret_key) < 16) {
        snprintf(err, errlen,
                 "SC_SECRET_KEY must be set to a random string of at least 16 characters (it "
                 "signs the links sent by e-mail; scripts/stack.sh keeps one in var/secret.key)");
        return false;
    }
    long quotas, km, kd, im, id;
    if (!env_long("SC_QUOTAS", 1, 0, 1, &quotas, err, errlen) ||
        !env_long("SC_QUOTA_KEY_MINUTE", 600, 1, 1000000, &km, err, errlen) ||
        !env_long("SC_QUOTA_KEY_DAY", 100000, 1, 100000000, &kd, err, errlen) ||
        !env_long("SC_QUOTA_IP_MINUTE", 300, 1, 1000000, &im, err, errlen) ||
        !env_long("SC_QUOTA_IP_DAY", 20000, 1, 100000000, &id, err, errlen) ||
        !env_str("SC_QUOTA_EXEMPT", "", cfg->quota_exempt, sizeof cfg->quota_exempt, err, errlen))
        return false;
    cfg->quotas = quotas == 1;
    cfg->quota_key_minute = (int)km;
    cfg->quota_key_day = (int)kd;
    cfg->quota_ip_minute = (int)im;
    cfg->quota_ip_day = (int)id;
    cfg->workers = (int)workers;
    cfg->redis_port = (int)port;
    cfg->redis_timeout_ms = (int)timeout;
    cfg->cache_ttl_s = (int)ttl;
    cfg->shutdown_grace_s = (int)grace;
    return true;
}

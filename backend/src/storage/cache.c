#include "storage/cache.h"

#include <hiredis/hiredis.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"

#define CACHE_RETRY_S 1

struct cache {
    char *host; /* owned */
    int port;
    int timeout_ms;
    redisContext *ctx; /* owned; NULL when not connected */
    time_t retry_at;   /* no connection attempt before this time after a failure */
    /* The SHA-1 Redis gave each script loaded by this handle ("" until loaded). */
    struct {
        const char *script; /* borrowed static string */
        char sha[48];
    } scripts[CACHE_SCRIPTS_MAX];
};

cache_t *cache_open(const char *host, int port, int timeout_ms) {
    cache_t *c = calloc(1, sizeof *c);
    if (c == NULL)
        return NULL;
    c->host = strdup(host);
    if (c->host == NULL) {
        free(c);
        return NULL;
    }
    c->port = port;
    c->timeout_ms = timeout_ms;
    return c;
}

static void cache_drop(cache_t *c, const char *why) {
    if (c->ctx) {
        log_msg(LOG_WARN, "redis: %s: %s", why, c->ctx->errstr[0] ? c->ctx->errstr : "no reply");
        redisFree(c->ctx);
    }
    c->ctx = NULL;
    c->retry_at = time(NULL) + CACHE_RETRY_S;
}

void cache_close(cache_t *c) {
    if (c == NULL)
        return;
    if (c->ctx)
        redisFree(c->ctx);
    free(c->host);
    free(c);
}

static bool cache_connected(cache_t *c) {
    if (c->ctx)
        return true;
    if (time(NULL) < c->retry_at)
        return false;
    struct timeval tv = {.tv_sec = c->timeout_ms / 1000, .tv_usec = (c->timeout_ms % 1000) * 1000};
    c->ctx = redisConnectWithTimeout(c->host, c->port, tv);
    if (c->ctx == NULL || c->ctx->err) {
        if (c->ctx) {
            redisFree(c->ctx);
            c->ctx = NULL;
        }
        c->retry_at = time(NULL) + CACHE_RETRY_S;
        return false;
    }
    if (redisSetTimeout(c->ctx, tv) != REDIS_OK) {
        cache_drop(c, "cannot set timeout");
        return false;
    }
    return true;
}

bool cache_get(cache_t *c, const char *key, buf_t *out) {
    if (!cache_connected(c))
        return false;
    redisReply *r = redisCommand(c->ctx, "GET %s", key);
    if (r == NULL) {
        cache_drop(c, "GET failed");
        return false;
    }
    bool hit = r->type == REDIS_REPLY_STRING && buf_append(out, r->str, r->len);
    freeReplyObject(r);
    return hit;
}

void cache_set(cache_t *c, const char *key, const char *value, size_t len, int ttl_s) {
    if (ttl_s <= 0 || !cache_connected(c))
        return;
    redisReply *r = redisCommand(c->ctx, "SET %s %b EX %d", key, value, len, ttl_s);
    if (r == NULL) {
        cache_drop(c, "SET failed");
        return;
    }
    freeReplyObject(r);
}

bool cache_count_window(cache_t *c, const char *key, int window_s, long long *count,
                        long long *ttl_s) {
    redisReply *r[3] = {NULL, NULL, NULL};
    bool ok = false;
    if (!cache_connected(c))
        return false;
    /* One round trip; EXPIRE … NX (Redis 7) starts the window at its first event only, and is
     * sent every time so that a key can never be left without a lifetime. */
    if (redisAppendCommand(c->ctx, "INCR %s", key) != REDIS_OK ||
        redisAppendCommand(c->ctx, "EXPIRE %s %d NX", key, window_s) != REDIS_OK ||
        redisAppendCommand(c->ctx, "TTL %s", key) != REDIS_OK) {
        cache_drop(c, "rate limit commands not sent");
        return false;
    }
    for (int i = 0; i < 3; i++)
        if (redisGetReply(c->ctx, (void **)&r[i]) != REDIS_OK || r[i] == NULL) {
            cache_drop(c, "rate limit reply lost");
            goto done;
        }
    ok = r[0]->type == REDIS_REPLY_INTEGER && r[2]->type == REDIS_REPLY_INTEGER;
    if (ok) {
        *count = r[0]->integer;
        *ttl_s = r[2]->integer > 0 ? r[2]->integer : window_s;
    }
done:
    for (int i = 0; i < 3; i++)
        if (r[i])
            freeReplyObject(r[i]);
    return ok;
}

bool cache_up(const cache_t *c) {
    return c->ctx != NULL;
}

bool cache_ping(cache_t *c) {
    /* A health check must say what Redis is now, not what it was a second ago. */
    c->retry_at = 0;
    if (!cache_connected(c))
        return false;
    redisReply *r = redisCommand(c->ctx, "PING");
    bool ok = r != NULL && r->type == REDIS_REPLY_STATUS;
    if (r == NULL)
        cache_drop(c, "PING failed");
    else
        freeReplyObject(r);
    return ok;
}

void cache_set_nx(cache_t *c, const char *key, const char *value, int ttl_s) {
    if (!cache_connected(c))
        return;
    redisReply *r = redisCommand(c->ctx, "SET %s %s EX %d NX", key, value, ttl_s);
    if (r == NULL) {
        cache_drop(c, "SET NX failed");
        return;
    }
    freeReplyObject(r);
}

/* Appends r to out, flattened (see cache_script). */
static bool cache_flatten(const redisReply *r, buf_t *out) {
    switch (r->type) {
    case REDIS_REPLY_ARRAY:
        for (size_t i = 0; i < r->elements; i++)
            if (!cache_flatten(r->element[i], out))
                return false;
        return true;
    case REDIS_REPLY_INTEGER:
        return buf_appendf(out, "%lld\n", r->integer);
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
        return buf_append(out, r->str, r->len) && buf_append(out, "\n", 1);
    case REDIS_REPLY_NIL:
        return buf_append(out, "\n", 1);
    default:
        return false;
    }
}

bool cache_script(cache_t *c, const char *script, int nkeys, const char *const *args, int nargs,
                  buf_t *out) {
    enum { ARGS_MAX = 16 };
    const char *argv[ARGS_MAX + 3];
    char nk[16];
    redisReply *r = NULL;
    bool ok = false;
    size_t slot = CACHE_SCRIPTS_MAX;
    if (nargs + nkeys > ARGS_MAX || !cache_connected(c))
        return false;
    for (size_t i = 0; i < CACHE_SCRIPTS_MAX && slot == CACHE_SCRIPTS_MAX; i++)
        if (c->scripts[i].script == script || c->scripts[i].script == NULL)
            slot = i;
    if (slot == CACHE_SCRIPTS_MAX) {
        log_msg(LOG_ERROR, "redis: more than %d scripts", CACHE_SCRIPTS_MAX);
        return false;
    }
    for (int attempt = 0; attempt < 2; attempt++) {
        if (c->scripts[slot].script == NULL || c->scripts[slot].sha[0] == '\0') {
            r = redisCommand(c->ctx, "SCRIPT LOAD %s", script);
            if (r == NULL) {
                cache_drop(c, "SCRIPT LOAD failed");
                return false;
            }
            if (r->type != REDIS_REPLY_STRING || r->len >= sizeof c->scripts[slot].sha) {
                log_msg(LOG_ERROR, "redis: script not loaded: %s",
                        r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply");
                goto done;
            }
            memcpy(c->scripts[slot].sha, r->str, r->len + 1);
            c->scripts[slot].script = script;
            freeReplyObject(r);
            r = NULL;
        }
        snprintf(nk, sizeof nk, "%d", nkeys);
        argv[0] = "EVALSHA";
        argv[1] = c->scripts[slot].sha;
        argv[2] = nk;
        for (int i = 0; i < nkeys + nargs; i++)
            argv[3 + i] = args[i];
        r = redisCommandArgv(c->ctx, 3 + nkeys + nargs, argv, NULL);
        if (r == NULL) {
            cache_drop(c, "EVALSHA failed");
            return false;
        }
        if (r->type == REDIS_REPLY_ERROR && strncmp(r->str, "NOSCRIPT", 8) == 0) {
            /* Redis restarted (or SCRIPT FLUSH): load it again, once. */
            c->scripts[slot].sha[0] = '\0';
            freeReplyObject(r);
            r = NULL;
            continue;
        }
        break;
    }
    if (r == NULL)
        goto done;
    if (r->type == REDIS_REPLY_ERROR) {
        log_msg(LOG_ERROR, "redis: script failed: %s", r->str);
        goto done;
    }
    ok = cache_flatten(r, out);
done:
    if (r)
        freeReplyObject(r);
    return ok;
}

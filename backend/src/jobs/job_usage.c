#include "jobs/job_usage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/log.h"
#include "domain/people/apikey.h"

/* Takes both hashes and deletes them, atomically: {n, field1, value1, …, fieldn, valuen, …}. The
 * uses first (n pairs "ID DAY" → count), then the last uses (ID → unix seconds). */
static const char usage_take[] = "local u = redis.call('HGETALL', KEYS[1])\n"
                                 "local l = redis.call('HGETALL', KEYS[2])\n"
                                 "redis.call('DEL', KEYS[1], KEYS[2])\n"
                                 "local out = {#u / 2}\n"
                                 "for _, v in ipairs(u) do out[#out + 1] = v end\n"
                                 "for _, v in ipairs(l) do out[#out + 1] = v end\n"
                                 "return out\n";

/* Puts the uses back (PostgreSQL refused them): ARGV pairs "ID DAY", count. */
static const char usage_back[] = "for i = 1, #ARGV, 2 do\n"
                                 "  redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1])\n"
                                 "end\n"
                                 "return 1\n";

/* Next line of the flattened reply at *p. */
static const char *usage_line(const char **p, size_t *len) {
    const char *s = *p;
    const char *nl = strchr(s, '\n');
    if (nl == NULL)
        return NULL;
    *len = (size_t)(nl - s);
    *p = nl + 1;
    return s;
}

dom_status job_usage_flush(const job_ctx_t *ctx, cache_t *cache, long *keys) {
    static bool said;
    const char *args[] = {"sc:use", "sc:lastuse"};
    buf_t got, uses, last;
    dom_status st = DOM_OK;
    *keys = 0;
    buf_init(&got, 16 * 1024 * 1024);
    buf_init(&uses, 32 * 1024 * 1024);
    buf_init(&last, 16 * 1024 * 1024);
    if (!cache_script(cache, usage_take, 2, args, 0, &got)) {
        if (!said)
            log_msg(LOG_WARN, "usage: Redis unavailable, the uses of API keys wait");
        said = true;
        goto done;
    }
    said = false;
    const char *p = got.data ? got.data : "";
    size_t len;
    const char *line = usage_line(&p, &len);
    long n = line ? strtol(line, NULL, 10) : 0;
    bool ok = buf_append_str(&uses, "[") && buf_append_str(&last, "[");
    for (long i = 0; ok && i < n; i++) {
        size_t flen, vlen;
        const char *f = usage_line(&p, &flen), *v = usage_line(&p, &vlen);
        long long id = 0, count = 0;
        char day[16] = "";
        if (f == NULL || v == NULL)
            break;
        /* "ID YYYY-MM-DD": written by the API's script only; anything else is skipped. */
        if (sscanf(f, "%lld %10s", &id, day) != 2 || strlen(day) != 10)
            continue;
        count = strtoll(v, NULL, 10);
        ok = buf_appendf(&uses, "%s[%lld,\"%s\",%lld]", *keys ? "," : "", id, day, count);
        (*keys)++;
    }
    for (bool first = true; ok;) {
        size_t flen, vlen;
        const char *f = usage_line(&p, &flen), *v = usage_line(&p, &vlen);
        if (f == NULL || v == NULL)
            break;
        ok = buf_appendf(&last, "%s[%lld,%lld]", first ? "" : ",", strtoll(f, NULL, 10),
                         strtoll(v, NULL, 10));
        first = false;
    }
    ok = ok && buf_append_str(&uses, "]") && buf_append_str(&last, "]");
    if (!ok) {
        log_msg(LOG_ERROR, "usage: too many counters at once; those taken are lost");
        st = DOM_INTERNAL;
        goto done;
    }
    if (*keys == 0 && last.len <= 2)
        goto done;
    st = apikey_use_add(ctx->db, uses.data, last.data);
    if (st != DOM_OK) {
        /* Put the counts back for the next pass (the last uses only say when: lost). */
        const char *q = got.data;
        /* In groups of 7 pairs: cache_script takes at most 16 arguments. */
        const char *back[15];
        int nb = 1;
        long lost = 0;
        back[0] = "sc:use";
        usage_line(&q, &len);
        for (long i = 0; i < n; i++) {
            size_t flen, vlen;
            const char *f = usage_line(&q, &flen), *v = usage_line(&q, &vlen);
            if (f != NULL && v != NULL) {
                /* The lines end at '\n' in got: cut them there, got is ours. */
                ((char *)f)[flen] = '\0';
                ((char *)v)[vlen] = '\0';
                back[nb++] = f;
                back[nb++] = v;
            }
            if (nb > 1 && (nb == 15 || i == n - 1 || f == NULL || v == NULL)) {
                buf_t ignored;
                buf_init(&ignored, 64);
                if (!cache_script(cache, usage_back, 1, back, nb - 1, &ignored))
                    lost += (nb - 1) / 2;
                buf_free(&ignored);
                nb = 1;
            }
            if (f == NULL || v == NULL)
                break;
        }
        if (lost > 0)
            log_msg(LOG_WARN, "usage: %ld counter(s) lost (PostgreSQL and Redis failed)", lost);
    }
done:
    buf_free(&got);
    buf_free(&uses);
    buf_free(&last);
    return st;
}

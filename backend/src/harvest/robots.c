#include "harvest/robots.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"

typedef struct rule {
    char *pat;  /* owned, NUL-terminated, bytes >= 0x80 percent-encoded */
    size_t len; /* strlen(pat): the longest pattern that matches wins */
    bool allow;
} rule;

/* The rules of every group for one kind of agent, merged. */
typedef struct ruleset {
    rule *v;
    size_t n, cap;
    int delay_ms; /* largest Crawl-delay seen, 0 for none */
} ruleset;

struct hv_robots {
    ruleset rules; /* ours when a group named us, else those of "*" */
};

static void ruleset_free(ruleset *s) {
    for (size_t i = 0; i < s->n; i++)
        free(s->v[i].pat);
    free(s->v);
    memset(s, 0, sizeof *s);
}

/* URLs reach us percent-encoded (libcurl sends them so), while a robots.txt written by hand holds
 * raw UTF-8 ("/actualités"): encoding the pattern lets both meet. */
static bool ruleset_add(ruleset *s, bool allow, const char *val, size_t n) {
    bool ok = false;
    buf_t b;
    buf_init(&b, 4 * n + 1);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)val[i];
        if (c >= 0x80 ? !buf_appendf(&b, "%%%02X", c) : !buf_append(&b, &val[i], 1))
            goto done;
    }
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 8;
        rule *v = realloc(s->v, cap * sizeof *v);
        if (v == NULL)
            goto done;
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n].pat = b.data; /* n > 0, so something was appended */
    s->v[s->n].len = b.len;
    s->v[s->n].allow = allow;
    s->n++;
    b.data = NULL; /* now owned by the rule */
    ok = true;
done:
    buf_free(&b);
    return ok;
}

static void trim(const char **s, size_t *n) {
    while (*n > 0 && (**s == ' ' || **s == '\t')) {
        (*s)++;
        (*n)--;
    }
    while (*n > 0 && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t'))
        (*n)--;
}

static bool key_is(const char *k, size_t n, const char *want) {
    return n == strlen(want) && strncasecmp(k, want, n) == 0;
}

/* "SocialConnect/1.0 (+url)" names the product token "SocialConnect". */
static bool agent_names(const char *val, size_t n, const char *agent) {
    size_t tok = 0;
    while (tok < n && val[tok] != '/' && val[tok] != ' ' && val[tok] != '\t')
        tok++;
    return key_is(val, tok, agent);
}

static int parse_delay_ms(const char *val, size_t n) {
    char tmp[32];
    if (n == 0 || n >= sizeof tmp)
        return 0;
    memcpy(tmp, val, n);
    tmp[n] = '\0';
    char *end;
    double s = strtod(tmp, &end);
    if (*end != '\0' || !isfinite(s) || s <= 0)
        return 0;
    if (s * 1000 >= HV_ROBOTS_MAX_CRAWL_DELAY_MS)
        return HV_ROBOTS_MAX_CRAWL_DELAY_MS;
    return (int)lround(s * 1000);
}

hv_robots *hv_robots_parse(const char *text, size_t len, const char *agent) {
    hv_robots *r = calloc(1, sizeof *r);
    ruleset ours = {0}, star = {0};
    bool named_us = false;   /* some group names us: "*" groups no longer apply */
    bool in_ours = false;    /* the current group names us */
    bool in_star = false;    /* the current group names "*" */
    bool after_rule = false; /* a User-agent line now starts a new group */
    if (r == NULL)
        goto failed;
    if (len > HV_ROBOTS_MAX_BYTES)
        len = HV_ROBOTS_MAX_BYTES;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        text += 3;
        len -= 3;
    }
    for (size_t pos = 0; pos < len;) {
        size_t end = pos;
        while (end < len && text[end] != '\n' && text[end] != '\r')
            end++;
        const char *line = text + pos;
        size_t n = end - pos;
        pos = end + 1;
        const char *hash = memchr(line, '#', n);
        if (hash)
            n = (size_t)(hash - line);
        const char *colon = memchr(line, ':', n);
        if (colon == NULL)
            continue;
        const char *key = line, *val = colon + 1;
        size_t kn = (size_t)(colon - line), vn = n - kn - 1;
        trim(&key, &kn);
        trim(&val, &vn);
        if (key_is(key, kn, "user-agent")) {
            if (after_rule) {
                in_ours = in_star = false;
                after_rule = false;
            }
            if (agent_names(val, vn, agent)) {
                in_ours = true;
                named_us = true;
            } else if (vn == 1 && val[0] == '*') {
                in_star = true;
            }
            continue;
        }
        bool allow = key_is(key, kn, "allow");
        if (allow || key_is(key, kn, "disallow")) {
            after_rule = true;
            /* An empty pattern matches nothing: "Disallow:" means allow everything. */
            if (vn == 0)
                continue;
            if (in_ours && !ruleset_add(&ours, allow, val, vn))
                goto failed;
            if (in_star && !ruleset_add(&star, allow, val, vn))
                goto failed;
        } else if (key_is(key, kn, "crawl-delay")) {
            after_rule = true;
            int ms = parse_delay_ms(val, vn);
            if (in_ours && ms > ours.delay_ms)
                ours.delay_ms = ms;
            if (in_star && ms > star.delay_ms)
                star.delay_ms = ms;
        }
        /* Sitemap and unknown lines neither end a group nor belong to one. */
    }
    if (named_us) {
        r->rules = ours;
        ruleset_free(&star);
    } else {
        r->rules = star;
        ruleset_free(&ours);
    }
    return r;
failed:
    ruleset_free(&ours);
    ruleset_free(&star);
    free(r);
    return NULL;
}

void hv_robots_free(hv_robots *r) {
    if (r == NULL)
        return;
    ruleset_free(&r->rules);
    free(r);
}

/* Whether pat matches s from its start: `*` is any run of bytes, a final `$` anchors the end, and
 * without `$` the pattern need only match a prefix. Backtracks to the last `*` only, so the cost
 * is bounded by len(pat) * len(s) whatever the pattern. */
static bool pattern_matches(const char *pat, size_t plen, const char *s, size_t n) {
    bool anchored = plen > 0 && pat[plen - 1] == '$';
    if (anchored)
        plen--;
    size_t p = 0, i = 0, star_p = SIZE_MAX, star_i = 0;
    while (i < n) {
        if (p < plen && pat[p] == '*') {
            star_p = p++;
            star_i = i;
        } else if (p < plen && pat[p] == s[i]) {
            p++;
            i++;
        } else if (p == plen && !anchored) {
            return true;
        } else if (star_p != SIZE_MAX) {
            p = star_p + 1;
            i = ++star_i;
        } else {
            return false;
        }
    }
    while (p < plen && pat[p] == '*')
        p++;
    return p == plen;
}

bool hv_robots_allowed(const hv_robots *r, const char *path_and_query) {
    const char *path = path_and_query[0] ? path_and_query : "/";
    if (strcmp(path, "/robots.txt") == 0)
        return true;
    size_t n = strlen(path);
    const rule *best = NULL;
    for (size_t i = 0; i < r->rules.n; i++) {
        const rule *ru = &r->rules.v[i];
        if (best && (ru->len < best->len || (ru->len == best->len && !ru->allow)))
            continue;
        if (pattern_matches(ru->pat, ru->len, path, n))
            best = ru;
    }
    return best == NULL || best->allow;
}

int hv_robots_crawl_delay_ms(const hv_robots *r) {
    return r->rules.delay_ms;
}

size_t hv_robots_rule_count(const hv_robots *r) {
    return r->rules.n;
}

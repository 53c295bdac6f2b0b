/* The fetcher decides what starts and when (hostq: per host limits, delays, back-off; robots.txt
 * first); libcurl's multi interface moves the bytes. Redirects are followed here, not by libcurl:
 * each hop goes through its own host's queue, so a redirect to another host waits for that host's
 * robots.txt, delay and connection cap like any other request. CURLMOPT_MAX_HOST_CONNECTIONS is set
 * too, but only as a backstop: libcurl would otherwise queue extra transfers itself, hiding them
 * from our delay accounting. */
#include "harvest/fetch.h"

#include <ctype.h>
#include <curl/curl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/buf.h"
#include "core/url.h"
#include "harvest/hostq.h"
#include "harvest/robots.h"

#define ROBOTS_TOKEN       "SocialConnect"
#define URL_MAX            8192
#define REDIRECTS_MAX      5
#define HEADER_VALUE_MAX   1024 /* longer ETag, Last-Modified or Content-Type: dropped */
#define RETRY_AFTER_MAX_MS 30000
#define DEFAULT_UA         "SocialConnect-harvester/1.0"
#define DEFAULT_DELAY_MS   1000

typedef enum robots_state {
    ROBOTS_PENDING,     /* robots.txt queued or in flight: only it may start */
    ROBOTS_RULES,       /* read: obey hv_robots */
    ROBOTS_ALLOW_ALL,   /* absent (4xx), or not obeyed */
    ROBOTS_UNREACHABLE, /* 5xx or network failure: nothing may be fetched this run */
} robots_state;

typedef struct host {
    char *key;   /* "https://example.org:443", owned */
    hv_hostq *q; /* owned; holds req pointers it does not own */
    robots_state robots_state;
    hv_robots *robots;      /* owned, set in ROBOTS_RULES */
    char robots_error[160]; /* the reason, in ROBOTS_UNREACHABLE */
} host;

typedef struct req {
    struct req *prev, *next; /* every live request, so hv_fetcher_free finds them wherever */
    host *h;                 /* not owned */
    char *url;               /* owned: as the caller asked */
    char *hop_url;           /* owned, NULL before a redirect: where the redirects led */
    int redirects;           /* followed so far */
    char *path;              /* owned: path and query of the current hop, for robots.txt */
    char *etag;              /* owned, may be NULL: sent as If-None-Match */
    char *last_modified;     /* owned, may be NULL: sent as If-Modified-Since */
    void *userdata;          /* the caller's */
    bool is_robots;
    int attempts;
    CURL *easy;                  /* owned, made at the first start, reused by retries */
    struct curl_slist *headers;  /* owned, referenced by easy */
    bool in_multi;               /* easy is added to the multi handle */
    buf_t body;                  /* capped at max_body_bytes (HV_ROBOTS_MAX_BYTES for robots) */
    bool too_big;                /* the cap stopped the body */
    buf_t ctype, etag_in, lm_in; /* response headers of the last response, capped */
} req;

struct hv_fetcher {
    hv_fetch_options opt; /* repaired copy; opt.user_agent points to user_agent */
    char *user_agent;     /* owned */
    hv_fetch_done_fn done;
    void *ctx;
    CURLM *multi; /* owned */
    host **hosts; /* owned, each owned; a run talks to a handful of hosts, so a list will do */
    size_t nhosts, caphosts;
    req *live; /* owned: queued, waiting for a retry or in flight */
    long nlive;
    long requests, bytes;
    bool stopping; /* hv_fetcher_stop: nothing more is started */
};

/* How one attempt ended. */
typedef struct outcome {
    bool ok;           /* a 2xx, or a 304 to a conditional request */
    bool not_modified; /* the 304 */
    long status;
    CURLcode cc;
    char why[160]; /* the French reason when !ok */
} outcome;

static int64_t now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void hv_fetch_options_defaults(hv_fetch_options *opt) {
    *opt = (hv_fetch_options){
            .user_agent = DEFAULT_UA,
            .max_connections = 2,
            .delay_ms = DEFAULT_DELAY_MS,
            .max_body_bytes = 10L * 1024 * 1024,
            .timeout_ms = 20000,
            .connect_timeout_ms = 5000,
            .max_retries = 3,
            .retry_base_ms = 500,
            .obey_robots = true,
    };
}

static int clamp(int v, int lo, int hi) {
    return v < lo ? lo : v > hi ? hi : v;
}

/* ---- requests ---- */

static void req_free(hv_fetcher *f, req *r);

static req *req_new(hv_fetcher *f, host *h, const char *url, const char *path, const char *etag,
                    const char *last_modified, void *userdata, bool is_robots) {
    req *r = calloc(1, sizeof *r);
    if (r == NULL)
        return NULL;
    r->h = h;
    r->userdata = userdata;
    r->is_robots = is_robots;
    r->url = strdup(url);
    r->path = strdup(path);
    r->etag = etag ? strdup(etag) : NULL;
    r->last_modified = last_modified ? strdup(last_modified) : NULL;
    buf_init(&r->body, is_robots ? HV_ROBOTS_MAX_BYTES : (size_t)f->opt.max_body_bytes);
    buf_init(&r->ctype, HEADER_VALUE_MAX);
    buf_init(&r->etag_in, HEADER_VALUE_MAX);
    buf_init(&r->lm_in, HEADER_VALUE_MAX);
    r->next = f->live;
    if (f->live)
        f->live->prev = r;
    f->live = r;
    f->nlive++;
    if (!r->url || !r->path || (etag && !r->etag) || (last_modified && !r->last_modified)) {
        req_free(f, r);
        return NULL;
    }
    return r;
}

static void req_free(hv_fetcher *f, req *r) {
    if (r == NULL)
        return;
    if (r->prev)
        r->prev->next = r->next;
    else
        f->live = r->next;
    if (r->next)
        r->next->prev = r->prev;
    f->nlive--;
    if (r->in_multi)
        curl_multi_remove_handle(f->multi, r->easy);
    curl_easy_cleanup(r->easy);
    curl_slist_free_all(r->headers);
    free(r->url);
    free(r->hop_url);
    free(r->path);
    free(r->etag);
    free(r->last_modified);
    buf_free(&r->body);
    buf_free(&r->ctype);
    buf_free(&r->etag_in);
    buf_free(&r->lm_in);
    free(r);
}

/* Returning anything but the size given makes libcurl abort the transfer: that is how the cap
 * applies to the decoded body, which Content-Length cannot tell in advance under gzip. */
static size_t on_body(char *p, size_t size, size_t n, void *userdata) {
    req *r = userdata;
    size_t len = size * n;
    if (buf_append(&r->body, p, len))
        return len;
    if (r->body.toobig) {
        r->too_big = true;
        /* RFC 9309 asks to read the start of an oversized robots.txt, not to give up on it. */
        if (r->is_robots && !buf_append(&r->body, p, r->body.max - r->body.len))
            r->too_big = false; /* out of memory after all */
    }
    return 0;
}

static void capture(const char *line, size_t len, const char *name, buf_t *out) {
    size_t nl = strlen(name);
    if (len <= nl || line[nl] != ':' || strncasecmp(line, name, nl) != 0)
        return;
    const char *v = line + nl + 1;
    size_t vn = len - nl - 1;
    while (vn > 0 && (*v == ' ' || *v == '\t')) {
        v++;
        vn--;
    }
    while (vn > 0 && isspace((unsigned char)v[vn - 1]))
        vn--;
    buf_reset(out);
    /* A value over the cap is dropped whole: a truncated ETag would be worse than none. */
    if (!buf_append(out, v, vn))
        buf_reset(out);
}

static size_t on_header(char *p, size_t size, size_t n, void *userdata) {
    req *r = userdata;
    size_t len = size * n;
    /* Each response of a redirect chain (and any 100 Continue) starts with its status line: keep
     * only the headers of the last one. */
    if (len >= 5 && memcmp(p, "HTTP/", 5) == 0) {
        buf_reset(&r->ctype);
        buf_reset(&r->etag_in);
        buf_reset(&r->lm_in);
        return len;
    }
    capture(p, len, "content-type", &r->ctype);
    capture(p, len, "etag", &r->etag_in);
    capture(p, len, "last-modified", &r->lm_in);
    return len;
}

static bool req_setup(hv_fetcher *f, req *r) {
    const hv_fetch_options *o = &f->opt;
    char line[HEADER_VALUE_MAX + 32];
    struct curl_slist *l;
    CURL *e = r->easy = curl_easy_init();
    if (e == NULL)
        return false;
    if (r->etag) {
        snprintf(line, sizeof line, "If-None-Match: %s", r->etag);
        if ((l = curl_slist_append(r->headers, line)) == NULL)
            return false;
        r->headers = l;
    }
    if (r->last_modified) {
        snprintf(line, sizeof line, "If-Modified-Since: %s", r->last_modified);
        if ((l = curl_slist_append(r->headers, line)) == NULL)
            return false;
        r->headers = l;
    }
    /* robots.txt alone lets libcurl follow its redirects (RFC 9309 §2.3.1.2 asks for five): it
     * is not subject to itself. */
    if (curl_easy_setopt(e, CURLOPT_URL, r->hop_url ? r->hop_url : r->url) != CURLE_OK ||
        curl_easy_setopt(e, CURLOPT_PRIVATE, r) != CURLE_OK ||
        curl_easy_setopt(e, CURLOPT_USERAGENT, o->user_agent) != CURLE_OK ||
        curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "") != CURLE_OK ||
        curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, r->is_robots ? 1L : 0L) != CURLE_OK ||
        curl_easy_setopt(e, CURLOPT_MAXREDIRS, (long)REDIRECTS_MAX) != CURLE_OK ||
        curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https") != CURLE_OK ||
        curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https") != CURLE_OK ||
        curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)o->timeout_ms) != CURLE_OK ||
        curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)o->connect_timeout_ms) != CURLE_OK ||
        curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
        curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body) != CURLE_OK ||
        curl_easy_setopt(e, CURLOPT_WRITEDATA, r) != CURLE_OK ||
        curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header) != CURLE_OK ||
        curl_easy_setopt(e, CURLOPT_HEADERDATA, r) != CURLE_OK ||
        curl_easy_setopt(e, CURLOPT_HTTPHEADER, r->headers) != CURLE_OK)
        return false;
    /* Refuses an announced oversized body before reading it. Not for robots.txt, whose start is
     * still worth reading. */
    if (!r->is_robots &&
        curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)o->max_body_bytes) != CURLE_OK)
        return false;
    return true;
}

/* ---- hosts ---- */

/* Splits an absolute http(s) URL into the host key (lower-case scheme and name, explicit port)
 * and the path with its query. Both are new strings for the caller to free. */
static bool url_parts(const char *url, char **key, char **path) {
    bool ok = false;
    char *scheme = NULL, *name = NULL, *port = NULL, *p = NULL, *query = NULL;
    CURLU *u = curl_url();
    *key = *path = NULL;
    if (u == NULL || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK)
        goto done;
    if (curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_HOST, &name, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_PATH, &p, 0) != CURLUE_OK)
        goto done;
    if (curl_url_get(u, CURLUPART_QUERY, &query, 0) != CURLUE_OK)
        query = NULL; /* none */
    if (strcasecmp(scheme, "http") != 0 && strcasecmp(scheme, "https") != 0)
        goto done;
    for (char *c = scheme; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    for (char *c = name; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    if (asprintf(key, "%s://%s:%s", scheme, name, port) < 0) {
        *key = NULL;
        goto done;
    }
    if (asprintf(path, "%s%s%s", p, query ? "?" : "", query ? query : "") < 0) {
        *path = NULL;
        goto done;
    }
    ok = true;
done:
    if (!ok) {
        free(*key);
        *key = NULL;
    }
    curl_free(scheme);
    curl_free(name);
    curl_free(port);
    curl_free(p);
    curl_free(query);
    curl_url_cleanup(u);
    return ok;
}

static void host_free(host *h) {
    if (h == NULL)
        return;
    free(h->key);
    hv_hostq_free(h->q);
    hv_robots_free(h->robots);
    free(h);
}

/* Whether the host of key ("scheme://name:port") is this machine. */
static bool host_is_loopback(const char *key) {
    const char *name = strstr(key, "://");
    const char *port = strrchr(key, ':');
    if (name == NULL || port == NULL || port < name + 3)
        return false;
    name += 3;
    return url_host_is_loopback(name, (size_t)(port - name));
}

/* The host for key, made on first sight with its robots.txt request queued first. */
static host *host_get(hv_fetcher *f, const char *key) {
    char *robots_url = NULL;
    host *h = NULL;
    for (size_t i = 0; i < f->nhosts; i++)
        if (strcmp(f->hosts[i]->key, key) == 0)
            return f->hosts[i];
    if (f->nhosts == f->caphosts) {
        size_t cap = f->caphosts ? 2 * f->caphosts : 8;
        host **v = realloc(f->hosts, cap * sizeof *v);
        if (v == NULL)
            goto failed;
        f->hosts = v;
        f->caphosts = cap;
    }
    /* No delay is for this machine only: a link or redirect to another host gets the default. */
    int delay_ms = f->opt.delay_ms;
    if (delay_ms == 0 && !host_is_loopback(key))
        delay_ms = DEFAULT_DELAY_MS;
    h = calloc(1, sizeof *h);
    if (h == NULL || (h->key = strdup(key)) == NULL ||
        (h->q = hv_hostq_new(f->opt.max_connections, delay_ms)) == NULL)
        goto failed;
    h->robots_state = ROBOTS_ALLOW_ALL;
    if (f->opt.obey_robots) {
        if (asprintf(&robots_url, "%s/robots.txt", key) < 0) {
            robots_url = NULL;
            goto failed;
        }
        req *r = req_new(f, h, robots_url, "/robots.txt", NULL, NULL, NULL, true);
        if (r == NULL || !hv_hostq_push(h->q, r, 0, true)) {
            req_free(f, r);
            goto failed;
        }
        h->robots_state = ROBOTS_PENDING;
        hv_hostq_hold(h->q, true);
    }
    free(robots_url);
    f->hosts[f->nhosts++] = h;
    return h;
failed:
    free(robots_url);
    host_free(h);
    return NULL;
}

/* ---- the life of a request ---- */

static void deliver(hv_fetcher *f, req *r, const outcome *o) {
    bool body = o->ok && !o->not_modified;
    hv_response resp = {
            .url = r->url,
            .final_url = r->hop_url ? r->hop_url : r->url,
            .status = o->status,
            .not_modified = o->not_modified,
            .body = body ? (const unsigned char *)buf_cstr(&r->body) : NULL,
            .len = body ? r->body.len : 0,
            .content_type = r->ctype.len ? buf_cstr(&r->ctype) : NULL,
            .etag = r->etag_in.len ? buf_cstr(&r->etag_in) : NULL,
            .last_modified = r->lm_in.len ? buf_cstr(&r->lm_in) : NULL,
            .error = o->ok ? NULL : o->why,
            .attempts = r->attempts,
    };
    f->requests++;
    f->done(f->ctx, r->userdata, &resp);
    req_free(f, r);
}

/* RFC 9309 §2.3.1: a 4xx means there are no rules; a 5xx or no answer means assume everything is
 * forbidden; more than five redirects may be taken as a 4xx. */
static void robots_settle(hv_fetcher *f, req *r, const outcome *o) {
    host *h = r->h;
    if (o->ok && !o->not_modified) {
        h->robots = hv_robots_parse(r->body.data ? r->body.data : "", r->body.len, ROBOTS_TOKEN);
        if (h->robots) {
            h->robots_state = ROBOTS_RULES;
            hv_hostq_min_delay(h->q, hv_robots_crawl_delay_ms(h->robots));
        } else {
            h->robots_state = ROBOTS_UNREACHABLE;
            snprintf(h->robots_error, sizeof h->robots_error,
                     "robots.txt inaccessible (mémoire insuffisante)");
        }
    } else if ((o->cc == CURLE_OK && o->status >= 400 && o->status < 500 && o->status != 429) ||
               o->cc == CURLE_TOO_MANY_REDIRECTS) {
        h->robots_state = ROBOTS_ALLOW_ALL;
    } else {
        h->robots_state = ROBOTS_UNREACHABLE;
        snprintf(h->robots_error, sizeof h->robots_error, "robots.txt inaccessible (%.100s)",
                 o->ok ? "HTTP 304" : o->why);
    }
    hv_hostq_hold(h->q, false);
    req_free(f, r);
}

static void conclude(hv_fetcher *f, req *r, const outcome *o) {
    if (r->is_robots)
        robots_settle(f, r, o);
    else
        deliver(f, r, o);
}

static const char *network_reason(CURLcode cc, bool *retry) {
    switch (cc) {
    case CURLE_OPERATION_TIMEDOUT:
        *retry = true;
        return "délai dépassé";
    case CURLE_COULDNT_CONNECT:
        *retry = true;
        return "connexion refusée";
    case CURLE_COULDNT_RESOLVE_HOST:
        *retry = true;
        return "hôte introuvable";
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_PARTIAL_FILE:
        *retry = true;
        return "connexion interrompue";
    case CURLE_TOO_MANY_REDIRECTS:
        return "trop de redirections";
    case CURLE_UNSUPPORTED_PROTOCOL:
        return "protocole non autorisé";
    case CURLE_BAD_CONTENT_ENCODING:
        return "contenu mal compressé";
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CACERT_BADFILE:
        return "erreur TLS";
    case CURLE_OUT_OF_MEMORY:
    case CURLE_WRITE_ERROR: /* too_big is handled before: only memory is left */
        return "mémoire insuffisante";
    default:
        return "erreur réseau";
    }
}

static bool is_redirect(long status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

/* Sends r on to location (absolute, as libcurl resolved it) through that host's queue; concludes
 * it with the reason when the chain is too long or leads out of http(s). */
static void follow(hv_fetcher *f, req *r, const char *location) {
    outcome o = {.cc = CURLE_OK, .status = 0};
    char *key = NULL, *path = NULL, *hop = NULL;
    host *h;
    if (++r->redirects > REDIRECTS_MAX) {
        o.cc = CURLE_TOO_MANY_REDIRECTS;
        snprintf(o.why, sizeof o.why, "%s", "trop de redirections");
        goto failed;
    }
    if (strlen(location) > URL_MAX || !url_parts(location, &key, &path)) {
        o.cc = CURLE_UNSUPPORTED_PROTOCOL;
        snprintf(o.why, sizeof o.why, "%s", "protocole non autorisé");
        goto failed;
    }
    snprintf(o.why, sizeof o.why, "%s", "mémoire insuffisante");
    if ((hop = strdup(location)) == NULL || (h = host_get(f, key)) == NULL ||
        curl_easy_setopt(r->easy, CURLOPT_URL, hop) != CURLE_OK)
        goto failed;
    free(r->hop_url);
    r->hop_url = hop;
    hop = NULL;
    free(r->path);
    r->path = path;
    path = NULL;
    r->h = h;
    r->attempts = 0; /* retries are counted per hop */
    if (!hv_hostq_push(h->q, r, 0, false))
        goto failed;
    free(key);
    return;
failed:
    free(key);
    free(path);
    free(hop);
    conclude(f, r, &o);
}

static void on_transfer_done(hv_fetcher *f, req *r, CURLcode cc) {
    outcome o = {.cc = cc};
    bool retry = false;
    curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &o.status);
    curl_multi_remove_handle(f->multi, r->easy);
    r->in_multi = false;
    hv_hostq_finished(r->h->q);
    f->bytes += (long)r->body.len;
    if (cc == CURLE_OK && !r->is_robots && is_redirect(o.status)) {
        char *location = NULL;
        if (curl_easy_getinfo(r->easy, CURLINFO_REDIRECT_URL, &location) == CURLE_OK &&
            location != NULL) {
            follow(f, r, location);
            return;
        }
    }
    if (cc == CURLE_OK) {
        if (o.status >= 200 && o.status < 300) {
            o.ok = true;
        } else if (o.status == 304 && (r->etag || r->last_modified)) {
            o.ok = o.not_modified = true;
        } else {
            snprintf(o.why, sizeof o.why, "HTTP %ld", o.status);
            retry = o.status >= 500 || o.status == 429;
        }
    } else if (r->too_big || cc == CURLE_FILESIZE_EXCEEDED) {
        o.ok = r->is_robots && r->too_big; /* its first 512 KiB will do */
        snprintf(o.why, sizeof o.why, "réponse trop grande");
    } else {
        snprintf(o.why, sizeof o.why, "%s", network_reason(cc, &retry));
    }
    if (retry && r->attempts <= f->opt.max_retries) {
        int shift = r->attempts - 1 < 10 ? r->attempts - 1 : 10;
        int64_t wait = (int64_t)f->opt.retry_base_ms << shift;
        curl_off_t after = 0;
        if ((o.status == 429 || o.status == 503) &&
            curl_easy_getinfo(r->easy, CURLINFO_RETRY_AFTER, &after) == CURLE_OK && after > 0) {
            /* The server asked the whole host to slow down, not just this URL. */
            int64_t ms = after * 1000 < RETRY_AFTER_MAX_MS ? after * 1000 : RETRY_AFTER_MAX_MS;
            if (ms > wait)
                wait = ms;
            hv_hostq_defer(r->h->q, now_ms() + ms);
        }
        if (hv_hostq_push(r->h->q, r, now_ms() + wait, r->is_robots))
            return;
        snprintf(o.why, sizeof o.why, "mémoire insuffisante");
    }
    conclude(f, r, &o);
}

static void start(hv_fetcher *f, req *r, int64_t now) {
    buf_reset(&r->body);
    buf_reset(&r->ctype);
    buf_reset(&r->etag_in);
    buf_reset(&r->lm_in);
    r->too_big = false;
    if ((r->easy == NULL && !req_setup(f, r)) ||
        curl_multi_add_handle(f->multi, r->easy) != CURLM_OK) {
        outcome o = {.cc = CURLE_OUT_OF_MEMORY};
        snprintf(o.why, sizeof o.why, "mémoire insuffisante");
        conclude(f, r, &o);
        return;
    }
    r->in_multi = true;
    r->attempts++;
    hv_hostq_started(r->h->q, now);
}

/* Whether robots.txt keeps r from being requested; why says so. */
static bool robots_forbid(const host *h, const req *r, char *why, size_t n) {
    if (h->robots_state == ROBOTS_UNREACHABLE) {
        snprintf(why, n, "%s", h->robots_error);
        return true;
    }
    if (h->robots_state == ROBOTS_RULES && !hv_robots_allowed(h->robots, r->path)) {
        snprintf(why, n, "interdit par robots.txt");
        return true;
    }
    return false;
}

/* Starts everything that may start now; returns when something else might. Callbacks run from
 * here may add hosts, so hosts are walked by index (each host stays where it is in memory). */
static int64_t start_ready(hv_fetcher *f) {
    int64_t wake = HV_HOSTQ_NEVER;
    for (size_t i = 0; i < f->nhosts; i++) {
        host *h = f->hosts[i];
        for (;;) {
            int64_t now = now_ms(), w;
            req *r = hv_hostq_next(h->q, now, &w);
            if (r == NULL) {
                if (w < wake)
                    wake = w;
                break;
            }
            outcome o = {.cc = CURLE_OK};
            if (!r->is_robots && robots_forbid(h, r, o.why, sizeof o.why))
                conclude(f, r, &o);
            else
                start(f, r, now);
        }
    }
    return wake;
}

/* Handles the finished transfers; returns whether there were any. */
static bool reap(hv_fetcher *f) {
    bool any = false;
    int left;
    CURLMsg *m;
    while ((m = curl_multi_info_read(f->multi, &left)) != NULL) {
        if (m->msg != CURLMSG_DONE)
            continue;
        char *priv = NULL;
        CURLcode cc = m->data.result; /* m dies with the handle's removal */
        curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &priv);
        on_transfer_done(f, (req *)priv, cc);
        any = true;
    }
    return any;
}

/* ---- public ---- */

hv_fetcher *hv_fetcher_new(const hv_fetch_options *opt, hv_fetch_done_fn done, void *ctx) {
    hv_fetch_options def;
    hv_fetch_options_defaults(&def);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return NULL;
    hv_fetcher *f = calloc(1, sizeof *f);
    if (f == NULL) {
        curl_global_cleanup();
        return NULL;
    }
    f->opt = *opt;
    f->done = done;
    f->ctx = ctx;
    f->opt.max_connections = clamp(opt->max_connections, 1, 2);
    f->opt.delay_ms = clamp(opt->delay_ms, 0, 60000);
    f->opt.max_retries = clamp(opt->max_retries, 0, 10);
    if (opt->max_body_bytes <= 0)
        f->opt.max_body_bytes = def.max_body_bytes;
    if (opt->timeout_ms <= 0)
        f->opt.timeout_ms = def.timeout_ms;
    if (opt->connect_timeout_ms <= 0)
        f->opt.connect_timeout_ms = def.connect_timeout_ms;
    if (opt->retry_base_ms <= 0)
        f->opt.retry_base_ms = def.retry_base_ms;
    f->user_agent = strdup(opt->user_agent && *opt->user_agent ? opt->user_agent : DEFAULT_UA);
    f->opt.user_agent = f->user_agent;
    f->multi = curl_multi_init();
    if (f->user_agent == NULL || f->multi == NULL ||
        curl_multi_setopt(f->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)f->opt.max_connections) !=
                CURLM_OK) {
        hv_fetcher_free(f);
        return NULL;
    }
    return f;
}

void hv_fetcher_free(hv_fetcher *f) {
    if (f == NULL)
        return;
    while (f->live)
        req_free(f, f->live);
    for (size_t i = 0; i < f->nhosts; i++)
        host_free(f->hosts[i]);
    free(f->hosts);
    curl_multi_cleanup(f->multi);
    free(f->user_agent);
    free(f);
    curl_global_cleanup();
}

static bool header_value_ok(const char *v) {
    return v == NULL || (strpbrk(v, "\r\n") == NULL && strlen(v) <= HEADER_VALUE_MAX);
}

int hv_fetcher_add(hv_fetcher *f, const char *url, const char *etag, const char *last_modified,
                   void *userdata) {
    int rc = -1;
    char *key = NULL, *path = NULL;
    req *r = NULL;
    if (f->stopping || strlen(url) > URL_MAX || !header_value_ok(etag) ||
        !header_value_ok(last_modified))
        goto done;
    if (!url_parts(url, &key, &path))
        goto done;
    host *h = host_get(f, key);
    if (h == NULL)
        goto done;
    r = req_new(f, h, url, path, etag, last_modified, userdata, false);
    if (r == NULL || !hv_hostq_push(h->q, r, 0, false))
        goto done;
    r = NULL; /* the queue has it */
    rc = 0;
done:
    req_free(f, r);
    free(key);
    free(path);
    return rc;
}

void hv_fetcher_stop(hv_fetcher *f) {
    f->stopping = true;
}

/* After hv_fetcher_stop: every request not finished is given up, its caller told so. */
static void abandon_all(hv_fetcher *f) {
    while (f->live != NULL) {
        req *r = f->live;
        if (!r->is_robots) {
            hv_response resp = {.url = r->url, .final_url = r->url, .error = "abandonnée"};
            f->done(f->ctx, r->userdata, &resp);
        }
        req_free(f, r);
    }
}

int hv_fetcher_run(hv_fetcher *f) {
    while (f->nlive > 0) {
        if (f->stopping) {
            abandon_all(f);
            break;
        }
        int64_t wake = start_ready(f);
        int running = 0;
        if (curl_multi_perform(f->multi, &running) != CURLM_OK)
            return -1;
        if (reap(f))
            continue; /* a slot may have freed up, or a callback added work */
        if (f->nlive == 0)
            break;
        int timeout = 1000;
        if (wake != HV_HOSTQ_NEVER) {
            int64_t d = wake - now_ms();
            timeout = d <= 0 ? 0 : d < 1000 ? (int)d : 1000;
        } else if (running == 0) {
            return -1; /* nothing in flight and nothing scheduled: cannot happen, never spin */
        }
        if (curl_multi_poll(f->multi, NULL, 0, timeout, NULL) != CURLM_OK)
            return -1;
    }
    return 0;
}

void hv_fetcher_stats(const hv_fetcher *f, long *requests, long *bytes) {
    *requests = f->requests;
    *bytes = f->bytes;
}

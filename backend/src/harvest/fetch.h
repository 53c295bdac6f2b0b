/* hv_fetch: polite concurrent HTTP for the harvester, on libcurl's multi interface.
 *
 * One fetcher serves one run. Politeness is built in, not optional: robots.txt is fetched once
 * per host and obeyed (for our User-Agent token "SocialConnect", else "*"); at most
 * max_connections requests per host at once and delay_ms between the starts of two requests to
 * the same host; timeouts; up to 3 retries with exponential back-off on 5xx, 429 and timeouts;
 * redirects followed up to 5, each hop queued on its own host (a redirect to another host waits
 * for that host's robots.txt, rules, delay and connection cap); bodies capped at max_body_bytes
 * (the transfer is aborted and reported as an error); gzip/deflate accepted; conditional requests
 * when the caller gives an ETag or Last-Modified (a 304 is reported as not_modified, with no body).
 */
#ifndef SC_HV_FETCH_H
#define SC_HV_FETCH_H

#include <stddef.h>

#include "core/common.h"

typedef struct hv_fetch_options {
    const char *user_agent; /* e.g. "SocialConnect-harvester/1.0 (+https://…/sources)" */
    int max_connections;    /* per host, 1..2 */
    int delay_ms;           /* between two request starts on one host; 0 (none) holds for
                               loopback hosts only, any other host gets 1000 */
    long max_body_bytes;    /* answers larger than this fail with "réponse trop grande" */
    int timeout_ms;         /* whole transfer, default 20000 */
    int connect_timeout_ms; /* default 5000 */
    int max_retries;        /* default 3; back-off 0.5 s, 1 s, 2 s (scaled by retry_base_ms) */
    int retry_base_ms;      /* default 500; tests set it low */
    bool obey_robots;       /* always true in production; false only for unit tests */
} hv_fetch_options;

/* Fills opt with the production defaults above (delay_ms 1000, max_connections 2, max_body_bytes
 * 10 MiB, obey_robots true, a SocialConnect User-Agent); start from it and change what differs.
 * hv_fetcher_new also repairs values out of range: max_connections is kept within 1..2 and
 * delay_ms within 0..60000, max_retries within 0..10, and a NULL user_agent or a zero or negative
 * max_body_bytes, timeout or retry_base_ms takes its default. */
void hv_fetch_options_defaults(hv_fetch_options *opt);

typedef struct hv_response {
    const char *url;       /* as requested */
    const char *final_url; /* after redirects */
    long status;           /* HTTP status, 0 when no answer (error set) */
    bool not_modified;     /* 304 to a conditional request */
    /* NULL when not_modified or on error; NUL-terminated for convenience. */
    const unsigned char *body;
    size_t len;
    const char *content_type;  /* may be NULL */
    const char *etag;          /* may be NULL */
    const char *last_modified; /* may be NULL */
    const char *error;         /* NULL on a 2xx/304; else a short French reason: "HTTP 404",
                                  "délai dépassé", "connexion refusée", "trop de redirections",
                                  "réponse trop grande", "interdit par robots.txt", and
                                  "robots.txt inaccessible (HTTP 503)" when robots.txt could not
                                  be read (5xx or network failure: RFC 9309 says assume all is
                                  forbidden), … */
    int attempts; /* 1 + retries made; 0 when robots.txt stopped it before any request */
} hv_response;

typedef struct hv_fetcher hv_fetcher;

/* Called once per request added, when it is finished (successfully or not). All pointers in
 * response are valid only during the call. The callback may call hv_fetcher_add. */
typedef void (*hv_fetch_done_fn)(void *ctx, void *userdata, const hv_response *response);

/* Returns NULL when out of memory or libcurl cannot start. Free with hv_fetcher_free. */
hv_fetcher *hv_fetcher_new(const hv_fetch_options *opt, hv_fetch_done_fn done, void *ctx);
void hv_fetcher_free(hv_fetcher *f);

/* Queues url (absolute http/https). etag and last_modified (may be NULL) make the request
 * conditional. The strings are copied. userdata is passed back to done. Returns 0, or -1 when url
 * is not http(s) or longer than 8 KiB, when etag or last_modified holds a line break (they become
 * request headers) or when out of memory (done is not called then). Requests still queued when
 * the fetcher is freed are dropped without a call to done. */
int hv_fetcher_add(hv_fetcher *f, const char *url, const char *etag, const char *last_modified,
                   void *userdata) MUST_CHECK;

/* Runs until every queued request (including those added by callbacks) is done. Returns 0, or -1
 * on a libcurl failure of the multi handle itself. */
int hv_fetcher_run(hv_fetcher *f) MUST_CHECK;

/* Asks hv_fetcher_run to start nothing more: it returns once the callback that called this has
 * returned, after calling done for every request not finished yet with error "abandonnée"
 * (in-flight transfers are cut). hv_fetcher_add refuses new requests from then on; the fetcher can
 * only be freed. For a caller that has what it wanted (a dry run's --limit). */
void hv_fetcher_stop(hv_fetcher *f);

/* Figures so far: requests added with hv_fetcher_add and finished (whatever the outcome), and
 * bytes of bodies received, decoded, over every attempt and robots.txt included. */
void hv_fetcher_stats(const hv_fetcher *f, long *requests, long *bytes);

#endif

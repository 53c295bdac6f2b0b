/* The fetcher against a real HTTP server started by the test: a forked process on a loopback
 * ephemeral port that answers from a script and records every request it sees (path, a few
 * headers, arrival time, how many requests it is serving at once) in shared memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka needs the headers above first. */
#include <arpa/inet.h>
#include <cmocka.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harvest/fetch.h"

/* ---- the server ---- */

#define LOG_MAX 256

typedef struct hit {
    char path[128];
    char if_none_match[64];
    char if_modified_since[64];
    char user_agent[128];
    char accept_encoding[64];
    int64_t t_ms; /* accepted, on CLOCK_MONOTONIC: comparable across the processes */
} hit;

typedef struct shared {
    int in_flight;
    int max_in_flight;
    int n; /* hits claimed; may pass LOG_MAX, only the first LOG_MAX are kept */
    hit log[LOG_MAX];
} shared;

typedef enum robots_mode { ROBOTS_404, ROBOTS_RULES, ROBOTS_500, ROBOTS_HUGE } robots_mode;

static struct server {
    pid_t pid; /* also its process group, which the per-connection children join */
    int port;
    shared *sh;
    char base[64];
} srv;

#define LAST_MODIFIED "Wed, 21 Oct 2015 07:28:00 GMT"

static const char ROBOTS_TXT[] = "User-agent: *\n"
                                 "Disallow: /\n"
                                 "\n"
                                 "User-agent: SocialConnect\n"
                                 "Disallow: /private\n"
                                 "Allow: /private/open\n"
                                 "Crawl-delay: 0.5\n";

/* "bonjour compressé", gzip -n -9. */
static const unsigned char GZ_HELLO[] = {0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03,
                                         0x4b, 0xca, 0xcf, 0xcb, 0xca, 0x2f, 0x2d, 0x52, 0x48, 0xce,
                                         0xcf, 0x2d, 0x28, 0x4a, 0x2d, 0x2e, 0x3e, 0xbc, 0x12, 0x00,
                                         0x62, 0xa9, 0xba, 0x56, 0x12, 0x00, 0x00, 0x00};

/* 200,000 zero bytes, gzip -n -9: 229 bytes on the wire, far over the cap once decoded. The middle
 * of the deflate stream is 193 zero bytes, written by gz_bomb. */
static const unsigned char GZ_BOMB_HEAD[] = {0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
                                             0x03, 0xed, 0xc1, 0x31, 0x01, 0x00, 0x00, 0x00, 0xc2,
                                             0xa0, 0xf5, 0x4f, 0x6d, 0x06, 0x7f, 0xa0};
static const unsigned char GZ_BOMB_TAIL[] = {0x80, 0xd7, 0x00, 0x7b, 0x58, 0xe0,
                                             0x5c, 0x40, 0x0d, 0x03, 0x00};
#define GZ_BOMB_LEN 229

static int64_t mono_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void header_value(const char *req, const char *name, char *out, size_t n) {
    out[0] = '\0';
    char pat[64];
    snprintf(pat, sizeof pat, "\r\n%s:", name);
    const char *p = strcasestr(req, pat);
    if (p == NULL)
        return;
    p += strlen(pat);
    while (*p == ' ')
        p++;
    size_t len = strcspn(p, "\r\n");
    if (len >= n)
        len = n - 1;
    memcpy(out, p, len);
    out[len] = '\0';
}

static void send_all(int c, const void *p, size_t n) {
    const char *s = p;
    while (n > 0) {
        ssize_t k = send(c, s, n, MSG_NOSIGNAL);
        if (k <= 0)
            return;
        s += k;
        n -= (size_t)k;
    }
}

/* The request stops counting as in flight just before its answer goes out, so that the client,
 * which may start the next request as soon as it has the answer, is never counted twice. */
static void reply(int c, const char *status, const char *headers, const void *body, size_t len) {
    char head[1024];
    __atomic_sub_fetch(&srv.sh->in_flight, 1, __ATOMIC_SEQ_CST);
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 %s\r\nConnection: close\r\nContent-Length: %zu\r\n%s\r\n", status,
                     len, headers);
    send_all(c, head, (size_t)n);
    send_all(c, body, len);
}

/* 600 KiB: a rule at the start, a long comment, and a rule past 512 KiB that must be ignored. */
static void reply_huge_robots(int c) {
    const char *head = "User-agent: *\nDisallow: /private\n#";
    const char *tail = "\nDisallow: /hello\n";
    size_t len = 600 * 1024;
    char *body = malloc(len);
    if (body == NULL)
        return;
    memset(body, '#', len);
    memcpy(body, head, strlen(head));
    memcpy(body + len - strlen(tail), tail, strlen(tail));
    reply(c, "200 OK", "Content-Type: text/plain\r\n", body, len);
    free(body);
}

/* How many earlier requests had this path: scripted answers change on retries. */
static int seen_before(int me, const char *path) {
    int k = 0;
    for (int i = 0; i < me && i < LOG_MAX; i++)
        if (strcmp(srv.sh->log[i].path, path) == 0)
            k++;
    return k;
}

static void handle(int c, robots_mode mode, int64_t t_accept) {
    char req[8192];
    size_t n = 0;
    while (n < sizeof req - 1) {
        ssize_t k = read(c, req + n, sizeof req - 1 - n);
        if (k <= 0)
            break;
        n += (size_t)k;
        req[n] = '\0';
        if (strstr(req, "\r\n\r\n"))
            break;
    }
    req[n] = '\0';
    hit h = {.t_ms = t_accept};
    if (sscanf(req, "GET %127s", h.path) != 1)
        return;
    header_value(req, "If-None-Match", h.if_none_match, sizeof h.if_none_match);
    header_value(req, "If-Modified-Since", h.if_modified_since, sizeof h.if_modified_since);
    header_value(req, "User-Agent", h.user_agent, sizeof h.user_agent);
    header_value(req, "Accept-Encoding", h.accept_encoding, sizeof h.accept_encoding);
    int me = __atomic_fetch_add(&srv.sh->n, 1, __ATOMIC_SEQ_CST);
    if (me < LOG_MAX)
        srv.sh->log[me] = h;
    int now = __atomic_add_fetch(&srv.sh->in_flight, 1, __ATOMIC_SEQ_CST);
    int max = __atomic_load_n(&srv.sh->max_in_flight, __ATOMIC_SEQ_CST);
    while (now > max && !__atomic_compare_exchange_n(&srv.sh->max_in_flight, &max, now, false,
                                                     __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
        ;
    const char *p = h.path;
    const char *text = "Content-Type: text/plain; charset=utf-8\r\n";
    if (strcmp(p, "/robots.txt") == 0) {
        if (mode == ROBOTS_RULES)
            reply(c, "200 OK", text, ROBOTS_TXT, strlen(ROBOTS_TXT));
        else if (mode == ROBOTS_500)
            reply(c, "500 Internal Server Error", "", "oups", 4);
        else if (mode == ROBOTS_HUGE)
            reply_huge_robots(c);
        else
            reply(c, "404 Not Found", "", "", 0);
    } else if (strncmp(p, "/hello", 6) == 0 || strncmp(p, "/private/", 9) == 0) {
        reply(c, "200 OK",
              "Content-Type: text/plain; charset=utf-8\r\nETag: \"v1\"\r\n"
              "Last-Modified: " LAST_MODIFIED "\r\n",
              "bonjour", 7);
    } else if (strncmp(p, "/etag", 5) == 0) {
        if (strcmp(h.if_none_match, "\"v1\"") == 0)
            reply(c, "304 Not Modified", "ETag: \"v1\"\r\n", "", 0);
        else
            reply(c, "200 OK", "ETag: \"v1\"\r\n", "version 1", 9);
    } else if (strcmp(p, "/lm") == 0) {
        if (strcmp(h.if_modified_since, LAST_MODIFIED) == 0)
            reply(c, "304 Not Modified", "", "", 0);
        else
            reply(c, "200 OK", "Last-Modified: " LAST_MODIFIED "\r\n", "modifié", 8);
    } else if (strcmp(p, "/gzip") == 0) {
        if (strstr(h.accept_encoding, "gzip"))
            reply(c, "200 OK", "Content-Encoding: gzip\r\n", GZ_HELLO, sizeof GZ_HELLO);
        else
            reply(c, "200 OK", "", "gzip not asked", 14);
    } else if (strcmp(p, "/bomb") == 0) {
        unsigned char bomb[GZ_BOMB_LEN] = {0};
        memcpy(bomb, GZ_BOMB_HEAD, sizeof GZ_BOMB_HEAD);
        memcpy(bomb + GZ_BOMB_LEN - sizeof GZ_BOMB_TAIL, GZ_BOMB_TAIL, sizeof GZ_BOMB_TAIL);
        reply(c, "200 OK", "Content-Encoding: gzip\r\n", bomb, sizeof bomb);
    } else if (strcmp(p, "/flaky") == 0) {
        if (seen_before(me, p) == 0)
            reply(c, "500 Internal Server Error", "", "", 0);
        else
            reply(c, "200 OK", text, "ok after retry", 14);
    } else if (strcmp(p, "/down") == 0) {
        reply(c, "503 Service Unavailable", "", "", 0);
    } else if (strcmp(p, "/busy") == 0) {
        if (seen_before(me, p) == 0)
            reply(c, "429 Too Many Requests", "Retry-After: 1\r\n", "", 0);
        else
            reply(c, "200 OK", text, "ok", 2);
    } else if (strcmp(p, "/slow") == 0) {
        sleep(3);
        reply(c, "200 OK", text, "late", 4);
    } else if (strncmp(p, "/work", 5) == 0) {
        usleep(150 * 1000);
        reply(c, "200 OK", text, "w", 1);
    } else if (strcmp(p, "/loop") == 0) {
        reply(c, "302 Found", "Location: /loop\r\n", "", 0);
    } else if (strcmp(p, "/redirect") == 0) {
        reply(c, "301 Moved Permanently", "Location: /hello\r\n", "", 0);
    } else if (strncmp(p, "/elsewhere/", 11) == 0) {
        /* The same server under another name: another host for the fetcher. */
        char loc[192];
        snprintf(loc, sizeof loc, "Location: http://localhost:%d/%.100s\r\n", srv.port, p + 11);
        reply(c, "302 Found", loc, "", 0);
    } else if (strcmp(p, "/to-ftp") == 0) {
        reply(c, "302 Found", "Location: ftp://127.0.0.1/x\r\n", "", 0);
    } else if (strcmp(p, "/huge-length") == 0) {
        __atomic_sub_fetch(&srv.sh->in_flight, 1, __ATOMIC_SEQ_CST);
        const char *head = "HTTP/1.1 200 OK\r\nConnection: close\r\n"
                           "Content-Length: 50000000\r\n\r\n0123456789";
        send_all(c, head, strlen(head));
    } else if (strcmp(p, "/huge-chunked") == 0) {
        __atomic_sub_fetch(&srv.sh->in_flight, 1, __ATOMIC_SEQ_CST);
        const char *head = "HTTP/1.1 200 OK\r\nConnection: close\r\n"
                           "Transfer-Encoding: chunked\r\n\r\n";
        send_all(c, head, strlen(head));
        char chunk[6 + 1024 + 2];
        memcpy(chunk, "400\r\n", 5);
        memset(chunk + 5, 'x', 1024);
        memcpy(chunk + 5 + 1024, "\r\n", 2);
        for (int i = 0; i < 8192; i++) /* 8 MiB at most, until the client hangs up */
            if (send(c, chunk, 5 + 1024 + 2, MSG_NOSIGNAL) <= 0)
                break;
    } else {
        reply(c, "404 Not Found", text, "absent", 6);
    }
}

static void server_start(robots_mode mode) {
    srv.sh = mmap(NULL, sizeof *srv.sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    assert_true(srv.sh != MAP_FAILED);
    memset(srv.sh, 0, sizeof *srv.sh);
    int lfd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(lfd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof a;
    assert_int_equal(bind(lfd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(lfd, 64), 0);
    assert_int_equal(getsockname(lfd, (struct sockaddr *)&a, &alen), 0);
    srv.port = ntohs(a.sin_port);
    snprintf(srv.base, sizeof srv.base, "http://127.0.0.1:%d", srv.port);
    srv.pid = fork();
    assert_true(srv.pid >= 0);
    if (srv.pid == 0) {
        setpgid(0, 0);
        prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive a crashed test */
        signal(SIGCHLD, SIG_IGN);         /* connection children reap themselves */
        for (;;) {
            int c = accept(lfd, NULL, NULL);
            if (c < 0)
                continue;
            /* Stamped before the fork, whose cost varies (a lot under AddressSanitizer). */
            int64_t t = mono_ms();
            if (fork() == 0) {
                close(lfd);
                handle(c, mode, t);
                close(c);
                _exit(0);
            }
            close(c);
        }
    }
    setpgid(srv.pid, srv.pid); /* also from here, so that the group exists before any kill */
    close(lfd);
}

static int server_stop(void **state) {
    (void)state;
    if (srv.pid > 0) {
        kill(-srv.pid, SIGKILL);
        waitpid(srv.pid, NULL, 0);
        srv.pid = 0;
    }
    if (srv.sh) {
        munmap(srv.sh, sizeof *srv.sh);
        srv.sh = NULL;
    }
    return 0;
}

static int hits(const char *path) {
    return seen_before(srv.sh->n, path);
}

static const hit *first_hit(const char *path) {
    for (int i = 0; i < srv.sh->n && i < LOG_MAX; i++)
        if (strcmp(srv.sh->log[i].path, path) == 0)
            return &srv.sh->log[i];
    return NULL;
}

/* Arrivals are stamped by the server when it accepts, a little after the client started the
 * request; on a busy machine that lag varies by a few milliseconds, so a gap measured here may be
 * that much shorter than the one the fetcher kept. Lower bounds only: a slow machine is not a
 * failure. */
#define SLACK_MS 25

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The smallest gap between two consecutive request arrivals at the server. */
static int64_t min_gap_ms(void) {
    int n = srv.sh->n < LOG_MAX ? srv.sh->n : LOG_MAX;
    int64_t t[LOG_MAX];
    for (int i = 0; i < n; i++)
        t[i] = srv.sh->log[i].t_ms;
    qsort(t, (size_t)n, sizeof t[0], cmp_i64);
    int64_t gap = INT64_MAX;
    for (int i = 1; i < n; i++)
        if (t[i] - t[i - 1] < gap)
            gap = t[i] - t[i - 1];
    return gap;
}

/* ---- the client side ---- */

typedef struct got {
    char *url, *final_url, *body, *content_type, *etag, *last_modified, *error;
    long status;
    bool not_modified, has_body;
    size_t len;
    int attempts;
} got;

typedef struct results {
    got v[64];
    int n;
    hv_fetcher *f;
    const char *add_on_hello; /* a URL the callback adds once, when /hello is done */
} results;

static char *dup_or_null(const char *s) {
    return s ? strdup(s) : NULL;
}

static void on_done(void *ctx, void *userdata, const hv_response *r) {
    results *rs = ctx;
    assert_true(rs->n < (int)(sizeof rs->v / sizeof rs->v[0]));
    assert_ptr_equal(userdata, rs);
    got *g = &rs->v[rs->n++];
    g->url = dup_or_null(r->url);
    g->final_url = dup_or_null(r->final_url);
    g->has_body = r->body != NULL;
    if (r->body) {
        assert_int_equal(r->body[r->len], '\0');
        g->body = strdup((const char *)r->body);
    }
    g->len = r->len;
    g->content_type = dup_or_null(r->content_type);
    g->etag = dup_or_null(r->etag);
    g->last_modified = dup_or_null(r->last_modified);
    g->error = dup_or_null(r->error);
    g->status = r->status;
    g->not_modified = r->not_modified;
    g->attempts = r->attempts;
    if (rs->add_on_hello && strstr(r->url, "/hello")) {
        assert_int_equal(hv_fetcher_add(rs->f, rs->add_on_hello, NULL, NULL, rs), 0);
        rs->add_on_hello = NULL;
    }
}

static void results_free(results *rs) {
    for (int i = 0; i < rs->n; i++) {
        got *g = &rs->v[i];
        free(g->url);
        free(g->final_url);
        free(g->body);
        free(g->content_type);
        free(g->etag);
        free(g->last_modified);
        free(g->error);
    }
    hv_fetcher_free(rs->f);
    memset(rs, 0, sizeof *rs);
}

/* The answer for the URL ending with suffix (and no longer suffix of it). */
static const got *answer(const results *rs, const char *suffix) {
    for (int i = 0; i < rs->n; i++) {
        size_t a = strlen(rs->v[i].url), b = strlen(suffix);
        if (a >= b && strcmp(rs->v[i].url + a - b, suffix) == 0)
            return &rs->v[i];
    }
    fail_msg("no answer for %s", suffix);
    return NULL;
}

static hv_fetch_options test_options(void) {
    hv_fetch_options o;
    hv_fetch_options_defaults(&o);
    o.user_agent = "SocialConnect-test/1.0 (+https://example.org/sources)";
    o.delay_ms = 0;
    o.max_retries = 2;
    o.retry_base_ms = 20;
    o.obey_robots = false;
    o.timeout_ms = 5000;
    o.connect_timeout_ms = 2000;
    o.max_body_bytes = 64 * 1024;
    return o;
}

static void add(results *rs, const char *base, const char *path, const char *etag,
                const char *last_modified) {
    char url[256];
    snprintf(url, sizeof url, "%s%s", base, path);
    assert_int_equal(hv_fetcher_add(rs->f, url, etag, last_modified, rs), 0);
}

/* Fetches the paths from the test server with options o. */
static void fetch(results *rs, const hv_fetch_options *o, const char *const *paths) {
    memset(rs, 0, sizeof *rs);
    rs->f = hv_fetcher_new(o, on_done, rs);
    assert_non_null(rs->f);
    for (int i = 0; paths[i]; i++)
        add(rs, srv.base, paths[i], NULL, NULL);
    assert_int_equal(hv_fetcher_run(rs->f), 0);
}

/* ---- tests ---- */

static void test_body_headers_redirect_and_stats(void **state) {
    (void)state;
    server_start(ROBOTS_404);
    hv_fetch_options o = test_options();
    results rs;
    fetch(&rs, &o, (const char *[]){"/hello", "/redirect", NULL});
    assert_int_equal(rs.n, 2);
    const got *g = answer(&rs, "/hello");
    assert_null(g->error);
    assert_int_equal(g->status, 200);
    assert_string_equal(g->body, "bonjour");
    assert_int_equal(g->len, 7);
    assert_string_equal(g->content_type, "text/plain; charset=utf-8");
    assert_string_equal(g->etag, "\"v1\"");
    assert_string_equal(g->last_modified, LAST_MODIFIED);
    assert_string_equal(g->final_url, g->url);
    assert_int_equal(g->attempts, 1);
    assert_false(g->not_modified);
    g = answer(&rs, "/redirect");
    assert_null(g->error);
    assert_string_equal(g->body, "bonjour");
    char want[128];
    snprintf(want, sizeof want, "%s/hello", srv.base);
    assert_string_equal(g->final_url, want);
    assert_string_equal(g->etag, "\"v1\""); /* from the last response of the chain */
    assert_string_equal(first_hit("/hello")->user_agent, o.user_agent);
    long requests, bytes;
    hv_fetcher_stats(rs.f, &requests, &bytes);
    assert_int_equal(requests, 2);
    assert_int_equal(bytes, 14);
    assert_int_equal(hits("/robots.txt"), 0); /* obey_robots is off here */
    results_free(&rs);
}

static void test_gzip_is_asked_and_decoded(void **state) {
    (void)state;
    server_start(ROBOTS_404);
    hv_fetch_options o = test_options();
    results rs;
    fetch(&rs, &o, (const char *[]){"/gzip", NULL});
    const got *g = answer(&rs, "/gzip");
    assert_null(g->error);
    assert_string_equal(g->body, "bonjour compressé");
    assert_non_null(strstr(first_hit("/gzip")->accept_encoding, "gzip"));
    assert_non_null(strstr(first_hit("/gzip")->accept_encoding, "deflate"));
    results_free(&rs);
}

static void test_conditional_requests(void **state) {
    (void)state;
    server_start(ROBOTS_404);
    hv_fetch_options o = test_options();
    results rs = {0};
    rs.f = hv_fetcher_new(&o, on_done, &rs);
    assert_non_null(rs.f);
    add(&rs, srv.base, "/etag", "\"v1\"", NULL);
    add(&rs, srv.base, "/lm", NULL, LAST_MODIFIED);
    add(&rs, srv.base, "/etag?old", "\"v0\"", NULL);
    assert_int_equal(hv_fetcher_run(rs.f), 0);
    const got *g = answer(&rs, "/etag");
    assert_true(g->not_modified);
    assert_null(g->error);
    assert_int_equal(g->status, 304);
    assert_false(g->has_body);
    assert_string_equal(g->etag, "\"v1\"");
    g = answer(&rs, "/lm");
    assert_true(g->not_modified);
    assert_false(g->has_body);
    g = answer(&rs, "/etag?old");
    assert_false(g->not_modified);
    assert_string_equal(g->body, "version 1");
    assert_string_equal(first_hit("/etag")->if_none_match, "\"v1\"");
    assert_string_equal(first_hit("/etag?old")->if_none_match, "\"v0\"");
    assert_string_equal(first_hit("/lm")->if_modified_since, LAST_MODIFIED);
    assert_string_equal(first_hit("/lm")->if_none_match, "");
    results_free(&rs);
}

static void test_http_errors_and_retries(void **state) {
    (void)state;
    server_start(ROBOTS_404);
    hv_fetch_options o = test_options();
    o.retry_base_ms = 100;
    results rs;
    fetch(&rs, &o, (const char *[]){"/missing", "/flaky", "/down", NULL});
    const got *g = answer(&rs, "/missing");
    assert_string_equal(g->error, "HTTP 404");
    assert_int_equal(g->status, 404);
    assert_false(g->has_body);
    assert_int_equal(g->attempts, 1); /* never retried */
    assert_int_equal(hits("/missing"), 1);
    g = answer(&rs, "/flaky");
    assert_null(g->error);
    assert_string_equal(g->body, "ok after retry");
    assert_int_equal(g->attempts, 2);
    g = answer(&rs, "/down");
    assert_string_equal(g->error, "HTTP 503");
    assert_int_equal(g->attempts, 3);
    assert_int_equal(hits("/down"), 3);
    /* Back-off doubles: 100 ms, then 200 ms. */
    int64_t t[3];
    int k = 0;
    for (int i = 0; i < srv.sh->n; i++)
        if (strcmp(srv.sh->log[i].path, "/down") == 0)
            t[k++] = srv.sh->log[i].t_ms;
    assert_in_range(t[1] - t[0], 100 - SLACK_MS, INT64_MAX);
    assert_in_range(t[2] - t[1], 200 - SLACK_MS, INT64_MAX);
    results_free(&rs);
}

static void test_retry_after_is_honoured(void **state) {
    (void)state;
    server_start(ROBOTS_404);
    hv_fetch_options o = test_options();
    results rs;
    fetch(&rs, &o, (const char *[]){"/busy", NULL});
    const got *g = answer(&rs, "/busy");
    assert_null(g->error);
    assert_int_equal(g->attempts, 2);
    assert_in_range(min_gap_ms(), 1000 - SLACK_MS,
                    INT64_MAX); /* Retry-After: 1, although retry_base_ms is 20 */
    results_free(&rs);
}

static void test_timeout(void **state) {
    (void)state;
    server_start(ROBOTS_404);
    hv_fetch_options o = test_options();
    o.timeout_ms = 300;
    o.max_retries = 1;
    results rs;
    fetch(&rs, &o, (const char *[]){"/slow", NULL});
    const got *g = answer(&rs, "/slow");
    assert_string_equal(g->error, "délai dépassé");
    assert_false(g->has_body);
    assert_int_equal(g->attempts, 2);
    assert_int_equal(hits("/slow"), 2);
    results_free(&rs);
}

static void test_connection_refused(void **state) {
    (void)state;
    /* A port that was free a moment ago and has no listener. */
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof a;
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
    close(fd);
    char base[64];
    snprintf(base, sizeof base, "http://127.0.0.1:%d", ntohs(a.sin_port));
    hv_fetch_options o = test_options();
    results rs = {0};
    rs.f = hv_fetcher_new(&o, on_done, &rs);
    add(&rs, base, "/x", NULL, NULL);
    assert_int_equal(hv_fetcher_run(rs.f), 0);
    const got *g = answer(&rs, "/x");
    assert_string_equal(g->error, "connexion refusée");
    assert_int_equal(g->status, 0);
    assert_int_equal(g->attempts, 3);
    results_free(&rs);
    /* With robots.txt obeyed, the failure is robots.txt's and nothing else is tried. */
    o.obey_robots = true;
    o.max_retries = 0;
    rs.f = hv_fetcher_new(&o, on_done, &rs);
    add(&rs, base, "/x", NULL, NULL);
    assert_int_equal(hv_fetcher_run(rs.f), 0);
    g = answer(&rs, "/x");
    assert_string_equal(g->error, "robots.txt inaccessible (connexion refusée)");
    assert_int_equal(g->attempts, 0);
    results_free(&rs);
}

static void test_redirect_limits(void **state) {
    (void)state;
    server_start(ROBOTS_404);
    hv_fetch_options o = test_options();
    results rs;
    fetch(&rs, &o, (const char *[]){"/loop", "/to-ftp", NULL});
    const got *g = answer(&rs, "/loop");
    assert_string_equal(g->error, "trop de redirections");
    assert_int_equal(g->attempts, 1);
    assert_int_equal(hits("/loop"), 6); /* the request and 5 redirects */
    g = answer(&rs, "/to-ftp");
    assert_string_equal(g->error, "protocole non autorisé");
    results_free(&rs);
}

/* A redirect to another host is a request to that host: its robots.txt first, then its rules. */
static void test_redirect_to_another_host_obeys_its_robots(void **state) {
    (void)state;
    server_start(ROBOTS_RULES);
    hv_fetch_options o = test_options();
    o.obey_robots = true;
    results rs;
    fetch(&rs, &o, (const char *[]){"/elsewhere/private/x", NULL});
    /* The first hop is allowed on 127.0.0.1; it leads to localhost/private/x, which localhost's
     * robots.txt forbids. */
    assert_int_equal(rs.n, 1);
    const got *g = answer(&rs, "/elsewhere/private/x");
    assert_string_equal(g->error, "interdit par robots.txt");
    assert_int_equal(hits("/private/x"), 0);
    assert_int_equal(hits("/robots.txt"), 2); /* one per host */
    results_free(&rs);

    fetch(&rs, &o, (const char *[]){"/elsewhere/hello", NULL});
    g = answer(&rs, "/elsewhere/hello");
    assert_null(g->error);
    assert_string_equal(g->body, "bonjour");
    char want[64];
    snprintf(want, sizeof want, "http://localhost:%d/hello", srv.port);
    assert_string_equal(g->final_url, want);
    results_free(&rs);
}

static void test_size_caps(void **state) {
    (void)state;
    server_start(ROBOTS_404);
    hv_fetch_options o = test_options();
    o.max_body_bytes = 64 * 1024;
    results rs;
    fetch(&rs, &o, (const char *[]){"/huge-length", "/huge-chunked", "/bomb", "/hello", NULL});
    for (int i = 0; i < 3; i++) {
        const got *g = answer(&rs, (const char *[]){"/huge-length", "/huge-chunked", "/bomb"}[i]);
        assert_string_equal(g->error, "réponse trop grande");
        assert_false(g->has_body);
        assert_int_equal(g->attempts, 1);
    }
    assert_null(answer(&rs, "/hello")->error);
    long requests, bytes;
    hv_fetcher_stats(rs.f, &requests, &bytes);
    assert_int_equal(requests, 4);
    assert_true(bytes <= 3 * 64 * 1024 + 7); /* nothing past the cap was kept */
    results_free(&rs);
}

static void test_refused_urls(void **state) {
    (void)state;
    hv_fetch_options o = test_options();
    results rs = {0};
    rs.f = hv_fetcher_new(&o, on_done, &rs);
    assert_non_null(rs.f);
    assert_int_equal(hv_fetcher_add(rs.f, "ftp://example.org/x", NULL, NULL, &rs), -1);
    assert_int_equal(hv_fetcher_add(rs.f, "file:///etc/passwd", NULL, NULL, &rs), -1);
    assert_int_equal(hv_fetcher_add(rs.f, "/relative", NULL, NULL, &rs), -1);
    assert_int_equal(hv_fetcher_add(rs.f, "not a url", NULL, NULL, &rs), -1);
    assert_int_equal(hv_fetcher_add(rs.f, "http://example.org/", "\"a\"\r\nX-Evil: 1", NULL, &rs),
                     -1);
    assert_int_equal(hv_fetcher_add(rs.f, "http://example.org/", NULL, "x\ny", &rs), -1);
    char *long_url = malloc(9000);
    assert_non_null(long_url);
    memset(long_url, 'a', 8999);
    memcpy(long_url, "http://example.org/", 19);
    long_url[8999] = '\0';
    assert_int_equal(hv_fetcher_add(rs.f, long_url, NULL, NULL, &rs), -1);
    free(long_url);
    assert_int_equal(hv_fetcher_run(rs.f), 0); /* nothing queued */
    assert_int_equal(rs.n, 0);
    results_free(&rs);
}

static void test_per_host_connection_limit(void **state) {
    (void)state;
    server_start(ROBOTS_404);
    const char *paths[] = {"/work?1", "/work?2", "/work?3", "/work?4", "/work?5", "/work?6", NULL};
    for (int max = 1; max <= 2; max++) {
        hv_fetch_options o = test_options();
        o.max_connections = max;
        srv.sh->max_in_flight = 0;
        results rs;
        fetch(&rs, &o, paths);
        assert_int_equal(rs.n, 6);
        for (int i = 0; i < 6; i++)
            assert_null(rs.v[i].error);
        /* Never more than allowed, and the fetcher did use what it was allowed. */
        assert_int_equal(srv.sh->max_in_flight, max);
        results_free(&rs);
    }
    /* Politeness is built in: 5 asked, 2 given. */
    hv_fetch_options o = test_options();
    o.max_connections = 5;
    srv.sh->max_in_flight = 0;
    results rs;
    fetch(&rs, &o, paths);
    assert_int_equal(srv.sh->max_in_flight, 2);
    results_free(&rs);
}

static void test_delay_between_starts(void **state) {
    (void)state;
    server_start(ROBOTS_404);
    hv_fetch_options o = test_options();
    o.delay_ms = 250;
    results rs;
    fetch(&rs, &o, (const char *[]){"/hello?1", "/hello?2", "/hello?3", "/hello?4", NULL});
    assert_int_equal(rs.n, 4);
    assert_int_equal(srv.sh->n, 4);
    assert_in_range(min_gap_ms(), 250 - SLACK_MS, INT64_MAX);
    results_free(&rs);
}

static void test_robots_rules_are_obeyed(void **state) {
    (void)state;
    server_start(ROBOTS_RULES);
    hv_fetch_options o = test_options();
    o.obey_robots = true;
    results rs;
    fetch(&rs, &o, (const char *[]){"/hello", "/private/x", "/private/open", "/gzip", NULL});
    assert_int_equal(rs.n, 4);
    const got *g = answer(&rs, "/private/x");
    assert_string_equal(g->error, "interdit par robots.txt");
    assert_int_equal(g->attempts, 0);
    assert_int_equal(g->status, 0);
    assert_false(g->has_body);
    assert_null(answer(&rs, "/hello")->error);
    assert_null(answer(&rs, "/private/open")->error);
    assert_null(answer(&rs, "/gzip")->error);
    /* robots.txt once, before anything else; the forbidden page never asked for. */
    assert_int_equal(hits("/robots.txt"), 1);
    assert_string_equal(srv.sh->log[0].path, "/robots.txt");
    assert_int_equal(hits("/private/x"), 0);
    assert_int_equal(srv.sh->n, 4);
    /* Crawl-delay: 0.5 applies though delay_ms is 0 (robots.txt's own request counts). */
    assert_in_range(min_gap_ms(), 500 - SLACK_MS, INT64_MAX);
    long requests, bytes;
    hv_fetcher_stats(rs.f, &requests, &bytes);
    assert_int_equal(requests, 4);
    results_free(&rs);
}

static void test_robots_404_allows_everything(void **state) {
    (void)state;
    server_start(ROBOTS_404);
    hv_fetch_options o = test_options();
    o.obey_robots = true;
    results rs;
    fetch(&rs, &o, (const char *[]){"/private/x", "/hello", NULL});
    assert_null(answer(&rs, "/private/x")->error);
    assert_null(answer(&rs, "/hello")->error);
    assert_int_equal(hits("/robots.txt"), 1);
    assert_string_equal(srv.sh->log[0].path, "/robots.txt");
    results_free(&rs);
}

static void test_robots_oversized_is_read_in_part(void **state) {
    (void)state;
    server_start(ROBOTS_HUGE);
    hv_fetch_options o = test_options();
    o.obey_robots = true;
    o.max_body_bytes = 1024; /* robots.txt has its own cap */
    results rs;
    fetch(&rs, &o, (const char *[]){"/private/x", "/hello", NULL});
    assert_string_equal(answer(&rs, "/private/x")->error, "interdit par robots.txt");
    assert_null(answer(&rs, "/hello")->error);
    assert_int_equal(hits("/robots.txt"), 1);
    results_free(&rs);
}

static void test_robots_5xx_forbids_everything(void **state) {
    (void)state;
    server_start(ROBOTS_500);
    hv_fetch_options o = test_options();
    o.obey_robots = true;
    o.max_retries = 1;
    results rs;
    fetch(&rs, &o, (const char *[]){"/hello", "/gzip", NULL});
    assert_string_equal(answer(&rs, "/hello")->error, "robots.txt inaccessible (HTTP 500)");
    assert_string_equal(answer(&rs, "/gzip")->error, "robots.txt inaccessible (HTTP 500)");
    assert_int_equal(hits("/robots.txt"), 2); /* retried like any 5xx */
    assert_int_equal(srv.sh->n, 2);
    results_free(&rs);
}

static void test_callback_may_add(void **state) {
    (void)state;
    server_start(ROBOTS_404);
    hv_fetch_options o = test_options();
    char again[128];
    results rs = {0};
    snprintf(again, sizeof again, "%s/gzip", srv.base);
    rs.add_on_hello = again;
    rs.f = hv_fetcher_new(&o, on_done, &rs);
    add(&rs, srv.base, "/hello", NULL, NULL);
    assert_int_equal(hv_fetcher_run(rs.f), 0);
    assert_int_equal(rs.n, 2);
    assert_string_equal(answer(&rs, "/gzip")->body, "bonjour compressé");
    results_free(&rs);
}

static void test_free_with_work_left(void **state) {
    (void)state;
    hv_fetch_options o = test_options();
    o.obey_robots = true;
    results rs = {0};
    rs.f = hv_fetcher_new(&o, on_done, &rs);
    assert_int_equal(hv_fetcher_add(rs.f, "http://127.0.0.1:9/a", "\"e\"", NULL, &rs), 0);
    assert_int_equal(hv_fetcher_add(rs.f, "https://example.org/b", NULL, NULL, &rs), 0);
    results_free(&rs); /* dropped without a call to done, and without a leak */
    assert_int_equal(rs.n, 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
            cmocka_unit_test_teardown(test_body_headers_redirect_and_stats, server_stop),
            cmocka_unit_test_teardown(test_gzip_is_asked_and_decoded, server_stop),
            cmocka_unit_test_teardown(test_conditional_requests, server_stop),
            cmocka_unit_test_teardown(test_http_errors_and_retries, server_stop),
            cmocka_unit_test_teardown(test_retry_after_is_honoured, server_stop),
            cmocka_unit_test_teardown(test_timeout, server_stop),
            cmocka_unit_test(test_connection_refused),
            cmocka_unit_test_teardown(test_redirect_limits, server_stop),
            cmocka_unit_test_teardown(test_redirect_to_another_host_obeys_its_robots, server_stop),
            cmocka_unit_test_teardown(test_size_caps, server_stop),
            cmocka_unit_test(test_refused_urls),
            cmocka_unit_test_teardown(test_per_host_connection_limit, server_stop),
            cmocka_unit_test_teardown(test_delay_between_starts, server_stop),
            cmocka_unit_test_teardown(test_robots_rules_are_obeyed, server_stop),
            cmocka_unit_test_teardown(test_robots_404_allows_everything, server_stop),
            cmocka_unit_test_teardown(test_robots_oversized_is_read_in_part, server_stop),
            cmocka_unit_test_teardown(test_robots_5xx_forbids_everything, server_stop),
            cmocka_unit_test_teardown(test_callback_may_add, server_stop),
            cmocka_unit_test(test_free_with_work_left),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

#include "server/worker.h"

#include <errno.h>
#include <fcgiapp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "core/log.h"
#include "server/request.h"
#include "server/response.h"

/* Set by SIGTERM. SIGTERM is blocked while a request is being served, so a request in flight is
 * never cut short: the signal is delivered when the worker is back in accept, which then fails
 * with EINTR (FCGI_FAIL_ACCEPT_ON_INTR). The worker then serves the connections already waiting in
 * the socket's backlog — for the client they are in flight too — and leaves when it is empty. */
static volatile sig_atomic_t worker_stopping;

/* How long a stopping worker keeps draining the backlog. Bounded because, after SIGHUP, the socket
 * stays open for the new workers and a busy backlog would never be empty. */
#define WORKER_DRAIN_S 5

static void worker_on_term(int sig) {
    (void)sig;
    worker_stopping = 1;
}

/* True when a connection is waiting to be accepted. */
static bool worker_backlog_pending(int fd) {
    struct pollfd p = {.fd = fd, .events = POLLIN};
    return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Reads the body up to the cap. Returns false when it is larger (the rest is drained so that the
 * web server sees a clean end of request). */
static bool worker_read_body(FCGX_Request *fr, req_t *req) {
    const char *cl = FCGX_GetParam("CONTENT_LENGTH", fr->envp);
    char chunk[8192];
    if (cl == NULL || *cl == '\0')
        return true;
    char *end;
    errno = 0;
    unsigned long long declared = strtoull(cl, &end, 10);
    bool too_big = errno != 0 || *end != '\0' || declared > req->body.max;
    unsigned long long drained = 0;
    int n;
    while ((n = FCGX_GetStr(chunk, sizeof chunk, fr->in)) > 0) {
        if (!too_big && !buf_append(&req->body, chunk, (size_t)n))
            too_big = true;
        drained += (unsigned long long)n;
        if (drained > 64ULL * 1024 * 1024) /* the web server caps bodies well below this */
            break;
    }
    return !too_big;
}

/* The FastCGI output of a streamed body (resp_stream). libfcgi keeps a buffer of its own and
 * sends a record each time it fills, so the body leaves as it is written. */
struct resp_sink {
    FCGX_Stream *out;
};

bool resp_sink_write(resp_sink_t *sink, const void *data, size_t n) {
    while (n > 0) {
        int chunk = n > 65536 ? 65536 : (int)n;
        if (FCGX_PutStr(data, chunk, sink->out) != chunk)
            return false;
        data = (const char *)data + chunk;
        n -= (size_t)chunk;
    }
    return true;
}

/* Writes the answer. False when a streamed body was cut short: the caller then closes the
 * connection without ending the FastCGI request. nginx, when it buffers the answer, then drops the
 * client's connection without the last chunk, so the client knows the file is incomplete; without
 * buffering (X-Accel-Buffering: no, as exports ask) nginx 1.22 ends the answer normally, and the
 * client must compare the rows with X-Export-Rows (docs/api.md, "Exports"). */
static bool worker_write(FCGX_Request *fr, const req_t *req, resp_t *resp, bool head) {
    char hdr[2048];
    bool streamed = resp->stream.run != NULL;
    char length[48] = "";
    if (!streamed)
        snprintf(length, sizeof length, "Content-Length: %lu\r\n", (unsigned long)resp->body.len);
    int n = snprintf(hdr, sizeof hdr, "Status: %d %s\r\nContent-Type: %s\r\n%sX-Request-Id: %s\r\n",
                     resp->status, resp_reason(resp->status), resp->content_type, length,
                     req->request_id);
    for (size_t i = 0; i < resp->nheaders && n > 0 && (size_t)n < sizeof hdr; i++)
        n += snprintf(hdr + n, sizeof hdr - (size_t)n, "%s: %s\r\n", resp->headers[i].name,
                      resp->headers[i].value);
    if (n < 0 || (size_t)n + 2 >= sizeof hdr)
        return true;
    memcpy(hdr + n, "\r\n", 3);
    FCGX_PutStr(hdr, n + 2, fr->out);
    if (streamed) {
        resp_sink_t sink = {fr->out};
        if (!head && !resp->stream.run(resp->stream.ctx, &sink)) {
            log_msg(LOG_WARN, "streamed answer cut short");
            return false;
        }
        return true;
    }
    if (!head && resp->body.len > 0)
        FCGX_PutStr(resp->body.data, (int)resp->body.len, fr->out);
    return true;
}

static void worker_log(const req_t *req, const resp_t *resp, double ms) {
    json_t *o = json_object();
    if (o == NULL)
        return;
    json_object_set_new(o, "level",
                        json_string(log_level_name(resp->status >= 500 ? LOG_ERROR : LOG_INFO)));
    json_object_set_new(o, "request_id", json_string(req->request_id));
    json_object_set_new(o, "method", json_string(req->method));
    /* The path is valid UTF-8 here, or empty when it was refused. */
    json_object_set_new(o, "path", json_string(req->path));
    json_object_set_new(o, "status", json_integer(resp->status));
    json_object_set_new(o, "latency_ms", json_real((double)(long)(ms * 1000) / 1000));
    json_object_set_new(o, "cache", json_string(resp->cache));
    log_json(o);
}

static void worker_serve(const worker_opts_t *opts, FCGX_Request *fr) {
    double t0 = now_ms();
    req_t req;
    resp_t resp;
    const char *client_id = FCGX_GetParam("HTTP_X_REQUEST_ID", fr->envp);
    if (!req_id_is_safe(client_id))
        client_id = FCGX_GetParam("REQUEST_ID", fr->envp);
    resp_init(&resp, 16 * 1024 * 1024);
    req_status st = req_parse(&req, FCGX_GetParam("REQUEST_METHOD", fr->envp),
                              FCGX_GetParam("REQUEST_URI", fr->envp),
                              FCGX_GetParam("QUERY_STRING", fr->envp), client_id, opts->max_body);
    req_set_if_none_match(&req, FCGX_GetParam("HTTP_IF_NONE_MATCH", fr->envp));
    log_set_request_id(req.request_id);
    static const struct {
        req_header which;
        const char *param;
    } headers[] = {
            {REQ_H_COOKIE, "HTTP_COOKIE"},
            {REQ_H_ORIGIN, "HTTP_ORIGIN"},
            {REQ_H_HOST, "REQUEST_HOST"},
            {REQ_H_SEC_FETCH_SITE, "HTTP_SEC_FETCH_SITE"},
            {REQ_H_CSRF_TOKEN, "HTTP_X_CSRF_TOKEN"},
            {REQ_H_CONTENT_TYPE, "CONTENT_TYPE"},
            {REQ_H_USER_AGENT, "HTTP_USER_AGENT"},
            {REQ_H_REMOTE_ADDR, "REMOTE_ADDR"},
            {REQ_H_AUTHORIZATION, "HTTP_AUTHORIZATION"},
    };
    for (size_t i = 0; i < ARRAY_LEN(headers); i++)
        req_set_header(&req, headers[i].which, FCGX_GetParam(headers[i].param, fr->envp));
    bool body_ok = worker_read_body(fr, &req);

    if (st == REQ_BAD_PATH) {
        resp_error(&resp, 400, "invalid_parameter",
                   "Le chemin de la requête est mal formé (encodage ou UTF-8 invalide).", "path");
    } else if (st == REQ_BAD_QUERY_TEXT) {
        /* The name is valid UTF-8 (url_query_parse keeps it only then): safe to quote. */
        const char *name = req.query.bad_key[0] ? req.query.bad_key : "query";
        char msg[200];
        snprintf(msg, sizeof msg,
                 "Le paramètre « %s » n'est pas du texte valide (UTF-8 sans caractère nul).", name);
        resp_error(&resp, 400, "invalid_parameter", msg, name);
    } else if (st == REQ_BAD_QUERY) {
        resp_error(&resp, 400, "invalid_parameter",
                   "Les paramètres de la requête sont mal formés, trop nombreux ou trop longs.",
                   "query");
    } else if (st != REQ_OK) {
        resp_error(&resp, 400, "invalid_request", "Requête invalide.", NULL);
    } else if (!body_ok) {
        char msg[160];
        snprintf(msg, sizeof msg,
                 "Le corps de la requête dépasse la taille maximale de %lu octets.",
                 (unsigned long)opts->max_body);
        resp_error(&resp, 413, "payload_too_large", msg, NULL);
    } else {
        router_result found =
                router_match(opts->routes, opts->nroutes, req.method, req.path, &req.match);
        /* The HTTP layer's gate may answer first (a preflight, a refused key, a quota). */
        bool answered = opts->gate != NULL && !opts->gate(&req, &resp, opts->ctx, found);
        switch (answered ? (int)-1 : (int)found) {
        case ROUTER_FOUND:
            req.match.route->fn(&req, &resp, opts->ctx);
            break;
        case ROUTER_METHOD_NOT_ALLOWED:
            resp_error(&resp, 405, "method_not_allowed",
                       "Cette méthode HTTP n'est pas acceptée pour cette adresse.", NULL);
            if (!resp_header(&resp, "Allow", req.match.allow))
                log_msg(LOG_WARN, "Allow header dropped");
            break;
        case ROUTER_NOT_FOUND:
            resp_error(&resp, 404, "not_found", "Aucune ressource à cette adresse.", NULL);
            break;
        default:
            break;
        }
        if (opts->finish != NULL)
            opts->finish(&req, &resp, opts->ctx);
    }
    if (!worker_write(fr, &req, &resp, strcmp(req.method, "HEAD") == 0))
        shutdown(fr->ipcFd, SHUT_RDWR); /* FCGX_Finish_r's end of request then goes nowhere */
    FCGX_Finish_r(fr);
    worker_log(&req, &resp, now_ms() - t0);
    log_set_request_id(NULL);
    req_free(&req);
    resp_free(&resp);
}

int worker_run(const worker_opts_t *opts) {
    FCGX_Request fr;
    sigset_t term, old;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = worker_on_term;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0; /* no SA_RESTART: accept must return EINTR */
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGHUP, SIG_IGN);
    signal(SIGPIPE, SIG_IGN);
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);

    if (FCGX_InitRequest(&fr, opts->listen_fd, FCGI_FAIL_ACCEPT_ON_INTR) != 0) {
        log_msg(LOG_ERROR, "FCGX_InitRequest failed");
        return 1;
    }
    sigprocmask(SIG_BLOCK, &term, &old);
    double drain_until = 0;
    for (;;) {
        if (worker_stopping) {
            if (drain_until == 0)
                drain_until = now_ms() + WORKER_DRAIN_S * 1000.0;
            /* Another worker may take the connection first; then this accept blocks until the
             * master's next SIGTERM (it repeats them) and the backlog is looked at again. */
            if (now_ms() > drain_until || !worker_backlog_pending(opts->listen_fd))
                break;
        }
        sigprocmask(SIG_UNBLOCK, &term, NULL);
        int rc = FCGX_Accept_r(&fr);
        sigprocmask(SIG_BLOCK, &term, NULL);
        if (rc < 0) {
            if (worker_stopping || rc == -EINTR)
                continue;
            log_msg(LOG_ERROR, "accept failed: %s", strerror(-rc));
            FCGX_Free(&fr, 1);
            return 1;
        }
        worker_serve(opts, &fr);
    }
    FCGX_Free(&fr, 1);
    sigprocmask(SIG_SETMASK, &old, NULL);
    return 0;
}

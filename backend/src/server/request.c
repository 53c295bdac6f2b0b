#include "server/request.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/utf8.h"

bool req_id_is_safe(const char *id) {
    size_t n = 0;
    if (id == NULL)
        return false;
    for (; id[n]; n++) {
        char c = id[n];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_' || c == '.';
        if (!ok || n >= REQ_ID_LEN)
            return false;
    }
    return n > 0;
}

/* A process-unique id: pid, time and a counter. nginx normally supplies $request_id, so this is
 * only used when the API is reached directly. */
static void req_new_id(char *out, size_t n) {
    static unsigned long counter;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    snprintf(out, n, "%lx-%lx%05lx-%lx", (unsigned long)getpid(), (unsigned long)ts.tv_sec,
             (unsigned long)(ts.tv_nsec / 10000), ++counter);
}

req_status req_parse(req_t *req, const char *method, const char *request_uri,
                     const char *query_string, const char *client_id, size_t max_body) {
    buf_t path;
    req_status st = REQ_OK;
    req->query.n = 0;
    req->if_none_match[0] = '\0';
    req->cookie[0] = req->origin[0] = req->host[0] = req->sec_fetch_site[0] = '\0';
    req->csrf_token[0] = req->content_type[0] = req->user_agent[0] = req->remote_addr[0] = '\0';
    req->authorization[0] = '\0';
    buf_init(&req->body, max_body);
    buf_init(&path, REQ_PATH_MAX - 1);
    req->match.route = NULL;
    req->match.nparams = 0;

    if (req_id_is_safe(client_id))
        snprintf(req->request_id, sizeof req->request_id, "%s", client_id);
    else
        req_new_id(req->request_id, sizeof req->request_id);

    if (method == NULL || strlen(method) >= sizeof req->method || method[0] == '\0') {
        st = REQ_BAD_METHOD;
        goto failed;
    }
    memcpy(req->method, method, strlen(method) + 1);

    if (request_uri == NULL || request_uri[0] != '/') {
        st = REQ_BAD_PATH;
        goto failed;
    }
    size_t raw_len = strcspn(request_uri, "?#");
    if (!url_decode(request_uri, raw_len, false, &path) || !buf_append(&path, "", 0) ||
        !utf8_valid(path.data, path.len)) {
        st = REQ_BAD_PATH;
        goto failed;
    }
    memcpy(req->path, path.data, path.len + 1);

    switch (url_query_parse(query_string, REQ_PARAM_MAX, &req->query)) {
    case URL_QUERY_OK:
        break;
    case URL_QUERY_NOMEM:
        st = REQ_NOMEM;
        goto failed;
    case URL_QUERY_BAD_TEXT:
        st = REQ_BAD_QUERY_TEXT;
        goto failed;
    default:
        st = REQ_BAD_QUERY;
        goto failed;
    }
    buf_free(&path);
    return REQ_OK;

failed:
    buf_free(&path);
    req->path[0] = '\0';
    if (st == REQ_BAD_METHOD)
        snprintf(req->method, sizeof req->method, "?");
    return st;
}

const url_param_t *req_query(const req_t *req, const char *key) {
    return url_query_get(&req->query, key);
}

bool req_path_param(const req_t *req, const char *name, char *out, size_t outlen) {
    return router_param(&req->match, name, out, outlen);
}

void req_free(req_t *req) {
    url_query_free(&req->query);
    buf_free(&req->body);
}

void req_set_if_none_match(req_t *req, const char *value) {
    size_t n = value ? strlen(value) : 0;
    req->if_none_match[0] = '\0';
    if (n == 0 || n > REQ_COND_MAX)
        return;
    for (size_t i = 0; i < n; i++)
        if (value[i] < 0x20 || value[i] > 0x7e)
            return;
    memcpy(req->if_none_match, value, n + 1);
}

/* The opaque tag of an entity tag: without its W/ prefix. */
static const char *req_opaque_tag(const char *tag) {
    return strncmp(tag, "W/", 2) == 0 ? tag + 2 : tag;
}

bool req_etag_matches(const req_t *req, const char *etag) {
    const char *want = req_opaque_tag(etag);
    size_t want_len = strlen(want);
    const char *p = req->if_none_match;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (*p == '*')
            return true;
        const char *tag = req_opaque_tag(p);
        if (*tag != '"')
            return false; /* malformed: no match, the full answer is sent */
        const char *close = strchr(tag + 1, '"');
        if (close == NULL)
            return false;
        size_t len = (size_t)(close - tag) + 1;
        if (len == want_len && memcmp(tag, want, len) == 0)
            return true;
        p = close + 1;
    }
    return false;
}

/* Printable ASCII and tab only: what a header value may hold to be kept. */
static bool req_header_clean(const char *v, size_t n) {
    for (size_t i = 0; i < n; i++)
        if ((v[i] < 0x20 && v[i] != '\t') || v[i] > 0x7e)
            return false;
    return true;
}

/* Where each kept header lives in req_t, and its array's size. */
static const struct {
    size_t offset, size;
} req_header_slots[] = {
        [REQ_H_COOKIE] = {offsetof(req_t, cookie), sizeof((req_t *)0)->cookie},
        [REQ_H_ORIGIN] = {offsetof(req_t, origin), sizeof((req_t *)0)->origin},
        [REQ_H_HOST] = {offsetof(req_t, host), sizeof((req_t *)0)->host},
        [REQ_H_SEC_FETCH_SITE] = {offsetof(req_t, sec_fetch_site),
                                  sizeof((req_t *)0)->sec_fetch_site},
        [REQ_H_CSRF_TOKEN] = {offsetof(req_t, csrf_token), sizeof((req_t *)0)->csrf_token},
        [REQ_H_CONTENT_TYPE] = {offsetof(req_t, content_type), sizeof((req_t *)0)->content_type},
        [REQ_H_USER_AGENT] = {offsetof(req_t, user_agent), sizeof((req_t *)0)->user_agent},
        [REQ_H_REMOTE_ADDR] = {offsetof(req_t, remote_addr), sizeof((req_t *)0)->remote_addr},
        [REQ_H_AUTHORIZATION] = {offsetof(req_t, authorization), sizeof((req_t *)0)->authorization},
};

void req_set_header(req_t *req, req_header which, const char *value) {
    if ((size_t)which >= ARRAY_LEN(req_header_slots))
        return;
    char *dst = (char *)req + req_header_slots[which].offset;
    size_t cap = req_header_slots[which].size;
    dst[0] = '\0';
    if (value == NULL)
        return;
    size_t n = strlen(value);
    bool keep_bad = which == REQ_H_AUTHORIZATION && n > 0;
    if (n >= cap) {
        if (keep_bad)
            memcpy(dst, "?", 2);
        if (which != REQ_H_USER_AGENT)
            return;
        n = cap - 1;
    }
    if (!req_header_clean(value, n)) {
        if (keep_bad)
            memcpy(dst, "?", 2);
        return;
    }
    memcpy(dst, value, n);
    dst[n] = '\0';
}

bool req_cookie(const req_t *req, const char *name, char *out, size_t outlen) {
    size_t nlen = strlen(name);
    const char *p = req->cookie;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ';')
            p++;
        const char *end = strchr(p, ';');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len > nlen && memcmp(p, name, nlen) == 0 && p[nlen] == '=') {
            size_t vlen = len - nlen - 1;
            while (vlen > 0 && (p[nlen + 1 + vlen - 1] == ' ' || p[nlen + 1 + vlen - 1] == '\t'))
                vlen--;
            if (vlen == 0 || vlen >= outlen)
                return false;
            memcpy(out, p + nlen + 1, vlen);
            out[vlen] = '\0';
            return true;
        }
        p += len;
    }
    return false;
}

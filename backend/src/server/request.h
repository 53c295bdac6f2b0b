/* request: what a handler sees of an HTTP request, independent of FastCGI.
 *
 * The worker fills a req from the FastCGI environment with req_parse; unit tests fill it from
 * plain strings the same way. */
#ifndef SC_REQUEST_H
#define SC_REQUEST_H

#include "core/buf.h"
#include "core/common.h"
#include "core/url.h"
#include "server/router.h"

#define REQ_PATH_MAX  2048
#define REQ_PARAM_MAX 16384 /* largest decoded query parameter; handlers set tighter limits */
#define REQ_ID_LEN    64
#define REQ_COND_MAX  256  /* longest If-None-Match header kept */
#define REQ_HDR_MAX   4096 /* longest Cookie header kept; longer ones are ignored */
#define REQ_SHORT_MAX 256  /* longest Origin, Host, Content-Type, X-CSRF-Token… kept */

typedef struct req {
    char method[16];
    char path[REQ_PATH_MAX]; /* percent-decoded, valid UTF-8 */
    url_query_t query;       /* owned; freed by req_free */
    buf_t body;              /* owned; capped at the configured maximum */
    char request_id[REQ_ID_LEN + 1];
    char if_none_match[REQ_COND_MAX + 1]; /* "" when absent or unusable */
    route_match_t match;                  /* filled by the worker before the handler runs */
    /* Request headers the write path reads (sessions, CSRF, bodies, rate limits). Each is "" when
     * absent, longer than its array, or holding bytes outside printable ASCII (and tab): such a
     * value is ignored as if absent, never cut. */
    char cookie[REQ_HDR_MAX + 1];
    char origin[REQ_SHORT_MAX + 1];
    char host[REQ_SHORT_MAX + 1];
    char sec_fetch_site[32];
    char csrf_token[REQ_SHORT_MAX + 1];
    char content_type[REQ_SHORT_MAX + 1];
    char user_agent[REQ_SHORT_MAX + 1];
    char remote_addr[64];
    /* Authorization (an API key: "Bearer sck_…"). A value present but too long or not printable
     * is kept as "?", so that it is refused rather than taken for no key at all. */
    char authorization[REQ_SHORT_MAX + 1];
} req_t;

typedef enum req_status {
    REQ_OK = 0,
    REQ_BAD_PATH,       /* malformed escape or invalid UTF-8 in the path, or too long */
    REQ_BAD_QUERY,      /* malformed query string, too many or too long parameters */
    REQ_BAD_QUERY_TEXT, /* a parameter that is not valid UTF-8 or holds a NUL: req->query.bad_key
                         * names it when its name is text, else it is "" */
    REQ_BAD_METHOD,
    REQ_NOMEM,
} req_status;

/* Fills req from the raw request line parts. request_uri may contain a query string (ignored:
 * query_string is used). client_id is the X-Request-Id sent by the client or by nginx: kept when
 * it is a safe token, otherwise a fresh id is generated. The caller frees with req_free
 * whatever the result. */
req_status req_parse(req_t *req, const char *method, const char *request_uri,
                     const char *query_string, const char *client_id, size_t max_body) MUST_CHECK;

/* The value of query parameter key, or NULL when absent. Owned by req. */
const url_param_t *req_query(const req_t *req, const char *key);

/* Copies the path capture name (see router_param). */
bool req_path_param(const req_t *req, const char *name, char *out, size_t outlen) MUST_CHECK;

/* Keeps the If-None-Match header of the request (value may be NULL): only when it is 1 to
 * REQ_COND_MAX printable ASCII characters; anything else is ignored, as if absent. */
void req_set_if_none_match(req_t *req, const char *value);

/* Which request header to keep with req_set_header. */
typedef enum req_header {
    REQ_H_COOKIE,
    REQ_H_ORIGIN,
    REQ_H_HOST,
    REQ_H_SEC_FETCH_SITE,
    REQ_H_CSRF_TOKEN,
    REQ_H_CONTENT_TYPE,
    REQ_H_USER_AGENT,
    REQ_H_REMOTE_ADDR,
    REQ_H_AUTHORIZATION,
} req_header;

/* Keeps a header value (NULL when absent) under the rules of req_t above. A User-Agent longer than
 * its array is cut instead (it is only shown to its owner as the session's device). */
void req_set_header(req_t *req, req_header which, const char *value);

/* Copies the value of cookie name from the Cookie header into out (NUL-terminated). False when
 * absent, empty or longer than outlen - 1. */
bool req_cookie(const req_t *req, const char *name, char *out, size_t outlen) MUST_CHECK;

/* True when the request's If-None-Match names etag (a quoted entity tag, maybe W/-prefixed):
 * weak comparison as RFC 9110 asks for If-None-Match, so W/"x" matches "x"; "*" matches any. */
bool req_etag_matches(const req_t *req, const char *etag);

void req_free(req_t *req);

/* True when id is 1..64 characters of [A-Za-z0-9._-]: safe to log and echo. */
bool req_id_is_safe(const char *id);

#endif

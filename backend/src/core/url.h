/* url: percent-decoding and query-string parsing. */
#ifndef SC_URL_H
#define SC_URL_H

#include "core/buf.h"
#include "core/common.h"

#define URL_QUERY_MAX_PARAMS 32

/* Decodes n bytes of percent-encoded text into out (appending). With plus_is_space, '+' decodes
 * to a space, as in form-encoded query strings. Returns false on a malformed escape or when out
 * reaches its cap. */
bool url_decode(const char *in, size_t n, bool plus_is_space, buf_t *out) MUST_CHECK;

/* True when the host of the absolute URL url ("http://127.0.0.1:8090/x") is this machine:
 * "localhost", an IPv4 address in 127.0.0.0/8 or "[::1]". False for anything else, and for text
 * that is not an absolute http(s) URL. */
bool url_is_loopback(const char *url);

/* The same for a bare host name as libcurl gives it ("127.0.0.1", "localhost", "[::1]", "::1"),
 * n bytes long. */
bool url_host_is_loopback(const char *host, size_t n);

typedef struct url_param {
    char *key;   /* owned, NUL-terminated, decoded (may contain any byte but NUL-checked later) */
    char *value; /* owned, NUL-terminated, decoded; "" for "key" without "=" */
    size_t value_len;
} url_param_t;

typedef struct url_query {
    url_param_t params[URL_QUERY_MAX_PARAMS];
    size_t n;
    /* On URL_QUERY_BAD_TEXT: the name of the parameter whose value is not text, when the name
     * itself is (at most 64 bytes), else "". */
    char bad_key[65];
} url_query_t;

typedef enum url_query_status {
    URL_QUERY_OK = 0,
    URL_QUERY_MALFORMED, /* a bad percent escape */
    URL_QUERY_TOO_MANY,  /* more than URL_QUERY_MAX_PARAMS parameters */
    URL_QUERY_TOO_LONG,  /* a key or value over max_value bytes once decoded */
    URL_QUERY_BAD_TEXT,  /* a key or value that is not valid UTF-8, or holds a NUL byte */
    URL_QUERY_NOMEM,
} url_query_status;

/* Parses "a=1&b=%C3%A9" into q. Empty pieces ("a=1&&b") are skipped. On failure q is left empty.
 * The caller frees with url_query_free, whatever the result. */
url_query_status url_query_parse(const char *qs, size_t max_value, url_query_t *q) MUST_CHECK;

/* The first value for key, or NULL. The pointer is owned by q. */
const url_param_t *url_query_get(const url_query_t *q, const char *key);

void url_query_free(url_query_t *q);

#endif

#include "core/url.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/utf8.h"

static int hexval(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

bool url_decode(const char *in, size_t n, bool plus_is_space, buf_t *out) {
    size_t i = 0;
    while (i < n) {
        char c = in[i];
        if (c == '%') {
            if (n - i < 3)
                return false;
            int hi = hexval(in[i + 1]);
            int lo = hexval(in[i + 2]);
            if (hi < 0 || lo < 0)
                return false;
            char d = (char)(hi * 16 + lo);
            if (!buf_append(out, &d, 1))
                return false;
            i += 3;
            continue;
        }
        if (c == '+' && plus_is_space)
            c = ' ';
        if (!buf_append(out, &c, 1))
            return false;
        i++;
    }
    return true;
}

/* Decodes one piece into a freshly allocated string (owned by the caller). */
static url_query_status decode_piece(const char *p, size_t n, size_t max, char **out, size_t *len) {
    buf_t b;
    buf_init(&b, max);
    if (!buf_append(&b, "", 0) || !url_decode(p, n, true, &b)) {
        url_query_status st = b.toobig ? URL_QUERY_TOO_LONG : URL_QUERY_MALFORMED;
        if (!b.toobig && b.data == NULL)
            st = URL_QUERY_NOMEM;
        buf_free(&b);
        return st;
    }
    *out = b.data;
    *len = b.len;
    return URL_QUERY_OK;
}

url_query_status url_query_parse(const char *qs, size_t max_value, url_query_t *q) {
    url_query_status st = URL_QUERY_OK;
    q->n = 0;
    q->bad_key[0] = '\0';
    if (qs == NULL)
        return URL_QUERY_OK;
    const char *p = qs;
    while (*p) {
        const char *end = strchr(p, '&');
        size_t plen = end ? (size_t)(end - p) : strlen(p);
        if (plen > 0) {
            if (q->n == URL_QUERY_MAX_PARAMS) {
                st = URL_QUERY_TOO_MANY;
                goto failed;
            }
            const char *eq = memchr(p, '=', plen);
            size_t klen = eq ? (size_t)(eq - p) : plen;
            url_param_t *prm = &q->params[q->n];
            size_t ignored;
            prm->key = NULL;
            prm->value = NULL;
            st = decode_piece(p, klen, max_value, &prm->key, &ignored);
            if (st != URL_QUERY_OK)
                goto failed;
            q->n++;
            const char *v = eq ? eq + 1 : p + plen;
            size_t vlen = eq ? plen - klen - 1 : 0;
            st = decode_piece(v, vlen, max_value, &prm->value, &prm->value_len);
            if (st != URL_QUERY_OK)
                goto failed;
            /* Text only, checked here once for every handler: a NUL would cut a name or value
             * where C reads it ("q%00evil" read as "q"), invalid UTF-8 would be copied into
             * messages and answers. */
            bool key_ok = utf8_valid(prm->key, strlen(prm->key)) && strlen(prm->key) == ignored;
            if (!key_ok || !utf8_valid(prm->value, prm->value_len)) {
                if (key_ok && strlen(prm->key) < sizeof q->bad_key)
                    memcpy(q->bad_key, prm->key, strlen(prm->key) + 1);
                st = URL_QUERY_BAD_TEXT;
                goto failed;
            }
        }
        if (end == NULL)
            break;
        p = end + 1;
    }
    return URL_QUERY_OK;

failed:
    url_query_free(q);
    return st;
}

const url_param_t *url_query_get(const url_query_t *q, const char *key) {
    for (size_t i = 0; i < q->n; i++)
        if (q->params[i].key && strcmp(q->params[i].key, key) == 0)
            return &q->params[i];
    return NULL;
}

void url_query_free(url_query_t *q) {
    for (size_t i = 0; i < q->n; i++) {
        free(q->params[i].key);
        free(q->params[i].value);
    }
    q->n = 0;
}

bool url_host_is_loopback(const char *host, size_t n) {
    if ((n == 9 && strncasecmp(host, "localhost", 9) == 0) ||
        (n == 5 && memcmp(host, "[::1]", 5) == 0) || (n == 3 && memcmp(host, "::1", 3) == 0))
        return true;
    /* 127.a.b.c: four decimal parts, the first 127, each at most 255 */
    unsigned parts = 0, value = 0, digits = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || host[i] == '.') {
            if (digits == 0 || value > 255 || (parts == 0 && value != 127))
                return false;
            parts++;
            value = digits = 0;
        } else if (host[i] >= '0' && host[i] <= '9' && digits < 3) {
            value = value * 10 + (unsigned)(host[i] - '0');
            digits++;
        } else {
            return false;
        }
    }
    return parts == 4;
}

bool url_is_loopback(const char *url) {
    const char *p;
    if (strncasecmp(url, "http://", 7) == 0)
        p = url + 7;
    else if (strncasecmp(url, "https://", 8) == 0)
        p = url + 8;
    else
        return false;
    size_t auth = strcspn(p, "/?#");
    const char *at = memchr(p, '@', auth); /* user:password@ before the host */
    if (at != NULL) {
        auth -= (size_t)(at + 1 - p);
        p = at + 1;
    }
    size_t n;
    if (*p == '[') {
        const char *close = memchr(p, ']', auth);
        if (close == NULL)
            return false;
        n = (size_t)(close + 1 - p);
    } else {
        n = strcspn(p, ":/?#");
        if (n > auth)
            n = auth;
    }
    return url_host_is_loopback(p, n);
}

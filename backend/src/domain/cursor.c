#include "domain/cursor.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/b64url.h"

bool cursor_encode(const cursor_t *c, char *out, size_t outlen) {
    char raw[64];
    int n;
    if (c->kind == CURSOR_KEYSET && c->id > 0)
        n = snprintf(raw, sizeof raw, "k1:%" PRId64 ":%" PRId64, c->created_us, c->id);
    else if (c->kind == CURSOR_OFFSET && c->offset > 0 && c->offset <= CURSOR_MAX_OFFSET)
        n = snprintf(raw, sizeof raw, "o1:%" PRId64, c->offset);
    else
        return false;
    if (n < 0 || (size_t)n >= sizeof raw)
        return false;
    return b64url_encode(raw, (size_t)n, out, outlen);
}

/* Parses a decimal integer that must end at *end_char; no sign unless allow_neg, no leading +,
 * no leading zeros, at most 18 digits so it cannot overflow. */
static bool parse_i64(const char **p, char end_char, bool allow_neg, int64_t *out) {
    const char *s = *p;
    bool neg = false;
    if (allow_neg && *s == '-') {
        neg = true;
        s++;
    }
    const char *start = s;
    int64_t v = 0;
    while (*s >= '0' && *s <= '9') {
        if (s - start >= 18)
            return false;
        v = v * 10 + (*s - '0');
        s++;
    }
    if (s == start || *s != end_char || (s - start > 1 && *start == '0'))
        return false;
    *out = neg ? -v : v;
    *p = s;
    return true;
}

bool cursor_decode(const char *text, cursor_t *c) {
    char raw[64];
    size_t n;
    if (text == NULL || strlen(text) > CURSOR_TEXT_MAX ||
        !b64url_decode(text, raw, sizeof raw - 1, &n))
        return false;
    raw[n] = '\0';
    if (strlen(raw) != n)
        return false;
    const char *p = raw + 3;
    memset(c, 0, sizeof *c);
    if (strncmp(raw, "k1:", 3) == 0) {
        c->kind = CURSOR_KEYSET;
        if (!parse_i64(&p, ':', true, &c->created_us))
            return false;
        p++;
        return parse_i64(&p, '\0', false, &c->id) && c->id > 0;
    }
    if (strncmp(raw, "o1:", 3) == 0) {
        c->kind = CURSOR_OFFSET;
        return parse_i64(&p, '\0', false, &c->offset) && c->offset > 0 &&
               c->offset <= CURSOR_MAX_OFFSET;
    }
    return false;
}

#include "core/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(buf_t *b, size_t max) {
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
    b->toobig = false;
}

static bool buf_reserve(buf_t *b, size_t extra) {
    if (extra > b->max - b->len) {
        b->toobig = true;
        return false;
    }
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap *= 2;
    char *p = realloc(b->data, cap);
    if (p == NULL)
        return false;
    b->data = p;
    b->cap = cap;
    return true;
}

bool buf_append(buf_t *b, const void *p, size_t n) {
    if (!buf_reserve(b, n))
        return false;
    if (n > 0)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return true;
}

bool buf_append_str(buf_t *b, const char *s) {
    return buf_append(b, s, strlen(s));
}

bool buf_appendf(buf_t *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !buf_reserve(b, (size_t)n))
        return false;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return true;
}

void buf_reset(buf_t *b) {
    b->len = 0;
    b->toobig = false;
    if (b->data)
        b->data[0] = '\0';
}

void buf_free(buf_t *b) {
    free(b->data);
    buf_init(b, b->max);
}

const char *buf_cstr(const buf_t *b) {
    return b->data ? b->data : "";
}

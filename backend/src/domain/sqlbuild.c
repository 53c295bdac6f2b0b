#include "domain/sqlbuild.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sqlb_init(sqlb_t *b) {
    buf_init(&b->sql, SQLB_MAX_SQL);
    b->n = 0;
    b->failed = false;
}

void sqlb_free(sqlb_t *b) {
    buf_free(&b->sql);
    for (int i = 0; i < b->n; i++)
        free(b->params[i]);
    b->n = 0;
}

void sqlb_sql(sqlb_t *b, const char *fragment) {
    if (!b->failed && !buf_append_str(&b->sql, fragment))
        b->failed = true;
}

int sqlb_bind(sqlb_t *b, const char *value) {
    if (b->failed || b->n == SQLB_MAX_PARAMS) {
        b->failed = true;
        return 0;
    }
    char *copy = NULL;
    if (value != NULL && (copy = strdup(value)) == NULL) {
        b->failed = true;
        return 0;
    }
    b->params[b->n++] = copy;
    return b->n;
}

void sqlb_ref(sqlb_t *b, int n) {
    if (!b->failed && (n < 1 || !buf_appendf(&b->sql, "$%d", n)))
        b->failed = true;
}

void sqlb_param(sqlb_t *b, const char *value) {
    sqlb_ref(b, sqlb_bind(b, value));
}

void sqlb_paramf(sqlb_t *b, const char *fmt, ...) {
    char text[64];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof text) {
        b->failed = true;
        return;
    }
    sqlb_param(b, text);
}

bool sqlb_ok(const sqlb_t *b) {
    return !b->failed;
}

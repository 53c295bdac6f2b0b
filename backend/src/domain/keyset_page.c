#include "domain/keyset_page.h"

#include <stdlib.h>

#include "core/log.h"
#include "domain/cursor.h"
#include "domain/rows.h"

json_t *keyset_page_row(const char *text, const char *what) {
    json_error_t e;
    json_t *j = json_loads(text, 0, &e);
    if (j == NULL)
        log_msg(LOG_ERROR, "%s: unreadable JSON from the database: %s", what, e.text);
    return j;
}

dom_status keyset_page(const PGresult *r, int limit, const char *what, json_t **out) {
    dom_status st = DOM_INTERNAL;
    json_t *items = json_array(), *next = NULL;
    int n = PQntuples(r);
    *out = NULL;
    if (items == NULL)
        goto done;
    for (int i = 0; i < n && i < limit; i++) {
        json_t *item = keyset_page_row(PQgetvalue(r, i, 0), what);
        if (item == NULL || json_array_append_new(items, item) != 0)
            goto done;
    }
    if (n > limit) {
        /* The position of the page's last item: the next page starts after it. */
        char text[CURSOR_TEXT_MAX];
        cursor_t c = {.kind = CURSOR_KEYSET,
                      .created_us = strtoll(PQgetvalue(r, limit - 1, 1), NULL, 10),
                      .id = strtoll(PQgetvalue(r, limit - 1, 2), NULL, 10)};
        if (!cursor_encode(&c, text, sizeof text))
            goto done;
        next = json_string(text);
    } else {
        next = json_null();
    }
    if (next == NULL)
        goto done;
    *out = json_pack("{s:O, s:O}", "items", items, "next_cursor", next);
    st = *out ? DOM_OK : DOM_INTERNAL;
done:
    json_decref(items);
    json_decref(next);
    return st;
}

/* CSV files: every row an item, columns by header name or 1-based number. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "harvest/csv.h"
#include "harvest/extract_int.h"
#include "harvest/transform.h"

void hv_csv_init(hv_csv *r, const char *text, size_t len, char delim) {
    r->p = text;
    r->end = text + len;
    r->delim = delim;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        r->p += 3;
}

/* Consumes a line break at p, if any; returns true when there was one. */
static bool eat_newline(hv_csv *r) {
    if (r->p < r->end && *r->p == '\r') {
        r->p++;
        if (r->p < r->end && *r->p == '\n')
            r->p++;
        return true;
    }
    if (r->p < r->end && *r->p == '\n') {
        r->p++;
        return true;
    }
    return false;
}

int hv_csv_next(hv_csv *r, json_t **row) {
    *row = NULL;
    while (eat_newline(r)) /* blank lines */
        ;
    if (r->p >= r->end)
        return 0;
    json_t *arr = json_array();
    buf_t field;
    buf_init(&field, HV_VALUE_MAX);
    size_t row_bytes = 0;
    if (arr == NULL)
        goto failed;
    for (;;) {
        buf_reset(&field);
        bool room = row_bytes < HV_CSV_MAX_ROW;
        if (r->p < r->end && *r->p == '"') {
            r->p++;
            for (;;) {
                const char *start = r->p;
                while (r->p < r->end && *r->p != '"')
                    r->p++;
                if (room && !hv_buf_append_capped(&field, start, (size_t)(r->p - start)))
                    goto failed;
                row_bytes += (size_t)(r->p - start);
                if (r->p >= r->end)
                    break; /* unterminated quote: the field runs to the end */
                r->p++;
                if (r->p < r->end && *r->p == '"') { /* doubled quote */
                    if (room && !hv_buf_append_capped(&field, "\"", 1))
                        goto failed;
                    r->p++;
                    continue;
                }
                break;
            }
        }
        /* Unquoted text, or anything after a closing quote, up to the delimiter or line end. */
        const char *start = r->p;
        while (r->p < r->end && *r->p != r->delim && *r->p != '\n' && *r->p != '\r')
            r->p++;
        if (room && !hv_buf_append_capped(&field, start, (size_t)(r->p - start)))
            goto failed;
        row_bytes += (size_t)(r->p - start);
        if (json_array_size(arr) < HV_CSV_MAX_FIELDS) {
            json_t *s = json_stringn(buf_cstr(&field), field.len);
            if (s == NULL)
                s = json_string("");
            if (json_array_append_new(arr, s) != 0)
                goto failed;
        }
        if (r->p < r->end && *r->p == r->delim) {
            r->p++;
            continue;
        }
        (void)eat_newline(r);
        break;
    }
    buf_free(&field);
    *row = arr;
    return 1;
failed:
    buf_free(&field);
    json_decref(arr);
    return -1;
}

typedef struct csv_item {
    const json_t *header; /* NULL without a header row */
    const json_t *row;
} csv_item;

/* The column of a path: a header name (exact, then ignoring case and surrounding spaces), else a
 * 1-based number. -1 when none. */
static long column_of(const json_t *header, const char *name) {
    size_t i;
    json_t *h;
    json_array_foreach(header, i, h) {
        if (strcmp(json_string_value(h), name) == 0)
            return (long)i;
    }
    json_array_foreach(header, i, h) {
        char *t = hv_text_trim(json_string_value(h));
        bool same = t != NULL && strcasecmp(t, name) == 0;
        free(t);
        if (same)
            return (long)i;
    }
    char *end;
    long n = strtol(name, &end, 10);
    if (*end == '\0' && end != name && n >= 1 && n <= HV_CSV_MAX_FIELDS)
        return n - 1;
    return -1;
}

static int csv_values(void *vctx, const hv_path *path, json_t *out) {
    const csv_item *it = vctx;
    long col = column_of(it->header, path->text);
    const json_t *v = col >= 0 ? json_array_get(it->row, (size_t)col) : NULL;
    if (v == NULL)
        return 0;
    return hv_values_add(out, json_string_value(v), json_string_length(v));
}

int hv_csv_list(hv_list *list, const char *text, size_t len, char *err) {
    hv_csv r;
    json_t *header = NULL;
    json_t *row = NULL;
    int rc = -1;
    int got;
    hv_csv_init(&r, text, len, list->src->csv_delim);
    snprintf(err, HV_ERR_MAX, "out of memory"); /* the only failure; cleared on success */
    if (list->src->csv_header && hv_csv_next(&r, &header) < 0)
        goto done;
    if (header == NULL && (header = json_array()) == NULL)
        goto done;
    while ((got = hv_csv_next(&r, &row)) == 1) {
        if (json_array_size(list->items) >= HV_MAX_ITEMS) {
            list->skipped++;
            json_decref(row);
            row = NULL;
            continue;
        }
        csv_item it = {.header = header, .row = row};
        hv_reader rd = {.values = csv_values, .ctx = &it, .base_url = list->page_url};
        if (hv_list_add_item(list, &rd, NULL, NULL) != 0)
            goto done;
        json_decref(row);
        row = NULL;
    }
    if (got < 0)
        goto done;
    err[0] = '\0';
    rc = 0;
done:
    json_decref(row);
    json_decref(header);
    return rc;
}

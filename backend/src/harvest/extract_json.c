/* JSON APIs: jansson, RFC 6901 pointers relative to each item. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harvest/extract_int.h"

/* The value at pointer ptr in root (borrowed), or NULL when there is none. */
static const json_t *pointer_get(const json_t *root, const char *ptr) {
    const json_t *cur = root;
    const char *p = ptr;
    char token[256];
    while (*p == '/' && cur != NULL) {
        p++;
        size_t n = 0;
        while (*p && *p != '/') {
            char c = *p++;
            if (c == '~') {
                c = *p == '1' ? '/' : '~';
                if (*p)
                    p++;
            }
            if (n + 1 >= sizeof token)
                return NULL;
            token[n++] = c;
        }
        token[n] = '\0';
        if (json_is_object(cur)) {
            cur = json_object_get(cur, token);
        } else if (json_is_array(cur)) {
            if (n == 0 || n > 9 || (n > 1 && token[0] == '0'))
                return NULL;
            size_t idx = 0;
            for (size_t i = 0; i < n; i++) {
                if (token[i] < '0' || token[i] > '9')
                    return NULL;
                idx = idx * 10 + (size_t)(token[i] - '0');
            }
            cur = json_array_get(cur, idx);
        } else {
            return NULL;
        }
    }
    return cur;
}

static int scalar_value(const json_t *v, json_t *out) {
    char num[64];
    switch (json_typeof(v)) {
    case JSON_STRING:
        return hv_values_add(out, json_string_value(v), json_string_length(v));
    case JSON_INTEGER:
        snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        return hv_values_add(out, num, strlen(num));
    case JSON_REAL:
        snprintf(num, sizeof num, "%.15g", json_real_value(v));
        return hv_values_add(out, num, strlen(num));
    case JSON_TRUE:
        return hv_values_add(out, "true", 4);
    case JSON_FALSE:
        return hv_values_add(out, "false", 5);
    default: /* null, objects: no value */
        return 0;
    }
}

static int json_values(void *vctx, const hv_path *path, json_t *out) {
    const json_t *item = vctx;
    const json_t *v = pointer_get(item, path->text);
    if (v == NULL)
        return 0;
    if (!json_is_array(v))
        return scalar_value(v, out);
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e) {
        if (json_array_size(out) >= HV_LIST_MAX)
            break;
        /* a list of objects ([{"name": "…"}]) gives the first string of each */
        if (json_is_object(e)) {
            const char *k;
            json_t *ev;
            json_object_foreach(e, k, ev) {
                if (json_is_string(ev)) {
                    if (scalar_value(ev, out) != 0)
                        return -1;
                    break;
                }
            }
            continue;
        }
        if (scalar_value(e, out) != 0)
            return -1;
    }
    return 0;
}

static json_t *parse(const char *text, size_t len, char *err) {
    json_error_t je;
    json_t *root = json_loadb(text, len, JSON_DECODE_ANY, &je);
    if (root == NULL)
        snprintf(err, HV_ERR_MAX, "invalid JSON (line %d, column %d): %s", je.line, je.column,
                 je.text);
    return root;
}

int hv_json_list(hv_list *list, const char *text, size_t len, char **next, char *err) {
    const hv_source *src = list->src;
    *next = NULL;
    json_t *root = parse(text, len, err);
    if (root == NULL)
        return -1;
    int rc = -1;
    const json_t *items = pointer_get(root, src->items.text);
    if (json_is_array(items)) {
        size_t i;
        json_t *item;
        json_array_foreach(items, i, item) {
            if (json_array_size(list->items) >= HV_MAX_ITEMS) {
                list->skipped += (long)(json_array_size(items) - i);
                break;
            }
            hv_reader r = {.values = json_values, .ctx = item, .base_url = list->page_url};
            if (hv_list_add_item(list, &r, NULL, NULL) != 0) {
                snprintf(err, HV_ERR_MAX, "out of memory");
                goto done;
            }
        }
    }
    if (src->paging == HV_PAGING_NEXT) {
        const char *s = json_string_value(pointer_get(root, src->next.text));
        if (s != NULL && s[0] != '\0') {
            *next = hv_text_absolute_url(list->page_url, s);
            if (*next != NULL && (*next)[0] == '\0') {
                free(*next);
                *next = NULL;
            }
        }
    }
    rc = 0;
done:
    json_decref(root);
    return rc;
}

int hv_json_detail(const hv_source *src, const char *url, const char *text, size_t len,
                   json_t *fields, json_t *unmapped, char *err) {
    json_t *root = parse(text, len, err);
    if (root == NULL)
        return -1;
    hv_reader r = {.values = json_values, .ctx = root, .base_url = url};
    int rc = hv_fields_eval(src, true, &r, fields, unmapped);
    if (rc != 0)
        snprintf(err, HV_ERR_MAX, "out of memory");
    json_decref(root);
    return rc;
}

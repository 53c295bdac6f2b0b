#include "harvest/valuemap.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fold.h"

/* Folded keys longer than this are refused: a map key is a label, not a text. */
#define HV_VALUEMAP_KEY_MAX 1024

struct hv_valuemap {
    size_t n;
    char **keys;  /* folded, owned */
    char **codes; /* owned */
};

hv_valuemap *hv_valuemap_new(const json_t *obj, char *err, size_t errlen) {
    hv_valuemap *m = calloc(1, sizeof *m);
    buf_t b;
    buf_init(&b, HV_VALUEMAP_KEY_MAX);
    if (m == NULL) {
        snprintf(err, errlen, "out of memory");
        goto failed;
    }
    size_t n = json_object_size(obj);
    if (n > HV_VALUEMAP_MAX_ENTRIES) {
        snprintf(err, errlen, "more than %d entries", HV_VALUEMAP_MAX_ENTRIES);
        goto failed;
    }
    m->keys = calloc(n ? n : 1, sizeof *m->keys);
    m->codes = calloc(n ? n : 1, sizeof *m->codes);
    if (m->keys == NULL || m->codes == NULL) {
        snprintf(err, errlen, "out of memory");
        goto failed;
    }
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)obj, key, val) {
        if (!json_is_string(val) || json_string_length(val) == 0) {
            snprintf(err, errlen, "\"%.100s\": must be a non-empty string (our code)", key);
            goto failed;
        }
        buf_reset(&b);
        if (!fold_text(key, strlen(key), &b)) {
            snprintf(err, errlen, "\"%.100s\": key too long", key);
            goto failed;
        }
        m->keys[m->n] = strdup(buf_cstr(&b));
        m->codes[m->n] = strdup(json_string_value(val));
        if (m->keys[m->n] == NULL || m->codes[m->n] == NULL) {
            free(m->keys[m->n]);
            free(m->codes[m->n]);
            snprintf(err, errlen, "out of memory");
            goto failed;
        }
        m->n++;
    }
    buf_free(&b);
    return m;
failed:
    buf_free(&b);
    hv_valuemap_free(m);
    return NULL;
}

void hv_valuemap_free(hv_valuemap *m) {
    if (m == NULL)
        return;
    for (size_t i = 0; i < m->n; i++) {
        free(m->keys[i]);
        free(m->codes[i]);
    }
    free(m->keys);
    free(m->codes);
    free(m);
}

const char *hv_valuemap_lookup(const hv_valuemap *m, const char *value) {
    buf_t b;
    buf_init(&b, HV_VALUEMAP_KEY_MAX);
    const char *code = NULL;
    if (fold_text(value, strlen(value), &b)) {
        for (size_t i = 0; i < m->n && code == NULL; i++) {
            if (strcmp(m->keys[i], buf_cstr(&b)) == 0)
                code = m->codes[i];
        }
    }
    buf_free(&b);
    return code;
}

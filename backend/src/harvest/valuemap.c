#include "harvest/valuemap.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Folded keys longer than this are refused: a map key is a label, not a text. */
#define HV_VALUEMAP_KEY_MAX 1024

struct hv_valuemap {
    size_t n;
    char **keys;  /* folded, owned */
    char **codes; /* owned */
};

/* Decodes one code point of (assumed valid) UTF-8; returns its length, 1 for a stray byte. */
static size_t decode(const unsigned char *s, size_t n, uint32_t *cp) {
    unsigned char c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
    if (need == 0 || need > n) {
        *cp = 0xFFFD;
        return 1;
    }
    uint32_t v = c & (0x3F >> (need - 1));
    for (size_t i = 1; i < need; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *cp = 0xFFFD;
            return 1;
        }
        v = (v << 6) | (s[i] & 0x3F);
    }
    *cp = v;
    return need;
}

/* The ASCII replacement of a Latin-1 / Latin Extended-A letter, or NULL. */
static const char *fold_latin(uint32_t cp) {
    /* U+00C0..U+00FF, lower-cased and without accents; "" keeps the character. */
    static const char *const latin1[64] = {
            "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",
            "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "ss",
            "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",
            "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "y"};
    if (cp >= 0xC0 && cp <= 0xFF)
        return latin1[cp - 0xC0][0] ? latin1[cp - 0xC0] : NULL;
    switch (cp) {
    case 0x152:
    case 0x153:
        return "oe";
    case 0x160:
    case 0x161:
        return "s";
    case 0x178:
        return "y";
    case 0x17D:
    case 0x17E:
        return "z";
    case 0x2018:
    case 0x2019:
    case 0x02BC:
        return "'";
    default:
        return NULL;
    }
}

static bool is_space_cp(uint32_t cp) {
    return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\f' || cp == '\v' ||
           cp == 0xA0 || cp == 0x202F || cp == 0x2009 || cp == 0x2007;
}

bool hv_fold(const char *s, size_t n, buf_t *out) {
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    bool pending_space = false;
    bool any = false;
    while (i < n) {
        uint32_t cp;
        size_t k = decode(p + i, n - i, &cp);
        if (is_space_cp(cp)) {
            pending_space = any;
            i += k;
            continue;
        }
        if (pending_space && !buf_append(out, " ", 1))
            return false;
        pending_space = false;
        any = true;
        const char *rep = fold_latin(cp);
        bool ok;
        if (rep != NULL) {
            ok = buf_append_str(out, rep);
        } else if (cp < 0x80) {
            char c = (char)(cp >= 'A' && cp <= 'Z' ? cp + 32 : cp);
            ok = buf_append(out, &c, 1);
        } else {
            ok = buf_append(out, p + i, k);
        }
        if (!ok)
            return false;
        i += k;
    }
    return true;
}

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
        if (!hv_fold(key, strlen(key), &b)) {
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
    if (hv_fold(value, strlen(value), &b)) {
        for (size_t i = 0; i < m->n && code == NULL; i++) {
            if (strcmp(m->keys[i], buf_cstr(&b)) == 0)
                code = m->codes[i];
        }
    }
    buf_free(&b);
    return code;
}

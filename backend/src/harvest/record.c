/* hv_record_finish: from merged list and detail fields to a record the catalogue can take. */
#include <libxml/uri.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "harvest/classify.h"
#include "harvest/extract.h"
#include "harvest/extract_int.h"
#include "harvest/source_int.h"

#define TITLE_MAX       300
#define SUMMARY_MAX     2000
#define DESCRIPTION_MAX 50000
#define CLASSIFY_INPUT  (16 * 1024) /* the beginning of the description says what it is about */

/* Our scalar fields may come out of a list path: keep the first value. Returns the string or
 * NULL (and removes the field) when there is none. */
static const char *scalar(json_t *fields, const char *name) {
    json_t *v = json_object_get(fields, name);
    if (v == NULL)
        return NULL;
    if (json_is_array(v)) {
        json_t *first = json_array_get(v, 0);
        if (!json_is_string(first)) {
            json_object_del(fields, name);
            return NULL;
        }
        json_object_set(fields, name, first);
        v = first;
    }
    if (!json_is_string(v)) {
        json_object_del(fields, name);
        return NULL;
    }
    return json_string_value(v);
}

/* Sets name to s (taking it), or removes the field when s is empty; false when s is NULL. */
static bool set_text(json_t *fields, const char *name, char *s) {
    if (s == NULL)
        return false;
    if (s[0] == '\0')
        json_object_del(fields, name);
    else
        json_object_set_new(fields, name, json_string(s));
    free(s);
    return true;
}

static bool clean_text(json_t *fields, const char *name, bool paragraphs, size_t max) {
    const char *s = scalar(fields, name);
    if (s == NULL)
        return true;
    char *t = hv_text_strip_html(s, paragraphs);
    if (t == NULL)
        return false;
    char *cut = hv_text_truncate(t, max, true);
    free(t);
    return set_text(fields, name, cut);
}

static bool is_http_url(const char *s) {
    if (strncasecmp(s, "http://", 7) != 0 && strncasecmp(s, "https://", 8) != 0)
        return false;
    xmlURIPtr uri = xmlParseURI(s);
    bool ok = uri != NULL && uri->server != NULL && uri->server[0] != '\0';
    if (uri)
        xmlFreeURI(uri);
    return ok;
}

static bool clean_url(json_t *fields, const char *name) {
    const char *s = scalar(fields, name);
    if (s == NULL)
        return true;
    char *t = hv_text_trim(s);
    if (t == NULL)
        return false;
    if (!is_http_url(t))
        t[0] = '\0';
    return set_text(fields, name, t);
}

/* A list field as an array of distinct non-empty trimmed strings (a string becomes a list). */
static bool clean_list(json_t *fields, const char *name) {
    json_t *v = json_object_get(fields, name);
    if (v == NULL)
        return true;
    json_t *out = json_array();
    if (out == NULL)
        return false;
    json_t *in = json_is_array(v) ? json_incref(v) : json_pack("[O]", v);
    size_t i;
    json_t *e;
    json_array_foreach(in, i, e) {
        if (!json_is_string(e) || json_array_size(out) >= HV_LIST_MAX)
            continue;
        char *t = hv_text_collapse(json_string_value(e));
        if (t == NULL) {
            json_decref(in);
            json_decref(out);
            return false;
        }
        bool dup = false;
        size_t j;
        json_t *o;
        json_array_foreach(out, j, o) {
            dup = dup || strcmp(json_string_value(o), t) == 0;
        }
        if (t[0] != '\0' && !dup)
            json_array_append_new(out, json_string(t));
        free(t);
    }
    json_decref(in);
    if (json_array_size(out) == 0) {
        json_decref(out);
        json_object_del(fields, name);
    } else {
        json_object_set_new(fields, name, out);
    }
    return true;
}

/* The vocabulary's spelling of code in vocab[list], or NULL. Without a vocabulary, every code
 * is kept as it is. */
static const char *known_code(const json_t *vocab, const char *list, const char *code) {
    if (vocab == NULL)
        return code;
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(vocab, list), i, c) {
        if (json_is_string(c) && strcasecmp(json_string_value(c), code) == 0)
            return json_string_value(c);
    }
    return NULL;
}

static void append_code(json_t *fields, const char *name, const char *code) {
    json_t *arr = json_object_get(fields, name);
    if (arr == NULL) {
        arr = json_array();
        json_object_set_new(fields, name, arr);
    }
    size_t i;
    json_t *c;
    json_array_foreach(arr, i, c) {
        if (strcmp(json_string_value(c), code) == 0)
            return;
    }
    if (json_array_size(arr) < HV_LIST_MAX)
        json_array_append_new(arr, json_string(code));
}

/* Themes and sub-themes are checked against both lists: a map that gives a sub-theme code for
 * the "themes" field (e.g. "Insertion" → "ACE") files it under subthemes, and every sub-theme
 * adds its parent theme. */
static void filter_themes(const json_t *vocab, json_t *fields) {
    json_t *themes = json_incref(json_object_get(fields, "themes"));
    json_t *subs = json_incref(json_object_get(fields, "subthemes"));
    json_object_del(fields, "themes");
    json_object_del(fields, "subthemes");
    json_t *lists[2] = {themes, subs};
    for (int l = 0; l < 2; l++) {
        size_t i;
        json_t *c;
        json_array_foreach(lists[l], i, c) {
            const char *code = json_string_value(c);
            const char *as_theme = known_code(vocab, "theme", code);
            const char *as_sub = known_code(vocab, "subtheme", code);
            if (vocab == NULL) /* nothing to check against: keep the field as given */
                append_code(fields, l == 0 ? "themes" : "subthemes", code);
            else if (as_theme != NULL)
                append_code(fields, "themes", as_theme);
            else if (as_sub != NULL)
                append_code(fields, "subthemes", as_sub);
        }
    }
    json_decref(themes);
    json_decref(subs);
    /* A sub-theme implies its theme: a record filed under "Chantiers d'insertion" (ACE) is found by
     * theme=EMP too. vocab["subtheme_parent"] is {sub-theme code: theme code}. */
    const json_t *parents = vocab ? json_object_get(vocab, "subtheme_parent") : NULL;
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(fields, "subthemes"), i, c) {
        const char *parent = json_string_value(json_object_get(parents, json_string_value(c)));
        const char *theme = parent ? known_code(vocab, "theme", parent) : NULL;
        if (theme != NULL)
            append_code(fields, "themes", theme);
    }
}

static void filter_list(const json_t *vocab, json_t *fields, const char *name, const char *list) {
    json_t *arr = json_incref(json_object_get(fields, name));
    json_object_del(fields, name);
    size_t i;
    json_t *c;
    json_array_foreach(arr, i, c) {
        const char *code = known_code(vocab, list, json_string_value(c));
        if (code != NULL)
            append_code(fields, name, code);
    }
    json_decref(arr);
}

static void filter_scalar(const json_t *vocab, json_t *fields, const char *name, const char *list) {
    const char *s = scalar(fields, name);
    if (s == NULL)
        return;
    const char *code = known_code(vocab, list, s);
    if (code == NULL)
        json_object_del(fields, name);
    else if (code != s)
        json_object_set_new(fields, name, json_string(code));
}

static bool parse_coord(const json_t *v, double min, double max, double *out) {
    if (json_is_number(v)) {
        *out = json_number_value(v);
    } else if (json_is_array(v) || json_is_string(v)) {
        const char *s = json_string_value(json_is_array(v) ? json_array_get(v, 0) : v);
        char tmp[64];
        if (s == NULL || strlen(s) >= sizeof tmp)
            return false;
        size_t n = 0;
        for (const char *p = s; *p; p++) { /* "48,8566" is common on French sites */
            if (*p != ' ')
                tmp[n++] = *p == ',' ? '.' : *p;
        }
        tmp[n] = '\0';
        char *end;
        *out = strtod(tmp, &end);
        if (n == 0 || *end != '\0')
            return false;
    } else {
        return false;
    }
    return isfinite(*out) && *out >= min && *out <= max;
}

static void clean_coords(json_t *fields) {
    json_t *lat = json_object_get(fields, "lat");
    json_t *lon = json_object_get(fields, "lon");
    double la, lo;
    /* Both or neither; 0,0 is the placeholder of a missing position, never a French place. */
    if (lat != NULL && lon != NULL && parse_coord(lat, -90, 90, &la) &&
        parse_coord(lon, -180, 180, &lo) && !(la == 0 && lo == 0)) {
        json_object_set_new(fields, "lat", json_real(la));
        json_object_set_new(fields, "lon", json_real(lo));
        return;
    }
    json_object_del(fields, "lat");
    json_object_del(fields, "lon");
}

static void clean_year(json_t *fields) {
    json_t *v = json_object_get(fields, "start_year");
    if (v == NULL)
        return;
    long year = -1;
    if (json_is_integer(v)) {
        year = (long)json_integer_value(v);
    } else {
        const char *s = scalar(fields, "start_year");
        for (const char *p = s; p != NULL && *p && year < 0; p++) {
            if (p[0] >= '0' && p[0] <= '9' && (p == s || p[-1] < '0' || p[-1] > '9')) {
                size_t n = strspn(p, "0123456789");
                if (n == 4)
                    year = strtol(p, NULL, 10);
            }
        }
    }
    if (year >= 1800 && year <= 2100)
        json_object_set_new(fields, "start_year", json_integer(year));
    else
        json_object_del(fields, "start_year");
}

static void clean_postcode(json_t *fields) {
    const char *s = scalar(fields, "postcode");
    if (s == NULL)
        return;
    char pc[8];
    size_t n = 0;
    bool ok = true;
    for (const char *p = s; *p && ok; p++) {
        if (*p == ' ')
            continue;
        if (n >= 5) {
            ok = false;
            break;
        }
        pc[n++] = (*p == 'a' || *p == 'b') ? (char)(*p - 32) : *p;
    }
    pc[n] = '\0';
    ok = ok && n == 5 && pc[0] >= '0' && pc[0] <= '9' &&
         ((pc[1] >= '0' && pc[1] <= '9') || pc[1] == 'A' || pc[1] == 'B') &&
         strspn(pc + 2, "0123456789") == 3;
    if (ok)
        json_object_set_new(fields, "postcode", json_string(pc));
    else
        json_object_del(fields, "postcode");
}

static bool classify(const hv_source *src, const json_t *vocab, json_t *fields) {
    buf_t text;
    buf_init(&text, CLASSIFY_INPUT * 2);
    static const char *const parts[] = {"title", "summary", "description"};
    for (size_t i = 0; i < ARRAY_LEN(parts); i++) {
        const char *s = json_string_value(json_object_get(fields, parts[i]));
        if (s != NULL &&
            (!hv_buf_append_capped(&text, s, strlen(s)) || !hv_buf_append_capped(&text, "\n", 1))) {
            buf_free(&text);
            return false;
        }
    }
    (void)src;
    const char *codes[HV_CLASSIFY_MAX];
    size_t n = hv_classify(buf_cstr(&text), codes);
    for (size_t i = 0; i < n; i++) {
        const char *code = known_code(vocab, "theme", codes[i]);
        if (code != NULL)
            append_code(fields, "themes", code);
    }
    buf_free(&text);
    return true;
}

int hv_record_finish(const hv_source *src, const json_t *vocab, json_t *fields,
                     char err[HV_ERR_MAX]) {
    err[0] = '\0';
    if (!json_is_object(fields)) {
        snprintf(err, HV_ERR_MAX, "fields: not an object");
        return -1;
    }
    if (!clean_text(fields, "title", false, TITLE_MAX) ||
        !clean_text(fields, "summary", false, SUMMARY_MAX) ||
        !clean_text(fields, "description", true, DESCRIPTION_MAX) ||
        !clean_text(fields, "actor_name", false, TITLE_MAX) ||
        !clean_text(fields, "address", false, 500) || !clean_text(fields, "commune", false, 200) ||
        !clean_url(fields, "url") || !clean_url(fields, "website") ||
        !clean_url(fields, "image_url") || !clean_list(fields, "themes") ||
        !clean_list(fields, "subthemes") || !clean_list(fields, "publics") ||
        !clean_list(fields, "tags")) {
        snprintf(err, HV_ERR_MAX, "out of memory");
        return -1;
    }
    if (json_object_get(fields, "title") == NULL) {
        snprintf(err, HV_ERR_MAX, "no title");
        return -1;
    }
    /* Tags stand in for themes when the source files its records under its own tags only. */
    const hv_valuemap *tmap = hv_source_map(src, "themes");
    if (json_object_get(fields, "themes") == NULL && tmap != NULL) {
        size_t i;
        json_t *t;
        json_array_foreach(json_object_get(fields, "tags"), i, t) {
            const char *code = hv_valuemap_lookup(tmap, json_string_value(t));
            if (code != NULL)
                append_code(fields, "themes", code);
        }
    }
    filter_themes(vocab, fields);
    /* A sub-theme already says what the record is about; a guess would only contradict it. */
    if (src->classify && json_object_get(fields, "themes") == NULL &&
        json_object_get(fields, "subthemes") == NULL && !classify(src, vocab, fields)) {
        snprintf(err, HV_ERR_MAX, "out of memory");
        return -1;
    }
    filter_list(vocab, fields, "publics", "public");
    filter_scalar(vocab, fields, "actor_type", "actor_type");
    filter_scalar(vocab, fields, "scale", "scale");
    filter_scalar(vocab, fields, "stage", "stage");
    clean_coords(fields);
    clean_year(fields);
    clean_postcode(fields);
    return 0;
}

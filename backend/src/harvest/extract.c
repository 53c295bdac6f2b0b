/* From raw values to fields, items and pages; the kind-specific readers are in extract_*.c. */
#include "harvest/extract.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fold.h"
#include "harvest/charset.h"
#include "harvest/extract_int.h"
#include "harvest/valuemap.h"

bool hv_buf_append_capped(buf_t *b, const char *s, size_t n) {
    size_t room = b->max - b->len;
    if (n > room) {
        n = room;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
        b->toobig = true;
    }
    bool full = b->toobig;
    if (!buf_append(b, s, n))
        return false;
    b->toobig = full;
    return true;
}

int hv_values_add(json_t *out, const char *s, size_t n) {
    if (json_array_size(out) >= HV_LIST_MAX)
        return 0;
    if (n > HV_VALUE_MAX) {
        n = HV_VALUE_MAX;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    json_t *v = json_stringn(s, n);
    if (v == NULL) /* not UTF-8: cannot happen after hv_charset, drop rather than fail */
        return 0;
    return json_array_append_new(out, v) == 0 ? 0 : -1;
}

char *hv_reader_first(const hv_reader *r, const hv_path *path) {
    json_t *vals = json_array();
    char *res = NULL;
    if (vals == NULL || r->values(r->ctx, path, vals) != 0)
        goto done;
    size_t i;
    json_t *v;
    json_array_foreach(vals, i, v) {
        char *t = hv_text_trim(json_string_value(v));
        if (t == NULL)
            goto done;
        if (t[0] != '\0') {
            res = t;
            goto done;
        }
        free(t);
    }
    res = strdup("");
done:
    json_decref(vals);
    return res;
}

int hv_reader_next_url(const hv_reader *r, const hv_path *path, const char *page_url, char **out) {
    *out = NULL;
    char *raw = hv_reader_first(r, path);
    if (raw == NULL)
        return -1;
    if (raw[0] != '\0') {
        *out = hv_text_absolute_url(page_url, raw);
        if (*out != NULL && (*out)[0] == '\0') { /* not a URL we can follow */
            free(*out);
            *out = NULL;
        }
    }
    free(raw);
    return 0;
}

int hv_xml_list(hv_list *list, xmlDocPtr doc, xmlXPathCompExprPtr items_expr,
                const hv_xml_kind *kind, char **next, char *err) {
    int rc = -1;
    xmlXPathObjectPtr items = NULL;
    xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
    if (ctx == NULL)
        goto done;
    if (kind->prepare != NULL)
        kind->prepare(ctx, doc);
    ctx->opLimit = HV_XPATH_OP_LIMIT;
    items = xmlXPathCompiledEval(items_expr, ctx);
    hv_xml_item it = {.ctx = ctx};
    hv_reader r = {.values = kind->values, .ctx = &it, .base_url = list->page_url};
    xmlNodeSetPtr set = items != NULL && items->type == XPATH_NODESET ? items->nodesetval : NULL;
    for (int i = 0; set != NULL && i < set->nodeNr; i++) {
        if (json_array_size(list->items) >= HV_MAX_ITEMS) {
            list->skipped += set->nodeNr - i;
            break;
        }
        char *link = NULL, *id = NULL;
        it.node = set->nodeTab[i];
        if (kind->ids != NULL)
            kind->ids(it.node, &link, &id);
        int added = hv_list_add_item(list, &r, link, id);
        free(link);
        free(id);
        if (added != 0)
            goto done;
    }
    if (list->src->paging == HV_PAGING_NEXT) {
        it.node = (xmlNodePtr)doc;
        if (hv_reader_next_url(&r, &list->src->next, list->page_url, next) != 0)
            goto done;
    }
    rc = 0;
done:
    if (rc != 0)
        snprintf(err, HV_ERR_MAX, "out of memory");
    if (items)
        xmlXPathFreeObject(items);
    if (ctx)
        xmlXPathFreeContext(ctx);
    return rc;
}

static bool has_split(const hv_field_spec *f) {
    for (size_t i = 0; i < f->ntr; i++) {
        if (f->tr[i].kind == HV_TR_SPLIT)
            return true;
    }
    return false;
}

static bool array_has(const json_t *arr, const char *s) {
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v) {
        if (strcmp(json_string_value(v), s) == 0)
            return true;
    }
    return false;
}

/* One field: raw values, transforms, map, first value or list, default. *value is a new string
 * or array, or NULL when the field is empty; *dropped a new array of the values the map had no
 * entry for, or NULL. */
static int field_eval(const hv_field_spec *f, const hv_reader *r, json_t **value,
                      json_t **dropped) {
    *value = NULL;
    *dropped = NULL;
    json_t *vals = json_array();
    json_t *kept = json_array();
    if (vals == NULL || kept == NULL)
        goto failed;
    if (f->has_path && r->values(r->ctx, &f->path, vals) != 0)
        goto failed;
    for (size_t i = 0; i < f->ntr; i++) {
        json_t *next = hv_transform_apply(&f->tr[i], vals, r->base_url);
        if (next == NULL)
            goto failed;
        json_decref(vals);
        vals = next;
    }
    bool list = f->multiple || has_split(f);
    size_t i;
    json_t *v;
    json_array_foreach(vals, i, v) {
        char *t = hv_text_trim(json_string_value(v));
        if (t == NULL)
            goto failed;
        const char *s = t;
        if (t[0] != '\0' && f->map != NULL) {
            s = hv_valuemap_lookup(f->map, t);
            if (s == NULL) {
                if (*dropped == NULL && (*dropped = json_array()) == NULL) {
                    free(t);
                    goto failed;
                }
                if (!array_has(*dropped, t))
                    json_array_append_new(*dropped, json_string(t));
                s = "";
            }
        }
        if (s[0] != '\0' && !array_has(kept, s))
            json_array_append_new(kept, json_string(s));
        free(t);
        if (!list && json_array_size(kept) > 0)
            break;
    }
    if (json_array_size(kept) == 0 && f->def != NULL)
        json_array_append_new(kept, json_string(f->def));
    if (json_array_size(kept) > 0)
        *value = list ? json_incref(kept) : json_incref(json_array_get(kept, 0));
    json_decref(vals);
    json_decref(kept);
    return 0;
failed:
    json_decref(vals);
    json_decref(kept);
    json_decref(*dropped);
    *dropped = NULL;
    return -1;
}

int hv_fields_eval(const hv_source *src, bool from_detail, const hv_reader *r, json_t *fields,
                   json_t *unmapped) {
    for (size_t i = 0; i < src->nfields; i++) {
        const hv_field_spec *f = &src->fields[i];
        if (f->from_detail != from_detail)
            continue;
        json_t *value;
        json_t *dropped;
        if (field_eval(f, r, &value, &dropped) != 0)
            return -1;
        if (value != NULL)
            json_object_set_new(fields, f->name, value);
        if (dropped != NULL)
            json_object_set_new(unmapped, f->name, dropped);
    }
    return 0;
}

/* A stable id from a title when the source gives nothing better: FNV-1a (64 bits) of the folded
 * title, so that case and spacing changes on the source do not make a new record. */
static char *title_id(const char *title) {
    buf_t b;
    buf_init(&b, HV_VALUE_MAX * 2);
    uint64_t h = 0xcbf29ce484222325ULL;
    if (fold_text(title, strlen(title), &b)) {
        for (size_t i = 0; i < b.len; i++) {
            h ^= (unsigned char)b.data[i];
            h *= 0x100000001b3ULL;
        }
    }
    buf_free(&b);
    char out[32];
    snprintf(out, sizeof out, "title:%016llx", (unsigned long long)h);
    return strdup(out);
}

static const char *field_string(const json_t *fields, const char *name) {
    const json_t *v = json_object_get(fields, name);
    if (json_is_array(v))
        v = json_array_get(v, 0);
    const char *s = json_string_value(v);
    return s != NULL && s[0] != '\0' ? s : NULL;
}

/* Absolute http(s) URL of s against base, or NULL (also when s is NULL or empty). */
static char *absolute_or_null(const char *base, const char *s) {
    if (s == NULL || s[0] == '\0')
        return NULL;
    char *u = hv_text_absolute_url(base, s);
    if (u != NULL && u[0] == '\0') {
        free(u);
        u = NULL;
    }
    return u;
}

int hv_list_add_item(hv_list *list, const hv_reader *r, const char *feed_link,
                     const char *feed_guid) {
    const hv_source *src = list->src;
    json_t *fields = json_object();
    json_t *unmapped = json_object();
    json_t *item = NULL;
    char *detail = NULL;
    char *url = NULL;
    char *ext = NULL;
    int rc = -1;
    if (fields == NULL || unmapped == NULL)
        goto done;
    if (json_array_size(list->items) >= HV_MAX_ITEMS) {
        list->skipped++;
        rc = 0;
        goto done;
    }
    if (hv_fields_eval(src, false, r, fields, unmapped) != 0)
        goto done;
    const hv_field_spec *title = hv_source_field(src, "title");
    if (!title->from_detail && field_string(fields, "title") == NULL) {
        list->skipped++;
        rc = 0;
        goto done;
    }
    if (src->has_detail) {
        char *raw = hv_reader_first(r, &src->detail_link);
        if (raw == NULL)
            goto done;
        detail = absolute_or_null(list->page_url, raw);
        free(raw);
    }
    url = absolute_or_null(list->page_url, field_string(fields, "url"));
    if (url == NULL && detail != NULL)
        url = strdup(detail);
    if (url == NULL)
        url = absolute_or_null(list->page_url, feed_link);
    if (src->has_external_id && src->external_id.from_detail) {
        if (detail != NULL)
            ext = strdup(detail);
    } else if (src->has_external_id) {
        json_t *v;
        json_t *dropped;
        if (field_eval(&src->external_id, r, &v, &dropped) != 0)
            goto done;
        json_decref(dropped);
        const char *s =
                json_is_array(v) ? json_string_value(json_array_get(v, 0)) : json_string_value(v);
        if (s != NULL && s[0] != '\0')
            ext = strdup(s);
        json_decref(v);
    }
    if (ext == NULL && detail != NULL)
        ext = strdup(detail);
    if (ext == NULL && field_string(fields, "url") != NULL)
        ext = strdup(url != NULL ? url : field_string(fields, "url"));
    if (ext == NULL && feed_guid != NULL && feed_guid[0] != '\0')
        ext = strdup(feed_guid);
    if (ext == NULL && feed_link != NULL && feed_link[0] != '\0')
        ext = url != NULL ? strdup(url) : strdup(feed_link);
    if (ext == NULL && field_string(fields, "title") != NULL)
        ext = title_id(field_string(fields, "title"));
    if (ext == NULL) { /* title from the detail page and no link at all: nothing to key on */
        list->skipped++;
        rc = 0;
        goto done;
    }
    item = json_pack("{s:s, s:s?, s:s?, s:O}", "external_id", ext, "url", url, "detail_url", detail,
                     "fields", fields);
    if (item == NULL)
        goto done;
    if (json_object_size(unmapped) > 0)
        json_object_set(item, "unmapped", unmapped);
    if (json_array_append(list->items, item) != 0)
        goto done;
    rc = 0;
done:
    json_decref(item);
    json_decref(fields);
    json_decref(unmapped);
    free(detail);
    free(url);
    free(ext);
    return rc;
}

/* The body as UTF-8, following the document's encoding setting. */
static char *page_text(const hv_source *src, const hv_page *page, size_t *len) {
    hv_charset cs;
    switch (src->encoding) {
    case HV_ENC_UTF8:
        cs = HV_CS_UTF8;
        break;
    case HV_ENC_LATIN1:
        cs = HV_CS_LATIN1;
        break;
    case HV_ENC_CP1252:
        cs = HV_CS_CP1252;
        break;
    case HV_ENC_AUTO:
    default:
        cs = hv_charset_detect(page->content_type, page->body, page->len);
        break;
    }
    return hv_charset_to_utf8(cs, page->body != NULL ? page->body : (const unsigned char *)"",
                              page->body != NULL ? page->len : 0, len);
}

int hv_extract_list(const hv_source *src, const hv_page *page, json_t **out, char err[HV_ERR_MAX]) {
    size_t len = 0;
    char *next = NULL;
    char *text = NULL;
    int rc = -1;
    hv_list list = {.src = src, .page_url = page->url ? page->url : src->homepage};
    *out = NULL;
    err[0] = '\0';
    hv_xml_quiet();
    list.items = json_array();
    text = page_text(src, page, &len);
    if (list.items == NULL || text == NULL) {
        snprintf(err, HV_ERR_MAX, "out of memory");
        goto done;
    }
    switch (src->kind) {
    case HV_KIND_HTML:
        rc = hv_html_list(&list, text, len, &next, err);
        break;
    case HV_KIND_RSS:
    case HV_KIND_ATOM:
        rc = hv_feed_list(&list, text, len, &next, err);
        break;
    case HV_KIND_JSON:
        rc = hv_json_list(&list, text, len, &next, err);
        break;
    case HV_KIND_CSV:
        rc = hv_csv_list(&list, text, len, err);
        break;
    }
    if (rc != 0)
        goto done;
    if (next != NULL && strcmp(next, list.page_url) == 0) { /* a page linking to itself */
        free(next);
        next = NULL;
    }
    *out = json_pack("{s:O, s:s?, s:I}", "items", list.items, "next", next, "skipped",
                     (json_int_t)list.skipped);
    if (*out == NULL) {
        snprintf(err, HV_ERR_MAX, "out of memory");
        rc = -1;
    }
done:
    json_decref(list.items);
    free(next);
    free(text);
    return rc;
}

int hv_extract_detail(const hv_source *src, const hv_page *page, json_t **out,
                      char err[HV_ERR_MAX]) {
    size_t len = 0;
    json_t *fields = json_object();
    json_t *unmapped = json_object();
    char *text = NULL;
    int rc = -1;
    *out = NULL;
    err[0] = '\0';
    hv_xml_quiet();
    text = page_text(src, page, &len);
    if (fields == NULL || unmapped == NULL || text == NULL) {
        snprintf(err, HV_ERR_MAX, "out of memory");
        goto done;
    }
    const char *url = page->url ? page->url : src->homepage;
    if (src->kind == HV_KIND_JSON)
        rc = hv_json_detail(src, url, text, len, fields, unmapped, err);
    else
        rc = hv_html_detail(src, url, text, len, fields, unmapped, err);
    if (rc != 0)
        goto done;
    *out = json_pack("{s:O}", "fields", fields);
    if (*out != NULL && json_object_size(unmapped) > 0)
        json_object_set(*out, "unmapped", unmapped);
    if (*out == NULL) {
        snprintf(err, HV_ERR_MAX, "out of memory");
        rc = -1;
    }
done:
    json_decref(fields);
    json_decref(unmapped);
    free(text);
    return rc;
}

char *hv_source_page_url(const hv_source *src, const char *start_url, int n) {
    if (src->paging != HV_PAGING_PARAM || n < 0 || n > 1000000)
        return NULL;
    char *abs = hv_text_absolute_url(src->homepage, start_url);
    buf_t b;
    buf_init(&b, HV_URL_MAX * 2);
    char *res = NULL;
    if (abs == NULL || abs[0] == '\0')
        goto done;
    char *hash = strchr(abs, '#'); /* a fragment is never sent: drop it */
    if (hash != NULL)
        *hash = '\0';
    char *q = strchr(abs, '?');
    if (q != NULL)
        *q++ = '\0';
    long value = src->param_start + (long)n * src->param_step;
    size_t plen = strlen(src->param);
    bool set = false;
    if (!buf_append_str(&b, abs))
        goto done;
    char sep = '?';
    /* Other parameters are kept in their order; the first occurrence of ours takes the new value
     * and any repetition of it is dropped. */
    for (char *p = q; p != NULL && *p;) {
        char *amp = strchr(p, '&');
        size_t n_piece = amp ? (size_t)(amp - p) : strlen(p);
        bool ours = n_piece >= plen && strncmp(p, src->param, plen) == 0 &&
                    (n_piece == plen || p[plen] == '=');
        if (ours && !set) {
            if (!buf_appendf(&b, "%c%s=%ld", sep, src->param, value))
                goto done;
            set = true;
            sep = '&';
        } else if (!ours && n_piece > 0) {
            if (!buf_append(&b, &sep, 1) || !buf_append(&b, p, n_piece))
                goto done;
            sep = '&';
        }
        p = amp ? amp + 1 : NULL;
    }
    if (!set && !buf_appendf(&b, "%c%s=%ld", sep, src->param, value))
        goto done;
    res = strdup(buf_cstr(&b));
done:
    buf_free(&b);
    free(abs);
    return res;
}

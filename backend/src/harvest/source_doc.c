/* Source documents: parsing and validation (docs/sources.md). */
#include "harvest/source_doc.h"

#include <libxml/xmlerror.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/url.h"
#include "harvest/extract.h"
#include "harvest/source_int.h"

#define HV_NAME_MAX      200
#define HV_PATH_MAX      1000 /* bytes of a path: also bounds libxml2's recursion when compiling */
#define HV_DEFAULT_MAX   10000
#define HV_TRANSFORMS    20
#define HV_MAPS_MAX      50
#define HV_REGEX_REPEATS 1000 /* product of the counted repetitions of one regex */

static const char *const top_keys[] = {"slug",
                                       "name",
                                       "homepage",
                                       "kind",
                                       "licence",
                                       "period_hours",
                                       "gone_after_runs",
                                       "encoding",
                                       "politeness",
                                       "limits",
                                       "start_urls",
                                       "pagination",
                                       "items",
                                       "detail",
                                       "external_id",
                                       "fields",
                                       "maps",
                                       "classify",
                                       "csv",
                                       NULL};

static const char *const our_fields[] = {
        "title",      "url",      "summary",   "description", "website", "image_url", "actor_name",
        "actor_type", "themes",   "subthemes", "publics",     "scale",   "stage",     "start_year",
        "address",    "postcode", "commune",   "lat",         "lon",     "tags",      NULL};

static const char *const field_keys[] = {"path", "from",    "multiple", "transforms",
                                         "map",  "default", NULL};

static void noop_generic(void *ctx, const char *msg, ...) {
    (void)ctx;
    (void)msg;
}

static void noop_structured(void *ctx, xmlErrorPtr error) {
    (void)ctx;
    (void)error;
}

void hv_xml_quiet(void) {
    xmlSetGenericErrorFunc(NULL, noop_generic);
    xmlSetStructuredErrorFunc(NULL, noop_structured);
}

PRINTF_LIKE(2, 3)
static int fail(char *err, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, HV_ERR_MAX, fmt, ap);
    va_end(ap);
    return -1;
}

static bool in_list(const char *s, const char *const *list) {
    for (size_t i = 0; list[i] != NULL; i++) {
        if (strcmp(s, list[i]) == 0)
            return true;
    }
    return false;
}

static void list_names(const char *const *list, char *out, size_t outlen) {
    size_t o = 0;
    out[0] = '\0';
    for (size_t i = 0; list[i] != NULL && o + 1 < outlen; i++) {
        int n = snprintf(out + o, outlen - o, "%s%s", i ? ", " : "", list[i]);
        if (n < 0)
            break;
        o += (size_t)n;
    }
}

/* Refuses keys of obj not in allowed; prefix is "" at the top level, else "pagination." etc. */
static int check_keys(const json_t *obj, const char *const *allowed, const char *prefix,
                      const char *what, char *err) {
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)obj, key, v) {
        if (!in_list(key, allowed)) {
            char names[300];
            list_names(allowed, names, sizeof names);
            return fail(err, "%s%.80s: unknown %s (expected one of %s)", prefix, key, what, names);
        }
    }
    return 0;
}

static int get_int(const json_t *obj, const char *key, const char *prefix, long min, long max,
                   long def, long *out, char *err) {
    const json_t *v = json_object_get(obj, key);
    if (v == NULL) {
        *out = def;
        return 0;
    }
    if (!json_is_integer(v))
        return fail(err, "%s%s: must be an integer", prefix, key);
    json_int_t n = json_integer_value(v);
    if (n < min || n > max)
        return fail(err, "%s%s: must be between %ld and %ld", prefix, key, min, max);
    *out = (long)n;
    return 0;
}

/* A required or optional string; *out is borrowed from the document. */
static int get_string(const json_t *obj, const char *key, const char *prefix, bool required,
                      size_t maxlen, const char **out, char *err) {
    const json_t *v = json_object_get(obj, key);
    *out = NULL;
    if (v == NULL) {
        if (required)
            return fail(err, "%s%s: required", prefix, key);
        return 0;
    }
    if (!json_is_string(v))
        return fail(err, "%s%s: must be a string", prefix, key);
    if (json_string_length(v) == 0 || json_string_length(v) > maxlen)
        return fail(err, "%s%s: must be a non-empty string of at most %zu bytes", prefix, key,
                    maxlen);
    if (strlen(json_string_value(v)) != json_string_length(v))
        return fail(err, "%s%s: must not contain a NUL character", prefix, key);
    *out = json_string_value(v);
    return 0;
}

/* Expands ${NAME} from the environment. Returns a new string or NULL with err set. */
static char *expand_env(const char *s, const char *key, char *err) {
    buf_t b;
    buf_init(&b, HV_URL_MAX);
    const char *p = s;
    while (*p) {
        if (p[0] == '$' && p[1] == '{') {
            const char *close = strchr(p + 2, '}');
            if (close == NULL) {
                fail(err, "%s: unterminated ${ in \"%.100s\"", key, s);
                goto failed;
            }
            size_t n = (size_t)(close - (p + 2));
            char name[128];
            bool ok = n > 0 && n < sizeof name;
            for (size_t i = 0; ok && i < n; i++) {
                char c = p[2 + i];
                ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
                     (i > 0 && c >= '0' && c <= '9');
            }
            if (!ok) {
                fail(err, "%s: invalid variable name in \"%.100s\"", key, s);
                goto failed;
            }
            memcpy(name, p + 2, n);
            name[n] = '\0';
            const char *value = getenv(name);
            if (value == NULL) {
                fail(err, "%s: environment variable %s is not set", key, name);
                goto failed;
            }
            if (!buf_append_str(&b, value)) {
                fail(err, "%s: longer than %d bytes once expanded", key, HV_URL_MAX);
                goto failed;
            }
            p = close + 1;
            continue;
        }
        if (!buf_append(&b, p, 1)) {
            fail(err, "%s: longer than %d bytes once expanded", key, HV_URL_MAX);
            goto failed;
        }
        p++;
    }
    char *r = strdup(buf_cstr(&b));
    if (r == NULL)
        fail(err, "out of memory");
    buf_free(&b);
    return r;
failed:
    buf_free(&b);
    return NULL;
}

static bool is_simple_name(const char *s) {
    bool colon = false;
    const char *p = s;
    for (bool first = true; *p; p++) {
        char c = *p;
        bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
        bool digit = (c >= '0' && c <= '9') || c == '-' || c == '.';
        if (c == ':' && !colon && !first) {
            colon = true;
            first = true;
            continue;
        }
        if (!(letter || (!first && digit)))
            return false;
        first = false;
    }
    return p != s && p[-1] != ':';
}

static bool valid_pointer(const char *s) {
    if (s[0] == '\0')
        return true;
    if (s[0] != '/')
        return false;
    for (const char *p = s; *p; p++) {
        if (*p == '~' && p[1] != '0' && p[1] != '1')
            return false;
    }
    return true;
}

/* Compiles path text with syntax; key names it in errors ("fields.title.path"). */
static int compile_path(const char *text, hv_path_syntax syntax, const char *key, hv_path *p,
                        char *err) {
    p->syntax = syntax;
    p->text = strdup(text);
    if (p->text == NULL)
        return fail(err, "out of memory");
    if (strlen(text) > HV_PATH_MAX)
        return fail(err, "%s: longer than %d bytes", key, HV_PATH_MAX);
    switch (syntax) {
    case HV_PATH_FEED:
        if (is_simple_name(text)) {
            p->simple_name = true;
            return 0;
        }
        /* an XPath relative to the item */
        __attribute__((fallthrough));
    case HV_PATH_XPATH:
        p->expr = xmlXPathCompile((const xmlChar *)text);
        if (p->expr == NULL)
            return fail(err, "%s: invalid XPath \"%.100s\"", key, text);
        return 0;
    case HV_PATH_POINTER:
        if (!valid_pointer(text))
            return fail(err,
                        "%s: invalid JSON pointer \"%.100s\" (\"\" or /a/b, with ~0 and ~1 as the "
                        "only escapes)",
                        key, text);
        return 0;
    case HV_PATH_COLUMN:
        if (text[0] == '\0')
            return fail(err, "%s: must name a column", key);
        return 0;
    }
    return 0;
}

static void path_clear(hv_path *p) {
    free(p->text);
    if (p->expr)
        xmlXPathFreeCompExpr(p->expr);
    memset(p, 0, sizeof *p);
}

/* The syntax of paths on list pages (items) and detail pages, by kind. */
static hv_path_syntax list_syntax(hv_kind k) {
    switch (k) {
    case HV_KIND_HTML:
        return HV_PATH_XPATH;
    case HV_KIND_JSON:
        return HV_PATH_POINTER;
    case HV_KIND_RSS:
    case HV_KIND_ATOM:
        return HV_PATH_FEED;
    case HV_KIND_CSV:
        return HV_PATH_COLUMN;
    }
    return HV_PATH_XPATH;
}

static hv_path_syntax detail_syntax(hv_kind k) {
    return k == HV_KIND_JSON ? HV_PATH_POINTER : HV_PATH_XPATH;
}

/* Refuses regexes whose counted repetitions could make glibc's regcomp build a huge automaton:
 * the product of their upper bounds is capped. */
static int check_regex_size(const json_t *spec, const char *key, char *err) {
    const json_t *v = json_is_object(spec) ? json_object_get(spec, "regex") : NULL;
    if (!json_is_string(v))
        return 0;
    const char *s = json_string_value(v);
    unsigned long product = 1;
    for (const char *p = s; *p; p++) {
        if (*p == '\\' && p[1]) {
            p++;
            continue;
        }
        if (*p != '{')
            continue;
        unsigned long max = 0;
        const char *q = p + 1;
        while (*q && *q != '}') {
            if (*q >= '0' && *q <= '9') {
                unsigned long n = 0;
                while (*q >= '0' && *q <= '9' && n < 100000)
                    n = n * 10 + (unsigned long)(*q++ - '0');
                if (n > max)
                    max = n;
            } else {
                q++;
            }
        }
        if (max > 1)
            product *= max;
        if (product > HV_REGEX_REPEATS)
            return fail(err, "%s.regex: counted repetitions too large (product above %d)", key,
                        HV_REGEX_REPEATS);
    }
    return 0;
}

static int parse_field(const hv_source *src, const json_t *spec, const char *name, const char *key,
                       hv_field_spec *f, char *err) {
    char sub[160];
    f->name = name;
    if (!json_is_object(spec))
        return fail(err, "%s: must be an object (a field spec)", key);
    snprintf(sub, sizeof sub, "%s.", key);
    if (check_keys(spec, field_keys, sub, "key", err) != 0)
        return -1;
    const json_t *from = json_object_get(spec, "from");
    if (from != NULL) {
        const char *s = json_string_value(from);
        if (s != NULL && strcmp(s, "list") == 0)
            f->from_detail = false;
        else if (s != NULL && strcmp(s, "detail") == 0)
            f->from_detail = true;
        else
            return fail(err, "%s.from: must be \"list\" or \"detail\"", key);
        if (f->from_detail && !src->has_detail)
            return fail(err, "%s.from: \"detail\" needs a \"detail\" link in the document", key);
    }
    const json_t *multiple = json_object_get(spec, "multiple");
    if (multiple != NULL) {
        if (!json_is_boolean(multiple))
            return fail(err, "%s.multiple: must be true or false", key);
        f->multiple = json_is_true(multiple);
    }
    const char *def;
    if (get_string(spec, "default", sub, false, HV_DEFAULT_MAX, &def, err) != 0)
        return -1;
    if (def != NULL && (f->def = strdup(def)) == NULL)
        return fail(err, "out of memory");
    const char *path;
    if (get_string(spec, "path", sub, false, HV_PATH_MAX, &path, err) != 0)
        return -1;
    if (path == NULL && def == NULL)
        return fail(err, "%s.path: required (or a default)", key);
    if (path != NULL) {
        char pkey[180];
        snprintf(pkey, sizeof pkey, "%s.path", key);
        hv_path_syntax syn = f->from_detail ? detail_syntax(src->kind) : list_syntax(src->kind);
        f->has_path = true;
        if (compile_path(path, syn, pkey, &f->path, err) != 0)
            return -1;
    }
    const json_t *trs = json_object_get(spec, "transforms");
    if (trs != NULL) {
        if (!json_is_array(trs))
            return fail(err, "%s.transforms: must be an array", key);
        if (json_array_size(trs) > HV_TRANSFORMS)
            return fail(err, "%s.transforms: at most %d transforms", key, HV_TRANSFORMS);
        f->tr = calloc(json_array_size(trs) + 1, sizeof *f->tr);
        if (f->tr == NULL)
            return fail(err, "out of memory");
        size_t i;
        json_t *t;
        json_array_foreach(trs, i, t) {
            char tkey[180];
            char msg[300];
            snprintf(tkey, sizeof tkey, "%s.transforms[%zu]", key, i);
            if (check_regex_size(t, tkey, err) != 0)
                return -1;
            f->ntr++;
            if (hv_transform_parse(t, &f->tr[i], msg, sizeof msg) != 0)
                return fail(err, "%s: %s", tkey, msg);
        }
    }
    const char *map;
    if (get_string(spec, "map", sub, false, 200, &map, err) != 0)
        return -1;
    if (map != NULL) {
        f->map = hv_source_map(src, map);
        if (f->map == NULL)
            return fail(err, "%s.map: no map named \"%.60s\" in maps", key, map);
    }
    return 0;
}

static void field_clear(hv_field_spec *f) {
    path_clear(&f->path);
    for (size_t i = 0; i < f->ntr; i++)
        hv_transform_clear(&f->tr[i]);
    free(f->tr);
    free(f->def);
    memset(f, 0, sizeof *f);
}

static bool http_prefix(const char *s) {
    return strncasecmp(s, "http://", 7) == 0 || strncasecmp(s, "https://", 8) == 0;
}

static int parse_homepage_and_urls(hv_source *src, char *err) {
    const char *s;
    if (get_string(src->doc, "homepage", "", true, HV_URL_MAX, &s, err) != 0)
        return -1;
    char *expanded = expand_env(s, "homepage", err);
    if (expanded == NULL)
        return -1;
    if (!http_prefix(expanded)) {
        free(expanded);
        return fail(err, "homepage: must be an absolute http(s) URL");
    }
    src->homepage = hv_text_absolute_url(NULL, expanded);
    free(expanded);
    if (src->homepage == NULL)
        return fail(err, "out of memory");
    if (src->homepage[0] == '\0')
        return fail(err, "homepage: must be an absolute http(s) URL");

    const json_t *urls = json_object_get(src->doc, "start_urls");
    if (urls == NULL)
        return fail(err, "start_urls: required");
    if (!json_is_array(urls) || json_array_size(urls) == 0)
        return fail(err, "start_urls: must be a non-empty array of URLs");
    if (json_array_size(urls) > HV_MAX_START_URLS)
        return fail(err, "start_urls: at most %d URLs", HV_MAX_START_URLS);
    src->start_urls = calloc(json_array_size(urls), sizeof *src->start_urls);
    if (src->start_urls == NULL)
        return fail(err, "out of memory");
    size_t i;
    json_t *u;
    json_array_foreach(urls, i, u) {
        char key[48];
        snprintf(key, sizeof key, "start_urls[%zu]", i);
        if (!json_is_string(u) || json_string_length(u) == 0 ||
            json_string_length(u) > HV_URL_MAX ||
            strlen(json_string_value(u)) != json_string_length(u))
            return fail(err, "%s: must be a non-empty string", key);
        char *e = expand_env(json_string_value(u), key, err);
        if (e == NULL)
            return -1;
        char *abs = hv_text_absolute_url(src->homepage, e);
        free(e);
        if (abs == NULL)
            return fail(err, "out of memory");
        src->start_urls[src->nstart++] = abs;
        if (abs[0] == '\0')
            return fail(err, "%s: not an http(s) URL once resolved against homepage", key);
    }
    return 0;
}

static int parse_pagination(hv_source *src, char *err) {
    static const char *const keys[] = {"next", "param", "start", "step", NULL};
    const json_t *pg = json_object_get(src->doc, "pagination");
    if (pg == NULL)
        return 0;
    if (!json_is_object(pg))
        return fail(err, "pagination: must be an object");
    if (check_keys(pg, keys, "pagination.", "key", err) != 0)
        return -1;
    const json_t *next = json_object_get(pg, "next");
    const json_t *param = json_object_get(pg, "param");
    if ((next != NULL) == (param != NULL))
        return fail(err, "pagination: give either \"next\" or \"param\"");
    if (next != NULL) {
        const char *s;
        if (json_object_get(pg, "start") || json_object_get(pg, "step"))
            return fail(err, "pagination.%s: only with \"param\"",
                        json_object_get(pg, "start") ? "start" : "step");
        if (get_string(pg, "next", "pagination.", true, HV_PATH_MAX, &s, err) != 0)
            return -1;
        if (src->kind == HV_KIND_CSV)
            return fail(err, "pagination.next: not available for kind csv");
        src->paging = HV_PAGING_NEXT;
        return compile_path(s, src->kind == HV_KIND_JSON ? HV_PATH_POINTER : HV_PATH_XPATH,
                            "pagination.next", &src->next, err);
    }
    const char *s;
    if (get_string(pg, "param", "pagination.", true, 64, &s, err) != 0)
        return -1;
    for (const char *p = s; *p; p++) {
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              strchr("_-.[]", *p)))
            return fail(err, "pagination.param: letters, digits and _ - . [ ] only");
    }
    src->paging = HV_PAGING_PARAM;
    if ((src->param = strdup(s)) == NULL)
        return fail(err, "out of memory");
    if (get_int(pg, "start", "pagination.", 0, 1000000, 0, &src->param_start, err) != 0 ||
        get_int(pg, "step", "pagination.", 1, 10000, 1, &src->param_step, err) != 0)
        return -1;
    return 0;
}

static int parse_maps(hv_source *src, char *err) {
    const json_t *maps = json_object_get(src->doc, "maps");
    if (maps == NULL)
        return 0;
    if (!json_is_object(maps))
        return fail(err, "maps: must be an object (map name → { value: code })");
    if (json_object_size(maps) > HV_MAPS_MAX)
        return fail(err, "maps: at most %d maps", HV_MAPS_MAX);
    src->maps = calloc(json_object_size(maps) + 1, sizeof *src->maps);
    if (src->maps == NULL)
        return fail(err, "out of memory");
    const char *name;
    json_t *m;
    json_object_foreach((json_t *)maps, name, m) {
        char msg[300];
        if (name[0] == '\0' || strlen(name) > 200)
            return fail(err, "maps: a map name must be 1 to 200 bytes");
        if (!json_is_object(m))
            return fail(err, "maps.%s: must be an object { value: code }", name);
        hv_named_map *nm = &src->maps[src->nmaps];
        if ((nm->name = strdup(name)) == NULL)
            return fail(err, "out of memory");
        src->nmaps++;
        nm->map = hv_valuemap_new(m, msg, sizeof msg);
        if (nm->map == NULL)
            return fail(err, "maps.%s: %s", name, msg);
    }
    return 0;
}

static int parse_options(hv_source *src, char *err) {
    static const char *const pol_keys[] = {"delay_ms", "max_connections", NULL};
    static const char *const lim_keys[] = {"max_pages", "max_body_bytes", NULL};
    long v;
    if (get_int(src->doc, "period_hours", "", 1, 8760, 24, &v, err) != 0)
        return -1;
    src->period_hours = (int)v;
    if (get_int(src->doc, "gone_after_runs", "", 1, 100, 3, &v, err) != 0)
        return -1;
    src->gone_after_runs = (int)v;
    const json_t *enc = json_object_get(src->doc, "encoding");
    if (enc != NULL) {
        static const char *const names[] = {"auto", "utf-8", "iso-8859-1", "windows-1252"};
        const char *s = json_string_value(enc);
        size_t i = 0;
        while (s != NULL && i < ARRAY_LEN(names) && strcmp(s, names[i]) != 0)
            i++;
        if (s == NULL || i == ARRAY_LEN(names))
            return fail(err, "encoding: must be auto, utf-8, iso-8859-1 or windows-1252");
        src->encoding = (hv_encoding)i;
    }
    const json_t *pol = json_object_get(src->doc, "politeness");
    src->delay_ms = 1000;
    src->max_connections = 2;
    if (pol != NULL) {
        if (!json_is_object(pol))
            return fail(err, "politeness: must be an object");
        if (check_keys(pol, pol_keys, "politeness.", "key", err) != 0)
            return -1;
        if (get_int(pol, "delay_ms", "politeness.", 0, 60000, 1000, &v, err) != 0)
            return -1;
        /* No pause between requests is for a site on this machine (tests, benchmarks): never
         * for someone else's server. */
        if (v == 0 && !hv_source_is_loopback(src))
            return fail(err, "politeness.delay_ms: 0 is allowed only for a source on this machine "
                             "(localhost, 127.0.0.1, [::1]); use at least 1");
        src->delay_ms = (int)v;
        if (get_int(pol, "max_connections", "politeness.", 1, 2, 2, &v, err) != 0)
            return -1;
        src->max_connections = (int)v;
    }
    const json_t *lim = json_object_get(src->doc, "limits");
    src->max_pages = 500;
    src->max_body_bytes = 5L * 1024 * 1024;
    if (lim != NULL) {
        if (!json_is_object(lim))
            return fail(err, "limits: must be an object");
        if (check_keys(lim, lim_keys, "limits.", "key", err) != 0)
            return -1;
        if (get_int(lim, "max_pages", "limits.", 1, 10000, 500, &v, err) != 0)
            return -1;
        src->max_pages = (int)v;
        if (get_int(lim, "max_body_bytes", "limits.", 1024, 50L * 1024 * 1024, 5L * 1024 * 1024,
                    &src->max_body_bytes, err) != 0)
            return -1;
    }
    const json_t *cl = json_object_get(src->doc, "classify");
    src->classify = true;
    if (cl != NULL) {
        if (!json_is_boolean(cl))
            return fail(err, "classify: must be true or false");
        src->classify = json_is_true(cl);
    }
    const json_t *csv = json_object_get(src->doc, "csv");
    src->csv_delim = ',';
    src->csv_header = true;
    if (csv != NULL) {
        static const char *const csv_keys[] = {"delimiter", "header", NULL};
        if (src->kind != HV_KIND_CSV)
            return fail(err, "csv: only for kind csv");
        if (!json_is_object(csv))
            return fail(err, "csv: must be an object");
        if (check_keys(csv, csv_keys, "csv.", "key", err) != 0)
            return -1;
        const json_t *d = json_object_get(csv, "delimiter");
        if (d != NULL) {
            const char *s = json_string_value(d);
            if (s == NULL || strlen(s) != 1 || strchr("\"\r\n", s[0]) != NULL ||
                json_string_length(d) != 1)
                return fail(err, "csv.delimiter: must be one character (not a quote or newline)");
            src->csv_delim = s[0];
        }
        const json_t *h = json_object_get(csv, "header");
        if (h != NULL) {
            if (!json_is_boolean(h))
                return fail(err, "csv.header: must be true or false");
            src->csv_header = json_is_true(h);
        }
    }
    return 0;
}

static int parse_structure(hv_source *src, char *err) {
    const json_t *doc = src->doc;
    const char *s;
    /* items */
    const json_t *items = json_object_get(doc, "items");
    if (src->kind == HV_KIND_HTML || src->kind == HV_KIND_JSON) {
        if (items == NULL)
            return fail(err, "items: required for kind %s", hv_source_kind_name(src));
        if (src->kind == HV_KIND_JSON && json_is_string(items) && json_string_length(items) == 0)
            s = "";
        else if (get_string(doc, "items", "", true, HV_PATH_MAX, &s, err) != 0)
            return -1;
        src->has_items = true;
        if (compile_path(s, list_syntax(src->kind), "items", &src->items, err) != 0)
            return -1;
    } else if (items != NULL) {
        return fail(err, "items: not used by kind %s (%s)", hv_source_kind_name(src),
                    src->kind == HV_KIND_CSV ? "every row is an item"
                                             : "the items are the feed's entries");
    }
    /* detail */
    const json_t *detail = json_object_get(doc, "detail");
    if (detail != NULL) {
        static const char *const keys[] = {"link", NULL};
        if (!json_is_object(detail))
            return fail(err, "detail: must be an object { \"link\": path }");
        if (check_keys(detail, keys, "detail.", "key", err) != 0)
            return -1;
        if (get_string(detail, "link", "detail.", true, HV_PATH_MAX, &s, err) != 0)
            return -1;
        src->has_detail = true;
        if (compile_path(s, list_syntax(src->kind), "detail.link", &src->detail_link, err) != 0)
            return -1;
    }
    if (parse_pagination(src, err) != 0 || parse_maps(src, err) != 0)
        return -1;
    /* fields */
    const json_t *fields = json_object_get(doc, "fields");
    if (fields == NULL)
        return fail(err, "fields: required");
    if (!json_is_object(fields) || json_object_size(fields) == 0)
        return fail(err, "fields: must be an object of field specs");
    src->fields = calloc(json_object_size(fields), sizeof *src->fields);
    if (src->fields == NULL)
        return fail(err, "out of memory");
    const char *name;
    json_t *spec;
    json_object_foreach((json_t *)fields, name, spec) {
        char key[120];
        size_t i = 0;
        while (our_fields[i] != NULL && strcmp(our_fields[i], name) != 0)
            i++;
        if (our_fields[i] == NULL) {
            char names[300];
            list_names(our_fields, names, sizeof names);
            return fail(err, "fields.%.60s: unknown field (expected one of %s)", name, names);
        }
        snprintf(key, sizeof key, "fields.%s", name);
        if (parse_field(src, spec, our_fields[i], key, &src->fields[src->nfields++], err) != 0)
            return -1;
    }
    if (hv_source_field(src, "title") == NULL)
        return fail(err, "fields.title: required");
    /* external_id */
    const json_t *ext = json_object_get(doc, "external_id");
    if (ext != NULL) {
        src->has_external_id = true;
        if (parse_field(src, ext, "external_id", "external_id", &src->external_id, err) != 0)
            return -1;
    }
    return 0;
}

static int parse_doc(hv_source *src, char *err) {
    const json_t *doc = src->doc;
    const char *s;
    if (check_keys(doc, top_keys, "", "key", err) != 0)
        return -1;
    if (get_string(doc, "slug", "", true, 63, &s, err) != 0)
        return -1;
    for (const char *p = s; *p; p++) {
        bool ok = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
                  (p != s && (*p == '_' || *p == '-'));
        if (!ok)
            return fail(err, "slug: must match ^[a-z0-9][a-z0-9_-]{0,62}$");
    }
    if ((src->slug = strdup(s)) == NULL)
        return fail(err, "out of memory");
    if (get_string(doc, "name", "", true, HV_NAME_MAX, &s, err) != 0)
        return -1;
    if ((src->name = strdup(s)) == NULL)
        return fail(err, "out of memory");
    if (get_string(doc, "kind", "", true, 16, &s, err) != 0)
        return -1;
    static const char *const kinds[] = {"html", "json", "rss", "atom", "csv"};
    size_t k = 0;
    while (k < ARRAY_LEN(kinds) && strcmp(kinds[k], s) != 0)
        k++;
    if (k == ARRAY_LEN(kinds))
        return fail(err, "kind: must be html, json, rss, atom or csv");
    src->kind = (hv_kind)k;
    if (get_string(doc, "licence", "", false, 500, &s, err) != 0)
        return -1;
    if (s != NULL && (src->licence = strdup(s)) == NULL)
        return fail(err, "out of memory");
    if (parse_homepage_and_urls(src, err) != 0 || parse_options(src, err) != 0 ||
        parse_structure(src, err) != 0)
        return -1;
    return 0;
}

int hv_source_parse(const char *text, size_t len, hv_source **out, char err[HV_ERR_MAX]) {
    hv_source *src = NULL;
    json_error_t je;
    *out = NULL;
    err[0] = '\0';
    hv_xml_quiet();
    if (len > HV_SOURCE_DOC_MAX) {
        fail(err, "document larger than %d bytes", HV_SOURCE_DOC_MAX);
        goto failed;
    }
    json_t *doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (doc == NULL) {
        fail(err, "invalid JSON (line %d, column %d): %s", je.line, je.column, je.text);
        goto failed;
    }
    src = calloc(1, sizeof *src);
    if (src == NULL) {
        json_decref(doc);
        fail(err, "out of memory");
        goto failed;
    }
    src->doc = doc;
    if (!json_is_object(doc)) {
        fail(err, "the document must be a JSON object");
        goto failed;
    }
    if (parse_doc(src, err) != 0)
        goto failed;
    *out = src;
    return 0;
failed:
    hv_source_free(src);
    return -1;
}

void hv_source_free(hv_source *src) {
    if (src == NULL)
        return;
    for (size_t i = 0; i < src->nfields; i++)
        field_clear(&src->fields[i]);
    free(src->fields);
    field_clear(&src->external_id);
    for (size_t i = 0; i < src->nmaps; i++) {
        free(src->maps[i].name);
        hv_valuemap_free(src->maps[i].map);
    }
    free(src->maps);
    path_clear(&src->items);
    path_clear(&src->detail_link);
    path_clear(&src->next);
    free(src->param);
    for (size_t i = 0; i < src->nstart; i++)
        free(src->start_urls[i]);
    free(src->start_urls);
    free(src->slug);
    free(src->name);
    free(src->homepage);
    free(src->licence);
    json_decref(src->doc);
    free(src);
}

const hv_valuemap *hv_source_map(const hv_source *src, const char *name) {
    for (size_t i = 0; i < src->nmaps; i++) {
        if (strcmp(src->maps[i].name, name) == 0)
            return src->maps[i].map;
    }
    return NULL;
}

const hv_field_spec *hv_source_field(const hv_source *src, const char *name) {
    for (size_t i = 0; i < src->nfields; i++) {
        if (strcmp(src->fields[i].name, name) == 0)
            return &src->fields[i];
    }
    return NULL;
}

const char *hv_source_slug(const hv_source *src) {
    return src->slug;
}

const char *hv_source_name(const hv_source *src) {
    return src->name;
}

bool hv_source_is_loopback(const hv_source *src) {
    if (src->homepage == NULL || !url_is_loopback(src->homepage))
        return false;
    for (size_t i = 0; i < src->nstart; i++) {
        if (!url_is_loopback(src->start_urls[i]))
            return false;
    }
    return true;
}

const char *hv_source_homepage(const hv_source *src) {
    return src->homepage;
}

const char *hv_source_kind_name(const hv_source *src) {
    static const char *const names[] = {"html", "json", "rss", "atom", "csv"};
    return names[src->kind];
}

hv_kind hv_source_kind(const hv_source *src) {
    return src->kind;
}

const char *hv_source_licence(const hv_source *src) {
    return src->licence;
}

int hv_source_period_hours(const hv_source *src) {
    return src->period_hours;
}

int hv_source_gone_after_runs(const hv_source *src) {
    return src->gone_after_runs;
}

int hv_source_delay_ms(const hv_source *src) {
    return src->delay_ms;
}

int hv_source_max_connections(const hv_source *src) {
    return src->max_connections;
}

int hv_source_max_pages(const hv_source *src) {
    return src->max_pages;
}

long hv_source_max_body_bytes(const hv_source *src) {
    return src->max_body_bytes;
}

const json_t *hv_source_document(const hv_source *src) {
    return src->doc;
}

json_t *hv_source_first_pages(const hv_source *src) {
    json_t *arr = json_array();
    if (arr == NULL)
        return NULL;
    for (size_t i = 0; i < src->nstart; i++) {
        char *u = src->paging == HV_PAGING_PARAM ? hv_source_page_url(src, src->start_urls[i], 0)
                                                 : strdup(src->start_urls[i]);
        if (u == NULL || json_array_append_new(arr, json_string(u)) != 0) {
            free(u);
            json_decref(arr);
            return NULL;
        }
        free(u);
    }
    return arr;
}

/* The OGC API – Features endpoints (OGC 17-069r4, conformance classes Core and GeoJSON) over the
 * one collection "initiatives": landing page, conformance, collections, the collection, its items
 * and one item. Links are absolute, on SC_PUBLIC_URL (the cached bytes must not depend on the Host
 * a client used). Every public answer is cached under the data version, like the search. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"
#include "domain/ogc.h"
#include "http/handlers.h"
#include "http/params.h"
#include "http/reply.h"
#include "http/search_params.h"

#define OGC_PATH  "/api/v1/ogc"
#define OGC_COLL  OGC_PATH "/collections/initiatives"
#define CRS84     "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
#define TYPE_JSON "application/json"
#define TYPE_GEO  "application/geo+json"
#define DATE_MAX  40 /* bytes of one datetime bound */
#define URL_MAX   6000

/* The search's filters that the items accept, read by search_params_parse. */
static const char *const filter_params[] = {"q",         "theme",    "subtheme", "actor_type",
                                            "public",    "scale",    "stage",    "source",
                                            "territory", "year_min", "year_max", NULL};

/* Every parameter of the items, in the order of the cache key and of the links' query. */
static const char *const items_shape[] = {"limit",    "bbox",       "datetime", "q",        "theme",
                                          "subtheme", "actor_type", "public",   "scale",    "stage",
                                          "source",   "territory",  "year_min", "year_max", "f",
                                          "cursor",   NULL};
static const char *const f_only[] = {"f", NULL};

static bool listed(const char *const *names, const char *key) {
    for (size_t i = 0; names[i]; i++)
        if (strcmp(names[i], key) == 0)
            return true;
    return false;
}

/* Unknown parameters are refused (/req/core/query-param-unknown), and f, when given, is json. */
static bool known_params(const req_t *req, resp_t *resp, const char *const *names) {
    char msg[200];
    for (size_t i = 0; i < req->query.n; i++) {
        const char *key = req->query.params[i].key;
        if (!listed(names, key)) {
            snprintf(msg, sizeof msg, "Paramètre inconnu : « %.60s ».", key);
            resp_error(resp, 400, "invalid_parameter", msg, key);
            return false;
        }
    }
    const url_param_t *f = req_query(req, "f");
    if (f && strcmp(f->value, "json") != 0 && strcmp(f->value, "geojson") != 0) {
        resp_error(resp, 400, "invalid_parameter", "f vaut json ou geojson.", "f");
        return false;
    }
    return true;
}

static json_t *ogc_link(const char *base, const char *path, const char *rel, const char *type,
                        const char *title) {
    char href[URL_MAX];
    snprintf(href, sizeof href, "%s%s", base, path);
    json_t *l = json_pack("{s:s, s:s, s:s}", "href", href, "rel", rel, "type", type);
    if (l && title)
        json_object_set_new(l, "title", json_string(title));
    return l;
}

/* Answers a hit (true) with its media type, or leaves key for the answer to make. */
static bool cached(app_t *app, const req_t *req, const char *const *shape, resp_t *resp, char *key,
                   const char *type) {
    if (!reply_cached(app, req, shape, resp, key))
        return false;
    resp->content_type = type;
    return true;
}

static void ogc_send(app_t *app, resp_t *resp, json_t *body, const char *key, const char *type) {
    reply_ok_cached(app, resp, body, key);
    if (resp->status == 200)
        resp->content_type = type;
}

void handle_ogc_landing(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    const char *base = app->cfg->public_url;
    char key[REPLY_KEY_MAX];
    if (!known_params(req, resp, f_only) || cached(app, req, f_only, resp, key, TYPE_JSON))
        return;
    json_t *links = json_pack(
            "[o, o, o, o]", ogc_link(base, OGC_PATH, "self", TYPE_JSON, "Cette page"),
            ogc_link(base, "/api/v1/openapi.json", "service-desc",
                     "application/vnd.oai.openapi+json;version=3.0",
                     "La description OpenAPI de l'API"),
            ogc_link(base, OGC_PATH "/conformance", "conformance", TYPE_JSON,
                     "Les classes de conformité mises en œuvre"),
            ogc_link(base, OGC_PATH "/collections", "data", TYPE_JSON, "Les collections"));
    json_t *body =
            json_pack("{s:s, s:s, s:o}", "title", "SocialConnect — OGC API Features", "description",
                      "Les initiatives d'innovation sociale de SocialConnect, en GeoJSON, "
                      "pour les logiciels de SIG (QGIS…).",
                      "links", links);
    ogc_send(app, resp, body, key, TYPE_JSON);
}

void handle_ogc_conformance(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    char key[REPLY_KEY_MAX];
    if (!known_params(req, resp, f_only) || cached(app, req, f_only, resp, key, TYPE_JSON))
        return;
    json_t *body = json_pack("{s:[s, s]}", "conformsTo",
                             "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
                             "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson");
    ogc_send(app, resp, body, key, TYPE_JSON);
}

/* The collection's description, with its extent. */
static json_t *collection(app_t *app, dom_status *st) {
    const char *base = app->cfg->public_url;
    double bbox[4];
    char *t0 = NULL, *t1 = NULL;
    *st = ogc_extent(app->db, bbox, &t0, &t1);
    if (*st != DOM_OK)
        return NULL;
    json_t *links = json_pack(
            "[o, o, o]", ogc_link(base, OGC_COLL, "self", TYPE_JSON, "Cette collection"),
            ogc_link(base, OGC_COLL "/items", "items", TYPE_GEO, "Les initiatives (GeoJSON)"),
            ogc_link(base, "/api/v1/openapi.json", "describedby", TYPE_JSON, "Les propriétés"));
    json_t *out = json_pack(
            "{s:s, s:s, s:s, s:o, s:{s:{s:[[f, f, f, f]], s:s}, s:{s:[[o, o]], s:s}}, s:s, s:[s]}",
            "id", "initiatives", "title", "Initiatives d'innovation sociale", "description",
            "Les initiatives publiées et placées sur la carte (un point chacune).", "links", links,
            "extent", "spatial", "bbox", bbox[0], bbox[1], bbox[2], bbox[3], "crs", CRS84,
            "temporal", "interval", t0 ? json_string(t0) : json_null(),
            t1 ? json_string(t1) : json_null(), "trs",
            "http://www.opengis.net/def/uom/ISO-8601/0/Gregorian", "itemType", "feature", "crs",
            CRS84);
    free(t0);
    free(t1);
    if (out == NULL)
        *st = DOM_INTERNAL;
    return out;
}

void handle_ogc_collections(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    const char *base = app->cfg->public_url;
    char key[REPLY_KEY_MAX];
    dom_status st;
    if (!known_params(req, resp, f_only) || cached(app, req, f_only, resp, key, TYPE_JSON))
        return;
    json_t *c = collection(app, &st);
    if (c == NULL) {
        reply_failure(resp, st, NULL);
        return;
    }
    json_t *body =
            json_pack("{s:[o], s:[o]}", "links",
                      ogc_link(base, OGC_PATH "/collections", "self", TYPE_JSON, "Cette page"),
                      "collections", c);
    ogc_send(app, resp, body, key, TYPE_JSON);
}

void handle_ogc_collection(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    char key[REPLY_KEY_MAX];
    dom_status st;
    if (!known_params(req, resp, f_only) || cached(app, req, f_only, resp, key, TYPE_JSON))
        return;
    json_t *c = collection(app, &st);
    if (c == NULL) {
        reply_failure(resp, st, NULL);
        return;
    }
    ogc_send(app, resp, c, key, TYPE_JSON);
}

/* ---- items ---- */

static bool bad(resp_t *resp, const char *field, const char *message) {
    resp_error(resp, 400, "invalid_parameter", message, field);
    return false;
}

/* limit: an integer of at least 1; above OGC_LIMIT_MAX it is served as OGC_LIMIT_MAX (the
 * standard lets a server return fewer features than asked). */
static bool items_limit(const req_t *req, resp_t *resp, int *out) {
    const url_param_t *p = req_query(req, "limit");
    char msg[120];
    *out = OGC_LIMIT_DEFAULT;
    if (p == NULL)
        return true;
    size_t n = strlen(p->value);
    bool ok = n > 0 && n <= 12;
    for (size_t i = 0; ok && i < n; i++)
        ok = p->value[i] >= '0' && p->value[i] <= '9';
    long long v = ok ? strtoll(p->value, NULL, 10) : 0;
    if (!ok || v < 1) {
        snprintf(msg, sizeof msg, "limit doit être un entier d'au moins 1 (au plus %d servis).",
                 OGC_LIMIT_MAX);
        return bad(resp, "limit", msg);
    }
    *out = v > OGC_LIMIT_MAX ? OGC_LIMIT_MAX : (int)v;
    return true;
}

/* bbox: minLon,minLat,maxLon,maxLat in CRS84 (or the six numbers of a 3D box, whose heights
 * are ignored: the points have none). A box across the antimeridian is not supported. */
static bool items_bbox(const req_t *req, resp_t *resp, search_query_t *sq) {
    const url_param_t *p = req_query(req, "bbox");
    double v[6];
    size_t n = 0;
    if (p == NULL)
        return true;
    char buf[200];
    size_t len = strlen(p->value);
    bool ok = len > 0 && len < sizeof buf;
    if (ok) {
        memcpy(buf, p->value, len + 1);
        for (char *s = buf; ok;) {
            char *comma = strchr(s, ',');
            if (comma)
                *comma = '\0';
            ok = n < 6 && param_decimal(s, &v[n]);
            n++;
            if (comma == NULL)
                break;
            s = comma + 1;
        }
    }
    if (!ok || (n != 4 && n != 6))
        return bad(resp, "bbox",
                   "bbox s'écrit minLon,minLat,maxLon,maxLat en degrés décimaux (CRS84), ex. "
                   "4.7,45.7,4.9,45.8.");
    double x0 = v[0], y0 = v[1], x1 = v[n == 4 ? 2 : 3], y1 = v[n == 4 ? 3 : 4];
    if (x0 < -180 || x1 > 180 || y0 < -90 || y1 > 90 || y0 > y1)
        return bad(resp, "bbox",
                   "bbox : longitudes entre -180 et 180, latitudes entre -90 et 90, minLat au "
                   "plus maxLat.");
    if (x0 > x1)
        return bad(resp, "bbox",
                   "bbox : une emprise qui traverse l'antiméridien n'est pas prise "
                   "en charge (minLon doit être au plus maxLon).");
    sq->has_bbox = true;
    sq->bbox[0] = x0;
    sq->bbox[1] = y0;
    sq->bbox[2] = x1;
    sq->bbox[3] = y1;
    return true;
}

static bool digits(const char *s, int n) {
    for (int i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

/* One bound of datetime: an RFC 3339 date-time (with Z or an offset) or a full date. *is_date
 * says it was a date (the caller extends it to the whole day). Copies it into out. */
static bool rfc3339(const char *s, size_t len, char out[DATE_MAX], bool *is_date) {
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (len < 10 || len >= DATE_MAX || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) ||
        s[7] != '-' || !digits(s + 8, 2))
        return false;
    int y = atoi(s), m = (s[5] - '0') * 10 + s[6] - '0', d = (s[8] - '0') * 10 + s[9] - '0';
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (y < 1 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1] || (m == 2 && d == 29 && !leap))
        return false;
    *is_date = len == 10;
    if (!*is_date) {
        const char *t = s + 10;
        size_t i = 0, rest = len - 10;
        if (rest < 10 || (t[0] != 'T' && t[0] != 't') || !digits(t + 1, 2) || t[3] != ':' ||
            !digits(t + 4, 2) || t[6] != ':' || !digits(t + 7, 2))
            return false;
        int hh = (t[1] - '0') * 10 + t[2] - '0', mi = (t[4] - '0') * 10 + t[5] - '0',
            ss = (t[7] - '0') * 10 + t[8] - '0';
        if (hh > 23 || mi > 59 || ss > 60)
            return false;
        i = 9;
        if (i < rest && t[i] == '.') {
            size_t k = ++i;
            while (i < rest && t[i] >= '0' && t[i] <= '9')
                i++;
            if (i == k || i - k > 9)
                return false;
        }
        if (i + 1 == rest && (t[i] == 'Z' || t[i] == 'z'))
            ;
        else if (i + 6 == rest && (t[i] == '+' || t[i] == '-') && digits(t + i + 1, 2) &&
                 t[i + 3] == ':' && digits(t + i + 4, 2)) {
            if ((t[i + 1] - '0') * 10 + t[i + 2] - '0' > 23 ||
                (t[i + 4] - '0') * 10 + t[i + 5] - '0' > 59)
                return false;
        } else
            return false;
    }
    memcpy(out, s, len);
    out[len] = '\0';
    return true;
}

/* The seconds since the epoch of a bound checked by rfc3339 and written in full (a date has had
 * "T00:00:00Z" added); fractions of a second are ignored. */
static double bound_epoch(const char *s) {
    struct tm tm = {0};
    tm.tm_year = atoi(s) - 1900;
    tm.tm_mon = atoi(s + 5) - 1;
    tm.tm_mday = atoi(s + 8);
    tm.tm_hour = atoi(s + 11);
    tm.tm_min = atoi(s + 14);
    tm.tm_sec = atoi(s + 17);
    double t = (double)timegm(&tm);
    const char *z = s + 19;
    while (*z == '.' || (*z >= '0' && *z <= '9'))
        z++;
    if (*z == '+' || *z == '-') {
        double off = atoi(z + 1) * 3600.0 + atoi(z + 4) * 60.0;
        t -= *z == '+' ? off : -off;
    }
    return t;
}

typedef struct items_time {
    char from[DATE_MAX + 20], to[DATE_MAX + 20];
    bool has_from, has_to, to_exclusive;
} items_time_t;

/* datetime: an instant, or an interval start/end whose open ends are ".." (or empty). Dates
 * cover their whole day (UTC). Compared with the initiative's last update. */
static bool items_datetime(const req_t *req, resp_t *resp, items_time_t *t) {
    static const char *const msg =
            "datetime est un instant RFC 3339 (2024-05-01T12:00:00Z ou 2024-05-01) ou un "
            "intervalle début/fin dont une borne peut être ouverte (..).";
    const url_param_t *p = req_query(req, "datetime");
    char a[DATE_MAX], b[DATE_MAX];
    bool da = false, db_ = false;
    memset(t, 0, sizeof *t);
    if (p == NULL)
        return true;
    const char *slash = strchr(p->value, '/');
    if (slash == NULL) { /* an instant: that moment, or that day */
        if (!rfc3339(p->value, strlen(p->value), a, &da))
            return bad(resp, "datetime", msg);
        t->has_from = t->has_to = true;
        snprintf(t->from, sizeof t->from, "%s", a);
        if (da) {
            snprintf(t->from, sizeof t->from, "%sT00:00:00Z", a);
            snprintf(t->to, sizeof t->to, "%sT00:00:00Z", a); /* + 1 day below */
            t->to_exclusive = true;
        } else {
            snprintf(t->to, sizeof t->to, "%s", a);
        }
    } else {
        const char *s0 = p->value, *s1 = slash + 1;
        size_t n0 = (size_t)(slash - p->value), n1 = strlen(s1);
        bool open0 = n0 == 0 || (n0 == 2 && strncmp(s0, "..", 2) == 0);
        bool open1 = n1 == 0 || (n1 == 2 && strncmp(s1, "..", 2) == 0);
        if (strchr(s1, '/') || (open0 && open1) || (!open0 && !rfc3339(s0, n0, a, &da)) ||
            (!open1 && !rfc3339(s1, n1, b, &db_)))
            return bad(resp, "datetime", msg);
        if (!open0) {
            t->has_from = true;
            snprintf(t->from, sizeof t->from, da ? "%sT00:00:00Z" : "%s", a);
        }
        if (!open1) {
            t->has_to = true;
            snprintf(t->to, sizeof t->to, db_ ? "%sT00:00:00Z" : "%s", b);
            t->to_exclusive = db_;
        }
    }
    if (t->to_exclusive) {
        /* The day after the end date, computed here so that PostgreSQL receives a plain instant. */
        struct tm tm = {0};
        tm.tm_year = atoi(t->to) - 1900;
        tm.tm_mon = atoi(t->to + 5) - 1;
        tm.tm_mday = atoi(t->to + 8) + 1;
        time_t when = timegm(&tm);
        gmtime_r(&when, &tm);
        strftime(t->to, sizeof t->to, "%Y-%m-%dT00:00:00Z", &tm);
    }
    if (t->has_from && t->has_to &&
        (t->to_exclusive ? bound_epoch(t->from) >= bound_epoch(t->to)
                         : bound_epoch(t->from) > bound_epoch(t->to)))
        return bad(resp, "datetime", "datetime : le début de l'intervalle est après sa fin.");
    return true;
}

/* cursor: "n" or "p" and an initiative id, as the links write it. */
static bool items_cursor(const req_t *req, resp_t *resp, ogc_items_query_t *q) {
    const url_param_t *p = req_query(req, "cursor");
    q->cursor_id = 0;
    q->before = false;
    if (p == NULL)
        return true;
    size_t n = strlen(p->value);
    if (n < 2 || n > 19 || (p->value[0] != 'n' && p->value[0] != 'p') ||
        !digits(p->value + 1, (int)n - 1) || (q->cursor_id = strtoll(p->value + 1, NULL, 10)) < 1)
        return bad(resp, "cursor",
                   "cursor n'est pas valide : suivez les liens next et prev des réponses.");
    q->before = p->value[0] == 'p';
    return true;
}

/* Appends "key=value" percent-encoded. */
static bool query_append(buf_t *b, bool *first, const char *key, const char *value) {
    bool ok = buf_appendf(b, "%c%s=", *first ? '?' : '&', key);
    *first = false;
    for (const unsigned char *s = (const unsigned char *)value; ok && *s; s++) {
        if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
            *s == '-' || *s == '_' || *s == '.' || *s == '~' || *s == ',')
            ok = buf_appendf(b, "%c", *s);
        else
            ok = buf_appendf(b, "%%%02X", *s);
    }
    return ok;
}

/* The link to these items with the cursor given (NULL: none), the limit as served. */
static json_t *items_link(const req_t *req, const char *base, int limit, const char *cursor,
                          const char *rel, const char *title) {
    buf_t b;
    bool first = true, ok;
    char lim[16];
    json_t *l = NULL;
    buf_init(&b, URL_MAX);
    snprintf(lim, sizeof lim, "%d", limit);
    ok = buf_appendf(&b, "%s" OGC_COLL "/items", base) && query_append(&b, &first, "limit", lim);
    for (size_t i = 1; ok && items_shape[i]; i++) {
        const url_param_t *p = req_query(req, items_shape[i]);
        if (p && strcmp(items_shape[i], "cursor") != 0)
            ok = query_append(&b, &first, items_shape[i], p->value);
    }
    if (ok && cursor)
        ok = query_append(&b, &first, "cursor", cursor);
    if (ok)
        l = json_pack("{s:s, s:s, s:s, s:s}", "href", buf_cstr(&b), "rel", rel, "type", TYPE_GEO,
                      "title", title);
    buf_free(&b);
    return l;
}

/* The request's filters alone, as a request search_params_parse can read (values borrowed). */
static void filter_request(const req_t *req, req_t *out) {
    for (size_t i = 0; i < req->query.n; i++)
        if (listed(filter_params, req->query.params[i].key))
            out->query.params[out->query.n++] = req->query.params[i];
}

static int items_dump(const char *chunk, size_t n, void *data) {
    return buf_append(data, chunk, n) ? 0 : -1;
}

/* The FeatureCollection: the features' texts as PostgreSQL wrote them, inside the members that
 * jansson writes (rest, an object, decref'd here), cached under key like any answer. */
static void items_send(app_t *app, resp_t *resp, const ogc_page_t *page, json_t *rest,
                       const char *key) {
    static const char head[] = "{\"type\":\"FeatureCollection\",\"features\":[";
    buf_t b;
    buf_init(&b, OGC_FEATURES_MAX + 64 * 1024);
    bool ok = rest != NULL && buf_append(&b, head, sizeof head - 1) &&
              buf_append(&b, buf_cstr(&page->features), page->features.len) &&
              buf_append(&b, "],", 2);
    size_t members = b.len;
    ok = ok &&
         json_dump_callback(rest, items_dump, &b, JSON_COMPACT | JSON_REAL_PRECISION(10)) == 0;
    json_decref(rest);
    /* rest was written as "{…}": its opening brace gives way to the members before it. */
    if (ok && b.len > members + 2 && b.data[members] == '{') {
        memmove(b.data + members, b.data + members + 1, b.len - members - 1);
        b.len--;
        b.data[b.len] = '\0';
        resp_raw(resp, 200, TYPE_GEO, b.data, b.len);
        if (resp->status == 200 && key[0] != '\0')
            cache_set(app->cache, key, resp->body.data, resp->body.len, app->cfg->cache_ttl_s);
    } else {
        resp_error(resp, 500, "internal", "Erreur interne du serveur.", NULL);
    }
    buf_free(&b);
}

void handle_ogc_items(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    const char *base = app->cfg->public_url;
    char key[REPLY_KEY_MAX], record_base[400], cur[32], stamp[32];
    search_params_store_t *store = NULL;
    req_t *freq = NULL;
    search_query_t sq;
    search_error_t err;
    items_time_t tm;
    ogc_items_query_t q = {0};
    ogc_page_t page;
    bool paged = false;
    int limit;
    if (!known_params(req, resp, items_shape) || !items_limit(req, resp, &limit) ||
        !items_datetime(req, resp, &tm) || !items_cursor(req, resp, &q))
        return;
    freq = calloc(1, sizeof *freq);
    store = malloc(sizeof *store);
    if (freq == NULL || store == NULL) {
        resp_error(resp, 500, "internal", "Erreur interne du serveur.", NULL);
        goto done;
    }
    filter_request(req, freq);
    if (!search_params_parse(freq, resp, NULL, &sq, store) || !items_bbox(req, resp, &sq) ||
        cached(app, req, items_shape, resp, key, TYPE_GEO) ||
        !search_params_resolve(freq, resp, app->db, &sq, store))
        goto done;
    snprintf(record_base, sizeof record_base, "%s/initiatives/", base);
    q.sq = &sq;
    q.from = tm.has_from ? tm.from : NULL;
    q.to = tm.has_to ? tm.to : NULL;
    q.to_exclusive = tm.to_exclusive;
    q.limit = limit;
    q.record_base = record_base;
    search_status ss = ogc_items(app->db, &q, &page, &err);
    paged = true;
    if (ss != SEARCH_OK) {
        search_params_reply_error(resp, ss, &err);
        goto done;
    }
    json_t *links = json_array();
    json_array_append_new(
            links, items_link(req, base, limit,
                              req_query(req, "cursor") ? req_query(req, "cursor")->value : NULL,
                              "self", "Cette page"));
    json_array_append_new(links,
                          ogc_link(base, OGC_COLL, "collection", TYPE_JSON, "La collection"));
    /* next: rows follow the page (read forwards), or the page was read backwards from a cursor.
     * prev: rows precede it (read backwards), or it was read forwards after a cursor. */
    bool has_next = page.last_id > 0 && (q.before || page.more);
    bool has_prev = page.first_id > 0 && (q.before ? page.more : q.cursor_id > 0);
    if (has_next) {
        snprintf(cur, sizeof cur, "n%" PRId64, page.last_id);
        json_array_append_new(links, items_link(req, base, limit, cur, "next", "Page suivante"));
    }
    if (has_prev) {
        snprintf(cur, sizeof cur, "p%" PRId64, page.first_id);
        json_array_append_new(links, items_link(req, base, limit, cur, "prev", "Page précédente"));
    }
    time_t now = time(NULL);
    struct tm gm;
    gmtime_r(&now, &gm);
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &gm);
    json_t *rest = json_pack("{s:I, s:s, s:o}", "numberReturned", (json_int_t)page.nfeatures,
                             "timeStamp", stamp, "links", links);
    if (rest && page.matched >= 0)
        json_object_set_new(rest, "numberMatched", json_integer(page.matched));
    items_send(app, resp, &page, rest, key);
done:
    if (paged)
        ogc_page_free(&page);
    free(store);
    free(freq);
}

void handle_ogc_item(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    const char *base = app->cfg->public_url;
    char key[REPLY_KEY_MAX], record_base[400], path[96];
    int64_t id;
    json_t *out;
    if (!known_params(req, resp, f_only))
        return;
    if (!param_path_id(req, resp, "featureId", &id)) {
        /* Not an id of ours: no such feature (the standard's 404, not a 400). */
        resp_error(resp, 404, "not_found", "Aucune initiative placée ne porte cet identifiant.",
                   NULL);
        return;
    }
    if (cached(app, req, f_only, resp, key, TYPE_GEO))
        return;
    snprintf(record_base, sizeof record_base, "%s/initiatives/", base);
    dom_status st = ogc_item(app->db, id, record_base, &out);
    if (st != DOM_OK) {
        reply_failure(resp, st, "Aucune initiative placée ne porte cet identifiant.");
        return;
    }
    snprintf(path, sizeof path, OGC_COLL "/items/%" PRId64, id);
    json_t *links = json_pack("[o, o]", ogc_link(base, path, "self", TYPE_GEO, "Cette initiative"),
                              ogc_link(base, OGC_COLL, "collection", TYPE_JSON, "La collection"));
    json_object_set_new(out, "links", links);
    ogc_send(app, resp, out, key, TYPE_GEO);
}

#include "http/search_params.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "domain/initiative.h"
#include "http/params.h"
#include "http/reply.h"

const char *const search_params_shape[] = {
        "q",          "lang",   "limit", "cursor", "territory", "theme",    "subtheme",
        "actor_type", "public", "scale", "stage",  "source",    "year_min", "year_max",
        "near",       "bbox",   "sort",  "facets", "extent",    NULL};

const char *const search_params_saved[] = {
        "q",         "theme",    "subtheme", "actor_type", "public", "scale", "stage", "source",
        "territory", "year_min", "year_max", "near",       "bbox",   "sort",  NULL};

static bool bad(resp_t *resp, const char *field, const char *message) {
    resp_error(resp, 400, "invalid_parameter", message, field);
    return false;
}

/* Splits a comma-separated value into buf (a copy with NULs for commas); pointers into out. */
static bool split_list(const char *value, char *buf, size_t buflen, const char **out, size_t max,
                       size_t *n) {
    size_t len = strlen(value);
    *n = 0;
    if (len == 0 || len >= buflen)
        return false;
    memcpy(buf, value, len + 1);
    for (char *p = buf;;) {
        char *comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        if (*p == '\0' || *n == max)
            return false;
        out[(*n)++] = p;
        if (comma == NULL)
            return true;
        p = comma + 1;
    }
}

/* Vocabulary codes are letters, digits and "_"; source codes may also hold "-" (not first). */
static bool code_ok(const char *c) {
    size_t n = strlen(c);
    if (n == 0 || n > SEARCH_CODE_LEN_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char ch = c[i];
        bool alnum =
                (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
        if (!alnum && (i == 0 || (ch != '_' && ch != '-')))
            return false;
    }
    return true;
}

static bool parse_codes(const req_t *req, resp_t *resp, search_query_t *sq,
                        search_params_store_t *st) {
    char msg[160];
    for (int k = 0; k < SEARCH_NKINDS; k++) {
        const char *name = search_kind_name((search_kind)k);
        const url_param_t *p = req_query(req, name);
        search_codes_t *c = &sq->codes[k];
        c->n = 0;
        if (p == NULL)
            continue;
        bool ok = split_list(p->value, st->codes[k], sizeof st->codes[k], c->codes,
                             SEARCH_CODES_MAX, &c->n);
        for (size_t i = 0; ok && i < c->n; i++)
            ok = code_ok(c->codes[i]);
        if (!ok) {
            snprintf(msg, sizeof msg,
                     "%s attend jusqu'à %d codes séparés par des virgules (lettres, chiffres, _ et "
                     "-).",
                     name, SEARCH_CODES_MAX);
            return bad(resp, name, msg);
        }
    }
    return true;
}

static bool parse_geo(const req_t *req, resp_t *resp, search_query_t *sq) {
    const url_param_t *p = req_query(req, "near");
    char buf[128];
    const char *parts[4];
    size_t n;
    double v[4];
    sq->has_near = sq->has_bbox = false;
    if (p) {
        bool ok = split_list(p->value, buf, sizeof buf, parts, 3, &n) && n == 3;
        for (size_t i = 0; ok && i < 3; i++)
            ok = param_decimal(parts[i], &v[i]);
        if (!ok)
            return bad(resp, "near",
                       "near s'écrit latitude,longitude,rayon en km (ex. 45.76,4.83,10).");
        if (v[0] < -90 || v[0] > 90 || v[1] < -180 || v[1] > 180)
            return bad(resp, "near",
                       "near : latitude entre -90 et 90, longitude entre -180 et 180.");
        if (v[2] <= 0 || v[2] > SEARCH_NEAR_KM_MAX)
            return bad(resp, "near",
                       "near : le rayon doit être supérieur à 0 et d'au plus 500 km.");
        sq->has_near = true;
        sq->near_lat = v[0];
        sq->near_lon = v[1];
        sq->near_km = v[2];
    }
    p = req_query(req, "bbox");
    if (p) {
        bool ok = split_list(p->value, buf, sizeof buf, parts, 4, &n) && n == 4;
        for (size_t i = 0; ok && i < 4; i++)
            ok = param_decimal(parts[i], &v[i]);
        if (!ok)
            return bad(resp, "bbox",
                       "bbox s'écrit minLon,minLat,maxLon,maxLat (ex. 4.7,45.7,4.9,45.8).");
        if (v[0] < -180 || v[2] > 180 || v[1] < -90 || v[3] > 90 || v[0] >= v[2] || v[1] >= v[3])
            return bad(resp, "bbox",
                       "bbox : longitudes entre -180 et 180, latitudes entre -90 et 90, et chaque "
                       "minimum inférieur à son maximum.");
        sq->has_bbox = true;
        memcpy(sq->bbox, v, sizeof sq->bbox);
    }
    return true;
}

static bool parse_sort_facets(const req_t *req, resp_t *resp, search_query_t *sq) {
    static const char *const sorts[] = {"relevance", "recent", "name", "distance"};
    const url_param_t *p = req_query(req, "sort");
    char buf[256];
    const char *parts[SEARCH_NFACETS + 1];
    size_t n;
    sq->sort = SEARCH_SORT_DEFAULT;
    if (p) {
        for (size_t i = 0; i < ARRAY_LEN(sorts); i++)
            if (strcmp(p->value, sorts[i]) == 0)
                sq->sort = (search_sort)(i + 1);
        if (sq->sort == SEARCH_SORT_DEFAULT)
            return bad(resp, "sort", "sort doit valoir relevance, recent, name ou distance.");
        if (sq->sort == SEARCH_SORT_DISTANCE && !sq->has_near)
            return bad(resp, "sort", "Le tri par distance demande le paramètre near.");
    }
    sq->facets = 0;
    p = req_query(req, "facets");
    if (p) {
        bool ok = split_list(p->value, buf, sizeof buf, parts, SEARCH_NFACETS, &n);
        for (size_t i = 0; ok && i < n; i++) {
            int found = -1;
            for (int f = 0; f < SEARCH_NFACETS; f++)
                if (strcmp(parts[i], search_facet_name(f)) == 0)
                    found = f;
            ok = found >= 0;
            if (ok)
                sq->facets |= 1u << found;
        }
        if (!ok)
            return bad(
                    resp, "facets",
                    "facets accepte : theme, subtheme, actor_type, public, scale, stage, source, "
                    "region, departement, year.");
    }
    return true;
}

bool search_params_parse(const req_t *req, resp_t *resp, db_t *db, search_query_t *sq,
                         search_params_store_t *st) {
    bool has_cursor;
    memset(sq, 0, sizeof *sq);
    if (!param_text(req, resp, "q", SEARCH_Q_MAX, st->q, &sq->q) ||
        !param_limit(req, resp, 20, INITIATIVE_PAGE_MAX, &sq->limit) ||
        !param_cursor(req, resp, &st->cursor, &has_cursor) || !param_lang(req, resp, &sq->lang) ||
        !parse_codes(req, resp, sq, st) || !parse_geo(req, resp, sq) ||
        !parse_sort_facets(req, resp, sq) ||
        !param_int(req, resp, "year_min", 0, 1800, 2100, &sq->year_min) ||
        !param_int(req, resp, "year_max", 0, 1800, 2100, &sq->year_max))
        return false;
    if (sq->year_min && sq->year_max && sq->year_min > sq->year_max)
        return bad(resp, "year_min", "year_min doit être inférieur ou égal à year_max.");
    sq->cursor = has_cursor ? &st->cursor : NULL;
    sq->territories = st->territories;
    if (!param_territories(req, resp, db, st->territories, SEARCH_TERRITORIES_MAX,
                           &sq->nterritories))
        return false;
    if (db == NULL)
        sq->nterritories = 0; /* not resolved yet: search_params_resolve */
    return true;
}

bool search_params_resolve(const req_t *req, resp_t *resp, db_t *db, search_query_t *sq,
                           search_params_store_t *st) {
    return param_territories(req, resp, db, st->territories, SEARCH_TERRITORIES_MAX,
                             &sq->nterritories);
}

void search_params_reply_error(resp_t *resp, search_status ss, const search_error_t *err) {
    char msg[160];
    switch (ss) {
    case SEARCH_BAD_CURSOR:
        resp_error(resp, 400, "invalid_parameter",
                   "cursor ne correspond pas à cette recherche : utilisez son next_cursor.",
                   "cursor");
        break;
    case SEARCH_UNKNOWN_CODE:
        snprintf(msg, sizeof msg, "Code inconnu pour %s : « %s ».", search_kind_name(err->bad_kind),
                 err->bad_code ? err->bad_code : "?");
        resp_error(resp, 400, "invalid_parameter", msg, search_kind_name(err->bad_kind));
        break;
    case SEARCH_SYNTAX:
        resp_error(resp, 400, "invalid_query", err->message, "q");
        break;
    default:
        reply_failure(resp, err->dom, NULL);
        break;
    }
}

/* Writes into resp the error of scratch with its field prefixed: a bad parameter of the search is
 * a bad member of the body (invalid_field), the rest is kept. */
static void prefixed_error(resp_t *resp, const resp_t *scratch, const char *prefix) {
    json_error_t e;
    char field[128];
    json_t *doc = json_loadb(scratch->body.data, scratch->body.len, 0, &e);
    json_t *err = json_object_get(doc, "error");
    const char *code = json_string_value(json_object_get(err, "code"));
    const char *message = json_string_value(json_object_get(err, "message"));
    const char *name = json_string_value(json_object_get(err, "field"));
    if (code == NULL || message == NULL)
        resp_error(resp, 500, "internal", "Erreur interne du serveur.", NULL);
    else if (name == NULL)
        resp_error(resp, scratch->status, code, message, NULL);
    else {
        snprintf(field, sizeof field, "%s%s", prefix, name);
        if (strcmp(code, "invalid_parameter") == 0)
            code = "invalid_field";
        resp_error(resp, scratch->status, code, message, field);
    }
    json_decref(doc);
}

bool search_params_check_json(const json_t *params, resp_t *resp, db_t *db, const char *prefix) {
    char field[128], msg[200];
    const char *key;
    json_t *value;
    resp_t scratch;
    search_params_store_t *store = NULL;
    search_query_t sq;
    search_error_t err;
    json_t *out = NULL;
    bool ok = false;
    /* A request holding only these parameters as its query, so that every check of the search
     * endpoint applies unchanged. The parameters are borrowed from params: req is not req_free'd.
     */
    req_t *req = calloc(1, sizeof *req);
    resp_init(&scratch, 8192);
    if (req == NULL || (store = malloc(sizeof *store)) == NULL) {
        resp_error(resp, 500, "internal", "Erreur interne du serveur.", NULL);
        goto done;
    }
    json_object_foreach((json_t *)params, key, value) {
        size_t i = 0;
        while (search_params_saved[i] && strcmp(search_params_saved[i], key) != 0)
            i++;
        snprintf(field, sizeof field, "%s%.*s", prefix, (int)utf8_prefix(key, 60), key);
        if (search_params_saved[i] == NULL) {
            snprintf(msg, sizeof msg, "« %.*s » n'est pas un paramètre de recherche.",
                     (int)utf8_prefix(key, 60), key);
            resp_error(resp, 400, "invalid_field", msg, field);
            goto done;
        }
        if (!json_is_string(value) || json_string_length(value) > REQ_PARAM_MAX) {
            resp_error(resp, 400, "invalid_field",
                       "Chaque paramètre de recherche est une chaîne de caractères.", field);
            goto done;
        }
        url_param_t *p = &req->query.params[req->query.n++];
        p->key = (char *)search_params_saved[i];
        p->value = (char *)json_string_value(value);
        p->value_len = json_string_length(value);
    }
    if (!search_params_parse(req, &scratch, db, &sq, store)) {
        prefixed_error(resp, &scratch, prefix);
        goto done;
    }
    sq.limit = 1;
    sq.facets = 0;
    search_status ss = search_run(db, &sq, &out, &err);
    if (ss != SEARCH_OK) {
        search_params_reply_error(&scratch, ss, &err);
        prefixed_error(resp, &scratch, prefix);
        goto done;
    }
    ok = true;
done:
    json_decref(out);
    resp_free(&scratch);
    free(store);
    free(req);
    return ok;
}

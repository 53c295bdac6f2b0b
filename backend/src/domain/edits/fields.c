#include "domain/edits/fields.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/utf8.h"
#include "domain/initiative.h"

const db_stmt_t fields_stmts[] = {
        /* $1 the fields (codes checked), $2 address, $3 lon, $4 lat (NULL: no place to locate). */
        {"fields_check",
         "SELECT contribution_fields_invalid($1::jsonb),"
         "       CASE WHEN $3::float8 IS NULL THEN NULL"
         "            ELSE initiative_place($2, $3::float8, $4::float8)::text END",
         4, true},
        {NULL, NULL, 0, false},
};

typedef enum fields_kind {
    FK_LINE,  /* one line of text; null clears it (except the title) */
    FK_TEXT,  /* text with line breaks; empty or null clears it */
    FK_CODE,  /* a vocabulary code or null */
    FK_CODES, /* an array of vocabulary codes */
    FK_YEAR,  /* an integer year or null */
    FK_URL,   /* an http(s) address or null */
    FK_PLACE, /* {"address", "lon", "lat"} or null */
} fields_kind;

typedef struct fields_spec {
    const char *name;  /* as in the body */
    const char *label; /* "fields." + name, for errors */
    fields_kind kind;
    long long max; /* characters, or array items */
} fields_spec_t;

static const fields_spec_t specs[] = {
        {"title", "fields.title", FK_LINE, 300},
        {"summary", "fields.summary", FK_TEXT, 2000},
        {"description", "fields.description", FK_TEXT, 50000},
        {"actor_name", "fields.actor_name", FK_LINE, 300},
        {"actor_type", "fields.actor_type", FK_CODE, 64},
        {"themes", "fields.themes", FK_CODES, 20},
        {"subthemes", "fields.subthemes", FK_CODES, 40},
        {"publics", "fields.publics", FK_CODES, 20},
        {"scale", "fields.scale", FK_CODE, 64},
        {"stage", "fields.stage", FK_CODE, 64},
        {"start_year", "fields.start_year", FK_YEAR, 0},
        {"website", "fields.website", FK_URL, 2000},
        {"place", "fields.place", FK_PLACE, 0},
};

#define FIELDS_ADDRESS_MAX 300
#define FIELDS_ADDRESS_BUF (FIELDS_ADDRESS_MAX * 4 + 1) /* 300 characters of UTF-8 */

static void fields_fail(fields_error_t *err, const char *field, const char *message) {
    err->field = field;
    snprintf(err->message, sizeof err->message, "%s", message);
}

/* A trimmed copy of the text s (one line unless multiline), or NULL when it breaks the rules of
 * utf8_text_check. Empty text gives json null. */
static json_t *fields_text(const char *s, bool multiline, long long max) {
    size_t start, len;
    if (!utf8_text_check(s, multiline, true, true, max, &start, &len))
        return NULL;
    return len == 0 ? json_null() : json_stringn(s + start, len);
}

/* A vocabulary code: short, letters, digits, '_' and '-' only (the database says whether it
 * exists). */
static bool fields_code_ok(const char *s) {
    size_t n = strlen(s);
    if (n == 0 || n > 64)
        return false;
    return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

static bool fields_url_ok(const char *s) {
    size_t n = strlen(s);
    if (n > 2000 || (strncmp(s, "http://", 7) != 0 && strncmp(s, "https://", 8) != 0))
        return false;
    size_t host = strncmp(s, "https://", 8) == 0 ? 8 : 7;
    if (n == host || s[host] == '/')
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f)
            return false;
    return true;
}

static bool fields_number(const json_t *v, double *out) {
    if (!json_is_number(v))
        return false;
    *out = json_number_value(v);
    return isfinite(*out);
}

/* Checks one place object; addr (FIELDS_ADDRESS_BUF bytes) receives its address ("" for none),
 * *lon and *lat its point. */
static bool fields_place(const json_t *v, fields_error_t *err, char *addr, double *lon,
                         double *lat) {
    const char *key;
    json_t *m;
    json_object_foreach((json_t *)v, key, m) {
        if (strcmp(key, "address") != 0 && strcmp(key, "lon") != 0 && strcmp(key, "lat") != 0) {
            fields_fail(err, "fields.place",
                        "Le lieu ne connaît que « address », « lon » et « lat ».");
            return false;
        }
    }
    const json_t *a = json_object_get(v, "address");
    size_t start, len;
    addr[0] = '\0';
    if (a != NULL && !json_is_null(a)) {
        if (!json_is_string(a) || !utf8_text_check(json_string_value(a), false, true, true,
                                                   FIELDS_ADDRESS_MAX, &start, &len)) {
            fields_fail(err, "fields.place.address",
                        "L'adresse doit être une ligne de texte de 300 caractères au plus.");
            return false;
        }
        memcpy(addr, json_string_value(a) + start, len);
        addr[len] = '\0';
    }
    if (!fields_number(json_object_get(v, "lon"), lon) || *lon < -180 || *lon > 180) {
        fields_fail(err, "fields.place.lon", "La longitude doit être un nombre entre -180 et 180.");
        return false;
    }
    if (!fields_number(json_object_get(v, "lat"), lat) || *lat < -90 || *lat > 90) {
        fields_fail(err, "fields.place.lat", "La latitude doit être un nombre entre -90 et 90.");
        return false;
    }
    return true;
}

/* Checks and copies one member; false with err set when it is refused. */
static bool fields_member(const fields_spec_t *f, const json_t *v, json_t *out, fields_error_t *err,
                          char *addr, double *lon, double *lat, bool *has_place) {
    char msg[160];
    json_t *copy = NULL;
    switch (f->kind) {
    case FK_LINE:
    case FK_TEXT:
        if (json_is_null(v) && strcmp(f->name, "title") != 0) {
            copy = json_null();
            break;
        }
        if (json_is_string(v))
            copy = fields_text(json_string_value(v), f->kind == FK_TEXT, f->max);
        if (copy == NULL || (json_is_null(copy) && strcmp(f->name, "title") == 0)) {
            json_decref(copy);
            snprintf(msg, sizeof msg,
                     f->kind == FK_LINE
                             ? "doit être une ligne de texte de 1 à %lld caractères."
                             : "doit être un texte de %lld caractères au plus, sans caractère "
                               "de contrôle.",
                     f->max);
            snprintf(err->message, sizeof err->message, "Le champ « %s » %.160s", f->name, msg);
            err->field = f->label;
            return false;
        }
        break;
    case FK_CODE:
        if (json_is_null(v))
            copy = json_null();
        else if (json_is_string(v) && fields_code_ok(json_string_value(v)))
            copy = json_string(json_string_value(v));
        break;
    case FK_CODES: {
        size_t i;
        json_t *item;
        if (!json_is_array(v) || (long long)json_array_size(v) > f->max)
            break;
        copy = json_array();
        json_array_foreach(v, i, item) {
            if (!json_is_string(item) || !fields_code_ok(json_string_value(item))) {
                json_decref(copy);
                copy = NULL;
                break;
            }
            /* Repeats are dropped: a code counts once. */
            bool seen = false;
            for (size_t j = 0; j < json_array_size(copy); j++)
                seen = seen || json_equal(json_array_get(copy, j), item);
            if (!seen && json_array_append(copy, item) != 0) {
                json_decref(copy);
                copy = NULL;
                break;
            }
        }
        break;
    }
    case FK_YEAR:
        if (json_is_null(v))
            copy = json_null();
        else if (json_is_integer(v) && json_integer_value(v) >= 1800 &&
                 json_integer_value(v) <= 2100)
            copy = json_integer(json_integer_value(v));
        break;
    case FK_URL:
        if (json_is_null(v) || (json_is_string(v) && json_string_length(v) == 0))
            copy = json_null();
        else if (json_is_string(v) && fields_url_ok(json_string_value(v)))
            copy = json_string(json_string_value(v));
        break;
    case FK_PLACE:
        if (json_is_null(v)) {
            copy = json_null();
            break;
        }
        if (!json_is_object(v)) {
            fields_fail(err, f->label,
                        "Le lieu doit être un objet {\"address\", \"lon\", \"lat\"} ou null.");
            return false;
        }
        if (!fields_place(v, err, addr, lon, lat))
            return false;
        *has_place = true;
        return true; /* set once the database has located it (fields_check) */
    }
    if (copy == NULL) {
        static const char *const why[] = {
                [FK_CODE] = "doit être un code des vocabulaires (ou null).",
                [FK_CODES] = "doit être une liste de codes des vocabulaires.",
                [FK_YEAR] = "doit être une année entre 1800 et 2100 (ou null).",
                [FK_URL] = "doit être une adresse web commençant par http:// ou https:// (ou "
                           "null).",
        };
        snprintf(err->message, sizeof err->message, "Le champ « %s » %s", f->name,
                 why[f->kind] ? why[f->kind] : "est invalide.");
        err->field = f->label;
        return false;
    }
    if (json_object_set_new(out, f->name, copy) != 0) {
        fields_fail(err, f->label, "Erreur interne.");
        return false;
    }
    return true;
}

static const fields_spec_t *fields_spec(const char *name) {
    for (size_t i = 0; i < ARRAY_LEN(specs); i++)
        if (strcmp(specs[i].name, name) == 0)
            return &specs[i];
    return NULL;
}

dom_status fields_check(db_t *db, const json_t *in, json_t **out, fields_error_t *err) {
    json_t *res = json_object();
    PGresult *r = NULL;
    char *codes = NULL;
    char addr[FIELDS_ADDRESS_BUF] = "";
    double lon = 0, lat = 0;
    bool has_place = false, ok = false;
    dom_status st = DOM_OK;
    const char *key;
    json_t *v;
    *out = NULL;
    err->field = NULL;
    err->message[0] = '\0';
    if (res == NULL)
        return DOM_INTERNAL;
    if (!json_is_object(in)) {
        fields_fail(err, "fields", "« fields » doit être un objet.");
        goto done;
    }
    json_object_foreach((json_t *)in, key, v) {
        const fields_spec_t *f = fields_spec(key);
        if (f == NULL) {
            /* The field named is the one sent, within the message only (not a static string). */
            snprintf(err->message, sizeof err->message,
                     "Champ inconnu dans « fields » : « %.60s ».", key);
            err->field = "fields";
            goto done;
        }
        if (!fields_member(f, v, res, err, addr, &lon, &lat, &has_place))
            goto done;
    }
    char lon_text[40], lat_text[40];
    snprintf(lon_text, sizeof lon_text, "%.7f", lon);
    snprintf(lat_text, sizeof lat_text, "%.7f", lat);
    codes = json_dumps(res, JSON_COMPACT);
    if (codes == NULL) {
        st = DOM_INTERNAL;
        goto done;
    }
    const char *params[] = {codes, addr[0] ? addr : NULL, has_place ? lon_text : NULL, lat_text};
    st = dom_from_db(db_exec(db, "fields_check", 4, params, &r));
    if (st != DOM_OK)
        goto done;
    if (!PQgetisnull(r, 0, 0)) {
        const fields_spec_t *f = fields_spec(PQgetvalue(r, 0, 0));
        snprintf(err->message, sizeof err->message,
                 "Le champ « %s » contient un code inconnu des vocabulaires.",
                 f ? f->name : "fields");
        err->field = f ? f->label : "fields";
        goto done;
    }
    if (has_place) {
        json_error_t je;
        json_t *place = PQgetisnull(r, 0, 1) ? NULL : json_loads(PQgetvalue(r, 0, 1), 0, &je);
        if (place == NULL) {
            fields_fail(err, "fields.place",
                        "Ce point n'est dans aucune commune française : placez-le sur le lieu "
                        "de l'initiative.");
            goto done;
        }
        if (json_object_set_new(res, "place", place) != 0) {
            st = DOM_INTERNAL;
            goto done;
        }
    }
    ok = true;
done:
    PQclear(r);
    free(codes);
    if (ok && st == DOM_OK)
        *out = res;
    else
        json_decref(res);
    return st;
}

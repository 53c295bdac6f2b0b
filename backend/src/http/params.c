#include "http/params.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/utf8.h"
#include "domain/source.h"
#include "http/reply.h"

static bool bad(resp_t *resp, const char *field, const char *message) {
    resp_error(resp, 400, "invalid_parameter", message, field);
    return false;
}

/* Plain decimal, no sign, no leading zero, no overflow. */
static bool parse_positive(const char *s, int64_t max, int64_t *out) {
    int64_t v = 0;
    size_t n = strlen(s);
    if (n == 0 || n > 19 || (s[0] == '0'))
        return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        int d = s[i] - '0';
        if (v > (max - d) / 10)
            return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

bool param_limit(const req_t *req, resp_t *resp, int def, int max, int *out) {
    const url_param_t *p = req_query(req, "limit");
    int64_t v;
    char msg[96];
    if (p == NULL) {
        *out = def;
        return true;
    }
    if (!parse_positive(p->value, max, &v)) {
        snprintf(msg, sizeof msg, "limit doit être un entier entre 1 et %d.", max);
        return bad(resp, "limit", msg);
    }
    *out = (int)v;
    return true;
}

bool param_cursor(const req_t *req, resp_t *resp, cursor_t *out, bool *has) {
    const url_param_t *p = req_query(req, "cursor");
    *has = false;
    if (p == NULL)
        return true;
    if (!cursor_decode(p->value, out))
        return bad(resp, "cursor",
                   "cursor n'est pas valide : utilisez la valeur next_cursor d'une réponse "
                   "précédente.");
    *has = true;
    return true;
}

bool param_lang(const req_t *req, resp_t *resp, const char **out) {
    const url_param_t *p = req_query(req, "lang");
    if (p == NULL || strcmp(p->value, "fr") == 0) {
        *out = "fr";
        return true;
    }
    if (strcmp(p->value, "en") == 0) {
        *out = "en";
        return true;
    }
    return bad(resp, "lang", "lang doit valoir « fr » ou « en ».");
}

bool param_text(const req_t *req, resp_t *resp, const char *name, size_t max, char *buf,
                const char **out) {
    const url_param_t *p = req_query(req, name);
    char msg[128];
    *out = NULL;
    if (p == NULL)
        return true;
    if (p->value_len > max) {
        snprintf(msg, sizeof msg, "%s dépasse la longueur maximale de %zu octets.", name, max);
        return bad(resp, name, msg);
    }
    if (!utf8_valid(p->value, p->value_len)) {
        snprintf(msg, sizeof msg, "%s n'est pas un texte UTF-8 valide.", name);
        return bad(resp, name, msg);
    }
    for (size_t i = 0; i < p->value_len; i++) {
        unsigned char c = (unsigned char)p->value[i];
        if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f) {
            snprintf(msg, sizeof msg, "%s contient des caractères de contrôle.", name);
            return bad(resp, name, msg);
        }
    }
    const char *s = p->value;
    size_t n = p->value_len;
    while (n > 0 && (*s == ' ' || *s == '\t' || *s == '\n')) {
        s++;
        n--;
    }
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n'))
        n--;
    memcpy(buf, s, n);
    buf[n] = '\0';
    *out = buf;
    return true;
}

bool param_path_id(const req_t *req, resp_t *resp, const char *name, int64_t *out) {
    char text[32];
    if (!req_path_param(req, name, text, sizeof text) || !parse_positive(text, INT64_MAX, out))
        return bad(resp, name, "L'identifiant doit être un entier positif.");
    return true;
}

bool param_path_slug(const req_t *req, resp_t *resp, const char *name, char out[64]) {
    if (!req_path_param(req, name, out, 64) || !source_slug_valid(out))
        return bad(resp, name,
                   "L'identifiant de source ne comporte que des minuscules, des chiffres, « - » et "
                   "« _ » (63 caractères au plus).");
    return true;
}

bool param_int(const req_t *req, resp_t *resp, const char *name, int def, int min, int max,
               int *out) {
    const url_param_t *p = req_query(req, name);
    int64_t v = 0;
    char msg[128];
    if (p == NULL) {
        *out = def;
        return true;
    }
    bool ok = strcmp(p->value, "0") == 0 || parse_positive(p->value, max, &v);
    if (!ok || v < min || v > max) {
        snprintf(msg, sizeof msg, "%s doit être un entier entre %d et %d.", name, min, max);
        return bad(resp, name, msg);
    }
    *out = (int)v;
    return true;
}

/* Resolves one reference; on failure writes the answer (status given for an unknown one). */
static bool resolve_ref(resp_t *resp, db_t *db, const char *text, const char *field,
                        int unknown_status, territory_ref_t *out) {
    char msg[200];
    if (strlen(text) > 40 || !utf8_valid(text, strlen(text)) || !territory_ref_parse(text, out)) {
        /* Quoted whole characters only: a cut inside one would make the answer invalid UTF-8. */
        snprintf(msg, sizeof msg,
                 "« %.*s » n'est pas une référence de territoire (exemples : commune:69123, "
                 "departement:69, region:84).",
                 (int)utf8_prefix(text, 40), text);
        return bad(resp, field, msg);
    }
    if (db == NULL) /* the form only: resolved later, on a cache miss */
        return true;
    dom_status st = territory_resolve(db, out);
    if (st == DOM_OK)
        return true;
    if (st == DOM_NOT_FOUND) {
        snprintf(msg, sizeof msg, "Territoire inconnu : « %s ».", text);
        resp_error(resp, unknown_status, unknown_status == 404 ? "not_found" : "invalid_parameter",
                   msg, unknown_status == 404 ? NULL : field);
        return false;
    }
    reply_failure(resp, st, NULL);
    return false;
}

bool param_path_territory(const req_t *req, resp_t *resp, db_t *db, const char *name,
                          territory_ref_t *out) {
    char text[48];
    if (!req_path_param(req, name, text, sizeof text))
        return bad(resp, name, "La référence de territoire est trop longue.");
    return resolve_ref(resp, db, text, name, 404, out);
}

bool param_territories(const req_t *req, resp_t *resp, db_t *db, territory_ref_t *out, size_t max,
                       size_t *n) {
    const url_param_t *p = req_query(req, "territory");
    char msg[128];
    *n = 0;
    if (p == NULL || p->value_len == 0)
        return true;
    const char *s = p->value;
    while (*s) {
        const char *comma = strchr(s, ',');
        size_t len = comma ? (size_t)(comma - s) : strlen(s);
        char one[48];
        if (*n == max) {
            snprintf(msg, sizeof msg, "territory accepte au plus %zu territoires.", max);
            return bad(resp, "territory", msg);
        }
        snprintf(one, sizeof one, "%.*s", (int)(len < sizeof one - 1 ? len : sizeof one - 1), s);
        if (len >= sizeof one)
            one[sizeof one - 2] = '~'; /* too long: make sure it cannot parse */
        if (!resolve_ref(resp, db, one, "territory", 400, &out[*n]))
            return false;
        (*n)++;
        if (comma == NULL)
            break;
        s = comma + 1;
    }
    return true;
}

bool param_decimal(const char *s, double *out) {
    size_t i = s[0] == '-' ? 1 : 0, digits = 0, dots = 0;
    for (; s[i]; i++) {
        if (s[i] >= '0' && s[i] <= '9')
            digits++;
        else if (s[i] == '.' && dots++ == 0)
            continue;
        else
            return false;
    }
    if (digits == 0 || i > 32)
        return false;
    *out = strtod(s, NULL);
    return true;
}

bool param_double(const req_t *req, resp_t *resp, const char *name, double min, double max,
                  double *out, bool *has) {
    const url_param_t *p = req_query(req, name);
    char msg[128];
    double v;
    *has = false;
    if (p == NULL)
        return true;
    if (!param_decimal(p->value, &v) || v < min || v > max) {
        snprintf(msg, sizeof msg, "%s doit être un nombre décimal entre %g et %g.", name, min, max);
        return bad(resp, name, msg);
    }
    *out = v;
    *has = true;
    return true;
}

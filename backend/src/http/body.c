#include "http/body.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/utf8.h"

/* Writes the 400 for one field. */
static void body_field_error(resp_t *resp, const char *field, const char *why) {
    char msg[300];
    snprintf(msg, sizeof msg, "Le champ « %s » %s", field, why);
    resp_error(resp, 400, "invalid_field", msg, field);
}

bool body_check_text(const char *s, body_kind kind, long long max, size_t *trimmed_start,
                     size_t *trimmed_len) {
    return utf8_text_check(s, kind == BODY_TEXT, kind == BODY_TEXT, kind != BODY_SECRET, max,
                           trimmed_start, trimmed_len);
}

static bool body_content_type_ok(const char *ct) {
    size_t n = strcspn(ct, ";");
    while (n > 0 && (ct[n - 1] == ' ' || ct[n - 1] == '\t'))
        n--;
    return n == 16 && strncasecmp(ct, "application/json", 16) == 0;
}

/* Validates one member against its field; may replace its value in obj by a trimmed copy. */
static bool body_member(json_t *obj, const body_field_t *f, json_t *v, resp_t *resp) {
    char why[200];
    switch (f->kind) {
    case BODY_STR:
    case BODY_TEXT:
    case BODY_SECRET: {
        if (!json_is_string(v)) {
            body_field_error(resp, f->name, "doit être une chaîne de caractères.");
            return false;
        }
        size_t start, len;
        if (!body_check_text(json_string_value(v), f->kind, f->max, &start, &len)) {
            if (f->kind == BODY_TEXT)
                snprintf(why, sizeof why,
                         "doit compter au plus %lld caractères, sans caractère de contrôle.",
                         f->max);
            else
                snprintf(why, sizeof why,
                         "doit compter de 1 à %lld caractères, sur une ligne, sans caractère de "
                         "contrôle.",
                         f->max);
            body_field_error(resp, f->name, why);
            return false;
        }
        if (start != 0 || len != json_string_length(v)) {
            json_t *t = json_stringn(json_string_value(v) + start, len);
            if (t == NULL || json_object_set_new(obj, f->name, t) != 0) {
                resp_error(resp, 500, "internal", "Erreur interne du serveur.", NULL);
                return false;
            }
        }
        return true;
    }
    case BODY_INT:
        if (!json_is_integer(v) || json_integer_value(v) < f->min ||
            json_integer_value(v) > f->max) {
            snprintf(why, sizeof why, "doit être un entier entre %lld et %lld.", f->min, f->max);
            body_field_error(resp, f->name, why);
            return false;
        }
        return true;
    case BODY_ENUM: {
        if (json_is_string(v))
            for (size_t i = 0; f->choices[i]; i++)
                if (strcmp(json_string_value(v), f->choices[i]) == 0)
                    return true;
        size_t n = (size_t)snprintf(why, sizeof why, "doit valoir");
        for (size_t i = 0; f->choices[i] && n < sizeof why; i++)
            n += (size_t)snprintf(why + n, sizeof why - n, "%s « %s »", i ? " ou" : "",
                                  f->choices[i]);
        if (n < sizeof why)
            snprintf(why + n, sizeof why - n, ".");
        body_field_error(resp, f->name, why);
        return false;
    }
    case BODY_BOOL:
        if (!json_is_boolean(v)) {
            body_field_error(resp, f->name, "doit valoir true ou false.");
            return false;
        }
        return true;
    case BODY_ARRAY:
        if (!json_is_array(v) || (long long)json_array_size(v) > f->max) {
            snprintf(why, sizeof why, "doit être une liste d'au plus %lld éléments.", f->max);
            body_field_error(resp, f->name, why);
            return false;
        }
        return true;
    case BODY_OBJECT:
        if (!json_is_object(v)) {
            body_field_error(resp, f->name, "doit être un objet JSON.");
            return false;
        }
        return true;
    }
    return false;
}

bool body_parse(const req_t *req, resp_t *resp, const body_field_t *fields, size_t max_bytes,
                json_t **out) {
    json_t *obj = NULL;
    json_error_t e;
    char msg[300];
    *out = NULL;
    if (req->body.len > max_bytes) {
        snprintf(msg, sizeof msg,
                 "Le corps de la requête dépasse la taille maximale de %zu octets.", max_bytes);
        resp_error(resp, 413, "payload_too_large", msg, NULL);
        goto failed;
    }
    if (req->body.len == 0) {
        obj = json_object();
        if (obj == NULL) {
            resp_error(resp, 500, "internal", "Erreur interne du serveur.", NULL);
            goto failed;
        }
    } else {
        if (!body_content_type_ok(req->content_type)) {
            resp_error(resp, 415, "unsupported_media_type",
                       "Le corps de la requête doit être du JSON (Content-Type: application/json).",
                       NULL);
            goto failed;
        }
        if (!utf8_valid(req->body.data, req->body.len)) {
            resp_error(resp, 400, "invalid_json",
                       "Le corps de la requête n'est pas du texte UTF-8 valide.", NULL);
            goto failed;
        }
        /* jansson refuses \u0000 in strings unless asked: a NUL can never reach the database. */
        obj = json_loadb(req->body.data, req->body.len, JSON_REJECT_DUPLICATES, &e);
        if (obj == NULL) {
            snprintf(msg, sizeof msg,
                     "Le corps de la requête n'est pas du JSON valide (ligne %d, "
                     "colonne %d).",
                     e.line, e.column);
            resp_error(resp, 400, "invalid_json", msg, NULL);
            goto failed;
        }
        if (!json_is_object(obj)) {
            resp_error(resp, 400, "invalid_json", "Le corps de la requête doit être un objet JSON.",
                       NULL);
            goto failed;
        }
    }
    const char *key;
    json_t *value;
    json_object_foreach(obj, key, value) {
        const body_field_t *f = fields;
        while (f->name && strcmp(f->name, key) != 0)
            f++;
        if (f->name == NULL) {
            /* The name is valid UTF-8 (checked above); cut it so that the message stays short. */
            char name[64];
            size_t n = strlen(key);
            if (n >= sizeof name)
                n = sizeof name - 1;
            while (n > 0 && ((unsigned char)key[n] & 0xc0) == 0x80)
                n--;
            memcpy(name, key, n);
            name[n] = '\0';
            snprintf(msg, sizeof msg, "Le champ « %s » n'est pas accepté ici.", name);
            resp_error(resp, 400, "invalid_field", msg, name);
            goto failed;
        }
        (void)value;
    }
    for (const body_field_t *f = fields; f->name; f++) {
        json_t *v = json_object_get(obj, f->name);
        if (v == NULL || json_is_null(v)) {
            if (f->required) {
                body_field_error(resp, f->name, "est obligatoire.");
                goto failed;
            }
            if (v != NULL && json_object_del(obj, f->name) != 0)
                goto failed;
            continue;
        }
        if (!body_member(obj, f, v, resp))
            goto failed;
    }
    *out = obj;
    return true;

failed:
    json_decref(obj);
    return false;
}

const char *body_str(const json_t *body, const char *name) {
    return json_string_value(json_object_get(body, name));
}

long long body_int(const json_t *body, const char *name, long long def) {
    json_t *v = json_object_get(body, name);
    return json_is_integer(v) ? json_integer_value(v) : def;
}

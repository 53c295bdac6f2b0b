#include "http/community_access.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "domain/community/community.h"
#include "domain/cursor.h"
#include "http/auth.h"
#include "http/params.h"
#include "http/reply.h"

bool caccess_open(app_t *app, const req_t *req, resp_t *resp, bool write, policy_action action,
                  actor_t *actor, int64_t *id, policy_object_t *obj) {
    if (write) {
        if (!auth_require(app, req, resp, actor))
            return false;
    } else {
        auth_private(resp);
        if (!auth_identify(app, req, resp, actor))
            return false;
    }
    if (!param_path_id(req, resp, "id", id))
        return false;
    dom_status st = community_context(app->db, *id, actor->user_id, obj);
    if (st == DOM_NOT_FOUND) {
        auth_refuse(resp, POLICY_HIDDEN);
        return false;
    }
    if (st != DOM_OK) {
        caccess_reply(resp, st, NULL, 500);
        return false;
    }
    return auth_allow(resp, actor, action, obj);
}

bool caccess_allow(resp_t *resp, const actor_t *actor, policy_action action, policy_object_t *obj,
                   int64_t owner_id) {
    obj->owner_id = owner_id;
    return auth_allow(resp, actor, action, obj);
}

/* The 400 of a field the domain refused. */
static void ca_field(resp_t *resp, const char *field, const char *message) {
    resp_error(resp, 400, "invalid_field", message, field);
}

void caccess_reply(resp_t *resp, dom_status st, json_t *out, int status) {
    if (st == DOM_NOT_FOUND) {
        auth_refuse(resp, POLICY_HIDDEN);
        goto done;
    }
    if (st == DOM_UNAVAILABLE) {
        resp_error(resp, 503, "unavailable",
                   "Le service est momentanément indisponible. Réessayez dans un instant.", NULL);
        goto done;
    }
    if (st != DOM_OK || out == NULL) {
        resp_error(resp, 500, "internal", "Erreur interne du serveur.", NULL);
        goto done;
    }
    const char *code = json_string_value(json_object_get(out, "error"));
    if (code == NULL && status == 204) {
        json_decref(out);
        reply_no_content(resp);
        return;
    }
    if (code == NULL) {
        resp_json(resp, status, out);
        return;
    }
    if (strcmp(code, "conflict") == 0) {
        json_t *current = json_object_get(out, "current");
        resp_json(resp, 409,
                  json_pack("{s{ss ss ss} sO}", "error", "code", "conflict", "message",
                            "Ce contenu a changé entre-temps (dans un autre onglet ?) : voici sa "
                            "version actuelle.",
                            "field", "version", "current", current ? current : json_null()));
    } else if (strcmp(code, "owner_must_transfer") == 0) {
        resp_error(resp, 409, "owner_must_transfer",
                   "Confiez d'abord la communauté à un autre membre avant de la quitter.", NULL);
    } else if (strcmp(code, "locked") == 0) {
        resp_error(resp, 409, "locked", "Cette discussion est verrouillée.", NULL);
    } else if (strcmp(code, "already_present") == 0) {
        resp_error(resp, 409, "already_present", "Cette initiative est déjà dans la collection.",
                   "initiative_id");
    } else if (strcmp(code, "not_member") == 0) {
        resp_error(resp, 409, "not_member", "Cette personne n'est pas membre de la communauté.",
                   "account_id");
    } else if (strcmp(code, "owner") == 0) {
        resp_error(resp, 403, "forbidden",
                   "La personne propriétaire ne peut être ni exclue ni changée de rôle : elle doit "
                   "d'abord confier la communauté.",
                   NULL);
    } else if (strcmp(code, "mentions") == 0) {
        ca_field(resp, "mentions", "Seuls des membres de la communauté peuvent être mentionnés.");
    } else if (strcmp(code, "thread_id") == 0 || strcmp(code, "reply_id") == 0 ||
               strcmp(code, "collection_id") == 0 || strcmp(code, "initiative_id") == 0) {
        ca_field(resp, code, "Aucun élément de cette communauté ne porte cet identifiant.");
    } else if (strcmp(code, "invalid_token") == 0) {
        resp_error(resp, 400, "invalid_token",
                   "Ce lien d'invitation n'est pas valable ou a expiré.", "token");
    } else if (strcmp(code, "unverified") == 0) {
        auth_refuse(resp, POLICY_UNVERIFIED);
    } else if (strcmp(code, "banned") == 0) {
        auth_refuse(resp, POLICY_FORBIDDEN);
    } else {
        auth_refuse(resp, POLICY_HIDDEN);
    }
done:
    json_decref(out);
}

bool caccess_ids(resp_t *resp, const json_t *body, const char *field, char *buf, size_t len,
                 const char **out) {
    json_t *list = json_object_get(body, field), *v;
    size_t i, n = 0;
    *out = NULL;
    if (list == NULL)
        return true;
    n += (size_t)snprintf(buf, len, "{");
    json_array_foreach(list, i, v) {
        if (!json_is_integer(v) || json_integer_value(v) < 1 || n + 24 >= len) {
            ca_field(resp, field, "doit être une liste d'identifiants (entiers positifs).");
            return false;
        }
        n += (size_t)snprintf(buf + n, len - n, "%s%" PRId64, i ? "," : "",
                              (int64_t)json_integer_value(v));
    }
    snprintf(buf + n, len - n, "}");
    *out = buf;
    return true;
}

bool caccess_cursor(const req_t *req, resp_t *resp, int64_t *key, int64_t *id) {
    cursor_t c;
    bool has = false;
    *key = 0;
    *id = 0;
    if (!param_cursor(req, resp, &c, &has))
        return false;
    if (has && c.kind != CURSOR_KEYSET) {
        resp_error(resp, 400, "invalid_parameter", "Le curseur n'est pas valable.", "cursor");
        return false;
    }
    if (has) {
        *key = c.created_us;
        *id = c.id;
    }
    return true;
}

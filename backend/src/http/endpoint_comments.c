/* Comments on initiatives and reports (docs/api.md, "Comments and reports").
 *
 * The public list of an initiative's comments is the same for everyone: it holds no personal
 * field (whether the reader may edit a comment is worked out by the page from /me, the author's
 * id and editable_until) and is kept in the shared cache under the thread's version, which every
 * write of one of its comments moves. Every other answer here is private. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/linkify.h"
#include "core/log.h"
#include "domain/comment.h"
#include "domain/report.h"
#include "http/auth.h"
#include "http/body.h"
#include "http/handlers.h"
#include "http/params.h"
#include "http/reply.h"

/* Comments per member per window: enough for a conversation, not for a flood. */
#define COMMENT_RATE_MAX      30
#define COMMENT_RATE_WINDOW_S 600
/* Reports per IP (signed out) or per member, per hour. */
#define REPORT_RATE_IP_MAX     10
#define REPORT_RATE_MEMBER_MAX 30
#define REPORT_RATE_WINDOW_S   3600

static const body_field_t create_fields[] = {
        {"body", BODY_TEXT, true, 0, COMMENT_BODY_MAX, NULL},
        {NULL, 0, false, 0, 0, NULL},
};
static const body_field_t patch_fields[] = {
        {"version", BODY_INT, true, 1, INT32_MAX, NULL},
        {"body", BODY_TEXT, true, 0, COMMENT_BODY_MAX, NULL},
        {NULL, 0, false, 0, 0, NULL},
};
static const body_field_t hide_fields[] = {
        {"reason", BODY_TEXT, false, 0, COMMENT_REASON_MAX, NULL},
        {NULL, 0, false, 0, 0, NULL},
};
static const body_field_t report_fields[] = {
        {"target", BODY_OBJECT, true, 0, 0, NULL},
        {"reason", BODY_TEXT, true, 0, REPORT_REASON_MAX, NULL},
        {"email", BODY_STR, false, 0, REPORT_EMAIL_MAX, NULL},
        {"website", BODY_TEXT, false, 0, 1000, NULL}, /* the honeypot: people leave it empty */
        {NULL, 0, false, 0, 0, NULL},
};
static const char *const decisions[] = {"dismiss", "resolve", "hide", NULL};
static const body_field_t review_fields[] = {
        {"version", BODY_INT, true, 1, INT32_MAX, NULL},
        {"decision", BODY_ENUM, true, 0, 0, decisions},
        {"reason", BODY_TEXT, false, 0, REPORT_REASON_MAX, NULL},
        {NULL, 0, false, 0, 0, NULL},
};

static void empty_field(resp_t *resp, const char *field) {
    char msg[160];
    snprintf(msg, sizeof msg, "Le champ « %s » ne peut pas être vide.", field);
    resp_error(resp, 400, "invalid_field", msg, field);
}

/* The HTML of a comment's body (core/linkify.c); *html is a new string (caller frees). False
 * with a 500 written when memory runs out. */
static bool comment_html(resp_t *resp, const char *body, char **html) {
    buf_t b;
    size_t len = strlen(body);
    buf_init(&b, LINKIFY_HTML_MAX(len));
    *html = NULL;
    if (linkify_html(body, len, &b) && buf_append(&b, "", 0))
        *html = strdup(buf_cstr(&b));
    buf_free(&b);
    if (*html == NULL)
        resp_error(resp, 500, "internal", "Erreur interne du serveur.", NULL);
    return *html != NULL;
}

/* Reads the comment of the path and asks the policy for action; on refusal the answer is
 * written (404 for a hidden comment one may not see, as for one that does not exist). */
static bool comment_allowed(app_t *app, const req_t *req, resp_t *resp, const actor_t *actor,
                            policy_action action, int64_t *id) {
    policy_object_t obj;
    int64_t initiative_id;
    if (!param_path_id(req, resp, "id", id))
        return false;
    dom_status st = comment_find(app->db, *id, &obj, &initiative_id);
    if (st != DOM_OK) {
        reply_failure(resp, st, "Aucun commentaire ne porte cet identifiant.");
        return false;
    }
    return auth_allow(resp, actor, action, &obj);
}

static void comment_gone(resp_t *resp) {
    resp_error(resp, 404, "not_found", "Aucun commentaire ne porte cet identifiant.", NULL);
}

/* Answers comment id as it is now (with "hidden"), with status. */
static void comment_reply(app_t *app, resp_t *resp, int status, int64_t id) {
    json_t *out;
    dom_status st = comment_get(app->db, id, &out);
    if (st != DOM_OK)
        reply_failure(resp, st, "Aucun commentaire ne porte cet identifiant.");
    else
        resp_json(resp, status, out);
}

void handle_comment_list(const req_t *req, resp_t *resp, void *ctx) {
    static const char *const shape[] = {"limit", "cursor", NULL};
    app_t *app = ctx;
    int64_t id, data_version, thread_version;
    int limit;
    cursor_t cursor;
    bool has_cursor;
    char key[REPLY_KEY_MAX], scope[32];
    json_t *out;
    if (!param_path_id(req, resp, "id", &id) ||
        !param_limit(req, resp, COMMENT_PAGE_DEFAULT, COMMENT_PAGE_MAX, &limit) ||
        !param_cursor(req, resp, &cursor, &has_cursor))
        return;
    if (has_cursor && cursor.kind != CURSOR_KEYSET) {
        resp_error(resp, 400, "invalid_parameter",
                   "cursor ne provient pas de cette liste : utilisez son next_cursor.", "cursor");
        return;
    }
    dom_status st = comment_versions(app->db, id, &data_version, &thread_version);
    if (st != DOM_OK) {
        reply_failure(resp, st, NULL);
        return;
    }
    snprintf(scope, sizeof scope, ":c%lld", (long long)thread_version);
    if (reply_cached_scoped(app, req, shape, data_version, scope, resp, key))
        return;
    st = comment_list(app->db, id, has_cursor ? &cursor : NULL, limit, &out);
    if (st != DOM_OK) {
        reply_failure(resp, st, "Aucune initiative ne porte cet identifiant.");
        return;
    }
    reply_ok_cached(app, resp, out, key);
}

void handle_comment_mine(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    int initiative;
    json_t *out;
    if (!auth_require(app, req, resp, &actor) ||
        !param_int(req, resp, "initiative", 0, 1, INT32_MAX, &initiative) ||
        !auth_allow(resp, &actor, POLICY_SPACE_USE, NULL))
        return;
    if (initiative == 0) {
        resp_error(resp, 400, "invalid_parameter",
                   "Le paramètre « initiative » (l'identifiant d'une initiative) est obligatoire.",
                   "initiative");
        return;
    }
    dom_status st = comment_mine(app->db, initiative, actor.user_id, &out);
    if (st != DOM_OK)
        reply_failure(resp, st, NULL);
    else
        resp_json(resp, 200, out);
}

void handle_comment_create(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    json_t *body = NULL, *out = NULL;
    char *html = NULL, uid[24];
    int64_t id;
    comment_result res;
    if (!auth_require(app, req, resp, &actor) || !param_path_id(req, resp, "id", &id) ||
        !body_parse(req, resp, create_fields, BODY_MAX_DEFAULT, &body))
        goto done;
    const char *text = body_str(body, "body");
    if (text[0] == '\0') {
        empty_field(resp, "body");
        goto done;
    }
    snprintf(uid, sizeof uid, "%lld", (long long)actor.user_id);
    if (!auth_allow(resp, &actor, POLICY_COMMENT_CREATE, NULL) ||
        !auth_rate_limit(app, resp, "comment-user", uid, COMMENT_RATE_MAX, COMMENT_RATE_WINDOW_S) ||
        !comment_html(resp, text, &html))
        goto done;
    dom_status st = comment_create(app->db, id, actor.user_id, text, html, &res, &out);
    if (st != DOM_OK)
        reply_failure(resp, st, NULL);
    else if (res != COMMENT_DONE)
        resp_error(resp, 404, "not_found", "Aucune initiative ne porte cet identifiant.", NULL);
    else {
        resp_json(resp, 201, out);
        out = NULL;
    }
done:
    free(html);
    json_decref(out);
    json_decref(body);
}

void handle_comment_patch(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    json_t *body = NULL, *out = NULL;
    char *html = NULL;
    int64_t id;
    comment_result res;
    if (!auth_require(app, req, resp, &actor) ||
        !body_parse(req, resp, patch_fields, BODY_MAX_DEFAULT, &body))
        goto done;
    const char *text = body_str(body, "body");
    if (text[0] == '\0') {
        empty_field(resp, "body");
        goto done;
    }
    if (!comment_allowed(app, req, resp, &actor, POLICY_COMMENT_EDIT, &id) ||
        !comment_html(resp, text, &html))
        goto done;
    dom_status st = comment_update(app->db, id, actor.user_id, body_int(body, "version", 0), text,
                                   html, &res, &out);
    if (st != DOM_OK) {
        reply_failure(resp, st, NULL);
    } else if (res == COMMENT_TOO_LATE) {
        resp_error(resp, 403, "edit_window_closed",
                   "Un commentaire ne peut plus être modifié 15 minutes après sa publication : "
                   "vous pouvez le supprimer et en écrire un autre.",
                   NULL);
    } else if (res == COMMENT_CONFLICT) {
        json_t *current;
        st = comment_get(app->db, id, &current);
        if (st != DOM_OK) {
            reply_failure(resp, st, NULL);
            goto done;
        }
        json_t *cv = json_object_get(current, "version");
        resp_json(resp, 409,
                  json_pack("{s{ss ss ss} sI so}", "error", "code", "conflict", "message",
                            "Ce commentaire a changé entre-temps (dans un autre onglet ?) : "
                            "voici sa version actuelle.",
                            "field", "version", "current_version",
                            (json_int_t)json_integer_value(cv), "current", current));
    } else if (res != COMMENT_DONE) {
        comment_gone(resp);
    } else {
        resp_json(resp, 200, out);
        out = NULL;
    }
done:
    free(html);
    json_decref(out);
    json_decref(body);
}

void handle_comment_delete(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    int64_t id;
    comment_result res;
    if (!auth_require(app, req, resp, &actor) ||
        !comment_allowed(app, req, resp, &actor, POLICY_COMMENT_DELETE, &id))
        return;
    dom_status st = comment_delete(app->db, id, actor.user_id, &res);
    if (st != DOM_OK)
        reply_failure(resp, st, NULL);
    else if (res != COMMENT_DONE)
        comment_gone(resp);
    else
        reply_no_content(resp);
}

/* Hides the comment of the path (hidden) or shows it again. */
static void comment_moderate(const req_t *req, resp_t *resp, app_t *app, bool hidden) {
    actor_t actor;
    json_t *body = NULL;
    int64_t id;
    comment_result res;
    if (!auth_require(app, req, resp, &actor) ||
        !body_parse(req, resp, hide_fields, BODY_MAX_DEFAULT, &body) ||
        !comment_allowed(app, req, resp, &actor, POLICY_COMMENT_HIDE, &id))
        goto done;
    const char *reason = body_str(body, "reason");
    if (reason != NULL && reason[0] == '\0')
        reason = NULL;
    dom_status st = comment_set_hidden(app->db, id, actor.user_id, hidden, reason, &res);
    if (st != DOM_OK)
        reply_failure(resp, st, NULL);
    else if (res != COMMENT_DONE)
        comment_gone(resp);
    else
        comment_reply(app, resp, 200, id);
done:
    json_decref(body);
}

void handle_comment_hide(const req_t *req, resp_t *resp, void *ctx) {
    comment_moderate(req, resp, ctx, true);
}

void handle_comment_unhide(const req_t *req, resp_t *resp, void *ctx) {
    comment_moderate(req, resp, ctx, false);
}

/* The target of a report: {"kind": "initiative"|"comment", "id": N}, nothing else. */
static bool report_target(resp_t *resp, const json_t *target, const char **kind, int64_t *id) {
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)target, key, v) {
        if (strcmp(key, "kind") != 0 && strcmp(key, "id") != 0) {
            resp_error(resp, 400, "invalid_field",
                       "La cible d'un signalement n'a que deux champs : « kind » et « id ».",
                       "target");
            return false;
        }
    }
    const char *k = json_string_value(json_object_get(target, "kind"));
    if (k == NULL || (strcmp(k, "initiative") != 0 && strcmp(k, "comment") != 0)) {
        resp_error(resp, 400, "invalid_field",
                   "Le champ « target.kind » doit valoir « initiative » ou « comment ».",
                   "target.kind");
        return false;
    }
    v = json_object_get(target, "id");
    if (!json_is_integer(v) || json_integer_value(v) < 1) {
        resp_error(resp, 400, "invalid_field",
                   "Le champ « target.id » doit être un entier positif.", "target.id");
        return false;
    }
    *kind = strcmp(k, "comment") == 0 ? "comment" : "initiative";
    *id = (int64_t)json_integer_value(v);
    return true;
}

/* An address that can be answered: one @ with text on both sides and a dot after it. The
 * characters were checked by body_parse (one line, no control character). */
static bool report_email_ok(const char *s) {
    const char *at = strchr(s, '@');
    return at != NULL && at != s && strchr(at + 1, '@') == NULL && strchr(s, ' ') == NULL &&
           strchr(at + 1, '.') != NULL && at[1] != '.' && s[strlen(s) - 1] != '.';
}

static void report_received(resp_t *resp) {
    resp_json(resp, 202,
              json_pack("{ss}", "message",
                        "Merci : votre signalement sera examiné par l'équipe de modération."));
}

void handle_report_create(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    json_t *body = NULL;
    const char *kind;
    int64_t target_id;
    report_result res;
    char uid[24];
    auth_private(resp);
    if (!auth_identify(app, req, resp, &actor))
        goto done;
    /* Signed in: the session's CSRF token is required as for every write it authenticates;
     * signed out: the origin check of the writes without a session. */
    if (actor.user_id != 0 ? !auth_require(app, req, resp, &actor)
                           : !auth_same_origin(app, req, resp))
        goto done;
    if (!body_parse(req, resp, report_fields, BODY_MAX_DEFAULT, &body) ||
        !report_target(resp, json_object_get(body, "target"), &kind, &target_id))
        goto done;
    const char *reason = body_str(body, "reason");
    const char *email = body_str(body, "email");
    const char *website = body_str(body, "website");
    if (reason[0] == '\0') {
        empty_field(resp, "reason");
        goto done;
    }
    if (email != NULL && !report_email_ok(email)) {
        resp_error(resp, 400, "invalid_field",
                   "Le champ « email » doit être une adresse e-mail (nom@exemple.fr).", "email");
        goto done;
    }
    snprintf(uid, sizeof uid, "%lld", (long long)actor.user_id);
    if (!auth_allow(resp, &actor, POLICY_REPORT_CREATE, NULL) ||
        !(actor.user_id != 0 ? auth_rate_limit(app, resp, "report-user", uid,
                                               REPORT_RATE_MEMBER_MAX, REPORT_RATE_WINDOW_S)
                             : auth_rate_limit(app, resp, "report-ip", req->remote_addr,
                                               REPORT_RATE_IP_MAX, REPORT_RATE_WINDOW_S)))
        goto done;
    if (website != NULL && website[0] != '\0') {
        /* Filled by a robot: the same answer as for a person, and nothing kept. */
        log_msg(LOG_INFO, "report: honeypot filled, nothing stored");
        report_received(resp);
        goto done;
    }
    dom_status st = report_create(app->db, kind, target_id, reason, actor.user_id, email, &res);
    if (st != DOM_OK)
        reply_failure(resp, st, NULL);
    else if (res != REPORT_DONE)
        resp_error(resp, 404, "not_found",
                   strcmp(kind, "comment") == 0 ? "Aucun commentaire visible ne porte cet "
                                                  "identifiant."
                                                : "Aucune initiative ne porte cet identifiant.",
                   "target.id");
    else
        report_received(resp);
done:
    json_decref(body);
}

void handle_report_review(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    json_t *body = NULL;
    int64_t id;
    const char *kind;
    report_result res;
    if (!auth_require(app, req, resp, &actor) ||
        !body_parse(req, resp, review_fields, BODY_MAX_DEFAULT, &body) ||
        !auth_allow(resp, &actor, POLICY_REPORT_REVIEW, NULL) ||
        !param_path_id(req, resp, "id", &id))
        goto done;
    dom_status st = report_target_kind(app->db, id, &kind);
    if (st != DOM_OK) {
        reply_failure(resp, st, "Aucun signalement ne porte cet identifiant.");
        goto done;
    }
    const char *decision = body_str(body, "decision");
    const char *reason = body_str(body, "reason");
    if (reason != NULL && reason[0] == '\0')
        reason = NULL;
    if (strcmp(decision, "hide") == 0 && strcmp(kind, "comment") != 0) {
        resp_error(resp, 400, "invalid_field",
                   "« hide » ne vaut que pour un signalement de commentaire.", "decision");
        goto done;
    }
    st = report_review(app->db, id, body_int(body, "version", 0), decision, reason, actor.user_id,
                       &res);
    json_t *current = NULL;
    if (st == DOM_OK && res != REPORT_GONE)
        st = report_get(app->db, id, &current);
    if (st != DOM_OK) {
        reply_failure(resp, st, "Aucun signalement ne porte cet identifiant.");
    } else if (res == REPORT_GONE) {
        resp_error(resp, 404, "not_found", "Aucun signalement ne porte cet identifiant.", NULL);
    } else if (res == REPORT_CONFLICT) {
        json_t *cv = json_object_get(current, "version");
        resp_json(resp, 409,
                  json_pack("{s{ss ss ss} sI so}", "error", "code", "conflict", "message",
                            "Ce signalement a déjà été traité ou a changé entre-temps : voici "
                            "son état actuel.",
                            "field", "version", "current_version",
                            (json_int_t)json_integer_value(cv), "current", current));
    } else {
        resp_json(resp, 200, current);
    }
done:
    json_decref(body);
}

void handle_report_list(const req_t *req, resp_t *resp, void *ctx) {
    static const char *const statuses[] = {"open", "dismissed", "resolved"};
    app_t *app = ctx;
    actor_t actor;
    int limit;
    cursor_t cursor;
    bool has_cursor;
    char buf[16];
    const char *status;
    json_t *out;
    if (!auth_require(app, req, resp, &actor) ||
        !auth_allow(resp, &actor, POLICY_REPORT_REVIEW, NULL) ||
        !param_text(req, resp, "status", sizeof buf - 1, buf, &status) ||
        !param_limit(req, resp, 20, REPORT_PAGE_MAX, &limit) ||
        !param_cursor(req, resp, &cursor, &has_cursor))
        return;
    const char *chosen = status == NULL ? "open" : NULL;
    for (size_t i = 0; chosen == NULL && i < ARRAY_LEN(statuses); i++)
        if (strcmp(status, statuses[i]) == 0)
            chosen = statuses[i];
    if (chosen == NULL) {
        resp_error(resp, 400, "invalid_parameter",
                   "status doit valoir « open », « dismissed » ou « resolved ».", "status");
        return;
    }
    if (has_cursor && cursor.kind != CURSOR_KEYSET) {
        resp_error(resp, 400, "invalid_parameter",
                   "cursor ne provient pas de cette liste : utilisez son next_cursor.", "cursor");
        return;
    }
    dom_status st = report_list(app->db, chosen, has_cursor ? &cursor : NULL, limit, &out);
    if (st != DOM_OK)
        reply_failure(resp, st, NULL);
    else
        resp_json(resp, 200, out);
}

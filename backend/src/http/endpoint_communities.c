/* Communities: the directory, a community, its membership, members, ownership and invitations
 * (docs/api.md, "Communities"). Who may do what is decided by the policy only, from the actor's
 * membership looked up once (http/community_access.h); every answer is personal. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/community/community.h"
#include "domain/community/invitation_token.h"
#include "domain/community/membership.h"
#include "domain/territory.h"
#include "http/account_input.h"
#include "http/auth.h"
#include "http/body.h"
#include "http/community_access.h"
#include "http/handlers.h"
#include "http/params.h"
#include "http/reply.h"

static const char *const visibilities[] = {"public", "restricted", "private", NULL};
static const char *const digests[] = {"daily", "weekly", "never", NULL};
static const char *const member_statuses[] = {"member", "banned", NULL};
static const char *const member_roles[] = {"moderator", "member", NULL};
static const char *const list_statuses[] = {"member", "pending", "banned", NULL};

static const body_field_t create_fields[] = {
        {"name", BODY_STR, true, 0, COMMUNITY_NAME_MAX, NULL},
        {"description", BODY_TEXT, false, 0, COMMUNITY_DESC_MAX, NULL},
        {"visibility", BODY_ENUM, true, 0, 0, visibilities},
        {"territory", BODY_TEXT, false, 0, 40, NULL},
        {"themes", BODY_ARRAY, false, 0, COMMUNITY_THEMES_MAX, NULL},
        {NULL, 0, false, 0, 0, NULL},
};
static const body_field_t patch_fields[] = {
        {"version", BODY_INT, true, 1, INT32_MAX, NULL},
        {"name", BODY_STR, false, 0, COMMUNITY_NAME_MAX, NULL},
        {"description", BODY_TEXT, false, 0, COMMUNITY_DESC_MAX, NULL},
        {"visibility", BODY_ENUM, false, 0, 0, visibilities},
        {"territory", BODY_TEXT, false, 0, 40, NULL},
        {"themes", BODY_ARRAY, false, 0, COMMUNITY_THEMES_MAX, NULL},
        {NULL, 0, false, 0, 0, NULL},
};
static const body_field_t empty_fields[] = {{NULL, 0, false, 0, 0, NULL}};
static const body_field_t prefs_fields[] = {
        {"listed", BODY_BOOL, false, 0, 0, NULL},
        {"digest", BODY_ENUM, false, 0, 0, digests},
        {NULL, 0, false, 0, 0, NULL},
};
static const body_field_t member_fields[] = {
        {"status", BODY_ENUM, false, 0, 0, member_statuses},
        {"role", BODY_ENUM, false, 0, 0, member_roles},
        {NULL, 0, false, 0, 0, NULL},
};
static const body_field_t owner_fields[] = {
        {"account_id", BODY_INT, true, 1, INT64_MAX, NULL},
        {NULL, 0, false, 0, 0, NULL},
};
static const body_field_t invite_fields[] = {
        {"email", BODY_STR, true, 0, MEMBERSHIP_EMAIL_MAX, NULL},
        {NULL, 0, false, 0, 0, NULL},
};
static const body_field_t accept_fields[] = {
        {"token", BODY_SECRET, true, 0, INVITATION_TOKEN_LEN, NULL},
        {NULL, 0, false, 0, 0, NULL},
};

#define CO_THEMES_TEXT (COMMUNITY_THEMES_MAX * 44 + 4)

/* The territory and themes of a body into f (bufs hold them); false with the 400 written. An empty
 * territory removes it (a change) or means none (a creation). */
static bool co_fields(app_t *app, resp_t *resp, const json_t *body, community_fields_t *f,
                      territory_ref_t *ref, char themes[CO_THEMES_TEXT]) {
    const char *territory = body_str(body, "territory");
    json_t *list = json_object_get(body, "themes"), *v;
    size_t i, n = 0;
    f->name = body_str(body, "name");
    f->description = body_str(body, "description");
    f->visibility = body_str(body, "visibility");
    if (territory != NULL && *territory == '\0') {
        f->clear_territory = true;
    } else if (territory != NULL) {
        dom_status st = DOM_NOT_FOUND;
        if (territory_ref_parse(territory, ref))
            st = territory_resolve(app->db, ref);
        if (st == DOM_NOT_FOUND) {
            resp_error(resp, 400, "invalid_field",
                       "Ce territoire est inconnu (une référence comme « region:53 » ou "
                       "« commune:29019 »).",
                       "territory");
            return false;
        }
        if (st != DOM_OK) {
            caccess_reply(resp, st, NULL, 500);
            return false;
        }
        f->territory_level = ref->level;
        f->territory_code = ref->code;
    }
    if (list == NULL)
        return true;
    n += (size_t)snprintf(themes, CO_THEMES_TEXT, "{");
    json_array_foreach(list, i, v) {
        const char *code = json_string_value(v);
        size_t len = code ? strlen(code) : 0;
        bool ok = len >= 1 && len <= 40;
        for (size_t k = 0; ok && k < len; k++)
            ok = (code[k] >= 'A' && code[k] <= 'Z') || (code[k] >= 'a' && code[k] <= 'z') ||
                 (code[k] >= '0' && code[k] <= '9') || code[k] == '_';
        if (!ok) {
            resp_error(resp, 400, "invalid_field", "themes doit être une liste de codes de thème.",
                       "themes");
            return false;
        }
        n += (size_t)snprintf(themes + n, CO_THEMES_TEXT - n, "%s%s", i ? "," : "", code);
    }
    snprintf(themes + n, CO_THEMES_TEXT - n, "}");
    bool known = false;
    dom_status st = community_themes_known(app->db, themes, &known);
    if (st != DOM_OK) {
        caccess_reply(resp, st, NULL, 500);
        return false;
    }
    if (!known) {
        resp_error(resp, 400, "invalid_field",
                   "Un des thèmes est inconnu (voir GET /api/v1/vocabularies).", "themes");
        return false;
    }
    f->themes = themes;
    return true;
}

void handle_community_directory(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    char qbuf[201], tbuf[41];
    const char *q, *theme, *cursor = NULL;
    territory_ref_t ref[1];
    size_t nref = 0;
    int limit;
    json_t *out = NULL;
    auth_private(resp);
    if (!auth_identify(app, req, resp, &actor) || !param_limit(req, resp, 20, 100, &limit) ||
        !param_text(req, resp, "q", 200, qbuf, &q) ||
        !param_text(req, resp, "theme", 40, tbuf, &theme) ||
        !param_territories(req, resp, app->db, ref, 1, &nref))
        return;
    const url_param_t *c = req_query(req, "cursor");
    if (c != NULL)
        cursor = c->value;
    if (theme != NULL && *theme) {
        char list[48];
        bool known = false;
        snprintf(list, sizeof list, "{%s}", theme);
        bool shaped =
                strspn(theme, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") ==
                strlen(theme);
        dom_status st = shaped ? community_themes_known(app->db, list, &known) : DOM_OK;
        if (st != DOM_OK) {
            caccess_reply(resp, st, NULL, 500);
            return;
        }
        if (!known) {
            resp_error(resp, 400, "invalid_parameter", "Ce thème est inconnu.", "theme");
            return;
        }
    }
    dom_status st =
            community_directory(app->db, q ? q : "", theme ? theme : "", nref ? ref[0].level : "",
                                nref ? ref[0].code : "", cursor, limit, actor.user_id, &out);
    if (st == DOM_NOT_FOUND) {
        resp_error(resp, 400, "invalid_parameter",
                   "cursor n'est pas valide : utilisez la valeur next_cursor d'une réponse "
                   "précédente.",
                   "cursor");
        return;
    }
    caccess_reply(resp, st, out, 200);
}

void handle_community_mine(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    json_t *out = NULL;
    if (!auth_require(app, req, resp, &actor) || !auth_allow(resp, &actor, POLICY_SPACE_USE, NULL))
        return;
    dom_status st = community_mine(app->db, actor.user_id, &out);
    caccess_reply(resp, st, out, 200);
}

void handle_community_create(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    json_t *body = NULL, *out = NULL;
    community_fields_t f = {0};
    territory_ref_t ref;
    char themes[CO_THEMES_TEXT], uid[24];
    if (!auth_require(app, req, resp, &actor) ||
        !auth_allow(resp, &actor, POLICY_COMMUNITY_CREATE, NULL) ||
        !body_parse(req, resp, create_fields, BODY_MAX_DEFAULT, &body) ||
        !co_fields(app, resp, body, &f, &ref, themes))
        goto done;
    snprintf(uid, sizeof uid, "%" PRId64, actor.user_id);
    if (!auth_rate_limit(app, resp, "community-create", uid, 10, 86400))
        goto done;
    dom_status st = community_create(app->db, actor.user_id, &f, &out);
    caccess_reply(resp, st, out, 201);
done:
    json_decref(body);
}

void handle_community_get(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    int64_t id;
    policy_object_t obj;
    json_t *out = NULL;
    if (!caccess_open(app, req, resp, false, POLICY_COMMUNITY_READ, &actor, &id, &obj))
        return;
    dom_status st = community_get(app->db, id, actor.user_id, &out);
    caccess_reply(resp, st, out, 200);
}

void handle_community_patch(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    int64_t id;
    policy_object_t obj;
    json_t *body = NULL, *out = NULL;
    community_fields_t f = {0};
    territory_ref_t ref;
    char themes[CO_THEMES_TEXT];
    if (!caccess_open(app, req, resp, true, POLICY_COMMUNITY_EDIT, &actor, &id, &obj) ||
        !body_parse(req, resp, patch_fields, BODY_MAX_DEFAULT, &body) ||
        !co_fields(app, resp, body, &f, &ref, themes))
        goto done;
    dom_status st =
            community_update(app->db, id, actor.user_id, body_int(body, "version", 0), &f, &out);
    caccess_reply(resp, st, out, 200);
done:
    json_decref(body);
}

void handle_community_delete(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    int64_t id;
    policy_object_t obj;
    if (!caccess_open(app, req, resp, true, POLICY_COMMUNITY_DELETE, &actor, &id, &obj))
        return;
    dom_status st = community_delete(app->db, id);
    if (st != DOM_OK)
        caccess_reply(resp, st, NULL, 500);
    else
        reply_no_content(resp);
}

void handle_community_join(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    int64_t id;
    policy_object_t obj;
    json_t *body = NULL, *out = NULL;
    if (!caccess_open(app, req, resp, true, POLICY_COMMUNITY_JOIN, &actor, &id, &obj) ||
        !body_parse(req, resp, empty_fields, BODY_MAX_DEFAULT, &body))
        goto done;
    dom_status st = membership_join(app->db, id, actor.user_id, &out);
    const char *status = json_string_value(json_object_get(out, "status"));
    int code = status && strcmp(status, "member") == 0 ? 201 : 202;
    if (out != NULL)
        json_object_del(out, "created");
    caccess_reply(resp, st, out, code);
done:
    json_decref(body);
}

void handle_community_membership_patch(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    int64_t id;
    policy_object_t obj;
    json_t *body = NULL, *out = NULL;
    if (!caccess_open(app, req, resp, true, POLICY_COMMUNITY_MEMBERSHIP, &actor, &id, &obj) ||
        !body_parse(req, resp, prefs_fields, BODY_MAX_DEFAULT, &body))
        goto done;
    json_t *listed = json_object_get(body, "listed");
    dom_status st = membership_prefs(app->db, id, actor.user_id,
                                     listed ? (json_is_true(listed) ? "true" : "false") : NULL,
                                     body_str(body, "digest"), &out);
    caccess_reply(resp, st, out, 200);
done:
    json_decref(body);
}

void handle_community_leave(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    int64_t id;
    policy_object_t obj;
    json_t *out = NULL;
    if (!caccess_open(app, req, resp, true, POLICY_COMMUNITY_MEMBERSHIP, &actor, &id, &obj))
        return;
    dom_status st = membership_leave(app->db, id, actor.user_id, &out);
    caccess_reply(resp, st, out, 204);
}

void handle_community_members(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    int64_t id, key, after;
    policy_object_t obj;
    json_t *out = NULL;
    int limit;
    const char *status = "member";
    if (!caccess_open(app, req, resp, false, POLICY_COMMUNITY_MEMBERS_READ, &actor, &id, &obj) ||
        !param_limit(req, resp, 50, 100, &limit) || !caccess_cursor(req, resp, &key, &after))
        return;
    const url_param_t *p = req_query(req, "status");
    if (p != NULL) {
        size_t i = 0;
        while (list_statuses[i] && strcmp(list_statuses[i], p->value) != 0)
            i++;
        if (list_statuses[i] == NULL) {
            resp_error(resp, 400, "invalid_parameter",
                       "status doit valoir « member », « pending » ou « banned ».", "status");
            return;
        }
        status = list_statuses[i];
    }
    /* Moderators see every member and the requests and bans; others, listed members only. */
    bool moderates = policy_can(&actor, POLICY_COMMUNITY_MODERATE, &obj) == POLICY_ALLOW;
    if (strcmp(status, "member") != 0 &&
        !caccess_allow(resp, &actor, POLICY_COMMUNITY_MODERATE, &obj, 0))
        return;
    dom_status st = membership_list(app->db, id, status, moderates, after, limit, &out);
    caccess_reply(resp, st, out, 200);
}

/* The account of the path's "account_id". */
static bool co_account(const req_t *req, resp_t *resp, int64_t *account) {
    return param_path_id(req, resp, "account_id", account);
}

void handle_community_member_patch(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    int64_t id, account;
    policy_object_t obj;
    json_t *body = NULL, *out = NULL;
    if (!caccess_open(app, req, resp, true, POLICY_COMMUNITY_MODERATE, &actor, &id, &obj) ||
        !co_account(req, resp, &account) ||
        !body_parse(req, resp, member_fields, BODY_MAX_DEFAULT, &body))
        goto done;
    const char *role = body_str(body, "role");
    if (role != NULL && !caccess_allow(resp, &actor, POLICY_COMMUNITY_OWN, &obj, 0))
        goto done;
    dom_status st = membership_update(app->db, id, actor.user_id, account, body_str(body, "status"),
                                      role, &out);
    caccess_reply(resp, st, out, 200);
done:
    json_decref(body);
}

void handle_community_member_delete(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    int64_t id, account;
    policy_object_t obj;
    json_t *out = NULL;
    if (!caccess_open(app, req, resp, true, POLICY_COMMUNITY_MODERATE, &actor, &id, &obj) ||
        !co_account(req, resp, &account))
        return;
    dom_status st = membership_remove(app->db, id, account, &out);
    caccess_reply(resp, st, out, 204);
}

void handle_community_owner(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    int64_t id;
    policy_object_t obj;
    json_t *body = NULL, *out = NULL;
    if (!caccess_open(app, req, resp, true, POLICY_COMMUNITY_OWN, &actor, &id, &obj) ||
        !body_parse(req, resp, owner_fields, BODY_MAX_DEFAULT, &body))
        goto done;
    dom_status st =
            membership_transfer(app->db, id, actor.user_id, body_int(body, "account_id", 0), &out);
    caccess_reply(resp, st, out, 200);
done:
    json_decref(body);
}

void handle_community_invite(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    int64_t id;
    policy_object_t obj;
    json_t *body = NULL, *out = NULL;
    char uid[24];
    if (!caccess_open(app, req, resp, true, POLICY_COMMUNITY_MODERATE, &actor, &id, &obj) ||
        !body_parse(req, resp, invite_fields, BODY_MAX_DEFAULT, &body) ||
        !input_email(resp, body_str(body, "email"), "email"))
        goto done;
    snprintf(uid, sizeof uid, "%" PRId64, actor.user_id);
    if (!auth_rate_limit(app, resp, "community-invite", uid, 30, 3600))
        goto done;
    dom_status st = membership_invite_send(app->db, app->cfg->secret_key, app->cfg->public_url, id,
                                           actor.user_id, body_str(body, "email"), &out);
    caccess_reply(resp, st, out, 202);
done:
    json_decref(body);
}

/* The invitation a token names; false with the 400 written. */
static bool co_token(app_t *app, resp_t *resp, const char *token, int64_t *invitation) {
    if (token == NULL || strlen(token) >= INVITATION_TOKEN_LEN ||
        !invitation_token_check(app->cfg->secret_key, strlen(app->cfg->secret_key), token,
                                invitation)) {
        resp_error(resp, 400, "invalid_token",
                   "Ce lien d'invitation n'est pas valable ou a expiré.", "token");
        return false;
    }
    return true;
}

void handle_community_invitation_get(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    int64_t invitation;
    json_t *out = NULL;
    auth_private(resp);
    const url_param_t *p = req_query(req, "token");
    if (!co_token(app, resp, p ? p->value : NULL, &invitation))
        return;
    dom_status st = membership_invitation(app->db, invitation, &out);
    if (st == DOM_NOT_FOUND) {
        resp_error(resp, 400, "invalid_token",
                   "Ce lien d'invitation n'est pas valable ou a expiré.", "token");
        return;
    }
    caccess_reply(resp, st, out, 200);
}

void handle_community_invitation_accept(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    int64_t invitation;
    json_t *body = NULL, *out = NULL;
    if (!auth_require(app, req, resp, &actor) ||
        !body_parse(req, resp, accept_fields, BODY_MAX_DEFAULT, &body) ||
        !co_token(app, resp, body_str(body, "token"), &invitation))
        goto done;
    dom_status st = membership_accept(app->db, invitation, actor.user_id, &out);
    caccess_reply(resp, st, out, 200);
done:
    json_decref(body);
}

/* Direct writes on published initiatives (carriers and moderators), their public history, and
 * the moderation queue (docs/api.md, "Contributions", "Moderation", "History"). The history is
 * public and cached like every public answer (a revision always comes with a change of the
 * initiative, which moves the data version); everything else is personal. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain/edits/queue.h"
#include "domain/edits/revision.h"
#include "domain/initiative.h"
#include "http/auth.h"
#include "http/body.h"
#include "http/edit_input.h"
#include "http/handlers.h"
#include "http/params.h"
#include "http/reply.h"

static const char *const source_decisions[] = {"keep", "take_source", NULL};
static const char *const queue_kinds[] = {"proposal",      "correction", "claim",
                                          "source_change", "report",     NULL};

static const body_field_t edit_body[] = {
        {"version", BODY_INT, true, 1, INT32_MAX, NULL},
        {"fields", BODY_OBJECT, true, 0, 0, NULL},
        {"comment", BODY_TEXT, false, 0, 2000, NULL},
        {NULL, 0, false, 0, 0, NULL},
};
static const body_field_t revert_body[] = {
        {"version", BODY_INT, true, 1, INT32_MAX, NULL},
        {"to_version", BODY_INT, true, 1, INT32_MAX, NULL},
        {"reason", BODY_TEXT, false, 0, 2000, NULL},
        {NULL, 0, false, 0, 0, NULL},
};
static const body_field_t source_review_body[] = {
        {"version", BODY_INT, true, 1, INT32_MAX, NULL},
        {"decision", BODY_ENUM, true, 0, 0, source_decisions},
        {NULL, 0, false, 0, 0, NULL},
};

/* Answers the initiative as it is now (200), or the 409 of a stale version with it. */
static void ed_initiative_reply(app_t *app, const req_t *req, resp_t *resp, int64_t id,
                                edits_outcome out, long long current_version) {
    const char *lang;
    json_t *current;
    if (!param_lang(req, resp, &lang))
        return;
    if (out == EDITS_GONE) {
        reply_failure(resp, DOM_NOT_FOUND, "Aucune initiative publiée ne porte cet identifiant.");
        return;
    }
    dom_status st = initiative_get(app->db, id, lang, &current);
    if (st != DOM_OK) {
        reply_failure(resp, st, "Aucune initiative publiée ne porte cet identifiant.");
        return;
    }
    if (out != EDITS_CONFLICT) {
        resp_json(resp, 200, current);
        return;
    }
    resp_json(resp, 409,
              json_pack("{s{ss ss ss} sI so}", "error", "code", "conflict", "message",
                        "Quelqu'un a modifié la fiche entre-temps : voici sa version actuelle.",
                        "field", "version", "current_version", (json_int_t)current_version,
                        "current", current));
}

void handle_initiative_patch(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    json_t *body = NULL, *fields = NULL;
    char title[REVISION_TITLE_MAX];
    policy_object_t obj = {0};
    edits_outcome out;
    long long current;
    int64_t id;
    if (!auth_require(app, req, resp, &actor) || !param_path_id(req, resp, "id", &id))
        goto done;
    dom_status st = revision_target(app->db, id, actor.user_id, title, &obj.actor_carries);
    if (st != DOM_OK) {
        reply_failure(resp, st, "Aucune initiative publiée ne porte cet identifiant.");
        goto done;
    }
    obj.is_public = true;
    if (!auth_allow(resp, &actor, POLICY_INITIATIVE_EDIT, &obj) ||
        !body_parse(req, resp, edit_body, BODY_MAX_DEFAULT, &body) ||
        !edit_fields(app, resp, json_object_get(body, "fields"), true, &fields) ||
        !edit_rate_limit(app, resp, &actor, "edit-user"))
        goto done;
    /* A carrier edits as the carrier, even when also a moderator: the page says who. */
    const char *kind = obj.actor_carries ? "carrier" : "moderator";
    st = revision_edit(app->db, id, body_int(body, "version", 0), fields, kind, actor.user_id,
                       body_str(body, "comment"), title, app->cfg->public_url, &out, &current);
    if (st != DOM_OK)
        reply_failure(resp, st, NULL);
    else
        ed_initiative_reply(app, req, resp, id, out, current);
done:
    json_decref(fields);
    json_decref(body);
}

void handle_initiative_revert(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    json_t *body = NULL;
    char title[REVISION_TITLE_MAX];
    bool carries, valid;
    edits_outcome out;
    long long current;
    int64_t id;
    if (!auth_require(app, req, resp, &actor) || !auth_allow(resp, &actor, POLICY_MODERATE, NULL) ||
        !param_path_id(req, resp, "id", &id) ||
        !body_parse(req, resp, revert_body, BODY_MAX_DEFAULT, &body))
        goto done;
    dom_status st = revision_target(app->db, id, 0, title, &carries);
    if (st == DOM_OK)
        st = revision_revert(app->db, id, body_int(body, "version", 0),
                             body_int(body, "to_version", 0), actor.user_id,
                             body_str(body, "reason"), &valid, &out, &current);
    if (st != DOM_OK)
        reply_failure(resp, st, "Aucune initiative publiée ne porte cet identifiant.");
    else if (!valid)
        resp_error(resp, 400, "invalid_field", "Cette révision n'existe pas pour cette initiative.",
                   "to_version");
    else
        ed_initiative_reply(app, req, resp, id, out, current);
done:
    json_decref(body);
}

void handle_initiative_history(const req_t *req, resp_t *resp, void *ctx) {
    static const char *const shape[] = {"cursor", "limit", NULL};
    app_t *app = ctx;
    char key[REPLY_KEY_MAX], buf[16];
    const char *cursor;
    int64_t id;
    int limit, before = 0;
    json_t *out;
    if (!param_path_id(req, resp, "id", &id) ||
        !param_limit(req, resp, 50, REVISION_PAGE_MAX, &limit) ||
        !param_text(req, resp, "cursor", sizeof buf - 1, buf, &cursor))
        return;
    if (cursor != NULL) {
        char *end;
        long v = strtol(cursor, &end, 10);
        if (cursor[0] < '1' || cursor[0] > '9' || *end != '\0' || v > INT32_MAX) {
            resp_error(resp, 400, "invalid_parameter",
                       "cursor ne provient pas de cet historique : utilisez son next_cursor.",
                       "cursor");
            return;
        }
        before = (int)v;
    }
    if (reply_cached(app, req, shape, resp, key))
        return;
    dom_status st = revision_history(app->db, id, before, limit, &out);
    if (st != DOM_OK)
        reply_failure(resp, st, "Aucune initiative publiée ne porte cet identifiant.");
    else
        reply_ok_cached(app, resp, out, key);
}

void handle_source_change_review(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    json_t *body = NULL;
    edits_outcome out;
    int64_t id;
    if (!auth_require(app, req, resp, &actor) || !auth_allow(resp, &actor, POLICY_MODERATE, NULL) ||
        !param_path_id(req, resp, "id", &id) ||
        !body_parse(req, resp, source_review_body, BODY_MAX_DEFAULT, &body))
        goto done;
    dom_status st = revision_source_change_review(app->db, id, body_int(body, "version", 0),
                                                  body_str(body, "decision"), actor.user_id, &out);
    if (st != DOM_OK)
        reply_failure(resp, st, NULL);
    else if (out == EDITS_CONFLICT)
        resp_error(resp, 409, "conflict",
                   "Ce changement a déjà été traité, ou a changé entre-temps : rechargez la "
                   "file.",
                   "version");
    else if (out != EDITS_DONE)
        auth_refuse(resp, POLICY_HIDDEN);
    else
        reply_no_content(resp);
done:
    json_decref(body);
}

/* territory=LEVEL:CODE for the queue (region, departement or commune). */
static bool ed_queue_territory(const req_t *req, resp_t *resp, char *level, size_t level_size,
                               char *code, size_t code_size, bool *has) {
    char buf[40];
    const char *t;
    *has = false;
    if (!param_text(req, resp, "territory", sizeof buf - 1, buf, &t))
        return false;
    if (t == NULL)
        return true;
    const char *colon = strchr(t, ':');
    size_t n = colon ? (size_t)(colon - t) : 0;
    bool level_ok = colon && ((n == 6 && strncmp(t, "region", 6) == 0) ||
                              (n == 11 && strncmp(t, "departement", 11) == 0) ||
                              (n == 7 && strncmp(t, "commune", 7) == 0));
    size_t clen = colon ? strlen(colon + 1) : 0;
    if (!level_ok || clen == 0 || clen >= code_size || strspn(colon + 1, "0123456789AB") != clen) {
        resp_error(resp, 400, "invalid_parameter",
                   "territory doit être de la forme region:53, departement:35 ou "
                   "commune:35238.",
                   "territory");
        return false;
    }
    snprintf(level, level_size, "%.*s", (int)n, t);
    snprintf(code, code_size, "%s", colon + 1);
    *has = true;
    return true;
}

void handle_moderation_queue(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    actor_t actor;
    char kind_buf[24], theme_buf[72], cursor_buf[96], level[16], code[16];
    const char *kind, *theme, *cursor;
    bool has_territory;
    queue_filter_t f = {0};
    json_t *out;
    if (!auth_require(app, req, resp, &actor) || !auth_allow(resp, &actor, POLICY_MODERATE, NULL) ||
        !param_text(req, resp, "kind", sizeof kind_buf - 1, kind_buf, &kind) ||
        !param_text(req, resp, "theme", sizeof theme_buf - 1, theme_buf, &theme) ||
        !param_text(req, resp, "cursor", sizeof cursor_buf - 1, cursor_buf, &cursor) ||
        !param_int(req, resp, "older_than_days", 0, 0, 3650, &f.older_than_days) ||
        !param_limit(req, resp, 50, QUEUE_PAGE_MAX, &f.limit) ||
        !ed_queue_territory(req, resp, level, sizeof level, code, sizeof code, &has_territory))
        return;
    if (kind != NULL) {
        bool known = false;
        for (size_t i = 0; queue_kinds[i]; i++)
            known = known || strcmp(kind, queue_kinds[i]) == 0;
        if (!known) {
            resp_error(resp, 400, "invalid_parameter",
                       "kind doit valoir proposal, correction, claim, source_change ou report.",
                       "kind");
            return;
        }
    }
    if (cursor != NULL && !queue_cursor_valid(cursor)) {
        resp_error(resp, 400, "invalid_parameter",
                   "cursor ne provient pas de cette file : utilisez son next_cursor.", "cursor");
        return;
    }
    f.kind = kind;
    f.theme = theme;
    f.territory_level = has_territory ? level : NULL;
    f.territory_code = has_territory ? code : NULL;
    f.after = cursor;
    dom_status st = queue_list(app->db, &f, &out);
    if (st != DOM_OK)
        reply_failure(resp, st, NULL);
    else
        resp_json(resp, 200, out);
}

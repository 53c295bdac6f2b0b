#include "http/edit_input.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "domain/edits/fields.h"
#include "http/auth.h"
#include "http/body.h"
#include "http/reply.h"

bool edit_fields(app_t *app, resp_t *resp, const json_t *raw, bool non_empty, json_t **out) {
    fields_error_t err;
    *out = NULL;
    if (non_empty && json_is_object(raw) && json_object_size(raw) == 0) {
        resp_error(resp, 400, "invalid_field", "Indiquez au moins un champ à modifier.", "fields");
        return false;
    }
    dom_status st = fields_check(app->db, raw, out, &err);
    if (st != DOM_OK) {
        reply_failure(resp, st, NULL);
        return false;
    }
    if (*out == NULL) {
        resp_error(resp, 400, "invalid_field", err.message, err.field);
        return false;
    }
    return true;
}

bool edit_rate_limit(app_t *app, resp_t *resp, const actor_t *actor, const char *kind) {
    char uid[24];
    snprintf(uid, sizeof uid, "%" PRId64, actor->user_id);
    return auth_rate_limit(app, resp, kind, uid, 60, 3600);
}

bool edit_reason_given(resp_t *resp, const json_t *body) {
    const char *decision = body_str(body, "decision");
    const char *reason = body_str(body, "reason");
    if (decision == NULL || strcmp(decision, "approve") == 0 || strcmp(decision, "keep") == 0 ||
        strcmp(decision, "take_source") == 0 || (reason != NULL && reason[0] != '\0'))
        return true;
    resp_error(resp, 400, "invalid_field",
               "Donnez la raison de cette décision : elle est envoyée à la personne.", "reason");
    return false;
}

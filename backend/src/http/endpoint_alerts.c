/* The one-click unsubscribe of alert e-mails (RFC 8058): the signed token of the e-mail is the
 * only credential, so no session and no CSRF token are asked. GET only tells what the token would
 * turn off (the page /desabonnement shows it, and a link scanner that follows links changes
 * nothing); POST turns it off. */
#include <string.h>

#include "core/log.h"
#include "domain/alert.h"
#include "http/app.h"
#include "http/handlers.h"
#include "http/reply.h"

#define INVALID_TOKEN "Ce lien de désabonnement n'est pas valide."

/* The saved search named by the request's token, or false with the 400 written. */
static bool token_id(const req_t *req, resp_t *resp, const app_t *app, int64_t *id) {
    const url_param_t *p = req_query(req, "token");
    /* Personal: neither nginx nor a browser may keep it. */
    if (!resp_header(resp, "Cache-Control", "private, no-store"))
        log_msg(LOG_WARN, "Cache-Control header dropped");
    if (p == NULL || strlen(p->value) >= ALERT_TOKEN_LEN ||
        !alert_token_check(app->cfg->secret_key, strlen(app->cfg->secret_key), p->value, id)) {
        resp_error(resp, 400, "invalid_token", INVALID_TOKEN, "token");
        return false;
    }
    return true;
}

static void reply_alert(resp_t *resp, dom_status st, const char *status, const char *name) {
    if (st == DOM_NOT_FOUND) { /* a saved search deleted since: the link no longer means anything */
        resp_error(resp, 400, "invalid_token", INVALID_TOKEN, "token");
        return;
    }
    if (st != DOM_OK) {
        reply_failure(resp, st, NULL);
        return;
    }
    json_t *body = json_pack("{s:s,s:s}", "status", status, "name", name);
    if (body == NULL) {
        reply_failure(resp, DOM_INTERNAL, NULL);
        return;
    }
    resp_json(resp, 200, body);
}

void handle_alert_unsubscribe_check(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    int64_t id;
    char name[ALERT_NAME_MAX];
    bool active = false;
    if (!token_id(req, resp, app, &id))
        return;
    dom_status st = alert_describe(app->db, id, name, &active);
    reply_alert(resp, st, active ? "valid" : "unsubscribed", name);
}

void handle_alert_unsubscribe(const req_t *req, resp_t *resp, void *ctx) {
    app_t *app = ctx;
    int64_t id;
    char name[ALERT_NAME_MAX];
    if (!token_id(req, resp, app, &id))
        return;
    dom_status st = alert_unsubscribe(app->db, id, name);
    reply_alert(resp, st, "unsubscribed", name);
}

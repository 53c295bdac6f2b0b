#include "jobs/job_alerts.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/log.h"
#include "domain/alert.h"
#include "domain/initiative.h"
#include "domain/outbox.h"
#include "http/search_params.h"

#define QS_MAX   (8 * 1024)   /* the saved parameters as a query string */
#define BODY_MAX (128 * 1024) /* 50 titles of 300 characters (1,200 bytes) and their links fit */

static bool pct_encode(buf_t *out, const char *s) {
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned char c = *p;
        bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                     c == '-' || c == '_' || c == '.' || c == '~';
        char enc[3] = {'%', hex[c >> 4], hex[c & 15]};
        if (!(plain ? buf_append(out, p, 1) : buf_append(out, enc, 3)))
            return false;
    }
    return true;
}

/* The parameters a saved search keeps (docs/api.md, "The personal space"): not the page's
 * (cursor, limit), which would make an alert list one page of a listing, or fail when stale. */
static bool saved_param(const char *key) {
    static const char *const keys[] = {"q",        "theme", "subtheme", "actor_type", "public",
                                       "scale",    "stage", "source",   "territory",  "year_min",
                                       "year_max", "near",  "bbox",     "sort",       NULL};
    for (size_t i = 0; keys[i]; i++)
        if (strcmp(key, keys[i]) == 0)
            return true;
    return false;
}

bool job_alerts_query_string(const json_t *params, buf_t *out) {
    const char *key;
    json_t *v;
    bool first = true;
    json_object_foreach((json_t *)params, key, v) {
        if (!json_is_string(v) || !saved_param(key))
            continue;
        if ((!first && !buf_append_str(out, "&")) || !pct_encode(out, key) ||
            !buf_append_str(out, "=") || !pct_encode(out, json_string_value(v)))
            return false;
        first = false;
    }
    return true;
}

/* A line of text from data (a name, a title) for a subject or a list: control characters become
 * spaces, so that it stays one line. */
static void one_line(char *s) {
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            *s = ' ';
}

/* The e-mail of an alert with total matches (items: the first ones), queued in mail_outbox. */
static dom_status queue_mail(const job_ctx_t *ctx, const alert_due_t *due, const char *qs,
                             const json_t *items, long total) {
    char token[ALERT_TOKEN_LEN], name[ALERT_NAME_MAX], subject[700], unsub[1024];
    buf_t body;
    json_t *headers = NULL;
    dom_status st = DOM_INTERNAL;
    size_t i;
    json_t *it;
    int64_t id;
    buf_init(&body, BODY_MAX);
    if (!alert_token_make(ctx->secret_key, strlen(ctx->secret_key), due->id, token))
        goto done;
    snprintf(name, sizeof name, "%s", due->name);
    one_line(name);
    snprintf(subject, sizeof subject, "%ld nouveauté%s pour votre recherche « %s »", total,
             total > 1 ? "s" : "", name);
    bool ok = buf_appendf(&body,
                          "Bonjour,\n\n%ld initiative%s %s été ajoutée%s ou modifiée%s depuis "
                          "la dernière alerte de votre recherche « %s » :\n\n",
                          total, total > 1 ? "s" : "", total > 1 ? "ont" : "a",
                          total > 1 ? "s" : "", total > 1 ? "s" : "", name);
    json_array_foreach(items, i, it) {
        char title[1201]; /* 300 characters of up to 4 bytes: never cut inside one */
        snprintf(title, sizeof title, "%s", json_string_value(json_object_get(it, "title")));
        one_line(title);
        ok = ok && buf_appendf(&body, "- %s\n  %s/initiatives/%" JSON_INTEGER_FORMAT "\n\n", title,
                               ctx->public_url, json_integer_value(json_object_get(it, "id")));
    }
    if ((long)json_array_size(items) < total)
        ok = ok && buf_appendf(&body, "… et %ld autre%s.\n\n", total - (long)json_array_size(items),
                               total - (long)json_array_size(items) > 1 ? "s" : "");
    ok = ok &&
         buf_appendf(&body,
                     "Voir toute la recherche :\n%s/?%s\n\n-- \nVous recevez ce message car vous "
                     "avez activé une alerte %s sur SocialConnect.\nPour ne plus recevoir cette "
                     "alerte, en un clic :\n%s/desabonnement?token=%s\n",
                     ctx->public_url, qs,
                     strcmp(due->frequency, "daily") == 0 ? "quotidienne" : "hebdomadaire",
                     ctx->public_url, token);
    snprintf(unsub, sizeof unsub, "<%s/api/v1/alerts/unsubscribe?token=%s>", ctx->public_url,
             token);
    headers = json_pack("{s:s,s:s}", "List-Unsubscribe", unsub, "List-Unsubscribe-Post",
                        "List-Unsubscribe=One-Click");
    if (!ok || headers == NULL) {
        log_msg(LOG_ERROR, "alert %" PRId64 ": the e-mail is too large", due->id);
        goto done;
    }
    st = outbox_queue(ctx->db, "alert", due->email, subject, buf_cstr(&body), headers, &id);
done:
    json_decref(headers);
    buf_free(&body);
    return st;
}

/* One due alert, in one transaction. *queued: 1 when an e-mail was queued. DOM_NOT_FOUND when
 * none is due. */
static dom_status run_one(const job_ctx_t *ctx, int *queued) {
    alert_due_t due = {0};
    buf_t qs;
    req_t req;
    resp_t resp;
    search_query_t sq;
    search_params_store_t store;
    search_error_t err;
    json_t *items = NULL;
    long total = 0;
    bool have_req = false;
    *queued = 0;
    buf_init(&qs, QS_MAX);
    resp_init(&resp, 4096);
    dom_status st = dom_from_db(db_tx_begin(ctx->db));
    if (st != DOM_OK)
        goto done;
    st = alert_take_due(ctx->db, &due);
    if (st != DOM_OK)
        goto failed;
    /* Parameters that no longer hold (too long, a code since removed…) cannot be searched: the
     * alert is passed over until its owner changes the search, and the next is counted from now
     * so that it is not tried again at every pass. */
    bool usable = job_alerts_query_string(due.params, &qs);
    req_status rs = req_parse(&req, "GET", "/api/v1/search", usable ? buf_cstr(&qs) : "", NULL, 0);
    have_req = true; /* req_free whatever req_parse answered */
    usable = usable && rs == REQ_OK && search_params_parse(&req, &resp, ctx->db, &sq, &store);
    search_status ss = SEARCH_SYNTAX;
    if (usable) {
        sq.changed_since = due.since;
        ss = alert_matches(ctx->db, &sq, &items, &total, &err);
        if (ss == SEARCH_FAILED) {
            st = err.dom;
            goto failed;
        }
    }
    if (ss != SEARCH_OK)
        log_msg(LOG_WARN,
                "alert %" PRId64 ": its saved parameters cannot be searched (%s); passed over",
                due.id, usable ? search_status_text(ss) : "they no longer read");
    if (ss == SEARCH_OK && total > 0) {
        st = queue_mail(ctx, &due, buf_cstr(&qs), items, total);
        if (st != DOM_OK)
            goto failed;
        *queued = 1;
    }
    st = alert_done(ctx->db, due.id);
    if (st != DOM_OK)
        goto failed;
    st = dom_from_db(db_tx_commit(ctx->db));
    if (st == DOM_OK)
        log_msg(LOG_INFO, "alert %" PRId64 ": %ld new, %s", due.id, total,
                *queued ? "e-mail queued" : "nothing sent");
    else
        *queued = 0;
    goto done;

failed:
    db_tx_rollback(ctx->db);
done:
    if (have_req)
        req_free(&req);
    resp_free(&resp);
    json_decref(items);
    alert_due_clear(&due);
    buf_free(&qs);
    return st;
}

dom_status job_alerts_run_due(const job_ctx_t *ctx, long *queued) {
    *queued = 0;
    while (!*ctx->stop) {
        int q;
        dom_status st = run_one(ctx, &q);
        if (st == DOM_NOT_FOUND)
            return DOM_OK;
        if (st != DOM_OK)
            return st;
        *queued += q;
    }
    return DOM_OK;
}

#include "domain/outbox.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/rows.h"
#include "domain/status.h"

#define STR(x)  #x
#define XSTR(x) STR(x)

const db_stmt_t outbox_stmts[] = {
        {"outbox_queue",
         "INSERT INTO mail_outbox (kind, to_addr, subject, body_text, headers)"
         " VALUES ($1, $2, $3, $4, $5::jsonb) RETURNING id",
         5, false},
        /* The oldest due message; SKIP LOCKED leaves the ones other runners are sending. */
        {"outbox_take",
         "SELECT id, attempts, to_addr, subject, body_text, headers::text FROM mail_outbox"
         " WHERE status = 'queued' AND next_attempt_at <= sc_now()"
         " ORDER BY next_attempt_at, id LIMIT 1 FOR UPDATE SKIP LOCKED",
         0, false},
        {"outbox_sent",
         "UPDATE mail_outbox SET status = 'sent', sent_at = now(), attempts = attempts + 1,"
         " last_error = NULL WHERE id = $1::bigint",
         1, false},
        /* Back-off: 1 min, 2, 4… 6 h at most, from the clock of the rules (sc_now) so that the
         * tests can move it; failed for good after OUTBOX_MAX_ATTEMPTS. */
        {"outbox_failed",
         "UPDATE mail_outbox SET attempts = attempts + 1, last_error = $2,"
         " status = CASE WHEN $3::boolean OR attempts + 1 >= " XSTR(
                 OUTBOX_MAX_ATTEMPTS) " THEN 'failed' ELSE 'queued' END,"
                                      " next_attempt_at = sc_now() + LEAST(interval '1 minute' *"
                                      " power(2, attempts), interval '6 hours')"
                                      " WHERE id = $1::bigint",
         3, false},
        {NULL, NULL, 0, false},
};

dom_status outbox_queue(db_t *db, const char *kind, const char *to, const char *subject,
                        const char *body, const json_t *headers, int64_t *id) {
    char *h = headers ? json_dumps(headers, JSON_COMPACT) : NULL;
    const char *params[] = {kind, to, subject, body, h ? h : "{}"};
    PGresult *r = NULL;
    dom_status st = DOM_INTERNAL;
    *id = 0;
    if (headers && h == NULL)
        goto done;
    st = dom_from_db(db_exec(db, "outbox_queue", 5, params, &r));
    if (st == DOM_OK)
        *id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
done:
    PQclear(r);
    free(h);
    return st;
}

void outbox_msg_clear(outbox_msg_t *msg) {
    free(msg->to);
    free(msg->subject);
    free(msg->body);
    json_decref(msg->headers);
    memset(msg, 0, sizeof *msg);
}

dom_status outbox_take(db_t *db, outbox_msg_t *msg) {
    PGresult *r = NULL;
    memset(msg, 0, sizeof *msg);
    dom_status st = dom_exec_one(db, "outbox_take", 0, NULL, &r);
    if (st != DOM_OK)
        goto done;
    msg->id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    msg->attempts = atoi(PQgetvalue(r, 0, 1));
    msg->to = strdup(PQgetvalue(r, 0, 2));
    msg->subject = strdup(PQgetvalue(r, 0, 3));
    msg->body = strdup(PQgetvalue(r, 0, 4));
    msg->headers = json_loads(PQgetvalue(r, 0, 5), 0, NULL);
    if (msg->to == NULL || msg->subject == NULL || msg->body == NULL ||
        !json_is_object(msg->headers)) {
        outbox_msg_clear(msg);
        st = DOM_INTERNAL;
    }
done:
    PQclear(r);
    return st;
}

dom_status outbox_mark_sent(db_t *db, int64_t id) {
    char ids[24];
    snprintf(ids, sizeof ids, "%" PRId64, id);
    const char *params[] = {ids};
    PGresult *r = NULL;
    dom_status st = dom_from_db(db_exec(db, "outbox_sent", 1, params, &r));
    PQclear(r);
    return st;
}

dom_status outbox_mark_failed(db_t *db, int64_t id, const char *error, bool permanent) {
    char ids[24], cut[OUTBOX_ERROR_MAX + 1];
    snprintf(ids, sizeof ids, "%" PRId64, id);
    /* Cut between characters: the column is text and must stay valid UTF-8. */
    size_t n = strlen(error);
    if (n > OUTBOX_ERROR_MAX) {
        n = OUTBOX_ERROR_MAX;
        while (n > 0 && ((unsigned char)error[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(cut, error, n);
    cut[n] = '\0';
    const char *params[] = {ids, cut, permanent ? "true" : "false"};
    PGresult *r = NULL;
    dom_status st = dom_from_db(db_exec(db, "outbox_failed", 3, params, &r));
    PQclear(r);
    return st;
}

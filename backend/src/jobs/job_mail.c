#include "jobs/job_mail.h"

#include <inttypes.h>
#include <stdio.h>
#include <time.h>

#include "core/log.h"
#include "domain/initiative.h"
#include "domain/outbox.h"
#include "jobs/smtp.h"

/* One message: taken, sent, marked, committed — or, on a database failure, rolled back, which
 * leaves it queued for the next pass. *outcome: 1 sent, -1 failed, 0 none due. */
static dom_status send_one(const job_ctx_t *ctx, int *outcome) {
    outbox_msg_t msg = {0};
    buf_t raw;
    char err[SMTP_ERR_MAX], mid[128];
    buf_init(&raw, MAIL_MSG_MAX);
    *outcome = 0;
    dom_status st = dom_from_db(db_tx_begin(ctx->db));
    if (st != DOM_OK)
        return st;
    st = outbox_take(ctx->db, &msg);
    if (st != DOM_OK)
        goto failed;
    /* The same Message-ID at every attempt: a receiver that got a message whose acknowledgement
     * we did not record drops the second copy. */
    snprintf(mid, sizeof mid, "<outbox-%" PRId64 "@%s>", msg.id, smtp_domain(ctx->smtp));
    mail_msg_t m = {
            .from_name = smtp_from_name(ctx->smtp),
            .from_addr = smtp_from_addr(ctx->smtp),
            .to = msg.to,
            .subject = msg.subject,
            .body = msg.body,
            .message_id = mid,
            .date = time(NULL),
            .headers = msg.headers,
    };
    smtp_result res = SMTP_PERMANENT;
    if (mail_msg_format(&m, &raw, err, sizeof err))
        res = smtp_send(ctx->smtp, msg.to, raw.data, raw.len, err, sizeof err);
    if (res == SMTP_SENT)
        st = outbox_mark_sent(ctx->db, msg.id);
    else
        st = outbox_mark_failed(ctx->db, msg.id, err, res == SMTP_PERMANENT);
    if (st != DOM_OK)
        goto failed;
    st = dom_from_db(db_tx_commit(ctx->db));
    if (st != DOM_OK) { /* sent but not recorded: it goes again, with the same Message-ID */
        log_msg(LOG_WARN, "mail %" PRId64 ": its outcome could not be recorded", msg.id);
        goto done;
    }
    *outcome = res == SMTP_SENT ? 1 : -1;
    if (res == SMTP_SENT)
        log_msg(LOG_INFO, "mail %" PRId64 " sent (%s)", msg.id, msg.subject);
    else
        log_msg(LOG_WARN, "mail %" PRId64 " not sent (attempt %d%s): %s", msg.id, msg.attempts + 1,
                res == SMTP_PERMANENT ? ", permanent" : "", err);
    goto done;

failed:
    db_tx_rollback(ctx->db);
done:
    outbox_msg_clear(&msg);
    buf_free(&raw);
    return st;
}

dom_status job_mail_send_due(const job_ctx_t *ctx, long *sent, long *failed) {
    *sent = *failed = 0;
    while (!*ctx->stop) {
        int outcome;
        dom_status st = send_one(ctx, &outcome);
        if (st == DOM_NOT_FOUND)
            return DOM_OK;
        if (st != DOM_OK)
            return st;
        *sent += outcome > 0;
        *failed += outcome < 0;
    }
    return DOM_OK;
}

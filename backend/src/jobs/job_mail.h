/* job_mail: sends the due messages of mail_outbox (domain/outbox.h), one transaction each:
 * lock the row, send, mark it sent or failed, commit. docs/architecture.md, "E-mail". */
#ifndef SC_JOB_MAIL_H
#define SC_JOB_MAIL_H

#include "domain/status.h"
#include "jobs/job.h"

/* Sends until nothing is due or *ctx->stop. *sent and *failed count the attempts of this call.
 * DOM_OK also when some messages failed (they wait for their next attempt); another status when
 * PostgreSQL failed. */
dom_status job_mail_send_due(const job_ctx_t *ctx, long *sent, long *failed) MUST_CHECK;

#endif

/* job_alerts: the e-mail alerts of saved searches (domain/alert.h). For each due saved search,
 * in one transaction: its saved parameters are read as GET /api/v1/search reads them
 * (http/search_params.c), the matches new since the last alert are listed, one e-mail is queued
 * in mail_outbox when there is any, and the next alert is counted from now. */
#ifndef SC_JOB_ALERTS_H
#define SC_JOB_ALERTS_H

#include <jansson.h>

#include "core/buf.h"
#include "domain/status.h"
#include "jobs/job.h"

/* Runs every due alert until none is left or *ctx->stop; *queued counts the e-mails queued. */
dom_status job_alerts_run_due(const job_ctx_t *ctx, long *queued) MUST_CHECK;

/* The query string of saved parameters (an object of strings), each name and value
 * percent-encoded, appended to out: only the parameters a saved search keeps (q, the filters,
 * territory, years, near, bbox, sort); others and non-strings are skipped. False when out's cap
 * is reached. For the tests too. */
bool job_alerts_query_string(const json_t *params, buf_t *out) MUST_CHECK;

#endif

/* job_communities: the task "communities" of the job runner — the feed events of initiatives newly
 * published in each community's territory and themes, then the digest e-mails due (daily or
 * weekly per membership), each in a transaction of its own, queued in the outbox only when the
 * community's feed has anything new since the member's previous digest (domain/community/feed.h).
 */
#ifndef SC_JOB_COMMUNITIES_H
#define SC_JOB_COMMUNITIES_H

#include "domain/status.h"
#include "jobs/job.h"

/* Runs the scan and every due digest until none is left or *ctx->stop; *digests counts the
 * memberships handled. */
dom_status job_communities_run(const job_ctx_t *ctx, long *digests) MUST_CHECK;

#endif

/* job_usage: the task "usage" of the job runner — adds the uses of API keys that the API counted
 * in Redis (http/partner.c: per key and day, and each key's last use) to PostgreSQL
 * (apikey_use_add), so that a request with a key costs PostgreSQL no write.
 *
 * The counters are taken from Redis and deleted in one script (no use counted twice by two
 * runners); when PostgreSQL then refuses them they are put back. What Redis held and no runner had
 * taken yet is lost with Redis: at most the uses since the last pass. */
#ifndef SC_JOB_USAGE_H
#define SC_JOB_USAGE_H

#include "domain/status.h"
#include "jobs/job.h"
#include "storage/cache.h"

/* One flush. *keys receives the number of (key, day) counters written. DOM_OK also when Redis
 * cannot be reached (nothing to do then; logged once). */
dom_status job_usage_flush(const job_ctx_t *ctx, cache_t *cache, long *keys) MUST_CHECK;

#endif

/* job_harvest: the queue of harvests (table harvest_job, harvest/store.h). The runner queues a job
 * for every source whose period is due, takes the oldest job (FOR UPDATE SKIP LOCKED) and
 * harvests it in a child process with its own connection, so that a harvest of several minutes
 * does not hold up e-mails: the loop goes on while the child runs. At most `lanes` harvests run
 * at once per runner. */
#ifndef SC_JOB_HARVEST_H
#define SC_JOB_HARVEST_H

#include <stdint.h>
#include <sys/types.h>

#include "domain/status.h"
#include "jobs/job.h"

#define JOB_HARVEST_LANES_MAX 8

typedef struct job_harvest {
    int lanes;                              /* 1..JOB_HARVEST_LANES_MAX */
    pid_t pids[JOB_HARVEST_LANES_MAX];      /* 0: a free lane */
    int64_t job_ids[JOB_HARVEST_LANES_MAX]; /* the job each child runs */
} job_harvest_t;

/* Prepares the lanes (nothing runs yet). */
void job_harvest_init(job_harvest_t *h, int lanes);

/* Reaps the children that ended, then queues due sources and starts harvests while a lane is
 * free and a job waits. With wait_all (--once), also waits for every child before returning, so
 * that one pass does every waiting job. *started counts the harvests started. */
dom_status job_harvest_step(job_harvest_t *h, const job_ctx_t *ctx, bool wait_all,
                            long *started) MUST_CHECK;

/* Asks every child to stop (SIGTERM: it ends its run as "partial" and records it) and waits. */
void job_harvest_stop(job_harvest_t *h);

/* Whether a child is still running. */
bool job_harvest_busy(const job_harvest_t *h);

#endif

/* job_index: the task "index" of the job runner — builds the counting index (index/cidx.h) from
 * PostgreSQL into one file, SC_INDEX_FILE, written atomically (docs/architecture.md, "Counting
 * index").
 *
 * The file is built from one REPEATABLE READ snapshot and records that snapshot's xmin: the API
 * counts the initiatives changed since (initiative_change rows at or above it) in SQL. The task
 * rebuilds when that dirty set passes SC_INDEX_DIRTY_MAX initiatives, or when it is not empty and
 * the file is older than SC_INDEX_EVERY_S seconds, or when there is no usable file at the runner's
 * start or SC_INDEX_EVERY_S after its last build; with --once, always. */
#ifndef SC_JOB_INDEX_H
#define SC_JOB_INDEX_H

#include "domain/status.h"
#include "jobs/job.h"

typedef struct job_index_cfg {
    const char *path; /* borrowed: SC_INDEX_FILE */
    long dirty_max;   /* SC_INDEX_DIRTY_MAX */
    long every_s;     /* SC_INDEX_EVERY_S */
} job_index_cfg_t;

/* The path of SC_INDEX_FILE or its default (static or the environment's). */
const char *job_index_path(void);

/* Builds the file now. *bytes receives its size. */
dom_status job_index_build(const job_ctx_t *ctx, const char *path, long *bytes) MUST_CHECK;

/* Builds when due (see above); *built is 1 when it did. */
dom_status job_index_run_due(const job_ctx_t *ctx, const job_index_cfg_t *cfg, bool once,
                             long *built) MUST_CHECK;

#endif

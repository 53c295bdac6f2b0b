/* job_export: the whole catalogue as files, each night and on demand (README.md, "Exports").
 *
 * Writes, into the export directory, catalogue.csv.gz and catalogue.ndjson.gz (gzip, from one read
 * of the published initiatives through a cursor: memory flat whatever their number) and
 * manifest.json (generated_at, the number of records, each file's size and SHA-256, the licence
 * and attribution of every source). Each file is written under a temporary name, flushed to disk
 * (fsync) and renamed over the old one, data files first and the manifest last: a reader sees the
 * old complete files until the new ones are complete. Several runners may run at once: one writes
 * at a time (a PostgreSQL advisory lock), the others skip. */
#ifndef SC_JOB_EXPORT_H
#define SC_JOB_EXPORT_H

#include "domain/status.h"
#include "jobs/job.h"

typedef struct job_export_cfg {
    const char *dir; /* borrowed: SC_EXPORT_DIR (default var/exports), created if missing */
    int hour;        /* SC_EXPORT_HOUR: the hour of the day (local time, 0-23) of the nightly run */
} job_export_cfg_t;

/* Writes the files when they are due — now >= today at cfg->hour and the manifest older than
 * that — or always when `now` is set. *rows: the records written, -1 when nothing was due. */
dom_status job_export_run_due(const job_ctx_t *ctx, const job_export_cfg_t *cfg, bool now,
                              long *rows) MUST_CHECK;

#endif

#include "jobs/job_harvest.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/log.h"
#include "domain/geocoder.h"
#include "domain/territory.h"
#include "harvest/run.h"
#include "harvest/store.h"

void job_harvest_init(job_harvest_t *h, int lanes) {
    memset(h, 0, sizeof *h);
    h->lanes = lanes < 1 ? 1 : lanes > JOB_HARVEST_LANES_MAX ? JOB_HARVEST_LANES_MAX : lanes;
}

bool job_harvest_busy(const job_harvest_t *h) {
    for (int i = 0; i < h->lanes; i++)
        if (h->pids[i] > 0)
            return true;
    return false;
}

/* The child: its own connection (the parent's must never be used or closed here: closing it
 * would end the parent's session on the shared socket), one run, its job recorded, _exit. */
static void child_run(const job_ctx_t *ctx, int64_t job_id, const char *slug) {
    static const db_stmt_t *const sets[] = {hv_store_stmts, geocoder_stmts, territory_stmts};
    /* As socialconnect-harvest: every record is its own transaction, and waiting for the WAL
     * flush of each would make the disk, not the sources, set the pace. */
    setenv("PGOPTIONS", "-c synchronous_commit=off", 0);
    db_t *db = db_open(ctx->pg_dsn, sets, ARRAY_LEN(sets));
    hv_run_options opt;
    char ua[300], err[200];
    int64_t run_id = 0;
    int rc = 3;
    if (db == NULL)
        _exit(3);
    if (hv_run_options_env(&opt, ua, sizeof ua, ctx->stop, err, sizeof err)) {
        rc = hv_run_stored(db, slug, &opt, &run_id);
        json_decref(opt.geocache);
    } else {
        fprintf(stderr, "%s: %s\n", slug, err);
    }
    if (hv_store_job_finish(db, job_id, rc == 0, run_id) != DOM_OK)
        log_msg(LOG_ERROR, "harvest job %" PRId64 ": cannot record its end", job_id);
    db_close(db);
    fflush(NULL);
    _exit(rc == 0 ? 0 : 1);
}

/* Collects the children that ended; one killed before it recorded its job gets it failed. */
static void reap(job_harvest_t *h, const job_ctx_t *ctx, bool block) {
    for (int i = 0; i < h->lanes; i++) {
        int status;
        if (h->pids[i] <= 0)
            continue;
        pid_t r = waitpid(h->pids[i], &status, block ? 0 : WNOHANG);
        if (r == 0 || (r < 0 && errno == EINTR))
            continue;
        if (r > 0 && WIFSIGNALED(status)) {
            log_msg(LOG_WARN, "harvest job %" PRId64 ": its process was killed (signal %d)",
                    h->job_ids[i], WTERMSIG(status));
            if (hv_store_job_finish(ctx->db, h->job_ids[i], false, 0) != DOM_OK)
                log_msg(LOG_ERROR, "harvest job %" PRId64 ": cannot record its end", h->job_ids[i]);
        }
        h->pids[i] = 0;
    }
}

static int free_lane(const job_harvest_t *h) {
    for (int i = 0; i < h->lanes; i++)
        if (h->pids[i] <= 0)
            return i;
    return -1;
}

dom_status job_harvest_step(job_harvest_t *h, const job_ctx_t *ctx, bool wait_all, long *started) {
    char worker[300], host[200] = "?";
    dom_status st = DOM_OK;
    long queued;
    *started = 0;
    gethostname(host, sizeof host - 1);
    snprintf(worker, sizeof worker, "%s:%ld", host, (long)getpid());
    reap(h, ctx, false);
    st = hv_store_jobs_schedule(ctx->db, &queued);
    while (st == DOM_OK && !*ctx->stop) {
        int lane = free_lane(h);
        if (lane < 0) {
            if (!wait_all)
                break;
            reap(h, ctx, true);
            continue;
        }
        int64_t job_id;
        char *slug = NULL;
        st = hv_store_job_take(ctx->db, worker, &job_id, &slug);
        if (st != DOM_OK)
            break;
        fflush(NULL);
        pid_t pid = fork();
        if (pid == 0)
            child_run(ctx, job_id, slug);
        if (pid < 0) {
            log_msg(LOG_ERROR, "harvest job %" PRId64 ": fork: %s", job_id, strerror(errno));
            if (hv_store_job_finish(ctx->db, job_id, false, 0) != DOM_OK)
                log_msg(LOG_ERROR, "harvest job %" PRId64 ": cannot record its end", job_id);
            free(slug);
            st = DOM_INTERNAL;
            break;
        }
        log_msg(LOG_INFO, "harvest job %" PRId64 " (%s) started in process %ld", job_id, slug,
                (long)pid);
        free(slug);
        h->pids[lane] = pid;
        h->job_ids[lane] = job_id;
        (*started)++;
    }
    if (wait_all)
        while (job_harvest_busy(h))
            reap(h, ctx, true);
    return st == DOM_NOT_FOUND ? DOM_OK : st;
}

void job_harvest_stop(job_harvest_t *h) {
    for (int i = 0; i < h->lanes; i++)
        if (h->pids[i] > 0)
            kill(h->pids[i], SIGTERM);
    for (int i = 0; i < h->lanes; i++) {
        int status;
        while (h->pids[i] > 0 && waitpid(h->pids[i], &status, 0) < 0 && errno == EINTR)
            ;
        h->pids[i] = 0;
    }
}

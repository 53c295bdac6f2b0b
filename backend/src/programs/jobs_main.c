/* socialconnect-jobs: the job runner. One loop over every kind of background work kept in
 * PostgreSQL: harvests (harvest_job), saved-search alerts, the e-mails of mail_outbox, and the
 * removal of expired sessions and links (hourly). Each item is taken with FOR UPDATE SKIP LOCKED,
 * so several runners may run at once, on one host or several. docs/architecture.md, "The job
 * runner" and "E-mail".
 *
 *   socialconnect-jobs [--once] [--only TASK,…]
 *
 * --once does one pass of everything due (waiting for the harvests it started) and exits: for
 * tests and cron. --only restricts the tasks (harvest, alerts, mail, cleanup, export; default
 * all). index builds the counting index (jobs/job_index.h) into SC_INDEX_FILE, at once with --once.
 * export writes the whole-catalogue files (jobs/job_export.h) each night at SC_EXPORT_HOUR
 * into SC_EXPORT_DIR, and at once with --once.
 * SIGTERM/SIGINT: the item in hand is finished (a harvest ends as "partial"), then the runner
 * exits. SIGUSR1: the log file SC_LOG_FILE is reopened (after log rotation).
 *
 * Configuration from the environment (README.md): SC_PG_DSN (else the libpq variables PGHOST…),
 * SC_JOBS_POLL_MS (the longest wait between passes; a queued e-mail wakes the runner at once
 * through LISTEN mail_outbox), SC_JOBS_HARVESTS (harvests at once), SC_PUBLIC_URL (links in
 * e-mails), SC_SECRET_KEY (signs unsubscribe links; required for alerts), SC_CHANGES_KEEP_DAYS
 * (cleanup: the age past which superseded entries of the change log go, default 30), the SMTP
 * variables of jobs/smtp.h and the harvester's SC_HARVEST_* variables. */
#include <curl/curl.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "domain/expiry.h"
#include "domain/outbox.h"
#include "harvest/store.h"
#include "http/handlers.h"
#include "jobs/job_alerts.h"
#include "jobs/job_communities.h"
#include "jobs/job_export.h"
#include "jobs/job_harvest.h"
#include "jobs/job_index.h"
#include "jobs/job_mail.h"
#include "jobs/job_usage.h"
#include "jobs/smtp.h"

#define DEFAULT_DSN     "host=127.0.0.1 port=5433 dbname=socialconnect user=socialconnect"
#define CLEANUP_EVERY_S 3600
/* Batches of the change log's compaction per cleanup: 1,000 × 5,000 entries walked, enough for a
 * harvest of every record of a million-row catalogue per hour. */
#define CHANGES_BATCHES_MAX 1000
#define SETS_MAX            48

enum {
    TASK_HARVEST = 1,
    TASK_ALERTS = 2,
    TASK_MAIL = 4,
    TASK_CLEANUP = 8,
    TASK_USAGE = 16,
    TASK_EXPORT = 32,
    TASK_COMMUNITIES = 64,
    /* The counting index (jobs/job_index.h): SC_INDEX_FILE rebuilt when the dirty set grows. */
    TASK_INDEX = 128,
    TASK_ALL = 255
};

static volatile sig_atomic_t g_stop;
/* Set by SIGUSR1: log rotation renamed the log; reopen SC_LOG_FILE between two passes (lines
 * written until then go to the renamed file, so none is lost). */
static volatile sig_atomic_t g_reopen;

static void on_signal(int sig) {
    (void)sig;
    g_stop = 1;
}

static void on_reopen(int sig) {
    (void)sig;
    g_reopen = 1;
}

static void usage(FILE *to) {
    fputs("usage: socialconnect-jobs [--once] [--only "
          "harvest,alerts,mail,cleanup,usage,export,communities,index]\n"
          "See docs/architecture.md, \"The job runner\".\n",
          to);
}

static bool parse_tasks(const char *list, int *tasks) {
    /* In the order of the bits above. */
    static const char *const names[] = {"harvest", "alerts", "mail",        "cleanup",
                                        "usage",   "export", "communities", "index"};
    char buf[128];
    *tasks = 0;
    if (strlen(list) >= sizeof buf)
        return false;
    memcpy(buf, list, strlen(list) + 1);
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        int found = 0;
        for (int i = 0; i < (int)ARRAY_LEN(names); i++)
            if (strcmp(t, names[i]) == 0)
                found = 1 << i;
        if (!found)
            return false;
        *tasks |= found;
    }
    return *tasks != 0;
}

static long env_long(const char *name, long def, long min, long max, bool *ok) {
    const char *v = getenv(name);
    if (v == NULL || *v == '\0')
        return def;
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || *end || n < min || n > max) {
        fprintf(stderr, "socialconnect-jobs: %s=%s: expected a number from %ld to %ld\n", name, v,
                min, max);
        *ok = false;
    }
    return n;
}

/* Sleeps up to ms, waking at once on SIGTERM/SIGINT. */
static void nap(long ms) {
    for (long i = 0; i < ms / 50 && !g_stop; i++)
        nanosleep(&(struct timespec){0, 50000000L}, NULL);
}

/* The Redis connection of the task "usage" (SC_REDIS_HOST, SC_REDIS_PORT); NULL without it. */
static cache_t *g_cache;
/* The age past which superseded entries of the change log go (SC_CHANGES_KEEP_DAYS). */
static int g_changes_keep_days = 30;

/* One pass of every task due. Returns false when PostgreSQL failed (the loop then waits). */
static job_index_cfg_t g_index_cfg;

static bool pass(const job_ctx_t *ctx, int tasks, job_harvest_t *hv, bool once,
                 time_t *last_cleanup, const job_export_cfg_t *ecfg) {
    dom_status st = DOM_OK;
    long n1, n2;
    if ((tasks & TASK_HARVEST) && st == DOM_OK)
        st = job_harvest_step(hv, ctx, once, &n1);
    /* Alerts before mail: an alert queued now goes out in the same pass. */
    if ((tasks & TASK_ALERTS) && st == DOM_OK && !g_stop)
        st = job_alerts_run_due(ctx, &n1);
    /* Community digests before mail too. */
    if ((tasks & TASK_COMMUNITIES) && st == DOM_OK && !g_stop)
        st = job_communities_run(ctx, &n1);
    if ((tasks & TASK_MAIL) && st == DOM_OK && !g_stop)
        st = job_mail_send_due(ctx, &n1, &n2);
    if ((tasks & TASK_CLEANUP) && st == DOM_OK && !g_stop &&
        (once || time(NULL) - *last_cleanup >= CLEANUP_EVERY_S)) {
        st = expiry_sweep(ctx->db, &n1, &n2);
        if (st == DOM_OK && n1 + n2 > 0)
            log_msg(LOG_INFO, "removed %ld expired session(s) and %ld used or expired link(s)", n1,
                    n2);
        if (st == DOM_OK)
            st = expiry_compact_changes(ctx->db, g_changes_keep_days, CHANGES_BATCHES_MAX, &n1);
        if (st == DOM_OK) {
            *last_cleanup = time(NULL);
            if (n1 > 0)
                log_msg(LOG_INFO, "removed %ld superseded entry(ies) of the change log", n1);
        }
    }
    /* Every pass: one Redis call when there is nothing to add. */
    if ((tasks & TASK_USAGE) && g_cache != NULL && st == DOM_OK && !g_stop)
        st = job_usage_flush(ctx, g_cache, &n1);
    /* Last: the nightly files take seconds to minutes; e-mails go out first. */
    if ((tasks & TASK_EXPORT) && st == DOM_OK && !g_stop)
        st = job_export_run_due(ctx, ecfg, once, &n1);
    if ((tasks & TASK_INDEX) && st == DOM_OK && !g_stop)
        st = job_index_run_due(ctx, &g_index_cfg, once, &n1);
    if (st != DOM_OK)
        log_msg(LOG_WARN, "job runner: %s", dom_status_text(st));
    return st == DOM_OK;
}

int main(int argc, char **argv) {
    bool once = false, ok = true;
    int tasks = TASK_ALL, rc = 0;
    char err[SMTP_ERR_MAX], public_url[512];
    const char *only = getenv("SC_JOBS_TASKS");
    if (only && *only && !parse_tasks(only, &tasks)) {
        fprintf(stderr, "socialconnect-jobs: SC_JOBS_TASKS: expected "
                        "harvest,alerts,mail,cleanup,usage,export,communities,index\n");
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--once") == 0) {
            once = true;
        } else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
            if (!parse_tasks(argv[++i], &tasks)) {
                usage(stderr);
                return 2;
            }
        } else {
            usage(strcmp(argv[i], "--help") == 0 ? stdout : stderr);
            return strcmp(argv[i], "--help") == 0 ? 0 : 2;
        }
    }
    long poll_ms = env_long("SC_JOBS_POLL_MS", 5000, 10, 3600000, &ok);
    long lanes = env_long("SC_JOBS_HARVESTS", 1, 1, JOB_HARVEST_LANES_MAX, &ok);
    const char *export_dir = getenv("SC_EXPORT_DIR");
    job_export_cfg_t ecfg = {export_dir && *export_dir ? export_dir : "var/exports",
                             (int)env_long("SC_EXPORT_HOUR", 3, 0, 23, &ok)};
    g_changes_keep_days = (int)env_long("SC_CHANGES_KEEP_DAYS", 30, 1, 3650, &ok);
    g_index_cfg = (job_index_cfg_t){job_index_path(),
                                    env_long("SC_INDEX_DIRTY_MAX", 1000, 0, 10000000, &ok),
                                    env_long("SC_INDEX_EVERY_S", 600, 1, 86400 * 7, &ok)};
    if (!ok)
        return 2;
    const char *url = getenv("SC_PUBLIC_URL");
    snprintf(public_url, sizeof public_url, "%s", url && *url ? url : "http://localhost:8080");
    for (size_t n = strlen(public_url); n > 0 && public_url[n - 1] == '/'; n--)
        public_url[n - 1] = '\0';
    const char *secret = getenv("SC_SECRET_KEY");
    if ((tasks & TASK_ALERTS) && (secret == NULL || strlen(secret) < 16)) {
        fprintf(stderr, "socialconnect-jobs: SC_SECRET_KEY must be set (at least 16 characters; "
                        "scripts/stack.sh keeps one in var/secret.key): it signs the unsubscribe "
                        "links of alerts\n");
        return 2;
    }
    const char *dsn = getenv("SC_PG_DSN");
    if (dsn == NULL || *dsn == '\0')
        dsn = getenv("PGHOST") || getenv("PGPORT") ? "" : DEFAULT_DSN;

    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    struct sigaction su = {.sa_handler = on_reopen};
    sigemptyset(&su.sa_mask);
    su.sa_flags = SA_RESTART;
    sigaction(SIGUSR1, &su, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fprintf(stderr, "socialconnect-jobs: libcurl cannot be initialised\n");
        return 3;
    }

    const db_stmt_t *sets[SETS_MAX];
    size_t nroute, nsets = 0;
    const db_stmt_t *const *route_sets = routes_statements(&nroute);
    for (size_t i = 0; i < nroute && nsets < SETS_MAX - 3; i++)
        sets[nsets++] = route_sets[i];
    sets[nsets++] = outbox_stmts;
    sets[nsets++] = expiry_stmts;
    sets[nsets++] = hv_store_stmts;
    smtp_t *smtp = NULL;
    db_t *db = db_open(dsn, sets, nsets);
    job_harvest_t hv;
    job_harvest_init(&hv, (int)lanes);
    if (db == NULL) {
        rc = 3;
        goto done;
    }
    if ((tasks & TASK_MAIL) && (smtp = smtp_open(err, sizeof err)) == NULL) {
        fprintf(stderr, "socialconnect-jobs: %s\n", err);
        rc = 2;
        goto done;
    }
    if (tasks & TASK_USAGE) {
        const char *rh = getenv("SC_REDIS_HOST");
        g_cache = cache_open(rh && *rh ? rh : "127.0.0.1",
                             (int)env_long("SC_REDIS_PORT", 6380, 1, 65535, &ok), 1000);
        if (!ok || g_cache == NULL) {
            rc = 2;
            goto done;
        }
    }
    job_ctx_t ctx = {.db = db,
                     .pg_dsn = dsn,
                     .smtp = smtp,
                     .public_url = public_url,
                     .secret_key = secret,
                     .stop = &g_stop};
    time_t last_cleanup = 0;
    bool listening = false;
    log_msg(LOG_INFO, "job runner started (pid %ld%s)", (long)getpid(), once ? ", one pass" : "");
    while (!g_stop) {
        if (g_reopen) {
            g_reopen = 0;
            if (log_reopen())
                log_msg(LOG_INFO, "SIGUSR1: log reopened");
            else
                log_msg(LOG_WARN, "SIGUSR1: cannot reopen the log (SC_LOG_FILE): %s",
                        strerror(errno));
        }
        /* LISTEN first, so that a message queued during the pass wakes the wait after it. */
        if ((tasks & TASK_MAIL) && !listening && !once)
            listening = db_listen(db, "mail_outbox") == DB_OK;
        bool worked = pass(&ctx, tasks, &hv, once, &last_cleanup, &ecfg);
        if (once) {
            rc = worked ? 0 : 3;
            break;
        }
        bool notified = false;
        if (listening && worked) {
            if (db_wait_notify(db, (int)poll_ms, &g_stop, &notified) != DB_OK)
                listening = false; /* the connection dropped: LISTEN again once it is back */
        } else {
            nap(poll_ms);
        }
    }
    job_harvest_stop(&hv);
    log_msg(LOG_INFO, "job runner stopped (pid %ld)", (long)getpid());
done:
    smtp_close(smtp);
    cache_close(g_cache);
    db_close(db);
    curl_global_cleanup();
    return rc;
}

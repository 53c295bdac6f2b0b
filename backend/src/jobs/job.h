/* job: what every task of the job runner (programs/jobs_main.c) is given.
 *
 * The runner is one loop over the tasks below; each task takes its work from PostgreSQL one item
 * at a time inside a transaction, with FOR UPDATE SKIP LOCKED, so several runners (on one host or
 * many) share the work and an item is never done twice at once. A task returns after it has done
 * everything due or when *stop is set (SIGTERM: the item in hand is finished first). */
#ifndef SC_JOB_H
#define SC_JOB_H

#include <signal.h>

#include "storage/db.h"

typedef struct job_ctx {
    db_t *db;                    /* borrowed: the runner's connection */
    const char *pg_dsn;          /* borrowed: for the processes that harvest */
    struct smtp *smtp;           /* borrowed: the mail sender, NULL when mail is not a task */
    const char *public_url;      /* borrowed: SC_PUBLIC_URL without its final slash */
    const char *secret_key;      /* borrowed: SC_SECRET_KEY, NULL when alerts are not a task */
    volatile sig_atomic_t *stop; /* set by SIGTERM/SIGINT */
} job_ctx_t;

#endif

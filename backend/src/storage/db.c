#include "storage/db.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/log.h"

struct db {
    char *dsn; /* owned */
    const db_stmt_t *const *sets;
    size_t nsets;
    PGconn *conn; /* owned; NULL when not connected */
    bool in_tx;   /* between db_tx_begin and its commit or rollback: no reconnect, no retry */
    const char *channel;    /* static; LISTENed again at every connect (db_listen), or NULL */
    uint64_t connects;      /* successful connects so far (db_connects) */
    db_notify_fn on_notify; /* told of every notification received (db_on_notify), or NULL */
    void *notify_arg;       /* borrowed; passed to on_notify */
};

/* Consumes the notifications libpq has received so far, telling on_notify of each; true when there
 * was one. Called after every exchange with the server: a notification of this connection's own
 * transaction arrives with the answer to its COMMIT, so a write is known before it is answered. */
static bool db_dispatch_notify(db_t *db) {
    bool any = false;
    for (PGnotify *n; db->conn != NULL && (n = PQnotifies(db->conn)) != NULL;) {
        any = true;
        if (db->on_notify != NULL)
            db->on_notify(db->notify_arg, n->relname, n->extra);
        PQfreemem(n);
    }
    return any;
}

db_t *db_open(const char *dsn, const db_stmt_t *const *stmt_sets, size_t nsets) {
    db_t *db = calloc(1, sizeof *db);
    if (db == NULL)
        return NULL;
    db->dsn = strdup(dsn);
    if (db->dsn == NULL) {
        free(db);
        return NULL;
    }
    db->sets = stmt_sets;
    db->nsets = nsets;
    return db;
}

void db_close(db_t *db) {
    if (db == NULL)
        return;
    if (db->conn)
        PQfinish(db->conn);
    free(db->dsn);
    free(db);
}

static const db_stmt_t *db_find(const db_t *db, const char *name) {
    for (size_t s = 0; s < db->nsets; s++)
        for (const db_stmt_t *st = db->sets[s]; st->name; st++)
            if (strcmp(st->name, name) == 0)
                return st;
    return NULL;
}

static void db_disconnect(db_t *db) {
    if (db->conn)
        PQfinish(db->conn);
    db->conn = NULL;
}

/* The server's notices and warnings — and the message it sends before closing an idle connection
 * ("terminating connection due to administrator command") — go to the log as JSON lines instead of
 * libpq's raw lines on standard error. */
static void db_notice(void *arg, const char *message) {
    (void)arg;
    size_t n = strlen(message);
    while (n > 0 && (message[n - 1] == '\n' || message[n - 1] == ' '))
        n--;
    log_msg(LOG_WARN, "postgres: %.*s", (int)n, message);
}

/* Connects and prepares every statement. */
static bool db_connect(db_t *db) {
    db->conn = PQconnectdb(db->dsn);
    if (PQstatus(db->conn) != CONNECTION_OK) {
        log_msg(LOG_WARN, "postgres: cannot connect: %s", PQerrorMessage(db->conn));
        goto failed;
    }
    PQsetNoticeProcessor(db->conn, db_notice, NULL);
    for (size_t s = 0; s < db->nsets; s++) {
        for (const db_stmt_t *st = db->sets[s]; st->name; st++) {
            PGresult *r = PQprepare(db->conn, st->name, st->sql, st->nparams, NULL);
            bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
            if (!ok)
                log_msg(LOG_ERROR, "postgres: cannot prepare %s: %s", st->name,
                        PQresultErrorMessage(r));
            PQclear(r);
            if (!ok)
                goto failed;
        }
    }
    if (db->channel != NULL) {
        char sql[96];
        snprintf(sql, sizeof sql, "LISTEN %s", db->channel);
        PGresult *r = PQexec(db->conn, sql);
        bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        PQclear(r);
        if (!ok)
            goto failed;
    }
    db->connects++;
    return true;

failed:
    db_disconnect(db);
    return false;
}

/* Runs a prepared statement (name) or a query text (sql); retries once on a lost connection when
 * retry_safe. label names the query in the log. */
static db_status db_run(db_t *db, const char *name, const char *sql, const char *label,
                        bool retry_safe, int nparams, const char *const *values, PGresult **out) {
    *out = NULL;
    if (db->in_tx) /* a new connection would run the statement outside the transaction */
        retry_safe = false;
    for (int attempt = 0; attempt < 2; attempt++) {
        if (db->conn == NULL && (db->in_tx || !db_connect(db)))
            return DB_UNAVAILABLE;
        PGresult *r = name ? PQexecPrepared(db->conn, name, nparams, values, NULL, NULL, 0)
                           : PQexecParams(db->conn, sql, nparams, NULL, values, NULL, NULL, 0);
        ExecStatusType rs = PQresultStatus(r);
        db_dispatch_notify(db);
        if (rs == PGRES_TUPLES_OK || rs == PGRES_COMMAND_OK) {
            *out = r;
            return DB_OK;
        }
        if (PQstatus(db->conn) == CONNECTION_BAD) {
            PQclear(r);
            log_msg(LOG_WARN, "postgres: connection lost during %s; reconnecting", label);
            db_disconnect(db);
            if (!retry_safe)
                return DB_UNAVAILABLE;
            continue;
        }
        log_msg(LOG_ERROR, "postgres: %s failed: %s", label, PQresultErrorMessage(r));
        PQclear(r);
        return DB_ERROR;
    }
    return DB_UNAVAILABLE;
}

db_status db_exec(db_t *db, const char *name, int nparams, const char *const *values,
                  PGresult **out) {
    const db_stmt_t *st = db_find(db, name);
    *out = NULL;
    if (st == NULL || st->nparams != nparams) {
        log_msg(LOG_ERROR, "postgres: unknown statement %s or wrong parameter count", name);
        return DB_ERROR;
    }
    return db_run(db, name, NULL, name, st->retry_safe, nparams, values, out);
}

static void batch_clear(db_call_t *calls, size_t n) {
    for (size_t i = 0; i < n; i++) {
        PQclear(calls[i].result);
        calls[i].result = NULL;
    }
}

/* Sends the batch and reads every answer, up to the end of the pipeline. Leaves the connection
 * out of pipeline mode on DB_OK and DB_ERROR; on DB_UNAVAILABLE the caller drops it. */
static db_status batch_once(db_t *db, db_call_t *calls, size_t n) {
    PGconn *c = db->conn;
    db_status st = DB_OK;
    if (PQenterPipelineMode(c) != 1)
        return DB_UNAVAILABLE;
    for (size_t i = 0; i < n; i++)
        if (PQsendQueryPrepared(c, calls[i].name, calls[i].nparams, calls[i].values, NULL, NULL,
                                0) != 1)
            return DB_UNAVAILABLE;
    if (PQpipelineSync(c) != 1)
        return DB_UNAVAILABLE;
    for (size_t i = 0; i < n; i++) {
        /* Each statement's answer is one result, then NULL. After a failed statement, the
         * following ones are PGRES_PIPELINE_ABORTED: skipped by PostgreSQL. */
        PGresult *r = PQgetResult(c);
        if (r == NULL)
            return DB_UNAVAILABLE;
        ExecStatusType rs = PQresultStatus(r);
        if (rs == PGRES_TUPLES_OK || rs == PGRES_COMMAND_OK) {
            calls[i].result = r;
        } else {
            if (PQstatus(c) == CONNECTION_BAD) {
                PQclear(r);
                return DB_UNAVAILABLE;
            }
            if (rs != PGRES_PIPELINE_ABORTED)
                log_msg(LOG_ERROR, "postgres: %s failed: %s", calls[i].name,
                        PQresultErrorMessage(r));
            PQclear(r);
            st = DB_ERROR;
        }
        r = PQgetResult(c);
        if (r != NULL) {
            PQclear(r);
            return DB_UNAVAILABLE;
        }
    }
    PGresult *sync = PQgetResult(c);
    bool synced = PQresultStatus(sync) == PGRES_PIPELINE_SYNC;
    PQclear(sync);
    db_dispatch_notify(db);
    if (!synced || PQexitPipelineMode(c) != 1)
        return DB_UNAVAILABLE;
    return st;
}

db_status db_exec_batch(db_t *db, db_call_t *calls, size_t n) {
    bool retry_safe = true;
    for (size_t i = 0; i < n; i++) {
        const db_stmt_t *st = db_find(db, calls[i].name);
        calls[i].result = NULL;
        if (st == NULL || st->nparams != calls[i].nparams) {
            log_msg(LOG_ERROR, "postgres: unknown statement %s or wrong parameter count",
                    calls[i].name);
            return DB_ERROR;
        }
        retry_safe = retry_safe && st->retry_safe;
    }
    for (int attempt = 0; attempt < 2; attempt++) {
        if (db->conn == NULL && !db_connect(db))
            return DB_UNAVAILABLE;
        db_status st = batch_once(db, calls, n);
        if (st == DB_OK)
            return DB_OK;
        batch_clear(calls, n);
        if (st == DB_ERROR)
            return DB_ERROR;
        /* A connection left in the middle of a pipeline cannot be used again. */
        log_msg(LOG_WARN, "postgres: connection lost during %s; reconnecting", calls[0].name);
        db_disconnect(db);
        if (!retry_safe)
            return DB_UNAVAILABLE;
    }
    return DB_UNAVAILABLE;
}

db_status db_query(db_t *db, const char *label, const char *sql, int nparams,
                   const char *const *values, PGresult **out) {
    return db_run(db, NULL, sql, label, true, nparams, values, out);
}

bool db_ping(db_t *db) {
    for (int attempt = 0; attempt < 2; attempt++) {
        if (db->conn == NULL && !db_connect(db))
            return false;
        PGresult *r = PQexec(db->conn, "SELECT 1");
        bool ok = PQresultStatus(r) == PGRES_TUPLES_OK;
        PQclear(r);
        if (ok)
            return true;
        db_disconnect(db);
    }
    return false;
}

/* Runs a command without parameters on the current connection. */
static db_status db_command(db_t *db, const char *sql) {
    PGresult *r = PQexec(db->conn, sql);
    ExecStatusType rs = PQresultStatus(r);
    db_dispatch_notify(db);
    db_status st = DB_OK;
    if (rs != PGRES_COMMAND_OK) {
        st = PQstatus(db->conn) == CONNECTION_BAD ? DB_UNAVAILABLE : DB_ERROR;
        if (st == DB_ERROR)
            log_msg(LOG_ERROR, "postgres: %s failed: %s", sql, PQresultErrorMessage(r));
    } else if (strcmp(sql, "COMMIT") == 0 && strcmp(PQcmdStatus(r), "COMMIT") != 0) {
        /* COMMIT of a transaction in error answers ROLLBACK, with success. */
        st = DB_ERROR;
    }
    PQclear(r);
    if (st == DB_UNAVAILABLE)
        db_disconnect(db);
    return st;
}

db_status db_tx_begin(db_t *db) {
    if (db->in_tx) {
        log_msg(LOG_ERROR, "postgres: a transaction is already open");
        return DB_ERROR;
    }
    /* A connection that dropped while idle is found here, before anything is done, so that a
     * restart of PostgreSQL does not cost the first transaction after it. */
    if (db->conn != NULL && PQstatus(db->conn) == CONNECTION_BAD)
        db_disconnect(db);
    if (db->conn == NULL && !db_connect(db))
        return DB_UNAVAILABLE;
    db_status st = db_command(db, "BEGIN");
    if (st == DB_UNAVAILABLE && db_connect(db)) /* dropped while idle: nothing was lost */
        st = db_command(db, "BEGIN");
    db->in_tx = st == DB_OK;
    return st;
}

db_status db_tx_commit(db_t *db) {
    if (!db->in_tx)
        return DB_ERROR;
    db->in_tx = false;
    if (db->conn == NULL)
        return DB_UNAVAILABLE;
    return db_command(db, "COMMIT");
}

void db_tx_rollback(db_t *db) {
    if (!db->in_tx)
        return;
    db->in_tx = false;
    if (db->conn != NULL && db_command(db, "ROLLBACK") != DB_OK)
        db_disconnect(db); /* a connection in an unknown state is not used again */
}

db_status db_listen(db_t *db, const char *channel) {
    db->channel = channel;
    if (db->conn != NULL) {
        char sql[96];
        snprintf(sql, sizeof sql, "LISTEN %s", channel);
        return db_command(db, sql);
    }
    return db_connect(db) ? DB_OK : DB_UNAVAILABLE;
}

db_status db_wait_notify(db_t *db, int timeout_ms, const volatile sig_atomic_t *stop,
                         bool *notified) {
    *notified = false;
    if (db->conn == NULL && !db_connect(db))
        return DB_UNAVAILABLE;
    struct timespec start, now;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        if (PQconsumeInput(db->conn) != 1) {
            db_disconnect(db);
            return DB_UNAVAILABLE;
        }
        if (db_dispatch_notify(db)) {
            *notified = true;
            return DB_OK;
        }
        clock_gettime(CLOCK_MONOTONIC, &now);
        long spent = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
        if (spent >= timeout_ms || (stop != NULL && *stop))
            return DB_OK;
        long wait = timeout_ms - spent < 100 ? timeout_ms - spent : 100;
        struct pollfd pfd = {.fd = PQsocket(db->conn), .events = POLLIN};
        if (pfd.fd < 0) {
            db_disconnect(db);
            return DB_UNAVAILABLE;
        }
        if (poll(&pfd, 1, (int)wait) < 0 && errno != EINTR) {
            db_disconnect(db);
            return DB_UNAVAILABLE;
        }
    }
}

uint64_t db_connects(const db_t *db) {
    return db->connects;
}

bool db_connect_if_needed(db_t *db) {
    if (db->conn != NULL && PQstatus(db->conn) == CONNECTION_BAD)
        db_disconnect(db);
    return db->conn != NULL || (!db->in_tx && db_connect(db));
}

db_status db_poll_notify(db_t *db) {
    if (db->conn == NULL || db->in_tx)
        return DB_UNAVAILABLE;
    /* Reads whatever the server sent since the last exchange, without waiting. Twice: a server that
     * shuts down sends its last message and then closes; one read takes the message, only the next
     * one sees the end of the stream. */
    if (PQconsumeInput(db->conn) != 1 || PQconsumeInput(db->conn) != 1 ||
        PQstatus(db->conn) == CONNECTION_BAD) {
        log_msg(LOG_WARN, "postgres: connection lost while idle; will reconnect");
        db_disconnect(db);
        return DB_UNAVAILABLE;
    }
    db_dispatch_notify(db);
    return DB_OK;
}

void db_on_notify(db_t *db, db_notify_fn fn, void *arg) {
    db->on_notify = fn;
    db->notify_arg = arg;
}

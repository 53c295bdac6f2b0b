#include "storage/db.h"

#include <stdlib.h>
#include <string.h>

#include "core/log.h"

struct db {
    char *dsn; /* owned */
    const db_stmt_t *const *sets;
    size_t nsets;
    PGconn *conn; /* owned; NULL when not connected */
};

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

/* Connects and prepares every statement. */
static bool db_connect(db_t *db) {
    db->conn = PQconnectdb(db->dsn);
    if (PQstatus(db->conn) != CONNECTION_OK) {
        log_msg("warn", "postgres: cannot connect: %s", PQerrorMessage(db->conn));
        goto failed;
    }
    for (size_t s = 0; s < db->nsets; s++) {
        for (const db_stmt_t *st = db->sets[s]; st->name; st++) {
            PGresult *r = PQprepare(db->conn, st->name, st->sql, st->nparams, NULL);
            bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
            if (!ok)
                log_msg("error", "postgres: cannot prepare %s: %s", st->name,
                        PQresultErrorMessage(r));
            PQclear(r);
            if (!ok)
                goto failed;
        }
    }
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
    for (int attempt = 0; attempt < 2; attempt++) {
        if (db->conn == NULL && !db_connect(db))
            return DB_UNAVAILABLE;
        PGresult *r = name ? PQexecPrepared(db->conn, name, nparams, values, NULL, NULL, 0)
                           : PQexecParams(db->conn, sql, nparams, NULL, values, NULL, NULL, 0);
        ExecStatusType rs = PQresultStatus(r);
        if (rs == PGRES_TUPLES_OK || rs == PGRES_COMMAND_OK) {
            *out = r;
            return DB_OK;
        }
        if (PQstatus(db->conn) == CONNECTION_BAD) {
            PQclear(r);
            log_msg("warn", "postgres: connection lost during %s; reconnecting", label);
            db_disconnect(db);
            if (!retry_safe)
                return DB_UNAVAILABLE;
            continue;
        }
        log_msg("error", "postgres: %s failed: %s", label, PQresultErrorMessage(r));
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
        log_msg("error", "postgres: unknown statement %s or wrong parameter count", name);
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
                log_msg("error", "postgres: %s failed: %s", calls[i].name, PQresultErrorMessage(r));
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
            log_msg("error", "postgres: unknown statement %s or wrong parameter count",
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
        log_msg("warn", "postgres: connection lost during %s; reconnecting", calls[0].name);
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

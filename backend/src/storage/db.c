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

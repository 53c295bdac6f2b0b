/* db: one PostgreSQL connection per worker, with prepared statements.
 *
 * Statements are registered once (name, SQL, parameter count) and prepared on every (re)connect.
 * When the connection is lost — PostgreSQL restarted, a network blip — the next query reconnects
 * and, for a statement marked retry_safe (a read), runs again once, so a restart of PostgreSQL
 * costs at most the requests in flight. */
#ifndef SC_DB_H
#define SC_DB_H

#include <libpq-fe.h>
#include <signal.h>
#include <stdint.h>

#include "core/common.h"

typedef struct db_stmt {
    const char *name; /* static */
    const char *sql;  /* static */
    int nparams;      /* all parameters are sent as text */
    bool retry_safe;  /* may run twice when the connection drops mid-query (reads) */
} db_stmt_t;

typedef struct db db_t;

typedef enum db_status {
    DB_OK = 0,
    DB_UNAVAILABLE, /* cannot connect, or the connection dropped */
    DB_ERROR,       /* the statement failed (logged with the server's message) */
} db_status;

/* Creates a handle; connects lazily. stmt_sets is an array of nsets NULL-name-terminated arrays,
 * all static. Returns NULL when out of memory. Free with db_close. */
db_t *db_open(const char *dsn, const db_stmt_t *const *stmt_sets, size_t nsets);
void db_close(db_t *db);

/* Runs the prepared statement called name with text parameters (NULL for SQL NULL). On DB_OK,
 * *out is a result the caller frees with PQclear; otherwise *out is NULL. */
db_status db_exec(db_t *db, const char *name, int nparams, const char *const *values,
                  PGresult **out) MUST_CHECK;

/* One statement of a batch (db_exec_batch). */
typedef struct db_call {
    const char *name;          /* a registered statement */
    int nparams;               /* its parameter count */
    const char *const *values; /* text parameters, NULL for SQL NULL */
    PGresult *result;          /* out: on DB_OK, a result the caller frees with PQclear */
} db_call_t;

/* Runs n prepared statements in order in one round trip (libpq pipeline mode): PostgreSQL receives
 * them together instead of waiting for each answer in turn. They run in one implicit transaction,
 * so a setting made with set_config(…, true) by one of them holds for the ones after it and is
 * undone at the end. On DB_OK every result is set; otherwise none is. Retried once on a lost
 * connection when every statement is retry_safe. */
db_status db_exec_batch(db_t *db, db_call_t *calls, size_t n) MUST_CHECK;

/* Runs a read-only query whose text the caller assembled from fixed fragments of its own — never
 * from input: every value travels in values, as bound parameters. For queries whose shape depends
 * on which filters are present, where one prepared statement per shape would be unwieldy. label
 * names it in the log. Retried once on a lost connection. */
db_status db_query(db_t *db, const char *label, const char *sql, int nparams,
                   const char *const *values, PGresult **out) MUST_CHECK;

/* True when a trivial query succeeds (reconnecting first if needed). */
bool db_ping(db_t *db);

/* Transactions. db_tx_begin connects if needed and opens a transaction; every db_exec and
 * db_query until db_tx_commit or db_tx_rollback runs inside it. Inside a transaction nothing is
 * retried: a lost connection is DB_UNAVAILABLE (the server has rolled the transaction back) and
 * the caller starts over from db_tx_begin. After any failure of a statement inside, the caller
 * calls db_tx_rollback (which never fails: a broken connection is dropped). db_tx_commit returns
 * DB_OK only when PostgreSQL reports the commit; on anything else the transaction is gone (rolled
 * back, or its outcome unknown when the connection dropped during COMMIT). Not for db_exec_batch,
 * which runs its own implicit transaction. */
db_status db_tx_begin(db_t *db) MUST_CHECK;
db_status db_tx_commit(db_t *db) MUST_CHECK;
void db_tx_rollback(db_t *db);

/* Notifications. db_listen(channel) subscribes this connection (channel: a static identifier,
 * [a-z_]) and remembers it, so that every reconnect subscribes again. db_wait_notify waits up to
 * timeout_ms for a notification on any subscribed channel (or for stop to become non-zero, checked
 * every 100 ms) and consumes every pending one; *notified tells whether one came. DB_UNAVAILABLE
 * when the connection is lost (the next call reconnects). */
db_status db_listen(db_t *db, const char *channel) MUST_CHECK;
db_status db_wait_notify(db_t *db, int timeout_ms, const volatile sig_atomic_t *stop,
                         bool *notified) MUST_CHECK;

/* Called for each notification received on a subscribed channel: channel and payload are valid
 * during the call only. */
typedef void (*db_notify_fn)(void *arg, const char *channel, const char *payload);

/* Tells fn (with arg, borrowed) of every notification from now on, whichever call receives it:
 * db_poll_notify, db_wait_notify, or any statement (a transaction's own notifications arrive with
 * the answer to its COMMIT, before db_tx_commit or db_exec returns). */
void db_on_notify(db_t *db, db_notify_fn fn, void *arg);

/* Without waiting and without connecting: reads what the server sent and hands the notifications
 * to the db_on_notify function. DB_UNAVAILABLE when there is no connection, or it was found lost
 * (then dropped: notifications sent meanwhile are missed, which db_connects tells the caller). */
db_status db_poll_notify(db_t *db) MUST_CHECK;

/* The number of successful connects of this handle: it changes at every reconnect, after which
 * whatever was learnt from notifications must be read again. */
uint64_t db_connects(const db_t *db);

/* Connects (preparing statements and subscribing again) when there is no usable connection. No
 * query is run. False when PostgreSQL cannot be reached, or inside a transaction. */
bool db_connect_if_needed(db_t *db) MUST_CHECK;

#endif

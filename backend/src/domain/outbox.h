/* outbox: the e-mails waiting in mail_outbox (sql/migrations/033_accounts.sql).
 *
 * A message is queued in the transaction that causes it (a sign-up, an alert), so it exists
 * exactly when its cause was committed. The job runner takes one message at a time inside a
 * transaction of its own, with FOR UPDATE SKIP LOCKED: the row stays locked while it is sent, so
 * several runners never send the same message, and a runner that dies mid-send leaves it queued
 * (its transaction aborts). docs/architecture.md, "E-mail", has the whole of the semantics. */
#ifndef SC_OUTBOX_H
#define SC_OUTBOX_H

#include <jansson.h>
#include <stdint.h>

#include "domain/status.h"
#include "storage/db.h"

/* After this many failed attempts a message is marked failed and no longer tried. */
#define OUTBOX_MAX_ATTEMPTS 10
#define OUTBOX_ERROR_MAX    500 /* bytes of the last error kept */

extern const db_stmt_t outbox_stmts[];

/* Queues a message. kind names its cause ("alert", "verify"…); headers is an object of extra
 * header names to string values (borrowed; NULL for none). Run it inside the caller's
 * transaction. All strings are borrowed. */
dom_status outbox_queue(db_t *db, const char *kind, const char *to, const char *subject,
                        const char *body, const json_t *headers, int64_t *id) MUST_CHECK;

/* A message taken for sending. Every pointer is owned by the struct: outbox_msg_clear. */
typedef struct outbox_msg {
    int64_t id;
    int attempts; /* the attempts made before this one */
    char *to, *subject, *body;
    json_t *headers; /* an object, never NULL on DOM_OK */
} outbox_msg_t;

/* Inside a transaction (db_tx_begin): locks the oldest due message (status queued,
 * next_attempt_at <= sc_now()) that no other transaction holds. DOM_NOT_FOUND when there is none.
 */
dom_status outbox_take(db_t *db, outbox_msg_t *msg) MUST_CHECK;
void outbox_msg_clear(outbox_msg_t *msg);

/* Inside the same transaction: the message went out. */
dom_status outbox_mark_sent(db_t *db, int64_t id) MUST_CHECK;

/* Inside the same transaction: the attempt failed with error (kept, cut to OUTBOX_ERROR_MAX).
 * permanent (the server refused the recipient, the row cannot be formatted) marks it failed at
 * once; otherwise it is tried again after 1 minute × 2^attempts (at most 6 hours), and marked
 * failed after OUTBOX_MAX_ATTEMPTS. */
dom_status outbox_mark_failed(db_t *db, int64_t id, const char *error, bool permanent) MUST_CHECK;

#endif

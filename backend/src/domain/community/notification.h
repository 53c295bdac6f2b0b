/* notification: what a person is told about (mentions, replies to their threads, join requests,
 * approvals, accepted invitations, proposals), with an unread count kept on write (table
 * notification_unread) so that reading it is one indexed row. */
#ifndef SC_NOTIFICATION_H
#define SC_NOTIFICATION_H

#include <jansson.h>
#include <stdint.h>

#include "domain/status.h"
#include "storage/db.h"

#define NOTIFICATION_READ_IDS_MAX 200

extern const db_stmt_t notification_stmts[];

/* A page of NOTIFICATION, newest first, after id after (0: first page), with "unread". */
dom_status notification_list(db_t *db, int64_t account, int64_t after, int limit,
                             json_t **out) MUST_CHECK;

/* The unread count (one row). */
dom_status notification_unread(db_t *db, int64_t account, long *unread) MUST_CHECK;

/* Marks ids (a PostgreSQL array literal, "{}" for none) or all as read. */
dom_status notification_read(db_t *db, int64_t account, const char *ids, bool all) MUST_CHECK;

#endif

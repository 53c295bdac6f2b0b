/* feed: a community's activity, newest first, keyset on the event's id (table community_event,
 * written as things happen and, for new initiatives of its territory and themes, by the job
 * runner's task "communities"); and the digest e-mails built from it. */
#ifndef SC_FEED_H
#define SC_FEED_H

#include <jansson.h>
#include <stdint.h>

#include "domain/status.h"
#include "storage/db.h"

extern const db_stmt_t feed_stmts[];

/* A page of FEED_ITEM after event id after (0: newest first page). */
dom_status feed_page(db_t *db, int64_t community, int64_t after, int limit,
                     json_t **out) MUST_CHECK;

/* Adds the events of initiatives published since the last scan; *added counts them. */
dom_status feed_scan_initiatives(db_t *db, long *added) MUST_CHECK;

/* Inside the caller's transaction: handles one due digest (queues its e-mail when anything is
 * new); *done false when none was due. public_url: the site's address for the link. */
dom_status feed_digest_one(db_t *db, const char *public_url, bool *done) MUST_CHECK;

#endif

/* alert: the e-mail alerts of saved searches (docs/api.md, "The personal space").
 *
 * A saved search with alert daily or weekly is due one day (seven) after its last alert. The job
 * runner takes a due one inside a transaction (FOR UPDATE SKIP LOCKED), lists what matches it and
 * is new since last_alert_at, queues one e-mail when there is something, and moves last_alert_at
 * to sc_now() in the same transaction: an alert is neither lost nor sent twice.
 *
 * Every alert e-mail carries an unsubscribe token (domain/alert_token.h). */
#ifndef SC_ALERT_H
#define SC_ALERT_H

#include <jansson.h>
#include <stdint.h>

#include "domain/alert_token.h"
#include "domain/search.h"
#include "domain/status.h"
#include "storage/db.h"

#define ALERT_ITEMS_MAX 50  /* initiatives listed in one e-mail */
#define ALERT_NAME_MAX  484 /* a saved search's name: 120 characters of up to 4 bytes, the NUL */

extern const db_stmt_t alert_stmts[];

/* The name of saved search id and whether its alert is on. DOM_NOT_FOUND when it is gone. */
dom_status alert_describe(db_t *db, int64_t id, char name[ALERT_NAME_MAX], bool *active) MUST_CHECK;

/* Turns the alert of saved search id off (idempotent); name as alert_describe. */
dom_status alert_unsubscribe(db_t *db, int64_t id, char name[ALERT_NAME_MAX]) MUST_CHECK;

/* A due alert, taken inside the caller's transaction. Owned strings: alert_due_clear. */
typedef struct alert_due {
    int64_t id;
    char *name, *email, *frequency; /* frequency: "daily" or "weekly" */
    char *since;                    /* last_alert_at, a timestamptz as text */
    json_t *params;                 /* the saved query parameters (an object) */
} alert_due_t;

/* Inside a transaction: locks the saved search whose alert has waited longest, if one is due and
 * its owner's address is verified and not deleted. DOM_NOT_FOUND when none is. */
dom_status alert_take_due(db_t *db, alert_due_t *due) MUST_CHECK;
void alert_due_clear(alert_due_t *due);

/* The published initiatives matching sq (its changed_since set by the caller) newest change
 * first: *items a new array of at most ALERT_ITEMS_MAX {"id", "title"}, *total all of them. Codes
 * or a query that do not hold any more (a removed code) are SEARCH_UNKNOWN_CODE/SEARCH_SYNTAX. */
search_status alert_matches(db_t *db, const search_query_t *sq, json_t **items, long *total,
                            search_error_t *err) MUST_CHECK;

/* Inside the same transaction: the alert of id was dealt with; the next is counted from now. */
dom_status alert_done(db_t *db, int64_t id) MUST_CHECK;

#endif

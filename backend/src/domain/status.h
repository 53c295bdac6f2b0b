/* status: what a domain function reports to its caller, and its words for the log. */
#ifndef SC_DOMAIN_STATUS_H
#define SC_DOMAIN_STATUS_H

#include "storage/db.h"

typedef enum dom_status {
    DOM_OK = 0,
    DOM_NOT_FOUND,
    DOM_UNAVAILABLE, /* PostgreSQL cannot be reached */
    DOM_INTERNAL,    /* a bug or an unexpected database error; already logged */
} dom_status;

/* Maps a db status to a domain status. */
dom_status dom_from_db(db_status st);

/* What a status means, in a few English words for the log ("PostgreSQL cannot be reached").
 * Static storage. The other status enums of the domain have their own *_status_text. */
const char *dom_status_text(dom_status st);

#endif

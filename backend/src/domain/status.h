/* status: what a domain function reports to its caller. */
#ifndef SC_DOMAIN_STATUS_H
#define SC_DOMAIN_STATUS_H

typedef enum dom_status {
    DOM_OK = 0,
    DOM_NOT_FOUND,
    DOM_UNAVAILABLE, /* PostgreSQL cannot be reached */
    DOM_INTERNAL,    /* a bug or an unexpected database error; already logged */
} dom_status;

#endif

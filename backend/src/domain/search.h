/* search: French full-text search over published initiatives.
 *
 * Words are matched after removing accents and stemming (the sc_french configuration), the
 * title weighs more than the summary and actor, which weigh more than the description and place
 * names. websearch syntax is accepted as users type it: "a phrase", -word, OR. Results can be
 * limited to territories. */
#ifndef SC_SEARCH_H
#define SC_SEARCH_H

#include <jansson.h>

#include "domain/cursor.h"
#include "domain/status.h"
#include "domain/territory.h"
#include "storage/db.h"

#define SEARCH_Q_MAX           500   /* bytes */
#define SEARCH_TOTAL_CAP       10000 /* counted exactly up to here, then "more than" */
#define SEARCH_TERRITORIES_MAX 20

extern const db_stmt_t search_stmts[];

typedef struct search_query {
    const char *q;          /* valid UTF-8, at most SEARCH_Q_MAX bytes; NULL or "" lists all */
    const cursor_t *cursor; /* NULL for the first page */
    int limit;              /* 1..INITIATIVE_PAGE_MAX */
    const char *lang;       /* "fr" or "en" */
    const territory_ref_t *territories; /* resolved references, OR'ed; NULL when none */
    size_t nterritories;                /* at most SEARCH_TERRITORIES_MAX */
} search_query_t;

typedef enum search_status {
    SEARCH_OK = 0,
    SEARCH_BAD_CURSOR, /* a cursor of the wrong kind for this query */
    SEARCH_FAILED,     /* see *dom */
} search_status;

/* Runs the search. On SEARCH_OK, *out is {"total","total_exact","items","next_cursor"}. */
search_status search_run(db_t *db, const search_query_t *sq, json_t **out,
                         dom_status *dom) MUST_CHECK;

#endif

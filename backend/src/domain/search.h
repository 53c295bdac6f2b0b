/* search: the search engine over published initiatives — free text, filters, facets, sorts.
 *
 * Words are matched after removing accents and stemming (the sc_french configuration); the title
 * weighs more than the summary and actor, which weigh more than the description and place names.
 * websearch syntax is accepted as people type it ("a phrase", -word, OR). When the words match
 * nothing, close words of the index are tried instead and the answer says so. */
#ifndef SC_SEARCH_H
#define SC_SEARCH_H

#include <jansson.h>

#include "domain/cursor.h"
#include "domain/status.h"
#include "domain/territory.h"
#include "storage/db.h"

#define SEARCH_Q_MAX     500   /* bytes */
#define SEARCH_TOTAL_CAP 10000 /* counted exactly up to here, then estimated */
/* Not counted at all when the planner estimates more matches than this: the estimate is given. */
#define SEARCH_ESTIMATE_ABOVE 20000
/* Ranked results tie in the order of the index when more matches than this are estimated (than
 * SEARCH_TOTAL_CAP for a search with filters besides its words). */
#define SEARCH_RANK_TIES_BY_INDEX 2000
#define SEARCH_TERRITORIES_MAX    20
#define SEARCH_CODES_MAX          20 /* values of one filter */
#define SEARCH_CODE_LEN_MAX       63 /* bytes of one code (source codes are the longest) */
#define SEARCH_NEAR_KM_MAX        500

extern const db_stmt_t search_stmts[];

/* The filters by code, in this order everywhere (parameters, facets). */
typedef enum search_kind {
    SEARCH_THEME,
    SEARCH_SUBTHEME,
    SEARCH_ACTOR_TYPE,
    SEARCH_PUBLIC,
    SEARCH_SCALE,
    SEARCH_STAGE,
    SEARCH_SOURCE,
    SEARCH_NKINDS,
} search_kind;

/* The parameter name of a kind ("actor_type"). */
const char *search_kind_name(search_kind k);

/* Facets are the kinds above plus these. */
enum {
    SEARCH_FACET_REGION = SEARCH_NKINDS,
    SEARCH_FACET_DEPARTEMENT,
    SEARCH_FACET_YEAR,
    SEARCH_NFACETS,
};
const char *search_facet_name(int facet);

typedef enum search_sort {
    SEARCH_SORT_DEFAULT, /* relevance with words, recent without */
    SEARCH_SORT_RELEVANCE,
    SEARCH_SORT_RECENT,
    SEARCH_SORT_NAME,
    SEARCH_SORT_DISTANCE, /* needs near */
} search_sort;

typedef struct search_codes {
    const char
            *codes[SEARCH_CODES_MAX]; /* borrowed; checked syntax: [A-Za-z0-9][A-Za-z0-9_-]{0,62} */
    size_t n;                         /* 0: no filter of this kind */
} search_codes_t;

typedef struct search_query {
    const char *q;          /* valid UTF-8, at most SEARCH_Q_MAX bytes; NULL or "" lists all */
    const cursor_t *cursor; /* NULL for the first page */
    int limit;              /* 1..INITIATIVE_PAGE_MAX */
    const char *lang;       /* "fr" or "en" */
    search_codes_t codes[SEARCH_NKINDS];
    const territory_ref_t *territories; /* resolved references, OR'ed; NULL when none */
    size_t nterritories;                /* at most SEARCH_TERRITORIES_MAX */
    int year_min, year_max;             /* 0 when absent */
    bool has_near;
    double near_lat, near_lon, near_km;
    bool has_bbox;
    double bbox[4]; /* minLon, minLat, maxLon, maxLat */
    search_sort sort;
    unsigned facets; /* bit (1u << facet) for each facet asked */
    /* Internal, never read from a request: only the initiatives created or updated after this
     * instant (a timestamptz as text, borrowed), for the alerts of saved searches. NULL: all. */
    const char *changed_since;
} search_query_t;

typedef enum search_status {
    SEARCH_OK = 0,
    SEARCH_BAD_CURSOR,   /* a cursor of another kind of listing */
    SEARCH_UNKNOWN_CODE, /* *bad_kind / *bad_code name the first code that does not exist */
    SEARCH_SYNTAX,       /* q is not a valid query (or names an unknown code): err->message */
    SEARCH_FAILED,       /* see *dom */
} search_status;

/* What a status means, in a few English words for the log. Static storage. */
const char *search_status_text(search_status ss);

typedef struct search_error {
    dom_status dom;
    search_kind bad_kind;
    const char *bad_code; /* points into the query */
    char message[400];    /* SEARCH_SYNTAX: French, with the column */
} search_error_t;

/* Runs the search. On SEARCH_OK, *out is
 * {"total","total_exact","total_is_estimate","items","next_cursor"[,"facets"][,"did_you_mean",
 * "corrected"]}. */
search_status search_run(db_t *db, const search_query_t *sq, json_t **out,
                         search_error_t *err) MUST_CHECK;

#endif

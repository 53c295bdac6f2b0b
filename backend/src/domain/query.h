/* query: the fine-search query language, parsed into a tree.
 *
 * What users type in the search box (docs/search.md is the reference):
 *
 *   jardin "aide à domicile" -compost (theme:ENV,SAN OR public:seniors) year:2015..2020
 *   territory:region:84 near:45.76,4.83,10km bbox:4.7,45.6,5.0,45.9
 *
 * Words are ANDed, OR (upper case) or | joins alternatives, a leading - excludes a word, a phrase,
 * a field or a group, and parentheses group. '-' binds tightest, then the implicit AND, then OR.
 * Plain words keep meaning what they always meant, so this module only builds the tree: it holds
 * no SQL and checks no code against the vocabularies (the SQL layer does, with bound parameters).
 *
 * The tree keeps the byte offset of every node, so that a later check (an unknown theme code, an
 * unknown territory) can name its position the way a syntax error here does. */
#ifndef SC_QUERY_H
#define SC_QUERY_H

#include "core/buf.h"
#include "core/common.h"

#define QUERY_MAX_BYTES   500      /* the longest text accepted, as SEARCH_Q_MAX */
#define QUERY_MAX_TERMS   64       /* words, phrases and fields in one query */
#define QUERY_MAX_DEPTH   16       /* nested parentheses and exclusions ('-') together */
#define QUERY_MAX_VALUES  20       /* comma-separated values of one field */
#define QUERY_MAX_RADIUS  500000.0 /* metres, for near: */
#define QUERY_MESSAGE_MAX 384

typedef enum query_status {
    QUERY_OK = 0,
    QUERY_INVALID,   /* the text is not a valid query: see the query_error_t */
    QUERY_NO_MEMORY, /* malloc failed */
} query_status;

/* Why a query was refused, for programs; the message is for people. */
typedef enum query_errcode {
    QUERY_E_NONE = 0,
    QUERY_E_TOO_COMPLEX, /* too long, too many terms or values, or nested too deep */
    QUERY_E_ENCODING,    /* not valid UTF-8 (callers normally check before) */
    QUERY_E_QUOTE,       /* a quote not closed, or nothing between two quotes */
    QUERY_E_PARENTHESIS, /* unbalanced or empty parentheses */
    QUERY_E_OPERATOR,    /* OR without a term on one side, '-' without a term after it */
    QUERY_E_UNKNOWN_FIELD,
    QUERY_E_VALUE, /* a field's value missing, malformed or out of range */
} query_errcode;

typedef struct query_error {
    query_errcode code;
    size_t offset; /* byte offset in the text of the faulty spot, at most the text's length */
    size_t column; /* the same spot for people: 1-based, counted in characters, not bytes */
    char message[QUERY_MESSAGE_MAX]; /* French, ends with " (colonne N)"; always valid UTF-8 */
} query_error_t;

typedef enum query_kind {
    QUERY_WORD = 1, /* text: one word as typed, to be stemmed by the SQL layer */
    QUERY_PHRASE,   /* text: the words between quotes, spaces collapsed to one */
    QUERY_FIELD,    /* field: and its values, years, near or bbox */
    QUERY_AND,      /* children: at least two, none of them an AND */
    QUERY_OR,       /* children: at least two, none of them an OR */
    QUERY_NOT,      /* children: exactly one */
} query_kind;

typedef enum query_field {
    QUERY_FIELD_THEME = 1, /* values: theme codes ("ENV") */
    QUERY_FIELD_SUBTHEME,  /* values: sub-theme codes */
    QUERY_FIELD_ACTOR,     /* values: actor_type codes ("association"); actor_type: is an alias */
    QUERY_FIELD_PUBLIC,    /* values: public codes */
    QUERY_FIELD_SCALE,     /* values: scale codes */
    QUERY_FIELD_STAGE,     /* values: stage codes */
    QUERY_FIELD_SOURCE,    /* values: source names or slugs */
    QUERY_FIELD_TERRITORY, /* values: territory references ("69", "commune:69123", "region:84") */
    QUERY_FIELD_YEAR,      /* years */
    QUERY_FIELD_NEAR,      /* near */
    QUERY_FIELD_BBOX,      /* bbox */
} query_field;

/* One value of a field, as typed (quotes removed, spaces inside collapsed). Codes keep the case
 * the user gave; matching them is the SQL layer's business. */
typedef struct query_value {
    const char *text; /* non-empty, valid UTF-8 */
    size_t offset;    /* where the value starts in the text (its opening quote, if quoted) */
} query_value_t;

/* year:2015 is 2015..2015; an open end is 0 (year:..2010 is 0..2010). Years have four digits;
 * from <= to when both are set. */
typedef struct query_years {
    int from;
    int to;
} query_years_t;

/* near:lat,lon,radius — lat in [-90, 90], lon in [-180, 180], radius_m in (0, QUERY_MAX_RADIUS]. */
typedef struct query_near {
    double lat;
    double lon;
    double radius_m;
} query_near_t;

/* bbox:minLon,minLat,maxLon,maxLat — within the ranges of longitudes and latitudes, min < max. */
typedef struct query_bbox {
    double min_lon;
    double min_lat;
    double max_lon;
    double max_lat;
} query_bbox_t;

/* A node of the tree. Everything it points to belongs to the query_t and lives until query_free;
 * callers only read. Members not listed for a kind are zero. */
typedef struct query_node query_node_t;
struct query_node {
    query_kind kind;
    /* Byte offset in the text: of the word, the opening quote, the field's name or the '-'; for
     * AND and OR, that of the first child. */
    size_t offset;
    /* WORD, PHRASE: NUL-terminated UTF-8, never empty. */
    const char *text;
    /* FIELD: which one; then, by field, one of the four members below. */
    query_field field;
    /* Fields other than year, near and bbox: 1..QUERY_MAX_VALUES values, any of which matches. */
    const query_value_t *values;
    size_t nvalues;
    /* year: 1..QUERY_MAX_VALUES ranges, any of which matches. */
    const query_years_t *years;
    size_t nyears;
    query_near_t near;
    query_bbox_t bbox;
    /* AND, OR: the operands; NOT: the one excluded. */
    query_node_t *const *children;
    size_t nchildren;
};

/* A parsed query; opaque, owns its whole tree. */
typedef struct query query_t;

/* Parses len bytes of text (no NUL needed; at most QUERY_MAX_BYTES of valid UTF-8, which callers
 * normally check first — anything else is refused, not trusted). On QUERY_OK *out is a new query
 * for the caller to query_free; a text with no term at all (empty, only spaces) gives a query
 * whose root is NULL. On QUERY_INVALID *err says what and where, and *out is NULL; on
 * QUERY_NO_MEMORY *out is NULL. */
query_status query_parse(const char *text, size_t len, query_t **out,
                         query_error_t *err) MUST_CHECK;

/* Frees q and its tree; every pointer read from it becomes invalid. NULL is allowed. */
void query_free(query_t *q);

/* The top of the tree, or NULL for a query without terms. Owned by q. */
const query_node_t *query_root(const query_t *q);

/* Words, phrases and fields in the query (the count QUERY_MAX_TERMS limits). */
size_t query_terms(const query_t *q);

/* True when the query is only words ANDed (or has no terms): the old free-text path can serve it.
 * Handing query_to_text's output (not the raw text) to websearch_to_tsquery then means the same:
 * the ignored dashes are gone, and a word "or", which websearch would read as OR in any case,
 * makes a query not plain. */
bool query_is_plain(const query_t *q);

/* Appends the canonical text of q to out: the query language again, with one space between terms,
 * field names in lower case, numbers and year ranges in their shortest form, and no parentheses
 * that precedence makes useless. Parsing it gives the same tree (same query_to_string), which
 * makes it a good cache key and the text to echo back to users. Empty for a query without terms.
 * False when out's cap is reached or memory runs out. */
bool query_to_text(const query_t *q, buf_t *out) MUST_CHECK;

/* Appends a debug rendering of the tree, e.g.
 *   (AND (WORD jardin) (NOT (PHRASE "aide à domicile")) (FIELD theme ENV,SAN))
 * Empty for a query without terms. False when out's cap is reached or memory runs out. */
bool query_to_string(const query_t *q, buf_t *out) MUST_CHECK;

/* The canonical name of a field ("theme", "actor"…); "" for an unknown value. Static. */
const char *query_field_name(query_field f);

/* The 1-based column, in characters, of byte offset in text (at most len), for the messages of
 * later checks that point at a node or a value. */
size_t query_column(const char *text, size_t len, size_t offset);

/* A short English description of a status, for logs. Static. */
const char *query_strerror(query_status st);

#endif

/* search/filter: the one table of the search's filters, and the WHERE clause built from it.
 *
 * Each filter kind (theme, actor type…) names its column of initiative, how that column holds its
 * values, the field of the fine-search language that tests it, and the case its codes are written
 * in; each territory level names its column. The search, its facets, the fine-search language
 * (search/ast.c), the map and the statistics read these rather than spelling columns themselves.
 * Internal to the search engine and the modules that count or draw its matches. */
#ifndef SC_SEARCH_FILTER_H
#define SC_SEARCH_FILTER_H

#include "domain/query.h"
#include "domain/search.h"
#include "domain/search/ast.h"
#include "domain/sqlbuild.h"

/* The bytes of a PostgreSQL array literal of one filter's codes: "{c1,c2}". */
#define SEARCH_CODES_LIT_MAX (SEARCH_CODES_MAX * (SEARCH_CODE_LEN_MAX + 1) + 3)

/* Writes the PostgreSQL array literal of the checked codes c ([A-Za-z0-9_-] only, see
 * search_codes_t): "{c1,c2}". */
void search_codes_literal(const search_codes_t *c, char lit[SEARCH_CODES_LIT_MAX]);

/* How a filter's column holds its values. */
typedef enum search_value_type {
    SEARCH_VALUES_ARRAY,  /* text[] of codes: tested with && (GIN index) */
    SEARCH_VALUES_SCALAR, /* one code or NULL: tested with = ANY (btree index) */
    SEARCH_VALUES_SOURCE, /* the records of the initiative in the sources (source_record) */
} search_value_type;

typedef struct search_filter_def {
    search_kind kind;
    const char *name;   /* parameter name, vocabulary kind and facet_count kind ("actor_type") */
    const char *column; /* column of initiative ("actor_type"); NULL for SEARCH_VALUES_SOURCE */
    search_value_type type;
    query_field field; /* the field of the fine-search language that tests it */
    bool upper;        /* codes are written in upper case (themes) rather than lower case */
} search_filter_def_t;

/* The definition of kind k (0 <= k < SEARCH_NKINDS); never NULL. Static storage. */
const search_filter_def_t *search_filter(search_kind k);

/* The kind tested by a field of the fine-search language; -1 for a field that is not a code. */
int search_filter_of_field(query_field f);

/* The territory levels, most local first, and their columns of initiative. */
#define SEARCH_NLEVELS 4
typedef struct search_level_def {
    const char *level;  /* "commune", "arrondissement", "departement", "region" */
    const char *column; /* "commune_code"… */
} search_level_def_t;

/* The level l (0 <= l < SEARCH_NLEVELS); never NULL. Static storage. */
const search_level_def_t *search_level(int l);

/* The column of a territory level ("region" -> "region_code"); NULL for an unknown level. */
const char *search_level_column(const char *level);

/* Whether a level is région or département: the levels facet_count and theme bits know. */
bool search_level_coarse(const char *level);

/* Appends the values of filter k of the initiative i as a text[] expression ("i.themes",
 * "ARRAY[i.actor_type]", the codes of its sources). */
void search_filter_values_sql(search_kind k, sqlb_t *b);

/* The test "initiative i has one of these codes" for filter k: lit is a PostgreSQL array literal
 * of checked codes, bound as a parameter. Appends "i.themes && $n::text[]", "i.scale = ANY
 * ($n::text[])" or the EXISTS over source records. */
void search_filter_test_sql(search_kind k, const char *lit, sqlb_t *b);

/* A query being assembled, with the parameters shared by its parts bound on first use. */
typedef struct search_qb {
    sqlb_t b;
    const search_query_t *sq;
    const char *q;           /* the words ranked (the corrected ones on a second attempt) */
    const search_ast_t *ast; /* a query in the fine-search language, or NULL for free words */
    int p_lang, p_q, p_lon, p_lat;
    const search_theme_bits_t *bits; /* themes tested on their bits (NULL: on the array) */
    bool count_all; /* the page's rows carry the number of all matches (column n) */
    bool estimate;  /* the planner's estimate of the number of matches is asked */
    /* When not NULL, only these initiatives (a PostgreSQL array literal of ids, borrowed): the
     * ones changed since the counting index was built (search/indexed.c). */
    const char *only_ids;
} search_qb_t;

/* Starts x with an empty builder; borrows sq, q and ast. The caller frees x->b. */
void search_qb_init(search_qb_t *x, const search_query_t *sq, const char *q,
                    const search_ast_t *ast);

/* Appends the placeholder of the language, the words, or the point of `near` (as a geometry),
 * each bound once per query. */
void search_qb_lang(search_qb_t *x);
void search_qb_words(search_qb_t *x);
void search_qb_near_point(search_qb_t *x);

/* Appends "$n::text[]", n bound to the array literal of checked codes c. */
void search_qb_codes(search_qb_t *x, const search_codes_t *c);

/* Appends the conditions of the search (" WHERE i.status = 'published' AND …") except the filter
 * behind facet `skip` (-1: none), so that a facet's counts ignore its own filter. */
void search_qb_where(search_qb_t *x, int skip);

/* Whether the search has conditions besides its free words: its matches are then few enough to be
 * read (they are counted up to the cap), and ranked ties stay newest first up to the cap. */
bool search_has_filters(const search_query_t *sq, const search_ast_t *ast);

#endif

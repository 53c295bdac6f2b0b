/* search/ast: the fine-search language (domain/query.h) turned into SQL conditions.
 *
 * A parsed query is checked once against the database (codes in their vocabularies, territories
 * resolved), then rendered as a boolean expression over the initiative `i`, with every value bound
 * as a parameter. Internal to the search engine. */
#ifndef SC_SEARCH_AST_H
#define SC_SEARCH_AST_H

#include "core/buf.h"
#include "domain/query.h"
#include "domain/search.h"
#include "domain/search/theme_bits.h"
#include "domain/sqlbuild.h"
#include "domain/status.h"
#include "domain/territory.h"
#include "storage/db.h"

#define SEARCH_AST_MESSAGE_MAX 400

typedef struct search_ast {
    query_t *query;           /* owned */
    const query_node_t *root; /* owned by query; NULL for a query without terms */
    territory_ref_t *refs; /* owned: territory values resolved, in the order the tree is walked */
    size_t nrefs;
    buf_t rank_text; /* owned: the words and phrases not excluded, as websearch text joined by OR,
                        for ranking and excerpts; empty when there are none */
} search_ast_t;

typedef enum search_ast_status {
    SEARCH_AST_PLAIN = 0, /* only free words: the plain free-text search serves it */
    SEARCH_AST_READY,     /* ast is set: render it with search_ast_sql, free it after */
    SEARCH_AST_INVALID,   /* message says what and where (column), for a 400 */
    SEARCH_AST_FAILED,    /* *dom says why */
} search_ast_status;

/* Parses and checks q. On SEARCH_AST_READY the caller frees ast with search_ast_free. On
 * SEARCH_AST_PLAIN, plain (the caller's buffer) receives the words to search as websearch text:
 * the canonical form of the query, without the dashes that the language reads as punctuation
 * ("Lyon - Villeurbanne"), or q itself when q is free text that does not parse. */
search_ast_status search_ast_prepare(db_t *db, const char *q, search_ast_t *ast, buf_t *plain,
                                     char *message, size_t msglen, dom_status *dom) MUST_CHECK;

/* Appends the condition of the tree to b (a parenthesised boolean expression). With bits (not
 * NULL), a theme whose values all have a bit is tested on initiative.theme_bits. */
void search_ast_sql(const search_ast_t *ast, const search_theme_bits_t *bits, sqlb_t *b);

/* Whether the tree is a conjunction (or a single field) one of whose terms is a territory of
 * région or département level only, and whether it has words or phrases anywhere (*words). */
bool search_ast_territorial(const search_ast_t *ast, bool *words);

void search_ast_free(search_ast_t *ast);

#endif

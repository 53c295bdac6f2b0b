/* The fine-search language (search/ast.h) on the bitmaps of the counting index: words (their
 * lexemes as PostgreSQL reads them, read in one query), codes, territories and years, with AND, OR
 * and NOT; phrases, a radius and a box inside q are left to SQL. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "domain/search/filter.h"
#include "domain/search/indexed.h"

#define AST_WORDS_MAX QUERY_MAX_TERMS

typedef struct ast_eval {
    cidx_t *ix;
    const search_ast_t *ast;
    const query_node_t *words[AST_WORDS_MAX]; /* the WORD nodes, in walk order */
    char *tsq[AST_WORDS_MAX];                 /* their tsquery text, NULL for a stop word; owned */
    size_t nwords, next_word, next_ref;
} ast_eval_t;

/* Gathers the WORD nodes; false when a node cannot be evaluated on the index. */
static bool ast_gather(ast_eval_t *e, const query_node_t *n) {
    switch (n->kind) {
    case QUERY_WORD:
        if (e->nwords == AST_WORDS_MAX)
            return false;
        e->words[e->nwords++] = n;
        return true;
    case QUERY_PHRASE:
        return false;
    case QUERY_FIELD:
        return n->field != QUERY_FIELD_NEAR && n->field != QUERY_FIELD_BBOX;
    default:
        for (size_t i = 0; i < n->nchildren; i++)
            if (!ast_gather(e, n->children[i]))
                return false;
        return true;
    }
}

/* The tsquery text of each word, as search/ast.c tests it (a stop word: NULL, every row). */
static dom_status ast_words(db_t *db, ast_eval_t *e) {
    json_t *list = json_array();
    char *text = NULL;
    PGresult *r = NULL;
    dom_status st = DOM_INTERNAL;
    for (size_t i = 0; list && i < e->nwords; i++)
        if (json_array_append_new(list, json_string(e->words[i]->text)) != 0)
            goto done;
    if (list == NULL || (text = json_dumps(list, JSON_COMPACT)) == NULL)
        goto done;
    const char *params[] = {text};
    st = dom_from_db(db_query(db, "search words on the index",
                              "SELECT CASE WHEN numnode(q) > 0 THEN sc_synonyms(q)::text END FROM"
                              " jsonb_array_elements_text($1::jsonb) WITH ORDINALITY AS w(t, o),"
                              " plainto_tsquery('sc_french', sc_fold(w.t)) AS q ORDER BY w.o",
                              1, params, &r));
    if (st != DOM_OK)
        goto done;
    st = DOM_INTERNAL;
    if ((size_t)PQntuples(r) != e->nwords)
        goto done;
    for (size_t i = 0; i < e->nwords; i++)
        if (!PQgetisnull(r, (int)i, 0) && (e->tsq[i] = strdup(PQgetvalue(r, (int)i, 0))) == NULL)
            goto done;
    st = DOM_OK;
done:
    PQclear(r);
    free(text);
    json_decref(list);
    return st;
}

/* The published initiatives, a new bitmap. */
static roaring_bitmap_t *ast_all(cidx_t *ix) {
    const roaring_bitmap_t *all = cidx_get(ix, CIDX_META, "published");
    return all ? roaring_bitmap_copy(all) : roaring_bitmap_create();
}

/* A field's bitmap: codes (as the vocabulary spells them), territories (resolved when q was
 * checked, in walk order), years. */
static cidx_status ast_field(ast_eval_t *e, const query_node_t *n, roaring_bitmap_t **out) {
    *out = roaring_bitmap_create();
    if (*out == NULL)
        return CIDX_NO_MEMORY;
    if (n->field == QUERY_FIELD_TERRITORY) {
        for (size_t i = 0; i < n->nvalues && e->next_ref < e->ast->nrefs; i++) {
            const territory_ref_t *ref = &e->ast->refs[e->next_ref++];
            int dim = search_index_level_dim(ref->level);
            if (dim < 0)
                return CIDX_UNSUPPORTED;
            const roaring_bitmap_t *b = cidx_get(e->ix, (cidx_dim)dim, ref->code);
            if (b)
                roaring_bitmap_or_inplace(*out, b);
        }
        return CIDX_OK;
    }
    if (n->field == QUERY_FIELD_YEAR) {
        for (size_t i = 0; i < n->nyears; i++) {
            roaring_bitmap_t *y = cidx_years(e->ix, n->years[i].from, n->years[i].to);
            if (y == NULL)
                return CIDX_NO_MEMORY;
            roaring_bitmap_or_inplace(*out, y);
            cidx_bitmap_free(y);
        }
        return CIDX_OK;
    }
    int k = search_filter_of_field(n->field);
    if (k < 0)
        return CIDX_UNSUPPORTED;
    bool upper = search_filter((search_kind)k)->upper;
    for (size_t i = 0; i < n->nvalues; i++) {
        char code[SEARCH_CODE_LEN_MAX + 1];
        size_t len = strlen(n->values[i].text);
        if (len == 0 || len > SEARCH_CODE_LEN_MAX)
            continue; /* refused when q was checked */
        for (size_t j = 0; j <= len; j++) {
            unsigned char c = (unsigned char)n->values[i].text[j];
            code[j] = (char)(upper ? toupper(c) : tolower(c));
        }
        const roaring_bitmap_t *b = cidx_get(e->ix, (cidx_dim)k, code);
        if (b)
            roaring_bitmap_or_inplace(*out, b);
    }
    return CIDX_OK;
}

static cidx_status ast_node(ast_eval_t *e, const query_node_t *n, roaring_bitmap_t **out) {
    cidx_status st = CIDX_OK;
    *out = NULL;
    switch (n->kind) {
    case QUERY_WORD: {
        const char *tsq = e->next_word < e->nwords ? e->tsq[e->next_word] : NULL;
        e->next_word++;
        if (tsq == NULL) { /* a stop word does not empty the results */
            *out = ast_all(e->ix);
            return *out ? CIDX_OK : CIDX_NO_MEMORY;
        }
        return cidx_tsquery(e->ix, tsq, out);
    }
    case QUERY_FIELD:
        st = ast_field(e, n, out);
        break;
    case QUERY_NOT: {
        roaring_bitmap_t *x;
        st = ast_node(e, n->children[0], &x);
        if (st == CIDX_OK) {
            *out = ast_all(e->ix);
            if (*out)
                roaring_bitmap_andnot_inplace(*out, x);
            else
                st = CIDX_NO_MEMORY;
        }
        cidx_bitmap_free(x);
        break;
    }
    case QUERY_AND:
    case QUERY_OR:
        for (size_t i = 0; st == CIDX_OK && i < n->nchildren; i++) {
            roaring_bitmap_t *x;
            st = ast_node(e, n->children[i], &x);
            if (st != CIDX_OK)
                break;
            if (*out == NULL) {
                *out = x;
                continue;
            }
            if (n->kind == QUERY_AND)
                roaring_bitmap_and_inplace(*out, x);
            else
                roaring_bitmap_or_inplace(*out, x);
            cidx_bitmap_free(x);
        }
        break;
    default:
        st = CIDX_UNSUPPORTED;
        break;
    }
    if (st != CIDX_OK) {
        cidx_bitmap_free(*out);
        *out = NULL;
    }
    return st;
}

dom_status search_index_ast(db_t *db, cidx_t *ix, const search_ast_t *ast, roaring_bitmap_t **out) {
    ast_eval_t e = {.ix = ix, .ast = ast};
    dom_status st = DOM_OK;
    *out = NULL;
    if (ast->root == NULL || !ast_gather(&e, ast->root))
        return DOM_OK;
    if (e.nwords > 0)
        st = ast_words(db, &e);
    if (st == DOM_OK && ast_node(&e, ast->root, out) != CIDX_OK)
        *out = NULL;
    for (size_t i = 0; i < e.nwords; i++)
        free(e.tsq[i]);
    return st;
}

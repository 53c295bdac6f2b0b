#include "domain/search/ast.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/search.h"
#include "domain/search/filter.h"
#include "domain/status.h"

/* Per field: the vocabulary kind its codes belong to (NULL: not a code field) and whether codes
 * are written in upper case there (themes) or lower case (everything else), from the filter
 * table. */
static const char *field_kind(query_field f, bool *upper) {
    int k = search_filter_of_field(f);
    *upper = k >= 0 && search_filter((search_kind)k)->upper;
    return k >= 0 ? search_filter((search_kind)k)->name : NULL;
}

/* A value as the vocabulary spells codes; false when it cannot be a code at all. */
static bool code_form(const char *text, bool upper, char *out, size_t outlen) {
    size_t n = strlen(text);
    if (n == 0 || n >= outlen || n > SEARCH_CODE_LEN_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)text[i];
        if (!isalnum(c) && c != '_' && c != '-')
            return false;
        out[i] = (char)(upper ? toupper(c) : tolower(c));
    }
    out[n] = '\0';
    return true;
}

/* The bytes of the array literal of one field's codes. */
#define CODES_LIT_MAX (QUERY_MAX_VALUES * (SEARCH_CODE_LEN_MAX + 1) + 3)

typedef struct check {
    db_t *db;
    const char *text; /* the query as typed, for columns */
    size_t len;
    search_ast_t *ast;
    size_t cap_refs;
    char *message;
    size_t msglen;
    dom_status dom;
} check_t;

static bool invalid(check_t *c, size_t offset, const char *what, const char *value) {
    snprintf(c->message, c->msglen, "%s « %s » (colonne %zu)", what, value,
             query_column(c->text, c->len, offset));
    return false;
}

/* Checks a node and its children; resolves territories into ast->refs in walk order. */
static bool check_node(check_t *c, const query_node_t *n, bool negated) {
    bool upper;
    char code[SEARCH_CODE_LEN_MAX + 1];
    if (n->kind == QUERY_AND || n->kind == QUERY_OR || n->kind == QUERY_NOT) {
        for (size_t i = 0; i < n->nchildren; i++)
            if (!check_node(c, n->children[i], negated != (n->kind == QUERY_NOT)))
                return false;
        return true;
    }
    if (n->kind == QUERY_WORD || n->kind == QUERY_PHRASE) {
        if (negated)
            return true;
        const char *sep = c->ast->rank_text.len ? " OR " : "";
        bool ok = buf_append_str(&c->ast->rank_text, sep) &&
                  (n->kind == QUERY_WORD ? buf_append_str(&c->ast->rank_text, n->text)
                                         : buf_appendf(&c->ast->rank_text, "\"%s\"", n->text));
        if (!ok)
            c->dom = DOM_INTERNAL;
        return ok;
    }
    if (n->field == QUERY_FIELD_TERRITORY) {
        for (size_t i = 0; i < n->nvalues; i++) {
            territory_ref_t *ref = &c->ast->refs[c->ast->nrefs];
            if (c->ast->nrefs == c->cap_refs)
                return invalid(c, n->values[i].offset, "Trop de territoires", n->values[i].text);
            if (!territory_ref_parse(n->values[i].text, ref))
                return invalid(c, n->values[i].offset, "Référence de territoire invalide",
                               n->values[i].text);
            dom_status st = territory_resolve(c->db, ref);
            if (st == DOM_NOT_FOUND)
                return invalid(c, n->values[i].offset, "Territoire inconnu", n->values[i].text);
            if (st != DOM_OK) {
                c->dom = st;
                return false;
            }
            c->ast->nrefs++;
        }
        return true;
    }
    const char *kind = field_kind(n->field, &upper);
    for (size_t i = 0; kind && i < n->nvalues; i++) {
        PGresult *r;
        char lit[SEARCH_CODE_LEN_MAX + 3];
        if (!code_form(n->values[i].text, upper, code, sizeof code))
            return invalid(c, n->values[i].offset, "Code invalide", n->values[i].text);
        snprintf(lit, sizeof lit, "{%s}", code);
        const char *params[] = {lit, kind};
        db_status ds = search_filter_of_field(n->field) == SEARCH_SOURCE
                               ? db_exec(c->db, "search_unknown_source", 1, params, &r)
                               : db_exec(c->db, "search_unknown_vocab", 2, params, &r);
        if (ds != DB_OK) {
            c->dom = dom_from_db(ds);
            return false;
        }
        bool unknown = PQntuples(r) > 0;
        PQclear(r);
        if (unknown) {
            char what[80];
            snprintf(what, sizeof what, "Code inconnu pour %s :", query_field_name(n->field));
            return invalid(c, n->values[i].offset, what, n->values[i].text);
        }
    }
    return true;
}

/* True when the text uses the language itself — parentheses or a "field:" — rather than words
 * typed freely. Only then is a syntax error worth reporting: a stray quote or a trailing dash in
 * free words is searched as free words, as websearch reads them. */
static bool uses_language(const char *q) {
    for (const char *p = q; *p; p++) {
        if (*p == '(' || *p == ')')
            return true;
        if (*p == ':' && p > q && (isalpha((unsigned char)p[-1]) || p[-1] == '_'))
            return true;
    }
    return false;
}

search_ast_status search_ast_prepare(db_t *db, const char *q, search_ast_t *ast, buf_t *plain,
                                     char *message, size_t msglen, dom_status *dom) {
    query_error_t qerr;
    search_ast_status result = SEARCH_AST_FAILED;
    memset(ast, 0, sizeof *ast);
    buf_init(&ast->rank_text, 4096);
    *dom = DOM_INTERNAL;
    switch (query_parse(q, strlen(q), &ast->query, &qerr)) {
    case QUERY_OK:
        break;
    case QUERY_INVALID:
        snprintf(message, msglen, "%s", qerr.message);
        result = uses_language(q) ? SEARCH_AST_INVALID : SEARCH_AST_PLAIN;
        if (result == SEARCH_AST_PLAIN && !buf_append_str(plain, q))
            result = SEARCH_AST_FAILED;
        goto failed;
    default:
        goto failed;
    }
    ast->root = query_root(ast->query);
    if (ast->root == NULL || query_is_plain(ast->query)) {
        result = query_to_text(ast->query, plain) ? SEARCH_AST_PLAIN : SEARCH_AST_FAILED;
        goto failed; /* nothing to keep */
    }
    check_t c = {.db = db,
                 .text = q,
                 .len = strlen(q),
                 .ast = ast,
                 .cap_refs = QUERY_MAX_TERMS * QUERY_MAX_VALUES,
                 .message = message,
                 .msglen = msglen,
                 .dom = DOM_OK};
    ast->refs = calloc(c.cap_refs, sizeof *ast->refs);
    if (ast->refs == NULL)
        goto failed;
    if (!check_node(&c, ast->root, false)) {
        *dom = c.dom;
        result = c.dom == DOM_OK ? SEARCH_AST_INVALID : SEARCH_AST_FAILED;
        goto failed;
    }
    *dom = DOM_OK;
    return SEARCH_AST_READY;

failed:
    search_ast_free(ast);
    if (result == SEARCH_AST_PLAIN)
        *dom = DOM_OK;
    return result;
}

void search_ast_free(search_ast_t *ast) {
    query_free(ast->query);
    free(ast->refs);
    buf_free(&ast->rank_text);
    memset(ast, 0, sizeof *ast);
}

/* The walk that renders SQL consumes ast->refs in the order check_node filled them. */
typedef struct render {
    const search_ast_t *ast;
    const search_theme_bits_t *bits;
    sqlb_t *b;
    size_t next_ref;
} render_t;

/* Themes as a test of their bits; false when a value has no bit, for the array test instead. */
static bool render_theme_bits(render_t *r, const query_node_t *n) {
    unsigned mask = 0;
    if (r->bits == NULL)
        return false;
    for (size_t i = 0; i < n->nvalues; i++) {
        char code[SEARCH_CODE_LEN_MAX + 1];
        if (!code_form(n->values[i].text, true, code, sizeof code))
            continue; /* refused by check_node already */
        int bit = search_theme_bit(r->bits, code);
        if (bit < 0)
            return false;
        mask |= 1u << bit;
    }
    search_theme_bits_sql(mask, r->b);
    return true;
}

/* The array literal of the codes of n, as the vocabulary spells them. */
static void codes_literal(const query_node_t *n, bool upper, char lit[CODES_LIT_MAX]) {
    size_t len = 0;
    lit[len++] = '{';
    for (size_t i = 0; i < n->nvalues; i++) {
        char code[SEARCH_CODE_LEN_MAX + 1];
        if (!code_form(n->values[i].text, upper, code, sizeof code))
            continue; /* refused by check_node already */
        if (len > 1)
            lit[len++] = ',';
        memcpy(lit + len, code, strlen(code));
        len += strlen(code);
    }
    lit[len++] = '}';
    lit[len] = '\0';
}

static void render_point(render_t *r, double lon, double lat) {
    sqlb_sql(r->b, "ST_SetSRID(ST_MakePoint(");
    sqlb_paramf(r->b, "%.7f", lon);
    sqlb_sql(r->b, "::float8, ");
    sqlb_paramf(r->b, "%.7f", lat);
    sqlb_sql(r->b, "::float8), 4326)");
}

static void render_field(render_t *r, const query_node_t *n) {
    int k = search_filter_of_field(n->field);
    sqlb_t *b = r->b;
    switch (n->field) {
    case QUERY_FIELD_THEME:
        if (render_theme_bits(r, n))
            break;
        /* fall through */
    case QUERY_FIELD_SUBTHEME:
    case QUERY_FIELD_PUBLIC:
    case QUERY_FIELD_ACTOR:
    case QUERY_FIELD_SCALE:
    case QUERY_FIELD_STAGE:
    case QUERY_FIELD_SOURCE: {
        char lit[CODES_LIT_MAX];
        codes_literal(n, search_filter((search_kind)k)->upper, lit);
        search_filter_test_sql((search_kind)k, lit, b);
        break;
    }
    case QUERY_FIELD_TERRITORY:
        sqlb_sql(b, "(false");
        for (size_t i = 0; i < n->nvalues && r->next_ref < r->ast->nrefs; i++) {
            const territory_ref_t *ref = &r->ast->refs[r->next_ref++];
            const char *column = search_level_column(ref->level);
            if (column == NULL)
                continue;
            sqlb_sql(b, " OR i.");
            sqlb_sql(b, column);
            sqlb_sql(b, " = ");
            sqlb_param(b, ref->code);
        }
        sqlb_sql(b, ")");
        break;
    case QUERY_FIELD_YEAR:
        sqlb_sql(b, "(false");
        for (size_t i = 0; i < n->nyears; i++) {
            sqlb_sql(b, " OR (i.start_year IS NOT NULL");
            if (n->years[i].from) {
                sqlb_sql(b, " AND i.start_year >= ");
                sqlb_paramf(b, "%d", n->years[i].from);
                sqlb_sql(b, "::int");
            }
            if (n->years[i].to) {
                sqlb_sql(b, " AND i.start_year <= ");
                sqlb_paramf(b, "%d", n->years[i].to);
                sqlb_sql(b, "::int");
            }
            sqlb_sql(b, ")");
        }
        sqlb_sql(b, ")");
        break;
    case QUERY_FIELD_NEAR: {
        /* As the near parameter: a box the GiST index can use, then the exact distance. */
        double c = cos(n->near.lat * M_PI / 180);
        double deg = n->near.radius_m / 1000 / (111.32 * (c < 0.01 ? 0.01 : c));
        sqlb_sql(b, "(i.geom && ST_Expand(");
        render_point(r, n->near.lon, n->near.lat);
        sqlb_sql(b, ", ");
        sqlb_paramf(b, "%.6f", deg);
        sqlb_sql(b, "::float8) AND ST_DWithin(i.geom::geography, ");
        render_point(r, n->near.lon, n->near.lat);
        sqlb_sql(b, "::geography, ");
        sqlb_paramf(b, "%.1f", n->near.radius_m);
        sqlb_sql(b, "::float8))");
        break;
    }
    case QUERY_FIELD_BBOX:
        sqlb_sql(b, "i.geom && ST_MakeEnvelope(");
        sqlb_paramf(b, "%.7f", n->bbox.min_lon);
        sqlb_sql(b, "::float8, ");
        sqlb_paramf(b, "%.7f", n->bbox.min_lat);
        sqlb_sql(b, "::float8, ");
        sqlb_paramf(b, "%.7f", n->bbox.max_lon);
        sqlb_sql(b, "::float8, ");
        sqlb_paramf(b, "%.7f", n->bbox.max_lat);
        sqlb_sql(b, "::float8, 4326)");
        break;
    default:
        sqlb_sql(b, "false");
        break;
    }
}

static void render_node(render_t *r, const query_node_t *n) {
    sqlb_t *b = r->b;
    switch (n->kind) {
    case QUERY_WORD: {
        /* A stop word ("le", "de") has no lexeme: it must not empty the results. A synonym or an
         * acronym is widened to its group (sql/load/synonyms.txt), as in free words. */
        int p = sqlb_bind(b, n->text);
        sqlb_sql(b, "(numnode(plainto_tsquery('sc_french', sc_fold(");
        sqlb_ref(b, p);
        sqlb_sql(b, "))) = 0 OR i.tsv @@ sc_synonyms(plainto_tsquery('sc_french', sc_fold(");
        sqlb_ref(b, p);
        sqlb_sql(b, "))))");
        break;
    }
    case QUERY_PHRASE:
        sqlb_sql(b, "i.tsv @@ sc_synonyms(phraseto_tsquery('sc_french', sc_fold(");
        sqlb_param(b, n->text);
        sqlb_sql(b, ")))");
        break;
    case QUERY_FIELD:
        render_field(r, n);
        break;
    case QUERY_NOT:
        /* coalesce: a NULL (no start year, no point) is "not matching", so NOT keeps the row. */
        sqlb_sql(b, "NOT coalesce((");
        render_node(r, n->children[0]);
        sqlb_sql(b, "), false)");
        break;
    case QUERY_AND:
    case QUERY_OR:
        sqlb_sql(b, "(");
        for (size_t i = 0; i < n->nchildren; i++) {
            if (i)
                sqlb_sql(b, n->kind == QUERY_AND ? " AND " : " OR ");
            render_node(r, n->children[i]);
        }
        sqlb_sql(b, ")");
        break;
    }
}

void search_ast_sql(const search_ast_t *ast, const search_theme_bits_t *bits, sqlb_t *b) {
    render_t r = {.ast = ast, .bits = bits, .b = b, .next_ref = 0};
    sqlb_sql(b, "(");
    render_node(&r, ast->root);
    sqlb_sql(b, ")");
}

/* Counts the territory values under n (the refs it resolved), and whether it has words. */
static size_t walk_refs(const query_node_t *n, bool *words) {
    size_t refs = 0;
    if (n->kind == QUERY_WORD || n->kind == QUERY_PHRASE)
        *words = true;
    else if (n->kind == QUERY_FIELD && n->field == QUERY_FIELD_TERRITORY)
        refs = n->nvalues;
    for (size_t i = 0; i < n->nchildren; i++)
        refs += walk_refs(n->children[i], words);
    return refs;
}

bool search_ast_territorial(const search_ast_t *ast, bool *words) {
    const query_node_t *root = ast->root;
    size_t nterms = root->kind == QUERY_AND ? root->nchildren : 1, next_ref = 0;
    bool territorial = false;
    *words = false;
    for (size_t t = 0; t < nterms; t++) {
        const query_node_t *n = root->kind == QUERY_AND ? root->children[t] : root;
        size_t first = next_ref;
        next_ref += walk_refs(n, words);
        if (n->kind != QUERY_FIELD || n->field != QUERY_FIELD_TERRITORY || n->nvalues == 0 ||
            next_ref > ast->nrefs)
            continue;
        bool coarse = true;
        for (size_t i = first; i < next_ref; i++)
            coarse = coarse && search_level_coarse(ast->refs[i].level);
        territorial = territorial || coarse;
    }
    return territorial;
}

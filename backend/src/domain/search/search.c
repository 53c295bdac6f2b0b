/* The search's orchestration: the codes checked, q read (free words or the fine-search language),
 * one attempt (total, page, facets), and a second one with corrected words when the first found
 * nothing. */
#include "domain/search.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/search/ast.h"
#include "domain/search/engine.h"
#include "domain/search/filter.h"
#include "domain/search/indexed.h"
#include "domain/search_where.h"
#include "domain/status.h"

static search_sort effective_sort(const search_query_t *sq, const char *q) {
    if (sq->sort != SEARCH_SORT_DEFAULT)
        return sq->sort == SEARCH_SORT_RELEVANCE && !(q && q[0]) ? SEARCH_SORT_RECENT : sq->sort;
    return q && q[0] ? SEARCH_SORT_RELEVANCE : SEARCH_SORT_RECENT;
}

const char *search_status_text(search_status ss) {
    switch (ss) {
    case SEARCH_OK:
        return "ok";
    case SEARCH_BAD_CURSOR:
        return "a cursor of another listing";
    case SEARCH_UNKNOWN_CODE:
        return "an unknown code";
    case SEARCH_SYNTAX:
        return "not a valid query";
    default:
        return "database error (see log)";
    }
}

/* Fails with SEARCH_UNKNOWN_CODE on the first code that is not in its vocabulary. */
static search_status check_codes(db_t *db, const search_query_t *sq, search_error_t *err) {
    for (int k = 0; k < SEARCH_NKINDS; k++) {
        const search_codes_t *c = &sq->codes[k];
        char lit[SEARCH_CODES_LIT_MAX];
        PGresult *r;
        if (c->n == 0)
            continue;
        search_codes_literal(c, lit);
        const char *params[] = {lit, search_kind_name((search_kind)k)};
        dom_status st = dom_from_db(search_filter((search_kind)k)->type == SEARCH_VALUES_SOURCE
                                            ? db_exec(db, "search_unknown_source", 1, params, &r)
                                            : db_exec(db, "search_unknown_vocab", 2, params, &r));
        if (st != DOM_OK) {
            err->dom = st;
            return SEARCH_FAILED;
        }
        bool unknown = PQntuples(r) > 0;
        if (unknown) {
            err->bad_kind = (search_kind)k;
            for (size_t i = 0; i < c->n; i++)
                if (strcmp(c->codes[i], PQgetvalue(r, 0, 0)) == 0)
                    err->bad_code = c->codes[i];
        }
        PQclear(r);
        if (unknown)
            return SEARCH_UNKNOWN_CODE;
    }
    return SEARCH_OK;
}

/* Whether the themes are tested on their bits (*use, with *bits read): for a search without words
 * filtered by région or département, whose indexes (migration 026) hold the bits. Elsewhere the
 * array stays, which the GIN indexes on themes serve (a theme with words, or with other filters).
 * The estimate of the total keeps the array in every case (search/count.c), so that it stays the
 * same figure. */
static dom_status theme_bits_use(db_t *db, const search_query_t *sq, const char *q,
                                 const search_ast_t *ast, search_theme_bits_t *bits, bool *use) {
    bool words = q && q[0], territorial = false;
    *use = false;
    bits->n = 0;
    if (ast) {
        bool ast_words;
        territorial = search_ast_territorial(ast, &ast_words);
        words = words || ast_words;
    } else if (sq->codes[SEARCH_THEME].n > 0) {
        territorial = sq->nterritories > 0;
        for (size_t i = 0; i < sq->nterritories; i++)
            territorial = territorial && search_level_coarse(sq->territories[i].level);
    }
    if (words || !territorial)
        return DOM_OK;
    dom_status st = search_theme_bits_load(db, bits);
    *use = st == DOM_OK;
    return st;
}

/* Sets the totals of the answer: "total", "total_exact", "total_is_estimate". */
static dom_status set_total(json_t *out, const search_total_t *t) {
    bool exact = !t->estimate && (t->precounted || t->n <= SEARCH_TOTAL_CAP);
    json_int_t shown = t->estimate || exact ? t->n : SEARCH_TOTAL_CAP;
    if (json_object_set_new(out, "total", json_integer(shown)) != 0 ||
        json_object_set_new(out, "total_exact", json_boolean(exact)) != 0 ||
        json_object_set_new(out, "total_is_estimate", json_boolean(t->estimate)) != 0)
        return DOM_INTERNAL;
    return DOM_OK;
}

/* One attempt with the words q: its total, page and facets. *total: the number of matches. */
static dom_status search_attempt(db_t *db, const search_query_t *sq, const char *q,
                                 const search_ast_t *ast, json_t **out, json_int_t *total) {
    search_theme_bits_t bits;
    search_total_t t = {.n = 0};
    bool use_bits;
    *out = NULL;
    search_sort sort = effective_sort(sq, q);
    double big_above = search_has_filters(sq, ast) ? SEARCH_TOTAL_CAP : SEARCH_RANK_TIES_BY_INDEX;
    json_int_t counted = -1;
    bool indexed = false;
    /* On the counting index when it can answer (search/indexed.c), else in SQL below. */
    const search_attempt_t plain = {.sq = sq, .q = q, .ast = ast, .bits = NULL};
    dom_status st = search_indexed_attempt(db, &plain, sort, out, total, &indexed);
    if (indexed)
        return st;
    st = theme_bits_use(db, sq, q, ast, &bits, &use_bits);
    search_attempt_t a = {.sq = sq, .q = q, .ast = ast, .bits = use_bits ? &bits : NULL};
    /* A ranked page that is not big sorts all its matches, and so does a page by distance (the
     * distance is computed for each match, no index reads it in order): it counts them as well.
     * So does the newest page of a search by theme and territory (page.c, newest_counted). */
    bool sorts_all = (sort == SEARCH_SORT_RELEVANCE && q && q[0]) || sort == SEARCH_SORT_DISTANCE ||
                     (use_bits && sort == SEARCH_SORT_RECENT && !sq->has_near);
    if (st == DOM_OK)
        st = search_total(db, &a, sorts_all ? big_above : -1, &t);
    if (st == DOM_OK)
        st = search_page(db, &a, sort, t.est > big_above, t.deferred ? &counted : NULL, out);
    if (st == DOM_OK && t.deferred) {
        if (counted >= 0)
            t.n = counted;
        else
            st = search_count(db, &a, &t.n); /* a page past the last match */
    }
    if (st == DOM_OK && !t.precounted && !t.estimate && t.n > SEARCH_TOTAL_CAP &&
        t.est > SEARCH_TOTAL_CAP) {
        t.n = (json_int_t)t.est;
        t.estimate = true;
    }
    if (st == DOM_OK)
        st = set_total(*out, &t);
    if (st == DOM_OK)
        st = search_facets(db, &a, *out);
    if (st != DOM_OK) {
        json_decref(*out);
        *out = NULL;
    }
    *total = t.n;
    return st;
}

/* Reads q: free words (*ranked is their websearch text, in plain) or the fine-search language
 * (*fine, ast set; *ranked the words to rank by, or NULL). On failure nothing is left to free. */
static search_status prepare_q(db_t *db, const search_query_t *sq, search_ast_t *ast, buf_t *plain,
                               bool *fine, const char **ranked, search_error_t *err) {
    *fine = false;
    *ranked = sq->q;
    buf_init(plain, 2 * SEARCH_Q_MAX);
    if (!(sq->q && sq->q[0]))
        return SEARCH_OK;
    switch (search_ast_prepare(db, sq->q, ast, plain, err->message, sizeof err->message,
                               &err->dom)) {
    case SEARCH_AST_PLAIN:
        *ranked = buf_cstr(plain);
        return SEARCH_OK;
    case SEARCH_AST_READY:
        *fine = true;
        *ranked = ast->rank_text.len ? buf_cstr(&ast->rank_text) : NULL;
        return SEARCH_OK;
    case SEARCH_AST_INVALID:
        buf_free(plain);
        return SEARCH_SYNTAX;
    default:
        buf_free(plain);
        return SEARCH_FAILED;
    }
}

/* The attempt with the words of q that search_relax keeps; replaces *out when it finds some,
 * with "relaxed" {"q", "dropped"}. */
static dom_status relaxed_attempt(db_t *db, const search_query_t *sq, const char *q, json_t **out) {
    char *kept = NULL;
    json_t *dropped = NULL, *third = NULL;
    json_int_t total = 0;
    dom_status st = search_relax(db, sq, q, &kept, &dropped);
    if (st != DOM_OK || kept == NULL)
        goto done;
    st = search_attempt(db, sq, kept, NULL, &third, &total);
    if (st != DOM_OK || total == 0)
        goto done;
    if (json_object_set_new(third, "relaxed",
                            json_pack("{s:s, s:O}", "q", kept, "dropped", dropped)) != 0) {
        st = DOM_INTERNAL;
        goto done;
    }
    json_decref(*out);
    *out = third;
    third = NULL;
done:
    json_decref(third);
    json_decref(dropped);
    free(kept);
    return st;
}

search_status search_run(db_t *db, const search_query_t *sq, json_t **out, search_error_t *err) {
    json_int_t total = 0;
    char *corrected = NULL;
    search_ast_t ast;
    buf_t plain;
    bool fine = false;
    const char *ranked = sq->q;
    search_status ss;
    *out = NULL;
    err->dom = DOM_OK;
    if (sq->nterritories > SEARCH_TERRITORIES_MAX) {
        err->dom = DOM_INTERNAL;
        return SEARCH_FAILED;
    }
    ss = check_codes(db, sq, err);
    if (ss != SEARCH_OK)
        return ss;
    ss = prepare_q(db, sq, &ast, &plain, &fine, &ranked, err);
    if (ss != SEARCH_OK)
        return ss;
    if (sq->cursor &&
        sq->cursor->kind != (effective_sort(sq, ranked) == SEARCH_SORT_RECENT ? CURSOR_KEYSET
                                                                              : CURSOR_OFFSET)) {
        ss = SEARCH_BAD_CURSOR;
        goto done;
    }

    err->dom = search_attempt(db, sq, ranked, fine ? &ast : NULL, out, &total);
    /* Nothing found for free words: try the closest indexed words (on every page, so that the
     * cursors of a corrected search keep working). The fine-search language is taken literally. */
    if (err->dom == DOM_OK && total == 0 && !fine && ranked && ranked[0]) {
        err->dom = search_correct(db, ranked, &corrected);
        if (err->dom == DOM_OK && corrected) {
            json_t *second;
            json_int_t total2;
            err->dom = search_attempt(db, sq, corrected, NULL, &second, &total2);
            if (err->dom == DOM_OK && total2 > 0) {
                json_decref(*out);
                *out = second;
                json_object_set_new(*out, "did_you_mean", json_string(corrected));
                json_object_set_new(*out, "corrected", json_true());
                total = total2;
            } else {
                json_decref(second);
            }
        }
    }
    /* Still nothing: the largest set of the words typed that some initiative holds
     * (search/relax.c), and the answer says which words were left out (a word mistyped is one
     * the lexicon does not know, left out first). On every page too. */
    if (err->dom == DOM_OK && total == 0 && !fine && ranked && ranked[0])
        err->dom = relaxed_attempt(db, sq, ranked, out);
    if (err->dom == DOM_OK && !json_object_get(*out, "relaxed"))
        json_object_set_new(*out, "relaxed", json_null());
    ss = err->dom == DOM_OK ? SEARCH_OK : SEARCH_FAILED;
    if (ss == SEARCH_OK && !json_object_get(*out, "corrected"))
        json_object_set_new(*out, "corrected", json_false());
done:
    free(corrected);
    buf_free(&plain);
    if (fine)
        search_ast_free(&ast);
    if (ss != SEARCH_OK) {
        json_decref(*out);
        *out = NULL;
    }
    return ss;
}

/* The ORDER BY of an export: the page's order (page.c) with every tie broken by id, so that an
 * export lists the matches as the pages do and two exports of one search agree. */
static void export_order(search_qb_t *x, search_sort sort) {
    switch (sort) {
    case SEARCH_SORT_RELEVANCE:
        sqlb_sql(&x->b, "i.tsv <=> sc_tsquery(");
        search_qb_words(x);
        sqlb_sql(&x->b, "), i.id DESC");
        break;
    case SEARCH_SORT_NAME:
        sqlb_sql(&x->b, "sc_normalize(i.title), i.id");
        break;
    case SEARCH_SORT_DISTANCE:
        sqlb_sql(&x->b, "ST_Distance(i.geom::geography, ");
        search_qb_near_point(x);
        sqlb_sql(&x->b, "::geography), i.id");
        break;
    default:
        sqlb_sql(&x->b, "i.created_at DESC, i.id DESC");
        break;
    }
}

/* The WHERE of a search (limit < 0) or the ordered ids of its export (the first `limit`), built
 * into b: the one place that checks the codes and prepares the words for both. */
static search_status build_sql(db_t *db, const search_query_t *sq, int limit, sqlb_t *b,
                               search_error_t *err) {
    search_ast_t ast;
    buf_t plain;
    bool fine = false;
    const char *ranked = sq->q;
    char *fallback = NULL;
    search_qb_t x;
    err->dom = DOM_OK;
    if (sq->nterritories > SEARCH_TERRITORIES_MAX) {
        err->dom = DOM_INTERNAL;
        return SEARCH_FAILED;
    }
    search_status ss = check_codes(db, sq, err);
    if (ss != SEARCH_OK)
        return ss;
    ss = prepare_q(db, sq, &ast, &plain, &fine, &ranked, err);
    if (ss != SEARCH_OK)
        return ss;
    /* Free words that match nothing: the words the list falls back on, so that the map, the
     * statistics and the exports show what it shows. */
    if (!fine && ranked && ranked[0]) {
        err->dom = search_fallback_words(db, sq, ranked, &fallback);
        if (err->dom != DOM_OK) {
            buf_free(&plain);
            return SEARCH_FAILED;
        }
        if (fallback)
            ranked = fallback;
    }
    search_sort sort = effective_sort(sq, ranked);
    search_qb_init(&x, sq, ranked, fine ? &ast : NULL);
    sqlb_free(&x.b);
    x.b = *b; /* the builder moves in and back out, with what it already holds */
    if (limit < 0) {
        search_qb_where(&x, -1);
    } else {
        sqlb_sql(&x.b, "SELECT i.id, row_number() OVER (ORDER BY ");
        export_order(&x, sort);
        sqlb_sql(&x.b, ") AS n FROM initiative i");
        search_qb_where(&x, -1);
        sqlb_sql(&x.b, " ORDER BY ");
        export_order(&x, sort);
        sqlb_sql(&x.b, " LIMIT ");
        sqlb_paramf(&x.b, "%d", limit);
    }
    *b = x.b;
    free(fallback);
    buf_free(&plain);
    if (fine)
        search_ast_free(&ast);
    return SEARCH_OK;
}

search_status search_where_sql(db_t *db, const search_query_t *sq, sqlb_t *b, search_error_t *err) {
    return build_sql(db, sq, -1, b, err);
}

search_status search_export_sql(db_t *db, const search_query_t *sq, int limit, sqlb_t *b,
                                search_error_t *err) {
    return build_sql(db, sq, limit < 0 ? 0 : limit, b, err);
}

/* Free words that match nothing together: the largest set of them that some initiative holds,
 * and the words left out (statement search_relax_words, then one EXISTS a try).
 *
 * The words are tried without one of them, then without two, and so on: most words kept first.
 * Among the sets of one size, those that leave out the most frequent words (search_lexicon.ndoc)
 * come first, so the rarest words, which say most about what is looked for, are kept; a word the
 * lexicon does not know matches nothing and is left out before any other. Each try is one EXISTS
 * over the search's conditions, answered by the GIN index on the words (the intersection of their
 * posting lists), not by reading the matches; the tries are capped, after which words are left out
 * one at a time in that order. */
#include <stdlib.h>
#include <string.h>

#include "domain/rows.h"
#include "domain/search/engine.h"
#include "domain/search/filter.h"
#include "domain/search/indexed.h"
#include "domain/status.h"

#define RELAX_WORDS_MAX                                                                          \
    12                     /* words considered; the more frequent of a longer query are left out \
                            */
#define RELAX_TRIES_MAX 24 /* sets tried before leaving words out one at a time */

typedef struct relax_word {
    const char *text; /* as typed (owned by the PGresult) */
    long ndoc;        /* initiatives holding it; 0 for a word the lexicon does not know */
    size_t ord;       /* its rank among the words typed */
} relax_word_t;

/* Sorts words by the order they are left out in: unknown words, then the most frequent, then the
 * last typed (so that the order, and so the answer, never depends on the sort). */
static int drop_order(const void *a, const void *b) {
    const relax_word_t *x = a, *y = b;
    if ((x->ndoc == 0) != (y->ndoc == 0))
        return x->ndoc == 0 ? -1 : 1;
    if (x->ndoc != y->ndoc)
        return x->ndoc > y->ndoc ? -1 : 1;
    return x->ord > y->ord ? -1 : x->ord < y->ord ? 1 : 0;
}

/* Whether an initiative matches the search sq with the words q. */
static dom_status relax_exists(db_t *db, const search_query_t *sq, const char *q, bool *found) {
    search_qb_t x;
    PGresult *r;
    bool known;
    /* On the counting index when it can tell: an intersection of bitmaps, about a millisecond with
     * its one query, where SQL takes 35 to 100 ms at 1,000,000 initiatives. */
    dom_status ist = search_index_exists(db, sq, q, found, &known);
    if (ist != DOM_OK || known)
        return ist;
    /* First among the newest 3,000 initiatives (a few milliseconds through the index on
     * created_at): words that are often together are found there. Else the matches are asked for
     * in a MATERIALIZED CTE, planned for all its rows, of which EXISTS reads one: the words are
     * looked up in their index (posting lists intersected). A plain EXISTS is planned for its
     * first row: for frequent words, each estimated in 10% of the rows, it walks the table
     * expecting a match within a few dozen rows, and reads all of it when the words are never
     * together, the very case tried here (1,000,000 rows: 4 s, against 35 ms). The second EXISTS
     * (an InitPlan) runs only when the first is false. */
    search_qb_init(&x, sq, q, NULL);
    sqlb_sql(&x.b, "WITH m AS MATERIALIZED (SELECT 1 FROM initiative i");
    search_qb_where(&x, -1);
    sqlb_sql(&x.b, ") SELECT EXISTS (SELECT 1 FROM (SELECT * FROM initiative WHERE status ="
                   " 'published' ORDER BY created_at DESC, id DESC LIMIT 3000) i");
    search_qb_where(&x, -1);
    sqlb_sql(&x.b, ") OR EXISTS (SELECT 1 FROM m)");
    dom_status st = dom_query_built(db, "search relax", &x.b, &r);
    sqlb_free(&x.b);
    *found = false;
    if (st != DOM_OK)
        return st;
    *found = strcmp(PQgetvalue(r, 0, 0), "t") == 0;
    PQclear(r);
    return DOM_OK;
}

/* Writes into out the words of w (n of them) whose bit is clear in drop, in the order typed. */
static bool kept_text(const relax_word_t *w, size_t n, unsigned drop, buf_t *out) {
    buf_reset(out);
    size_t last = 0; /* the words are appended by increasing ord: each pass finds the next one */
    for (bool first = true;; first = false) {
        size_t next = (size_t)-1, at = 0;
        for (size_t i = 0; i < n; i++)
            if (!(drop & (1u << i)) && (first || w[i].ord > last) && w[i].ord < next) {
                next = w[i].ord;
                at = i;
            }
        if (next == (size_t)-1)
            return true;
        if ((out->len && !buf_append_str(out, " ")) || !buf_append_str(out, w[at].text))
            return false;
        last = next;
    }
}

/* The next set of d indexes among n after c (lexicographic); false after the last. */
static bool next_combination(size_t *c, size_t d, size_t n) {
    size_t i = d;
    while (i > 0 && c[i - 1] == n - d + i - 1)
        i--;
    if (i == 0)
        return false;
    c[i - 1]++;
    for (size_t j = i; j < d; j++)
        c[j] = c[j - 1] + 1;
    return true;
}

dom_status search_relax(db_t *db, const search_query_t *sq, const char *q, char **kept,
                        json_t **dropped) {
    PGresult *r = NULL;
    relax_word_t w[RELAX_WORDS_MAX];
    size_t n = 0, tries = 0;
    unsigned found_drop = 0, extra = 0;
    bool found = false;
    buf_t text;
    const char *params[] = {q};
    *kept = NULL;
    *dropped = NULL;
    buf_init(&text, 2 * SEARCH_Q_MAX);
    dom_status st = dom_from_db(db_exec(db, "search_relax_words", 1, params, &r));
    if (st != DOM_OK)
        goto done;
    /* Words with a lexeme only (stop words and words of questions never decide a match), the
     * more frequent left out beyond RELAX_WORDS_MAX. */
    int rows = PQntuples(r);
    relax_word_t all[QUERY_MAX_TERMS];
    size_t nall = 0;
    for (int i = 0; i < rows && nall < QUERY_MAX_TERMS; i++) {
        if (strcmp(PQgetvalue(r, i, 1), "t") != 0)
            continue;
        all[nall].text = PQgetvalue(r, i, 0);
        all[nall].ndoc = strtol(PQgetvalue(r, i, 2), NULL, 10);
        all[nall].ord = nall;
        nall++;
    }
    if (nall < 2)
        goto done; /* one word that matches nothing: nothing to leave out */
    relax_word_t sorted[QUERY_MAX_TERMS];
    memcpy(sorted, all, nall * sizeof *all);
    qsort(sorted, nall, sizeof *sorted, drop_order);
    extra = nall > RELAX_WORDS_MAX ? (unsigned)(nall - RELAX_WORDS_MAX) : 0;
    /* w: the words considered, in the order they are left out. */
    for (size_t i = extra; i < nall; i++)
        w[n++] = sorted[i];
    /* Without d words, d = 1, 2…: each set in lexicographic order of the drop order. */
    for (size_t d = 1; d < n && !found && tries < RELAX_TRIES_MAX; d++) {
        size_t c[RELAX_WORDS_MAX];
        for (size_t i = 0; i < d; i++)
            c[i] = i;
        do {
            unsigned drop = 0;
            for (size_t i = 0; i < d; i++)
                drop |= 1u << c[i];
            if (!kept_text(w, n, drop, &text)) {
                st = DOM_INTERNAL;
                goto done;
            }
            st = relax_exists(db, sq, buf_cstr(&text), &found);
            if (st != DOM_OK)
                goto done;
            tries++;
            if (found)
                found_drop = drop;
        } while (!found && tries < RELAX_TRIES_MAX && next_combination(c, d, n));
    }
    /* Past the cap: the words left out one at a time, in the drop order. */
    for (size_t d = 1; d < n && !found; d++) {
        unsigned drop = (1u << d) - 1;
        if (!kept_text(w, n, drop, &text)) {
            st = DOM_INTERNAL;
            goto done;
        }
        st = relax_exists(db, sq, buf_cstr(&text), &found);
        if (st != DOM_OK)
            goto done;
        if (found)
            found_drop = drop;
    }
    if (!found)
        goto done;
    if (!kept_text(w, n, found_drop, &text)) {
        st = DOM_INTERNAL;
        goto done;
    }
    *dropped = json_array();
    *kept = strdup(buf_cstr(&text));
    if (*dropped == NULL || *kept == NULL) {
        st = DOM_INTERNAL;
        goto done;
    }
    /* The words left out, in the order typed: those beyond RELAX_WORDS_MAX and those dropped. */
    for (size_t j = 0; j < nall; j++) {
        bool out = true;
        for (size_t i = 0; i < n; i++)
            if (w[i].ord == j)
                out = (found_drop & (1u << i)) != 0;
        if (out && json_array_append_new(*dropped, json_string(all[j].text)) != 0) {
            st = DOM_INTERNAL;
            goto done;
        }
    }

done:
    if (st != DOM_OK || !found) {
        free(*kept);
        json_decref(*dropped);
        *kept = NULL;
        *dropped = NULL;
    }
    /* *kept and *dropped are copies: the result can go. */
    PQclear(r);
    buf_free(&text);
    return st;
}

dom_status search_fallback_words(db_t *db, const search_query_t *sq, const char *q, char **words) {
    char *corrected = NULL;
    json_t *dropped = NULL;
    bool found;
    *words = NULL;
    dom_status st = relax_exists(db, sq, q, &found);
    if (st != DOM_OK || found)
        return st;
    st = search_correct(db, q, &corrected);
    if (st == DOM_OK && corrected) {
        st = relax_exists(db, sq, corrected, &found);
        if (st == DOM_OK && found) {
            *words = corrected;
            return DOM_OK;
        }
    }
    if (st == DOM_OK)
        st = search_relax(db, sq, q, words, &dropped);
    json_decref(dropped);
    free(corrected);
    return st;
}

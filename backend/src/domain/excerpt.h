/* excerpt: the passage of an initiative's text shown under a search result, the searched words
 * marked.
 *
 * Computed in the API from the text and the lexemes of the search (a tsquery as PostgreSQL prints
 * it): each word of the text is folded (core/fold: lower case, no accents, as the sc_french
 * configuration's unaccent) and stemmed by Snowball's French stemmer (libstemmer: the algorithm of
 * PostgreSQL's french_stem), and marked when its stem is one of the lexemes. PostgreSQL's
 * ts_headline did this before at 2.5 to 5 ms of the database's time per page of 20 results (each
 * word of the texts through its parser and three dictionaries), on every uncached search with
 * words; here it costs a few hundredths of that, in the API's processes.
 *
 * Words that PostgreSQL's stop-word lists drop never become lexemes, so they are never marked,
 * except a stop word whose stem happens to be the stem of a searched word ("dans" and "dan"). */
#ifndef SC_EXCERPT_H
#define SC_EXCERPT_H

#include "core/buf.h"
#include "core/common.h"

#define EXCERPT_TERMS_MAX 32    /* lexemes of one search that are looked for */
#define EXCERPT_TERM_MAX  64    /* bytes of a lexeme; a longer one is not looked for */
#define EXCERPT_WORDS     28    /* words of one passage */
#define EXCERPT_TEXT_MAX  65536 /* bytes of text read; the rest of a longer one is not shown */

typedef struct excerpt_terms {
    size_t n;
    struct {
        char lexeme[EXCERPT_TERM_MAX];
        size_t len;  /* of lexeme */
        bool prefix; /* 'jard':* — matches the stems that start with it */
    } t[EXCERPT_TERMS_MAX];
} excerpt_terms_t;

/* Reads the lexemes of a tsquery's text ('jardin' & 'partag', 'aid' <-> 'alimentair', 'caf':*,
 * !'x'), leaving out the negated ones (the results do not hold them). Lexemes past the first
 * EXCERPT_TERMS_MAX are ignored. Returns false, with out->n == 0, when the text is not of that
 * form. */
bool excerpt_terms_parse(const char *tsquery, excerpt_terms_t *out) MUST_CHECK;

/* Appends to out the excerpt of the len bytes of UTF-8 text, as HTML: everything escaped, each
 * word matching a term between <mark> and </mark>. Up to two passages of at most EXCERPT_WORDS
 * words, the ones holding the most distinct terms (then the most matching words, then the
 * earliest), in the order of the text, each starting a few words before its first match or at the
 * start of that sentence; "…" where text is left out. Without any match, the start of the text.
 * White space is shown as single spaces. Returns false when out reaches its cap or memory runs
 * out. */
bool excerpt_html(const char *text, size_t len, const excerpt_terms_t *terms,
                  buf_t *out) MUST_CHECK;

#endif

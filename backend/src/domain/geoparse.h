/* geoparse: the pure part of the geocoder — what a place query says before any lookup.
 *
 * A query is an INSEE code, a postcode, a commune name, "name (département)" or a French address
 * ("BP 123, 12 rue X, 69003 Lyon Cedex 03"). geoparse_run splits it into words and pulls out what
 * is not a place name: the 5-character code (postcode or INSEE code), a département given in
 * parentheses or as a trailing code, CEDEX and its number, BP/CS/TSA boxes, a trailing "France".
 * What remains is a list of words in comma-separated segments; the commune name is looked for
 * among the word sequences (n-grams) it lists, best placed first. No allocation, no database. */
#ifndef SC_GEOPARSE_H
#define SC_GEOPARSE_H

#include "core/common.h"

#define GEOPARSE_TOKENS_MAX 64  /* the last words of a longer query are kept */
#define GEOPARSE_NGRAM_MAX  8   /* words in one candidate name ("Saint Remy en Bouzemont …") */
#define GEOPARSE_NGRAMS_MAX 128 /* candidate names sent to the database */
#define GEOPARSE_HINT_MAX \
    64 /* bytes of a département hint; longer text in parentheses is dropped */

typedef struct geoparse_token {
    const char *start; /* into the query: valid while the query is */
    size_t len;
    int segment; /* commas, semicolons, standalone dashes and the code separate segments */
    bool digits; /* only ASCII digits: a house number, never part of a commune name */
} geoparse_token_t;

/* A candidate name: tokens[first .. first + count - 1]. */
typedef struct geoparse_ngram {
    int first;
    int count;
} geoparse_ngram_t;

typedef struct geoparse {
    char code[6];    /* "69003", "2A004" (upper case), or "" */
    bool code_insee; /* written after the word "INSEE": an INSEE code even if also a postcode */
    bool cedex;      /* the word CEDEX was written: the code is likely a CEDEX code */
    char dep[GEOPARSE_HINT_MAX]; /* "(42)", "(Loire)", "(Seine-Saint-Denis)" → "42", "Loire", … */
    bool dep_trailing;           /* dep is a bare trailing "93" (a weaker hint: "Paris 15") */
    int ntokens;
    geoparse_token_t tokens[GEOPARSE_TOKENS_MAX];
    int letters; /* tokens holding a letter: 0 when the query is only a code */
    /* Where the commune name is expected: the words right after the code, or before it when
     * nothing follows, or else the last segment. [locality_first, locality_end) in tokens. */
    int locality_first;
    int locality_end;
    int nngrams;
    geoparse_ngram_t ngrams[GEOPARSE_NGRAMS_MAX]; /* the locality's first */
} geoparse_t;

/* Parses q (valid UTF-8, NUL-terminated, any length: bytes past 1024 are ignored). The tokens
 * point into q, which must outlive out. */
void geoparse_run(const char *q, geoparse_t *out);

/* Writes tokens[first .. first + count - 1] joined by single spaces into out (NUL-terminated,
 * cut at a word boundary when outlen is too small). Returns the length written. */
size_t geoparse_text(const geoparse_t *gp, int first, int count, char *out, size_t outlen);

/* The segment before the one holding token `first`: its token range, or false when there is
 * none. */
bool geoparse_segment_before(const geoparse_t *gp, int first, int *seg_first, int *seg_end);

#endif

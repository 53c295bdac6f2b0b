/* search/theme_bits: themes tested on initiative.theme_bits (sql/migrations/026) rather than on the
 * themes array, where the indexes of a search by theme and région or département hold the bits.
 * Internal to the search engine. */
#ifndef SC_SEARCH_THEME_BITS_H
#define SC_SEARCH_THEME_BITS_H

#include "domain/search.h"
#include "domain/sqlbuild.h"

/* The bit of each theme that has one in initiative.theme_bits. */
#define SEARCH_THEME_BITS_MAX 31
typedef struct search_theme_bits {
    size_t n;
    char code[SEARCH_THEME_BITS_MAX][SEARCH_CODE_LEN_MAX + 1];
    int bit[SEARCH_THEME_BITS_MAX];
} search_theme_bits_t;

/* The bit of a theme code in bits; -1 when it has none. */
int search_theme_bit(const search_theme_bits_t *bits, const char *code);

/* Appends the test "initiative i has one of the themes of mask" on its bits: theme_bits among the
 * combinations present that hold one of them (theme_bits_seen, migration 032), which the indexes
 * on (place, theme_bits, start_year) search value by value. */
void search_theme_bits_sql(unsigned mask, sqlb_t *b);

/* Reads the themes that have a bit (statement search_theme_bits) into bits. */
dom_status search_theme_bits_load(db_t *db, search_theme_bits_t *bits) MUST_CHECK;

#endif

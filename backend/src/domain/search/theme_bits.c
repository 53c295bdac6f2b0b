#include "domain/search/theme_bits.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/status.h"

int search_theme_bit(const search_theme_bits_t *bits, const char *code) {
    for (size_t i = 0; i < bits->n; i++)
        if (strcmp(bits->code[i], code) == 0)
            return bits->bit[i];
    return -1;
}

void search_theme_bits_sql(unsigned mask, sqlb_t *b) {
    sqlb_sql(b, "(i.theme_bits = ANY (ARRAY(SELECT s.bits FROM theme_bits_seen s WHERE s.bits & ");
    sqlb_paramf(b, "%u", mask);
    sqlb_sql(b, "::int <> 0)))");
}

dom_status search_theme_bits_load(db_t *db, search_theme_bits_t *bits) {
    PGresult *r;
    bits->n = 0;
    dom_status st = dom_from_db(db_exec(db, "search_theme_bits", 0, NULL, &r));
    if (st != DOM_OK)
        return st;
    for (int i = 0; i < PQntuples(r) && bits->n < SEARCH_THEME_BITS_MAX; i++) {
        snprintf(bits->code[bits->n], sizeof bits->code[0], "%s", PQgetvalue(r, i, 0));
        bits->bit[bits->n++] = atoi(PQgetvalue(r, i, 1));
    }
    PQclear(r);
    return DOM_OK;
}

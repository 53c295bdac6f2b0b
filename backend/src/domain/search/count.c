/* The number of matches of a search: read from facet_count, estimated by the planner, or counted
 * up to the cap. */
#include <stdlib.h>
#include <string.h>

#include "domain/rows.h"
#include "domain/search/engine.h"
#include "domain/search/filter.h"
#include "domain/status.h"

/* The planner's row estimate of a node of an EXPLAIN (FORMAT JSON) plan; -1 when absent. */
static double plan_rows(json_t *node) {
    json_t *rows = json_object_get(node, "Plan Rows");
    return json_is_number(rows) ? json_number_value(rows) : -1;
}

/* The planner's estimate of the number of matches (0 when it cannot be read). The themes are
 * tested on the array, whatever a.bits, so that the estimate stays the same figure. */
static dom_status estimate(db_t *db, const search_attempt_t *a, double *est) {
    search_qb_t x;
    PGresult *r;
    json_error_t jerr;
    search_qb_init(&x, a->sq, a->q, a->ast);
    x.estimate = true;
    sqlb_sql(&x.b, "EXPLAIN (FORMAT JSON) SELECT 1 FROM initiative i");
    search_qb_where(&x, -1);
    dom_status st = dom_query_built(db, "search estimate", &x.b, &r);
    sqlb_free(&x.b);
    *est = 0;
    if (st != DOM_OK)
        return st;
    json_t *plan = json_loads(PQgetvalue(r, 0, 0), 0, &jerr);
    double rows = plan_rows(json_object_get(json_array_get(plan, 0), "Plan"));
    *est = rows >= 0 ? rows : 0;
    json_decref(plan);
    PQclear(r);
    return DOM_OK;
}

/* One key of facet_count a search may be counted under. */
typedef struct count_key {
    const char *kind, *code;
    bool single;      /* a kind held once per initiative (actor type, scale, stage, places) */
    bool territorial; /* région or département */
} count_key_t;

/* The number of matches read from facet_count, when the search has no words, place or year and
 * one filter code of a kind held once per initiative (actor type, scale, stage, région,
 * département), or two codes of which one is of such a kind: exact at any size. *found is false
 * when the search is not of that shape. */
static dom_status precounted(db_t *db, const search_attempt_t *a, json_int_t *total, bool *found) {
    const search_query_t *sq = a->sq;
    count_key_t key[2];
    int n = 0;
    *found = false;
    if (a->ast || (a->q && a->q[0]) || sq->has_near || sq->has_bbox || sq->year_min ||
        sq->year_max || sq->changed_since)
        return DOM_OK;
    for (int k = 0; k < SEARCH_NKINDS; k++) {
        const search_filter_def_t *f = search_filter((search_kind)k);
        if (sq->codes[k].n == 0)
            continue;
        if (sq->codes[k].n > 1 || f->type == SEARCH_VALUES_SOURCE || n == 2)
            return DOM_OK;
        key[n++] = (count_key_t){f->name, sq->codes[k].codes[0], f->type == SEARCH_VALUES_SCALAR,
                                 false};
    }
    for (size_t i = 0; i < sq->nterritories; i++) {
        const territory_ref_t *t = &sq->territories[i];
        if (n == 2 || !search_level_coarse(t->level))
            return DOM_OK;
        key[n++] = (count_key_t){t->level, t->code, true, true};
    }
    if (n == 0 || (n == 1 && !key[0].single) || (n == 2 && !key[0].single && !key[1].single) ||
        (n == 2 && key[0].territorial && key[1].territorial))
        return DOM_OK;
    /* The counted kind is one held once per initiative; the other, if any, is the filter. */
    int b = n == 2 && key[1].single ? 1 : 0, f = 1 - b;
    const char *params[] = {n == 2 ? key[f].kind : "", n == 2 ? key[f].code : "", key[b].kind,
                            key[b].code};
    PGresult *r;
    dom_status st = dom_from_db(db_exec(db, "search_total_precounted", 4, params, &r));
    if (st != DOM_OK)
        return st;
    *total = PQntuples(r) == 1 ? strtoll(PQgetvalue(r, 0, 0), NULL, 10) : 0;
    *found = true;
    PQclear(r);
    return DOM_OK;
}

dom_status search_count(db_t *db, const search_attempt_t *a, json_int_t *total) {
    search_qb_t x;
    PGresult *r;
    search_qb_init(&x, a->sq, a->q, a->ast);
    x.bits = a->bits;
    sqlb_sql(&x.b, "SELECT count(*) FROM (SELECT 1 FROM initiative i");
    search_qb_where(&x, -1);
    sqlb_sql(&x.b, " LIMIT " SEARCH_CAP_PLUS_ONE ") s");
    dom_status st = dom_query_built(db, "search count", &x.b, &r);
    sqlb_free(&x.b);
    if (st != DOM_OK)
        return st;
    *total = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return DOM_OK;
}

/* Counting a common word costs more than the search itself (84 ms for 33,000 matches of
 * 1,000,000): far above the cap, the estimate is given; past the cap, the estimate if it is above
 * the cap (search_attempt). A ranked page of at most defer_below matches reads all of them anyway:
 * it counts them. */
dom_status search_total(db_t *db, const search_attempt_t *a, double defer_below,
                        search_total_t *t) {
    t->estimate = t->deferred = false;
    dom_status st = precounted(db, a, &t->n, &t->precounted);
    if (st != DOM_OK || t->precounted) {
        t->est = (double)t->n;
        return st;
    }
    st = estimate(db, a, &t->est);
    if (st != DOM_OK)
        return st;
    if (t->est > SEARCH_ESTIMATE_ABOVE) {
        t->n = (json_int_t)t->est;
        t->estimate = true;
        return DOM_OK;
    }
    if (t->est <= defer_below) {
        t->deferred = true;
        return DOM_OK;
    }
    return search_count(db, a, &t->n);
}

/* The facets of a search: for each filter kind, territory level and start year asked, the number
 * of matches of each value, the facet's own filter left out. */
#include <stdlib.h>
#include <string.h>

#include "domain/rows.h"
#include "domain/search/engine.h"
#include "domain/search/filter.h"
#include "domain/search_where.h"
#include "domain/status.h"

static const char *const facet_extra_names[] = {"region", "departement", "year"};

const char *search_facet_name(int facet) {
    return facet < SEARCH_NKINDS ? search_kind_name((search_kind)facet)
                                 : facet_extra_names[facet - SEARCH_NKINDS];
}

static bool facet_territorial(int facet) {
    return facet == SEARCH_FACET_REGION || facet == SEARCH_FACET_DEPARTEMENT;
}

/* Whether facet's counts can be read from facet_count (sql/migrations/013_facet_counts.sql): no
 * words, place or year, and, its own filter left out, no filter or a single code of a kind the
 * table keeps. Sets *fkind and *fcode to that filter ("" and "" for none). */
static bool facet_precounted(const search_query_t *sq, const char *q, const search_ast_t *ast,
                             int facet, const char **fkind, const char **fcode) {
    size_t nfilters = 0;
    *fkind = *fcode = "";
    if (facet == SEARCH_SOURCE || ast || (q && q[0]) || sq->has_near || sq->has_bbox ||
        sq->year_min || sq->year_max || sq->changed_since)
        return false;
    for (int k = 0; k < SEARCH_NKINDS; k++) {
        if (k == facet || sq->codes[k].n == 0)
            continue;
        if (search_filter((search_kind)k)->type == SEARCH_VALUES_SOURCE)
            return false;
        nfilters += sq->codes[k].n;
        *fkind = search_kind_name((search_kind)k);
        *fcode = sq->codes[k].codes[0];
    }
    if (!facet_territorial(facet)) {
        for (size_t i = 0; i < sq->nterritories; i++) {
            const territory_ref_t *t = &sq->territories[i];
            if (!search_level_coarse(t->level))
                return false;
            nfilters++;
            *fkind = t->level;
            *fcode = t->code;
        }
    }
    return nfilters <= 1;
}

bool search_precounted(const search_query_t *sq, int facet, const char **fkind,
                       const char **fcode) {
    return facet_precounted(sq, sq->q, NULL, facet, fkind, fcode);
}

/* SELECT code, label, count from facet_count under the filter fkind, fcode. */
static void facet_read_sql(search_qb_t *x, int facet, const char *fkind, const char *fcode) {
    if (facet_territorial(facet)) {
        sqlb_sql(&x->b, "SELECT c.code, t.name, c.n FROM facet_count c JOIN territory t"
                        " ON t.level = c.kind AND t.code = c.code");
    } else if (facet == SEARCH_FACET_YEAR) {
        sqlb_sql(&x->b, "SELECT c.code, c.code, c.n FROM facet_count c");
    } else {
        sqlb_sql(&x->b, "SELECT c.code, vocab_label(c.kind, c.code, ");
        search_qb_lang(x);
        sqlb_sql(&x->b, "), c.n FROM facet_count c");
    }
    sqlb_sql(&x->b, " WHERE c.fkind = ");
    sqlb_param(&x->b, fkind);
    sqlb_sql(&x->b, " AND c.fcode = ");
    sqlb_param(&x->b, fcode);
    sqlb_sql(&x->b, " AND c.kind = ");
    sqlb_param(&x->b, search_facet_name(facet));
    sqlb_sql(&x->b, " AND c.n > 0");
}

void search_facet_count_sql(search_qb_t *x, int facet) {
    if (facet == SEARCH_FACET_YEAR) {
        sqlb_sql(&x->b,
                 "SELECT i.start_year::text, i.start_year::text, count(*) FROM initiative i");
        search_qb_where(x, facet);
        sqlb_sql(&x->b, " AND i.start_year IS NOT NULL GROUP BY i.start_year");
        return;
    }
    if (facet_territorial(facet)) {
        const char *level = search_facet_name(facet), *column = search_level_column(level);
        sqlb_sql(&x->b, "SELECT i.");
        sqlb_sql(&x->b, column);
        sqlb_sql(&x->b, ", t.name, count(*) FROM initiative i JOIN territory t ON t.level = '");
        sqlb_sql(&x->b, level);
        sqlb_sql(&x->b, "' AND t.code = i.");
        sqlb_sql(&x->b, column);
        search_qb_where(x, facet);
        sqlb_sql(&x->b, " GROUP BY 1, 2");
        return;
    }
    const search_filter_def_t *f = search_filter((search_kind)facet);
    switch (f->type) {
    case SEARCH_VALUES_SOURCE:
        sqlb_sql(&x->b, "SELECT s.code, s.name, count(DISTINCT i.id) FROM initiative i"
                        " JOIN source_record sr ON sr.initiative_id = i.id AND sr.gone_at IS NULL"
                        " JOIN source s ON s.id = sr.source_id");
        search_qb_where(x, facet);
        sqlb_sql(&x->b, " GROUP BY s.code, s.name");
        break;
    case SEARCH_VALUES_ARRAY:
        sqlb_sql(&x->b, "SELECT u.code, vocab_label('");
        sqlb_sql(&x->b, f->name);
        sqlb_sql(&x->b, "', u.code, ");
        search_qb_lang(x);
        sqlb_sql(&x->b, "), count(*) FROM initiative i CROSS JOIN LATERAL unnest(i.");
        sqlb_sql(&x->b, f->column);
        sqlb_sql(&x->b, ") AS u(code)");
        search_qb_where(x, facet);
        sqlb_sql(&x->b, " GROUP BY u.code");
        break;
    case SEARCH_VALUES_SCALAR:
        sqlb_sql(&x->b, "SELECT i.");
        sqlb_sql(&x->b, f->column);
        sqlb_sql(&x->b, ", vocab_label('");
        sqlb_sql(&x->b, f->name);
        sqlb_sql(&x->b, "', i.");
        sqlb_sql(&x->b, f->column);
        sqlb_sql(&x->b, ", ");
        search_qb_lang(x);
        sqlb_sql(&x->b, "), count(*) FROM initiative i");
        search_qb_where(x, facet);
        sqlb_sql(&x->b, " AND i.");
        sqlb_sql(&x->b, f->column);
        sqlb_sql(&x->b, " IS NOT NULL GROUP BY 1");
        break;
    }
}

/* One facet: [{"code","label","count"}], its own filter left out. */
static dom_status search_facet(db_t *db, const search_attempt_t *a, int facet, json_t **out) {
    search_qb_t x;
    PGresult *r;
    const char *fkind, *fcode;
    search_qb_init(&x, a->sq, a->q, a->ast);
    x.bits = a->bits;
    if (facet_precounted(a->sq, a->q, a->ast, facet, &fkind, &fcode))
        facet_read_sql(&x, facet, fkind, fcode);
    else
        search_facet_count_sql(&x, facet);
    sqlb_sql(&x.b, facet == SEARCH_FACET_YEAR ? " ORDER BY 1 DESC" : " ORDER BY 3 DESC, 2, 1");
    dom_status st = dom_query_built(db, "search facet", &x.b, &r);
    sqlb_free(&x.b);
    *out = NULL;
    if (st != DOM_OK)
        return st;
    *out = json_array();
    for (int i = 0; *out && i < PQntuples(r); i++) {
        const char *label = PQgetisnull(r, i, 1) ? PQgetvalue(r, i, 0) : PQgetvalue(r, i, 1);
        if (json_array_append_new(
                    *out, json_pack("{s:s, s:s, s:I}", "code", PQgetvalue(r, i, 0), "label", label,
                                    "count", (json_int_t)strtoll(PQgetvalue(r, i, 2), NULL, 10))) !=
            0) {
            json_decref(*out);
            *out = NULL;
        }
    }
    PQclear(r);
    return *out ? DOM_OK : DOM_INTERNAL;
}

dom_status search_facets(db_t *db, const search_attempt_t *a, json_t *answer) {
    if (a->sq->facets == 0)
        return DOM_OK;
    json_t *facets = json_object();
    if (facets == NULL || json_object_set_new(answer, "facets", facets) != 0)
        return DOM_INTERNAL;
    for (int f = 0; f < SEARCH_NFACETS; f++) {
        json_t *list;
        if (!(a->sq->facets & (1u << f)))
            continue;
        dom_status st = search_facet(db, a, f, &list);
        if (st != DOM_OK)
            return st;
        if (json_object_set_new(facets, search_facet_name(f), list) != 0)
            return DOM_INTERNAL;
    }
    return DOM_OK;
}

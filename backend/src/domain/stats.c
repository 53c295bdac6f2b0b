#include "domain/stats.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "domain/search/ast.h"
#include "domain/search/engine.h"
#include "domain/search/filter.h"
#include "domain/search/indexed.h"
#include "domain/search_where.h"
#include "domain/sqlbuild.h"
#include "domain/status.h"
#include "index/cidx.h"

/* The dimensions of the statistics are the first ones of the counting index, in the same order. */
_Static_assert((int)CIDX_THEME == (int)SEARCH_THEME && (int)CIDX_SOURCE == (int)SEARCH_SOURCE &&
                       (int)CIDX_START_YEAR == (int)STATS_START_YEAR &&
                       (int)CIDX_REGION == (int)STATS_REGION &&
                       (int)CIDX_DEPARTEMENT == (int)STATS_DEPARTEMENT,
               "stats dimensions are index dimensions");

/* A dimension below SEARCH_NKINDS is that filter kind of the search (domain/search/filter.h);
 * the others are these. */
typedef struct dim_def {
    const char *name;  /* in the API */
    const char *fkind; /* its kind in facet_count; NULL: not counted there (sources) */
    bool single;       /* at most one value per initiative */
    bool territorial;  /* région or département: facet_count keeps no pair of the two */
    const char *vocab; /* vocabulary kind of its labels, or NULL */
    const char *level; /* territory level of its labels and populations, or NULL */
} dim_def_t;

static const dim_def_t extra_dims[STATS_NDIMS - SEARCH_NKINDS] = {
        [STATS_START_YEAR - SEARCH_NKINDS] = {"start_year", "year", true, false, NULL, NULL},
        [STATS_REGION - SEARCH_NKINDS] = {"region", "region", true, true, NULL, "region"},
        [STATS_DEPARTEMENT -
                SEARCH_NKINDS] = {"departement", "departement", true, true, NULL, "departement"},
};

/* The definition of dimension d. */
static dim_def_t dim_of(int d) {
    if (d >= SEARCH_NKINDS)
        return extra_dims[d - SEARCH_NKINDS];
    const search_filter_def_t *f = search_filter((search_kind)d);
    bool source = f->type == SEARCH_VALUES_SOURCE;
    return (dim_def_t){.name = f->name,
                       .fkind = source ? NULL : f->name,
                       .single = f->type == SEARCH_VALUES_SCALAR,
                       .territorial = false,
                       .vocab = source ? NULL : f->name,
                       .level = NULL};
}

/* Appends the values of dimension d of the initiative i, as text[]. */
static void dim_values_sql(sqlb_t *b, int d) {
    if (d < SEARCH_NKINDS) {
        search_filter_values_sql((search_kind)d, b);
    } else if (d == STATS_START_YEAR) {
        sqlb_sql(b, "ARRAY[i.start_year::text]");
    } else {
        sqlb_sql(b, "ARRAY[i.");
        sqlb_sql(b, search_level_column(extra_dims[d - SEARCH_NKINDS].level));
        sqlb_sql(b, "]");
    }
}

const char *stats_dim_name(int dim) {
    return dim_of(dim).name;
}

int stats_dim_parse(const char *name) {
    for (int d = 0; d < STATS_NDIMS; d++)
        if (strcmp(dim_of(d).name, name) == 0)
            return d;
    return -1;
}

/* The single filter code of a search that facet_count can count under: its kind (a facet_count
 * kind, also the dimension *fdim) and code; *fkind NULL when the search has no filter at all. */
typedef struct one_filter {
    const char *fkind, *fcode;
    int fdim;
} one_filter_t;

/* Whether the search has no words, place, year or source filter and at most one filter code. */
static bool filter_precountable(const search_query_t *sq, one_filter_t *f) {
    size_t n = 0;
    f->fkind = f->fcode = NULL;
    f->fdim = -1;
    if ((sq->q && sq->q[0]) || sq->has_near || sq->has_bbox || sq->year_min || sq->year_max ||
        sq->changed_since)
        return false;
    for (int k = 0; k < SEARCH_NKINDS; k++) {
        if (sq->codes[k].n == 0)
            continue;
        if (k == SEARCH_SOURCE)
            return false;
        n += sq->codes[k].n;
        f->fkind = dim_of(k).fkind;
        f->fcode = sq->codes[k].codes[0];
        f->fdim = k;
    }
    for (size_t i = 0; i < sq->nterritories; i++) {
        const territory_ref_t *t = &sq->territories[i];
        if (!search_level_coarse(t->level))
            return false;
        n++;
        f->fkind = t->level;
        f->fcode = t->code;
        f->fdim = strcmp(t->level, "region") == 0 ? STATS_REGION : STATS_DEPARTEMENT;
    }
    return n <= 1;
}

/* Whether facet_count holds the counts of dimension `kind` under a filter of dimension `filter`
 * (sql/migrations/013: no pair of a kind with itself, of région with département, nor years as
 * filters). */
static bool pair_kept(int filter, int kind) {
    return filter != kind && filter != STATS_START_YEAR && dim_of(filter).fkind &&
           dim_of(kind).fkind && !(dim_of(filter).territorial && dim_of(kind).territorial);
}

/* Whether every part of the answer can be read from facet_count. */
static bool precounted(const stats_query_t *st, const search_query_t *rq, one_filter_t *f) {
    if (!filter_precountable(rq, f))
        return false;
    for (int i = 0; i < st->ndims; i++)
        if (dim_of(st->dims[i]).fkind == NULL)
            return false;
    if (st->ndims == 1) {
        int d = st->dims[0];
        return f->fkind == NULL || (f->fdim == d ? dim_of(d).single : pair_kept(f->fdim, d));
    }
    int a = st->dims[0], b = st->dims[1];
    if (f->fkind == NULL)
        return pair_kept(a, b) || pair_kept(b, a);
    /* Under one filter, a table whose own dimension is filtered: one row (or column) of it. */
    if (f->fdim == a)
        return dim_of(a).single && pair_kept(a, b);
    if (f->fdim == b)
        return dim_of(b).single && pair_kept(b, a);
    return false;
}

/* SELECT part, c1, c2, n rows of facet_count: the counts of dimension d (part 1 or 2) under the
 * filter f, or, when f is on d itself, the count of its code. */
static void precounted_items(sqlb_t *b, int part, int d, const one_filter_t *f) {
    sqlb_sql(b, part == 1 ? " UNION ALL SELECT 1, c.code, NULL, c.n"
                          : " UNION ALL SELECT 2, c.code, NULL, c.n");
    sqlb_sql(b, " FROM facet_count c WHERE c.fkind = ");
    if (f->fkind == NULL || f->fdim == d) {
        sqlb_sql(b, "'' AND c.fcode = '' AND c.kind = ");
        sqlb_param(b, dim_of(d).fkind);
        if (f->fkind) {
            sqlb_sql(b, " AND c.code = ");
            sqlb_param(b, f->fcode);
        }
    } else {
        sqlb_param(b, f->fkind);
        sqlb_sql(b, " AND c.fcode = ");
        sqlb_param(b, f->fcode);
        sqlb_sql(b, " AND c.kind = ");
        sqlb_param(b, dim_of(d).fkind);
    }
    sqlb_sql(b, " AND c.n > 0");
}

/* The cells of dimension a (rows) by b (columns) read from facet_count, a pair kept one way or
 * the other, under the filter f when it is on a or b. */
static void precounted_cells(sqlb_t *b, int ra, int cb, const one_filter_t *f) {
    bool swap = f->fkind ? f->fdim == cb : !pair_kept(ra, cb);
    sqlb_sql(b, swap ? " UNION ALL SELECT 3, c.code, c.fcode, c.n"
                     : " UNION ALL SELECT 3, c.fcode, c.code, c.n");
    sqlb_sql(b, " FROM facet_count c WHERE c.fkind = ");
    sqlb_param(b, dim_of(swap ? cb : ra).fkind);
    if (f->fkind) {
        sqlb_sql(b, " AND c.fcode = ");
        sqlb_param(b, f->fcode);
    }
    sqlb_sql(b, " AND c.kind = ");
    sqlb_param(b, dim_of(swap ? ra : cb).fkind);
    sqlb_sql(b, " AND c.n > 0");
}

/* The search without the filters of the dimensions counted: a dimension's counts leave its own
 * filter out, as the search's facets do (the territory filters for région and département, the
 * years for start years), so that a chart shows the values one may switch to. */
static void reduced_query(const stats_query_t *st, search_query_t *out) {
    *out = *st->sq;
    for (int i = 0; i < st->ndims; i++) {
        int d = st->dims[i];
        if (d < SEARCH_NKINDS)
            out->codes[d].n = 0;
        else if (d == STATS_START_YEAR)
            out->year_min = out->year_max = 0;
        else
            out->nterritories = 0;
    }
}

/* Part 0, the number of matches of the whole search, and with coverage part 4, those that have a
 * point: from facet_count and map_point without filters or with one code, else counted. */
static search_status total_parts(db_t *db, const stats_query_t *st, sqlb_t *b,
                                 search_error_t *err) {
    one_filter_t f;
    search_status ss;
    bool pre = filter_precountable(st->sq, &f);
    if (pre) {
        sqlb_t check; /* the codes are still checked (400 for an unknown one) */
        sqlb_init(&check);
        ss = search_where_sql(db, st->sq, &check, err);
        sqlb_free(&check);
        if (ss != SEARCH_OK)
            return ss;
        sqlb_sql(b, "SELECT 0 AS part, NULL::text AS c1, NULL::text AS c2, coalesce((SELECT c.n"
                    " FROM facet_count c WHERE c.fkind = '' AND c.fcode = '' AND c.kind = ");
        sqlb_param(b, f.fkind ? f.fkind : "total");
        sqlb_sql(b, " AND c.code = ");
        sqlb_param(b, f.fkind ? f.fcode : "");
        sqlb_sql(b, "), 0)::bigint AS n");
    } else {
        sqlb_sql(b, "SELECT 0 AS part, NULL::text AS c1, NULL::text AS c2, (SELECT count(*)"
                    " FROM initiative i");
        ss = search_where_sql(db, st->sq, b, err);
        if (ss != SEARCH_OK)
            return ss;
        sqlb_sql(b, ") AS n");
    }
    if (!st->coverage)
        return SEARCH_OK;
    /* map_point holds one row per published initiative with a point (migration 015). */
    if (pre && f.fkind == NULL) {
        sqlb_sql(b, " UNION ALL SELECT 4, NULL, NULL, (SELECT count(*) FROM map_point)");
    } else {
        sqlb_sql(b, " UNION ALL SELECT 4, NULL, NULL, (SELECT count(*) FROM initiative i");
        ss = search_where_sql(db, st->sq, b, err);
        if (ss != SEARCH_OK)
            return ss;
        sqlb_sql(b, " AND i.geom IS NOT NULL)");
    }
    return SEARCH_OK;
}

/* Parts 1 and 2 (the items of each dimension) and 3 (the cells) read from facet_count under the
 * reduced search's filter f. */
static void precounted_parts(const stats_query_t *st, const one_filter_t *f, sqlb_t *b) {
    for (int i = 0; i < st->ndims; i++)
        precounted_items(b, i + 1, st->dims[i], f);
    if (st->ndims == 2)
        precounted_cells(b, st->dims[0], st->dims[1], f);
}

/* The same parts counted on the matches of the reduced search rq, read once. */
static search_status counted_parts(db_t *db, const stats_query_t *st, const search_query_t *rq,
                                   const char *from, sqlb_t *b, search_error_t *err) {
    if (st->ndims == 1 && st->dims[0] == SEARCH_SOURCE) {
        /* As the search's source facet: a join reads the records once (a subquery per initiative
         * took 12 s for the 1,000,000 initiatives of the catalogue, the join 1.5 s). */
        sqlb_sql(b, " UNION ALL (SELECT 1, s.code, NULL, count(DISTINCT i.id) FROM ");
        sqlb_sql(b, from);
        sqlb_sql(b, " i JOIN source_record sr ON sr.initiative_id = i.id AND sr.gone_at IS NULL"
                    " JOIN source s ON s.id = sr.source_id");
        search_status ss = search_where_sql(db, rq, b, err);
        if (ss == SEARCH_OK)
            sqlb_sql(b, " GROUP BY s.code)");
        return ss;
    }
    sqlb_sql(b, " UNION ALL (WITH m AS MATERIALIZED (SELECT ");
    dim_values_sql(b, st->dims[0]);
    sqlb_sql(b, " AS a1, ");
    if (st->ndims == 2)
        dim_values_sql(b, st->dims[1]);
    else
        sqlb_sql(b, "NULL::text[]");
    sqlb_sql(b, " AS a2 FROM ");
    sqlb_sql(b, from);
    sqlb_sql(b, " i");
    search_status ss = search_where_sql(db, rq, b, err);
    if (ss != SEARCH_OK)
        return ss;
    sqlb_sql(b, ") SELECT 1, u.c, NULL, count(*) FROM m, unnest(m.a1) u(c)"
                " WHERE u.c IS NOT NULL GROUP BY u.c");
    if (st->ndims == 2)
        sqlb_sql(b, " UNION ALL SELECT 2, u.c, NULL, count(*) FROM m, unnest(m.a2) u(c)"
                    " WHERE u.c IS NOT NULL GROUP BY u.c"
                    " UNION ALL SELECT 3, u.c, v.c, count(*) FROM m, unnest(m.a1) u(c),"
                    " unnest(m.a2) v(c) WHERE u.c IS NOT NULL AND v.c IS NOT NULL"
                    " GROUP BY u.c, v.c");
    sqlb_sql(b, ")");
    return SEARCH_OK;
}

/* The label (or population: pop) of the code x.c1 of dimension d, as SQL. */
static void label_sql(sqlb_t *b, int d, int p_lang, bool pop) {
    const dim_def_t def = dim_of(d);
    if (def.level) {
        sqlb_sql(b, pop ? "(SELECT t.population FROM territory t WHERE t.level = '"
                        : "(SELECT t.name FROM territory t WHERE t.level = '");
        sqlb_sql(b, def.level);
        sqlb_sql(b, "' AND t.code = x.c1)");
    } else if (pop) {
        sqlb_sql(b, "NULL::integer");
    } else if (def.vocab) {
        sqlb_sql(b, "vocab_label('");
        sqlb_sql(b, def.vocab);
        sqlb_sql(b, "', x.c1, ");
        sqlb_ref(b, p_lang);
        sqlb_sql(b, ")");
    } else if (d == SEARCH_SOURCE) {
        sqlb_sql(b, "(SELECT s.name FROM source s WHERE s.code = x.c1)");
    } else {
        sqlb_sql(b, "x.c1");
    }
}

/* SELECT part, c1, c2, n, label, population FROM (parts) x, in the order of the answer: items by
 * decreasing count (start years in order), cells by row and column. */
static void wrap_labels(const stats_query_t *st, sqlb_t *outer, const sqlb_t *inner, int p_lang) {
    sqlb_sql(outer, "SELECT x.part, x.c1, x.c2, x.n, CASE x.part");
    for (int pop = 0; pop < 2; pop++) {
        for (int i = 0; i < st->ndims; i++) {
            sqlb_sql(outer, i == 0 ? " WHEN 1 THEN " : " WHEN 2 THEN ");
            label_sql(outer, st->dims[i], p_lang, pop);
        }
        sqlb_sql(outer, pop ? " END FROM (" : " END, CASE x.part");
    }
    sqlb_sql(outer, buf_cstr(&inner->sql));
    /* $1 is typed here even when no label needs the language. */
    sqlb_sql(outer, ") x WHERE ");
    sqlb_ref(outer, p_lang);
    sqlb_sql(outer, "::text IS NOT NULL ORDER BY x.part, CASE x.part");
    for (int i = 0; i < st->ndims; i++) {
        sqlb_sql(outer, i == 0 ? " WHEN 1 THEN " : " WHEN 2 THEN ");
        sqlb_sql(outer, st->dims[i] == STATS_START_YEAR ? "0" : "-x.n");
    }
    sqlb_sql(outer, " ELSE 0 END, 5, x.c1, x.c2");
}

static json_t *item_json(const stats_query_t *st, int dim, PGresult *r, int row) {
    json_int_t n = strtoll(PQgetvalue(r, row, 3), NULL, 10);
    const char *label = PQgetisnull(r, row, 4) ? PQgetvalue(r, row, 1) : PQgetvalue(r, row, 4);
    json_t *item =
            json_pack("{s:s, s:s, s:I}", "code", PQgetvalue(r, row, 1), "label", label, "count", n);
    (void)st;
    if (item && dim_of(dim).level) {
        long long pop = PQgetisnull(r, row, 5) ? 0 : strtoll(PQgetvalue(r, row, 5), NULL, 10);
        json_object_set_new(item, "population", pop > 0 ? json_integer(pop) : json_null());
        json_object_set_new(item, "per_100k",
                            pop > 0 ? json_real(round((double)n * 1e6 / (double)pop) / 10)
                                    : json_null());
    }
    return item;
}

/* The answer from the rows of wrap_labels. */
static json_t *answer_json(const stats_query_t *st, PGresult *r) {
    json_t *by = json_array(), *items[2] = {json_array(), json_array()}, *cells = json_array();
    json_t *out = json_object();
    json_int_t total = 0, located = 0;
    bool ok = by && items[0] && items[1] && cells && out;
    for (int i = 0; ok && i < st->ndims; i++)
        ok = json_array_append_new(by, json_string(dim_of(st->dims[i]).name)) == 0;
    for (int row = 0; ok && row < PQntuples(r); row++) {
        int part = atoi(PQgetvalue(r, row, 0));
        json_int_t n = strtoll(PQgetvalue(r, row, 3), NULL, 10);
        if (part == 0)
            total = n;
        else if (part == 4)
            located = n;
        else if (part == 3)
            ok = json_array_append_new(cells,
                                       json_pack("{s:s, s:s, s:I}", "row", PQgetvalue(r, row, 1),
                                                 "column", PQgetvalue(r, row, 2), "count", n)) == 0;
        else
            ok = json_array_append_new(items[part - 1],
                                       item_json(st, st->dims[part - 1], r, row)) == 0;
    }
    ok = ok && json_object_set_new(out, "by", by) == 0;
    by = NULL;
    ok = ok && json_object_set_new(out, "total", json_integer(total)) == 0;
    if (ok && st->ndims == 1) {
        ok = json_object_set_new(out, "items", items[0]) == 0;
        items[0] = NULL;
    } else if (ok) {
        ok = json_object_set_new(out, "rows", items[0]) == 0 &&
             json_object_set_new(out, "columns", items[1]) == 0 &&
             json_object_set_new(out, "cells", cells) == 0;
        items[0] = items[1] = cells = NULL;
    }
    if (ok && st->coverage)
        ok = json_object_set_new(out, "located", json_integer(located)) == 0;
    json_decref(by);
    json_decref(items[0]);
    json_decref(items[1]);
    json_decref(cells);
    if (!ok) {
        json_decref(out);
        out = NULL;
    }
    return out;
}

static search_status index_run(db_t *db, cidx_t *ix, const stats_query_t *st, json_t **out,
                               search_error_t *err, bool *done);

search_status stats_run(db_t *db, const stats_query_t *st, json_t **out, search_error_t *err) {
    cidx_t *ix = cidx_current();
    if (ix) {
        bool handled = false;
        search_status iss = index_run(db, ix, st, out, err, &handled);
        if (handled || iss != SEARCH_OK)
            return iss;
    }
    sqlb_t inner, outer;
    one_filter_t f;
    PGresult *r = NULL;
    search_status ss;
    *out = NULL;
    err->dom = DOM_OK;
    sqlb_init(&inner);
    sqlb_init(&outer);
    /* The outer query binds the language first: the inner parameters follow it, numbered as they
     * were bound in the inner builder, which starts at $2 for that reason. */
    int p_lang = sqlb_bind(&outer, st->sq->lang ? st->sq->lang : "fr");
    (void)sqlb_bind(&inner, "");
    search_query_t rq;
    reduced_query(st, &rq);
    ss = total_parts(db, st, &inner, err);
    if (ss == SEARCH_OK && precounted(st, &rq, &f))
        precounted_parts(st, &f, &inner);
    else if (ss == SEARCH_OK)
        ss = counted_parts(db, st, &rq, "initiative", &inner, err);
    if (ss != SEARCH_OK)
        goto done;
    wrap_labels(st, &outer, &inner, p_lang);
    for (int i = 1; i < inner.n; i++)
        (void)sqlb_bind(&outer, inner.params[i]);
    if (!sqlb_ok(&inner) || !sqlb_ok(&outer) || outer.n != inner.n) {
        log_msg(LOG_ERROR, "stats: cannot assemble the counts");
        err->dom = DOM_INTERNAL;
        ss = SEARCH_FAILED;
        goto done;
    }
    err->dom = dom_from_db(db_query(db, "stats", buf_cstr(&outer.sql), outer.n,
                                    (const char *const *)outer.params, &r));
    if (err->dom == DOM_OK) {
        *out = answer_json(st, r);
        if (*out == NULL)
            err->dom = DOM_INTERNAL;
    }
    ss = err->dom == DOM_OK ? SEARCH_OK : SEARCH_FAILED;
done:
    PQclear(r);
    sqlb_free(&inner);
    sqlb_free(&outer);
    return ss;
}

/* ---------------------------------------------------------------------------------------------
 * Counting on the index (index/cidx.h): the bitmaps count the initiatives unchanged since the
 * file's build, SQL the few changed since (the dirty ones), and one query adds both and labels. */

/* The counts gathered from the bitmaps, as [{"p","c1","c2","n"}] for jsonb_to_recordset. */
typedef struct index_rows {
    json_t *rows;
    int part;
} index_rows_t;

static bool add_row(index_rows_t *x, const char *c1, const char *c2, uint64_t n) {
    json_t *row = json_pack("{s:i, s:s?, s:s?, s:I}", "p", x->part, "c1", c1, "c2", c2, "n",
                            (json_int_t)n);
    return row && json_array_append_new(x->rows, row) == 0;
}

static bool add_count(void *arg, const char *code, const char *code2, uint64_t n) {
    index_rows_t *x = arg;
    return add_row(x, code, code2, n);
}

/* The counts of the reduced search rq and the totals of sq on the bitmaps, into x->rows. */
static bool index_count(cidx_t *ix, const stats_query_t *st, const search_query_t *rq,
                        const roaring_bitmap_t *words, const search_dirty_t *d, index_rows_t *x) {
    roaring_bitmap_t *all = search_index_matches(ix, st->sq, words, d->ids, -1);
    roaring_bitmap_t *part = all ? search_index_matches(ix, rq, words, d->ids, -1) : NULL;
    bool ok = all && part;
    x->part = 0;
    ok = ok && add_row(x, NULL, NULL, roaring_bitmap_get_cardinality(all));
    if (ok && st->coverage) {
        const roaring_bitmap_t *located = cidx_get(ix, CIDX_META, "located");
        x->part = 4;
        ok = add_row(x, NULL, NULL, located ? roaring_bitmap_and_cardinality(all, located) : 0);
    }
    for (int i = 0; ok && i < st->ndims; i++) {
        x->part = i + 1;
        ok = cidx_count_1d(ix, part, (cidx_dim)st->dims[i], add_count, x);
    }
    if (ok && st->ndims == 2) {
        x->part = 3;
        ok = cidx_count_2d(ix, part, (cidx_dim)st->dims[0], (cidx_dim)st->dims[1], add_count, x);
    }
    cidx_bitmap_free(all);
    cidx_bitmap_free(part);
    return ok;
}

/* The inner query: the bitmaps' counts ($k, JSON) plus, when some initiatives are dirty, the same
 * parts counted in SQL on them alone, summed per (part, c1, c2). */
static search_status index_sql(db_t *db, const stats_query_t *st, const search_query_t *rq,
                               const search_dirty_t *d, const char *counts, sqlb_t *b,
                               search_error_t *err) {
    char from[96];
    sqlb_sql(b, "SELECT y.part, y.c1, y.c2, sum(y.n)::bigint AS n FROM (SELECT u.p AS part, u.c1,"
                " u.c2, u.n FROM jsonb_to_recordset(");
    sqlb_param(b, counts);
    sqlb_sql(b, "::jsonb) AS u(p int, c1 text, c2 text, n bigint)");
    if (!roaring_bitmap_is_empty(d->ids)) {
        /* The dirty rows first, then the filters on them alone (OFFSET 0 keeps the planner from
         * reading the filters' indexes instead). */
        int p = sqlb_bind(b, d->lit);
        snprintf(from, sizeof from,
                 "(SELECT * FROM initiative WHERE id = ANY ($%d::bigint[]) OFFSET 0)", p);
        sqlb_sql(b, " UNION ALL SELECT 0, NULL, NULL, (SELECT count(*) FROM ");
        sqlb_sql(b, from);
        sqlb_sql(b, " i");
        search_status ss = search_where_sql(db, st->sq, b, err);
        if (ss != SEARCH_OK)
            return ss;
        sqlb_sql(b, ")");
        if (st->coverage) {
            sqlb_sql(b, " UNION ALL SELECT 4, NULL, NULL, (SELECT count(*) FROM ");
            sqlb_sql(b, from);
            sqlb_sql(b, " i");
            ss = search_where_sql(db, st->sq, b, err);
            if (ss != SEARCH_OK)
                return ss;
            sqlb_sql(b, " AND i.geom IS NOT NULL)");
        }
        ss = counted_parts(db, st, rq, from, b, err);
        if (ss != SEARCH_OK)
            return ss;
    }
    sqlb_sql(b, ") y GROUP BY y.part, y.c1, y.c2");
    return SEARCH_OK;
}

/* Counts st on the index when its filters allow (*done set); otherwise leaves *done false for the
 * SQL path, which also answers every bad parameter. */
static search_status index_run(db_t *db, cidx_t *ix, const stats_query_t *st, json_t **out,
                               search_error_t *err, bool *done) {
    sqlb_t inner, outer, check;
    search_ast_t ast;
    buf_t plain;
    search_dirty_t d = {NULL, NULL, false};
    char *tsq = NULL, *counts = NULL, *fallback = NULL;
    roaring_bitmap_t *words = NULL;
    PGresult *r = NULL;
    index_rows_t x = {json_array(), 0};
    search_status ss = SEARCH_OK;
    const char *q = NULL;
    *done = false;
    *out = NULL;
    err->dom = DOM_OK;
    sqlb_init(&inner);
    sqlb_init(&outer);
    sqlb_init(&check);
    buf_init(&plain, 2 * SEARCH_Q_MAX);
    if (!search_index_expressible(st->sq, true) || x.rows == NULL)
        goto done;
    /* Codes checked, q read: a bad parameter is answered by the SQL path as before. */
    if (search_where_sql(db, st->sq, &check, err) != SEARCH_OK) {
        err->dom = DOM_OK;
        goto done;
    }
    if (st->sq->q && st->sq->q[0]) {
        char msg[SEARCH_AST_MESSAGE_MAX];
        dom_status dom;
        search_ast_status as =
                search_ast_prepare(db, st->sq->q, &ast, &plain, msg, sizeof msg, &dom);
        if (as == SEARCH_AST_READY)
            search_ast_free(&ast);
        if (as != SEARCH_AST_PLAIN) /* the fine-search language: counted in SQL */
            goto done;
        q = buf_cstr(&plain)[0] ? buf_cstr(&plain) : NULL;
    }
    /* Words that match nothing together: the words the list falls back on (its correction, or
     * the words it keeps), so that the counts are those of the list. */
    if (q) {
        err->dom = search_fallback_words(db, st->sq, q, &fallback);
        if (err->dom != DOM_OK) {
            ss = SEARCH_FAILED;
            *done = true;
            goto done;
        }
        if (fallback)
            q = fallback;
    }
    err->dom = search_dirty_read(db, ix, q, &d, &tsq);
    if (err->dom != DOM_OK) {
        ss = SEARCH_FAILED;
        *done = true;
        goto done;
    }
    if (d.over)
        goto done;
    if (tsq && cidx_tsquery(ix, tsq, &words) != CIDX_OK) /* phrases, or only stop words */
        goto done;
    /* As the search: the points inside go with the words, those at an edge are counted in SQL
     * with the dirty ones (search/indexed_geo.c). */
    if (!search_index_geo_apply(ix, st->sq, &d, &words))
        goto done;
    search_query_t rq;
    reduced_query(st, &rq);
    if (!index_count(ix, st, &rq, words, &d, &x) ||
        (counts = json_dumps(x.rows, JSON_COMPACT)) == NULL) {
        log_msg(LOG_ERROR, "stats: out of memory counting on the index");
        goto done; /* SQL may still answer */
    }
    *done = true;
    int p_lang = sqlb_bind(&outer, st->sq->lang ? st->sq->lang : "fr");
    (void)sqlb_bind(&inner, "");
    ss = index_sql(db, st, &rq, &d, counts, &inner, err);
    if (ss != SEARCH_OK)
        goto done;
    wrap_labels(st, &outer, &inner, p_lang);
    for (int i = 1; i < inner.n; i++)
        (void)sqlb_bind(&outer, inner.params[i]);
    if (!sqlb_ok(&inner) || !sqlb_ok(&outer) || outer.n != inner.n) {
        log_msg(LOG_ERROR, "stats: cannot assemble the counts");
        err->dom = DOM_INTERNAL;
        ss = SEARCH_FAILED;
        goto done;
    }
    err->dom = dom_from_db(db_query(db, "stats index", buf_cstr(&outer.sql), outer.n,
                                    (const char *const *)outer.params, &r));
    if (err->dom == DOM_OK) {
        *out = answer_json(st, r);
        if (*out == NULL)
            err->dom = DOM_INTERNAL;
    }
    ss = err->dom == DOM_OK ? SEARCH_OK : SEARCH_FAILED;
done:
    PQclear(r);
    json_decref(x.rows);
    free(counts);
    free(tsq);
    free(fallback);
    search_dirty_free(&d);
    cidx_bitmap_free(words);
    buf_free(&plain);
    sqlb_free(&check);
    sqlb_free(&inner);
    sqlb_free(&outer);
    return ss;
}

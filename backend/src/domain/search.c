#include "domain/search.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/initiative.h"

/* The territory filter: $F is false when the search is not limited; otherwise an initiative is
 * kept when its commune, arrondissement, département or région is in the matching array. */
#define WHERE_TERRITORY(c, a, d, r, f)                                                  \
    " AND (NOT $" f "::boolean OR i.commune_code = ANY ($" c "::text[])"                \
    " OR i.arrondissement_code = ANY ($" a "::text[]) OR i.departement_code = ANY ($" d \
    "::text[]) OR i.region_code = ANY ($" r "::text[]))"

#define RANKED_PAGE_SQL                                                                \
    "WITH page AS (SELECT i.id, ts_rank_cd(i.tsv, q) AS rank"                          \
    "                FROM initiative i, websearch_to_tsquery('sc_french', $2) q"       \
    "               WHERE i.status = 'published' AND i.tsv @@ q" WHERE_TERRITORY(      \
            "5", "6", "7", "8",                                                        \
            "9") "               ORDER BY rank DESC, i.id DESC LIMIT $3 OFFSET $4)"    \
                 " SELECT " INITIATIVE_ITEM_COLUMNS                                    \
                 " FROM page p JOIN initiative i ON i.id = p.id" INITIATIVE_ITEM_JOINS \
                 " ORDER BY p.rank DESC, p.id DESC"

#define NEWEST_PAGE_SQL(after, c, a, d, r, f)                                                \
    "WITH page AS (SELECT i.id FROM initiative i WHERE i.status = 'published'" after         \
    WHERE_TERRITORY(c, a, d, r,                                                              \
                    f) " ORDER BY i.created_at DESC, i.id DESC LIMIT $2)"                    \
                       " SELECT " INITIATIVE_ITEM_COLUMNS                                    \
                       " FROM page p JOIN initiative i ON i.id = p.id" INITIATIVE_ITEM_JOINS \
                       " ORDER BY i.created_at DESC, i.id DESC"

/* Counting stops at the cap plus one: an exact count of a very common word costs more than the
 * search itself, and nobody reads past ten thousand results. */
#define CAP "10001"

const db_stmt_t search_stmts[] = {
        {"search_ranked", RANKED_PAGE_SQL, 9, true},
        {"search_ranked_count",
         "SELECT count(*) FROM (SELECT 1 FROM initiative i WHERE i.status = 'published'"
         " AND i.tsv @@ websearch_to_tsquery('sc_french', $1)" WHERE_TERRITORY(
                 "2", "3", "4", "5", "6") " LIMIT " CAP ") s",
         6, true},
        {"search_newest_first", NEWEST_PAGE_SQL("", "3", "4", "5", "6", "7"), 7, true},
        {"search_newest_after",
         NEWEST_PAGE_SQL(" AND (i.created_at, i.id) < ('epoch'::timestamptz"
                         " + $3::bigint * interval '1 microsecond', $4::bigint)",
                         "5", "6", "7", "8", "9"),
         9, true},
        {"search_all_count",
         "SELECT count(*) FROM (SELECT 1 FROM initiative i WHERE i.status = "
         "'published'" WHERE_TERRITORY("1", "2", "3", "4", "5") " LIMIT " CAP ") s",
         5, true},
        {NULL, NULL, 0, false},
};

/* The filter as four PostgreSQL array literals and a flag. Codes are INSEE codes checked by
 * territory_ref_parse ([0-9AB] only), and the literals travel as bound parameters. */
typedef struct filter {
    char arrays[4][SEARCH_TERRITORIES_MAX * 8 + 3];
    const char *on;
} filter_t;

static void filter_build(const search_query_t *sq, filter_t *f) {
    static const char *const levels[4] = {"commune", "arrondissement", "departement", "region"};
    for (int l = 0; l < 4; l++) {
        size_t n = 0;
        char *a = f->arrays[l];
        a[n++] = '{';
        for (size_t i = 0; i < sq->nterritories; i++) {
            if (strcmp(sq->territories[i].level, levels[l]) != 0)
                continue;
            if (a[n - 1] != '{')
                a[n++] = ',';
            size_t clen = strlen(sq->territories[i].code);
            memcpy(a + n, sq->territories[i].code, clen);
            n += clen;
        }
        a[n++] = '}';
        a[n] = '\0';
    }
    f->on = sq->nterritories > 0 ? "true" : "false";
}

static dom_status search_count(db_t *db, const char *q, const filter_t *f, json_int_t *total) {
    PGresult *r;
    db_status ds;
    if (q) {
        const char *params[] = {q, f->arrays[0], f->arrays[1], f->arrays[2], f->arrays[3], f->on};
        ds = db_exec(db, "search_ranked_count", 6, params, &r);
    } else {
        const char *params[] = {f->arrays[0], f->arrays[1], f->arrays[2], f->arrays[3], f->on};
        ds = db_exec(db, "search_all_count", 5, params, &r);
    }
    if (ds != DB_OK)
        return dom_from_db(ds);
    *total = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return DOM_OK;
}

static dom_status search_ranked(db_t *db, const search_query_t *sq, const filter_t *f,
                                json_t **out) {
    char lim[16], off[24];
    cursor_t base = {.kind = CURSOR_OFFSET, .offset = sq->cursor ? sq->cursor->offset : 0};
    snprintf(lim, sizeof lim, "%d", sq->limit + 1);
    snprintf(off, sizeof off, "%" PRId64, base.offset);
    const char *params[] = {sq->lang,     sq->q,        lim,          off,  f->arrays[0],
                            f->arrays[1], f->arrays[2], f->arrays[3], f->on};
    PGresult *r;
    db_status ds = db_exec(db, "search_ranked", 9, params, &r);
    if (ds != DB_OK)
        return dom_from_db(ds);
    dom_status st = initiative_page_json(r, sq->limit, &base, out);
    PQclear(r);
    return st;
}

static dom_status search_newest(db_t *db, const search_query_t *sq, const filter_t *f,
                                json_t **out) {
    char lim[16], created[24], idtext[24];
    PGresult *r;
    db_status ds;
    snprintf(lim, sizeof lim, "%d", sq->limit + 1);
    if (sq->cursor) {
        snprintf(created, sizeof created, "%" PRId64, sq->cursor->created_us);
        snprintf(idtext, sizeof idtext, "%" PRId64, sq->cursor->id);
        const char *params[] = {sq->lang,     lim,          created,      idtext, f->arrays[0],
                                f->arrays[1], f->arrays[2], f->arrays[3], f->on};
        ds = db_exec(db, "search_newest_after", 9, params, &r);
    } else {
        const char *params[] = {sq->lang,     lim,          f->arrays[0], f->arrays[1],
                                f->arrays[2], f->arrays[3], f->on};
        ds = db_exec(db, "search_newest_first", 7, params, &r);
    }
    if (ds != DB_OK)
        return dom_from_db(ds);
    dom_status st = initiative_page_json(r, sq->limit, NULL, out);
    PQclear(r);
    return st;
}

search_status search_run(db_t *db, const search_query_t *sq, json_t **out, dom_status *dom) {
    bool ranked = sq->q != NULL && sq->q[0] != '\0';
    json_int_t total = 0;
    filter_t f;
    *out = NULL;
    if (sq->cursor && sq->cursor->kind != (ranked ? CURSOR_OFFSET : CURSOR_KEYSET))
        return SEARCH_BAD_CURSOR;
    if (sq->nterritories > SEARCH_TERRITORIES_MAX) {
        *dom = DOM_INTERNAL;
        return SEARCH_FAILED;
    }
    filter_build(sq, &f);

    *dom = search_count(db, ranked ? sq->q : NULL, &f, &total);
    if (*dom != DOM_OK)
        return SEARCH_FAILED;
    *dom = ranked ? search_ranked(db, sq, &f, out) : search_newest(db, sq, &f, out);
    if (*dom != DOM_OK)
        return SEARCH_FAILED;

    bool exact = total <= SEARCH_TOTAL_CAP;
    if (json_object_set_new(*out, "total", json_integer(exact ? total : SEARCH_TOTAL_CAP)) != 0 ||
        json_object_set_new(*out, "total_exact", json_boolean(exact)) != 0) {
        json_decref(*out);
        *out = NULL;
        *dom = DOM_INTERNAL;
        return SEARCH_FAILED;
    }
    return SEARCH_OK;
}

#include "domain/initiative.h"
#include "domain/rows.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"

#define DETAIL_COLUMNS                                                                            \
    ", i.description, i.website, i.image_url, vocab_labels('subtheme', i.subthemes, $1),"         \
    " vocab_labels('public', i.publics, $1), i.scale, vocab_label('scale', i.scale, $1),"         \
    " i.stage, vocab_label('stage', i.stage, $1), i.start_year, i.address, i.postcode,"           \
    " (SELECT coalesce(json_agg(json_build_object('code', code, 'name', name, 'url', url,"        \
    "                   'homepage', homepage, 'demo', is_demo) ORDER BY name, code), '[]'::json)" \
    "    FROM (SELECT DISTINCT ON (s.id) s.code, s.name, sr.url, s.url AS homepage, s.is_demo"    \
    "            FROM source_record sr JOIN source s ON s.id = sr.source_id"                      \
    "           WHERE sr.initiative_id = i.id AND sr.gone_at IS NULL"                             \
    "           ORDER BY s.id, sr.url IS NULL, sr.last_seen_at DESC) live),"                      \
    " i.status, to_char(i.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"      \
    " i.version, sc_iso(i.carrier_updated_at),"                                                   \
    " CASE WHEN i.proposed_by IS NOT NULL THEN 'contribution'"                                    \
    "      WHEN coalesce(dm.demo, false) THEN 'demo' ELSE 'harvest' END"

#define PAGE_SQL(where)                                                        \
    "WITH page AS (SELECT id FROM initiative WHERE status = 'published'" where \
    "              ORDER BY created_at DESC, id DESC LIMIT $2)"                \
    " SELECT " INITIATIVE_ITEM_COLUMNS                                         \
    " FROM page p JOIN initiative i ON i.id = p.id" INITIATIVE_ITEM_JOINS(     \
            " IN (SELECT id FROM page)") " ORDER BY i.created_at DESC, i.id DESC"

const db_stmt_t initiative_stmts[] = {
        {"initiative_get",
         "SELECT " INITIATIVE_ITEM_COLUMNS DETAIL_COLUMNS
         " FROM initiative i" INITIATIVE_ITEM_JOINS(
                 " = $2") " WHERE i.id = $2 AND i.status = 'published'",
         2, true},
        {"initiative_page_first", PAGE_SQL(""), 2, true},
        {"initiative_page_after",
         PAGE_SQL(" AND (created_at, id) < ('epoch'::timestamptz + $3::bigint * interval '1 "
                  "microsecond',"
                  " $4::bigint)"),
         4, true},
        {NULL, NULL, 0, false},
};

static json_t *col_str(const PGresult *r, int row, int col) {
    if (PQgetisnull(r, row, col))
        return json_null();
    return json_stringn(PQgetvalue(r, row, col), (size_t)PQgetlength(r, row, col));
}

/* A json column produced by PostgreSQL; parsed so the response is written by one serialiser. */
static json_t *col_json(const PGresult *r, int row, int col) {
    if (PQgetisnull(r, row, col))
        return json_array();
    json_error_t err;
    json_t *v = json_loadb(PQgetvalue(r, row, col), (size_t)PQgetlength(r, row, col), 0, &err);
    if (v == NULL)
        log_msg(LOG_ERROR, "bad json from postgres in column %d: %s", col, err.text);
    return v ? v : json_array();
}

static json_t *col_int(const PGresult *r, int row, int col) {
    if (PQgetisnull(r, row, col))
        return json_null();
    return json_integer(strtoll(PQgetvalue(r, row, col), NULL, 10));
}

static json_t *col_bool(const PGresult *r, int row, int col) {
    return json_boolean(!PQgetisnull(r, row, col) && PQgetvalue(r, row, col)[0] == 't');
}

/* {"code","name"} or null when the code is null. */
static json_t *place(const PGresult *r, int row, int code_col) {
    if (PQgetisnull(r, row, code_col))
        return json_null();
    return json_pack("{s:o, s:o}", "code", col_str(r, row, code_col), "name",
                     col_str(r, row, code_col + 1));
}

/* {"code","label"} or null when the code is null. */
static json_t *coded(const PGresult *r, int row, int code_col, int label_col) {
    if (PQgetisnull(r, row, code_col))
        return json_null();
    return json_pack("{s:o, s:o}", "code", col_str(r, row, code_col), "label",
                     col_str(r, row, label_col));
}

static json_t *location(const PGresult *r, int row) {
    json_t *lon = json_null(), *lat = json_null();
    if (!PQgetisnull(r, row, 14)) {
        json_decref(lon);
        json_decref(lat);
        lon = json_real(strtod(PQgetvalue(r, row, 14), NULL));
        lat = json_real(strtod(PQgetvalue(r, row, 15), NULL));
    }
    return json_pack("{s:o, s:o, s:o}", "lon", lon, "lat", lat, "precision", col_str(r, row, 16));
}

json_t *initiative_item_json(const PGresult *r, int row) {
    return json_pack(
            "{s:o, s:o, s:o, s:o, s:o, s:{s:o, s:o}, s:{s:o, s:o, s:o}, s:o, s:o, s:o, s:o}", "id",
            col_int(r, row, 0), "slug", col_str(r, row, 1), "title", col_str(r, row, 2), "summary",
            col_str(r, row, 3), "themes", col_json(r, row, 7), "actor", "name", col_str(r, row, 4),
            "type", coded(r, row, 5, 6), "territory", "commune", place(r, row, 8), "departement",
            place(r, row, 10), "region", place(r, row, 12), "location", location(r, row), "demo",
            col_bool(r, row, 17), "updated_at", col_str(r, row, 18), "sources",
            col_json(r, row, 20));
}

void initiative_item_position(const PGresult *r, int row, cursor_t *c) {
    c->kind = CURSOR_KEYSET;
    c->created_us = strtoll(PQgetvalue(r, row, 19), NULL, 10);
    c->id = strtoll(PQgetvalue(r, row, 0), NULL, 10);
    c->offset = 0;
}

static bool add_detail(json_t *o, const PGresult *r, int row) {
    const int d = INITIATIVE_ITEM_NCOLS;
    return json_object_set_new(o, "description", col_str(r, row, d)) == 0 &&
           json_object_set_new(o, "website", col_str(r, row, d + 1)) == 0 &&
           json_object_set_new(o, "image_url", col_str(r, row, d + 2)) == 0 &&
           json_object_set_new(o, "subthemes", col_json(r, row, d + 3)) == 0 &&
           json_object_set_new(o, "publics", col_json(r, row, d + 4)) == 0 &&
           json_object_set_new(o, "scale", coded(r, row, d + 5, d + 6)) == 0 &&
           json_object_set_new(o, "stage", coded(r, row, d + 7, d + 8)) == 0 &&
           json_object_set_new(o, "start_year", col_int(r, row, d + 9)) == 0 &&
           json_object_set_new(o, "address", col_str(r, row, d + 10)) == 0 &&
           json_object_set_new(o, "postcode", col_str(r, row, d + 11)) == 0 &&
           json_object_set_new(o, "sources", col_json(r, row, d + 12)) == 0 &&
           json_object_set_new(o, "status", col_str(r, row, d + 13)) == 0 &&
           json_object_set_new(o, "created_at", col_str(r, row, d + 14)) == 0 &&
           json_object_set_new(o, "version", col_int(r, row, d + 15)) == 0 &&
           json_object_set_new(o, "carrier_updated_at", col_str(r, row, d + 16)) == 0 &&
           json_object_set_new(o, "origin", col_str(r, row, d + 17)) == 0;
}

dom_status initiative_get(db_t *db, int64_t id, const char *lang, json_t **out) {
    char idtext[24];
    snprintf(idtext, sizeof idtext, "%" PRId64, id);
    const char *params[] = {lang, idtext};
    PGresult *r;
    dom_status st = dom_exec_one(db, "initiative_get", 2, params, &r);
    *out = NULL;
    if (st != DOM_OK)
        goto done;
    *out = initiative_item_json(r, 0);
    if (*out == NULL || !add_detail(*out, r, 0)) {
        json_decref(*out);
        *out = NULL;
        st = DOM_INTERNAL;
    }
done:
    PQclear(r);
    return st;
}

dom_status initiative_get_many(db_t *db, const int64_t *ids, size_t n, const char *lang,
                               json_t **out) {
    char(*idtext)[24] = NULL;
    const char *(*params)[2] = NULL;
    db_call_t *calls = NULL;
    dom_status st = DOM_INTERNAL;
    for (size_t i = 0; i < n; i++)
        out[i] = NULL;
    if (n == 0)
        return DOM_OK;
    if (n > INITIATIVE_MANY_MAX || (idtext = calloc(n, sizeof *idtext)) == NULL ||
        (params = calloc(n, sizeof *params)) == NULL || (calls = calloc(n, sizeof *calls)) == NULL)
        goto done;
    for (size_t i = 0; i < n; i++) {
        snprintf(idtext[i], sizeof idtext[i], "%" PRId64, ids[i]);
        params[i][0] = lang;
        params[i][1] = idtext[i];
        calls[i] = (db_call_t){"initiative_get", 2, params[i], NULL};
    }
    st = dom_from_db(db_exec_batch(db, calls, n));
    if (st != DOM_OK)
        goto done;
    for (size_t i = 0; i < n && st == DOM_OK; i++) {
        if (PQntuples(calls[i].result) != 1)
            continue;
        out[i] = initiative_item_json(calls[i].result, 0);
        if (out[i] == NULL || !add_detail(out[i], calls[i].result, 0))
            st = DOM_INTERNAL;
    }
    for (size_t i = 0; i < n; i++)
        PQclear(calls[i].result);
    if (st != DOM_OK)
        for (size_t i = 0; i < n; i++) {
            json_decref(out[i]);
            out[i] = NULL;
        }
done:
    free(calls);
    free(params);
    free(idtext);
    return st;
}

dom_status initiative_list(db_t *db, const cursor_t *after, int limit, const char *lang,
                           json_t **out) {
    char lim[16], created[24], idtext[24];
    PGresult *r;
    db_status ds;
    snprintf(lim, sizeof lim, "%d", limit + 1); /* one more row tells whether a next page exists */
    if (after) {
        snprintf(created, sizeof created, "%" PRId64, after->created_us);
        snprintf(idtext, sizeof idtext, "%" PRId64, after->id);
        const char *params[] = {lang, lim, created, idtext};
        ds = db_exec(db, "initiative_page_after", 4, params, &r);
    } else {
        const char *params[] = {lang, lim};
        ds = db_exec(db, "initiative_page_first", 2, params, &r);
    }
    *out = NULL;
    if (ds != DB_OK)
        return dom_from_db(ds);
    dom_status st = initiative_page_json(r, limit, NULL, out);
    PQclear(r);
    return st;
}

dom_status initiative_page_json(const PGresult *r, int limit, const cursor_t *offset_base,
                                json_t **out) {
    return initiative_items_json(r, limit, PQntuples(r) > limit, offset_base, out);
}

dom_status initiative_items_json(const PGresult *r, int limit, bool more,
                                 const cursor_t *offset_base, json_t **out) {
    int rows = PQntuples(r);
    json_t *items = json_array();
    json_t *next = json_null();
    *out = NULL;
    if (items == NULL)
        goto failed;
    for (int i = 0; i < rows && i < limit; i++)
        if (json_array_append_new(items, initiative_item_json(r, i)) != 0)
            goto failed;
    /* A row can be missing when the items are read after their ids (an initiative deleted in
     * between): the cursor then follows the last row read. */
    int last = (rows < limit ? rows : limit) - 1;
    if (more && (offset_base || last >= 0)) {
        cursor_t c;
        char text[CURSOR_TEXT_MAX];
        if (offset_base) {
            c.kind = CURSOR_OFFSET;
            c.offset = offset_base->offset + limit;
        } else {
            initiative_item_position(r, last, &c);
        }
        /* Past the deepest offset there is no next page to offer. */
        if (cursor_encode(&c, text, sizeof text)) {
            json_decref(next);
            next = json_string(text);
        }
    }
    *out = json_pack("{s:o, s:o}", "items", items, "next_cursor", next);
    return *out ? DOM_OK : DOM_INTERNAL;

failed:
    json_decref(items);
    json_decref(next);
    return DOM_INTERNAL;
}

#include "domain/export.h"

#include <jansson.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/log.h"
#include "domain/rows.h"
#include "domain/search_where.h"
#include "domain/sqlbuild.h"

/* The columns, in the order of enum col below, over the initiative i joined as in EXPORT_JOINS.
 * Arrays of codes come joined by '|' (codes never hold one); the labels of the themes and the
 * sources as JSON arrays. */
#define EXPORT_NAME_OF(alias, level, code)                                           \
    " LEFT JOIN LATERAL (SELECT t.name FROM territory t WHERE t.level = '" level "'" \
    " AND t.code = " code ") " alias " ON true"
/* Lookups as LATERAL joins: PostgreSQL may join them by hash or remember each answer (Memoize) —
 * the same themes and communes recur — where subqueries in the select list ran once per row (the
 * columns of 50,000 rows: 7.9 s with subqueries, 3.4 s so, on a busy two-core machine). */
#define EXPORT_COLUMNS                                                                    \
    "i.id, i.title, i.summary, i.website, array_to_string(i.themes, '|'), tl.labels,"     \
    " array_to_string(i.subthemes, '|'), i.actor_name, i.actor_type, va.label,"           \
    " array_to_string(i.publics, '|'), i.scale, i.stage, i.start_year,"                   \
    " i.commune_code, tc.name, i.departement_code, td.name, i.region_code, tr.name,"      \
    " round(ST_X(i.geom)::numeric, 6), round(ST_Y(i.geom)::numeric, 6), i.geo_precision," \
    " to_char(i.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), src.sources"
#define EXPORT_JOINS                                                                              \
    " LEFT JOIN LATERAL (SELECT json_agg(v.label_fr ORDER BY c.o)::text AS labels"                \
    "   FROM unnest(i.themes) WITH ORDINALITY AS c(code, o)"                                      \
    "   JOIN vocabulary v ON v.kind = 'theme' AND v.code = c.code) tl ON true"                    \
    " LEFT JOIN LATERAL (SELECT v.label_fr AS label FROM vocabulary v"                            \
    "   WHERE v.kind = 'actor_type' AND v.code = i.actor_type) va ON true" EXPORT_NAME_OF(        \
            "tc", "commune", "i.commune_code")                                                    \
            EXPORT_NAME_OF("td", "departement", "i.departement_code") EXPORT_NAME_OF(             \
                    "tr", "region",                                                               \
                    "i.region_code") " LEFT JOIN LATERAL (SELECT "                                \
                                     "json_agg(json_build_object('code', s.code, 'name', s.name," \
                                     "        'url', sr.url, 'licence', s.licence) ORDER BY "     \
                                     "s.name, sr.id)::text AS sources"                            \
                                     "   FROM source_record sr JOIN source s ON s.id = "          \
                                     "sr.source_id"                                               \
                                     "  WHERE sr.initiative_id = i.id AND sr.gone_at IS NULL) "   \
                                     "src ON true"

/* The columns as read: the first, `total`, is the number of matches of a search export. */
enum col {
    C_TOTAL,
    C_ID,
    C_TITLE,
    C_SUMMARY,
    C_WEBSITE,
    C_THEMES,
    C_THEME_LABELS,
    C_SUBTHEMES,
    C_ACTOR_NAME,
    C_ACTOR_TYPE,
    C_ACTOR_TYPE_LABEL,
    C_PUBLICS,
    C_SCALE,
    C_STAGE,
    C_START_YEAR,
    C_COMMUNE_CODE,
    C_COMMUNE_NAME,
    C_DEPARTEMENT_CODE,
    C_DEPARTEMENT_NAME,
    C_REGION_CODE,
    C_REGION_NAME,
    C_LON,
    C_LAT,
    C_PRECISION,
    C_UPDATED,
    C_SOURCES,
    C_NCOLS
};

/* How a field is written: its name (CSV header, JSON key) and kind. The url and the flattened
 * sources are made here, not read. */
typedef enum field_kind {
    F_TEXT,      /* a string, or null */
    F_INT,       /* a whole number, or null */
    F_NUMBER,    /* a decimal number, or null */
    F_CODES,     /* '|'-joined codes: an array in JSON, " | "-joined in CSV */
    F_JSON_LIST, /* a JSON array of strings (or null: empty) */
    F_URL,       /* the record's page on SocialConnect, from the id */
    F_SOURCES,   /* the JSON array of sources: an array of objects; in CSV three columns */
} field_kind;

typedef struct field {
    const char *name;
    int col;
    field_kind kind;
} field_t;

static const field_t fields[] = {
        {"id", C_ID, F_INT},
        {"title", C_TITLE, F_TEXT},
        {"summary", C_SUMMARY, F_TEXT},
        {"url", C_ID, F_URL},
        {"website", C_WEBSITE, F_TEXT},
        {"themes", C_THEMES, F_CODES},
        {"theme_labels", C_THEME_LABELS, F_JSON_LIST},
        {"subthemes", C_SUBTHEMES, F_CODES},
        {"actor_name", C_ACTOR_NAME, F_TEXT},
        {"actor_type", C_ACTOR_TYPE, F_TEXT},
        {"actor_type_label", C_ACTOR_TYPE_LABEL, F_TEXT},
        {"publics", C_PUBLICS, F_CODES},
        {"scale", C_SCALE, F_TEXT},
        {"stage", C_STAGE, F_TEXT},
        {"start_year", C_START_YEAR, F_INT},
        {"commune_code", C_COMMUNE_CODE, F_TEXT},
        {"commune_name", C_COMMUNE_NAME, F_TEXT},
        {"departement_code", C_DEPARTEMENT_CODE, F_TEXT},
        {"departement_name", C_DEPARTEMENT_NAME, F_TEXT},
        {"region_code", C_REGION_CODE, F_TEXT},
        {"region_name", C_REGION_NAME, F_TEXT},
        {"longitude", C_LON, F_NUMBER},
        {"latitude", C_LAT, F_NUMBER},
        {"geo_precision", C_PRECISION, F_TEXT},
        {"updated_at", C_UPDATED, F_TEXT},
        {"sources", C_SOURCES, F_SOURCES},
};

/* The CSV columns of the sources, each the values of its key joined by " | ", in one order. */
static const char *const source_keys[] = {"name", "url", "licence"};
static const char *const source_columns[] = {"source_names", "source_urls", "licences"};

#define EXPORT_ROW_MAX (1024 * 1024) /* one row's bytes: far above the column limits */

struct export_run {
    db_t *db;        /* borrowed */
    PGresult *batch; /* owned: the rows fetched and not written yet */
    int next;        /* the next row of batch to write */
    bool done;       /* the cursor has no more rows */
    buf_t row;       /* owned: one row being written */
};

static dom_status run_fetch(export_run_t *run) {
    PQclear(run->batch);
    run->batch = NULL;
    run->next = 0;
    dom_status st = dom_from_db(db_query(run->db, "export fetch",
                                         "FETCH 500 FROM sc_export" /* EXPORT_BATCH */, 0, NULL,
                                         &run->batch));
    if (st == DOM_OK && PQntuples(run->batch) < EXPORT_BATCH)
        run->done = true;
    return st;
}

/* BEGIN, the isolation of the export, and its turn when slots > 0 (*busy when none is free). */
static dom_status run_begin(db_t *db, int slots, bool *busy) {
    PGresult *r = NULL;
    *busy = false;
    dom_status st = dom_from_db(db_tx_begin(db));
    if (st != DOM_OK)
        return st;
    st = dom_from_db(db_query(db, "export begin",
                              "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", 0, NULL,
                              &r));
    PQclear(r);
    r = NULL;
    if (st == DOM_OK && slots > 0) {
        char n[16];
        snprintf(n, sizeof n, "%d", slots);
        const char *params[] = {n};
        /* The first free turn: the scan stops at the first lock taken. */
        st = dom_from_db(db_query(db, "export turn",
                                  "SELECT s FROM generate_series(0, $1::int - 1) AS s"
                                  " WHERE pg_try_advisory_xact_lock(5051, s) LIMIT 1",
                                  1, params, &r));
        if (st == DOM_OK && PQntuples(r) == 0)
            *busy = true;
        PQclear(r);
    }
    if (st != DOM_OK || *busy)
        db_tx_rollback(db);
    return st;
}

/* Declares the cursor of b, fetches its first batch and makes *out. On failure the transaction
 * is rolled back. */
static dom_status run_start(db_t *db, const sqlb_t *b, export_run_t **out) {
    PGresult *r = NULL;
    *out = NULL;
    dom_status st = dom_query_built(db, "export cursor", b, &r);
    PQclear(r);
    export_run_t *run = NULL;
    if (st == DOM_OK) {
        run = calloc(1, sizeof *run);
        if (run == NULL)
            st = DOM_INTERNAL;
    }
    if (st == DOM_OK) {
        run->db = db;
        buf_init(&run->row, EXPORT_ROW_MAX);
        st = run_fetch(run);
    }
    if (st != DOM_OK) {
        if (run)
            buf_free(&run->row);
        if (run)
            PQclear(run->batch);
        free(run);
        db_tx_rollback(db);
        return st;
    }
    *out = run;
    return DOM_OK;
}

search_status export_open_search(db_t *db, const search_query_t *sq, int slots, export_run_t **out,
                                 bool *busy, long *matches, search_error_t *err) {
    sqlb_t b;
    *out = NULL;
    *matches = 0;
    err->dom = run_begin(db, slots, busy);
    if (err->dom != DOM_OK)
        return SEARCH_FAILED;
    if (*busy)
        return SEARCH_OK;
    sqlb_init(&b);
    /* The count of the matches (up to one more than the cap) in each row, so that it is known
     * from the first batch, before any byte of the file is sent. */
    sqlb_sql(&b, "DECLARE sc_export NO SCROLL CURSOR FOR SELECT m.total, " EXPORT_COLUMNS
                 " FROM (SELECT x.id, x.n, count(*) OVER () AS total FROM (");
    search_status ss = search_export_sql(db, sq, EXPORT_SEARCH_MAX + 1, &b, err);
    if (ss != SEARCH_OK) {
        sqlb_free(&b);
        db_tx_rollback(db);
        return ss;
    }
    sqlb_sql(&b, ") x) m JOIN initiative i ON i.id = m.id" EXPORT_JOINS " ORDER BY m.n");
    err->dom = run_start(db, &b, out);
    sqlb_free(&b);
    if (err->dom != DOM_OK)
        return SEARCH_FAILED;
    if (PQntuples((*out)->batch) > 0)
        *matches = strtol(PQgetvalue((*out)->batch, 0, C_TOTAL), NULL, 10);
    return SEARCH_OK;
}

dom_status export_open_catalogue(db_t *db, export_run_t **out) {
    sqlb_t b;
    bool busy;
    *out = NULL;
    dom_status st = run_begin(db, 0, &busy);
    if (st != DOM_OK)
        return st;
    sqlb_init(&b);
    sqlb_sql(&b, "DECLARE sc_export NO SCROLL CURSOR FOR SELECT 0, " EXPORT_COLUMNS
                 " FROM initiative i" EXPORT_JOINS " WHERE i.status = 'published' ORDER BY i.id");
    st = run_start(db, &b, out);
    sqlb_free(&b);
    return st;
}

void export_close(export_run_t *run) {
    if (run == NULL)
        return;
    PQclear(run->batch);
    buf_free(&run->row);
    /* Read only: nothing to commit, and a rollback also ends a transaction in error. */
    db_tx_rollback(run->db);
    free(run);
}

bool export_format_parse(const char *name, export_format *out) {
    static const char *const names[] = {"csv", "geojson", "ndjson"};
    for (size_t i = 0; i < ARRAY_LEN(names); i++)
        if (strcmp(name, names[i]) == 0) {
            *out = (export_format)i;
            return true;
        }
    return false;
}

const char *export_content_type(export_format f) {
    switch (f) {
    case EXPORT_CSV:
        return "text/csv; charset=utf-8; header=present";
    case EXPORT_GEOJSON:
        return "application/geo+json";
    default:
        return "application/x-ndjson";
    }
}

const char *export_extension(export_format f) {
    switch (f) {
    case EXPORT_CSV:
        return "csv";
    case EXPORT_GEOJSON:
        return "geojson";
    default:
        return "ndjson";
    }
}

/* ---- CSV (RFC 4180: CRLF, fields quoted when they hold the separator, a quote or a line
 * break, quotes doubled) ---- */

/* A spreadsheet runs a cell that starts with one of these as a formula (=HYPERLINK(…), +cmd…):
 * text cells that do are written after an apostrophe, which spreadsheets show as text and hide.
 * Numbers are never text cells here, so a negative longitude stays a number. */
static bool csv_formula_lead(const char *s, size_t n) {
    return n > 0 && strchr("=+-@\t\r", s[0]) != NULL;
}

static void csv_cell(buf_t *b, const char *s, size_t n, char sep, bool first) {
    bool quote = false;
    if (!first && !buf_append(b, &sep, 1))
        return;
    for (size_t i = 0; i < n && !quote; i++)
        quote = s[i] == sep || s[i] == '"' || s[i] == '\r' || s[i] == '\n';
    if (!quote) {
        if (!buf_append(b, s, n))
            return;
        return;
    }
    if (!buf_append(b, "\"", 1))
        return;
    for (size_t i = 0; i < n; i++) {
        bool ok = s[i] == '"' ? buf_append(b, "\"\"", 2) : buf_append(b, s + i, 1);
        if (!ok)
            return;
    }
    if (!buf_append(b, "\"", 1))
        return;
}

static void csv_text(buf_t *b, const char *s, char sep, bool first) {
    csv_cell(b, s, strlen(s), sep, first);
}

/* A cell of text that came from people or sources: guarded against formulas. */
static void csv_guarded(buf_t *b, const char *s, size_t n, char sep) {
    if (!csv_formula_lead(s, n)) {
        csv_cell(b, s, n, sep, false);
        return;
    }
    buf_t g;
    buf_init(&g, EXPORT_ROW_MAX);
    if (buf_append(&g, "'", 1) && buf_append(&g, s, n))
        csv_cell(b, g.data, g.len, sep, false);
    buf_free(&g);
}

/* Joins the strings of a JSON array text (or of the key `key` of its objects) with " | ". */
static void csv_join_json(buf_t *b, const char *json, const char *key, char sep) {
    buf_t j;
    buf_init(&j, EXPORT_ROW_MAX);
    json_t *a = json[0] ? json_loads(json, 0, NULL) : NULL;
    size_t i;
    json_t *v;
    json_array_foreach(a, i, v) {
        const char *s = json_string_value(key ? json_object_get(v, key) : v);
        if ((i > 0 && !buf_append_str(&j, " | ")) || !buf_append_str(&j, s ? s : ""))
            break;
    }
    json_decref(a);
    csv_guarded(b, j.data ? j.data : "", j.len, sep);
    buf_free(&j);
}

static void csv_header(buf_t *b, char sep) {
    for (size_t f = 0; f < ARRAY_LEN(fields); f++) {
        if (fields[f].kind == F_SOURCES) {
            for (size_t k = 0; k < ARRAY_LEN(source_columns); k++)
                csv_text(b, source_columns[k], sep, false);
        } else {
            csv_text(b, fields[f].name, sep, f == 0);
        }
    }
    if (!buf_append(b, "\r\n", 2))
        return;
}

static void csv_row(buf_t *b, PGresult *r, int row, const export_opts_t *o) {
    char sep = o->sep;
    for (size_t f = 0; f < ARRAY_LEN(fields); f++) {
        const char *v = PQgetvalue(r, row, fields[f].col);
        switch (fields[f].kind) {
        case F_URL: {
            buf_t u;
            buf_init(&u, 512);
            if (buf_appendf(&u, "%s/initiatives/%s", o->public_url, v))
                csv_text(b, buf_cstr(&u), sep, false);
            buf_free(&u);
            break;
        }
        case F_CODES: {
            buf_t j;
            buf_init(&j, EXPORT_ROW_MAX);
            for (const char *p = v; *p; p++) {
                bool ok = *p == '|' ? buf_append_str(&j, " | ") : buf_append(&j, p, 1);
                if (!ok)
                    break;
            }
            csv_cell(b, j.data ? j.data : "", j.len, sep, false);
            buf_free(&j);
            break;
        }
        case F_JSON_LIST:
            csv_join_json(b, v, NULL, sep);
            break;
        case F_SOURCES:
            for (size_t k = 0; k < ARRAY_LEN(source_keys); k++)
                csv_join_json(b, v, source_keys[k], sep);
            break;
        case F_TEXT:
            csv_guarded(b, v, strlen(v), sep);
            break;
        default:
            csv_text(b, v, sep, f == 0);
            break;
        }
    }
    if (!buf_append(b, "\r\n", 2))
        return;
}

/* ---- JSON (NDJSON lines, GeoJSON features) ---- */

static json_t *json_codes(const char *v) {
    json_t *a = json_array();
    const char *p = v;
    while (a && *p) {
        const char *end = strchr(p, '|');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        json_array_append_new(a, json_stringn(p, n));
        p += n + (end ? 1 : 0);
    }
    return a;
}

/* The properties of one row (with longitude and latitude unless geojson, which has them in its
 * geometry). */
static json_t *json_props(PGresult *r, int row, const export_opts_t *o, bool geojson) {
    json_t *p = json_object();
    for (size_t f = 0; p && f < ARRAY_LEN(fields); f++) {
        int c = fields[f].col;
        const char *v = PQgetvalue(r, row, c);
        bool null = PQgetisnull(r, row, c);
        json_t *x = NULL;
        if (geojson && (c == C_LON || c == C_LAT))
            continue;
        switch (fields[f].kind) {
        case F_TEXT:
            x = null ? json_null() : json_string(v);
            break;
        case F_INT:
            x = null ? json_null() : json_integer(strtoll(v, NULL, 10));
            break;
        case F_NUMBER:
            x = null ? json_null() : json_real(strtod(v, NULL));
            break;
        case F_CODES:
            x = json_codes(v);
            break;
        case F_JSON_LIST:
        case F_SOURCES:
            x = null ? json_array() : json_loads(v, 0, NULL);
            break;
        case F_URL:
            x = json_sprintf("%s/initiatives/%s", o->public_url, v);
            break;
        }
        if (x == NULL || json_object_set_new(p, fields[f].name, x) != 0) {
            json_decref(p);
            return NULL;
        }
    }
    return p;
}

static int dump_cb(const char *chunk, size_t n, void *data) {
    return buf_append(data, chunk, n) ? 0 : -1;
}

static bool json_row(buf_t *b, PGresult *r, int row, const export_opts_t *o, bool first) {
    json_t *item = NULL;
    json_t *props = json_props(r, row, o, o->format == EXPORT_GEOJSON);
    if (props == NULL)
        return false;
    if (o->format == EXPORT_GEOJSON) {
        json_t *geometry = json_null();
        if (!PQgetisnull(r, row, C_LON))
            geometry = json_pack("{s:s, s:[f,f]}", "type", "Point", "coordinates",
                                 strtod(PQgetvalue(r, row, C_LON), NULL),
                                 strtod(PQgetvalue(r, row, C_LAT), NULL));
        item = json_pack("{s:s, s:I, s:o, s:o}", "type", "Feature", "id",
                         (json_int_t)strtoll(PQgetvalue(r, row, C_ID), NULL, 10), "geometry",
                         geometry, "properties", props);
    } else {
        item = props;
    }
    if (item == NULL)
        return false;
    bool ok =
            (o->format != EXPORT_GEOJSON || first || buf_append(b, ",\n", 2)) &&
            json_dump_callback(item, dump_cb, b,
                               JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10)) == 0 &&
            (o->format != EXPORT_NDJSON || buf_append(b, "\n", 1));
    json_decref(item);
    return ok;
}

static bool header(buf_t *b, const export_opts_t *o, long limit, long matches) {
    switch (o->format) {
    case EXPORT_CSV:
        if (o->bom && !buf_append(b, "\xEF\xBB\xBF", 3))
            return false;
        csv_header(b, o->sep);
        return !b->toobig;
    case EXPORT_GEOJSON:
        /* A foreign member (RFC 7946, 6.1) says how many matched and whether the file is cut. */
        if (matches >= 0)
            return buf_appendf(b,
                               "{\"type\":\"FeatureCollection\",\"socialconnect\":{\"matches\":%ld,"
                               "\"truncated\":%s,\"limit\":%ld},\"features\":[\n",
                               matches > limit ? limit : matches,
                               matches > limit ? "true" : "false", limit);
        return buf_append_str(b, "{\"type\":\"FeatureCollection\",\"features\":[\n");
    default:
        return true;
    }
}

dom_status export_write_each(export_run_t *run, const export_target_t *t, size_t n, long limit,
                             long matches, long *rows) {
    dom_status st = DOM_OK;
    *rows = 0;
    for (size_t k = 0; k < n; k++) {
        buf_reset(&run->row);
        if (!header(&run->row, &t[k].opts, limit, matches) ||
            !t[k].write(t[k].arg, run->row.data, run->row.len))
            return DOM_INTERNAL;
    }
    for (;;) {
        if (run->next >= PQntuples(run->batch)) {
            if (run->done)
                break;
            st = run_fetch(run);
            if (st != DOM_OK)
                return st;
            continue;
        }
        if (limit > 0 && *rows >= limit)
            break;
        for (size_t k = 0; k < n; k++) {
            const export_opts_t *opts = &t[k].opts;
            buf_reset(&run->row);
            if (opts->format == EXPORT_CSV) {
                csv_row(&run->row, run->batch, run->next, opts);
                if (run->row.toobig) {
                    log_msg(LOG_ERROR, "export: a row over %d bytes", EXPORT_ROW_MAX);
                    return DOM_INTERNAL;
                }
            } else if (!json_row(&run->row, run->batch, run->next, opts, *rows == 0)) {
                log_msg(LOG_ERROR, "export: a row could not be written as JSON");
                return DOM_INTERNAL;
            }
            if (!t[k].write(t[k].arg, run->row.data, run->row.len))
                return DOM_INTERNAL;
        }
        run->next++;
        (*rows)++;
    }
    for (size_t k = 0; k < n; k++)
        if (t[k].opts.format == EXPORT_GEOJSON && !t[k].write(t[k].arg, "\n]}\n", 4))
            return DOM_INTERNAL;
    return DOM_OK;
}

dom_status export_write(export_run_t *run, const export_opts_t *opts, long limit, long matches,
                        export_write_fn write, void *arg, long *rows) {
    export_target_t t = {*opts, write, arg};
    return export_write_each(run, &t, 1, limit, matches, rows);
}

dom_status export_sources(db_t *db, json_t **out) {
    PGresult *r = NULL;
    *out = NULL;
    dom_status st = dom_from_db(
            db_query(db, "export sources",
                     "SELECT coalesce(json_agg(json_build_object('code', s.code, 'name', s.name,"
                     " 'homepage', s.url, 'licence', s.licence, 'demo', s.is_demo, 'records', x.n)"
                     " ORDER BY s.name, s.code), '[]')::text"
                     " FROM source s JOIN (SELECT sr.source_id, count(*) AS n FROM source_record sr"
                     "   JOIN initiative i ON i.id = sr.initiative_id AND i.status = 'published'"
                     "  WHERE sr.gone_at IS NULL GROUP BY 1) x ON x.source_id = s.id",
                     0, NULL, &r));
    if (st == DOM_OK) {
        *out = json_loads(PQgetvalue(r, 0, 0), 0, NULL);
        if (*out == NULL)
            st = DOM_INTERNAL;
    }
    PQclear(r);
    return st;
}

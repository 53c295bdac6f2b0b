#include "domain/source.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "domain/keyset_page.h"
#include "domain/rows.h"
#include "domain/status.h"

/* The objects are built by PostgreSQL (json_build_object) and parsed once here, so that the
 * figures, the dates and the capped error lists come from one query each. */
#define TS(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/* The errors of a run are a JSON array written by the harvester; anything else counts as none. */
#define RUN_ERRORS "(CASE WHEN jsonb_typeof(r.errors) = 'array' THEN r.errors ELSE '[]' END)"

/* One run's figures (r is harvest_run). */
#define RUN_FIGURES                                                                               \
    "'id', r.id, 'started_at', " TS("r.started_at") ", 'finished_at', " TS(                       \
            "r.finished_at") ","                                                                  \
                             " 'status', r.status, 'pages_fetched', r.pages_fetched,"             \
                             " 'pages_not_modified', r.pages_not_modified, 'pages_failed', "      \
                             "r.pages_failed,"                                                    \
                             " 'bytes_fetched', r.bytes_fetched, 'records_seen', r.records_seen," \
                             " 'records_new', r.records_new, 'records_updated', "                 \
                             "r.records_updated,"                                                 \
                             " 'records_unchanged', r.records_unchanged, 'records_gone', "        \
                             "r.records_gone,"                                                    \
                             " 'records_failed', r.records_failed, 'errors_count', "              \
                             "jsonb_array_length(" RUN_ERRORS ")"

/* RUN: the figures, then the first errors as {url, reason} (a bare string is a reason without URL)
 * and how many there are in all. */
#define RUN_JSON                                                                                  \
    "json_build_object(" RUN_FIGURES ", 'errors_total', jsonb_array_length(" RUN_ERRORS "),"      \
    " 'errors', (SELECT coalesce(json_agg(json_build_object("                                     \
    "                'url', CASE WHEN jsonb_typeof(e) = 'object' THEN e ->> 'url' END,"           \
    "                'reason', CASE WHEN jsonb_typeof(e) = 'string' THEN e #>> '{}'"              \
    "                               ELSE coalesce(e ->> 'reason', e ->> 'message', e::text) END)" \
    "              ORDER BY n), '[]'::json)"                                                      \
    "         FROM jsonb_array_elements(" RUN_ERRORS ") WITH ORDINALITY AS x(e, n)"               \
    "        WHERE n <= $" ERRORS_PARAM "::int))"

/* SOURCE (s is source). Records and initiatives count live records only (not gone). */
#define SOURCE_JSON                                                                                \
    "json_build_object('slug', s.code, 'name', s.name, 'homepage', s.url, 'kind', s.kind,"         \
    " 'licence', s.licence, 'demo', s.is_demo, 'enabled', s.enabled,"                              \
    " 'records', (SELECT count(*) FROM source_record sr"                                           \
    "              WHERE sr.source_id = s.id AND sr.gone_at IS NULL),"                             \
    " 'initiatives', (SELECT count(DISTINCT sr.initiative_id) FROM source_record sr"               \
    "                   JOIN initiative i ON i.id = sr.initiative_id AND i.status = 'published'"   \
    "                  WHERE sr.source_id = s.id AND sr.gone_at IS NULL),"                         \
    " 'last_run', (SELECT json_build_object(" RUN_FIGURES ") FROM harvest_run r"                   \
    "               WHERE r.source_id = s.id ORDER BY r.started_at DESC, r.id DESC LIMIT 1),"      \
    " 'last_success_at', (SELECT " TS(                                                             \
            "max(r.finished_at)") " FROM harvest_run r"                                            \
                                  "                      WHERE r.source_id = s.id AND r.status = " \
                                  "'succeeded'),"                                                  \
                                  " 'period_hours', s.period_hours, 'next_run_at', " TS(           \
                                          "s.next_run_at") ")"

#define SO_STR(x)    #x
#define SO_XSTR(x)   SO_STR(x)
#define ERRORS_PARAM "2"
static const char detail_sql[] =
        "SELECT " SOURCE_JSON ","
        " (SELECT count(*) FROM source_record sr WHERE sr.source_id = s.id"
        "     AND sr.gone_at IS NOT NULL),"
        " (SELECT coalesce(json_agg(j ORDER BY started_at DESC, id DESC), '[]'::json)"
        "    FROM (SELECT " RUN_JSON " AS j, r.started_at, r.id FROM harvest_run r"
        "           WHERE r.source_id = s.id ORDER BY r.started_at DESC, r.id DESC"
        "           LIMIT $3::int) last),"
        /* The values the source's maps did not know (source_record.raw->'unmapped', written by
         * the harvester as {field: [values]}), on records not gone: the most common first. */
        " (SELECT coalesce(json_agg(json_build_object('field', u.field, 'value', u.value,"
        "                                             'records', u.n)"
        "                           ORDER BY u.n DESC, u.field, u.value), '[]'::json)"
        "    FROM (SELECT f.key AS field, v.value, count(DISTINCT sr.id) AS n"
        "            FROM source_record sr"
        "            CROSS JOIN LATERAL jsonb_each(sr.raw->'unmapped') f"
        "            CROSS JOIN LATERAL jsonb_array_elements_text(CASE jsonb_typeof(f.value)"
        "                                 WHEN 'array' THEN f.value ELSE '[]' END) v(value)"
        "           WHERE sr.source_id = s.id AND sr.gone_at IS NULL"
        "             AND jsonb_typeof(sr.raw->'unmapped') = 'object'"
        "           GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2 LIMIT " SO_XSTR(
                SOURCE_UNMAPPED_MAX) ") u)"
                                     " FROM source s WHERE s.code = $1";
#undef ERRORS_PARAM

#define ERRORS_PARAM "3"
#define RUNS_SQL(where)                                                               \
    "SELECT " RUN_JSON ", (extract(epoch FROM r.started_at) * 1000000)::bigint, r.id" \
    " FROM harvest_run r WHERE r.source_id = $1" where                                \
    " ORDER BY r.started_at DESC, r.id DESC LIMIT $2"
static const char runs_first_sql[] = RUNS_SQL("");
static const char runs_after_sql[] =
        RUNS_SQL(" AND (r.started_at, r.id) < ('epoch'::timestamptz + $4::bigint * interval '1 "
                 "microsecond', $5::bigint)");
#undef ERRORS_PARAM

const db_stmt_t source_stmts[] = {
        {"source_list",
         "SELECT coalesce(json_agg(j ORDER BY name COLLATE \"fr-x-icu\", code), '[]'::json)"
         "  FROM (SELECT " SOURCE_JSON " AS j, s.name, s.code FROM source s) all_sources",
         0, true},
        {"source_detail", detail_sql, 3, true},
        {"source_find",
         "SELECT s.id, (SELECT count(*) FROM harvest_run r WHERE r.source_id = s.id)"
         "  FROM source s WHERE s.code = $1",
         1, true},
        {"source_runs_first", runs_first_sql, 3, true},
        {"source_runs_after", runs_after_sql, 5, true},
        {NULL, NULL, 0, false},
};

bool source_slug_valid(const char *slug) {
    size_t n = strlen(slug);
    if (n == 0 || n > 63)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = slug[i];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (!alnum && (i == 0 || (c != '_' && c != '-')))
            return false;
    }
    return true;
}

/* Parses a json column built by PostgreSQL; NULL (logged) when it is not JSON. */
static json_t *col_json(const PGresult *r, int row, int col) {
    json_error_t err;
    json_t *v = json_loadb(PQgetvalue(r, row, col), (size_t)PQgetlength(r, row, col), 0, &err);
    if (v == NULL)
        log_msg(LOG_ERROR, "source: bad json from postgres in column %d: %s", col, err.text);
    return v;
}

dom_status source_list(db_t *db, json_t **out) {
    PGresult *r;
    json_t *items;
    dom_status st = dom_from_db(db_exec(db, "source_list", 0, NULL, &r));
    *out = NULL;
    if (st != DOM_OK)
        return st;
    items = col_json(r, 0, 0);
    PQclear(r);
    if (items == NULL)
        return DOM_INTERNAL;
    *out = json_pack("{s:o}", "items", items);
    return *out ? DOM_OK : DOM_INTERNAL;
}

dom_status source_get(db_t *db, const char *slug, json_t **out) {
    char nerr[16], nruns[16];
    snprintf(nerr, sizeof nerr, "%d", SOURCE_RUN_ERRORS_MAX);
    snprintf(nruns, sizeof nruns, "%d", SOURCE_DETAIL_RUNS);
    const char *params[] = {slug, nerr, nruns};
    PGresult *r;
    json_t *runs = NULL;
    dom_status st = dom_exec_one(db, "source_detail", 3, params, &r);
    *out = NULL;
    if (st != DOM_OK)
        goto done;
    st = DOM_INTERNAL;
    *out = col_json(r, 0, 0);
    runs = col_json(r, 0, 2);
    if (*out == NULL || runs == NULL ||
        json_object_set_new(*out, "record_count_gone",
                            json_integer(strtoll(PQgetvalue(r, 0, 1), NULL, 10))) != 0)
        goto done;
    st = json_object_set_new(*out, "runs", runs) == 0 ? DOM_OK : DOM_INTERNAL;
    runs = NULL; /* taken by json_object_set_new, even on failure */
    json_t *unmapped = st == DOM_OK ? col_json(r, 0, 3) : NULL;
    if (st == DOM_OK && (unmapped == NULL || json_object_set_new(*out, "unmapped", unmapped) != 0))
        st = DOM_INTERNAL;
done:
    if (st != DOM_OK) {
        json_decref(*out);
        *out = NULL;
    }
    json_decref(runs);
    PQclear(r);
    return st;
}

/* The source's id and its number of runs; DOM_NOT_FOUND for an unknown slug. */
static dom_status source_find(db_t *db, const char *slug, char id[24], int64_t *nruns) {
    const char *params[] = {slug};
    PGresult *r;
    dom_status st = dom_from_db(db_exec(db, "source_find", 1, params, &r));
    if (st != DOM_OK)
        return st;
    if (PQntuples(r) == 1) {
        snprintf(id, 24, "%s", PQgetvalue(r, 0, 0));
        *nruns = strtoll(PQgetvalue(r, 0, 1), NULL, 10);
    } else {
        st = DOM_NOT_FOUND;
    }
    PQclear(r);
    return st;
}

dom_status source_runs(db_t *db, const char *slug, const cursor_t *after, int limit, json_t **out) {
    char id[24], lim[16], nerr[16], started[24], last[24];
    int64_t total = 0;
    PGresult *r = NULL;
    dom_status st = source_find(db, slug, id, &total);
    *out = NULL;
    if (st != DOM_OK)
        return st;
    snprintf(lim, sizeof lim, "%d", limit + 1); /* one more row tells whether a next page exists */
    snprintf(nerr, sizeof nerr, "%d", SOURCE_RUN_ERRORS_MAX);
    if (after) {
        snprintf(started, sizeof started, "%" PRId64, after->created_us);
        snprintf(last, sizeof last, "%" PRId64, after->id);
        const char *params[] = {id, lim, nerr, started, last};
        st = dom_from_db(db_exec(db, "source_runs_after", 5, params, &r));
    } else {
        const char *params[] = {id, lim, nerr};
        st = dom_from_db(db_exec(db, "source_runs_first", 3, params, &r));
    }
    if (st != DOM_OK)
        return st;
    st = keyset_page(r, limit, "source runs", out);
    if (st == DOM_OK && json_object_set_new(*out, "total", json_integer((json_int_t)total)) != 0) {
        json_decref(*out);
        *out = NULL;
        st = DOM_INTERNAL;
    }
    PQclear(r);
    return st;
}

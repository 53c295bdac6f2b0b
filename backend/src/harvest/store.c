#include "harvest/store.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/initiative.h"

#define HARVESTABLE "('html', 'json', 'rss', 'atom', 'csv')"

const db_stmt_t hv_store_stmts[] = {
        /* A document whose normalisation (fields, maps, classify) changed clears the content hash
         * of the source's records, so that the next run normalises each again even where its
         * raw fields did not change (returned: how many). */
        {"hv_source_put",
         "WITH doc AS (SELECT $1::jsonb AS d),"
         " old AS (SELECT s.id, s.config FROM source s, doc WHERE s.code = doc.d->>'slug'),"
         " put AS (INSERT INTO source (code, name, kind, url, config, licence, period_hours,"
         "                             gone_after_runs)"
         "   SELECT d->>'slug', d->>'name', d->>'kind', coalesce($2, d->>'homepage'), d, "
         "d->>'licence',"
         "          coalesce((d->>'period_hours')::int, 24),"
         "          coalesce((d->>'gone_after_runs')::int, 3)"
         "     FROM doc"
         "   ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, kind = EXCLUDED.kind,"
         "     url = EXCLUDED.url, config = EXCLUDED.config, licence = EXCLUDED.licence,"
         "     period_hours = EXCLUDED.period_hours, gone_after_runs = EXCLUDED.gone_after_runs,"
         "     updated_at = now()"
         "   WHERE (source.name, source.kind, source.url, source.config, source.licence,"
         "          source.period_hours, source.gone_after_runs) IS DISTINCT FROM"
         "         (EXCLUDED.name, EXCLUDED.kind, EXCLUDED.url, EXCLUDED.config, EXCLUDED.licence,"
         "          EXCLUDED.period_hours, EXCLUDED.gone_after_runs)"
         "   RETURNING id),"
         " stale AS (UPDATE source_record r SET content_hash = '' FROM old, doc"
         "   WHERE r.source_id = old.id AND r.content_hash <> ''"
         "     AND (old.config->'fields', old.config->'maps', old.config->'classify')"
         "         IS DISTINCT FROM (doc.d->'fields', doc.d->'maps', doc.d->'classify')"
         "   RETURNING 1)"
         " SELECT id, (SELECT count(*) FROM stale) FROM put",
         2, false},
        {"hv_source_id", "SELECT id FROM source WHERE code = $1", 1, true},
        {"hv_source_get",
         "SELECT id, config::text FROM source WHERE code = $1 AND kind IN " HARVESTABLE, 1, true},
        {"hv_source_list",
         "SELECT coalesce(json_agg(code ORDER BY code), '[]')::text FROM source"
         " WHERE enabled AND kind IN " HARVESTABLE,
         0, true},
        /* {kind: [codes], "subtheme_parent": {sub-theme: its theme}} */
        {"hv_vocabulary",
         "SELECT (coalesce((SELECT jsonb_object_agg(kind, codes) FROM"
         "   (SELECT kind, jsonb_agg(code ORDER BY code) AS codes FROM vocabulary GROUP BY kind) "
         "k),"
         "   '{}') || jsonb_build_object('subtheme_parent', coalesce((SELECT jsonb_object_agg(code,"
         "   parent) FROM vocabulary WHERE kind = 'subtheme' AND parent IS NOT NULL), "
         "'{}')))::text",
         0, true},
        {"hv_run_start", "INSERT INTO harvest_run (source_id) VALUES ($1) RETURNING id", 1, false},
        {"hv_run_finish",
         "WITH r AS (UPDATE harvest_run SET finished_at = now(), status = $3,"
         "  pages_fetched = $4, pages_not_modified = $5, pages_failed = $6, records_seen = $7,"
         "  records_new = $8, records_updated = $9, records_unchanged = $10, records_gone = $11,"
         "  records_failed = $12, bytes_fetched = $13, errors = $14::jsonb"
         "  WHERE id = $2 RETURNING source_id)"
         " UPDATE source s SET next_run_at = now() + s.period_hours * interval '1 hour'"
         "  FROM r WHERE s.id = r.source_id AND s.id = $1",
         14, false},
        {"hv_mark_missed", "SELECT harvest_mark_missed($1, $2)", 2, false},
        {"hv_page_get",
         "SELECT etag, last_modified, content_type, body FROM harvest_page"
         " WHERE source_id = $1 AND url = $2",
         2, true},
        {"hv_page_validators",
         "SELECT etag, last_modified, content_type FROM harvest_page"
         " WHERE source_id = $1 AND url = $2",
         2, true},
        {"hv_page_put",
         "INSERT INTO harvest_page (source_id, url, etag, last_modified, content_type, body)"
         " VALUES ($1, $2, $3, $4, $5, $6::bytea)"
         " ON CONFLICT (source_id, url) DO UPDATE SET etag = EXCLUDED.etag,"
         "   last_modified = EXCLUDED.last_modified, content_type = EXCLUDED.content_type,"
         "   body = EXCLUDED.body, fetched_at = now()",
         6, false},
        {"hv_record_seen", "SELECT harvest_record_seen($1, $2, $3, $4::jsonb)", 4, false},
        {"hv_record_touch", "SELECT harvest_record_touch($1, $2, $3)", 3, false},
        /* A sub-theme implies its theme: the parents of the record's sub-themes are added to its
         * themes here too, whatever the caller computed (hv_record_finish already does). */
        {"hv_record_save",
         "SELECT harvest_record_save($1, $2, $3, $4, $5::jsonb,"
         "   n || jsonb_build_object('themes', coalesce(n->'themes', '[]') || coalesce(("
         "     SELECT jsonb_agg(DISTINCT v.parent) FROM vocabulary v"
         "      WHERE v.kind = 'subtheme' AND v.parent IS NOT NULL"
         "        AND v.code IN (SELECT jsonb_array_elements_text(CASE jsonb_typeof(n->'subthemes')"
         "                         WHEN 'array' THEN n->'subthemes' END))"
         "        AND NOT coalesce(n->'themes', '[]') ? v.parent), '[]')))"
         "  FROM (SELECT $6::jsonb AS n) x",
         6, false},
        {"hv_jobs_schedule",
         "WITH q AS (INSERT INTO harvest_job (source_id)"
         "  SELECT s.id FROM source s WHERE s.enabled AND s.kind IN " HARVESTABLE
         "     AND (s.next_run_at IS NULL OR s.next_run_at <= now())"
         "     AND NOT EXISTS (SELECT 1 FROM harvest_job j WHERE j.source_id = s.id"
         "                      AND j.status IN ('queued', 'running'))"
         "  ON CONFLICT (source_id) WHERE status = 'queued' DO NOTHING RETURNING 1)"
         " SELECT count(*) FROM q",
         0, false},
        {"hv_job_take",
         "UPDATE harvest_job j SET status = 'running', taken_by = $1, taken_at = now()"
         "  FROM source s"
         " WHERE s.id = j.source_id AND j.id = (SELECT id FROM harvest_job"
         "   WHERE status = 'queued' AND run_after <= now() ORDER BY run_after, id"
         "   FOR UPDATE SKIP LOCKED LIMIT 1)"
         " RETURNING j.id, s.code",
         1, false},
        {"hv_job_enqueue",
         "WITH q AS (INSERT INTO harvest_job (source_id)"
         "  SELECT id FROM source WHERE code = $1 AND kind IN " HARVESTABLE
         "  ON CONFLICT (source_id) WHERE status = 'queued' DO UPDATE SET run_after = now()"
         "  RETURNING 1) SELECT count(*) FROM q",
         1, false},
        {"hv_job_finish",
         "UPDATE harvest_job SET status = $2, finished_at = now(), run_id = $3 WHERE id = $1", 3,
         false},
        {NULL, NULL, 0, false},
};

/* Runs a statement expected to return exactly one row; *out is that result. */
static dom_status one_row(db_t *db, const char *name, int n, const char *const *params,
                          PGresult **out) {
    *out = NULL;
    dom_status st = dom_from_db(db_exec(db, name, n, params, out));
    if (st == DOM_OK && PQntuples(*out) != 1) {
        PQclear(*out);
        *out = NULL;
        st = DOM_NOT_FOUND;
    }
    return st;
}

static json_t *json_from_text(const char *text) {
    json_error_t e;
    return json_loads(text, JSON_DECODE_ANY, &e);
}

dom_status hv_store_source_put(db_t *db, const json_t *document, const char *homepage, int64_t *id,
                               long *renormalise) {
    PGresult *r = NULL;
    char *text = json_dumps(document, JSON_COMPACT | JSON_SORT_KEYS);
    dom_status st = DOM_INTERNAL;
    *renormalise = 0;
    if (text == NULL)
        goto done;
    const char *params[] = {text, homepage};
    st = dom_from_db(db_exec(db, "hv_source_put", 2, params, &r));
    if (st != DOM_OK)
        goto done;
    if (PQntuples(r) == 1) {
        *renormalise = strtol(PQgetvalue(r, 0, 1), NULL, 10);
    } else { /* unchanged: the upsert wrote nothing */
        PQclear(r);
        r = NULL;
        const char *slug[] = {json_string_value(json_object_get(document, "slug"))};
        st = one_row(db, "hv_source_id", 1, slug, &r);
        if (st != DOM_OK)
            goto done;
    }
    *id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
done:
    PQclear(r);
    free(text);
    return st;
}

dom_status hv_store_source_get(db_t *db, const char *slug, int64_t *id, char **document) {
    PGresult *r;
    const char *params[] = {slug};
    *document = NULL;
    dom_status st = one_row(db, "hv_source_get", 1, params, &r);
    if (st != DOM_OK)
        return st;
    *id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    *document = strdup(PQgetvalue(r, 0, 1));
    PQclear(r);
    return *document ? DOM_OK : DOM_INTERNAL;
}

/* A statement returning one row, one column of JSON text: parsed into *out. */
static dom_status json_row(db_t *db, const char *name, json_t **out) {
    PGresult *r;
    *out = NULL;
    dom_status st = one_row(db, name, 0, NULL, &r);
    if (st != DOM_OK)
        return st;
    *out = PQgetisnull(r, 0, 0) ? json_object() : json_from_text(PQgetvalue(r, 0, 0));
    PQclear(r);
    return *out ? DOM_OK : DOM_INTERNAL;
}

dom_status hv_store_source_list(db_t *db, json_t **slugs) {
    return json_row(db, "hv_source_list", slugs);
}

dom_status hv_store_vocabulary(db_t *db, json_t **codes) {
    return json_row(db, "hv_vocabulary", codes);
}

static void fmt_id(char buf[24], int64_t v) {
    snprintf(buf, 24, "%" PRId64, v);
}

dom_status hv_store_run_start(db_t *db, int64_t source_id, int64_t *run_id) {
    char s[24];
    fmt_id(s, source_id);
    const char *params[] = {s};
    PGresult *r;
    dom_status st = one_row(db, "hv_run_start", 1, params, &r);
    if (st != DOM_OK)
        return st;
    *run_id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return DOM_OK;
}

dom_status hv_store_run_finish(db_t *db, int64_t source_id, int64_t run_id, const char *status,
                               const hv_run_figures *fig, const json_t *errors) {
    char ids[2][24], nums[11][24];
    fmt_id(ids[0], source_id);
    fmt_id(ids[1], run_id);
    const long v[11] = {fig->pages_fetched,
                        fig->pages_not_modified,
                        fig->pages_failed,
                        fig->records_seen,
                        fig->records_new,
                        fig->records_updated,
                        fig->records_unchanged,
                        fig->records_gone,
                        fig->records_failed,
                        fig->bytes_fetched,
                        0};
    for (int i = 0; i < 10; i++)
        snprintf(nums[i], sizeof nums[i], "%ld", v[i]);
    char *errs = json_dumps(errors, JSON_COMPACT);
    if (errs == NULL)
        return DOM_INTERNAL;
    const char *params[] = {ids[0],  ids[1],  status,  nums[0], nums[1], nums[2], nums[3],
                            nums[4], nums[5], nums[6], nums[7], nums[8], nums[9], errs};
    PGresult *r;
    dom_status st = dom_from_db(db_exec(db, "hv_run_finish", 14, params, &r));
    PQclear(r);
    free(errs);
    return st;
}

dom_status hv_store_mark_missed(db_t *db, int64_t source_id, int64_t run_id, long *gone) {
    char s[24], run[24];
    fmt_id(s, source_id);
    fmt_id(run, run_id);
    const char *params[] = {s, run};
    PGresult *r;
    dom_status st = one_row(db, "hv_mark_missed", 2, params, &r);
    if (st != DOM_OK)
        return st;
    *gone = strtol(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return DOM_OK;
}

static char *col_dup(const PGresult *r, int col) {
    return PQgetisnull(r, 0, col) ? NULL : strdup(PQgetvalue(r, 0, col));
}

void hv_cached_page_clear(hv_cached_page *page) {
    free(page->etag);
    free(page->last_modified);
    free(page->content_type);
    free(page->body);
    memset(page, 0, sizeof *page);
}

dom_status hv_store_page_get(db_t *db, int64_t source_id, const char *url, bool with_body,
                             hv_cached_page *out) {
    char s[24];
    fmt_id(s, source_id);
    const char *params[] = {s, url};
    PGresult *r;
    memset(out, 0, sizeof *out);
    dom_status st = one_row(db, with_body ? "hv_page_get" : "hv_page_validators", 2, params, &r);
    if (st != DOM_OK)
        return st;
    out->etag = col_dup(r, 0);
    out->last_modified = col_dup(r, 1);
    out->content_type = col_dup(r, 2);
    if (!with_body) {
        PQclear(r);
        return DOM_OK;
    }
    /* Text results carry bytea in hex ("\x…"); PQunescapeBytea gives the bytes back. */
    unsigned char *bytes = PQunescapeBytea((const unsigned char *)PQgetvalue(r, 0, 3), &out->len);
    if (bytes != NULL) {
        out->body = malloc(out->len + 1);
        if (out->body != NULL) {
            memcpy(out->body, bytes, out->len);
            out->body[out->len] = '\0';
        }
        PQfreemem(bytes);
    }
    PQclear(r);
    if (out->body == NULL) {
        hv_cached_page_clear(out);
        return DOM_INTERNAL;
    }
    return DOM_OK;
}

dom_status hv_store_page_put(db_t *db, int64_t source_id, const char *url, const char *etag,
                             const char *last_modified, const char *content_type,
                             const unsigned char *body, size_t len) {
    static const char hex[] = "0123456789abcdef";
    char s[24];
    fmt_id(s, source_id);
    /* bytea's hex input form; bodies are capped by the fetcher, so this is bounded too. */
    char *text = malloc(2 * len + 3);
    if (text == NULL)
        return DOM_INTERNAL;
    text[0] = '\\';
    text[1] = 'x';
    for (size_t i = 0; i < len; i++) {
        text[2 + 2 * i] = hex[body[i] >> 4];
        text[3 + 2 * i] = hex[body[i] & 15];
    }
    text[2 + 2 * len] = '\0';
    const char *params[] = {s, url, etag, last_modified, content_type, text};
    PGresult *r;
    dom_status st = dom_from_db(db_exec(db, "hv_page_put", 6, params, &r));
    PQclear(r);
    free(text);
    return st;
}

dom_status hv_store_record_seen(db_t *db, int64_t source_id, int64_t run_id,
                                const char *external_id, const json_t *raw, hv_seen *seen) {
    char s[24], run[24];
    fmt_id(s, source_id);
    fmt_id(run, run_id);
    char *text = json_dumps(raw, JSON_COMPACT | JSON_SORT_KEYS);
    if (text == NULL)
        return DOM_INTERNAL;
    const char *params[] = {s, run, external_id, text};
    PGresult *r;
    dom_status st = one_row(db, "hv_record_seen", 4, params, &r);
    free(text);
    if (st != DOM_OK)
        return st;
    const char *v = PQgetvalue(r, 0, 0);
    *seen = strcmp(v, "new") == 0       ? HV_SEEN_NEW
            : strcmp(v, "changed") == 0 ? HV_SEEN_CHANGED
                                        : HV_SEEN_UNCHANGED;
    PQclear(r);
    return DOM_OK;
}

dom_status hv_store_record_touch(db_t *db, int64_t source_id, int64_t run_id,
                                 const char *external_id) {
    char s[24], run[24];
    fmt_id(s, source_id);
    fmt_id(run, run_id);
    const char *params[] = {s, run, external_id};
    PGresult *r;
    dom_status st = dom_from_db(db_exec(db, "hv_record_touch", 3, params, &r));
    PQclear(r);
    return st;
}

dom_status hv_store_record_save(db_t *db, int64_t source_id, int64_t run_id,
                                const char *external_id, const char *url, const json_t *raw,
                                const json_t *norm, bool *merged) {
    char s[24], run[24];
    fmt_id(s, source_id);
    fmt_id(run, run_id);
    char *raw_text = json_dumps(raw, JSON_COMPACT | JSON_SORT_KEYS);
    char *norm_text = json_dumps(norm, JSON_COMPACT | JSON_SORT_KEYS);
    dom_status st = DOM_INTERNAL;
    PGresult *r = NULL;
    if (raw_text == NULL || norm_text == NULL)
        goto done;
    const char *params[] = {s, run, external_id, url, raw_text, norm_text};
    st = one_row(db, "hv_record_save", 6, params, &r);
    if (st == DOM_OK)
        *merged = strcmp(PQgetvalue(r, 0, 0), "merged") == 0;
done:
    PQclear(r);
    free(raw_text);
    free(norm_text);
    return st;
}

dom_status hv_store_jobs_schedule(db_t *db, long *queued) {
    PGresult *r;
    dom_status st = one_row(db, "hv_jobs_schedule", 0, NULL, &r);
    if (st != DOM_OK)
        return st;
    *queued = strtol(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return DOM_OK;
}

dom_status hv_store_job_take(db_t *db, const char *worker, int64_t *job_id, char **slug) {
    const char *params[] = {worker};
    PGresult *r;
    *slug = NULL;
    dom_status st = one_row(db, "hv_job_take", 1, params, &r);
    if (st != DOM_OK)
        return st;
    *job_id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    *slug = strdup(PQgetvalue(r, 0, 1));
    PQclear(r);
    return *slug ? DOM_OK : DOM_INTERNAL;
}

dom_status hv_store_job_finish(db_t *db, int64_t job_id, bool ok, int64_t run_id) {
    char j[24], run[24];
    fmt_id(j, job_id);
    fmt_id(run, run_id);
    const char *params[] = {j, ok ? "done" : "failed", run_id > 0 ? run : NULL};
    PGresult *r;
    dom_status st = dom_from_db(db_exec(db, "hv_job_finish", 3, params, &r));
    PQclear(r);
    return st;
}

dom_status hv_store_job_enqueue(db_t *db, const char *slug) {
    const char *params[] = {slug};
    PGresult *r;
    dom_status st = one_row(db, "hv_job_enqueue", 1, params, &r);
    if (st != DOM_OK)
        return st;
    st = strcmp(PQgetvalue(r, 0, 0), "0") == 0 ? DOM_NOT_FOUND : DOM_OK;
    PQclear(r);
    return st;
}

/* hv_store: what the harvester reads and writes in PostgreSQL.
 *
 * The record-level rules (change detection by hash, de-duplication across sources, who owns an
 * initiative's fields, marking records gone) are SQL functions of migration 011_harvest.sql, so
 * that each record is saved in one statement, atomically: a crash mid-run loses at most the record
 * in flight, and the next run redoes it. */
#ifndef SC_HV_STORE_H
#define SC_HV_STORE_H

#include <jansson.h>
#include <stdint.h>

#include "domain/status.h"
#include "storage/db.h"

/* NULL-name-terminated; registered with the connection by the program. */
extern const db_stmt_t hv_store_stmts[];

/* Creates or updates the source described by document (a validated source document, borrowed).
 * *id receives its id. When the document changes how records are normalised (its fields, maps or
 * classify), the source's records are marked to be normalised again by the next run, even those
 * whose raw fields do not change; *renormalise receives how many. homepage (borrowed) is the
 * document's homepage with its ${NAME} expanded (hv_source_homepage): the one shown to people. */
dom_status hv_store_source_put(db_t *db, const json_t *document, const char *homepage, int64_t *id,
                               long *renormalise) MUST_CHECK;

/* Finds a harvestable source by slug. On DOM_OK, *id is its id and *document a new string (the
 * stored document as JSON text) the caller frees. DOM_NOT_FOUND when there is none. */
dom_status hv_store_source_get(db_t *db, const char *slug, int64_t *id, char **document) MUST_CHECK;

/* The slugs of every enabled harvestable source, in order: a new JSON array. */
dom_status hv_store_source_list(db_t *db, json_t **slugs) MUST_CHECK;

/* {"theme": [codes], "subtheme": […], "actor_type": […], "public": […], "scale": […], "stage":
 * […], "subtheme_parent": {sub-theme code: its theme code}}: a new reference. */
dom_status hv_store_vocabulary(db_t *db, json_t **codes) MUST_CHECK;

dom_status hv_store_run_start(db_t *db, int64_t source_id, int64_t *run_id) MUST_CHECK;

typedef struct hv_run_figures {
    long pages_fetched, pages_not_modified, pages_failed;
    long records_seen, records_new, records_updated, records_unchanged, records_gone,
            records_failed;
    long bytes_fetched;
} hv_run_figures;

/* Records the run's end: status "succeeded", "partial" or "failed", figures, errors (a JSON array
 * of {"url", "reason"}, borrowed), and schedules the source's next run after its period. */
dom_status hv_store_run_finish(db_t *db, int64_t source_id, int64_t run_id, const char *status,
                               const hv_run_figures *fig, const json_t *errors) MUST_CHECK;

/* After a complete run: counts a missed run for every record not seen, marks gone those past the
 * source's limit, archives initiatives left without a live record. *gone: records newly gone. */
dom_status hv_store_mark_missed(db_t *db, int64_t source_id, int64_t run_id, long *gone) MUST_CHECK;

/* The cached answer for url. On DOM_OK the strings are new (caller frees; etag and last_modified
 * may be NULL) and, when with_body, body/len the stored bytes (caller frees with free()); without
 * it — the validators of a conditional request — body is NULL, so a page is not read from the
 * database twice (once to ask, once more on its 304). DOM_NOT_FOUND when nothing is cached. */
typedef struct hv_cached_page {
    char *etag, *last_modified, *content_type;
    unsigned char *body;
    size_t len;
} hv_cached_page;
dom_status hv_store_page_get(db_t *db, int64_t source_id, const char *url, bool with_body,
                             hv_cached_page *out) MUST_CHECK;
void hv_cached_page_clear(hv_cached_page *page);
dom_status hv_store_page_put(db_t *db, int64_t source_id, const char *url, const char *etag,
                             const char *last_modified, const char *content_type,
                             const unsigned char *body, size_t len) MUST_CHECK;

typedef enum hv_seen { HV_SEEN_NEW, HV_SEEN_CHANGED, HV_SEEN_UNCHANGED } hv_seen;

/* Step 1 of a record (raw: the fields as extracted, borrowed). */
dom_status hv_store_record_seen(db_t *db, int64_t source_id, int64_t run_id,
                                const char *external_id, const json_t *raw,
                                hv_seen *seen) MUST_CHECK;

/* A record whose detail page failed this run: kept as seen if it was known. */
dom_status hv_store_record_touch(db_t *db, int64_t source_id, int64_t run_id,
                                 const char *external_id) MUST_CHECK;

/* Step 2 of a new or changed record: norm is the normalised record (borrowed) with the geocoder's
 * "commune_code" and "geo_precision". *merged is true when it joined another source's initiative.
 */
dom_status hv_store_record_save(db_t *db, int64_t source_id, int64_t run_id,
                                const char *external_id, const char *url, const json_t *raw,
                                const json_t *norm, bool *merged) MUST_CHECK;

/* Jobs (daemon). Queues a job for every enabled source whose next run is due and that has no job
 * waiting or running. */
dom_status hv_store_jobs_schedule(db_t *db, long *queued) MUST_CHECK;
/* Takes the oldest due job, FOR UPDATE SKIP LOCKED. DOM_NOT_FOUND when there is none; otherwise
 * *job_id and *slug (new string, caller frees). */
dom_status hv_store_job_take(db_t *db, const char *worker, int64_t *job_id, char **slug) MUST_CHECK;
/* Queues a job for slug now ("run now" for the daemons). DOM_NOT_FOUND for an unknown slug. */
dom_status hv_store_job_enqueue(db_t *db, const char *slug) MUST_CHECK;
dom_status hv_store_job_finish(db_t *db, int64_t job_id, bool ok, int64_t run_id) MUST_CHECK;

#endif

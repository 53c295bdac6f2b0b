/* hv_run: one harvest of one source — fetch, extract, normalise, store — with its figures.
 *
 * The run is driven by the fetcher's completions: a list page yields items (and the next list
 * page), an item with a detail link yields a detail request, and a complete item becomes a record.
 * Each record is saved on its own (hv_store), so an interrupted run keeps what it saved and the
 * next run carries on. Records absent from a source are counted missed only when the run read
 * every list page: a failed list page must not make its records look gone. */
#ifndef SC_HV_RUN_H
#define SC_HV_RUN_H

#include <signal.h>
#include <stdio.h>

#include "harvest/source_doc.h"
#include "harvest/store.h"

#define HV_RUN_ERRORS_MAX 500   /* errors kept per run (the count goes on) */
#define HV_GEOCACHE_MAX   20000 /* places remembered: the same towns recur across records */

typedef struct hv_run_options {
    bool dry_run;           /* "test": extract and print, write nothing, no conditional requests,
                               one request at a time (records in the order of the lists) */
    long limit;             /* dry run: records to print, 0 for all */
    FILE *records_out;      /* dry run: one JSON record per line (borrowed) */
    FILE *progress;         /* one line per source at the end (borrowed), may be NULL */
    int delay_ms;           /* < 0: the source's own delay; tests and benchmarks set 0, allowed
                               for sources on this machine only (hv_run_delay_allowed) */
    int timeout_ms;         /* per request */
    int retry_base_ms;      /* back-off unit */
    const char *user_agent; /* borrowed */
    volatile sig_atomic_t *stop; /* set by a signal: queue nothing more, finish as "partial" */
    json_t *geocache; /* place text → commune code or null, shared by the runs of one process
                         (borrowed, may be NULL); at most HV_GEOCACHE_MAX entries */
} hv_run_options;

/* Harvests src (borrowed) whose row is source_id. On DOM_OK *fig holds the figures and *run_id
 * the harvest_run written (0 in a dry run). A source that cannot be read at all is still DOM_OK
 * with a "failed" run recorded; DOM_UNAVAILABLE/DOM_INTERNAL mean the database failed. */
dom_status hv_run_source(db_t *db, const hv_source *src, int64_t source_id,
                         const hv_run_options *opt, hv_run_figures *fig,
                         int64_t *run_id) MUST_CHECK;

/* The options of a real run from the environment: SC_HARVEST_DELAY_MS (overrides every source's
 * politeness delay), SC_HARVEST_TIMEOUT_MS, SC_HARVEST_RETRY_BASE_MS, SC_HARVEST_CONTACT (the URL
 * in the User-Agent, written into ua[ualen], which must outlive opt). Progress and records go to
 * stdout; opt->geocache is a new object the caller frees with json_decref. False, with a message
 * in err, when a variable is unusable. */
bool hv_run_options_env(hv_run_options *opt, char *ua, size_t ualen, volatile sig_atomic_t *stop,
                        char *err, size_t errlen) MUST_CHECK;

/* False when opt asks for no delay (SC_HARVEST_DELAY_MS=0) and src is not on this machine: no
 * pause between requests is for local sites only (hv_source_is_loopback). */
bool hv_run_delay_allowed(const hv_source *src, const hv_run_options *opt);

/* Loads the stored document of slug and runs it. Returns 0 when the run happened (even partial),
 * 1 when the source could not be read at all or is unknown, 3 on a database failure; *run_id is
 * the run written, or 0. Problems are written on stderr, prefixed by the slug. */
int hv_run_stored(db_t *db, const char *slug, const hv_run_options *opt, int64_t *run_id);

#endif

/* export: the initiatives of a search, or the whole catalogue, as CSV, GeoJSON or NDJSON files,
 * streamed from a PostgreSQL cursor read in batches (EXPORT_BATCH rows at a time), so that the
 * memory of the process stays flat whatever the number of rows.
 *
 * An export runs in one read-only REPEATABLE READ transaction of the caller's connection, opened
 * by export_open_* and ended by export_close: the count announced before the rows and the rows
 * themselves come from one snapshot. Nothing else may use the connection in between.
 *
 * The fields (docs/api.md, "Exports"): id, title, summary, url (the record's page on
 * SocialConnect), website, themes, theme_labels, subthemes, actor_name, actor_type,
 * actor_type_label, publics, scale, stage, start_year, commune/departement/region code and name,
 * longitude, latitude, geo_precision, updated_at, and the live records of the sources that
 * describe the initiative: source name, the record's URL on the source and the source's licence. */
#ifndef SC_EXPORT_H
#define SC_EXPORT_H

#include <stddef.h>

#include "core/common.h"
#include "domain/search.h"
#include "domain/status.h"
#include "storage/db.h"

#define EXPORT_SEARCH_MAX 50000 /* rows of a search export; the first ones beyond are left out */
#define EXPORT_BATCH      500   /* rows fetched from the cursor at a time (written in export.c) */

typedef enum export_format {
    EXPORT_CSV,
    EXPORT_GEOJSON,
    EXPORT_NDJSON,
} export_format;

typedef struct export_opts {
    export_format format;
    bool bom;               /* CSV: starts with a UTF-8 byte order mark (for Excel) */
    char sep;               /* CSV: ',' or ';' */
    const char *public_url; /* borrowed: "https://socialconnect.fr", the start of each row's url */
} export_opts_t;

/* Where the bytes go: returns false when they could not be written (the export then stops). */
typedef bool (*export_write_fn)(void *arg, const void *data, size_t n);

/* An open export: its transaction, its cursor and the first batch of rows. Opaque. */
typedef struct export_run export_run_t;

/* Opens the export of the first EXPORT_SEARCH_MAX matches of sq, in the order of the search, if one
 * of the `slots` export turns is free (a transaction-level advisory lock, released with the
 * transaction even if the process dies). On SEARCH_OK, *out is the open export (or NULL when every
 * turn is taken: *busy is set), *matches the number of matches up to EXPORT_SEARCH_MAX + 1 (more
 * than EXPORT_SEARCH_MAX: the export is cut). Other statuses as search_run; nothing is left open.
 * The caller owns *out and ends it with export_close. */
search_status export_open_search(db_t *db, const search_query_t *sq, int slots, export_run_t **out,
                                 bool *busy, long *matches, search_error_t *err) MUST_CHECK;

/* Opens the export of every published initiative, by id. The caller owns *out (export_close). */
dom_status export_open_catalogue(db_t *db, export_run_t **out) MUST_CHECK;

/* Writes the whole file: header, every row (at most `limit`, 0 for all), footer. *rows: the rows
 * written. matches (GeoJSON: written in its "socialconnect" member) is the count of the open
 * search, or -1. Returns DOM_OK, or the failure of PostgreSQL, or DOM_INTERNAL when write
 * failed. */
dom_status export_write(export_run_t *run, const export_opts_t *opts, long limit, long matches,
                        export_write_fn write, void *arg, long *rows) MUST_CHECK;

/* One file of export_write_each. */
typedef struct export_target {
    export_opts_t opts;
    export_write_fn write;
    void *arg;
} export_target_t;

/* As export_write, into n files at once from one read of the rows (one snapshot: the files hold
 * the same records). */
dom_status export_write_each(export_run_t *run, const export_target_t *targets, size_t n,
                             long limit, long matches, long *rows) MUST_CHECK;

/* Ends the transaction and frees run (NULL is allowed). */
void export_close(export_run_t *run);

/* The "name" of a format ("csv") → the format; false when it is none of them. */
bool export_format_parse(const char *name, export_format *out) MUST_CHECK;

/* The content type and file extension of a format. Static storage. */
const char *export_content_type(export_format f);
const char *export_extension(export_format f);

/* Writes the sources of the catalogue for a manifest: [{code, name, homepage, licence, records}],
 * every enabled source with live records. *out is the caller's. */
dom_status export_sources(db_t *db, json_t **out) MUST_CHECK;

#endif

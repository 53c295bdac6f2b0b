/* edits_common: what the modules of contributions, claims, revisions and moderation share —
 * reading one JSON answer built by PostgreSQL, and the outcomes of the SQL functions that
 * write (initiative_revise, contribution_review…: 'done', 'unchanged', 'conflict', 'gone'). */
#ifndef SC_EDITS_COMMON_H
#define SC_EDITS_COMMON_H

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>

#include "domain/status.h"
#include "storage/db.h"

#define EDITS_MAIL_MAX (16 * 1024) /* the body of one notice */

/* Writes the decimal text of an id into a char[24]. */
#define EDITS_ID(buf, v) snprintf(buf, sizeof buf, "%" PRId64, (int64_t)(v))

typedef enum edits_outcome {
    EDITS_DONE = 0,
    EDITS_UNCHANGED, /* nothing differed: no revision written */
    EDITS_CONFLICT,  /* stale version, or already decided */
    EDITS_GONE,      /* no such row */
} edits_outcome;

/* The outcome named by one of the SQL functions ("done", "unchanged", "conflict", anything else
 * is gone). */
edits_outcome edits_outcome_parse(const char *text);

/* Runs statement name, whose single row and column is a JSON text, into *out (new; caller
 * owns). DOM_NOT_FOUND when there is no row or the value is NULL. */
dom_status edits_json_row(db_t *db, const char *name, int nparams, const char *const *params,
                          json_t **out) MUST_CHECK;

#endif

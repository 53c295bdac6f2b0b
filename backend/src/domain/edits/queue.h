/* queue: the one moderation queue — pending proposals, corrections and claims, and fields a
 * source changed after the community did — oldest first, filtered by kind, theme, territory and
 * age, paged by keyset (docs/api.md, "Moderation"). */
#ifndef SC_QUEUE_H
#define SC_QUEUE_H

#include <jansson.h>
#include <stdint.h>

#include "domain/status.h"
#include "storage/db.h"

#define QUEUE_PAGE_MAX 100

extern const db_stmt_t queue_stmts[];

/* The filters; NULL or 0 members do not filter. Strings are borrowed. */
typedef struct queue_filter {
    const char *kind;            /* proposal, correction, claim, source_change (, report) */
    const char *theme;           /* a theme code */
    const char *territory_level; /* region, departement or commune… */
    const char *territory_code;  /* …and its code */
    int older_than_days;         /* only items waiting at least this long */
    const char *after;           /* the next_cursor of the previous page */
    int limit;
} queue_filter_t;

/* {"items": [QUEUE_ITEM…], "next_cursor"} (caller owns). */
dom_status queue_list(db_t *db, const queue_filter_t *f, json_t **out) MUST_CHECK;

/* Whether text is a cursor queue_list gave (the format is checked; the values may be stale). */
bool queue_cursor_valid(const char *text);

#endif

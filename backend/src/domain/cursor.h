/* cursor: opaque pagination cursors.
 *
 * Two kinds: a keyset position (created_at in microseconds, id) for lists in date order, which
 * stays correct while rows are added; and an offset for ranked search results, whose order has no
 * stable key. Both are encoded as base64url text that clients must treat as opaque. */
#ifndef SC_CURSOR_H
#define SC_CURSOR_H

#include <stdint.h>

#include "core/common.h"

#define CURSOR_TEXT_MAX   96
#define CURSOR_MAX_OFFSET 10000 /* ranked results are not paged deeper than this */

typedef enum cursor_kind {
    CURSOR_KEYSET = 1,
    CURSOR_OFFSET = 2,
} cursor_kind;

typedef struct cursor {
    cursor_kind kind;
    int64_t created_us; /* KEYSET: created_at as microseconds since the epoch */
    int64_t id;         /* KEYSET: id of the last row of the previous page (> 0) */
    int64_t offset;     /* OFFSET: rows to skip (1..CURSOR_MAX_OFFSET) */
} cursor_t;

/* Writes the text form of c into out (at least CURSOR_TEXT_MAX bytes). */
bool cursor_encode(const cursor_t *c, char *out, size_t outlen) MUST_CHECK;

/* Parses a cursor received from a client. False for anything this program did not produce. */
bool cursor_decode(const char *text, cursor_t *c) MUST_CHECK;

#endif

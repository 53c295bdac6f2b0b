/* cidx_format: the layout of a counting-index file (internal to backend/src/index).
 *
 *   header   (CIDX_HEADER_SIZE bytes, below)
 *   entries  (nentries x cidx_entry_t), sorted by (dim, key bytes): a dimension's values are
 *            contiguous and found by binary search
 *   keys     (NUL-terminated strings, referred to by key_off)
 *   bitmaps  (each CRoaring's frozen serialization, starting on a 32-byte boundary as
 *            roaring_bitmap_frozen_view requires)
 *
 * Numbers are in the host's byte order: the frozen format is the host's memory layout anyway, and
 * the file is built on the host that reads it (a reader refuses another order through the magic
 * number). The file is written whole under a temporary name and renamed over the old one, so a
 * reader maps either the old file or the new one, never a part. */
#ifndef SC_CIDX_FORMAT_H
#define SC_CIDX_FORMAT_H

#include <stdint.h>

#define CIDX_MAGIC       0x3158444943435353ull /* "SSCCIDX1" read as a little-endian number */
#define CIDX_VERSION     1u
#define CIDX_ALIGN       32u
#define CIDX_HEADER_SIZE 64u
#define CIDX_KEY_MAX     255u /* bytes of a key, NUL excluded: longer values are not indexed */

typedef struct cidx_header {
    uint64_t magic;
    uint32_t version;
    uint32_t nentries;
    uint64_t position; /* xmin of the build's snapshot */
    int64_t built_at;  /* unix seconds */
    uint64_t entries_off, keys_off, file_size;
    uint32_t max_id, reserved;
} cidx_header_t;

typedef struct cidx_entry {
    uint32_t dim;
    uint32_t key_off; /* from keys_off */
    uint64_t off;     /* of the bitmap, from the start of the file */
    uint64_t len;     /* its frozen size */
    uint64_t card;    /* its cardinality */
} cidx_entry_t;

_Static_assert(sizeof(cidx_header_t) <= CIDX_HEADER_SIZE, "header fits");
_Static_assert(sizeof(cidx_entry_t) == 32, "entries are packed");

#endif

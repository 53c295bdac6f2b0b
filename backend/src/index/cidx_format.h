/* cidx_format: the layout of a counting-index file (internal to backend/src/index).
 *
 *   header   (CIDX_HEADER_SIZE bytes, below)
 *   entries  (nentries x cidx_entry_t), sorted by (dim, key bytes): a dimension's values are
 *            contiguous and found by binary search
 *   keys     (NUL-terminated strings, referred to by key_off)
 *   bitmaps  (each CRoaring's frozen serialization, starting on a 32-byte boundary as
 *            roaring_bitmap_frozen_view requires)
 *   forward columns, for each counted dimension (CIDX_THEME..CIDX_DEPARTEMENT): the values of each
 *            id, as offsets (uint32, max_id + 2 of them) into value numbers (uint16: the value's
 *            rank among its dimension's entries). A table of two dimensions is counted in one pass
 *            over the matches with them: intersecting each row's bitmap with each column's costs
 *            far more when both are sparse (measured: 140 ms against a few for theme=ENV by
 *            actor type and start year at 1,000,000 initiatives)
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
#define CIDX_HEADER_SIZE 512u
#define CIDX_NFWD        10     /* dimensions with a forward column: CIDX_THEME..CIDX_DEPARTEMENT */
#define CIDX_FWD_VALUES  65535u /* a dimension with more values has no forward column */
#define CIDX_KEY_MAX     255u   /* bytes of a key, NUL excluded: longer values are not indexed */

typedef struct cidx_header {
    uint64_t magic;
    uint32_t version;
    uint32_t nentries;
    uint64_t position; /* xmin of the build's snapshot */
    int64_t built_at;  /* unix seconds */
    uint64_t entries_off, keys_off, file_size;
    uint32_t max_id, reserved;
    /* Forward columns: offsets at fwd_off (0: none), values at fwd_vals_off, fwd_nvals of them. */
    uint64_t fwd_off[CIDX_NFWD], fwd_vals_off[CIDX_NFWD], fwd_nvals[CIDX_NFWD];
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

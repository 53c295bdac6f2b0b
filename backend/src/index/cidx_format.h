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
 *   orders, for each order of the search's pages (cidx_order): the published ids in that order
 *            (uint32, order_n of them) and each id's position in it (uint32, max_id + 1 of them,
 *            CIDX_NO_RANK for an id that is not published); for the newest-first order also the
 *            creation time at each position (int64 microseconds), where a keyset cursor is placed
 *   points   each id's longitude and latitude (two doubles, max_id + 1 pairs; NaN without a
 *            point), which a box or a radius is tested on
 *
 * Numbers are in the host's byte order: the frozen format is the host's memory layout anyway, and
 * the file is built on the host that reads it (a reader refuses another order through the magic
 * number). The file is written whole under a temporary name and renamed over the old one, so a
 * reader maps either the old file or the new one, never a part. */
#ifndef SC_CIDX_FORMAT_H
#define SC_CIDX_FORMAT_H

#include <stdbool.h>
#include <stdint.h>

#define CIDX_MAGIC       0x3158444943435353ull /* "SSCCIDX1" read as a little-endian number */
#define CIDX_VERSION     2u
#define CIDX_ALIGN       32u
#define CIDX_HEADER_SIZE 512u
#define CIDX_NFWD        10     /* dimensions with a forward column: CIDX_THEME..CIDX_DEPARTEMENT */
#define CIDX_FWD_VALUES  65535u /* a dimension with more values has no forward column */
#define CIDX_NORDERS_MAX 2      /* orders of the header (cidx_order) */

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
    /* Orders: ids at order_off (0: none), positions at rank_off, order_n ids. */
    uint64_t order_off[CIDX_NORDERS_MAX], rank_off[CIDX_NORDERS_MAX], order_n[CIDX_NORDERS_MAX];
    uint64_t recent_keys_off; /* creation times of the newest-first order's positions (0: none) */
    uint64_t points_off;      /* (longitude, latitude) of ids 0..max_id (0: none) */
} cidx_header_t;

typedef struct cidx_entry {
    uint32_t dim;
    uint32_t key_off; /* from keys_off */
    uint64_t off;     /* of the bitmap, from the start of the file */
    uint64_t len;     /* its frozen size */
    uint64_t card;    /* its cardinality */
} cidx_entry_t;

_Static_assert(sizeof(cidx_header_t) <= CIDX_HEADER_SIZE, "header fits");

/* The arrays of order o of a mapped file (cidx_map.c), for cidx_order.c: false when the file has
 * none. keys is NULL for an order without creation times. Owned by ix. */
struct cidx;
bool cidx_order_arrays(const struct cidx *ix, int o, const uint32_t **ids, const uint32_t **rank,
                       uint32_t *n, uint32_t *max_id, const int64_t **keys);
_Static_assert(sizeof(cidx_entry_t) == 32, "entries are packed");

#endif

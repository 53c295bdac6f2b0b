/* cidx_write: builds a counting-index file (cidx.h) in memory, then writes it atomically.
 *
 * Ids are added value by value in any order (in increasing order is fastest). The writer holds
 * one bitmap per (dimension, value) until cidx_writer_finish; at 1,000,000 initiatives that is a
 * few hundred MB at most (docs/architecture.md, "Counting index"). */
#ifndef SC_CIDX_WRITE_H
#define SC_CIDX_WRITE_H

#include <stdint.h>

#include "index/cidx.h"

typedef struct cidx_writer cidx_writer_t;

/* NULL when out of memory. */
cidx_writer_t *cidx_writer_new(void);
void cidx_writer_free(cidx_writer_t *w);

/* Adds id to the bitmap of value key (len bytes, need not be NUL-terminated) of dim. An empty key
 * or one longer than CIDX_KEY_MAX is skipped (true). False when out of memory. */
bool cidx_writer_add(cidx_writer_t *w, cidx_dim dim, const char *key, size_t len,
                     uint32_t id) MUST_CHECK;

/* Adds id to each value of a list of keys separated by sep (an empty list adds nothing). */
bool cidx_writer_add_list(cidx_writer_t *w, cidx_dim dim, const char *list, char sep,
                          uint32_t id) MUST_CHECK;

/* Gives the writer order o: the n ids in that order (each added to some bitmap before
 * cidx_writer_finish, and once only: else the file is written without that order), and for
 * CIDX_ORDER_RECENT the creation time of each (keys, microseconds; NULL otherwise). The writer
 * takes ids and keys (malloc'd; freed with it); an order given twice replaces the first. */
void cidx_writer_set_order(cidx_writer_t *w, cidx_order o, uint32_t *ids, uint32_t n,
                           int64_t *keys);

/* Gives the writer the points: lonlat holds n (longitude, latitude) pairs, of ids 0..n-1 (NaN
 * for none); ids above max_id are not written. The writer takes lonlat (malloc'd). */
void cidx_writer_set_points(cidx_writer_t *w, double *lonlat, uint32_t n);

/* Compresses the bitmaps and writes the file to path (through path.tmp, fsync and rename),
 * recording position. *bytes receives the file's size. The writer is spent afterwards. */
cidx_status cidx_writer_finish(cidx_writer_t *w, const char *path, uint64_t position,
                               uint64_t *bytes) MUST_CHECK;

/* The number of (dimension, value) bitmaps held. */
size_t cidx_writer_count(const cidx_writer_t *w);

#endif

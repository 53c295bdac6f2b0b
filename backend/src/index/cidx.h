/* cidx: the counting index — compressed bitmaps (CRoaring) of the published initiatives, one per
 * value of each counted dimension and one per word, in one file that every API worker maps
 * read-only (docs/architecture.md, "Counting index").
 *
 * A bitmap's positions are initiative ids. The file is built off-line by the job runner
 * (jobs/job_index.c) from PostgreSQL, which stays the source of truth; it records the change-log
 * position it was built at (the xmin of the build's snapshot), so that a reader can take the
 * initiatives changed since then from initiative_change, leave them out of the bitmaps' counts and
 * count them in SQL instead.
 *
 * This header is the reader's side: open and map a file, find bitmaps, evaluate a filter, count.
 * cidx_write.h is the writer's. Not thread-safe: one cidx_t per process (API workers are
 * processes). */
#ifndef SC_CIDX_H
#define SC_CIDX_H

#include <roaring/roaring.h>
#include <stdint.h>

#include "core/common.h"

/* The dimensions of the file. 0..CIDX_DEPARTEMENT are the dimensions of the statistics
 * (domain/stats.h: the search's filter kinds, then start year, région, département), in that
 * order; the others only filter. */
typedef enum cidx_dim {
    CIDX_THEME,
    CIDX_SUBTHEME,
    CIDX_ACTOR_TYPE,
    CIDX_PUBLIC,
    CIDX_SCALE,
    CIDX_STAGE,
    CIDX_SOURCE,
    CIDX_START_YEAR,
    CIDX_REGION,
    CIDX_DEPARTEMENT,
    CIDX_ARRONDISSEMENT,
    CIDX_COMMUNE,
    CIDX_WORD,         /* the lexemes of initiative.tsv */
    CIDX_WORD_TITLE,   /* those of weight A: the title's */
    CIDX_WORD_SUMMARY, /* those of weight B: the summary's and the actor's name */
    CIDX_META,         /* "published" (every bitmap is within it), "located" (has a point) */
    CIDX_NDIMS,
} cidx_dim;

/* The orders of the search's pages that the file holds (search/indexed.c). */
typedef enum cidx_order {
    CIDX_ORDER_RECENT, /* created_at DESC, id DESC */
    CIDX_ORDER_NAME,   /* sc_normalize(title), id: PostgreSQL's collation */
    CIDX_NORDERS,
} cidx_order;

/* Bytes of a key (a value, a lexeme), NUL excluded: longer ones are not indexed. */
#define CIDX_KEY_MAX 255u

/* The position of an id that is in no order (not published). */
#define CIDX_NO_RANK UINT32_MAX

typedef enum cidx_status {
    CIDX_OK = 0,
    CIDX_MISSING,     /* no file at the path */
    CIDX_CORRUPT,     /* not a file of this format and version, or truncated */
    CIDX_UNSUPPORTED, /* the expression cannot be evaluated here (phrases, prefixes, weights) */
    CIDX_NO_MEMORY,
    CIDX_IO, /* a system call failed (errno tells why) */
} cidx_status;

const char *cidx_status_text(cidx_status st);

/* A mapped file. Opaque. */
typedef struct cidx cidx_t;

/* Maps the file at path read-only. On CIDX_OK *out is for cidx_close. */
cidx_status cidx_open(const char *path, cidx_t **out) MUST_CHECK;
void cidx_close(cidx_t *ix);

/* The index of this process for the path SC_INDEX_FILE (default var/index/counts.cidx): opened on
 * first use, and replaced when the file at the path changed (checked with stat at most once a
 * second). NULL when there is none (logged once per change of state). Owned by the module: valid
 * until the next call. */
cidx_t *cidx_current(void);

/* Frees a bitmap made by this module or by CRoaring; NULL is allowed (CRoaring's own
 * roaring_bitmap_free is not NULL-safe in Debian's 0.2.66). */
void cidx_bitmap_free(const roaring_bitmap_t *b);

/* The change-log position of the build: initiatives changed in a transaction whose id is at or
 * above it may differ from the file. */
uint64_t cidx_position(const cidx_t *ix);
/* Unix time of the build. */
int64_t cidx_built_at(const cidx_t *ix);

/* The bitmap of value key of dimension dim, NULL when the file has none (no initiative holds it).
 * Owned by ix (a view into the mapping). */
const roaring_bitmap_t *cidx_get(cidx_t *ix, cidx_dim dim, const char *key);

/* The values of a dimension: *n entries, read with cidx_entry_key / cidx_entry_bitmap for
 * first..first+n-1, in the byte order of their keys. */
void cidx_dim_range(const cidx_t *ix, cidx_dim dim, uint32_t *first, uint32_t *n);
const char *cidx_entry_key(const cidx_t *ix, uint32_t e);
/* NULL when out of memory or the bitmap is damaged. */
const roaring_bitmap_t *cidx_entry_bitmap(cidx_t *ix, uint32_t e);

/* The forward column of dim (a dimension of the statistics): the values of id are the value
 * numbers vals[offs[id]..offs[id+1]) for id <= *max_id, a value number being the rank of the value
 * in cidx_dim_range. False when the file has none for dim. Owned by ix. */
bool cidx_fwd(const cidx_t *ix, cidx_dim dim, const uint32_t **offs, const uint16_t **vals,
              uint32_t *max_id);

/* The union of the bitmaps of keys of dim (n >= 1). A new bitmap for the caller to free; NULL when
 * out of memory. */
roaring_bitmap_t *cidx_any(cidx_t *ix, cidx_dim dim, const char *const *keys, size_t n);

/* The initiatives whose start year is from..to (0: open end). A new bitmap, NULL when out of
 * memory. */
roaring_bitmap_t *cidx_years(cidx_t *ix, int from, int to);

/* Whether the file holds order o (files are written with both; false for a file without
 * published initiatives). */
bool cidx_has_order(const cidx_t *ix, cidx_order o);

/* The first position of the newest-first order that comes after a keyset cursor (created_us,
 * id): the first whose (creation time, id) is below the cursor's. */
uint32_t cidx_recent_after(const cidx_t *ix, int64_t created_us, uint32_t id);

/* The most ids cidx_top gives or skips in one call. */
#define CIDX_TOP_MAX 20000u

/* The ids of matches in order o, from position `from` on: `skip` of them passed over, then up to
 * `want` written to out (the caller's, want of them). Returns how many were written. Reads the
 * order front to back when the matches are dense, else the matches with a bounded heap on their
 * positions. skip + want must be at most CIDX_TOP_MAX (else 0 is returned). */
size_t cidx_top(const cidx_t *ix, const roaring_bitmap_t *matches, cidx_order o, uint32_t from,
                size_t skip, size_t want, uint32_t *out);

/* Each id's point: lonlat[2 * id] and lonlat[2 * id + 1] (degrees; NaN for none) for id <=
 * *max_id. False when the file has no points. Owned by ix. */
bool cidx_points(const cidx_t *ix, const double **lonlat, uint32_t *max_id);

/* Evaluates a tsquery in its text form as PostgreSQL writes it ('jardin' & !'compost' |
 * ( 'a' & 'b' )) over the word bitmaps, within the published ones. Phrases (<->, <N>), prefixes
 * and weights (:*, :AB) are CIDX_UNSUPPORTED, as is an empty query; on CIDX_OK *out is a new
 * bitmap for the caller. */
cidx_status cidx_tsquery(cidx_t *ix, const char *tsq, roaring_bitmap_t **out) MUST_CHECK;

/* The same over the lexemes of one weight (dim: CIDX_WORD_TITLE or CIDX_WORD_SUMMARY): what
 * sc_tsquery_title and sc_tsquery_summary match. A `!word` there means "not in that part". */
cidx_status cidx_tsquery_in(cidx_t *ix, cidx_dim dim, const char *tsq,
                            roaring_bitmap_t **out) MUST_CHECK;

/* Called for each value of a dimension with a count above zero (code: the value's key,
 * borrowed for the call). Return false to stop (out of memory). */
typedef bool (*cidx_count_fn)(void *arg, const char *code, const char *code2, uint64_t n);

/* The count of each value of dim within matches. False when out of memory or fn stopped. */
bool cidx_count_1d(cidx_t *ix, const roaring_bitmap_t *matches, cidx_dim dim, cidx_count_fn fn,
                   void *arg) MUST_CHECK;

/* The count of each pair of values (a of da, b of db) within matches, pairs above zero only. */
bool cidx_count_2d(cidx_t *ix, const roaring_bitmap_t *matches, cidx_dim da, cidx_dim db,
                   cidx_count_fn fn, void *arg) MUST_CHECK;

#endif

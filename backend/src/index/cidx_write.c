#include "index/cidx_write.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "index/cidx_format.h"

/* Every distinct (dim, key): a bitmap being filled. */
typedef struct wentry {
    uint32_t dim;
    char *key; /* owned */
    roaring_bitmap_t *bm;
} wentry_t;

/* Open addressing over entries: slots hold an entry's index + 1 (0: empty). */
struct cidx_writer {
    wentry_t *e;
    size_t n, cap;
    uint32_t *slots;
    size_t nslots; /* a power of two, at least twice n */
    uint32_t max_id;
    struct {
        uint32_t *ids; /* owned */
        uint32_t n;
        int64_t *keys; /* owned, or NULL */
    } orders[CIDX_NORDERS];
    double *lonlat; /* owned, or NULL: 2 * npoints */
    uint32_t npoints;
};

/* Caps what the writer accepts: far above the values of a catalogue (words included). */
#define WRITER_ENTRIES_MAX (1u << 24)

static uint64_t key_hash(uint32_t dim, const char *key, size_t len) {
    uint64_t h = 1469598103934665603ull ^ dim;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)key[i];
        h *= 1099511628211ull;
    }
    return h;
}

cidx_writer_t *cidx_writer_new(void) {
    cidx_writer_t *w = calloc(1, sizeof *w);
    if (w == NULL)
        return NULL;
    w->nslots = 1024;
    w->slots = calloc(w->nslots, sizeof *w->slots);
    if (w->slots == NULL) {
        free(w);
        return NULL;
    }
    return w;
}

void cidx_writer_free(cidx_writer_t *w) {
    if (w == NULL)
        return;
    for (size_t i = 0; i < w->n; i++) {
        free(w->e[i].key);
        cidx_bitmap_free(w->e[i].bm);
    }
    for (int o = 0; o < CIDX_NORDERS; o++) {
        free(w->orders[o].ids);
        free(w->orders[o].keys);
    }
    free(w->lonlat);
    free(w->e);
    free(w->slots);
    free(w);
}

void cidx_writer_set_points(cidx_writer_t *w, double *lonlat, uint32_t n) {
    free(w->lonlat);
    w->lonlat = lonlat;
    w->npoints = n;
}

void cidx_writer_set_order(cidx_writer_t *w, cidx_order o, uint32_t *ids, uint32_t n,
                           int64_t *keys) {
    free(w->orders[o].ids);
    free(w->orders[o].keys);
    w->orders[o].ids = ids;
    w->orders[o].n = n;
    w->orders[o].keys = keys;
}

/* The position of each id in order o (max_id + 1 of them, CIDX_NO_RANK elsewhere); NULL when out
 * of memory or when an id of the order is above max_id. */
static uint32_t *ranks_of(const cidx_writer_t *w, int o) {
    size_t nid = (size_t)w->max_id + 1;
    uint32_t *rank = malloc(nid * sizeof *rank);
    if (rank == NULL)
        return NULL;
    for (size_t i = 0; i < nid; i++)
        rank[i] = CIDX_NO_RANK;
    for (uint32_t p = 0; p < w->orders[o].n; p++) {
        uint32_t id = w->orders[o].ids[p];
        if (id > w->max_id || rank[id] != CIDX_NO_RANK) {
            free(rank);
            return NULL;
        }
        rank[id] = p;
    }
    return rank;
}

size_t cidx_writer_count(const cidx_writer_t *w) {
    return w->n;
}

/* Doubles the slots and places every entry again. */
static bool rehash(cidx_writer_t *w) {
    size_t ns = w->nslots * 2;
    uint32_t *s = calloc(ns, sizeof *s);
    if (s == NULL)
        return false;
    for (size_t i = 0; i < w->n; i++) {
        size_t h = key_hash(w->e[i].dim, w->e[i].key, strlen(w->e[i].key)) & (ns - 1);
        while (s[h])
            h = (h + 1) & (ns - 1);
        s[h] = (uint32_t)i + 1;
    }
    free(w->slots);
    w->slots = s;
    w->nslots = ns;
    return true;
}

/* The entry of (dim, key), created when new; NULL when out of memory or too many. */
static wentry_t *entry_of(cidx_writer_t *w, uint32_t dim, const char *key, size_t len) {
    size_t h = key_hash(dim, key, len) & (w->nslots - 1);
    while (w->slots[h]) {
        wentry_t *e = &w->e[w->slots[h] - 1];
        if (e->dim == dim && strncmp(e->key, key, len) == 0 && e->key[len] == '\0')
            return e;
        h = (h + 1) & (w->nslots - 1);
    }
    if (w->n >= WRITER_ENTRIES_MAX)
        return NULL;
    if (w->n == w->cap) {
        size_t nc = w->cap ? w->cap * 2 : 256;
        wentry_t *ne = realloc(w->e, nc * sizeof *ne);
        if (ne == NULL)
            return NULL;
        w->e = ne;
        w->cap = nc;
    }
    wentry_t *e = &w->e[w->n];
    e->dim = dim;
    e->key = strndup(key, len);
    e->bm = roaring_bitmap_create();
    if (e->key == NULL || e->bm == NULL) {
        free(e->key);
        cidx_bitmap_free(e->bm);
        return NULL;
    }
    w->slots[h] = (uint32_t)++w->n;
    if (w->n * 2 > w->nslots && !rehash(w))
        return NULL; /* the entry stays, and is found by the next rehash */
    return e;
}

bool cidx_writer_add(cidx_writer_t *w, cidx_dim dim, const char *key, size_t len, uint32_t id) {
    if (len == 0 || len > CIDX_KEY_MAX || memchr(key, '\0', len))
        return true;
    wentry_t *e = entry_of(w, (uint32_t)dim, key, len);
    if (e == NULL)
        return false;
    roaring_bitmap_add(e->bm, id);
    if (id > w->max_id)
        w->max_id = id;
    return true;
}

bool cidx_writer_add_list(cidx_writer_t *w, cidx_dim dim, const char *list, char sep, uint32_t id) {
    const char *p = list;
    while (*p) {
        const char *end = strchr(p, sep);
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (!cidx_writer_add(w, dim, p, len, id))
            return false;
        p += len;
        if (*p)
            p++;
    }
    return true;
}

/* A forward column being made (fwd_build). */
typedef struct fwd_fill {
    uint32_t *pos;  /* next free slot of each id; counts on the first pass */
    uint16_t *vals; /* NULL on the first pass */
    uint16_t v;
} fwd_fill_t;

static bool fwd_visit(uint32_t id, void *arg) {
    fwd_fill_t *f = arg;
    if (f->vals)
        f->vals[f->pos[id]++] = f->v;
    else
        f->pos[id + 1]++;
    return true;
}

/* The forward column of the sorted entries e[first..first+n): *offs (max_id + 2) and *vals (owned
 * by the caller), *nvals of them. */
static bool fwd_build(const cidx_writer_t *w, size_t first, size_t n, uint32_t **offs,
                      uint16_t **vals, uint64_t *nvals) {
    size_t nid = (size_t)w->max_id + 2;
    uint32_t *pos = calloc(nid, sizeof *pos);
    *offs = calloc(nid, sizeof **offs);
    *vals = NULL;
    if (pos == NULL || *offs == NULL)
        goto fail;
    fwd_fill_t f = {pos, NULL, 0};
    for (size_t i = 0; i < n; i++)
        roaring_iterate(w->e[first + i].bm, fwd_visit, &f);
    for (size_t id = 1; id < nid; id++)
        pos[id] += pos[id - 1];
    *nvals = pos[nid - 1];
    memcpy(*offs, pos, nid * sizeof *pos);
    *vals = malloc(*nvals ? *nvals * sizeof **vals : 1);
    if (*vals == NULL)
        goto fail;
    f.vals = *vals;
    for (size_t i = 0; i < n; i++) {
        f.v = (uint16_t)i;
        roaring_iterate(w->e[first + i].bm, fwd_visit, &f);
    }
    free(pos);
    return true;
fail:
    free(pos);
    free(*offs);
    free(*vals);
    *offs = NULL;
    *vals = NULL;
    return false;
}

static int entry_cmp(const void *a, const void *b) {
    const wentry_t *x = a, *y = b;
    if (x->dim != y->dim)
        return x->dim < y->dim ? -1 : 1;
    return strcmp(x->key, y->key);
}

static uint64_t align_up(uint64_t n) {
    return (n + CIDX_ALIGN - 1) & ~(uint64_t)(CIDX_ALIGN - 1);
}

/* Writes n bytes at the current position. */
static bool write_all(int fd, const void *p, size_t n) {
    const char *c = p;
    while (n > 0) {
        ssize_t k = write(fd, c, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return false;
        c += k;
        n -= (size_t)k;
    }
    return true;
}

static bool write_zeros(int fd, size_t n) {
    static const char zeros[CIDX_ALIGN];
    return write_all(fd, zeros, n);
}

cidx_status cidx_writer_finish(cidx_writer_t *w, const char *path, uint64_t position,
                               uint64_t *bytes) {
    cidx_status st = CIDX_IO;
    cidx_entry_t *dir = NULL;
    uint32_t *offs[CIDX_NFWD] = {0};
    uint16_t *vals[CIDX_NFWD] = {0};
    uint32_t *ranks[CIDX_NORDERS] = {0};
    char *frozen = NULL, tmp[4096];
    size_t frozen_cap = 0;
    int fd = -1;
    *bytes = 0;
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp", path) >= sizeof tmp) {
        errno = ENAMETOOLONG;
        return CIDX_IO;
    }
    /* Sorted, so that a dimension's values are contiguous and found by binary search; the slots
     * are stale from here on. */
    qsort(w->e, w->n, sizeof *w->e, entry_cmp);
    dir = calloc(w->n ? w->n : 1, sizeof *dir);
    if (dir == NULL) {
        st = CIDX_NO_MEMORY;
        goto done;
    }
    uint64_t keys_len = 0;
    for (size_t i = 0; i < w->n; i++) {
        /* Runs compress the dense bitmaps (published, a large région) best. */
        roaring_bitmap_run_optimize(w->e[i].bm);
        roaring_bitmap_shrink_to_fit(w->e[i].bm);
        dir[i].dim = w->e[i].dim;
        dir[i].key_off = (uint32_t)keys_len;
        dir[i].len = roaring_bitmap_frozen_size_in_bytes(w->e[i].bm);
        dir[i].card = roaring_bitmap_get_cardinality(w->e[i].bm);
        keys_len += strlen(w->e[i].key) + 1;
    }
    cidx_header_t h = {.magic = CIDX_MAGIC,
                       .version = CIDX_VERSION,
                       .nentries = (uint32_t)w->n,
                       .position = position,
                       .built_at = (int64_t)time(NULL),
                       .entries_off = CIDX_HEADER_SIZE,
                       .max_id = w->max_id};
    h.keys_off = h.entries_off + w->n * sizeof *dir;
    uint64_t off = align_up(h.keys_off + keys_len);
    for (size_t i = 0; i < w->n; i++) {
        dir[i].off = off;
        off = align_up(off + dir[i].len);
    }
    /* The forward columns after the bitmaps. */
    for (size_t d = 0, first = 0; d < CIDX_NFWD; d++) {
        size_t n = 0;
        while (first < w->n && w->e[first].dim < d)
            first++;
        while (first + n < w->n && w->e[first + n].dim == d)
            n++;
        if (n == 0 || n > CIDX_FWD_VALUES) {
            first += n;
            continue;
        }
        if (!fwd_build(w, first, n, &offs[d], &vals[d], &h.fwd_nvals[d])) {
            st = CIDX_NO_MEMORY;
            goto done;
        }
        first += n;
        h.fwd_off[d] = off;
        off = align_up(off + ((uint64_t)w->max_id + 2) * sizeof(uint32_t));
        h.fwd_vals_off[d] = off;
        off = align_up(off + h.fwd_nvals[d] * sizeof(uint16_t));
    }
    /* The orders after the forward columns: an order whose ids do not hold together (one
     * twice, or not published) is left out, and the search pages in SQL. */
    for (int o = 0; o < CIDX_NORDERS; o++) {
        if (w->orders[o].ids == NULL || w->n == 0)
            continue;
        ranks[o] = ranks_of(w, o);
        if (ranks[o] == NULL)
            continue;
        h.order_n[o] = w->orders[o].n;
        h.order_off[o] = off;
        off = align_up(off + (uint64_t)w->orders[o].n * sizeof(uint32_t));
        h.rank_off[o] = off;
        off = align_up(off + ((uint64_t)w->max_id + 1) * sizeof(uint32_t));
    }
    if (ranks[CIDX_ORDER_RECENT] && w->orders[CIDX_ORDER_RECENT].keys) {
        h.recent_keys_off = off;
        off = align_up(off + (uint64_t)w->orders[CIDX_ORDER_RECENT].n * sizeof(int64_t));
    }
    /* The points last: max_id + 1 pairs, NaN where the writer was given none. */
    if (w->lonlat && w->n > 0) {
        h.points_off = off;
        off = align_up(off + ((uint64_t)w->max_id + 1) * 2 * sizeof(double));
    }
    h.file_size = off;

    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        goto done;
    char head[CIDX_HEADER_SIZE] = {0};
    memcpy(head, &h, sizeof h);
    if (!write_all(fd, head, sizeof head) || !write_all(fd, dir, w->n * sizeof *dir))
        goto done;
    for (size_t i = 0; i < w->n; i++)
        if (!write_all(fd, w->e[i].key, strlen(w->e[i].key) + 1))
            goto done;
    uint64_t at = h.keys_off + keys_len;
    for (size_t i = 0; i < w->n; i++) {
        if (!write_zeros(fd, (size_t)(dir[i].off - at)))
            goto done;
        if (dir[i].len > frozen_cap) {
            free(frozen);
            frozen_cap = (size_t)dir[i].len * 2;
            /* frozen_serialize wants 32-byte alignment of its buffer too. */
            if (posix_memalign((void **)&frozen, CIDX_ALIGN, frozen_cap) != 0) {
                frozen = NULL;
                st = CIDX_NO_MEMORY;
                goto done;
            }
        }
        roaring_bitmap_frozen_serialize(w->e[i].bm, frozen);
        if (!write_all(fd, frozen, (size_t)dir[i].len))
            goto done;
        at = dir[i].off + dir[i].len;
    }
    for (size_t d = 0; d < CIDX_NFWD; d++) {
        if (offs[d] == NULL)
            continue;
        size_t olen = ((size_t)w->max_id + 2) * sizeof(uint32_t);
        size_t vlen = (size_t)h.fwd_nvals[d] * sizeof(uint16_t);
        if (!write_zeros(fd, (size_t)(h.fwd_off[d] - at)) || !write_all(fd, offs[d], olen) ||
            !write_zeros(fd, (size_t)(h.fwd_vals_off[d] - (h.fwd_off[d] + olen))) ||
            !write_all(fd, vals[d], vlen))
            goto done;
        at = h.fwd_vals_off[d] + vlen;
    }
    for (int o = 0; o < CIDX_NORDERS; o++) {
        if (ranks[o] == NULL)
            continue;
        size_t olen = (size_t)w->orders[o].n * sizeof(uint32_t);
        size_t rlen = ((size_t)w->max_id + 1) * sizeof(uint32_t);
        if (!write_zeros(fd, (size_t)(h.order_off[o] - at)) ||
            !write_all(fd, w->orders[o].ids, olen) ||
            !write_zeros(fd, (size_t)(h.rank_off[o] - (h.order_off[o] + olen))) ||
            !write_all(fd, ranks[o], rlen))
            goto done;
        at = h.rank_off[o] + rlen;
    }
    if (h.recent_keys_off) {
        size_t klen = (size_t)w->orders[CIDX_ORDER_RECENT].n * sizeof(int64_t);
        if (!write_zeros(fd, (size_t)(h.recent_keys_off - at)) ||
            !write_all(fd, w->orders[CIDX_ORDER_RECENT].keys, klen))
            goto done;
        at = h.recent_keys_off + klen;
    }
    if (h.points_off) {
        if (!write_zeros(fd, (size_t)(h.points_off - at)))
            goto done;
        double chunk[2 * 1024];
        for (uint64_t id = 0; id <= w->max_id;) {
            size_t k = 0;
            for (; k < 1024 && id <= w->max_id; k++, id++) {
                bool have = id < w->npoints;
                chunk[2 * k] = have ? w->lonlat[2 * id] : NAN;
                chunk[2 * k + 1] = have ? w->lonlat[2 * id + 1] : NAN;
            }
            if (!write_all(fd, chunk, k * 2 * sizeof(double)))
                goto done;
        }
        at = h.points_off + ((uint64_t)w->max_id + 1) * 2 * sizeof(double);
    }
    if (!write_zeros(fd, (size_t)(h.file_size - at)) || fsync(fd) != 0)
        goto done;
    if (close(fd) != 0) {
        fd = -1;
        goto done;
    }
    fd = -1;
    if (rename(tmp, path) != 0)
        goto done;
    *bytes = h.file_size;
    st = CIDX_OK;
done:
    for (size_t d = 0; d < CIDX_NFWD; d++) {
        free(offs[d]);
        free(vals[d]);
    }
    for (int o = 0; o < CIDX_NORDERS; o++)
        free(ranks[o]);
    if (fd >= 0)
        close(fd);
    if (st != CIDX_OK) {
        int e = errno;
        unlink(tmp);
        errno = e;
    }
    free(frozen);
    free(dir);
    return st;
}

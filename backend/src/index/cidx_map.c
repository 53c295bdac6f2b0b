#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/log.h"
#include "index/cidx.h"
#include "index/cidx_format.h"

struct cidx {
    const char *base; /* the mapping, read-only */
    size_t size;
    const cidx_header_t *h;
    const cidx_entry_t *dir;
    const char *keys;
    uint64_t keys_len;
    /* The views of the bitmaps, made on first use: a view costs an allocation of its container
     * table, not a copy of the bitmap. */
    const roaring_bitmap_t **views;
    uint32_t dim_first[CIDX_NDIMS], dim_n[CIDX_NDIMS];
};

const char *cidx_status_text(cidx_status st) {
    switch (st) {
    case CIDX_OK:
        return "ok";
    case CIDX_MISSING:
        return "no index file";
    case CIDX_CORRUPT:
        return "not a counting-index file of this version, or truncated";
    case CIDX_UNSUPPORTED:
        return "not expressible on the index";
    case CIDX_NO_MEMORY:
        return "out of memory";
    default:
        return "input/output error";
    }
}

/* Whether the orders hold together after prev_end: every id of an order within max_id and
 * placed at its position by the ranks, so that every read of cidx_top stays inside. */
static bool orders_ok(const cidx_t *ix, uint64_t prev_end) {
    const cidx_header_t *h = ix->h;
    uint64_t rlen = ((uint64_t)h->max_id + 1) * sizeof(uint32_t);
    for (int o = 0; o < CIDX_NORDERS_MAX; o++) {
        if (h->order_off[o] == 0)
            continue;
        uint64_t olen = h->order_n[o] * sizeof(uint32_t);
        if (h->order_off[o] % CIDX_ALIGN || h->rank_off[o] % CIDX_ALIGN ||
            h->order_off[o] < prev_end || olen > ix->size - h->order_off[o] ||
            h->rank_off[o] < h->order_off[o] + olen || rlen > ix->size - h->rank_off[o] ||
            h->order_n[o] > (uint64_t)h->max_id + 1)
            return false;
        const uint32_t *ids = (const uint32_t *)(ix->base + h->order_off[o]);
        const uint32_t *rank = (const uint32_t *)(ix->base + h->rank_off[o]);
        for (uint64_t p = 0; p < h->order_n[o]; p++)
            if (ids[p] > h->max_id || rank[ids[p]] != p)
                return false;
        prev_end = h->rank_off[o] + rlen;
    }
    if (h->recent_keys_off) {
        uint64_t klen = h->order_n[CIDX_ORDER_RECENT] * sizeof(int64_t);
        if (h->order_off[CIDX_ORDER_RECENT] == 0 || h->recent_keys_off % CIDX_ALIGN ||
            h->recent_keys_off < prev_end || klen > ix->size - h->recent_keys_off)
            return false;
        prev_end = h->recent_keys_off + klen;
    }
    uint64_t plen = ((uint64_t)h->max_id + 1) * 2 * sizeof(double);
    return h->points_off == 0 || (h->points_off % CIDX_ALIGN == 0 && h->points_off >= prev_end &&
                                  plen <= ix->size - h->points_off);
}

bool cidx_points(const cidx_t *ix, const double **lonlat, uint32_t *max_id) {
    if (ix->h->points_off == 0)
        return false;
    *lonlat = (const double *)(ix->base + ix->h->points_off);
    *max_id = ix->h->max_id;
    return true;
}

bool cidx_order_arrays(const struct cidx *ix, int o, const uint32_t **ids, const uint32_t **rank,
                       uint32_t *n, uint32_t *max_id, const int64_t **keys) {
    const cidx_header_t *h = ix->h;
    if (o < 0 || o >= CIDX_NORDERS_MAX || h->order_off[o] == 0)
        return false;
    *ids = (const uint32_t *)(ix->base + h->order_off[o]);
    *rank = (const uint32_t *)(ix->base + h->rank_off[o]);
    *n = (uint32_t)h->order_n[o];
    *max_id = h->max_id;
    *keys = o == CIDX_ORDER_RECENT && h->recent_keys_off
                    ? (const int64_t *)(ix->base + h->recent_keys_off)
                    : NULL;
    return true;
}

/* Whether the header, the directory and the keys hold together within size bytes. */
static bool layout_ok(const cidx_t *ix) {
    const cidx_header_t *h = ix->h;
    if (h->magic != CIDX_MAGIC || h->version != CIDX_VERSION || h->file_size != ix->size ||
        h->entries_off != CIDX_HEADER_SIZE ||
        h->keys_off != h->entries_off + (uint64_t)h->nentries * sizeof(cidx_entry_t) ||
        h->keys_off > ix->size)
        return false;
    uint64_t prev_end = h->keys_off;
    for (uint32_t i = 0; i < h->nentries; i++) {
        const cidx_entry_t *e = &ix->dir[i];
        if (e->dim >= CIDX_NDIMS || e->off % CIDX_ALIGN || e->off < prev_end ||
            e->len > ix->size - e->off || (i > 0 && e->dim < ix->dir[i - 1].dim))
            return false;
        prev_end = e->off + e->len;
    }
    for (int d = 0; d < CIDX_NFWD; d++) {
        if (h->fwd_off[d] == 0)
            continue;
        uint64_t olen = ((uint64_t)h->max_id + 2) * sizeof(uint32_t);
        uint64_t vlen = h->fwd_nvals[d] * sizeof(uint16_t);
        if (h->fwd_off[d] % CIDX_ALIGN || h->fwd_vals_off[d] % CIDX_ALIGN ||
            h->fwd_off[d] < prev_end || olen > ix->size - h->fwd_off[d] ||
            h->fwd_vals_off[d] < h->fwd_off[d] + olen || vlen > ix->size - h->fwd_vals_off[d])
            return false;
        /* Offsets that only grow and end at the number of values: every read stays inside. */
        const uint32_t *o = (const uint32_t *)(ix->base + h->fwd_off[d]);
        if (o[0] != 0 || o[h->max_id + 1] != h->fwd_nvals[d])
            return false;
        for (uint64_t i = 0; i <= h->max_id; i++)
            if (o[i + 1] < o[i])
                return false;
        const uint16_t *v = (const uint16_t *)(ix->base + h->fwd_vals_off[d]);
        uint32_t nv = 0;
        for (uint32_t i = 0; i < h->nentries; i++)
            nv += ix->dir[i].dim == (uint32_t)d;
        for (uint64_t i = 0; i < h->fwd_nvals[d]; i++)
            if (v[i] >= nv)
                return false;
        prev_end = h->fwd_vals_off[d] + vlen;
    }
    return orders_ok(ix, prev_end);
}

bool cidx_fwd(const cidx_t *ix, cidx_dim dim, const uint32_t **offs, const uint16_t **vals,
              uint32_t *max_id) {
    if ((int)dim >= CIDX_NFWD || ix->h->fwd_off[dim] == 0)
        return false;
    *offs = (const uint32_t *)(ix->base + ix->h->fwd_off[dim]);
    *vals = (const uint16_t *)(ix->base + ix->h->fwd_vals_off[dim]);
    *max_id = ix->h->max_id;
    return true;
}

cidx_status cidx_open(const char *path, cidx_t **out) {
    cidx_status st = CIDX_CORRUPT;
    struct stat sb;
    cidx_t *ix = NULL;
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? CIDX_MISSING : CIDX_IO;
    if (fstat(fd, &sb) != 0) {
        st = CIDX_IO;
        goto done;
    }
    if ((uint64_t)sb.st_size < CIDX_HEADER_SIZE)
        goto done;
    ix = calloc(1, sizeof *ix);
    if (ix == NULL) {
        st = CIDX_NO_MEMORY;
        goto done;
    }
    ix->size = (size_t)sb.st_size;
    void *m = mmap(NULL, ix->size, PROT_READ, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED) {
        st = CIDX_IO;
        free(ix);
        ix = NULL;
        goto done;
    }
    ix->base = m;
    ix->h = (const cidx_header_t *)ix->base;
    ix->dir = (const cidx_entry_t *)(ix->base + CIDX_HEADER_SIZE);
    if (ix->h->nentries > (ix->size - CIDX_HEADER_SIZE) / sizeof(cidx_entry_t) || !layout_ok(ix))
        goto done;
    ix->keys = ix->base + ix->h->keys_off;
    ix->keys_len = (ix->h->nentries ? ix->dir[0].off : ix->size) - ix->h->keys_off;
    for (uint32_t i = 0; i < ix->h->nentries; i++)
        if (ix->dir[i].key_off >= ix->keys_len ||
            memchr(ix->keys + ix->dir[i].key_off, '\0', ix->keys_len - ix->dir[i].key_off) == NULL)
            goto done;
    ix->views = calloc(ix->h->nentries ? ix->h->nentries : 1, sizeof *ix->views);
    if (ix->views == NULL) {
        st = CIDX_NO_MEMORY;
        goto done;
    }
    for (uint32_t i = ix->h->nentries; i-- > 0;) {
        ix->dim_first[ix->dir[i].dim] = i;
        ix->dim_n[ix->dir[i].dim]++;
    }
    st = CIDX_OK;
done:
    close(fd);
    if (st != CIDX_OK) {
        cidx_close(ix);
        ix = NULL;
    }
    *out = ix;
    return st;
}

void cidx_close(cidx_t *ix) {
    if (ix == NULL)
        return;
    if (ix->views)
        for (uint32_t i = 0; i < ix->h->nentries; i++)
            cidx_bitmap_free(ix->views[i]);
    free(ix->views);
    if (ix->base)
        munmap((void *)ix->base, ix->size);
    free(ix);
}

uint64_t cidx_position(const cidx_t *ix) {
    return ix->h->position;
}

int64_t cidx_built_at(const cidx_t *ix) {
    return ix->h->built_at;
}

void cidx_dim_range(const cidx_t *ix, cidx_dim dim, uint32_t *first, uint32_t *n) {
    *first = ix->dim_first[dim];
    *n = ix->dim_n[dim];
}

const char *cidx_entry_key(const cidx_t *ix, uint32_t e) {
    return ix->keys + ix->dir[e].key_off;
}

const roaring_bitmap_t *cidx_entry_bitmap(cidx_t *ix, uint32_t e) {
    if (ix->views[e] == NULL)
        ix->views[e] = roaring_bitmap_frozen_view(ix->base + ix->dir[e].off, ix->dir[e].len);
    return ix->views[e];
}

const roaring_bitmap_t *cidx_get(cidx_t *ix, cidx_dim dim, const char *key) {
    uint32_t lo = ix->dim_first[dim], hi = lo + ix->dim_n[dim];
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        int c = strcmp(cidx_entry_key(ix, mid), key);
        if (c == 0)
            return cidx_entry_bitmap(ix, mid);
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* The index of this process (cidx_current). */
static struct {
    cidx_t *ix;
    struct stat seen; /* the file mapped: its inode, size and modification time */
    time_t checked;   /* when the path was last looked at */
    cidx_status last; /* of the last attempt, so that a missing file is logged once */
    bool tried;
} g_cur;

static const char *index_path(void) {
    const char *p = getenv("SC_INDEX_FILE");
    return p && *p ? p : "var/index/counts.cidx";
}

cidx_t *cidx_current(void) {
    time_t now = time(NULL);
    if (g_cur.tried && now == g_cur.checked)
        return g_cur.ix;
    g_cur.checked = now;
    const char *path = index_path();
    struct stat sb;
    if (stat(path, &sb) != 0) {
        if (g_cur.ix || !g_cur.tried || g_cur.last != CIDX_MISSING)
            log_msg(LOG_WARN, "counting index %s: %s: counting in PostgreSQL", path,
                    cidx_status_text(CIDX_MISSING));
        cidx_close(g_cur.ix);
        g_cur.ix = NULL;
        g_cur.tried = true;
        g_cur.last = CIDX_MISSING;
        return NULL;
    }
    if (g_cur.ix && sb.st_ino == g_cur.seen.st_ino && sb.st_dev == g_cur.seen.st_dev &&
        sb.st_size == g_cur.seen.st_size && sb.st_mtim.tv_sec == g_cur.seen.st_mtim.tv_sec &&
        sb.st_mtim.tv_nsec == g_cur.seen.st_mtim.tv_nsec)
        return g_cur.ix;
    if (g_cur.tried && g_cur.last != CIDX_OK && g_cur.last != CIDX_MISSING &&
        sb.st_ino == g_cur.seen.st_ino && sb.st_mtim.tv_nsec == g_cur.seen.st_mtim.tv_nsec)
        return g_cur.ix; /* the same bad file again */
    cidx_t *ix;
    cidx_status st = cidx_open(path, &ix);
    g_cur.tried = true;
    g_cur.seen = sb;
    if (st != CIDX_OK) {
        if (st != g_cur.last)
            log_msg(LOG_WARN, "counting index %s: %s: %s", path, cidx_status_text(st),
                    g_cur.ix ? "the previous file stays in use" : "counting in PostgreSQL");
        g_cur.last = st;
        /* The old mapping stays usable (its dirty set grows) until a good file comes. */
        return g_cur.ix;
    }
    cidx_close(g_cur.ix);
    g_cur.ix = ix;
    g_cur.last = CIDX_OK;
    return ix;
}

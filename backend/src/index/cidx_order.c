/* cidx_order: the ids of a match set in one of the orders of the search's pages. */
#include <stdlib.h>

#include "index/cidx.h"
#include "index/cidx_format.h"

_Static_assert((int)CIDX_NORDERS <= CIDX_NORDERS_MAX, "the header has room for every order");

/* Below one match in this many published initiatives, the matches are read with a heap on their
 * positions; above, the order is read front to back until enough of them were met (on average
 * fewer than this many positions read per id given). */
#define DENSE_RATIO 32

bool cidx_has_order(const cidx_t *ix, cidx_order o) {
    const uint32_t *ids, *rank;
    const int64_t *keys;
    uint32_t n, max_id;
    return cidx_order_arrays(ix, (int)o, &ids, &rank, &n, &max_id, &keys) && n > 0;
}

uint32_t cidx_recent_after(const cidx_t *ix, int64_t created_us, uint32_t id) {
    const uint32_t *ids, *rank;
    const int64_t *keys;
    uint32_t n, max_id;
    if (!cidx_order_arrays(ix, CIDX_ORDER_RECENT, &ids, &rank, &n, &max_id, &keys) || !keys)
        return 0;
    /* Positions are by (creation time, id) decreasing: the first one strictly below the cursor. */
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        bool below = keys[mid] < created_us || (keys[mid] == created_us && ids[mid] < id);
        if (below)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* A max-heap of positions, the k smallest kept. */
typedef struct pos_heap {
    uint32_t *v;
    size_t n, cap;
} pos_heap_t;

static void heap_push(pos_heap_t *h, uint32_t p) {
    size_t i;
    if (h->n < h->cap) {
        i = h->n++;
        while (i > 0 && h->v[(i - 1) / 2] < p) {
            h->v[i] = h->v[(i - 1) / 2];
            i = (i - 1) / 2;
        }
        h->v[i] = p;
        return;
    }
    if (p >= h->v[0])
        return;
    /* Replaces the largest, then sifts it down. */
    i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= h->n)
            break;
        if (c + 1 < h->n && h->v[c + 1] > h->v[c])
            c++;
        if (h->v[c] <= p)
            break;
        h->v[i] = h->v[c];
        i = c;
    }
    h->v[i] = p;
}

static int pos_cmp(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

size_t cidx_top(const cidx_t *ix, const roaring_bitmap_t *matches, cidx_order o, uint32_t from,
                size_t skip, size_t want, uint32_t *out) {
    const uint32_t *ids, *rank;
    const int64_t *keys;
    uint32_t n, max_id, buf[1024];
    size_t got = 0, k = skip + want;
    if (want == 0 || k > CIDX_TOP_MAX ||
        !cidx_order_arrays(ix, (int)o, &ids, &rank, &n, &max_id, &keys))
        return 0;
    uint64_t card = roaring_bitmap_get_cardinality(matches);
    if (card * DENSE_RATIO >= n) {
        for (uint32_t p = from; p < n && got < want; p++) {
            if (!roaring_bitmap_contains(matches, ids[p]))
                continue;
            if (skip > 0)
                skip--;
            else
                out[got++] = ids[p];
        }
        return got;
    }
    pos_heap_t h = {malloc(k * sizeof *h.v), 0, k};
    roaring_uint32_iterator_t *it = h.v ? roaring_create_iterator(matches) : NULL;
    uint32_t read;
    if (it == NULL) {
        free(h.v);
        return 0;
    }
    while ((read = roaring_read_uint32_iterator(it, buf, ARRAY_LEN(buf))) > 0)
        for (uint32_t i = 0; i < read; i++)
            if (buf[i] <= max_id && rank[buf[i]] != CIDX_NO_RANK && rank[buf[i]] >= from)
                heap_push(&h, rank[buf[i]]);
    roaring_free_uint32_iterator(it);
    qsort(h.v, h.n, sizeof *h.v, pos_cmp);
    for (size_t i = skip; i < h.n; i++)
        out[got++] = ids[h.v[i]];
    free(h.v);
    return got;
}

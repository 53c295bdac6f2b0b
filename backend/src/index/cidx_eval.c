/* cidx_eval: the bitmaps of a filter (codes, years, words) and the counts over them. */
#include <stdlib.h>
#include <string.h>

#include "index/cidx.h"
#include "index/cidx_format.h"

void cidx_bitmap_free(const roaring_bitmap_t *b) {
    if (b)
        roaring_bitmap_free(b);
}

/* Bitmaps gathered for one union: an array of borrowed views. */
#define UNION_MAX 4096

roaring_bitmap_t *cidx_any(cidx_t *ix, cidx_dim dim, const char *const *keys, size_t n) {
    const roaring_bitmap_t *found[64];
    size_t k = 0;
    if (n > ARRAY_LEN(found))
        return NULL;
    for (size_t i = 0; i < n; i++) {
        const roaring_bitmap_t *b = cidx_get(ix, dim, keys[i]);
        if (b)
            found[k++] = b;
    }
    if (k == 0)
        return roaring_bitmap_create();
    if (k == 1)
        return roaring_bitmap_copy(found[0]);
    return roaring_bitmap_or_many(k, found);
}

roaring_bitmap_t *cidx_years(cidx_t *ix, int from, int to) {
    uint32_t first, n, k = 0;
    cidx_dim_range(ix, CIDX_START_YEAR, &first, &n);
    const roaring_bitmap_t **found = calloc(n ? n : 1, sizeof *found);
    roaring_bitmap_t *out = NULL;
    if (found == NULL)
        return NULL;
    for (uint32_t e = first; e < first + n && n <= UNION_MAX; e++) {
        int y = atoi(cidx_entry_key(ix, e));
        if ((from && y < from) || (to && y > to))
            continue;
        found[k] = cidx_entry_bitmap(ix, e);
        if (found[k] == NULL)
            goto done;
        k++;
    }
    out = k == 0 ? roaring_bitmap_create() : roaring_bitmap_or_many(k, found);
done:
    free(found);
    return out;
}

/* A tsquery in text form, read by recursive descent (PostgreSQL's precedence: ! binds tightest,
 * then the phrase operators, &, then |). */
typedef struct tsq_reader {
    cidx_t *ix;
    cidx_dim dim; /* of the lexemes */
    const char *p;
    int depth;
} tsq_reader_t;

#define TSQ_DEPTH_MAX 32

static cidx_status tsq_or(tsq_reader_t *r, roaring_bitmap_t **out);

static void tsq_space(tsq_reader_t *r) {
    while (*r->p == ' ')
        r->p++;
}

/* A quoted lexeme ('it''s'), its bitmap (a copy, empty when no initiative holds it). */
static cidx_status tsq_lexeme(tsq_reader_t *r, roaring_bitmap_t **out) {
    char key[CIDX_KEY_MAX + 1];
    size_t n = 0;
    r->p++; /* the opening quote */
    for (;;) {
        char c = *r->p;
        if (c == '\0')
            return CIDX_UNSUPPORTED;
        if ((c == '\'' && r->p[1] == '\'') || (c == '\\' && r->p[1])) {
            c = r->p[1];
            r->p += 2;
        } else if (c == '\'') {
            r->p++;
            break;
        } else {
            r->p++;
        }
        if (n >= CIDX_KEY_MAX)
            return CIDX_UNSUPPORTED; /* longer lexemes are not in the file */
        key[n++] = c;
    }
    key[n] = '\0';
    if (*r->p == ':') /* a prefix (:*) or weights (:AB) */
        return CIDX_UNSUPPORTED;
    const roaring_bitmap_t *b = cidx_get(r->ix, r->dim, key);
    *out = b ? roaring_bitmap_copy(b) : roaring_bitmap_create();
    return *out ? CIDX_OK : CIDX_NO_MEMORY;
}

static cidx_status tsq_factor(tsq_reader_t *r, roaring_bitmap_t **out) {
    cidx_status st;
    *out = NULL;
    tsq_space(r);
    if (++r->depth > TSQ_DEPTH_MAX)
        return CIDX_UNSUPPORTED;
    if (*r->p == '!') {
        roaring_bitmap_t *x;
        r->p++;
        st = tsq_factor(r, &x);
        if (st == CIDX_OK) {
            const roaring_bitmap_t *all = cidx_get(r->ix, CIDX_META, "published");
            *out = all ? roaring_bitmap_andnot(all, x) : roaring_bitmap_create();
            cidx_bitmap_free(x);
            st = *out ? CIDX_OK : CIDX_NO_MEMORY;
        }
    } else if (*r->p == '(') {
        r->p++;
        st = tsq_or(r, out);
        tsq_space(r);
        if (st == CIDX_OK && *r->p != ')')
            st = CIDX_UNSUPPORTED;
        if (*r->p == ')')
            r->p++;
    } else if (*r->p == '\'') {
        st = tsq_lexeme(r, out);
    } else {
        st = CIDX_UNSUPPORTED;
    }
    r->depth--;
    if (st != CIDX_OK) {
        cidx_bitmap_free(*out);
        *out = NULL;
    }
    return st;
}

static cidx_status tsq_and(tsq_reader_t *r, roaring_bitmap_t **out) {
    cidx_status st = tsq_factor(r, out);
    for (;;) {
        tsq_space(r);
        if (st != CIDX_OK)
            break;
        if (*r->p == '<') /* <-> and <N>: phrases are left to PostgreSQL */
            st = CIDX_UNSUPPORTED;
        if (*r->p != '&')
            break;
        r->p++;
        roaring_bitmap_t *y;
        st = tsq_factor(r, &y);
        if (st == CIDX_OK) {
            roaring_bitmap_and_inplace(*out, y);
            cidx_bitmap_free(y);
        }
    }
    if (st != CIDX_OK) {
        cidx_bitmap_free(*out);
        *out = NULL;
    }
    return st;
}

static cidx_status tsq_or(tsq_reader_t *r, roaring_bitmap_t **out) {
    cidx_status st = tsq_and(r, out);
    while (st == CIDX_OK && *r->p == '|') {
        r->p++;
        roaring_bitmap_t *y;
        st = tsq_and(r, &y);
        if (st == CIDX_OK) {
            roaring_bitmap_or_inplace(*out, y);
            cidx_bitmap_free(y);
        }
    }
    if (st != CIDX_OK) {
        cidx_bitmap_free(*out);
        *out = NULL;
    }
    return st;
}

cidx_status cidx_tsquery(cidx_t *ix, const char *tsq, roaring_bitmap_t **out) {
    return cidx_tsquery_in(ix, CIDX_WORD, tsq, out);
}

cidx_status cidx_tsquery_in(cidx_t *ix, cidx_dim dim, const char *tsq, roaring_bitmap_t **out) {
    tsq_reader_t r = {.ix = ix, .dim = dim, .p = tsq, .depth = 0};
    *out = NULL;
    tsq_space(&r);
    if (*r.p == '\0') /* no lexeme at all (only stop words): left to PostgreSQL */
        return CIDX_UNSUPPORTED;
    cidx_status st = tsq_or(&r, out);
    if (st == CIDX_OK && *r.p != '\0') {
        cidx_bitmap_free(*out);
        *out = NULL;
        st = CIDX_UNSUPPORTED;
    }
    return st;
}

bool cidx_count_1d(cidx_t *ix, const roaring_bitmap_t *matches, cidx_dim dim, cidx_count_fn fn,
                   void *arg) {
    uint32_t first, n;
    cidx_dim_range(ix, dim, &first, &n);
    for (uint32_t e = first; e < first + n; e++) {
        const roaring_bitmap_t *b = cidx_entry_bitmap(ix, e);
        if (b == NULL)
            return false;
        uint64_t c = roaring_bitmap_and_cardinality(matches, b);
        if (c > 0 && !fn(arg, cidx_entry_key(ix, e), NULL, c))
            return false;
    }
    return true;
}

/* The cells of a table above this many are counted on the bitmaps (no counter array). */
#define CELLS_MAX (1u << 22)

/* One pass over the matches with both forward columns: each match adds one to each pair of its
 * values. The ids come in increasing order, so both columns are read front to back. */
static bool count_2d_forward(cidx_t *ix, const roaring_bitmap_t *matches, cidx_dim da, cidx_dim db,
                             cidx_count_fn fn, void *arg, bool *done) {
    const uint32_t *oa, *ob;
    const uint16_t *va, *vb;
    uint32_t max_id, fa, na, fb, nb, ids[1024], got;
    *done = false;
    if (!cidx_fwd(ix, da, &oa, &va, &max_id) || !cidx_fwd(ix, db, &ob, &vb, &max_id))
        return true;
    cidx_dim_range(ix, da, &fa, &na);
    cidx_dim_range(ix, db, &fb, &nb);
    if (na == 0 || nb == 0 || (uint64_t)na * nb > CELLS_MAX)
        return true;
    uint64_t *cells = calloc((size_t)na * nb, sizeof *cells);
    roaring_uint32_iterator_t *it = roaring_create_iterator(matches);
    bool ok = cells && it;
    while (ok && (got = roaring_read_uint32_iterator(it, ids, ARRAY_LEN(ids))) > 0) {
        for (uint32_t k = 0; k < got; k++) {
            uint32_t id = ids[k];
            if (id > max_id)
                break;
            for (uint32_t x = oa[id]; x < oa[id + 1]; x++) {
                uint64_t *row = cells + (size_t)va[x] * nb;
                for (uint32_t y = ob[id]; y < ob[id + 1]; y++)
                    row[vb[y]]++;
            }
        }
    }
    for (uint32_t a = 0; ok && a < na; a++)
        for (uint32_t b = 0; ok && b < nb; b++)
            if (cells[(size_t)a * nb + b] > 0)
                ok = fn(arg, cidx_entry_key(ix, fa + a), cidx_entry_key(ix, fb + b),
                        cells[(size_t)a * nb + b]);
    if (it)
        roaring_free_uint32_iterator(it);
    free(cells);
    *done = ok;
    return ok;
}

bool cidx_count_2d(cidx_t *ix, const roaring_bitmap_t *matches, cidx_dim da, cidx_dim db,
                   cidx_count_fn fn, void *arg) {
    uint32_t fa, na, fb, nb;
    bool done;
    if (!count_2d_forward(ix, matches, da, db, fn, arg, &done))
        return false;
    if (done)
        return true;
    cidx_dim_range(ix, da, &fa, &na);
    cidx_dim_range(ix, db, &fb, &nb);
    for (uint32_t a = fa; a < fa + na; a++) {
        const roaring_bitmap_t *ba = cidx_entry_bitmap(ix, a);
        if (ba == NULL)
            return false;
        if (!roaring_bitmap_intersect(matches, ba))
            continue;
        /* The row's matches once, then each column against them. */
        roaring_bitmap_t *row = roaring_bitmap_and(matches, ba);
        if (row == NULL)
            return false;
        bool ok = true;
        for (uint32_t b = fb; ok && b < fb + nb; b++) {
            const roaring_bitmap_t *bb = cidx_entry_bitmap(ix, b);
            if (bb == NULL) {
                ok = false;
                break;
            }
            uint64_t c = roaring_bitmap_and_cardinality(row, bb);
            if (c > 0)
                ok = fn(arg, cidx_entry_key(ix, a), cidx_entry_key(ix, b), c);
        }
        cidx_bitmap_free(row);
        if (!ok)
            return false;
    }
    return true;
}

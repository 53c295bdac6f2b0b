/* The counting index (index/cidx.h): a file written by the writer reads back; filters, words and
 * one- and two-dimension counts over the bitmaps equal the same counts made row by row; a damaged
 * or missing file is refused; a process notices a newer file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* cmocka needs the headers above first. */
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "index/cidx.h"
#include "index/cidx_write.h"

#define NIDS 3000

/* A small catalogue: each id's themes (a bit mask over THEMES), year, région and words. */
static const char *const THEMES[] = {"ENV", "SAN", "EDU", "CUL"};
static const char *const YEARS[] = {"2010", "2011", "2012", "2013", "2014"};
static const char *const REGIONS[] = {"11", "84", "93"};
static const char *const WORDS[] = {"jardin", "partag", "compost", "it's"};

typedef struct row {
    bool published;
    unsigned themes, words;
    int year, region; /* -1: none */
} row_t;

static row_t rows[NIDS + 1];
static char path[64];

static void make_rows(void) {
    unsigned s = 12345;
    for (int id = 1; id <= NIDS; id++) {
        s = s * 1103515245u + 12345u;
        row_t *r = &rows[id];
        r->published = (s >> 8) % 10 != 0; /* a tenth not published: in no bitmap */
        r->themes = (s >> 12) % 16;
        r->words = (s >> 16) % 16;
        r->year = (int)((s >> 20) % 6) - 1;
        r->region = (int)((s >> 24) % 4) - 1;
    }
}

/* The orders of the pages: newest first by a creation time many ids share (ties by id,
 * decreasing), and by a name key (ties by id, increasing). */
static int64_t created_of(uint32_t id) {
    return (int64_t)((id * 7919u) % 500u) * 1000;
}
static uint32_t name_of(uint32_t id) {
    return (id * 31u) % 997u;
}
static int recent_cmp(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    if (created_of(x) != created_of(y))
        return created_of(x) > created_of(y) ? -1 : 1;
    return x > y ? -1 : x < y;
}
static int name_cmp(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    if (name_of(x) != name_of(y))
        return name_of(x) < name_of(y) ? -1 : 1;
    return x < y ? -1 : x > y;
}
/* The published ids sorted by cmp, into ids; their number. */
static uint32_t sorted_ids(uint32_t *ids, int (*cmp)(const void *, const void *)) {
    uint32_t n = 0;
    for (uint32_t id = 1; id <= NIDS; id++)
        if (rows[id].published)
            ids[n++] = id;
    qsort(ids, n, sizeof *ids, cmp);
    return n;
}

static void give_orders(cidx_writer_t *w) {
    uint32_t *recent = malloc(NIDS * sizeof *recent), *name = malloc(NIDS * sizeof *name);
    int64_t *keys = malloc(NIDS * sizeof *keys);
    assert_true(recent && name && keys);
    uint32_t n = sorted_ids(recent, recent_cmp);
    sorted_ids(name, name_cmp);
    for (uint32_t p = 0; p < n; p++)
        keys[p] = created_of(recent[p]);
    cidx_writer_set_order(w, CIDX_ORDER_RECENT, recent, n, keys);
    cidx_writer_set_order(w, CIDX_ORDER_NAME, name, n, NULL);
}

static void write_file(uint64_t position) {
    cidx_writer_t *w = cidx_writer_new();
    assert_non_null(w);
    for (uint32_t id = 1; id <= NIDS; id++) {
        const row_t *r = &rows[id];
        if (!r->published)
            continue;
        assert_true(cidx_writer_add(w, CIDX_META, "published", 9, id));
        for (int t = 0; t < 4; t++)
            if (r->themes & (1u << t))
                assert_true(cidx_writer_add(w, CIDX_THEME, THEMES[t], 3, id));
        for (int t = 0; t < 4; t++)
            if (r->words & (1u << t))
                assert_true(cidx_writer_add(w, CIDX_WORD, WORDS[t], strlen(WORDS[t]), id));
        if (r->year >= 0)
            assert_true(cidx_writer_add(w, CIDX_START_YEAR, YEARS[r->year], 4, id));
        if (r->region >= 0)
            assert_true(cidx_writer_add_list(w, CIDX_REGION, REGIONS[r->region], '\x1f', id));
    }
    give_orders(w);
    uint64_t bytes;
    assert_int_equal(cidx_writer_finish(w, path, position, &bytes), CIDX_OK);
    assert_true(bytes > 0);
    cidx_writer_free(w);
}

static int setup(void **state) {
    (void)state;
    snprintf(path, sizeof path, "/tmp/test_cidx_%ld.cidx", (long)getpid());
    make_rows();
    write_file(42);
    return 0;
}

static int teardown(void **state) {
    (void)state;
    unlink(path);
    return 0;
}

static int key_index(const char *const *keys, int n, const char *key) {
    for (int i = 0; i < n; i++)
        if (strcmp(keys[i], key) == 0)
            return i;
    return -1;
}

static void reads_back(void **state) {
    (void)state;
    cidx_t *ix;
    assert_int_equal(cidx_open(path, &ix), CIDX_OK);
    assert_int_equal(cidx_position(ix), 42);
    uint64_t published = 0, env = 0;
    for (int id = 1; id <= NIDS; id++) {
        published += rows[id].published;
        env += rows[id].published && (rows[id].themes & 1);
    }
    assert_int_equal(roaring_bitmap_get_cardinality(cidx_get(ix, CIDX_META, "published")),
                     published);
    assert_int_equal(roaring_bitmap_get_cardinality(cidx_get(ix, CIDX_THEME, "ENV")), env);
    assert_null(cidx_get(ix, CIDX_THEME, "XYZ"));
    /* A dimension's values in byte order. */
    uint32_t first, n;
    cidx_dim_range(ix, CIDX_THEME, &first, &n);
    assert_int_equal(n, 4);
    assert_string_equal(cidx_entry_key(ix, first), "CUL");
    assert_string_equal(cidx_entry_key(ix, first + 3), "SAN");
    cidx_close(ix);
}

/* The ids of a row test, as a count. */
static uint64_t count_rows(bool (*test)(const row_t *)) {
    uint64_t n = 0;
    for (int id = 1; id <= NIDS; id++)
        n += rows[id].published && test(&rows[id]);
    return n;
}

static bool w_jardin_partag(const row_t *r) {
    return (r->words & 3) == 3;
}
static bool w_jardin_or_compost(const row_t *r) {
    return (r->words & 1) || (r->words & 4);
}
static bool w_jardin_not_compost(const row_t *r) {
    return (r->words & 1) && !(r->words & 4);
}
static bool w_grouped(const row_t *r) {
    return (r->words & 8) && ((r->words & 1) || (r->words & 2));
}

static uint64_t words_count(cidx_t *ix, const char *tsq) {
    roaring_bitmap_t *b;
    assert_int_equal(cidx_tsquery(ix, tsq, &b), CIDX_OK);
    uint64_t n = roaring_bitmap_get_cardinality(b);
    cidx_bitmap_free(b);
    return n;
}

static void words_as_postgresql_writes_them(void **state) {
    (void)state;
    cidx_t *ix;
    roaring_bitmap_t *b = NULL;
    assert_int_equal(cidx_open(path, &ix), CIDX_OK);
    assert_int_equal(words_count(ix, "'jardin' & 'partag'"), count_rows(w_jardin_partag));
    assert_int_equal(words_count(ix, "'jardin' | 'compost'"), count_rows(w_jardin_or_compost));
    assert_int_equal(words_count(ix, "'jardin' & !'compost'"), count_rows(w_jardin_not_compost));
    assert_int_equal(words_count(ix, "'it''s' & ( 'jardin' | 'partag' )"), count_rows(w_grouped));
    assert_int_equal(words_count(ix, "'absent'"), 0);
    /* Left to PostgreSQL. */
    assert_int_equal(cidx_tsquery(ix, "'jardin' <-> 'partag'", &b), CIDX_UNSUPPORTED);
    assert_int_equal(cidx_tsquery(ix, "'jardin':*", &b), CIDX_UNSUPPORTED);
    assert_int_equal(cidx_tsquery(ix, "'jardin':A & 'partag'", &b), CIDX_UNSUPPORTED);
    assert_int_equal(cidx_tsquery(ix, "", &b), CIDX_UNSUPPORTED);
    assert_int_equal(cidx_tsquery(ix, "'jardin' & (", &b), CIDX_UNSUPPORTED);
    assert_int_equal(cidx_tsquery(ix, "'jardin", &b), CIDX_UNSUPPORTED);
    assert_null(b);
    cidx_close(ix);
}

/* Counts received from cidx_count_1d/2d, by value numbers. */
typedef struct got {
    uint64_t cells[8][8];
    const char *const *ka, *const *kb;
    int na, nb;
} got_t;

static bool take(void *arg, const char *c1, const char *c2, uint64_t n) {
    got_t *g = arg;
    int a = key_index(g->ka, g->na, c1), b = c2 ? key_index(g->kb, g->nb, c2) : 0;
    assert_true(a >= 0 && b >= 0);
    assert_true(n > 0);
    g->cells[a][b] += n;
    return true;
}

static void counts_equal_rows(void **state) {
    (void)state;
    cidx_t *ix;
    assert_int_equal(cidx_open(path, &ix), CIDX_OK);
    /* Matches: published, year 2011..2013, région 84 or 93. */
    roaring_bitmap_t *m = cidx_years(ix, 2011, 2013);
    const char *regions[] = {"84", "93"};
    roaring_bitmap_t *r = cidx_any(ix, CIDX_REGION, regions, 2);
    roaring_bitmap_and_inplace(m, r);
    cidx_bitmap_free(r);
    uint64_t want1[8][8] = {{0}}, want2[8][8] = {{0}}, total = 0;
    for (int id = 1; id <= NIDS; id++) {
        const row_t *x = &rows[id];
        if (!x->published || x->year < 1 || x->year > 3 || x->region < 1)
            continue;
        total++;
        for (int t = 0; t < 4; t++) {
            if (!(x->themes & (1u << t)))
                continue;
            want1[t][0]++;
            want2[t][x->year]++;
        }
    }
    assert_int_equal(roaring_bitmap_get_cardinality(m), total);
    got_t g = {.ka = THEMES, .kb = YEARS, .na = 4, .nb = 5};
    assert_true(cidx_count_1d(ix, m, CIDX_THEME, take, &g));
    for (int t = 0; t < 4; t++)
        assert_int_equal(g.cells[t][0], want1[t][0]);
    /* Two dimensions: through the forward columns (theme, year). */
    memset(g.cells, 0, sizeof g.cells);
    assert_true(cidx_count_2d(ix, m, CIDX_THEME, CIDX_START_YEAR, take, &g));
    for (int t = 0; t < 4; t++)
        for (int y = 0; y < 5; y++)
            assert_int_equal(g.cells[t][y], want2[t][y]);
    /* And through the bitmaps (words have no forward column): words by theme. */
    uint64_t want3[8][8] = {{0}};
    for (int id = 1; id <= NIDS; id++) {
        const row_t *x = &rows[id];
        if (!x->published || x->year < 1 || x->year > 3 || x->region < 1)
            continue;
        for (int w = 0; w < 4; w++)
            for (int t = 0; t < 4; t++)
                if ((x->words & (1u << w)) && (x->themes & (1u << t)))
                    want3[w][t]++;
    }
    got_t g3 = {.ka = WORDS, .kb = THEMES, .na = 4, .nb = 4};
    assert_true(cidx_count_2d(ix, m, CIDX_WORD, CIDX_THEME, take, &g3));
    for (int w = 0; w < 4; w++)
        for (int t = 0; t < 4; t++)
            assert_int_equal(g3.cells[w][t], want3[w][t]);
    cidx_bitmap_free(m);
    cidx_close(ix);
}

static void damaged_or_missing_is_refused(void **state) {
    (void)state;
    cidx_t *ix = NULL;
    char bad[80];
    snprintf(bad, sizeof bad, "%s.bad", path);
    assert_int_equal(cidx_open("/nonexistent/counts.cidx", &ix), CIDX_MISSING);
    /* Truncated: half the file. */
    FILE *in = fopen(path, "rb"), *out = fopen(bad, "wb");
    assert_non_null(in);
    assert_non_null(out);
    fseek(in, 0, SEEK_END);
    long size = ftell(in);
    fseek(in, 0, SEEK_SET);
    char *buf = malloc((size_t)size);
    assert_int_equal(fread(buf, 1, (size_t)size, in), (size_t)size);
    assert_int_equal(fwrite(buf, 1, (size_t)size / 2, out), (size_t)size / 2);
    fclose(out);
    assert_int_equal(cidx_open(bad, &ix), CIDX_CORRUPT);
    /* Not this format. */
    out = fopen(bad, "wb");
    buf[0] ^= 0x55;
    assert_int_equal(fwrite(buf, 1, (size_t)size, out), (size_t)size);
    fclose(out);
    assert_int_equal(cidx_open(bad, &ix), CIDX_CORRUPT);
    assert_null(ix);
    fclose(in);
    free(buf);
    unlink(bad);
}

static void a_newer_file_is_noticed(void **state) {
    (void)state;
    setenv("SC_INDEX_FILE", path, 1);
    cidx_t *ix = cidx_current();
    assert_non_null(ix);
    assert_int_equal(cidx_position(ix), 42);
    write_file(43); /* renamed over the old one */
    sleep(1);       /* checked at most once a second */
    usleep(100000);
    ix = cidx_current();
    assert_non_null(ix);
    assert_int_equal(cidx_position(ix), 43);
    unlink(path);
    sleep(1);
    usleep(100000);
    assert_null(cidx_current());
    write_file(42);
}

/* The ids of a bitmap in an order, skip passed over and want given, from position `from`, as
 * the rows say: sorted by brute force. */
static size_t brute_top(const roaring_bitmap_t *m, int (*cmp)(const void *, const void *),
                        const uint32_t *order, uint32_t norder, uint32_t from, size_t skip,
                        size_t want, uint32_t *out) {
    uint32_t all[NIDS], pos[NIDS + 1];
    size_t n = 0, got = 0;
    for (uint32_t p = 0; p < norder; p++)
        pos[order[p]] = p;
    for (uint32_t id = 1; id <= NIDS; id++)
        if (roaring_bitmap_contains(m, id) && pos[id] >= from) /* placed at `from` or after */
            all[n++] = id;
    qsort(all, n, sizeof *all, cmp);
    for (size_t i = skip; i < n && got < want; i++)
        out[got++] = all[i];
    return got;
}

static void orders_page_the_matches(void **state) {
    (void)state;
    cidx_t *ix;
    uint32_t recent[NIDS + 1] = {0}, name[NIDS + 1] = {0}, a[NIDS], b[NIDS];
    uint32_t n = sorted_ids(recent, recent_cmp);
    sorted_ids(name, name_cmp);
    assert_int_equal(cidx_open(path, &ix), CIDX_OK);
    assert_true(cidx_has_order(ix, CIDX_ORDER_RECENT));
    assert_true(cidx_has_order(ix, CIDX_ORDER_NAME));
    /* Dense (a theme: read along the order) and sparse (four filters: a heap on positions). */
    roaring_bitmap_t *dense = roaring_bitmap_copy(cidx_get(ix, CIDX_THEME, "ENV"));
    roaring_bitmap_t *sparse = roaring_bitmap_copy(dense);
    roaring_bitmap_and_inplace(sparse, cidx_get(ix, CIDX_WORD, "compost"));
    roaring_bitmap_and_inplace(sparse, cidx_get(ix, CIDX_START_YEAR, "2012"));
    roaring_bitmap_and_inplace(sparse, cidx_get(ix, CIDX_REGION, "84"));
    assert_true(roaring_bitmap_get_cardinality(sparse) * 32 < n);
    assert_true(roaring_bitmap_get_cardinality(sparse) > 5);
    const roaring_bitmap_t *sets[] = {dense, sparse};
    const size_t skips[] = {0, 3, 40}, wants[] = {1, 21, 500};
    for (size_t s = 0; s < 2; s++)
        for (size_t k = 0; k < 3; k++)
            for (size_t w = 0; w < 3; w++)
                for (uint32_t from = 0; from < n; from += n / 3) {
                    size_t got =
                            cidx_top(ix, sets[s], CIDX_ORDER_RECENT, from, skips[k], wants[w], a);
                    assert_int_equal(got, brute_top(sets[s], recent_cmp, recent, n, from, skips[k],
                                                    wants[w], b));
                    assert_memory_equal(a, b, got * sizeof *a);
                    got = cidx_top(ix, sets[s], CIDX_ORDER_NAME, from, skips[k], wants[w], a);
                    assert_int_equal(got, brute_top(sets[s], name_cmp, name, n, from, skips[k],
                                                    wants[w], b));
                    assert_memory_equal(a, b, got * sizeof *a);
                }
    /* A keyset cursor at each id resumes right after it; one between two ids, after the first. */
    for (uint32_t p = 0; p < n; p += 7) {
        uint32_t id = recent[p];
        assert_int_equal(cidx_recent_after(ix, created_of(id), id), p + 1);
    }
    assert_int_equal(cidx_recent_after(ix, INT64_MAX, UINT32_MAX), 0);
    assert_int_equal(cidx_recent_after(ix, -1, 0), n);
    /* Too deep a page is refused (the caller pages in SQL). */
    assert_int_equal(cidx_top(ix, dense, CIDX_ORDER_NAME, 0, CIDX_TOP_MAX, 1, a), 0);
    cidx_bitmap_free(dense);
    cidx_bitmap_free(sparse);
    cidx_close(ix);
}

int main(void) {
    const struct CMUnitTest tests[] = {
            cmocka_unit_test(reads_back),
            cmocka_unit_test(orders_page_the_matches),
            cmocka_unit_test(words_as_postgresql_writes_them),
            cmocka_unit_test(counts_equal_rows),
            cmocka_unit_test(damaged_or_missing_is_refused),
            cmocka_unit_test(a_newer_file_is_noticed),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}

#include "jobs/job_index.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include "core/log.h"
#include "index/cidx.h"
#include "index/cidx_write.h"

/* Rows fetched from the cursors at once: a bounded result whatever the catalogue's size. */
#define FETCH_ROWS "10000"

/* The published initiatives, one row each: arrays joined by the unit separator, which no code
 * holds; the search vector as text (its lexemes with the weights of their positions: add_tsv reads
 * it once, where array and unnest calls read each vector three times, a third of the build); the
 * creation time and the positions in the two orders of the pages, as PostgreSQL sorts them (the
 * collation of names is its own). */
static const char rows_cursor[] =
        "DECLARE cidx_rows NO SCROLL CURSOR FOR SELECT i.id,"
        " array_to_string(i.themes, E'\\x1f'), array_to_string(i.subthemes, E'\\x1f'),"
        " i.actor_type, array_to_string(i.publics, E'\\x1f'), i.scale, i.stage, i.start_year,"
        " i.region_code, i.departement_code, i.arrondissement_code, i.commune_code,"
        " i.geom IS NOT NULL, i.tsv::text,"
        " (extract(epoch FROM i.created_at) * 1000000)::bigint,"
        " row_number() OVER (ORDER BY i.created_at DESC, i.id DESC) - 1,"
        " row_number() OVER (ORDER BY sc_normalize(i.title), i.id) - 1,"
        " ST_X(i.geom), ST_Y(i.geom)"
        " FROM initiative i WHERE i.status = 'published'";

/* The live records of the sources, as the search's source filter reads them. */
static const char sources_cursor[] =
        "DECLARE cidx_sources NO SCROLL CURSOR FOR SELECT sr.initiative_id, s.code"
        " FROM source_record sr JOIN source s ON s.id = sr.source_id"
        " WHERE sr.gone_at IS NULL AND sr.initiative_id IS NOT NULL";

const char *job_index_path(void) {
    const char *p = getenv("SC_INDEX_FILE");
    return p && *p ? p : "var/index/counts.cidx";
}

/* Runs a statement of the build's transaction; *out (may be NULL to discard) for PQclear. */
static dom_status run(const job_ctx_t *ctx, const char *sql, PGresult **out) {
    PGresult *r = NULL;
    dom_status st = dom_from_db(db_query(ctx->db, "index build", sql, 0, NULL, &r));
    if (out)
        *out = r;
    else
        PQclear(r);
    return st;
}

/* Scalar columns of rows_cursor, by column number, and their dimension. */
static const struct {
    int col;
    cidx_dim dim;
    bool list;
} row_cols[] = {
        {1, CIDX_THEME, true},        {2, CIDX_SUBTHEME, true},
        {3, CIDX_ACTOR_TYPE, false},  {4, CIDX_PUBLIC, true},
        {5, CIDX_SCALE, false},       {6, CIDX_STAGE, false},
        {7, CIDX_START_YEAR, false},  {8, CIDX_REGION, false},
        {9, CIDX_DEPARTEMENT, false}, {10, CIDX_ARRONDISSEMENT, false},
        {11, CIDX_COMMUNE, false},
};

/* Adds id to the bitmaps of the lexemes of a search vector written as text ('jardin':1A,4
 * 'it''s':2B 'seul'), and to those of the title's (a position of weight A) and of the summary's
 * (B). False when the text is not of that form. */
static bool add_tsv(cidx_writer_t *w, const char *p, uint32_t id) {
    char lex[CIDX_KEY_MAX + 1];
    for (;;) {
        while (*p == ' ')
            p++;
        if (*p == '\0')
            return true;
        if (*p++ != '\'')
            return false;
        size_t n = 0;
        for (;;) {
            char c;
            if (*p == '\0')
                return false;
            if (*p == '\'' && p[1] == '\'') {
                c = '\'';
                p += 2;
            } else if (*p == '\'') {
                p++;
                break;
            } else if (*p == '\\' && p[1]) {
                c = p[1];
                p += 2;
            } else {
                c = *p++;
            }
            if (n < sizeof lex)
                lex[n] = c;
            n++; /* a lexeme longer than a key is read to its end, then skipped */
        }
        bool title = false, summary = false;
        if (*p == ':')
            for (p++; *p && *p != ' '; p++) {
                title = title || *p == 'A';
                summary = summary || *p == 'B';
            }
        if (n > CIDX_KEY_MAX)
            continue; /* not indexed, as the writer would skip it */
        if (!cidx_writer_add(w, CIDX_WORD, lex, n, id) ||
            (title && !cidx_writer_add(w, CIDX_WORD_TITLE, lex, n, id)) ||
            (summary && !cidx_writer_add(w, CIDX_WORD_SUMMARY, lex, n, id)))
            return false;
    }
}

/* The orders being filled from the rows (columns 14 to 16), sized by the number of published
 * initiatives counted first, and the points (columns 17 and 18), sized by the largest id. */
typedef struct orders_fill {
    uint32_t n;
    uint32_t *ids[CIDX_NORDERS];
    int64_t *keys;
    double *lonlat; /* 2 * npoints, NaN without a point */
    uint32_t npoints;
} orders_fill_t;

/* Places one row in the orders; false when its positions are out of range. */
static bool order_row(orders_fill_t *of, PGresult *r, int row, uint32_t id) {
    long long recent = strtoll(PQgetvalue(r, row, 15), NULL, 10);
    long long name = strtoll(PQgetvalue(r, row, 16), NULL, 10);
    if (recent < 0 || recent >= of->n || name < 0 || name >= of->n)
        return false;
    of->ids[CIDX_ORDER_RECENT][recent] = id;
    of->keys[recent] = strtoll(PQgetvalue(r, row, 14), NULL, 10);
    of->ids[CIDX_ORDER_NAME][name] = id;
    return true;
}

/* Adds one fetched page of rows_cursor; the published ids also go to *published, and to the
 * orders (of->n 0: none kept, an id out of range or a position past the count made it so). */
static bool add_rows(cidx_writer_t *w, PGresult *r, roaring_bitmap_t *published,
                     orders_fill_t *of) {
    for (int row = 0; row < PQntuples(r); row++) {
        long long id = strtoll(PQgetvalue(r, row, 0), NULL, 10);
        if (id <= 0 || id > (long long)UINT32_MAX) {
            of->n = 0; /* beyond what a 32-bit bitmap holds: paged in SQL (never at our sizes) */
            continue;  /* and counted in SQL */
        }
        uint32_t u = (uint32_t)id;
        if (of->n > 0 && !order_row(of, r, row, u))
            of->n = 0;
        if (of->lonlat && u < of->npoints && !PQgetisnull(r, row, 17) && !PQgetisnull(r, row, 18)) {
            of->lonlat[2 * u] = strtod(PQgetvalue(r, row, 17), NULL);
            of->lonlat[2 * u + 1] = strtod(PQgetvalue(r, row, 18), NULL);
        }
        roaring_bitmap_add(published, u);
        if (!cidx_writer_add(w, CIDX_META, "published", 9, u))
            return false;
        if (PQgetvalue(r, row, 12)[0] == 't' && !cidx_writer_add(w, CIDX_META, "located", 7, u))
            return false;
        if (!PQgetisnull(r, row, 13) && !add_tsv(w, PQgetvalue(r, row, 13), u))
            return false;
        for (size_t c = 0; c < ARRAY_LEN(row_cols); c++) {
            if (PQgetisnull(r, row, row_cols[c].col))
                continue;
            const char *v = PQgetvalue(r, row, row_cols[c].col);
            bool ok = row_cols[c].list ? cidx_writer_add_list(w, row_cols[c].dim, v, '\x1f', u)
                                       : cidx_writer_add(w, row_cols[c].dim, v, strlen(v), u);
            if (!ok)
                return false;
        }
    }
    return true;
}

/* Reads a cursor page by page into the writer. */
static dom_status drain(const job_ctx_t *ctx, const char *fetch, cidx_writer_t *w,
                        roaring_bitmap_t *published, orders_fill_t *of, bool sources) {
    for (;;) {
        PGresult *r;
        dom_status st = run(ctx, fetch, &r);
        if (st != DOM_OK)
            return st;
        int n = PQntuples(r);
        bool ok = true;
        if (sources) {
            for (int row = 0; ok && row < n; row++) {
                long long id = strtoll(PQgetvalue(r, row, 0), NULL, 10);
                const char *code = PQgetvalue(r, row, 1);
                /* Only the published ones: the other bitmaps hold nothing else. */
                if (id > 0 && id <= (long long)UINT32_MAX &&
                    roaring_bitmap_contains(published, (uint32_t)id))
                    ok = cidx_writer_add(w, CIDX_SOURCE, code, strlen(code), (uint32_t)id);
            }
        } else {
            ok = add_rows(w, r, published, of);
        }
        PQclear(r);
        if (!ok) {
            log_msg(LOG_ERROR, "index build: out of memory");
            return DOM_INTERNAL;
        }
        if (n == 0 || *ctx->stop)
            return DOM_OK;
    }
}

dom_status job_index_build(const job_ctx_t *ctx, const char *path, long *bytes) {
    struct timespec t0, t1;
    PGresult *r = NULL;
    uint64_t position = 0, size = 0;
    roaring_bitmap_t *published = roaring_bitmap_create();
    cidx_writer_t *w = cidx_writer_new();
    orders_fill_t of = {0};
    dom_status st = DOM_INTERNAL;
    bool in_tx = false;
    *bytes = 0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (w == NULL || published == NULL)
        goto done;
    st = dom_from_db(db_tx_begin(ctx->db));
    if (st != DOM_OK)
        goto done;
    in_tx = true;
    /* One snapshot for the rows, the records and the position: a change the file misses is in a
     * transaction at or above the snapshot's xmin, which the API takes as dirty. */
    st = run(ctx, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", NULL);
    if (st == DOM_OK)
        st = run(ctx, "SELECT pg_snapshot_xmin(pg_current_snapshot())::text", &r);
    if (st != DOM_OK)
        goto done;
    position = strtoull(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    r = NULL;
    st = run(ctx,
             "SELECT count(*), coalesce(max(id), 0) FROM initiative WHERE status = 'published'",
             &r);
    if (st != DOM_OK)
        goto done;
    long long npub = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    long long max_id = strtoll(PQgetvalue(r, 0, 1), NULL, 10);
    if (max_id > 0 && max_id < (long long)UINT32_MAX) {
        of.npoints = (uint32_t)max_id + 1;
        of.lonlat = malloc((size_t)of.npoints * 2 * sizeof(double));
        if (of.lonlat == NULL) {
            st = DOM_INTERNAL;
            goto done;
        }
        for (size_t i = 0; i < (size_t)of.npoints * 2; i++)
            of.lonlat[i] = NAN;
    }
    PQclear(r);
    r = NULL;
    if (npub > 0 && npub <= (long long)UINT32_MAX) {
        of.n = (uint32_t)npub;
        of.ids[CIDX_ORDER_RECENT] = calloc(of.n, sizeof(uint32_t));
        of.ids[CIDX_ORDER_NAME] = calloc(of.n, sizeof(uint32_t));
        of.keys = calloc(of.n, sizeof(int64_t));
        if (!of.ids[CIDX_ORDER_RECENT] || !of.ids[CIDX_ORDER_NAME] || !of.keys) {
            st = DOM_INTERNAL;
            goto done;
        }
    }
    st = run(ctx, rows_cursor, NULL);
    if (st == DOM_OK)
        st = drain(ctx, "FETCH " FETCH_ROWS " FROM cidx_rows", w, published, &of, false);
    if (st == DOM_OK)
        st = run(ctx, sources_cursor, NULL);
    if (st == DOM_OK)
        st = drain(ctx, "FETCH " FETCH_ROWS " FROM cidx_sources", w, published, &of, true);
    if (st != DOM_OK || *ctx->stop)
        goto done;
    db_tx_rollback(ctx->db); /* read only: nothing to commit */
    in_tx = false;
    /* Every published initiative placed (the count and the rows are of one snapshot): the orders
     * go to the file, which then owns them. */
    if (of.n > 0 && roaring_bitmap_get_cardinality(published) == of.n) {
        cidx_writer_set_order(w, CIDX_ORDER_RECENT, of.ids[CIDX_ORDER_RECENT], of.n, of.keys);
        cidx_writer_set_order(w, CIDX_ORDER_NAME, of.ids[CIDX_ORDER_NAME], of.n, NULL);
        of.ids[CIDX_ORDER_RECENT] = of.ids[CIDX_ORDER_NAME] = NULL;
        of.keys = NULL;
    } else {
        log_msg(LOG_WARN, "index build: the orders of the pages are left out (paged in SQL)");
    }
    if (of.lonlat) {
        cidx_writer_set_points(w, of.lonlat, of.npoints);
        of.lonlat = NULL;
    }
    size_t nvalues = cidx_writer_count(w);
    cidx_status cs = cidx_writer_finish(w, path, position, &size);
    if (cs != CIDX_OK) {
        log_msg(LOG_ERROR, "index build: cannot write %s: %s (%s)", path, cidx_status_text(cs),
                strerror(errno));
        st = DOM_INTERNAL;
        goto done;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    *bytes = (long)size;
    log_msg(LOG_INFO,
            "index built: %s, %llu published initiatives, %zu bitmaps, %llu bytes, position %llu, "
            "%.1f s, peak memory %ld MB",
            path, (unsigned long long)roaring_bitmap_get_cardinality(published), nvalues,
            (unsigned long long)size, (unsigned long long)position,
            (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
            ru.ru_maxrss / 1024);
done:
    PQclear(r);
    if (in_tx)
        db_tx_rollback(ctx->db);
    cidx_writer_free(w);
    cidx_bitmap_free(published);
    for (int o = 0; o < CIDX_NORDERS; o++)
        free(of.ids[o]);
    free(of.keys);
    free(of.lonlat);
    return st;
}

dom_status job_index_run_due(const job_ctx_t *ctx, const job_index_cfg_t *cfg, bool once,
                             long *built) {
    static time_t last_check, last_built;
    static bool started;
    long bytes;
    *built = 0;
    time_t now = time(NULL);
    if (!once && now - last_check < 2) /* the dirty set is counted at most every 2 s */
        return DOM_OK;
    last_check = now;
    cidx_t *ix = NULL;
    bool due = once;
    if (!due && cidx_open(cfg->path, &ix) != CIDX_OK) {
        /* No usable file: built at the runner's start, then on the schedule only (the API counts
         * in SQL meanwhile), so that a file being replaced by hand is not raced. */
        due = !started || now - last_built >= cfg->every_s;
        if (due)
            log_msg(LOG_INFO, "index: no usable file at %s: building it", cfg->path);
    } else if (!due) {
        char pos[24];
        PGresult *r;
        snprintf(pos, sizeof pos, "%llu", (unsigned long long)cidx_position(ix));
        const char *params[] = {pos};
        dom_status st =
                dom_from_db(db_query(ctx->db, "index dirty",
                                     "SELECT count(DISTINCT initiative_id) FROM initiative_change"
                                     " WHERE xid >= $1::text::xid8",
                                     1, params, &r));
        if (st != DOM_OK) {
            cidx_close(ix);
            return st;
        }
        long dirty = strtol(PQgetvalue(r, 0, 0), NULL, 10);
        PQclear(r);
        due = dirty > cfg->dirty_max || (dirty > 0 && now - cidx_built_at(ix) >= cfg->every_s);
        if (due)
            log_msg(LOG_INFO, "index: %ld initiative(s) changed since the build: rebuilding",
                    dirty);
    }
    cidx_close(ix);
    if (!started) {
        started = true;
        last_built = now;
    }
    if (!due)
        return DOM_OK;
    dom_status st = job_index_build(ctx, cfg->path, &bytes);
    *built = st == DOM_OK;
    last_built = now;
    return st;
}

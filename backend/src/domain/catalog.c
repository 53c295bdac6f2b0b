#include "domain/catalog.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "core/log.h"
#include "domain/initiative.h"

#define CATALOG_CHANNEL "sc_data_version"

const db_stmt_t catalog_stmts[] = {
        {"catalog_version", "SELECT version FROM data_version", 0, true},
        {NULL, NULL, 0, false},
};

struct catalog_shared {
    _Atomic int64_t version; /* the highest seen by any worker; 0 before the first */
};

dom_status catalog_version(db_t *db, int64_t *version) {
    PGresult *r;
    dom_status st = dom_from_db(db_exec(db, "catalog_version", 0, NULL, &r));
    if (st != DOM_OK)
        return st;
    st = PQntuples(r) == 1 ? DOM_OK : DOM_INTERNAL;
    if (st == DOM_OK)
        *version = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
    PQclear(r);
    return st;
}

catalog_shared_t *catalog_shared_new(void) {
    void *p = mmap(NULL, sizeof(catalog_shared_t), PROT_READ | PROT_WRITE,
                   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    catalog_shared_t *s = p;
    atomic_init(&s->version, 0);
    return s;
}

/* Raises the shared version to v unless a higher one is there already. */
static void catalog_share(catalog_shared_t *s, int64_t v) {
    if (s == NULL)
        return;
    int64_t seen = atomic_load(&s->version);
    while (seen < v && !atomic_compare_exchange_weak(&s->version, &seen, v)) {
    }
}

static void catalog_learn(catalog_watch_t *w, int64_t v) {
    if (v > w->version)
        w->version = v;
    catalog_share(w->shared, v);
}

static void catalog_on_notify(void *arg, const char *channel, const char *payload) {
    catalog_watch_t *w = arg;
    char *end;
    if (strcmp(channel, CATALOG_CHANNEL) != 0)
        return;
    long long v = strtoll(payload, &end, 10);
    if (end != payload && *end == '\0')
        catalog_learn(w, v);
}

static double catalog_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

void catalog_watch_start(db_t *db, catalog_watch_t *w, catalog_shared_t *shared) {
    memset(w, 0, sizeof *w);
    w->shared = shared;
    w->version = -1;
    db_on_notify(db, catalog_on_notify, w);
    if (db_listen(db, CATALOG_CHANNEL) != DB_OK)
        log_msg(LOG_WARN, "postgres unreachable: data version notifications after reconnect");
}

/* PostgreSQL answers: takes the notifications, or reads the version after a (re)connect. */
static dom_status catalog_watch_read(db_t *db, catalog_watch_t *w) {
    if (db_poll_notify(db) != DB_OK)
        return DOM_UNAVAILABLE;
    if (w->version >= 0 && w->connects == db_connects(db))
        return DOM_OK;
    /* A new connection: it subscribed before this query, so no later write can be missed. */
    int64_t v;
    dom_status st = catalog_version(db, &v);
    if (st != DOM_OK)
        return st;
    /* The query ran on the connection now open (a retry reconnects, and subscribes, first). */
    catalog_learn(w, v);
    w->connects = db_connects(db);
    return DOM_OK;
}

dom_status catalog_watch_version(db_t *db, catalog_watch_t *w, int64_t *version, bool *confirmed,
                                 double *unconfirmed_s) {
    double now = catalog_now_ms();
    /* While PostgreSQL is down, a request that needs it reconnects on its own: follow at once. */
    if (w->down_since_ms == 0 || now >= w->retry_at_ms || w->connects != db_connects(db)) {
        dom_status st = db_connect_if_needed(db) ? catalog_watch_read(db, w) : DOM_UNAVAILABLE;
        if (st == DOM_INTERNAL)
            return st;
        if (st == DOM_OK) {
            w->down_since_ms = 0;
        } else {
            if (w->down_since_ms == 0)
                w->down_since_ms = now;
            w->retry_at_ms = now + CATALOG_RETRY_MS;
        }
    }
    /* Another worker's write, published before it was answered. */
    if (w->shared != NULL && w->version >= 0)
        catalog_learn(w, atomic_load(&w->shared->version));
    if (w->version < 0)
        return DOM_UNAVAILABLE;
    *version = w->version;
    *confirmed = w->down_since_ms == 0;
    *unconfirmed_s = *confirmed ? 0 : (now - w->down_since_ms) / 1000.0;
    return DOM_OK;
}

/* app: what every handler receives — the worker's connections and the configuration. */
#ifndef SC_APP_H
#define SC_APP_H

#include "core/config.h"
#include "domain/catalog.h"
#include "storage/cache.h"
#include "storage/db.h"

typedef struct app {
    db_t *db;              /* owned by the worker */
    cache_t *cache;        /* owned by the worker */
    const cfg_t *cfg;      /* borrowed; static */
    catalog_watch_t watch; /* the data version as this worker follows it (reply_cached) */
} app_t;

#endif

#include "domain/alert.h"
#include "domain/catalog.h"
#include "domain/geocoder.h"
#include "domain/initiative.h"
#include "domain/search.h"
#include "domain/source.h"
#include "domain/suggest.h"
#include "domain/territory.h"
#include "domain/vocab.h"
#include "http/handlers.h"

static const route_t routes[] = {
        {"GET", "/api/v1/health", handle_health},
        {"GET", "/api/v1/vocabularies", handle_vocabularies},
        {"GET", "/api/v1/initiatives", handle_initiative_list},
        {"GET", "/api/v1/initiatives/{id}", handle_initiative_get},
        {"GET", "/api/v1/search", handle_search},
        {"GET", "/api/v1/suggest", handle_suggest},
        {"GET", "/api/v1/territories", handle_territory_suggest},
        {"GET", "/api/v1/territories/{ref}", handle_territory_get},
        {"GET", "/api/v1/territories/{ref}/contour", handle_territory_contour},
        {"GET", "/api/v1/geocode", handle_geocode},
        {"GET", "/api/v1/map/clusters", handle_map_clusters},
        {"GET", "/api/v1/map/choropleth", handle_map_choropleth},
        {"GET", "/api/v1/sources", handle_source_list},
        {"GET", "/api/v1/sources/{slug}", handle_source_get},
        {"GET", "/api/v1/sources/{slug}/runs", handle_source_runs},
        {"GET", "/api/v1/alerts/unsubscribe", handle_alert_unsubscribe_check},
        {"POST", "/api/v1/alerts/unsubscribe", handle_alert_unsubscribe},
};

static const db_stmt_t *const statements[] = {
        alert_stmts,  catalog_stmts, geocoder_stmts,  initiative_stmts, search_stmts,
        source_stmts, suggest_stmts, territory_stmts, vocab_stmts,
};

const route_t *routes_table(size_t *n) {
    *n = ARRAY_LEN(routes);
    return routes;
}

const db_stmt_t *const *routes_statements(size_t *n) {
    *n = ARRAY_LEN(statements);
    return statements;
}

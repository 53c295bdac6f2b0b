#include "domain/map.h"

#include <stdio.h>

#include "core/log.h"
#include "domain/initiative.h"
#include "domain/search_where.h"
#include "domain/sqlbuild.h"

/* Runs a query whose single value is a JSON document and parses it. */
static search_status map_run(db_t *db, sqlb_t *b, const char *label, json_t **out,
                             search_error_t *err) {
    PGresult *r = NULL;
    json_error_t jerr;
    *out = NULL;
    if (!sqlb_ok(b)) {
        log_msg("error", "map: cannot assemble %s", label);
        err->dom = DOM_INTERNAL;
        return SEARCH_FAILED;
    }
    err->dom = dom_from_db(
            db_query(db, label, buf_cstr(&b->sql), b->n, (const char *const *)b->params, &r));
    if (err->dom != DOM_OK)
        return SEARCH_FAILED;
    if (PQntuples(r) == 1 && !PQgetisnull(r, 0, 0))
        *out = json_loadb(PQgetvalue(r, 0, 0), (size_t)PQgetlength(r, 0, 0), 0, &jerr);
    PQclear(r);
    if (*out == NULL) {
        log_msg("error", "map: unreadable answer of %s", label);
        err->dom = DOM_INTERNAL;
        return SEARCH_FAILED;
    }
    return SEARCH_OK;
}

search_status map_clusters(db_t *db, const search_query_t *sq, int zoom, json_t **out,
                           search_error_t *err) {
    sqlb_t b;
    *out = NULL;
    if (zoom < 0 || zoom > MAP_ZOOM_MAX) {
        err->dom = DOM_INTERNAL;
        return SEARCH_FAILED;
    }
    sqlb_init(&b);
    sqlb_sql(&b, "SELECT json_build_object('type', 'FeatureCollection', 'features',"
                 " coalesce(json_agg(json_build_object('type', 'Feature',"
                 "   'geometry', ST_AsGeoJSON(c.pt, 6)::json,"
                 "   'properties', CASE WHEN c.n = 1"
                 "     THEN json_build_object('cluster', false, 'count', 1, 'id', m.id,"
                 "                            'title', m.title, 'themes', to_json(m.themes))"
                 "     ELSE json_build_object('cluster', true, 'count', c.n, 'bbox',"
                 "       json_build_array(round(ST_XMin(c.e)::numeric, 6),"
                 "                        round(ST_YMin(c.e)::numeric, 6),"
                 "                        round(ST_XMax(c.e)::numeric, 6),"
                 "                        round(ST_YMax(c.e)::numeric, 6))) END)"
                 "   ORDER BY c.n DESC, c.id), '[]'::json))::text"
                 " FROM (SELECT count(*) AS n, min(i.id) AS id,"
                 "   ST_Centroid(ST_Collect(i.geom)) AS pt, ST_Extent(i.geom) AS e"
                 "   FROM initiative i");
    search_status ss = search_where_sql(db, sq, &b, err);
    if (ss == SEARCH_OK) {
        sqlb_sql(&b, " AND i.geom IS NOT NULL GROUP BY ST_SnapToGrid(i.geom, ");
        sqlb_paramf(&b, "%.12f", 360.0 / (double)(1L << zoom) / 4.0);
        sqlb_sql(&b, "::float8)) c LEFT JOIN initiative m ON c.n = 1 AND m.id = c.id");
        ss = map_run(db, &b, "map clusters", out, err);
    }
    sqlb_free(&b);
    return ss;
}

search_status map_choropleth(db_t *db, const search_query_t *sq, map_level level, json_t **out,
                             search_error_t *err) {
    bool reg = level == MAP_REGION;
    sqlb_t b;
    *out = NULL;
    sqlb_init(&b);
    sqlb_sql(&b, "SELECT json_build_object('type', 'FeatureCollection', 'features',"
                 " coalesce(json_agg(json_build_object('type', 'Feature',"
                 "   'properties', json_build_object('ref', t.level || ':' || t.code,"
                 "     'code', t.code, 'name', t.name, 'count', coalesce(k.n, 0),"
                 "     'per_100k', CASE WHEN t.population > 0"
                 "       THEN round(coalesce(k.n, 0) * 100000.0 / t.population, 1) END),"
                 "   'geometry', ST_AsGeoJSON(ST_SimplifyPreserveTopology(t.contour, ");
    sqlb_sql(&b, reg ? "0.02" : "0.01");
    sqlb_sql(&b, "), 5)::json) ORDER BY t.code), '[]'::json))::text"
                 " FROM territory t LEFT JOIN (SELECT ");
    sqlb_sql(&b, reg ? "i.region_code" : "i.departement_code");
    sqlb_sql(&b, " AS code, count(*) AS n FROM initiative i");
    search_status ss = search_where_sql(db, sq, &b, err);
    if (ss == SEARCH_OK) {
        sqlb_sql(&b, " GROUP BY 1) k ON k.code = t.code WHERE t.level = ");
        sqlb_sql(&b, reg ? "'region'" : "'departement'");
        ss = map_run(db, &b, "map choropleth", out, err);
    }
    sqlb_free(&b);
    return ss;
}

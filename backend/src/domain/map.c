#include "domain/map.h"

#include <math.h>
#include <stdio.h>

#include "core/log.h"
#include "domain/rows.h"
#include "domain/search/filter.h"
#include "domain/search_where.h"
#include "domain/sqlbuild.h"
#include "domain/status.h"

/* Runs a query whose single value is a JSON document and parses it. */
static search_status map_run(db_t *db, sqlb_t *b, const char *label, json_t **out,
                             search_error_t *err) {
    PGresult *r = NULL;
    json_error_t jerr;
    *out = NULL;
    err->dom = dom_query_built(db, label, b, &r);
    if (err->dom != DOM_OK)
        return SEARCH_FAILED;
    if (PQntuples(r) == 1 && !PQgetisnull(r, 0, 0))
        *out = json_loadb(PQgetvalue(r, 0, 0), (size_t)PQgetlength(r, 0, 0), 0, &jerr);
    PQclear(r);
    if (*out == NULL) {
        log_msg(LOG_ERROR, "map: unreadable answer of %s", label);
        err->dom = DOM_INTERNAL;
        return SEARCH_FAILED;
    }
    return SEARCH_OK;
}

/* True when the search has no filter but its box: the map then reads map_point
 * (sql/migrations/015_map_points.sql), the narrow rows of the published initiatives' points. */
static bool box_only(const search_query_t *sq) {
    if ((sq->q && sq->q[0]) || sq->nterritories > 0 || sq->year_min || sq->year_max || sq->has_near)
        return false;
    for (int k = 0; k < SEARCH_NKINDS; k++)
        if (sq->codes[k].n > 0)
            return false;
    return true;
}

/* The box of the search, as the search tests it (geom && envelope). */
static void envelope(sqlb_t *b, const double bbox[4]) {
    sqlb_sql(b, "ST_MakeEnvelope(");
    for (int i = 0; i < 4; i++) {
        sqlb_paramf(b, "%.7f", bbox[i]);
        sqlb_sql(b, i < 3 ? "::float8, " : "::float8, 4326)");
    }
}

/* The clusters of the unfiltered map from the cell levels of map_cell (sql/migrations/
 * 015_map_points.sql): the cells of level max(zoom, MAP_CELL_LEVEL_MIN) lying inside the box, by
 * a margin that covers the float rounding of the box test, are added up; the points of the other
 * cells are read from map_point and tested like the search does. A cell lies within one cluster,
 * found from its centre; the points on the edges of the cells of that level, kept out of them,
 * are read too. Appends " FROM (…) c"; false, appending nothing, when no cell lies
 * inside the box (a small box: its points are few). */
static bool cells_sql(sqlb_t *b, const double bbox[4], int zoom, const char *cell) {
    const double eps = 1e-4;
    int g = zoom < MAP_CELL_LEVEL_MIN ? MAP_CELL_LEVEL_MIN : zoom;
    double w = 360.0 / (double)(1L << (g + 5));
    double lo[2], hi[2];
    char num[32];
    int p_lo[2], p_hi[2];
    for (int a = 0; a < 2; a++) {
        lo[a] = ceil((bbox[a] + eps) / w);
        hi[a] = floor((bbox[a + 2] - eps) / w) - 1;
        if (lo[a] > hi[a])
            return false;
    }
    /* The cell's size, the level and the bounds of the cells are bound once, each used twice or
     * more; the level twice, as a smallint (map_cell.g, map_point.grid) and as the int of
     * map_cell_of, as one parameter takes one type. */
    int p_cell = sqlb_bind(b, cell);
    snprintf(num, sizeof num, "%d", g);
    int p_g_small = sqlb_bind(b, num), p_g_int = sqlb_bind(b, num);
    for (int a = 0; a < 2; a++) {
        snprintf(num, sizeof num, "%.0f", lo[a]);
        p_lo[a] = sqlb_bind(b, num);
        snprintf(num, sizeof num, "%.0f", hi[a]);
        p_hi[a] = sqlb_bind(b, num);
    }
    sqlb_sql(b,
             " FROM (SELECT sum(u.n) AS n, min(u.id) AS id,"
             "   ST_SetSRID(ST_MakePoint(sum(u.sx) / sum(u.n), sum(u.sy) / sum(u.n)), 4326) AS pt,"
             "   ST_MakeEnvelope(min(u.x0), min(u.y0), max(u.x1), max(u.y1)) AS e FROM ("
             "   SELECT round((c.cx + 0.5) * 360 / 2 ^ (c.g + 5) / ");
    sqlb_ref(b, p_cell);
    sqlb_sql(b, "::float8) AS kx, round((c.cy + 0.5) * 360 / 2 ^ (c.g + 5) / ");
    sqlb_ref(b, p_cell);
    sqlb_sql(b, "::float8) AS ky, c.n, c.min_id AS id, c.sx, c.sy, c.x0, c.y0, c.x1, c.y1"
                " FROM map_cell c WHERE c.g = ");
    sqlb_ref(b, p_g_small);
    sqlb_sql(b, "::smallint AND c.cx BETWEEN ");
    sqlb_ref(b, p_lo[0]);
    sqlb_sql(b, "::int AND ");
    sqlb_ref(b, p_hi[0]);
    sqlb_sql(b, "::int AND c.cy BETWEEN ");
    sqlb_ref(b, p_lo[1]);
    sqlb_sql(b, "::int AND ");
    sqlb_ref(b, p_hi[1]);
    sqlb_sql(b, "::int UNION ALL SELECT round(p.x / ");
    sqlb_ref(b, p_cell);
    sqlb_sql(b, "::float8), round(p.y / ");
    sqlb_ref(b, p_cell);
    sqlb_sql(b, "::float8), 1, p.id, p.x, p.y, p.x, p.y, p.x, p.y FROM map_point p"
                " WHERE ((p.x BETWEEN ");
    /* The strips of the box where a point may lie in a cell on the edge; elsewhere it cannot.
     * The margin covers the float rounding of the box test. */
    sqlb_paramf(b, "%.9f", bbox[0] - eps);
    sqlb_sql(b, "::float8 AND ");
    sqlb_paramf(b, "%.9f", lo[0] * w + eps);
    sqlb_sql(b, "::float8 OR p.x BETWEEN ");
    sqlb_paramf(b, "%.9f", (hi[0] + 1) * w - eps);
    sqlb_sql(b, "::float8 AND ");
    sqlb_paramf(b, "%.9f", bbox[2] + eps);
    sqlb_sql(b, "::float8 OR p.y BETWEEN ");
    sqlb_paramf(b, "%.9f", bbox[1] - eps);
    sqlb_sql(b, "::float8 AND ");
    sqlb_paramf(b, "%.9f", lo[1] * w + eps);
    sqlb_sql(b, "::float8 OR p.y BETWEEN ");
    sqlb_paramf(b, "%.9f", (hi[1] + 1) * w - eps);
    sqlb_sql(b, "::float8 AND ");
    sqlb_paramf(b, "%.9f", bbox[3] + eps);
    sqlb_sql(b, "::float8) AND NOT (map_cell_of(p.x, ");
    sqlb_ref(b, p_g_int);
    sqlb_sql(b, "::int) BETWEEN ");
    sqlb_ref(b, p_lo[0]);
    sqlb_sql(b, "::int AND ");
    sqlb_ref(b, p_hi[0]);
    sqlb_sql(b, "::int AND map_cell_of(p.y, ");
    sqlb_ref(b, p_g_int);
    sqlb_sql(b, "::int) BETWEEN ");
    sqlb_ref(b, p_lo[1]);
    sqlb_sql(b, "::int AND ");
    sqlb_ref(b, p_hi[1]);
    sqlb_sql(b, "::int) OR p.grid <= ");
    sqlb_ref(b, p_g_small);
    sqlb_sql(b, "::smallint) AND p.geom && ");
    envelope(b, bbox);
    sqlb_sql(b, ") u GROUP BY u.kx, u.ky) c");
    return true;
}

search_status map_clusters(db_t *db, const search_query_t *sq, int zoom, json_t **out,
                           search_error_t *err) {
    sqlb_t b;
    char cell[64];
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
                 "   ORDER BY c.n DESC, c.id), '[]'::json))::text");
    /* The grid: ST_SnapToGrid rounds to the nearest multiple of the cell, as round() does. */
    snprintf(cell, sizeof cell, "%.12f", 360.0 / (double)(1L << zoom) / 4.0);
    if (box_only(sq) && sq->has_bbox) {
        if (zoom <= MAP_CELL_ZOOM_MAX && cells_sql(&b, sq->bbox, zoom, cell)) {
            /* done: the cells inside the box and the points of its edges */
        } else {
            sqlb_sql(&b, " FROM (SELECT count(*) AS n, min(p.id) AS id,"
                         "   ST_SetSRID(ST_MakePoint(avg(p.x), avg(p.y)), 4326) AS pt,"
                         "   ST_MakeEnvelope(min(p.x), min(p.y), max(p.x), max(p.y)) AS e"
                         "   FROM map_point p WHERE p.geom && ");
            envelope(&b, sq->bbox);
            int p_cell = sqlb_bind(&b, cell);
            sqlb_sql(&b, " GROUP BY round(p.x / ");
            sqlb_ref(&b, p_cell);
            sqlb_sql(&b, "::float8), round(p.y / ");
            sqlb_ref(&b, p_cell);
            sqlb_sql(&b, "::float8)) c");
        }
        sqlb_sql(&b, " LEFT JOIN initiative m ON c.n = 1 AND m.id = c.id");
        search_status ss = map_run(db, &b, "map clusters", out, err);
        sqlb_free(&b);
        return ss;
    }
    sqlb_sql(&b, " FROM (SELECT count(*) AS n, min(i.id) AS id,"
                 "   ST_Centroid(ST_Collect(i.geom)) AS pt, ST_Extent(i.geom) AS e"
                 "   FROM initiative i");
    search_status ss = search_where_sql(db, sq, &b, err);
    if (ss == SEARCH_OK) {
        sqlb_sql(&b, " AND i.geom IS NOT NULL GROUP BY ST_SnapToGrid(i.geom, ");
        sqlb_param(&b, cell);
        sqlb_sql(&b, "::float8)) c LEFT JOIN initiative m ON c.n = 1 AND m.id = c.id");
        ss = map_run(db, &b, "map clusters", out, err);
    }
    sqlb_free(&b);
    return ss;
}

search_status map_choropleth(db_t *db, const search_query_t *sq, map_level level, json_t **out,
                             search_error_t *err) {
    bool reg = level == MAP_REGION;
    const char *lvl = reg ? "region" : "departement";
    sqlb_t b;
    *out = NULL;
    sqlb_init(&b);
    sqlb_sql(&b, "SELECT json_build_object('type', 'FeatureCollection', 'features',"
                 " coalesce(json_agg(json_build_object('type', 'Feature',"
                 "   'properties', json_build_object('ref', t.level || ':' || t.code,"
                 "     'code', t.code, 'name', t.name, 'count', coalesce(k.n, 0),"
                 "     'per_100k', CASE WHEN t.population > 0"
                 "       THEN round(coalesce(k.n, 0) * 100000.0 / t.population, 1) END),"
                 "   'geometry', t.map_geojson::json) ORDER BY t.code), '[]'::json))::text"
                 " FROM territory t LEFT JOIN (SELECT ");
    const char *fkind, *fcode;
    search_status ss;
    if (sq->nterritories == 0 &&
        search_precounted(sq, reg ? SEARCH_FACET_REGION : SEARCH_FACET_DEPARTEMENT, &fkind,
                          &fcode)) {
        /* The counts of the région or département facet under the same filter (at most one
         * code, no territory): read, not counted. The codes are checked as a search would. */
        sqlb_t check;
        sqlb_init(&check);
        ss = search_where_sql(db, sq, &check, err);
        sqlb_free(&check);
        sqlb_sql(&b, "c.code, c.n FROM facet_count c WHERE c.fkind = ");
        sqlb_param(&b, fkind);
        sqlb_sql(&b, " AND c.fcode = ");
        sqlb_param(&b, fcode);
        sqlb_sql(&b, " AND c.kind = '");
        sqlb_sql(&b, lvl);
        sqlb_sql(&b, "'");
        sqlb_sql(&b, " AND c.n > 0");
    } else {
        sqlb_sql(&b, "i.");
        sqlb_sql(&b, search_level_column(lvl));
        sqlb_sql(&b, " AS code, count(*) AS n FROM initiative i");
        ss = search_where_sql(db, sq, &b, err);
        if (ss == SEARCH_OK)
            sqlb_sql(&b, " GROUP BY 1");
    }
    if (ss == SEARCH_OK) {
        sqlb_sql(&b, ") k ON k.code = t.code WHERE t.level = '");
        sqlb_sql(&b, lvl);
        sqlb_sql(&b, "'");
        ss = map_run(db, &b, "map choropleth", out, err);
    }
    sqlb_free(&b);
    return ss;
}

search_status map_extent(db_t *db, const search_query_t *sq, json_t **out, search_error_t *err) {
    sqlb_t b;
    *out = NULL;
    sqlb_init(&b);
    /* The overseas régions by their INSEE code; every other located match is metropolitan.
     * Zones are kept apart because one box around Paris and La Réunion frames the whole world. */
    sqlb_sql(&b,
             "SELECT json_build_object('bbox', CASE WHEN count(*) > 0 THEN"
             "   json_build_array(min(z.x0), min(z.y0), max(z.x1), max(z.y1)) END,"
             " 'located', coalesce(sum(z.n), 0),"
             " 'zones', coalesce(json_agg(json_build_object('zone', z.zone, 'count', z.n,"
             "   'bbox', json_build_array(z.x0, z.y0, z.x1, z.y1)) ORDER BY z.n DESC, z.zone),"
             "   '[]'::json))::text FROM ("
             " SELECT e.zone, e.n, round(ST_XMin(e.e)::numeric, 5) AS x0,"
             "   round(ST_YMin(e.e)::numeric, 5) AS y0, round(ST_XMax(e.e)::numeric, 5) AS x1,"
             "   round(ST_YMax(e.e)::numeric, 5) AS y1 FROM ("
             "  SELECT CASE i.region_code WHEN '01' THEN 'guadeloupe' WHEN '02' THEN 'martinique'"
             "   WHEN '03' THEN 'guyane' WHEN '04' THEN 'reunion' WHEN '06' THEN 'mayotte'"
             "   ELSE 'metropole' END AS zone, count(*) AS n, ST_Extent(i.geom) AS e"
             "  FROM initiative i");
    search_status ss = search_where_sql(db, sq, &b, err);
    if (ss == SEARCH_OK) {
        sqlb_sql(&b, " AND i.geom IS NOT NULL GROUP BY 1) e) z");
        ss = map_run(db, &b, "map extent", out, err);
    }
    sqlb_free(&b);
    return ss;
}

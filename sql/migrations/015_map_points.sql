-- The points of the map: one narrow row per published initiative that has a place, kept by
-- triggers. Clustering the whole of France from the initiative table reads its 1.4 GB (2.5 to 4 s
-- at 1,000,000 initiatives); from these rows, about 40 MB. Used by the map when the search has no
-- filter but its box (domain/map.c); a filtered map reads the initiatives.
-- The first cell level (below) on whose cell edges a point lies, if any: such a point is not
-- counted in the cells of that level and the finer ones, but read on its own, since a cluster's
-- rounding sends a point lying exactly halfway between two clusters to the even one.
CREATE FUNCTION map_grid_level(x float8, y float8) RETURNS smallint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT min(g)::smallint FROM generate_series(3, 8) g
           WHERE x * 2 ^ (g + 5) / 360 = floor(x * 2 ^ (g + 5) / 360)
              OR y * 2 ^ (g + 5) / 360 = floor(y * 2 ^ (g + 5) / 360) $$;

CREATE TABLE map_point (
    id   bigint PRIMARY KEY,
    x    float8 NOT NULL,  -- ST_X(geom), ST_Y(geom): the coordinates grouped and averaged
    y    float8 NOT NULL,
    geom geometry(Point, 4326) NOT NULL,  -- for the box test, the same as the search's
    grid smallint GENERATED ALWAYS AS (map_grid_level(x, y)) STORED
);
CREATE INDEX map_point_geom_idx ON map_point USING gist (geom);

CREATE FUNCTION map_point_trigger() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        TRUNCATE map_point;
        RETURN NULL;
    END IF;
    IF TG_OP = 'DELETE' THEN
        DELETE FROM map_point p USING old_rows o WHERE p.id = o.id;
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        -- Only the rows whose status or place changed: those that leave the map are deleted,
        -- the others written.
        WITH changed AS (
            SELECT n.* FROM old_rows o JOIN new_rows n ON n.id = o.id
             WHERE o.status IS DISTINCT FROM n.status
                OR ST_AsBinary(o.geom) IS DISTINCT FROM ST_AsBinary(n.geom)),
        gone AS (
            DELETE FROM map_point p USING changed c
             WHERE p.id = c.id AND NOT (c.status = 'published' AND c.geom IS NOT NULL))
        INSERT INTO map_point (id, x, y, geom)
        SELECT c.id, ST_X(c.geom), ST_Y(c.geom), c.geom
          FROM changed c WHERE c.status = 'published' AND c.geom IS NOT NULL
        ON CONFLICT (id) DO UPDATE SET x = EXCLUDED.x, y = EXCLUDED.y, geom = EXCLUDED.geom;
        RETURN NULL;
    END IF;
    INSERT INTO map_point (id, x, y, geom)
    SELECT n.id, ST_X(n.geom), ST_Y(n.geom), n.geom
      FROM new_rows n WHERE n.status = 'published' AND n.geom IS NOT NULL;
    RETURN NULL;
END $$;

CREATE TRIGGER initiative_map_insert AFTER INSERT ON initiative
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION map_point_trigger();
CREATE TRIGGER initiative_map_update AFTER UPDATE ON initiative
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION map_point_trigger();
CREATE TRIGGER initiative_map_delete AFTER DELETE ON initiative
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION map_point_trigger();
CREATE TRIGGER initiative_map_truncate AFTER TRUNCATE ON initiative
    FOR EACH STATEMENT EXECUTE FUNCTION map_point_trigger();

INSERT INTO map_point (id, x, y, geom)
SELECT id, ST_X(geom), ST_Y(geom), geom FROM initiative
 WHERE status = 'published' AND geom IS NOT NULL;
ANALYZE map_point;

-- Cluster levels of the unfiltered map. The clusters of zoom z group the points by
-- ST_SnapToGrid(geom, s) with s = 360 / 2^z / 4 degrees, that is by round(x / s): their
-- boundaries fall at odd multiples of s / 2. The cells of level g (3 to 8) are
-- [cx, cx + 1) × [cy, cy + 1) in units of 360 / 2^(g + 5) degrees (s / 8 at zoom g): every
-- boundary of zoom z <= g is a cell boundary, so each cell lies within one cluster of any such
-- zoom. The map adds up the cells lying inside its box and reads the points of the cells on its
-- edges one by one (domain/map.c). Per cell: the number of points, the sums of their coordinates
-- (the centroid of a cluster is their mean), their extent and the smallest id.
CREATE TABLE map_cell (
    g      smallint NOT NULL,
    cx     integer NOT NULL,
    cy     integer NOT NULL,
    n      integer NOT NULL,
    sx     float8 NOT NULL,
    sy     float8 NOT NULL,
    x0     float8 NOT NULL,
    y0     float8 NOT NULL,
    x1     float8 NOT NULL,
    y1     float8 NOT NULL,
    min_id bigint NOT NULL,
    PRIMARY KEY (g, cx, cy)
);
CREATE INDEX map_point_x_idx ON map_point (x);
CREATE INDEX map_point_y_idx ON map_point (y);
CREATE INDEX map_point_grid_idx ON map_point (grid) WHERE grid IS NOT NULL;

-- The cell of a coordinate at level g.
CREATE FUNCTION map_cell_of(v float8, g integer) RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT floor(v * (2 ^ (g + 5)) / 360)::integer $$;

-- Recomputes the cells of map_cell_dirty (g, cx, cy) from map_point.
CREATE TEMP TABLE map_cell_dirty (g integer, cx integer, cy integer) ON COMMIT DELETE ROWS;
CREATE FUNCTION map_cell_recompute() RETURNS void
    LANGUAGE sql
    AS $$
    DELETE FROM map_cell c USING (SELECT DISTINCT g, cx, cy FROM map_cell_dirty) d
     WHERE c.g = d.g AND c.cx = d.cx AND c.cy = d.cy;
    INSERT INTO map_cell (g, cx, cy, n, sx, sy, x0, y0, x1, y1, min_id)
    SELECT d.g, d.cx, d.cy, a.n, a.sx, a.sy, a.x0, a.y0, a.x1, a.y1, a.min_id
      FROM (SELECT DISTINCT g, cx, cy FROM map_cell_dirty) d,
           LATERAL (SELECT count(*)::integer AS n, sum(p.x) AS sx, sum(p.y) AS sy, min(p.x) AS x0,
                           min(p.y) AS y0, max(p.x) AS x1, max(p.y) AS y1, min(p.id) AS min_id
                      FROM map_point p
                     WHERE p.x >= d.cx * 360 / 2 ^ (d.g + 5) - 1e-6
                       AND p.x < (d.cx + 1) * 360 / 2 ^ (d.g + 5) + 1e-6
                       AND map_cell_of(p.x, d.g) = d.cx AND map_cell_of(p.y, d.g) = d.cy
                       AND (p.grid IS NULL OR p.grid > d.g)) a
     WHERE a.n > 0
     ORDER BY 1, 2, 3;
    DELETE FROM map_cell_dirty;
$$;

CREATE FUNCTION map_cell_trigger() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        TRUNCATE map_cell;
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        -- New points only add to their cells.
        INSERT INTO map_cell AS c (g, cx, cy, n, sx, sy, x0, y0, x1, y1, min_id)
        SELECT g, map_cell_of(p.x, g), map_cell_of(p.y, g), count(*), sum(p.x), sum(p.y),
               min(p.x), min(p.y), max(p.x), max(p.y), min(p.id)
          FROM new_rows p, generate_series(3, 8) g
         WHERE p.grid IS NULL OR p.grid > g
         GROUP BY 1, 2, 3
         ORDER BY 1, 2, 3
        ON CONFLICT (g, cx, cy) DO UPDATE
           SET n = c.n + EXCLUDED.n, sx = c.sx + EXCLUDED.sx, sy = c.sy + EXCLUDED.sy,
               x0 = least(c.x0, EXCLUDED.x0), y0 = least(c.y0, EXCLUDED.y0),
               x1 = greatest(c.x1, EXCLUDED.x1), y1 = greatest(c.y1, EXCLUDED.y1),
               min_id = least(c.min_id, EXCLUDED.min_id);
        RETURN NULL;
    END IF;
    -- A point that moves or leaves: its cells are counted again.
    IF to_regclass('pg_temp.map_cell_dirty') IS NULL THEN
        CREATE TEMP TABLE map_cell_dirty (g integer, cx integer, cy integer) ON COMMIT DELETE ROWS;
    END IF;
    INSERT INTO map_cell_dirty
    SELECT g, map_cell_of(o.x, g), map_cell_of(o.y, g) FROM old_rows o, generate_series(3, 8) g;
    IF TG_OP = 'UPDATE' THEN
        INSERT INTO map_cell_dirty
        SELECT g, map_cell_of(n.x, g), map_cell_of(n.y, g) FROM new_rows n, generate_series(3, 8) g;
    END IF;
    PERFORM map_cell_recompute();
    RETURN NULL;
END $$;

CREATE TRIGGER map_point_cell_insert AFTER INSERT ON map_point
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION map_cell_trigger();
CREATE TRIGGER map_point_cell_update AFTER UPDATE ON map_point
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION map_cell_trigger();
CREATE TRIGGER map_point_cell_delete AFTER DELETE ON map_point
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION map_cell_trigger();
CREATE TRIGGER map_point_cell_truncate AFTER TRUNCATE ON map_point
    FOR EACH STATEMENT EXECUTE FUNCTION map_cell_trigger();

INSERT INTO map_cell (g, cx, cy, n, sx, sy, x0, y0, x1, y1, min_id)
SELECT g, map_cell_of(p.x, g), map_cell_of(p.y, g), count(*), sum(p.x), sum(p.y),
       min(p.x), min(p.y), max(p.x), max(p.y), min(p.id)
  FROM map_point p, generate_series(3, 8) g
 WHERE p.grid IS NULL OR p.grid > g
 GROUP BY 1, 2, 3;
ANALYZE map_cell;

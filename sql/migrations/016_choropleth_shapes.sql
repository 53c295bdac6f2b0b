-- The outlines of the choropleth (GET /api/v1/map/choropleth), simplified and written as GeoJSON
-- once, when a région or département is written, rather than at every request: the 101
-- départements took about 200 ms to simplify and write at each answer.
ALTER TABLE territory ADD COLUMN map_geojson text GENERATED ALWAYS AS (
    CASE level
        WHEN 'region' THEN ST_AsGeoJSON(ST_SimplifyPreserveTopology(contour, 0.02), 5)
        WHEN 'departement' THEN ST_AsGeoJSON(ST_SimplifyPreserveTopology(contour, 0.01), 5)
    END) STORED;

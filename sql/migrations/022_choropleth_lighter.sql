-- Lighter choropleth outlines: three decimals (about 100 m) and a coarser simplification for the
-- départements (0.015°, about 1.5 km, still finer than a pixel at the zooms where the map shows
-- them). The document of the 101 départements goes from 259 KB to 146 KB; a cached answer is
-- mostly the cost of moving those bytes (p50 5.5 ms with eight clients at 270 KB).
ALTER TABLE territory DROP COLUMN map_geojson;
ALTER TABLE territory ADD COLUMN map_geojson text GENERATED ALWAYS AS (
    CASE level
        WHEN 'region' THEN ST_AsGeoJSON(ST_SimplifyPreserveTopology(contour, 0.03), 3)
        WHEN 'departement' THEN ST_AsGeoJSON(ST_SimplifyPreserveTopology(contour, 0.015), 3)
    END) STORED;
-- Cached answers hold the former outlines: a new data version retires them.
UPDATE data_version SET version = version + 1;

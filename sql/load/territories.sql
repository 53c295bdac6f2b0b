-- Loads régions and départements with their contours from ../shared/geodata (psql variables
-- :regions and :departements). A département's région is the one containing a point inside it.
\set ON_ERROR_STOP on
\set regions_text `cat :'regions'`
\set departements_text `cat :'departements'`
BEGIN;
CREATE TEMP TABLE territory_in ON COMMIT DROP AS
SELECT 'region' AS level, f->'properties'->>'code' AS code, f->'properties'->>'nom' AS name,
       ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_SetSRID(ST_GeomFromGeoJSON(f->'geometry'), 4326)), 3)) AS contour
  FROM jsonb_array_elements(:'regions_text'::jsonb->'features') AS f
UNION ALL
SELECT 'departement', f->'properties'->>'code', f->'properties'->>'nom',
       ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_SetSRID(ST_GeomFromGeoJSON(f->'geometry'), 4326)), 3))
  FROM jsonb_array_elements(:'departements_text'::jsonb->'features') AS f;

INSERT INTO territory (level, code, name, contour, point)
SELECT level, code, name, contour, ST_PointOnSurface(contour) FROM territory_in
ON CONFLICT (level, code) DO UPDATE
   SET name = EXCLUDED.name, contour = EXCLUDED.contour, point = EXCLUDED.point
 WHERE territory.name IS DISTINCT FROM EXCLUDED.name
    OR ST_AsBinary(territory.contour) IS DISTINCT FROM ST_AsBinary(EXCLUDED.contour);

UPDATE territory d
   SET region_code = r.code, departement_code = d.code
  FROM territory r
 WHERE d.level = 'departement' AND r.level = 'region' AND ST_Contains(r.contour, d.point)
   AND (d.region_code IS DISTINCT FROM r.code OR d.departement_code IS DISTINCT FROM d.code);

UPDATE territory SET region_code = code WHERE level = 'region' AND region_code IS NULL;

DO $$
DECLARE
    orphans text;
BEGIN
    SELECT string_agg(code, ', ') INTO orphans FROM territory WHERE level = 'departement' AND region_code IS NULL;
    IF orphans IS NOT NULL THEN
        RAISE EXCEPTION 'départements without a région: %', orphans;
    END IF;
END $$;
COMMIT;

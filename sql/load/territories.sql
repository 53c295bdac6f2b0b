-- Loads the gazetteer: régions, départements, communes and arrondissements municipaux into territory,
-- communes déléguées and associées into territory_alias. Run by run.sh, which streams the inputs on
-- standard input, one document a line: "<name>\001<json>" with name one of
--   regions, departements, communes        the official list (@etalab/decoupage-administratif)
--   geo_regions, geo_departements          contours, vintage 2018 (geodata/*.geojson)
--   geo_communes                           contours, vintage 2018, once per geodata/communes/<dep>.geojson.gz
-- psql variable :checksum identifies the inputs; it is recorded in reference_load with the result.
--
-- France outside the collectivités d'outre-mer (zone "com" in the official list, absent from the
-- contours) is loaded. Names, codes, parents, postcodes and populations come from the official list.
-- A commune's contour is the union of the 2018 polygons of its own code and of its former codes
-- (a commune nouvelle is the union of the communes it merged). Arrondissements have no contour: their
-- point is their city's. Rows are written only when something changed; territories no longer in the
-- list are removed, as are aliases.
\set ON_ERROR_STOP on
BEGIN;
-- json, not jsonb: the contours are only read once, and json input is several times faster.
CREATE TEMP TABLE doc_in (name text NOT NULL, doc json NOT NULL) ON COMMIT DROP;
\copy doc_in FROM pstdin WITH (FORMAT csv, DELIMITER E'\001', QUOTE E'\002')

-- The official list, France outside the collectivités d'outre-mer.
CREATE TEMP TABLE cog_region ON COMMIT DROP AS
SELECT r->>'code' AS code, r->>'nom' AS name
  FROM doc_in, jsonb_array_elements(doc::jsonb) AS r
 WHERE name = 'regions' AND r->>'zone' IS DISTINCT FROM 'com';

CREATE TEMP TABLE cog_departement ON COMMIT DROP AS
SELECT d->>'code' AS code, d->>'nom' AS name, d->>'region' AS region_code
  FROM doc_in, jsonb_array_elements(doc::jsonb) AS d
 WHERE name = 'departements' AND d->>'zone' IS DISTINCT FROM 'com';

-- type: commune-actuelle, arrondissement-municipal, commune-deleguee, commune-associee. parent: an
-- arrondissement's city ("commune"), a commune déléguée's or associée's current commune ("chefLieu").
CREATE TEMP TABLE cog_commune ON COMMIT DROP AS
SELECT c->>'type' AS type, c->>'code' AS code, c->>'nom' AS name,
       c->>'departement' AS departement_code, c->>'region' AS region_code,
       coalesce(c->>'commune', c->>'chefLieu') AS parent, (c->>'population')::integer AS population,
       ARRAY(SELECT jsonb_array_elements_text(coalesce(c->'codesPostaux', '[]'))) AS postcodes,
       ARRAY(SELECT jsonb_array_elements_text(coalesce(c->'anciensCodes', '[]'))) AS old_codes
  FROM doc_in, jsonb_array_elements(doc::jsonb) AS c
 WHERE name = 'communes' AND c->>'zone' IS DISTINCT FROM 'com';

-- The 2018 contours, valid and polygonal.
CREATE TEMP TABLE geo_in ON COMMIT DROP AS
SELECT CASE name WHEN 'geo_regions' THEN 'region' WHEN 'geo_departements' THEN 'departement'
                 ELSE 'commune' END AS level,
       f->'properties'->>'code' AS code,
       ST_CollectionExtract(ST_MakeValid(ST_SetSRID(ST_GeomFromGeoJSON((f->'geometry')::text), 4326)), 3) AS geom
  FROM doc_in, json_array_elements(doc->'features') AS f
 WHERE name IN ('geo_regions', 'geo_departements', 'geo_communes');
CREATE INDEX ON geo_in (level, code);
ANALYZE geo_in;

-- Inputs that do not fit together are an error, not a silent gap.
DO $$
DECLARE
    bad text;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM cog_region) OR NOT EXISTS (SELECT 1 FROM cog_departement)
       OR NOT EXISTS (SELECT 1 FROM cog_commune WHERE type = 'commune-actuelle')
       OR NOT EXISTS (SELECT 1 FROM geo_in WHERE level = 'commune') THEN
        RAISE EXCEPTION 'gazetteer: an input is empty (régions, départements, communes or contours)';
    END IF;
    SELECT string_agg(code, ', ') INTO bad FROM cog_departement d
     WHERE NOT EXISTS (SELECT 1 FROM cog_region r WHERE r.code = d.region_code);
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'gazetteer: départements without a known région: %', bad;
    END IF;
    SELECT string_agg(code, ', ') INTO bad FROM cog_commune c
     WHERE NOT EXISTS (SELECT 1 FROM cog_departement d
                        WHERE d.code = c.departement_code AND d.region_code = c.region_code);
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'gazetteer: communes without a known département and région: %', left(bad, 500);
    END IF;
    SELECT string_agg(code, ', ') INTO bad FROM cog_commune c
     WHERE type <> 'commune-actuelle'
       AND NOT EXISTS (SELECT 1 FROM cog_commune p WHERE p.type = 'commune-actuelle' AND p.code = c.parent);
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'gazetteer: arrondissements or former communes without a current commune: %', left(bad, 500);
    END IF;
    SELECT string_agg(code || ' (' || type || ')', ', ') INTO bad
      FROM (SELECT type, code FROM cog_commune WHERE type IN ('commune-actuelle', 'arrondissement-municipal')
             GROUP BY type, code HAVING count(*) > 1) AS d;
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'gazetteer: codes listed twice: %', bad;
    END IF;
END $$;

-- A current commune's contour: the union of the 2018 polygons of its code and of its former codes.
-- Most communes have one polygon, whose union with nothing would only cost time.
CREATE TEMP TABLE commune_contour ON COMMIT DROP AS
SELECT code, CASE WHEN cardinality(parts) = 1 THEN ST_Multi(parts[1])
                  ELSE ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_Union(parts)), 3)) END AS contour,
       cardinality(parts) AS parts
  FROM (SELECT c.code, array_agg(g.geom ORDER BY g.code) AS parts
          FROM cog_commune c
          CROSS JOIN LATERAL unnest(c.code || c.old_codes) AS k(code)
          JOIN geo_in g ON g.level = 'commune' AND g.code = k.code
         WHERE c.type = 'commune-actuelle'
         GROUP BY c.code) AS s;
UPDATE commune_contour SET contour = NULL WHERE ST_IsEmpty(contour);

CREATE TEMP TABLE territory_in (
    level            text NOT NULL,
    code             text NOT NULL,
    name             text NOT NULL,
    departement_code text,
    region_code      text,
    commune_code     text,
    population       integer,
    postcodes        text[] NOT NULL,
    old_codes        text[] NOT NULL,
    point            geometry(Point, 4326),
    contour          geometry(MultiPolygon, 4326),
    PRIMARY KEY (level, code)
) ON COMMIT DROP;

INSERT INTO territory_in
SELECT 'commune', c.code, c.name, c.departement_code, c.region_code, NULL, c.population, c.postcodes,
       c.old_codes, ST_PointOnSurface(g.contour), g.contour
  FROM cog_commune c
  LEFT JOIN commune_contour g USING (code)
 WHERE c.type = 'commune-actuelle';

-- No polygon of its own: a point inside its city.
INSERT INTO territory_in
SELECT 'arrondissement', a.code, a.name, a.departement_code, a.region_code, a.parent, a.population,
       a.postcodes, '{}', city.point, NULL
  FROM cog_commune a
  JOIN territory_in city ON city.level = 'commune' AND city.code = a.parent
 WHERE a.type = 'arrondissement-municipal';

INSERT INTO territory_in
SELECT 'departement', d.code, d.name, d.code, d.region_code, NULL,
       (SELECT sum(c.population) FROM territory_in c WHERE c.level = 'commune' AND c.departement_code = d.code),
       '{}', '{}', ST_PointOnSurface(ST_Multi(g.geom)), ST_Multi(g.geom)
  FROM cog_departement d
  LEFT JOIN geo_in g ON g.level = 'departement' AND g.code = d.code;

INSERT INTO territory_in
SELECT 'region', r.code, r.name, NULL, r.code, NULL,
       (SELECT sum(c.population) FROM territory_in c WHERE c.level = 'commune' AND c.region_code = r.code),
       '{}', '{}', ST_PointOnSurface(ST_Multi(g.geom)), ST_Multi(g.geom)
  FROM cog_region r
  LEFT JOIN geo_in g ON g.level = 'region' AND g.code = r.code;

-- Territories that left the official list (merged communes): their rows go.
DELETE FROM territory t
 WHERE t.level IN ('region', 'departement', 'commune', 'arrondissement')
   AND NOT EXISTS (SELECT 1 FROM territory_in i WHERE i.level = t.level AND i.code = t.code);

INSERT INTO territory (level, code, name, departement_code, region_code, commune_code, population,
                       postcodes, old_codes, point, contour)
SELECT level, code, name, departement_code, region_code, commune_code, population, postcodes,
       old_codes, point, contour
  FROM territory_in
ON CONFLICT (level, code) DO UPDATE
   SET name = EXCLUDED.name, departement_code = EXCLUDED.departement_code,
       region_code = EXCLUDED.region_code, commune_code = EXCLUDED.commune_code,
       population = EXCLUDED.population, postcodes = EXCLUDED.postcodes,
       old_codes = EXCLUDED.old_codes, point = EXCLUDED.point, contour = EXCLUDED.contour
 WHERE (territory.name, territory.departement_code, territory.region_code, territory.commune_code,
        territory.population, territory.postcodes, territory.old_codes, ST_AsBinary(territory.point))
       IS DISTINCT FROM
       (EXCLUDED.name, EXCLUDED.departement_code, EXCLUDED.region_code, EXCLUDED.commune_code,
        EXCLUDED.population, EXCLUDED.postcodes, EXCLUDED.old_codes, ST_AsBinary(EXCLUDED.point))
    OR ST_AsBinary(territory.contour) IS DISTINCT FROM ST_AsBinary(EXCLUDED.contour);

-- The other names of current communes, unless the same as the commune's own.
CREATE TEMP TABLE alias_in ON COMMIT DROP AS
SELECT DISTINCT ON (sc_geo_key(a.name), a.parent)
       sc_geo_key(a.name) AS name_key, a.name, a.parent AS commune_code,
       CASE a.type WHEN 'commune-deleguee' THEN 'deleguee' ELSE 'associee' END AS kind
  FROM cog_commune a
  JOIN cog_commune c ON c.type = 'commune-actuelle' AND c.code = a.parent
 WHERE a.type IN ('commune-deleguee', 'commune-associee')
   AND sc_geo_key(a.name) <> sc_geo_key(c.name)
 ORDER BY sc_geo_key(a.name), a.parent, a.type DESC, a.code;

DELETE FROM territory_alias t
 WHERE NOT EXISTS (SELECT 1 FROM alias_in i WHERE i.name_key = t.name_key AND i.commune_code = t.commune_code);

INSERT INTO territory_alias (name_key, name, commune_code, kind)
SELECT name_key, name, commune_code, kind FROM alias_in
ON CONFLICT (name_key, commune_code) DO UPDATE
   SET name = EXCLUDED.name, kind = EXCLUDED.kind
 WHERE (territory_alias.name, territory_alias.kind) IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.kind);

INSERT INTO reference_load (name, checksum, row_count)
SELECT 'gazetteer', :'checksum', count(*) FROM territory_in
ON CONFLICT (name) DO UPDATE
   SET checksum = EXCLUDED.checksum, row_count = EXCLUDED.row_count, loaded_at = now();

\pset tuples_only on
\pset format unaligned
SELECT 'load: gazetteer: '
       || count(*) FILTER (WHERE level = 'region') || ' régions, '
       || count(*) FILTER (WHERE level = 'departement') || ' départements, '
       || count(*) FILTER (WHERE level = 'commune') || ' communes ('
       || count(*) FILTER (WHERE level = 'commune' AND contour IS NULL) || ' without a 2018 contour), '
       || count(*) FILTER (WHERE level = 'arrondissement') || ' arrondissements, '
       || (SELECT count(*) FROM alias_in) || ' other names'
  FROM territory_in;
SELECT 'load: no 2018 contour for ' || string_agg(level || ' ' || code || ' ' || name, ', ' ORDER BY level, code)
  FROM territory_in
 WHERE contour IS NULL AND level <> 'arrondissement'
HAVING count(*) > 0;
COMMIT;
ANALYZE territory;
ANALYZE territory_alias;

-- Loads one file of demonstration initiatives (psql variable :file, a JSON array) under the
-- source "demo", which the API and the UI label as demonstration data. Upserts by slug.
-- An initiative's territory follows from its point: the commune whose contour contains it (else the
-- record's commune_code), that commune's département and région, and in Paris, Lyon and Marseille
-- the arrondissement of the record's postcode. The gazetteer must be loaded first.
\set ON_ERROR_STOP on
\set doc_text `cat :'file'`
BEGIN;
INSERT INTO source (code, name, kind, is_demo)
VALUES ('demo', 'Données de démonstration', 'demo', true)
ON CONFLICT (code) DO NOTHING;

CREATE TEMP TABLE demo_in ON COMMIT DROP AS
SELECT rec, ST_SetSRID(ST_MakePoint((rec->>'lon')::float8, (rec->>'lat')::float8), 4326) AS geom
  FROM jsonb_array_elements(:'doc_text'::jsonb) AS rec;

-- Reverse geocoding. A point on a boundary between two communes goes to the lower code.
CREATE TEMP TABLE demo_place ON COMMIT DROP AS
SELECT d.rec->>'slug' AS slug, d.rec->>'commune_code' AS given_code, l.code AS located_code,
       c.code AS commune_code, c.departement_code, c.region_code,
       (SELECT a.code FROM territory a
         WHERE a.level = 'arrondissement' AND a.commune_code = c.code
           AND a.postcodes @> ARRAY[d.rec->>'postcode']
         ORDER BY a.code LIMIT 1) AS arrondissement_code
  FROM demo_in d
  LEFT JOIN LATERAL (SELECT t.code FROM territory t
                      WHERE t.level = 'commune' AND ST_Intersects(t.contour, d.geom)
                      ORDER BY t.code LIMIT 1) AS l ON true
  LEFT JOIN territory c ON c.level = 'commune' AND c.code = coalesce(l.code, d.rec->>'commune_code');

-- Every code must exist in the vocabularies: a typo in the data is an error, not a silent gap.
DO $$
DECLARE
    bad text;
BEGIN
    SELECT string_agg(DISTINCT d.rec->>'slug' || ' (' || c.kind || ' ' || c.code || ')', ', ') INTO bad
      FROM demo_in d
      CROSS JOIN LATERAL (
            SELECT 'theme', jsonb_array_elements_text(d.rec->'themes')
            UNION ALL SELECT 'subtheme', jsonb_array_elements_text(d.rec->'subthemes')
            UNION ALL SELECT 'public', jsonb_array_elements_text(d.rec->'publics')
            UNION ALL SELECT 'actor_type', d.rec->>'actor_type'
            UNION ALL SELECT 'scale', d.rec->>'scale'
            UNION ALL SELECT 'stage', d.rec->>'stage') AS c(kind, code)
     WHERE c.code IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM vocabulary v WHERE v.kind = c.kind AND v.code = c.code);
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'unknown vocabulary codes in demonstration data: %', bad;
    END IF;
    SELECT string_agg(slug || ' (' || coalesce(given_code, 'no commune_code') || ')', ', ') INTO bad
      FROM demo_place WHERE commune_code IS NULL;
    IF bad IS NOT NULL THEN
        RAISE EXCEPTION 'demonstration data outside every commune contour and with an unknown commune_code: %', bad;
    END IF;
    SELECT count(*)::text INTO bad FROM demo_place WHERE located_code IS NULL;
    IF bad <> '0' THEN
        RAISE NOTICE '% demonstration initiatives lie in no commune contour: their commune_code is kept', bad;
    END IF;
    SELECT string_agg(slug || ' (' || given_code || ' -> ' || located_code || ')', ', ') INTO bad
      FROM demo_place WHERE located_code <> given_code;
    IF bad IS NOT NULL THEN
        RAISE NOTICE 'demonstration initiatives whose point lies in another commune than their commune_code: %', bad;
    END IF;
END $$;

INSERT INTO initiative (slug, title, summary, description, website, actor_name, actor_type, themes,
                        subthemes, publics, scale, stage, start_year, address, postcode,
                        commune_code, departement_code, region_code, arrondissement_code, geom,
                        geo_precision, status, created_at, updated_at)
SELECT rec->>'slug', rec->>'title', rec->>'summary', rec->>'description', rec->>'website',
       rec->>'actor_name', rec->>'actor_type',
       -- A sub-theme implies its theme: the parents of the sub-themes join the themes given.
       ARRAY(SELECT jsonb_array_elements_text(rec->'themes'))
         || ARRAY(SELECT DISTINCT v.parent FROM vocabulary v
                   WHERE v.kind = 'subtheme' AND v.parent IS NOT NULL
                     AND v.code IN (SELECT jsonb_array_elements_text(coalesce(rec->'subthemes', '[]')))
                     AND NOT rec->'themes' ? v.parent
                   ORDER BY 1),
       ARRAY(SELECT jsonb_array_elements_text(coalesce(rec->'subthemes', '[]'))),
       ARRAY(SELECT jsonb_array_elements_text(coalesce(rec->'publics', '[]'))),
       rec->>'scale', rec->>'stage', (rec->>'start_year')::smallint, rec->>'address',
       rec->>'postcode', p.commune_code, p.departement_code, p.region_code, p.arrondissement_code, d.geom,
       coalesce(rec->>'precision', 'commune'), 'published',
       (rec->>'created_at')::timestamptz, (rec->>'created_at')::timestamptz
  FROM demo_in d
  JOIN demo_place p ON p.slug = d.rec->>'slug'
ON CONFLICT (slug) DO UPDATE
   SET title = EXCLUDED.title, summary = EXCLUDED.summary, description = EXCLUDED.description,
       website = EXCLUDED.website, actor_name = EXCLUDED.actor_name,
       actor_type = EXCLUDED.actor_type, themes = EXCLUDED.themes, subthemes = EXCLUDED.subthemes,
       publics = EXCLUDED.publics, scale = EXCLUDED.scale, stage = EXCLUDED.stage,
       start_year = EXCLUDED.start_year, address = EXCLUDED.address, postcode = EXCLUDED.postcode,
       commune_code = EXCLUDED.commune_code, departement_code = EXCLUDED.departement_code,
       region_code = EXCLUDED.region_code, arrondissement_code = EXCLUDED.arrondissement_code,
       geom = EXCLUDED.geom, geo_precision = EXCLUDED.geo_precision, updated_at = now()
 WHERE (initiative.title, initiative.summary, initiative.description, initiative.website,
        initiative.actor_name, initiative.actor_type, initiative.themes, initiative.subthemes,
        initiative.publics, initiative.scale, initiative.stage, initiative.start_year,
        initiative.address, initiative.postcode, initiative.commune_code,
        initiative.departement_code, initiative.region_code, initiative.arrondissement_code,
        ST_AsBinary(initiative.geom), initiative.geo_precision)
       IS DISTINCT FROM
       (EXCLUDED.title, EXCLUDED.summary, EXCLUDED.description, EXCLUDED.website,
        EXCLUDED.actor_name, EXCLUDED.actor_type, EXCLUDED.themes, EXCLUDED.subthemes,
        EXCLUDED.publics, EXCLUDED.scale, EXCLUDED.stage, EXCLUDED.start_year,
        EXCLUDED.address, EXCLUDED.postcode, EXCLUDED.commune_code,
        EXCLUDED.departement_code, EXCLUDED.region_code, EXCLUDED.arrondissement_code,
        ST_AsBinary(EXCLUDED.geom), EXCLUDED.geo_precision);

-- Provenance: one source record per demonstration initiative.
INSERT INTO source_record (source_id, external_id, raw, content_hash, initiative_id)
SELECT s.id, d.rec->>'slug', d.rec, md5(d.rec::text), i.id
  FROM demo_in d
  JOIN initiative i ON i.slug = d.rec->>'slug'
  JOIN source s ON s.code = 'demo'
ON CONFLICT (source_id, external_id) DO UPDATE
   SET raw = EXCLUDED.raw, content_hash = EXCLUDED.content_hash, last_seen_at = now(),
       initiative_id = EXCLUDED.initiative_id
 WHERE source_record.content_hash <> EXCLUDED.content_hash;
COMMIT;

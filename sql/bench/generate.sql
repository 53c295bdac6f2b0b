-- One batch of synthetic initiatives: rows :first..:last for seed :seed (see generate.sh). The rows'
-- text, codes, commune and point come on standard input from generate.mjs; here each gets its
-- commune's département and région, and its point is kept only when it lies inside the commune's
-- outline (else the commune's representative point, which does). The sources "bench…" are written
-- once by generate.sh: a write to them here would hold the data version's row to the end of the
-- transaction and make concurrent batches wait for one another.
BEGIN;

CREATE TEMP TABLE bench_row (
    i integer, title text, summary text, description text, actor_name text, actor_type text,
    themes text[], subthemes text[], publics text[], scale text, stage text, start_year integer,
    commune_code text, x double precision, y double precision, source_code text, created_s integer
) ON COMMIT DROP;
\copy bench_row FROM pstdin

WITH inserted AS (
INSERT INTO initiative (slug, title, summary, description, actor_name, actor_type, themes, subthemes,
                        publics, scale, stage, start_year, commune_code, departement_code, region_code,
                        geom, geo_precision, status, created_at, updated_at)
SELECT 'bench-' || :seed || '-' || r.i, r.title, r.summary, r.description, r.actor_name, r.actor_type,
       r.themes, r.subthemes, r.publics, r.scale, r.stage, r.start_year,
       t.code, t.departement_code, t.region_code,
       CASE WHEN ST_Intersects(t.contour, p.geom) THEN p.geom ELSE t.point END,
       'address', 'published',
       timestamptz '2015-01-01 00:00:00+00' + r.created_s * interval '1 second',
       timestamptz '2015-01-01 00:00:00+00' + r.created_s * interval '1 second'
  FROM bench_row r
  JOIN territory t ON t.level = 'commune' AND t.code = r.commune_code
  CROSS JOIN LATERAL (SELECT ST_SetSRID(ST_MakePoint(r.x, r.y), 4326) AS geom) p
 ORDER BY r.i
ON CONFLICT (slug) DO NOTHING
RETURNING id, slug)
INSERT INTO source_record (source_id, external_id, raw, content_hash, initiative_id)
SELECT s.id, i.slug, jsonb_build_object('seed', :seed), md5(i.slug), i.id
  FROM inserted i
  JOIN bench_row r ON i.slug = 'bench-' || :seed || '-' || r.i
  JOIN source s ON s.code = r.source_code
ON CONFLICT (source_id, external_id) DO NOTHING;
COMMIT;

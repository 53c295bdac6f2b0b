-- Removes what earlier harvests of the fixture sites left: the sources fixture-*, their records,
-- runs, jobs and cached pages, and the initiatives only they fed. Used by the harvest suite and by
-- scripts/bench-harvest.sh before they start, so that each begins from the same state.
BEGIN;
CREATE TEMP TABLE fx_src ON COMMIT DROP AS SELECT id FROM source WHERE code LIKE 'fixture-%';
CREATE TEMP TABLE fx_ini ON COMMIT DROP AS SELECT DISTINCT initiative_id AS id FROM source_record
  WHERE source_id IN (SELECT id FROM fx_src) AND initiative_id IS NOT NULL;
DELETE FROM harvest_job WHERE source_id IN (SELECT id FROM fx_src);
DELETE FROM source_record WHERE source_id IN (SELECT id FROM fx_src);
DELETE FROM harvest_run WHERE source_id IN (SELECT id FROM fx_src);
DELETE FROM initiative i WHERE i.id IN (SELECT id FROM fx_ini)
  AND NOT EXISTS (SELECT 1 FROM source_record r WHERE r.initiative_id = i.id);
DELETE FROM source WHERE id IN (SELECT id FROM fx_src);
COMMIT;

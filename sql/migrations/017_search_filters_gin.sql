-- Words with a theme, a région or a département: one GIN index over the four columns intersects
-- their posting lists inside the index, where three bitmaps of 100,000 to 300,000 rows each
-- were built and intersected ("insertion" + theme EMP + région 84, 4,500 matches among
-- 1,000,000: 250 ms to 80 ms to count them). btree_gin (created by scripts/stack.sh, a trusted
-- contrib extension) gives GIN its text operators.
SET LOCAL maintenance_work_mem = '1GB';
CREATE INDEX initiative_search_gin_idx
    ON initiative USING gin (tsv, themes, region_code, departement_code)
    WHERE status = 'published';

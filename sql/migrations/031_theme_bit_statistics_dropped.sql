-- The 31 statistics objects of migration 026 (one per theme bit) are dropped: the planner loads
-- every statistics object of a table to plan any query on it, which added 0.05 ms to the planning
-- of each statement on initiative — 0.104 -> 0.155 ms for SELECT * FROM initiative WHERE id = 1,
-- 0.18 -> 0.23 ms for the estimate of a search with words, four to six such statements per
-- search — and pgbench on the lookup by id fell from 13,700 to 8,300 transactions/s. Without them
-- the planner takes a theme's bit test to keep 99.5 % of the rows instead of 6 to 19 %, which
-- chose the same plans for the searches that test bits (theme with a région or département, with
-- and without years, newest first and counted; measured at 1,000,000 initiatives), as their place
-- and years decide the index; the totals shown as estimates come from the themes' array.
DO $$
BEGIN
    FOR b IN 0..30 LOOP
        EXECUTE format('DROP STATISTICS IF EXISTS initiative_theme_bit_%s_stat', b);
    END LOOP;
END $$;

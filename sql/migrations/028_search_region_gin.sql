-- Words in one région: a GIN index over (tsv, themes, departement_code) for each région's
-- published initiatives. initiative_search_gin_idx finds "insertion" + theme EMP + région 84 by
-- intersecting the posting lists of the word (317,000 entries among 1,000,000), the theme
-- (125,000) and the région (118,000), and decoding them is the cost (16 ms for 4,508 matches);
-- in région 84's own index the word has 37,000 entries and the theme 15,000 (2.7 ms).
--
-- The predicate is written `(region_code = '84') IS TRUE`, and a search with words and a single
-- région writes its filter the same way (domain/search.c, where_territory), for two reasons: the
-- planner only uses a partial index when the query implies its predicate, and an equal clause
-- proves it; and that form is of no use to the btree indexes on region_code, which the planner
-- would otherwise intersect with the partial index (counting the région's selectivity twice, it
-- expected 529 rows instead of 4,500 and read the 118,000 entries of région 84 for nothing:
-- 17 ms). IS TRUE estimates the same number of rows as `region_code = ANY ('{84}')`, so the
-- planner's estimate, given as the total of a large search, is unchanged.
--
-- The 18 régions of the official geographic code (INSEE), as in the territory table; an initiative
-- without a région is in none of these indexes. Each initiative is in one of them at most, so a
-- write adds about as much to them as to initiative_search_gin_idx. Short pending lists, as the
-- other GIN indexes read by searches (migration 030).
SET LOCAL maintenance_work_mem = '512MB';
DO $$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['01', '02', '03', '04', '06', '11', '24', '27', '28', '32', '44', '52',
                             '53', '75', '76', '84', '93', '94'] LOOP
        EXECUTE format('CREATE INDEX %I ON initiative USING gin (tsv, themes, departement_code)'
                       ' WITH (gin_pending_list_limit = 256)'
                       ' WHERE status = %L AND (region_code = %L) IS TRUE',
                       'initiative_search_r' || r || '_idx', 'published', r);
    END LOOP;
END $$;

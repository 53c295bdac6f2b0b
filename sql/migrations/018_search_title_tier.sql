-- The title tier of a common word (domain/search.c): when a search without filters matches
-- thousands of initiatives, those with the words in their title come first, newest first, then
-- the others by rank. RUM ranks a word by reading every one of its matches (250 ms for the
-- 101,000 of "jardin partagé"); the title matches, newest first, are read from the newest-first
-- index and this test, and only when a page lies past them does RUM rank the rest. The index
-- gives the planner the number of title matches (its statistics), so a word seldom in titles
-- ("emploi": 6 titles among 384,000 matches) is read through it instead.
CREATE FUNCTION sc_title_tsv(title text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT to_tsvector('sc_french'::regconfig, sc_fold(coalesce(title, ''))) $$;

-- The same words held in the title: each lexeme of the query restricted to weight A, the title's
-- in tsv (initiative_tsv_update), so the test reads the stored tsv.
CREATE FUNCTION sc_tsquery_title(q text) RETURNS tsquery
    LANGUAGE sql STABLE PARALLEL SAFE STRICT
    AS $$ SELECT regexp_replace(sc_tsquery(q)::text, '(''(?:[^'']|'''')*'')(?::(\*))?', '\1:\2A', 'g')::tsquery $$;

SET LOCAL maintenance_work_mem = '512MB';
CREATE INDEX initiative_title_tsv_idx ON initiative USING gin (sc_title_tsv(title))
    WHERE status = 'published';
ANALYZE initiative;

-- The second tier of a common word (domain/search.c, after 018): the matches with the words in
-- their summary or actor name (weight B of tsv) but not in their title, newest first, before the
-- others by rank. "emploi" is in 6 titles and 83,000 summaries of its 384,000 matches.
CREATE FUNCTION sc_summary_tsv(summary text, actor_name text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT to_tsvector('sc_french'::regconfig, sc_fold(concat_ws(' ', summary, actor_name))) $$;

-- The query restricted to weight B (as sc_tsquery_title to weight A).
CREATE FUNCTION sc_tsquery_summary(q text) RETURNS tsquery
    LANGUAGE sql STABLE PARALLEL SAFE STRICT
    AS $$ SELECT regexp_replace(sc_tsquery(q)::text, '(''(?:[^'']|'''')*'')(?::(\*))?', '\1:\2B', 'g')::tsquery $$;

SET LOCAL maintenance_work_mem = '512MB';
CREATE INDEX initiative_summary_tsv_idx ON initiative USING gin (sc_summary_tsv(summary, actor_name))
    WHERE status = 'published';
ANALYZE initiative;

-- The lexicon's refresh reads the text of every published initiative (ts_stat): minutes at
-- 1,000,000 of them. The loader (sql/load/run.sh) runs at every start of the stack, most often
-- with no initiative changed since the last refresh. search_lexicon_refresh_if_changed() skips
-- the refresh then: it records, at each refresh, the change log's last position (every write to
-- the published set logs a row there, migration 050; compaction never removes the last one) and
-- the number of published initiatives (a TRUNCATE logs nothing; facet_count keeps that number).
CREATE TABLE search_lexicon_state (
    one       boolean PRIMARY KEY DEFAULT true CHECK (one),
    seq       bigint NOT NULL DEFAULT 0,
    published bigint NOT NULL DEFAULT -1
);
INSERT INTO search_lexicon_state DEFAULT VALUES;

CREATE OR REPLACE FUNCTION search_lexicon_refresh() RETURNS integer
    LANGUAGE plpgsql
    AS $$
DECLARE
    n integer;
BEGIN
    -- Taken first: a write during the refresh leaves the marker behind it, so the next call refreshes.
    UPDATE search_lexicon_state
       SET seq = coalesce((SELECT max(seq) FROM initiative_change), 0),
           published = coalesce((SELECT fc.n FROM facet_count fc WHERE fc.fkind = '' AND fc.fcode = '' AND fc.kind = 'total' AND fc.code = ''), -1);
    DROP TABLE IF EXISTS lexicon_new;
    CREATE TEMP TABLE lexicon_new AS
    SELECT word, ndoc
      FROM ts_stat($q$SELECT to_tsvector('simple', sc_normalize(concat_ws(' ', title, summary, description)))
                       FROM initiative WHERE status = 'published'$q$)
     WHERE length(word) BETWEEN 2 AND 40 AND word !~ '^[0-9]+$';
    DELETE FROM search_lexicon l WHERE NOT EXISTS (SELECT 1 FROM lexicon_new n WHERE n.word = l.word);
    INSERT INTO search_lexicon (word, ndoc) SELECT word, ndoc FROM lexicon_new
    ON CONFLICT (word) DO UPDATE SET ndoc = EXCLUDED.ndoc WHERE search_lexicon.ndoc <> EXCLUDED.ndoc;
    DROP TABLE lexicon_new;
    SELECT count(*) INTO n FROM search_lexicon;
    RETURN n;
END $$;

-- The lexicon's size, refreshed first when an initiative changed since the last refresh.
CREATE FUNCTION search_lexicon_refresh_if_changed() RETURNS integer
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM search_lexicon_state
                WHERE seq = coalesce((SELECT max(seq) FROM initiative_change), 0)
                  AND published = coalesce((SELECT fc.n FROM facet_count fc WHERE fc.fkind = '' AND fc.fcode = '' AND fc.kind = 'total' AND fc.code = ''), -1)) THEN
        RETURN (SELECT count(*) FROM search_lexicon);
    END IF;
    RETURN search_lexicon_refresh();
END $$;

-- The lexicon of indexed words, for "did you mean": when the words typed match nothing, each
-- unknown word is replaced by the closest word of this list (trigram similarity), the most
-- frequent among equals. Words are unaccented and lower-case, as typed, not stemmed, so that the
-- correction can be shown to people.
CREATE TABLE search_lexicon (
    word text PRIMARY KEY,
    ndoc integer NOT NULL   -- published initiatives containing it
);
CREATE INDEX search_lexicon_trgm_idx ON search_lexicon USING gin (word gin_trgm_ops);

-- Rebuilds the lexicon from the published initiatives; returns its size. Run by the loaders
-- after they write initiatives (sql/load/run.sh, sql/bench/generate.sh).
CREATE FUNCTION search_lexicon_refresh() RETURNS integer
    LANGUAGE plpgsql
    AS $$
DECLARE
    n integer;
BEGIN
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

-- The themes of an initiative as bits of an integer (theme_bits), for the searches without words
-- filtered by theme, territory and years ("theme:ENV year:2015..2020 territory:region:76", and the
-- guided search and facet panel, which ask the same with parameters).
--
-- Such a search read initiative_region_year_idx (region_code, start_year) INCLUDE (themes): the
-- 30,000 entries of région 76 and 2015-2020 for 3,856 matches, counted in 8 ms of which 4 went to
-- `themes && '{ENV}'` (the array copied out of each entry and compared as text), then walked the
-- newest-first index for its page (3,800 rows read from the table, 2.5-4 ms). Here the index
-- carries the theme bits, the creation date and the id instead: the themes are tested with an
-- AND on an integer, and the count and the newest page come from the same scan (search.c); the
-- same index exists for départements. Measured at 1,000,000 initiatives: docs/performance.md.
--
-- Each theme has a bit number in vocabulary (bit), given once, in order of code, never reused;
-- theme_bits is kept by initiative_tsv_update(), which already reads the vocabulary of the row's
-- themes. A theme without a bit (more than 31 themes) is searched through its array as before.

ALTER TABLE vocabulary ADD COLUMN bit smallint CHECK (bit IS NULL OR (kind = 'theme' AND bit BETWEEN 0 AND 30));
CREATE UNIQUE INDEX vocabulary_theme_bit_idx ON vocabulary (bit);

ALTER TABLE initiative ADD COLUMN theme_bits integer NOT NULL DEFAULT 0;

-- The bits of a set of themes (the themes without a bit give none).
CREATE FUNCTION theme_bits_of(themes text[]) RETURNS integer
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    AS $$
BEGIN
    RETURN coalesce((SELECT bit_or(1 << v.bit) FROM vocabulary v
                      WHERE v.kind = 'theme' AND v.code = ANY (themes) AND v.bit IS NOT NULL), 0);
END $$;

-- A new theme takes the next bit; the initiatives that already had it (a theme loaded after them)
-- get its bit at once, so that theme_bits is never behind the vocabulary.
CREATE FUNCTION vocabulary_theme_bit() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF TG_WHEN = 'BEFORE' THEN
        IF NEW.kind = 'theme' AND NEW.bit IS NULL THEN
            NEW.bit := (SELECT CASE WHEN coalesce(max(bit), -1) < 30 THEN coalesce(max(bit), -1) + 1 END
                          FROM vocabulary);
        END IF;
        RETURN NEW;
    END IF;
    IF NEW.bit IS NOT NULL THEN
        UPDATE initiative SET theme_bits = theme_bits | (1 << NEW.bit)
         WHERE themes @> ARRAY[NEW.code] AND theme_bits & (1 << NEW.bit) = 0;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER vocabulary_theme_bit_before BEFORE INSERT ON vocabulary
    FOR EACH ROW EXECUTE FUNCTION vocabulary_theme_bit();
CREATE TRIGGER vocabulary_theme_bit_after AFTER INSERT ON vocabulary
    FOR EACH ROW EXECUTE FUNCTION vocabulary_theme_bit();

UPDATE vocabulary v SET bit = n.b
  FROM (SELECT code, (row_number() OVER (ORDER BY code) - 1)::smallint AS b
          FROM vocabulary WHERE kind = 'theme') n
 WHERE v.kind = 'theme' AND v.code = n.code AND n.b <= 30;

-- Same as migration 008, plus theme_bits.
CREATE OR REPLACE FUNCTION initiative_tsv_update() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    extra text;
BEGIN
    SELECT concat_ws(' ',
               (SELECT string_agg(label_fr, ' ') FROM vocabulary
                 WHERE (kind = 'theme' AND code = ANY (NEW.themes)) OR (kind = 'subtheme' AND code = ANY (NEW.subthemes))),
               (SELECT name FROM territory WHERE level = 'commune' AND code = NEW.commune_code),
               (SELECT name FROM territory WHERE level = 'departement' AND code = NEW.departement_code),
               (SELECT name FROM territory WHERE level = 'region' AND code = NEW.region_code)),
           theme_bits_of(NEW.themes)
      INTO extra, NEW.theme_bits;
    NEW.tsv := setweight(to_tsvector('sc_french', sc_fold(coalesce(NEW.title, ''))), 'A')
            || setweight(to_tsvector('sc_french', sc_fold(concat_ws(' ', NEW.summary, NEW.actor_name))), 'B')
            || setweight(to_tsvector('sc_french', sc_fold(coalesce(NEW.description, ''))), 'C')
            || setweight(to_tsvector('sc_french', sc_fold(coalesce(extra, ''))), 'D');
    RETURN NEW;
END $$;

-- The rows there are, by rewriting the table (a change of type, to the same type, computed from
-- the themes): no row trigger runs, and the indexes are built again in one pass each. At
-- 1,000,000 initiatives: 2 min 14 s, where an UPDATE of every row, triggers disabled, took 20 min
-- (each new row version goes into each of the table's 19 indexes, RUM and GIN among them).
ALTER TABLE initiative ALTER COLUMN theme_bits TYPE integer USING theme_bits_of(themes);

DROP INDEX initiative_region_year_idx;
CREATE INDEX initiative_region_year_idx
    ON initiative (region_code, start_year) INCLUDE (theme_bits, created_at, id)
    WHERE status = 'published';
CREATE INDEX initiative_departement_year_idx
    ON initiative (departement_code, start_year) INCLUDE (theme_bits, created_at, id)
    WHERE status = 'published';

-- The planner's estimate of a theme's test, (theme_bits & 2^n) <> 0, from statistics on each
-- bit: without them it takes the test to keep 99.5 % of the rows (it keeps 6 to 19 %).
DO $$
BEGIN
    FOR b IN 0..30 LOOP
        EXECUTE format('CREATE STATISTICS initiative_theme_bit_%s_stat ON (theme_bits & %s) FROM initiative',
                       b, 1 << b);
    END LOOP;
END $$;
ANALYZE initiative;

-- The SocialConnect database as it is today, to read in one sitting.
--
-- The database itself is built by the numbered migrations (sql/migrations/, applied by
-- scripts/migrate.sh): they are the upgrade path of every existing database, and history — this
-- file is the result. `make schema-check` (scripts/schema-check.sh, also run by `make test`) applies
-- every migration to one empty database and this file to another and compares them (pg_dump of the
-- schema and of the rows a fresh database holds); it fails with the difference when they part.
-- A new migration therefore comes with its change here, in the section it belongs to: add the
-- column at the end of its table (the order of columns is the order they were added), replace the
-- function's body, add or remove the index, and run `make schema-check` until it passes.
-- `scripts/schema-check.sh --dump` prints the migrated schema when the exact text is needed.
--
-- Sections, in this order (each may use the ones before):
--   1. Text: the French search configuration and the functions that fold text
--   2. Catalogue: vocabularies, initiatives, the data version of the response cache
--   3. Gazetteer: régions, départements, communes, arrondissements and what the geocoder needs
--   4. Search: full-text indexes and tiers, theme bits, facet counts, the "did you mean" lexicon
--   5. Map: the points and the precomputed cluster cells of the unfiltered map
--   6. Harvest: sources, runs, records, the page cache and the job queue
--   7. Accounts and personal space: people, sessions, e-mailed links, favourites, collections,
--      saved searches
--   8. Mail: the outbox
--   9. Contributions and history: revisions, community-held fields, the sources' changes waiting
--      for a moderator, proposals and corrections, claims
--  10. Comments and reports
--  11. Bookkeeping: schema_migrations, reference_load
--  13. Communities: members, invitations, threads and replies, the feed, notifications, proposals,
--      reports, and the SQL functions of their requests
--
-- The extensions postgis, unaccent, pg_trgm, rum and btree_gin are created by scripts/stack.sh (they
-- need a superuser), before the migrations run. Every rule kept by a trigger is stated beside its
-- table. Measurements behind the index choices are in the migration that made each index and in
-- docs/performance.md.


-- ===================================================================================================
-- 1. Text
-- ===================================================================================================

-- French full-text search that ignores accents. Stop words first: the French list is accented
-- ("à", "été"), so it must see the words before unaccent does; then unaccent; then the Snowball
-- French stemmer.
CREATE TEXT SEARCH DICTIONARY sc_french_stop (TEMPLATE = pg_catalog.simple, STOPWORDS = french, ACCEPT = false);
CREATE TEXT SEARCH CONFIGURATION sc_french (COPY = pg_catalog.french);
ALTER TEXT SEARCH CONFIGURATION sc_french
    ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part
    WITH sc_french_stop, unaccent, french_stem;

-- Lower-case, unaccented, punctuation folded to single spaces: the form names and titles are
-- compared in (territory autocomplete, suggestions, de-duplication). unaccent() is only STABLE,
-- hence a wrapper naming its dictionary, IMMUTABLE for indexes and generated columns; plpgsql
-- because a LANGUAGE sql function that cannot be inlined is planned again at every call.
CREATE FUNCTION sc_normalize(t text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE STRICT
    AS $$
BEGIN
    RETURN btrim(regexp_replace(lower(public.unaccent('public.unaccent'::regdictionary, t)),
                                '[^a-z0-9]+', ' ', 'g'));
END $$;

-- The text stemmed for search, on the index and on the words searched alike: accents removed and
-- the feminine endings Snowball stems apart once accents are gone folded to the masculine
-- ("partagee" → "partage", "infirmiere" → "infirmier", "sportive" → "sportif").
CREATE FUNCTION sc_fold(t text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE STRICT
    AS $$
BEGIN
    RETURN regexp_replace(regexp_replace(regexp_replace(
               public.unaccent('public.unaccent'::regdictionary, t),
               '([[:alpha:]])[eE][eE]([sS]?)\M', '\1e\2', 'g'),
               '([[:alpha:]])([iI][eE])[rR][eE]([sS]?)\M', '\1\2r\3', 'g'),
               '([[:alpha:]])[iI][vV][eE]([sS]?)\M', '\1if\2', 'g');
END $$;

-- The comparison key of a place name: sc_normalize, articles dropped (le, la, les, l') wherever they
-- stand, and St/Ste spelled out. "L'Haÿ-les-Roses" and "hay roses" share a key, as do
-- "St-Étienne" and "Saint Etienne".
CREATE FUNCTION sc_geo_key(t text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE STRICT
    AS $$
BEGIN
    RETURN btrim(regexp_replace(regexp_replace(regexp_replace(
               ' ' || sc_normalize(t) || ' ',
               ' (le|la|les|l)(?= )', '', 'g'),
               ' st(?= )', ' saint', 'g'),
               ' ste(?= )', ' sainte', 'g'));
END $$;


-- ===================================================================================================
-- 2. Catalogue
-- ===================================================================================================

-- The controlled vocabularies (../shared/vocabularies/vocabularies.json, loaded by sql/load/run.sh):
-- themes and their sub-themes, actor types, publics, scales, stages, methods. Initiatives hold
-- codes of these lists; the API gives their labels.
CREATE TABLE vocabulary (
    kind          text NOT NULL CHECK (kind IN ('theme', 'subtheme', 'actor_type', 'public', 'scale', 'stage', 'method')),
    code          text NOT NULL CHECK (code ~ '^[A-Za-z0-9_]{1,40}$'),
    label_fr      text NOT NULL,
    label_en      text,
    parent        text,      -- a subtheme's theme
    rank          integer NOT NULL DEFAULT 0,   -- order of the source file
    -- The labels in sc_normalize's form, for theme suggestions.
    label_fr_norm text GENERATED ALWAYS AS (sc_normalize(label_fr)) STORED,
    label_en_norm text GENERATED ALWAYS AS (sc_normalize(coalesce(label_en, label_fr))) STORED,
    -- A theme's bit in initiative.theme_bits (section 4): given once, in order of code, never reused.
    bit           smallint CHECK (bit IS NULL OR (kind = 'theme' AND bit BETWEEN 0 AND 30)),
    PRIMARY KEY (kind, code)
);
CREATE UNIQUE INDEX vocabulary_theme_bit_idx ON vocabulary (bit);

-- Label of one code in a language, falling back to French.
CREATE FUNCTION vocab_label(p_kind text, p_code text, p_lang text) RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT CASE WHEN p_lang = 'en' THEN coalesce(label_en, label_fr) ELSE label_fr END
          FROM vocabulary WHERE kind = p_kind AND code = p_code $$;

-- [{"code","label"}] for a list of codes, in the list's order; unknown codes are skipped.
CREATE FUNCTION vocab_labels(p_kind text, p_codes text[], p_lang text) RETURNS json
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT coalesce(json_agg(CASE WHEN v.parent IS NULL
                                         THEN json_build_object('code', v.code, 'label', CASE WHEN p_lang = 'en' THEN coalesce(v.label_en, v.label_fr) ELSE v.label_fr END)
                                         ELSE json_build_object('code', v.code, 'label', CASE WHEN p_lang = 'en' THEN coalesce(v.label_en, v.label_fr) ELSE v.label_fr END, 'parent', v.parent)
                                    END ORDER BY c.ord), '[]'::json)
          FROM unnest(p_codes) WITH ORDINALITY AS c(code, ord)
          JOIN vocabulary v ON v.kind = p_kind AND v.code = c.code $$;

-- The social innovations themselves: one row per project, homogenised from every source that
-- describes it (section 6 says how records feed it). Codes are those of vocabulary; the territory
-- codes those of territory (commune, its département and région, and in Paris, Lyon and Marseille
-- the arrondissement), set from the point. Only published initiatives are searched, mapped and
-- counted; an initiative is never deleted by the harvest, only archived.
CREATE TABLE initiative (
    id                  bigserial PRIMARY KEY,
    slug                text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 200),
    title               text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    summary             text CHECK (length(summary) <= 2000),
    description         text CHECK (length(description) <= 50000),
    website             text CHECK (website ~ '^https?://'),
    image_url           text CHECK (image_url ~ '^https?://'),
    actor_name          text,
    actor_type          text,
    themes              text[] NOT NULL DEFAULT '{}',
    subthemes           text[] NOT NULL DEFAULT '{}',
    publics             text[] NOT NULL DEFAULT '{}',
    scale               text,
    stage               text,
    start_year          smallint CHECK (start_year BETWEEN 1800 AND 2100),
    address             text,
    postcode            text CHECK (postcode ~ '^[0-9][0-9AB][0-9]{3}$'),
    commune_code        text,
    departement_code    text,
    region_code         text,
    geom                geometry(Point, 4326) CHECK (geom IS NULL OR (ST_X(geom) BETWEEN -180 AND 180 AND ST_Y(geom) BETWEEN -90 AND 90)),
    geo_precision       text NOT NULL DEFAULT 'none' CHECK (geo_precision IN ('address', 'commune', 'departement', 'region', 'none')),
    status              text NOT NULL DEFAULT 'pending' CHECK (status IN ('published', 'pending', 'rejected', 'archived')),
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    -- Weighted French full text, kept up to date by initiative_tsv_update(): title A; summary and
    -- actor B; description C; theme labels and place names D.
    tsv                 tsvector NOT NULL DEFAULT ''::tsvector,
    arrondissement_code text,
    -- The title in sc_normalize's form, stored: suggestions and de-duplication compare it, and an
    -- index on the expression could not answer from the index alone.
    title_norm          text GENERATED ALWAYS AS (sc_normalize(title)) STORED,
    -- The themes as bits (vocabulary.bit), kept by initiative_tsv_update(): searches test them
    -- with an AND on an integer inside the place-and-year indexes (section 4).
    theme_bits          integer NOT NULL DEFAULT 0,
    CHECK ((geom IS NULL) = (geo_precision = 'none'))
);
CREATE INDEX initiative_newest_idx ON initiative (created_at DESC, id DESC) WHERE status = 'published';
CREATE INDEX initiative_geom_idx ON initiative USING gist (geom);
CREATE INDEX initiative_commune_idx ON initiative (commune_code);
CREATE INDEX initiative_arrondissement_idx ON initiative (arrondissement_code);
-- A place's initiatives newest first (the results of a région or a département without words).
CREATE INDEX initiative_departement_newest_idx ON initiative (departement_code, created_at DESC, id DESC);
CREATE INDEX initiative_region_newest_idx ON initiative (region_code, created_at DESC, id DESC);

-- tsv and theme_bits, from the row, its vocabulary and its places.
CREATE FUNCTION initiative_tsv_update() RETURNS trigger
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
CREATE TRIGGER initiative_tsv BEFORE INSERT OR UPDATE ON initiative
    FOR EACH ROW EXECUTE FUNCTION initiative_tsv_update();

-- The data version: bumped by every transaction that writes what an API answer can show
-- (initiatives, vocabularies, territories, sources, records, runs). Cached responses are keyed by
-- it, so a cached answer is never older than the last write. Personal data (section 7) does not
-- feed it: a personal write never empties the shared cache. One row.
CREATE TABLE data_version (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    version   bigint NOT NULL
);
INSERT INTO data_version VALUES (true, 1);

-- One bump per transaction, at its commit (counter_flush below): the first write asks for it in a
-- setting local to the transaction. The new version is announced on the channel sc_data_version
-- (sent at commit), which the API's workers LISTEN to: a cached answer needs no query to know it
-- is current.
CREATE FUNCTION data_version_bump() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF current_setting('sc.data_version_due', true) IS DISTINCT FROM 'on' THEN
        PERFORM set_config('sc.data_version_due', 'on', true);
        PERFORM counter_flush_due();
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER initiative_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON initiative
    FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump();
CREATE TRIGGER vocabulary_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON vocabulary
    FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump();

-- The shared counters of the published catalogue (facet_count with its total, section 4; map_cell,
-- section 5; data_version above) are written at commit, not by the statement that changes an
-- initiative: every approval adds to the same rows (the total, common facets, coarse map cells,
-- the data version), whose row locks were held from the initiative's INSERT to the end of the
-- transaction, so concurrent writers ran one after another. The statement triggers put what they
-- would add into temporary tables of the session (facet_pending, map_cell_pending,
-- map_cell_dirty), the first of them in a transaction inserts one row into counter_flush, and its
-- DEFERRABLE INITIALLY DEFERRED constraint trigger folds it all into the shared rows at COMMIT, in
-- key order: the rows are locked from that fold to the commit record only. The fold runs in the
-- committing transaction: the counts change in the same commit as the initiatives and nothing is
-- lost on a crash. Inside the writing transaction, before its commit, facet_count and map_cell do
-- not show its own changes yet. (docs/architecture.md, "Shared counters at commit";
-- 064_shared_counters_at_commit.sql weighs the other way, deltas added up on read.)

-- One row per transaction that has counters to fold; removed by the fold. Unlogged: a row lives
-- only inside its transaction, which a crash aborts.
CREATE UNLOGGED TABLE counter_flush (
    pid integer NOT NULL DEFAULT pg_backend_pid()
);

-- The temporary tables of the session that hold what the current transaction adds, created on the
-- session's first write. Not ON COMMIT DELETE ROWS: that empties them by truncating their files
-- during the commit, after the fold, while the shared rows are locked. The fold deletes what it
-- read instead, and a table grown past 256 kB of dead rows is truncated here, at the first write of
-- a transaction (when the flag of counter_flush_due is off, they hold no live row).
CREATE FUNCTION counter_pending_tables() RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF to_regclass('pg_temp.facet_pending') IS NULL THEN
        CREATE TEMP TABLE facet_pending (fkind text, fcode text, kind text, code text, n bigint);
    END IF;
    IF to_regclass('pg_temp.map_cell_pending') IS NULL THEN
        CREATE TEMP TABLE map_cell_pending (g integer, cx integer, cy integer, n integer,
                                            sx float8, sy float8, x0 float8, y0 float8, x1 float8,
                                            y1 float8, min_id bigint);
    END IF;
    IF to_regclass('pg_temp.map_cell_dirty') IS NULL THEN
        CREATE TEMP TABLE map_cell_dirty (g integer, cx integer, cy integer);
    END IF;
    IF current_setting('sc.counter_flush_due', true) IS DISTINCT FROM 'on' THEN
        IF pg_relation_size('pg_temp.facet_pending') > 262144 THEN
            TRUNCATE pg_temp.facet_pending;
        END IF;
        IF pg_relation_size('pg_temp.map_cell_pending') > 262144 THEN
            TRUNCATE pg_temp.map_cell_pending;
        END IF;
        IF pg_relation_size('pg_temp.map_cell_dirty') > 262144 THEN
            TRUNCATE pg_temp.map_cell_dirty;
        END IF;
    END IF;
END $$;

-- Asks for the fold at this transaction's commit (once: the flag lives until the fold or the end
-- of the transaction, and goes back with a subtransaction rolled back, like the flush row).
CREATE FUNCTION counter_flush_due() RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF current_setting('sc.counter_flush_due', true) IS DISTINCT FROM 'on' THEN
        -- The flag first: after SET CONSTRAINTS ALL IMMEDIATE the fold runs within this INSERT,
        -- and turns it off again.
        PERFORM set_config('sc.counter_flush_due', 'on', true);
        INSERT INTO counter_flush DEFAULT VALUES;
    END IF;
END $$;

-- The fold, at commit: facet counts, then map cells, then the data version, each in key order.
CREATE FUNCTION counter_flush() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    v bigint;
BEGIN
    PERFORM counter_pending_tables();
    DELETE FROM counter_flush WHERE ctid = NEW.ctid;
    PERFORM set_config('sc.counter_flush_due', 'off', true);
    -- The pending rows are taken (deleted) before the first shared row is locked.
    WITH p AS (DELETE FROM pg_temp.facet_pending RETURNING *)
    INSERT INTO facet_count AS c (fkind, fcode, kind, code, n)
    SELECT p.fkind, p.fcode, p.kind, p.code, sum(p.n)
      FROM p
     GROUP BY 1, 2, 3, 4
    HAVING sum(p.n) <> 0
     ORDER BY 1, 2, 3, 4
    ON CONFLICT (fkind, fcode, kind, code) DO UPDATE SET n = c.n + EXCLUDED.n;
    -- New points add to their cells; a cell that a point left or moved within is counted again
    -- from map_point as the transaction leaves it, which includes the points it added there.
    WITH p AS (DELETE FROM pg_temp.map_cell_pending RETURNING *)
    INSERT INTO map_cell AS c (g, cx, cy, n, sx, sy, x0, y0, x1, y1, min_id)
    SELECT p.g, p.cx, p.cy, sum(p.n), sum(p.sx), sum(p.sy), min(p.x0), min(p.y0), max(p.x1),
           max(p.y1), min(p.min_id)
      FROM p
     WHERE NOT EXISTS (SELECT 1 FROM pg_temp.map_cell_dirty d
                        WHERE d.g = p.g AND d.cx = p.cx AND d.cy = p.cy)
     GROUP BY 1, 2, 3
     ORDER BY 1, 2, 3
    ON CONFLICT (g, cx, cy) DO UPDATE
       SET n = c.n + EXCLUDED.n, sx = c.sx + EXCLUDED.sx, sy = c.sy + EXCLUDED.sy,
           x0 = least(c.x0, EXCLUDED.x0), y0 = least(c.y0, EXCLUDED.y0),
           x1 = greatest(c.x1, EXCLUDED.x1), y1 = greatest(c.y1, EXCLUDED.y1),
           min_id = least(c.min_id, EXCLUDED.min_id);
    IF EXISTS (SELECT 1 FROM pg_temp.map_cell_dirty) THEN
        PERFORM map_cell_recompute();
    END IF;
    IF current_setting('sc.data_version_due', true) = 'on' THEN
        UPDATE data_version SET version = version + 1 RETURNING version INTO v;
        PERFORM set_config('sc.data_version_due', 'off', true);
        PERFORM pg_notify('sc_data_version', v::text);
    END IF;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER counter_flush_at_commit AFTER INSERT ON counter_flush
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION counter_flush();


-- ===================================================================================================
-- 3. Gazetteer
-- ===================================================================================================

-- Every current région, département, commune and arrondissement municipal (loaded by
-- sql/load/run.sh from ../shared/geodata), with what the geocoder and the map need. Codes are
-- unique within a level only: région 11 (Île-de-France) and département 11 (Aude) both exist.
CREATE TABLE territory (
    level            text NOT NULL CHECK (level IN ('region', 'departement', 'commune', 'arrondissement', 'epci')),
    code             text NOT NULL,
    name             text NOT NULL,
    name_norm        text GENERATED ALWAYS AS (sc_normalize(name)) STORED,
    departement_code text,
    region_code      text,
    population       integer,
    postcodes        text[] NOT NULL DEFAULT '{}',
    point            geometry(Point, 4326),        -- a representative point inside the territory
    contour          geometry(MultiPolygon, 4326),
    name_key         text GENERATED ALWAYS AS (sc_geo_key(name)) STORED,
    commune_code     text,                          -- an arrondissement's city (75056, 69123, 13055)
    old_codes        text[] NOT NULL DEFAULT '{}',  -- INSEE codes of the communes merged into it
    -- The outline of the choropleth (GET /api/v1/map/choropleth), simplified and written as
    -- GeoJSON once, when a région or département is written, rather than at every request.
    map_geojson      text GENERATED ALWAYS AS (
    CASE level
        WHEN 'region' THEN ST_AsGeoJSON(ST_SimplifyPreserveTopology(contour, 0.03), 3)
        WHEN 'departement' THEN ST_AsGeoJSON(ST_SimplifyPreserveTopology(contour, 0.015), 3)
    END) STORED,
    PRIMARY KEY (level, code)
);
CREATE INDEX territory_contour_idx ON territory USING gist (contour);
CREATE INDEX territory_name_trgm_idx ON territory USING gin (name_norm gin_trgm_ops);
CREATE INDEX territory_postcodes_idx ON territory USING gin (postcodes);
CREATE INDEX territory_name_key_idx ON territory (name_key);
CREATE INDEX territory_name_key_trgm_idx ON territory USING gin (name_key gin_trgm_ops);
CREATE INDEX territory_old_codes_idx ON territory USING gin (old_codes);
CREATE INDEX territory_level_population_idx ON territory (level, population DESC NULLS LAST);
-- Place names starting with what is typed, read from the index alone, the most populous first.
CREATE INDEX territory_name_key_prefix_idx
    ON territory (name_key text_pattern_ops) INCLUDE (population, level, code);
CREATE TRIGGER territory_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON territory
    FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump();

-- Other names a current commune answers to: its communes déléguées and associées (the villages a
-- commune nouvelle absorbed keep being written on addresses).
CREATE TABLE territory_alias (
    name_key     text NOT NULL,
    name         text NOT NULL,
    commune_code text NOT NULL,
    kind         text NOT NULL CHECK (kind IN ('deleguee', 'associee')),
    PRIMARY KEY (name_key, commune_code)
);
CREATE INDEX territory_alias_trgm_idx ON territory_alias USING gin (name_key gin_trgm_ops);

-- Similar place names (territory autocomplete and suggestions, domain/territory.c): the names whose
-- trigram similarity with the key is at least 0.4, the most similar first. The threshold is a
-- setting of the % operator, set for this function alone so that other lookups keep theirs.
SELECT similarity('', ''); -- loads pg_trgm, whose setting the SET clause below names

CREATE FUNCTION sc_territory_similar(p_key text, p_level text, p_limit integer)
    RETURNS TABLE (level text, code text, sim real, population integer)
    LANGUAGE plpgsql STABLE
    SET pg_trgm.similarity_threshold = 0.4
AS $$
BEGIN
    RETURN QUERY
        SELECT t.level, t.code, similarity(t.name_key, p_key), t.population
          FROM territory t
         WHERE t.name_key % p_key AND (p_level = '' OR t.level = p_level)
         ORDER BY 3 DESC, t.population DESC NULLS LAST
         LIMIT p_limit;
END
$$;


-- ===================================================================================================
-- 4. Search
-- ===================================================================================================
-- domain/search.c chooses among these indexes; docs/search.md says what a search means.

-- Synonyms and acronyms of the field, and the words of questions, applied at query time
-- (migration 060; the list is sql/load/synonyms.txt, loaded by sql/load/run.sh, docs/search.md).
CREATE TABLE search_synonym (
    grp integer NOT NULL,   -- the line of the list; 0 for the words of questions
    term text NOT NULL,     -- as written in the list
    PRIMARY KEY (grp, term)
);

-- Before a list is loaded: no rule.
CREATE FUNCTION sc_synonyms(q tsquery) RETURNS tsquery
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT q $$;

CREATE FUNCTION sc_query_words(q text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT q $$;

-- Writes sc_synonyms() and sc_query_words() from the rows of search_synonym.
--
-- sc_synonyms works in two passes so that a term found inside the OR put in place of another is
-- not replaced again (which would double the query at each term of a group): every term becomes
-- a placeholder lexeme of its group ('§12', which no text can produce: the parser drops '§'), the
-- longest terms first, so that "quartier prioritaire de la ville" is not read as "quartier
-- prioritaire" and three more words; then each placeholder becomes the OR of its group. A term
-- matches typed as words (ts_rewrite finds 'a' & 'b' among the words of a longer AND) or as a
-- phrase. `@>` (same lexemes) skips the rules whose words the query does not hold.
CREATE FUNCTION search_synonyms_compile() RETURNS void
    LANGUAGE plpgsql
    AS $f$
DECLARE
    targets text;
    marks text;
    places text;
    subs text;
    ignored text;
BEGIN
    WITH t AS (
        SELECT grp, term,
               websearch_to_tsquery('sc_french', sc_fold(term)) AS words,
               websearch_to_tsquery('sc_french', sc_fold('"' || replace(term, '"', ' ') || '"')) AS phrase
          FROM search_synonym WHERE grp > 0),
    g AS (
        SELECT grp, string_agg(DISTINCT '(' || phrase::text || ')', ' | ') AS sub
          FROM t WHERE numnode(words) > 0 GROUP BY grp HAVING count(DISTINCT phrase::text) > 1),
    -- A term of several words typed without quotes keeps matching its words anywhere in the text
    -- (what it matched before), besides the phrases of its group: '§12' | '§w3', '§w3' then
    -- becoming its words.
    r AS (
        SELECT row_number() OVER () AS id, *
          FROM (SELECT DISTINCT ON (x.target::text) x.target, x.loose, t.grp
                  FROM t JOIN g USING (grp),
                       LATERAL (VALUES (t.words, numnode(t.words) > 1), (t.phrase, false)) x(target, loose)
                 ORDER BY x.target::text, t.grp, x.loose) d),
    m AS (
        SELECT r.*, CASE WHEN loose THEN format('''§%s'' | ''§w%s''', grp, id)
                         ELSE format('''§%s''', grp) END::tsquery AS mark
          FROM r),
    p AS (
        SELECT format('''§w%s''', id)::tsquery AS place, target AS sub, 0 AS ord, id FROM m WHERE loose
        UNION ALL
        SELECT format('''§%s''', grp)::tsquery, sub::tsquery, 1, grp FROM g)
    SELECT (SELECT coalesce(array_agg(target ORDER BY numnode(target) DESC, target::text), '{}')::text FROM m),
           (SELECT coalesce(array_agg(mark ORDER BY numnode(target) DESC, target::text), '{}')::text FROM m),
           (SELECT coalesce(array_agg(place ORDER BY ord, id), '{}')::text FROM p),
           (SELECT coalesce(array_agg(sub ORDER BY ord, id), '{}')::text FROM p)
      INTO targets, marks, places, subs;
    SELECT string_agg(DISTINCT w, '|')
      INTO ignored
      FROM (SELECT lower(public.unaccent('public.unaccent'::regdictionary, term)) AS w
              FROM search_synonym WHERE grp = 0) s
     WHERE w ~ '^[a-z]+$';
    EXECUTE format($body$
CREATE OR REPLACE FUNCTION sc_synonyms(q tsquery) RETURNS tsquery
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE STRICT
    AS $$
DECLARE
    targets tsquery[] := %L;
    marks tsquery[] := %L;
    places tsquery[] := %L;
    subs tsquery[] := %L;
    found boolean := false;
BEGIN
    FOR i IN 1 .. cardinality(targets) LOOP
        IF q @> targets[i] THEN
            q := ts_rewrite(q, targets[i], marks[i]);
            found := true;
        END IF;
    END LOOP;
    IF found THEN
        FOR i IN 1 .. cardinality(places) LOOP
            IF q @> places[i] THEN
                q := ts_rewrite(q, places[i], subs[i]);
            END IF;
        END LOOP;
    END IF;
    RETURN q;
END $$;$body$, targets, marks, places, subs);
    -- The words of questions, whole words only, not after '-' (an exclusion stays one); the text
    -- is kept as it is when nothing else would be left.
    IF ignored IS NULL THEN
        EXECUTE $body$CREATE OR REPLACE FUNCTION sc_query_words(q text) RETURNS text
            LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$ SELECT q $$;$body$;
    ELSE
        EXECUTE format($body$
CREATE OR REPLACE FUNCTION sc_query_words(q text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT CASE WHEN w ~ '[[:alnum:]]' THEN w ELSE q END
            FROM regexp_replace(q, %L, '\1 ', 'gi') w $$;$body$,
            '(^|[^[:alnum:]''-])(?:' || ignored || ')(?![[:alnum:]])');
    END IF;
END $f$;

-- Replaces the list with `list` (the text of sql/load/synonyms.txt): one group a line, its terms
-- separated by ';'; a line starting with '!' lists the words of questions; '#' starts a comment.
-- Returns the number of groups. Rewrites the functions only when the list changed.
CREATE FUNCTION search_synonyms_load(list text) RETURNS integer
    LANGUAGE plpgsql
    AS $$
DECLARE
    n integer;
BEGIN
    CREATE TEMP TABLE synonym_new ON COMMIT DROP AS
    SELECT DISTINCT CASE WHEN l.line LIKE '!%' THEN 0 ELSE l.nr::integer END AS grp, btrim(t.term) AS term
      FROM regexp_split_to_table(list, '\n') WITH ORDINALITY AS r(raw, nr),
           LATERAL (SELECT btrim(regexp_replace(r.raw, '#.*$', '')) AS line, r.nr) l,
           LATERAL regexp_split_to_table(ltrim(l.line, '!'), ';') AS t(term)
     WHERE l.line <> '' AND btrim(t.term) <> '';
    IF EXISTS (SELECT grp, term FROM synonym_new EXCEPT SELECT grp, term FROM search_synonym)
       OR EXISTS (SELECT grp, term FROM search_synonym EXCEPT SELECT grp, term FROM synonym_new) THEN
        DELETE FROM search_synonym;
        INSERT INTO search_synonym (grp, term) SELECT grp, term FROM synonym_new;
        PERFORM search_synonyms_compile();
    END IF;
    DROP TABLE synonym_new;
    SELECT count(DISTINCT grp) INTO n FROM search_synonym WHERE grp > 0;
    RETURN n;
END $$;

-- The query of free words (websearch syntax: "phrase", -word, OR), folded like the index, without
-- the words of questions, each synonym or acronym widened to its group.
CREATE FUNCTION sc_tsquery(q text) RETURNS tsquery
    LANGUAGE sql STABLE PARALLEL SAFE STRICT
    AS $$ SELECT sc_synonyms(websearch_to_tsquery('sc_french', sc_query_words(sc_fold(q)))) $$;

-- Ranking inside the index: `ORDER BY tsv <=> query LIMIT n` returns the best n matches without
-- reading every matching row; the same index answers `tsv @@ query` for counts and filters.
CREATE INDEX initiative_tsv_rum_idx ON initiative USING rum (tsv rum_tsvector_ops)
    WHERE status = 'published';

-- Words with a theme, a région or a département: one GIN index over the four columns intersects
-- their posting lists inside the index. Short pending lists (256 kB) on every GIN index a search
-- reads: a scan reads all of the pending list.
CREATE INDEX initiative_search_gin_idx
    ON initiative USING gin (tsv, themes, region_code, departement_code)
    WITH (gin_pending_list_limit = 256) WHERE status = 'published';
CREATE INDEX initiative_themes_idx ON initiative USING gin (themes) WITH (gin_pending_list_limit = 256);

-- Words in one région: a GIN index over (tsv, themes, departement_code) for each of the 18 régions'
-- published initiatives. The predicate is written `(region_code = '84') IS TRUE`, as a search with
-- words and a single région writes its filter (domain/search.c): the planner then uses this index
-- and not the btree indexes on region_code.
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

-- Free words within a place (a radius, or the map's box): the point and the words tested in one
-- GiST index, only the rows that pass both read.
CREATE INDEX initiative_geom_tsv_idx ON initiative USING gist (geom, tsv)
    WHERE status = 'published';

-- The tiers of a common word: the matches with the words in their title (weight A) come first,
-- newest first, then those with them in their summary or actor name (weight B), then the others
-- by rank. Each tier has its own index, which also gives the planner its size.
CREATE FUNCTION sc_title_tsv(title text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT to_tsvector('sc_french'::regconfig, sc_fold(coalesce(title, ''))) $$;

-- The query with each lexeme restricted to weight A, the title's in tsv.
CREATE FUNCTION sc_tsquery_title(q text) RETURNS tsquery
    LANGUAGE sql STABLE PARALLEL SAFE STRICT
    AS $$ SELECT regexp_replace(sc_tsquery(q)::text, '(''(?:[^'']|'''')*'')(?::(\*))?', '\1:\2A', 'g')::tsquery $$;

CREATE INDEX initiative_title_tsv_idx ON initiative USING gin (sc_title_tsv(title))
    WITH (gin_pending_list_limit = 256) WHERE status = 'published';

CREATE FUNCTION sc_summary_tsv(summary text, actor_name text) RETURNS tsvector
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    AS $$
BEGIN
    RETURN to_tsvector('sc_french'::regconfig, sc_fold(concat_ws(' ', summary, actor_name)));
END $$;

-- The query restricted to weight B.
CREATE FUNCTION sc_tsquery_summary(q text) RETURNS tsquery
    LANGUAGE sql STABLE PARALLEL SAFE STRICT
    AS $$ SELECT regexp_replace(sc_tsquery(q)::text, '(''(?:[^'']|'''')*'')(?::(\*))?', '\1:\2B', 'g')::tsquery $$;

CREATE INDEX initiative_summary_tsv_idx ON initiative USING gin (sc_summary_tsv(summary, actor_name))
    WITH (gin_pending_list_limit = 256) WHERE status = 'published';

-- Suggestions as people type (GET /api/v1/suggest, domain/suggest.c): titles starting with the
-- text (a range of this index), titles whose words start with the typed words (trigrams over
-- ' ' || title_norm || ' ', the spaces marking where words start), and the window of the newest
-- titles, read from the index alone.
CREATE INDEX initiative_title_prefix_idx
    ON initiative (title_norm text_pattern_ops, created_at DESC, id DESC)
    WHERE status = 'published';
CREATE INDEX initiative_title_trgm_idx
    ON initiative USING gin ((' ' || title_norm || ' ') gin_trgm_ops)
    WHERE status = 'published';
CREATE INDEX initiative_newest_title_idx
    ON initiative (created_at DESC, id DESC) INCLUDE (title_norm)
    WHERE status = 'published';

-- Searches without words filtered by theme, territory and years: the place, the themes' bits and
-- the year in one btree, so that the page and its count come from one scan.
CREATE INDEX initiative_region_year_idx
    ON initiative (region_code, start_year) INCLUDE (theme_bits, created_at, id)
    WHERE status = 'published';
CREATE INDEX initiative_departement_year_idx
    ON initiative (departement_code, start_year) INCLUDE (theme_bits, created_at, id)
    WHERE status = 'published';
CREATE INDEX initiative_region_bits_year_idx ON initiative (region_code, theme_bits, start_year)
    INCLUDE (created_at, id) WHERE status = 'published';
CREATE INDEX initiative_departement_bits_year_idx ON initiative (departement_code, theme_bits, start_year)
    INCLUDE (created_at, id) WHERE status = 'published';

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

-- Every combination of theme bits present among initiatives: a theme's test is written
-- theme_bits = ANY (the combinations holding it), which a btree searches value by value. Kept by a
-- statement trigger on initiative's writes; a combination no longer present costs one empty probe.
CREATE TABLE theme_bits_seen (bits integer PRIMARY KEY);

CREATE FUNCTION theme_bits_seen_add() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    INSERT INTO theme_bits_seen SELECT DISTINCT n.theme_bits FROM new_rows n ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
CREATE TRIGGER initiative_theme_bits_seen_insert AFTER INSERT ON initiative
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION theme_bits_seen_add();
CREATE TRIGGER initiative_theme_bits_seen_update AFTER UPDATE ON initiative
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION theme_bits_seen_add();

-- Facet counts of the whole catalogue and of the catalogue under one filter, kept exact by
-- triggers. A search without words, place or year whose facet, once its own filter is left out,
-- has no filter or a single one (one code), reads its counts here instead of grouping every
-- matching row. (fkind, fcode): the filter, '' and '' for none; kind: the facet (the API's facet
-- names); code: a value; n: published initiatives that pass the filter, counted once per value
-- they hold. Pairs of a kind with itself are not kept (a facet ignores its own filter), nor région
-- with département (both ignore the territory filters), nor years as filters.
CREATE TABLE facet_count (
    fkind text NOT NULL,
    fcode text NOT NULL,
    kind  text NOT NULL,
    code  text NOT NULL,
    n     bigint NOT NULL,
    PRIMARY KEY (fkind, fcode, kind, code)
);

-- The facet values of an initiative, each prefixed by one letter for its kind (t theme,
-- u subtheme, p public, a actor_type, s scale, g stage, r region, d departement, y year).
CREATE FUNCTION facet_items(themes text[], subthemes text[], publics text[],
                                       actor_type text, scale text, stage text, region text,
                                       departement text, year smallint)
    RETURNS text[]
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    AS $$
BEGIN
    RETURN array(SELECT 't' || c FROM unnest(themes) c)
        || array(SELECT 'u' || c FROM unnest(subthemes) c)
        || array(SELECT 'p' || c FROM unnest(publics) c)
        || array_remove(ARRAY['a' || actor_type, 's' || scale, 'g' || stage, 'r' || region,
                              'd' || departement, 'y' || year::text], NULL);
END $$;

CREATE FUNCTION facet_kind(prefix text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT CASE prefix WHEN 't' THEN 'theme' WHEN 'u' THEN 'subtheme' WHEN 'p' THEN 'public'
                   WHEN 'a' THEN 'actor_type' WHEN 's' THEN 'scale' WHEN 'g' THEN 'stage'
                   WHEN 'r' THEN 'region' WHEN 'd' THEN 'departement' WHEN 'y' THEN 'year'
                   ELSE '' END $$;

-- One row a statement adds (d = 1) or removes (d = -1), with its facet_items (a).
CREATE TYPE facet_change AS (d integer, a text[]);

-- Adds to facet_count the changes. Keys are written in order, so that concurrent writers lock them
-- in the same order.
CREATE FUNCTION facet_count_add(changes facet_change[]) RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
    INSERT INTO facet_count AS c (fkind, fcode, kind, code, n)
    SELECT facet_kind(left(p.f, 1)), substr(p.f, 2), facet_kind(left(p.g, 1)), substr(p.g, 2), sum(p.d)
      FROM (SELECT r.d, '' AS f, g FROM unnest(changes) r, unnest(r.a) g
            UNION ALL
            SELECT r.d, f.f, g
              FROM unnest(changes) r,
                   LATERAL (SELECT DISTINCT f FROM unnest(r.a) f WHERE left(f, 1) <> 'y') f,
                   unnest(r.a) g
             WHERE left(f.f, 1) <> left(g, 1)
               AND NOT (left(f.f, 1) IN ('r', 'd') AND left(g, 1) IN ('r', 'd'))) p
     GROUP BY p.f, p.g
    HAVING sum(p.d) <> 0
     ORDER BY 1, 2, 3, 4
    ON CONFLICT (fkind, fcode, kind, code) DO UPDATE SET n = c.n + EXCLUDED.n;
END $$;

-- The rows of a temporary table facet_delta (d integer, a text[]), for a caller that filled it.
CREATE FUNCTION facet_count_apply() RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
    PERFORM facet_count_add(ARRAY(SELECT ROW(r.d, r.a)::facet_change FROM facet_delta r));
END $$;

-- What facet_count_add would add, kept for the fold at commit.
CREATE FUNCTION facet_count_defer(changes facet_change[]) RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF cardinality(changes) = 0 THEN
        RETURN;
    END IF;
    PERFORM counter_pending_tables();
    INSERT INTO pg_temp.facet_pending (fkind, fcode, kind, code, n)
    SELECT facet_kind(left(p.f, 1)), substr(p.f, 2), facet_kind(left(p.g, 1)), substr(p.g, 2), sum(p.d)
      FROM (SELECT r.d, '' AS f, g FROM unnest(changes) r, unnest(r.a) g
            UNION ALL
            SELECT r.d, f.f, g
              FROM unnest(changes) r,
                   LATERAL (SELECT DISTINCT f FROM unnest(r.a) f WHERE left(f, 1) <> 'y') f,
                   unnest(r.a) g
             WHERE left(f.f, 1) <> left(g, 1)
               AND NOT (left(f.f, 1) IN ('r', 'd') AND left(g, 1) IN ('r', 'd'))) p
     GROUP BY p.f, p.g
    HAVING sum(p.d) <> 0;
    PERFORM counter_flush_due();
END $$;

CREATE FUNCTION facet_count_trigger() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM facet_count;
        PERFORM counter_pending_tables();
        DELETE FROM pg_temp.facet_pending;
    ELSIF TG_OP = 'INSERT' THEN
        PERFORM facet_count_defer(ARRAY(
            SELECT ROW(1, facet_items(n.themes, n.subthemes, n.publics, n.actor_type, n.scale,
                                      n.stage, n.region_code, n.departement_code,
                                      n.start_year))::facet_change
              FROM new_rows n WHERE n.status = 'published'));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM facet_count_defer(ARRAY(
            SELECT ROW(-1, facet_items(o.themes, o.subthemes, o.publics, o.actor_type, o.scale,
                                       o.stage, o.region_code, o.departement_code,
                                       o.start_year))::facet_change
              FROM old_rows o WHERE o.status = 'published'));
    ELSE
        -- Only the rows whose status or facet values changed.
        PERFORM facet_count_defer(ARRAY(
            SELECT ROW(x.d, x.a)::facet_change
              FROM old_rows o JOIN new_rows n ON n.id = o.id,
                   LATERAL (SELECT -1 AS d,
                                   facet_items(o.themes, o.subthemes, o.publics, o.actor_type,
                                               o.scale, o.stage, o.region_code,
                                               o.departement_code, o.start_year) AS a
                             WHERE o.status = 'published'
                            UNION ALL
                            SELECT 1,
                                   facet_items(n.themes, n.subthemes, n.publics, n.actor_type,
                                               n.scale, n.stage, n.region_code,
                                               n.departement_code, n.start_year)
                             WHERE n.status = 'published') x
             WHERE (o.status, o.themes, o.subthemes, o.publics, o.actor_type, o.scale, o.stage,
                    o.region_code, o.departement_code, o.start_year)
                   IS DISTINCT FROM
                   (n.status, n.themes, n.subthemes, n.publics, n.actor_type, n.scale, n.stage,
                    n.region_code, n.departement_code, n.start_year)));
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER initiative_facet_insert AFTER INSERT ON initiative
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION facet_count_trigger();
CREATE TRIGGER initiative_facet_update AFTER UPDATE ON initiative
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION facet_count_trigger();
CREATE TRIGGER initiative_facet_delete AFTER DELETE ON initiative
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION facet_count_trigger();
CREATE TRIGGER initiative_facet_truncate AFTER TRUNCATE ON initiative
    FOR EACH STATEMENT EXECUTE FUNCTION facet_count_trigger();

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
-- after they write initiatives (sql/load/run.sh through search_lexicon_refresh_if_changed,
-- sql/bench/generate.sh). The refresh reads every published text (minutes at 1,000,000), so the
-- loader at each start of the stack skips it when nothing changed since the last one: each refresh
-- records the change log's last position (every write to the published set logs a row there;
-- compaction never removes the last one) and the number of published initiatives (a TRUNCATE logs
-- nothing).
CREATE TABLE search_lexicon_state (
    one       boolean PRIMARY KEY DEFAULT true CHECK (one),
    seq       bigint NOT NULL DEFAULT 0,
    published bigint NOT NULL DEFAULT -1
);
INSERT INTO search_lexicon_state DEFAULT VALUES;

CREATE FUNCTION search_lexicon_refresh() RETURNS integer
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

-- The number of published initiatives, kept exact by a trigger in facet_count under the key
-- ('', '', 'total', ''): the total of the statistics of the whole catalogue (GET /api/v1/stats,
-- domain/stats.c) is read there in constant time instead of counting 1,000,000 rows (about 60 ms).
-- The totals under one filter code are already there: ('', '', kind, code).
INSERT INTO facet_count (fkind, fcode, kind, code, n)
SELECT '', '', 'total', '', count(*) FROM initiative WHERE status = 'published'
ON CONFLICT (fkind, fcode, kind, code) DO UPDATE SET n = EXCLUDED.n;

CREATE FUNCTION stats_total_trigger() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    d bigint := 0;
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM facet_count WHERE fkind = '' AND fcode = '' AND kind = 'total';
        PERFORM counter_pending_tables();
        DELETE FROM pg_temp.facet_pending WHERE fkind = '' AND fcode = '' AND kind = 'total';
        RETURN NULL;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        d := d + (SELECT count(*) FROM new_rows WHERE status = 'published');
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        d := d - (SELECT count(*) FROM old_rows WHERE status = 'published');
    END IF;
    IF d <> 0 THEN
        PERFORM counter_pending_tables();
        INSERT INTO pg_temp.facet_pending (fkind, fcode, kind, code, n) VALUES ('', '', 'total', '', d);
        PERFORM counter_flush_due();
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER initiative_stats_total_insert AFTER INSERT ON initiative
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION stats_total_trigger();
CREATE TRIGGER initiative_stats_total_update AFTER UPDATE ON initiative
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION stats_total_trigger();
CREATE TRIGGER initiative_stats_total_delete AFTER DELETE ON initiative
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION stats_total_trigger();
-- After initiative_facet_truncate (triggers fire in name order), which empties facet_count.
CREATE TRIGGER initiative_stats_total_truncate AFTER TRUNCATE ON initiative
    FOR EACH STATEMENT EXECUTE FUNCTION stats_total_trigger();

-- The sorts of a ranked search, of facets and of map clusters spill to disk with the default 4 MB.
-- (A setting of the database, not part of the compared schema.)
DO $$ BEGIN
    EXECUTE format('ALTER DATABASE %I SET work_mem = %L', current_database(), '32MB');
END $$;


-- ===================================================================================================
-- 5. Map
-- ===================================================================================================
-- domain/map.c: an unfiltered map adds up precomputed cells and reads the points of the cells on
-- the edges of its box; a filtered map clusters the initiatives themselves.

-- The first cell level (3 to 8) on whose cell edges a point lies, if any: such a point is not
-- counted in the cells of that level and the finer ones, but read on its own.
CREATE FUNCTION map_grid_level(x float8, y float8) RETURNS smallint
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    AS $$
BEGIN
    FOR g IN 3..8 LOOP
        IF x * 2 ^ (g + 5) / 360 = floor(x * 2 ^ (g + 5) / 360)
           OR y * 2 ^ (g + 5) / 360 = floor(y * 2 ^ (g + 5) / 360) THEN
            RETURN g;
        END IF;
    END LOOP;
    RETURN NULL;
END $$;

-- The points of the map: one narrow row per published initiative that has a place, kept by
-- triggers on initiative (about 40 MB at 1,000,000 initiatives, against 1.4 GB of initiatives).
CREATE TABLE map_point (
    id   bigint PRIMARY KEY,  -- the initiative's
    x    float8 NOT NULL,  -- ST_X(geom), ST_Y(geom): the coordinates grouped and averaged
    y    float8 NOT NULL,
    geom geometry(Point, 4326) NOT NULL,  -- for the box test, the same as the search's
    grid smallint GENERATED ALWAYS AS (map_grid_level(x, y)) STORED
);
CREATE INDEX map_point_geom_idx ON map_point USING gist (geom);
CREATE INDEX map_point_x_idx ON map_point (x);
CREATE INDEX map_point_y_idx ON map_point (y);
CREATE INDEX map_point_grid_idx ON map_point (grid) WHERE grid IS NOT NULL;

CREATE FUNCTION map_point_trigger() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        TRUNCATE map_point;
        RETURN NULL;
    END IF;
    IF TG_OP = 'DELETE' THEN
        DELETE FROM map_point p USING old_rows o WHERE p.id = o.id;
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        -- Only the rows whose status or place changed: those that leave the map are deleted,
        -- the others written.
        WITH changed AS (
            SELECT n.* FROM old_rows o JOIN new_rows n ON n.id = o.id
             WHERE o.status IS DISTINCT FROM n.status
                OR ST_AsBinary(o.geom) IS DISTINCT FROM ST_AsBinary(n.geom)),
        gone AS (
            DELETE FROM map_point p USING changed c
             WHERE p.id = c.id AND NOT (c.status = 'published' AND c.geom IS NOT NULL))
        INSERT INTO map_point (id, x, y, geom)
        SELECT c.id, ST_X(c.geom), ST_Y(c.geom), c.geom
          FROM changed c WHERE c.status = 'published' AND c.geom IS NOT NULL
        ON CONFLICT (id) DO UPDATE SET x = EXCLUDED.x, y = EXCLUDED.y, geom = EXCLUDED.geom;
        RETURN NULL;
    END IF;
    INSERT INTO map_point (id, x, y, geom)
    SELECT n.id, ST_X(n.geom), ST_Y(n.geom), n.geom
      FROM new_rows n WHERE n.status = 'published' AND n.geom IS NOT NULL;
    RETURN NULL;
END $$;

CREATE TRIGGER initiative_map_insert AFTER INSERT ON initiative
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION map_point_trigger();
CREATE TRIGGER initiative_map_update AFTER UPDATE ON initiative
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION map_point_trigger();
CREATE TRIGGER initiative_map_delete AFTER DELETE ON initiative
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION map_point_trigger();
CREATE TRIGGER initiative_map_truncate AFTER TRUNCATE ON initiative
    FOR EACH STATEMENT EXECUTE FUNCTION map_point_trigger();

-- Cluster cells of the unfiltered map. The clusters of zoom z group the points by round(x / s),
-- s = 360 / 2^z / 4 degrees; the cells of level g (3 to 8) are [cx, cx + 1) × [cy, cy + 1) in
-- units of 360 / 2^(g + 5) degrees, so each cell lies within one cluster of any zoom z <= g. Per
-- cell: the number of points, the sums of their coordinates (a cluster's centroid is their mean),
-- their extent and the smallest id. Kept by triggers on map_point.
CREATE TABLE map_cell (
    g      smallint NOT NULL,
    cx     integer NOT NULL,
    cy     integer NOT NULL,
    n      integer NOT NULL,
    sx     float8 NOT NULL,
    sy     float8 NOT NULL,
    x0     float8 NOT NULL,
    y0     float8 NOT NULL,
    x1     float8 NOT NULL,
    y1     float8 NOT NULL,
    min_id bigint NOT NULL,
    PRIMARY KEY (g, cx, cy)
);

-- The cell of a coordinate at level g.
CREATE FUNCTION map_cell_of(v float8, g integer) RETURNS integer
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT floor(v * (2 ^ (g + 5)) / 360)::integer $$;

-- Recomputes the cells listed in the temporary table map_cell_dirty (g, cx, cy) from map_point.
CREATE FUNCTION map_cell_recompute() RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
    DELETE FROM map_cell c USING (SELECT DISTINCT g, cx, cy FROM map_cell_dirty) d
     WHERE c.g = d.g AND c.cx = d.cx AND c.cy = d.cy;
    INSERT INTO map_cell (g, cx, cy, n, sx, sy, x0, y0, x1, y1, min_id)
    SELECT d.g, d.cx, d.cy, a.n, a.sx, a.sy, a.x0, a.y0, a.x1, a.y1, a.min_id
      FROM (SELECT DISTINCT g, cx, cy FROM map_cell_dirty) d,
           LATERAL (SELECT count(*)::integer AS n, sum(p.x) AS sx, sum(p.y) AS sy, min(p.x) AS x0,
                           min(p.y) AS y0, max(p.x) AS x1, max(p.y) AS y1, min(p.id) AS min_id
                      FROM map_point p
                     WHERE p.x >= d.cx * 360 / 2 ^ (d.g + 5) - 1e-6
                       AND p.x < (d.cx + 1) * 360 / 2 ^ (d.g + 5) + 1e-6
                       AND map_cell_of(p.x, d.g) = d.cx AND map_cell_of(p.y, d.g) = d.cy
                       AND (p.grid IS NULL OR p.grid > d.g)) a
     WHERE a.n > 0
     ORDER BY 1, 2, 3;
    DELETE FROM map_cell_dirty;
END $$;

CREATE FUNCTION map_cell_trigger() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    PERFORM counter_pending_tables();
    IF TG_OP = 'TRUNCATE' THEN
        TRUNCATE map_cell;
        DELETE FROM pg_temp.map_cell_pending;
        DELETE FROM pg_temp.map_cell_dirty;
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        -- New points only add to their cells.
        INSERT INTO pg_temp.map_cell_pending (g, cx, cy, n, sx, sy, x0, y0, x1, y1, min_id)
        SELECT g, map_cell_of(p.x, g), map_cell_of(p.y, g), count(*), sum(p.x), sum(p.y),
               min(p.x), min(p.y), max(p.x), max(p.y), min(p.id)
          FROM new_rows p, generate_series(3, 8) g
         WHERE p.grid IS NULL OR p.grid > g
         GROUP BY 1, 2, 3;
    ELSE
        -- A point that moves or leaves: its cells are counted again.
        INSERT INTO pg_temp.map_cell_dirty
        SELECT g, map_cell_of(o.x, g), map_cell_of(o.y, g) FROM old_rows o, generate_series(3, 8) g;
        IF TG_OP = 'UPDATE' THEN
            INSERT INTO pg_temp.map_cell_dirty
            SELECT g, map_cell_of(n.x, g), map_cell_of(n.y, g) FROM new_rows n, generate_series(3, 8) g;
        END IF;
    END IF;
    PERFORM counter_flush_due();
    RETURN NULL;
END $$;

CREATE TRIGGER map_point_cell_insert AFTER INSERT ON map_point
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION map_cell_trigger();
CREATE TRIGGER map_point_cell_update AFTER UPDATE ON map_point
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION map_cell_trigger();
CREATE TRIGGER map_point_cell_delete AFTER DELETE ON map_point
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION map_cell_trigger();
CREATE TRIGGER map_point_cell_truncate AFTER TRUNCATE ON map_point
    FOR EACH STATEMENT EXECUTE FUNCTION map_cell_trigger();


-- ===================================================================================================
-- 6. Harvest
-- ===================================================================================================
-- socialconnect-harvest and the job runner (docs/sources.md, docs/architecture.md): a source is
-- read by runs; each item it publishes is a source_record, which feeds one initiative (several
-- records of different sources may feed the same one: de-duplication).

-- A platform that publishes projects: harvested (kinds html, json, rss, atom, csv, following the
-- source document in config), entered by hand (manual) or demonstration data (demo).
CREATE TABLE source (
    id              bigserial PRIMARY KEY,
    code            text NOT NULL UNIQUE CHECK (code ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
    name            text NOT NULL,
    kind            text NOT NULL CHECK (kind IN ('html', 'json', 'rss', 'atom', 'csv', 'manual', 'demo')),
    url             text,
    config          jsonb NOT NULL DEFAULT '{}',       -- the source document (docs/sources.md)
    is_demo         boolean NOT NULL DEFAULT false,   -- demonstration data, labelled as such everywhere
    enabled         boolean NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    licence         text,
    period_hours    integer NOT NULL DEFAULT 24 CHECK (period_hours BETWEEN 1 AND 8760),
    -- A record absent from this many consecutive complete runs is marked gone (never deleted).
    gone_after_runs integer NOT NULL DEFAULT 3 CHECK (gone_after_runs BETWEEN 1 AND 100),
    next_run_at     timestamptz
);
CREATE TRIGGER source_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON source
    FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump();

-- One harvest of one source, with its figures and its errors ([{url, reason}], at most 500).
CREATE TABLE harvest_run (
    id                 bigserial PRIMARY KEY,
    source_id          bigint NOT NULL REFERENCES source (id),
    started_at         timestamptz NOT NULL DEFAULT now(),
    finished_at        timestamptz,
    status             text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'succeeded', 'failed', 'partial')),
    pages_fetched      integer NOT NULL DEFAULT 0,
    records_seen       integer NOT NULL DEFAULT 0,
    records_new        integer NOT NULL DEFAULT 0,
    records_updated    integer NOT NULL DEFAULT 0,
    records_unchanged  integer NOT NULL DEFAULT 0,
    records_gone       integer NOT NULL DEFAULT 0,
    errors             jsonb NOT NULL DEFAULT '[]',
    pages_not_modified integer NOT NULL DEFAULT 0,
    pages_failed       integer NOT NULL DEFAULT 0,
    records_failed     integer NOT NULL DEFAULT 0,
    bytes_fetched      bigint  NOT NULL DEFAULT 0
);
CREATE INDEX harvest_run_source_idx ON harvest_run (source_id, started_at DESC);
CREATE TRIGGER harvest_run_version AFTER INSERT OR UPDATE OR DELETE ON harvest_run
    FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump();

-- One item of a source as harvested: raw holds the extracted fields (and, under "unmapped", the
-- values no map entry knew), content_hash their SHA-256 (an unchanged record is only marked
-- seen), normalised what fed the initiative.
CREATE TABLE source_record (
    id            bigserial PRIMARY KEY,
    source_id     bigint NOT NULL REFERENCES source (id),
    external_id   text NOT NULL,
    url           text,
    raw           jsonb NOT NULL,
    content_hash  text NOT NULL,
    first_seen_at timestamptz NOT NULL DEFAULT now(),
    last_seen_at  timestamptz NOT NULL DEFAULT now(),
    gone_at       timestamptz,                 -- no longer on the source: marked, never deleted
    initiative_id bigint REFERENCES initiative (id) ON DELETE SET NULL,
    -- Consecutive complete runs that did not see the record; reset when it is seen again.
    missed_runs   integer NOT NULL DEFAULT 0,
    -- The record after transforms and value maps: what fed the initiative.
    normalised    jsonb,
    last_run_id   bigint REFERENCES harvest_run (id),
    changed_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (source_id, external_id)
);
CREATE INDEX source_record_initiative_idx ON source_record (initiative_id);
CREATE INDEX source_record_source_seen_idx ON source_record (source_id, last_run_id);
CREATE TRIGGER source_record_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON source_record
    FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump();

-- Last answer per URL, so the next run can ask "If-None-Match / If-Modified-Since" and reuse the
-- body on a 304. Bodies are capped by the harvester before they get here.
CREATE TABLE harvest_page (
    source_id     bigint NOT NULL REFERENCES source (id) ON DELETE CASCADE,
    url           text NOT NULL,
    etag          text,
    last_modified text,
    content_type  text,
    body          bytea NOT NULL,
    fetched_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source_id, url)
);

-- Work for the job runners: taken with FOR UPDATE SKIP LOCKED, so several runners can share it.
CREATE TABLE harvest_job (
    id           bigserial PRIMARY KEY,
    source_id    bigint NOT NULL REFERENCES source (id) ON DELETE CASCADE,
    run_after    timestamptz NOT NULL DEFAULT now(),
    status       text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done', 'failed')),
    taken_by     text,
    taken_at     timestamptz,
    finished_at  timestamptz,
    run_id       bigint REFERENCES harvest_run (id),
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX harvest_job_queue_idx ON harvest_job (run_after, id) WHERE status = 'queued';
-- At most one waiting job per source: the scheduler and "run now" never pile up duplicates.
CREATE UNIQUE INDEX harvest_job_one_queued_idx ON harvest_job (source_id) WHERE status = 'queued';

-- De-duplication keys: the same project on two platforms is matched by website host and path, or
-- by normalised title and commune.
CREATE FUNCTION sc_website_key(url text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT nullif(regexp_replace(regexp_replace(lower(url), '^https?://(www\.)?', ''), '[/?#]+$', ''), '') $$;
CREATE INDEX initiative_website_key_idx ON initiative (sc_website_key(website)) WHERE website IS NOT NULL;
CREATE INDEX initiative_title_commune_idx ON initiative (title_norm, commune_code);

-- The slug of a new harvested initiative: its title in lower-case ASCII words, made unique with a
-- short digest of its provenance when taken.
CREATE FUNCTION harvest_slug(p_title text, p_source text, p_external_id text) RETURNS text
    LANGUAGE plpgsql STABLE
    AS $$
DECLARE
    base text := coalesce(nullif(left(trim(BOTH '-' FROM regexp_replace(sc_normalize(p_title),
                                                 '[^a-z0-9]+', '-', 'g')), 80), ''), 'initiative');
BEGIN
    IF NOT EXISTS (SELECT 1 FROM initiative WHERE slug = base) THEN
        RETURN base;
    END IF;
    RETURN trim(BOTH '-' FROM base) || '-' || left(md5(p_source || ' ' || p_external_id), 8);
END $$;

-- Step 1 of a record: has it changed since the last run? Marks it seen by this run either way, so
-- that only records absent from a complete run count as missed. Returns 'new', 'changed' or
-- 'unchanged' (also for a gone record come back unchanged, which is revived).
CREATE FUNCTION harvest_record_seen(p_source bigint, p_run bigint, p_external_id text, p_raw jsonb)
    RETURNS text
    LANGUAGE plpgsql
    AS $$
DECLARE
    h text := encode(sha256(convert_to(p_raw::text, 'UTF8')), 'hex');
    r record;
BEGIN
    SELECT id, content_hash, gone_at, initiative_id INTO r
      FROM source_record WHERE source_id = p_source AND external_id = p_external_id FOR UPDATE;
    IF NOT FOUND THEN
        RETURN 'new';
    END IF;
    IF r.content_hash = h AND r.initiative_id IS NOT NULL THEN
        UPDATE source_record SET last_seen_at = now(), last_run_id = p_run, missed_runs = 0, gone_at = NULL
         WHERE id = r.id AND (last_run_id IS DISTINCT FROM p_run OR gone_at IS NOT NULL);
        IF r.gone_at IS NOT NULL THEN
            UPDATE initiative SET status = 'published' WHERE id = r.initiative_id AND status = 'archived';
        END IF;
        RETURN 'unchanged';
    END IF;
    RETURN 'changed';
END $$;

-- A record whose page could not be read this run (a failed detail page): seen, not changed.
CREATE FUNCTION harvest_record_touch(p_source bigint, p_run bigint, p_external_id text) RETURNS boolean
    LANGUAGE sql
    AS $$
    WITH t AS (UPDATE source_record SET last_seen_at = now(), last_run_id = p_run, missed_runs = 0
                WHERE source_id = p_source AND external_id = p_external_id RETURNING 1)
    SELECT EXISTS (SELECT 1 FROM t) $$;

-- Step 2 of a new or changed record: store it as harvested and feed its initiative.
--   p_norm: the normalised record (docs/sources.md "Our fields") plus, from the harvester's
--   geocoder, "commune_code" and "geo_precision" when a place was recognised.
-- The initiative is found, in this order: the one the record already feeds; one of another source
-- with the same website key; one of another source with the same normalised title in the same
-- commune (de-duplication); else a new one. The record that created an initiative (its oldest live
-- record) owns its fields; a record joining it from another source fills only what is empty.
-- Fields change through initiative_insert / initiative_revise (section 9), as every writer's do; a
-- field held by the community is left alone, and when the source changed it since the community
-- took it over, a source_change waits for a moderator.
-- Returns 'new' (a new initiative), 'merged' (joined another source's initiative) or 'updated'.
CREATE FUNCTION harvest_record_save(p_source bigint, p_run bigint, p_external_id text, p_url text,
                                    p_raw jsonb, p_norm jsonb) RETURNS text
    LANGUAGE plpgsql
    AS $$
DECLARE
    h         text := encode(sha256(convert_to(p_raw::text, 'UTF8')), 'hex');
    v_source  text;
    rec_id    bigint;
    init_id   bigint;
    owner     boolean := true;
    outcome   text;
    pt        geometry;
    v_commune text := p_norm->>'commune_code';
    v_prec    text := coalesce(p_norm->>'geo_precision', 'none');
    c         record;
    v_title   text := left(p_norm->>'title', 300);
    v_web     text := p_norm->>'website';
    hv        jsonb;
    cur       jsonb;
    fill      jsonb := '{}';
    o         record;
    k         text;
BEGIN
    SELECT code INTO v_source FROM source WHERE id = p_source;
    SELECT id, initiative_id INTO rec_id, init_id
      FROM source_record WHERE source_id = p_source AND external_id = p_external_id FOR UPDATE;

    -- The place: a point given by the source, located in its commune by contour; else the
    -- representative point of the commune the geocoder recognised.
    IF p_norm ? 'lat' AND p_norm ? 'lon' THEN
        pt := ST_SetSRID(ST_MakePoint((p_norm->>'lon')::float8, (p_norm->>'lat')::float8), 4326);
        SELECT t.code INTO v_commune FROM territory t
         WHERE t.level = 'commune' AND ST_Intersects(t.contour, pt) ORDER BY t.code LIMIT 1;
        v_commune := coalesce(v_commune, p_norm->>'commune_code');
        v_prec := 'address';
    END IF;
    SELECT code, departement_code, region_code, point INTO c
      FROM territory WHERE level = 'commune' AND code = v_commune;
    IF NOT FOUND THEN
        v_commune := NULL;
        IF pt IS NULL THEN
            v_prec := 'none';
        END IF;
    ELSIF pt IS NULL THEN
        pt := c.point;
        v_prec := CASE WHEN v_prec = 'none' THEN 'commune' ELSE v_prec END;
    END IF;
    IF pt IS NULL THEN
        v_prec := 'none';
    END IF;

    -- The record's fields in the shape of initiative_fields().
    hv := jsonb_build_object(
        'title', v_title, 'summary', p_norm->>'summary', 'description', p_norm->>'description',
        'actor_name', p_norm->>'actor_name', 'actor_type', p_norm->>'actor_type',
        'themes', initiative_themes_with_parents(coalesce(p_norm->'themes', '[]'), coalesce(p_norm->'subthemes', '[]')),
        'subthemes', coalesce(p_norm->'subthemes', '[]'), 'publics', coalesce(p_norm->'publics', '[]'),
        'scale', p_norm->>'scale', 'stage', p_norm->>'stage',
        'start_year', (p_norm->>'start_year')::smallint, 'website', v_web,
        'image_url', p_norm->>'image_url',
        'place', CASE WHEN pt IS NULL AND p_norm->>'address' IS NULL AND v_commune IS NULL THEN 'null'::jsonb
                      ELSE jsonb_build_object('address', p_norm->>'address', 'postcode', p_norm->>'postcode',
                                              'commune_code', v_commune,
                                              'lon', round(ST_X(pt)::numeric, 6), 'lat', round(ST_Y(pt)::numeric, 6),
                                              'precision', v_prec) END);

    IF init_id IS NULL AND v_web IS NOT NULL THEN
        SELECT i.id INTO init_id FROM initiative i
         WHERE i.website IS NOT NULL AND sc_website_key(i.website) = sc_website_key(v_web)
           AND i.status <> 'rejected'
           AND NOT EXISTS (SELECT 1 FROM source_record sr
                            WHERE sr.initiative_id = i.id AND sr.source_id = p_source)
         ORDER BY i.id LIMIT 1;
    END IF;
    IF init_id IS NULL AND v_commune IS NOT NULL THEN
        SELECT i.id INTO init_id FROM initiative i
         WHERE i.title_norm = sc_normalize(v_title) AND i.commune_code = v_commune
           AND i.status <> 'rejected'
           AND NOT EXISTS (SELECT 1 FROM source_record sr
                            WHERE sr.initiative_id = i.id AND sr.source_id = p_source)
         ORDER BY i.id LIMIT 1;
    END IF;

    IF init_id IS NULL THEN
        init_id := initiative_insert(harvest_slug(v_title, v_source, p_external_id), hv, 'published',
                                     'harvest', NULL, NULL, p_source, NULL, NULL);
        outcome := 'new';
    ELSE
        -- Owner: this record is the initiative's oldest live record (or it has none left).
        SELECT coalesce(bool_and(sr.source_id = p_source AND sr.external_id = p_external_id), true)
          INTO owner
          FROM (SELECT source_id, external_id FROM source_record
                 WHERE initiative_id = init_id AND gone_at IS NULL
                 ORDER BY first_seen_at, id LIMIT 1) sr;
        outcome := CASE WHEN rec_id IS NULL THEN 'merged' ELSE 'updated' END;
        -- Fields held by the community: never overwritten; a change at the source is queued.
        SELECT initiative_fields(i) INTO cur FROM initiative i WHERE i.id = init_id;
        FOR o IN SELECT field, harvested FROM initiative_field_override
                  WHERE initiative_id = init_id FOR UPDATE LOOP
            IF owner AND hv ? o.field AND (hv->o.field) IS DISTINCT FROM o.harvested THEN
                INSERT INTO source_change (initiative_id, field, source_id, ours, theirs)
                VALUES (init_id, o.field, p_source, cur->o.field, hv->o.field)
                ON CONFLICT (initiative_id, field) WHERE status = 'open'
                DO UPDATE SET theirs = EXCLUDED.theirs, ours = EXCLUDED.ours,
                              source_id = EXCLUDED.source_id, version = source_change.version + 1;
                UPDATE initiative_field_override SET harvested = hv->o.field
                 WHERE initiative_id = init_id AND field = o.field;
            END IF;
            hv := hv - o.field;
        END LOOP;
        IF owner THEN
            PERFORM initiative_revise(init_id, NULL, hv, 'harvest', NULL, NULL, p_source, NULL, NULL);
        ELSE
            -- A record joining from another source fills only what is empty.
            FOR k IN SELECT jsonb_object_keys(hv) LOOP
                IF k NOT IN ('title', 'subthemes', 'scale', 'stage', 'place')
                   AND (cur->k IS NULL OR cur->k = 'null'::jsonb OR cur->k = '[]'::jsonb) THEN
                    fill := fill || jsonb_build_object(k, hv->k);
                END IF;
            END LOOP;
            PERFORM initiative_revise(init_id, NULL, fill, 'harvest', NULL, NULL, p_source, NULL, NULL);
        END IF;
        UPDATE initiative SET status = 'published', updated_at = now()
         WHERE id = init_id AND status = 'archived';
    END IF;

    INSERT INTO source_record (source_id, external_id, url, raw, content_hash, normalised,
                               last_run_id, initiative_id)
    VALUES (p_source, p_external_id, p_url, p_raw, h, p_norm, p_run, init_id)
    ON CONFLICT (source_id, external_id) DO UPDATE
       SET url = EXCLUDED.url, raw = EXCLUDED.raw, content_hash = EXCLUDED.content_hash,
           normalised = EXCLUDED.normalised, last_seen_at = now(), last_run_id = p_run,
           missed_runs = 0, gone_at = NULL, changed_at = now(), initiative_id = init_id;
    RETURN outcome;
END $$;

-- The end of a complete run: records of the source this run did not see have missed one more run;
-- after gone_after_runs they are gone. An initiative left with no live record and no other origin
-- is archived, never deleted. Returns the number of records newly gone.
CREATE FUNCTION harvest_mark_missed(p_source bigint, p_run bigint) RETURNS integer
    LANGUAGE plpgsql
    AS $$
DECLARE
    n integer;
BEGIN
    UPDATE source_record sr SET missed_runs = sr.missed_runs + 1
     WHERE sr.source_id = p_source AND sr.gone_at IS NULL AND sr.last_run_id IS DISTINCT FROM p_run;
    WITH gone AS (
        UPDATE source_record sr SET gone_at = now()
          FROM source s
         WHERE s.id = sr.source_id AND sr.source_id = p_source AND sr.gone_at IS NULL
           AND sr.missed_runs >= s.gone_after_runs
        RETURNING sr.initiative_id)
    SELECT count(*) INTO n FROM gone;
    UPDATE initiative i SET status = 'archived', updated_at = now()
     WHERE i.status = 'published'
       AND EXISTS (SELECT 1 FROM source_record sr WHERE sr.initiative_id = i.id AND sr.source_id = p_source)
       AND NOT EXISTS (SELECT 1 FROM source_record sr WHERE sr.initiative_id = i.id AND sr.gone_at IS NULL);
    RETURN n;
END $$;


-- ===================================================================================================
-- 7. Accounts and personal space
-- ===================================================================================================
-- None of these tables feeds data_version: a personal write never empties the shared response
-- cache. Writes go through the API (docs/api.md, "Writes"); who may do what is domain/people/policy.c.

-- The clock of every rule that depends on time (session lifetimes, link expiry, alerts due). In
-- production the offset is zero; the tests move it forward instead of sleeping. One row.
CREATE TABLE sc_clock (
    id     boolean PRIMARY KEY DEFAULT true CHECK (id),
    offset_s interval NOT NULL DEFAULT '0'
);
INSERT INTO sc_clock DEFAULT VALUES;

CREATE FUNCTION sc_now() RETURNS timestamptz
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    AS $$
DECLARE
    t timestamptz;
BEGIN
    SELECT now() + offset_s INTO t FROM sc_clock;
    RETURN t;
END $$;

-- A person. Deleting an account erases what identifies the person (e-mail, name, password) and
-- keeps the row, so that what they contributed stays attributed to « compte supprimé ».
CREATE TABLE app_user (
    id                bigserial PRIMARY KEY,
    email             text CHECK (email IS NULL OR length(email) <= 254),
    email_norm        text UNIQUE,            -- lower-cased e-mail: one account per address
    display_name      text CHECK (display_name IS NULL OR length(display_name) BETWEEN 1 AND 80),
    password_hash     text,                   -- Argon2id, PHC string format
    role              text NOT NULL DEFAULT 'member' CHECK (role IN ('member', 'moderator', 'admin')),
    email_verified_at timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    deleted_at        timestamptz,
    version           integer NOT NULL DEFAULT 1,   -- optimistic concurrency (If-Match)
    CHECK ((deleted_at IS NULL) = (email_norm IS NOT NULL AND password_hash IS NOT NULL
                                   AND display_name IS NOT NULL))
);

-- A signed-in browser. Only the SHA-256 of the cookie's token is stored: a copy of the table does
-- not let anyone sign in. The CSRF token is per session and useless without the cookie.
CREATE TABLE user_session (
    id           bigserial PRIMARY KEY,
    user_id      bigint NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    token_hash   bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    csrf_token   text NOT NULL,
    device       text NOT NULL DEFAULT '' CHECK (length(device) <= 200),
    created_at   timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL         -- the absolute lifetime; the idle one is last_seen_at's
);
CREATE INDEX user_session_user_idx ON user_session (user_id, last_seen_at DESC);
CREATE INDEX user_session_expires_idx ON user_session (expires_at);

-- Single-use links sent by e-mail: address verification, password reset, change of address.
-- Only the SHA-256 of the token is stored; used_at makes each link work once.
CREATE TABLE user_token (
    id          bigserial PRIMARY KEY,
    user_id     bigint NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    purpose     text NOT NULL CHECK (purpose IN ('verify', 'reset', 'email_change')),
    token_hash  bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    email       text,                          -- the address being verified (verify, email_change)
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz
);
CREATE INDEX user_token_user_idx ON user_token (user_id, purpose);

-- A person's favourite initiatives.
CREATE TABLE favourite (
    user_id       bigint NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    initiative_id bigint NOT NULL REFERENCES initiative (id) ON DELETE CASCADE,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, initiative_id)
);
CREATE INDEX favourite_user_idx ON favourite (user_id, created_at DESC, initiative_id DESC);

-- A named, ordered list of initiatives, private or public.
CREATE TABLE collection (
    id          bigserial PRIMARY KEY,
    user_id     bigint NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    title       text NOT NULL CHECK (length(title) BETWEEN 1 AND 120),
    description text NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
    visibility  text NOT NULL DEFAULT 'private' CHECK (visibility IN ('public', 'private')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    version     integer NOT NULL DEFAULT 1,
    community_id bigint  -- a community's collection (section 13 holds its key); NULL: a person's own
);
CREATE INDEX collection_user_idx ON collection (user_id, updated_at DESC);

-- An initiative in a collection, at its position, with a note.
CREATE TABLE collection_item (
    collection_id bigint NOT NULL REFERENCES collection (id) ON DELETE CASCADE,
    initiative_id bigint NOT NULL REFERENCES initiative (id) ON DELETE CASCADE,
    position      integer NOT NULL,
    note          text NOT NULL DEFAULT '' CHECK (length(note) <= 1000),
    added_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (collection_id, initiative_id)
);
CREATE INDEX collection_item_order_idx ON collection_item (collection_id, position);

-- A search kept under a name: params holds the search's query parameters as the search page puts
-- them in its URL ({"q": "jardin", "territory": "departement:69"}). An alert lists what is new or
-- changed since last_alert_at.
CREATE TABLE saved_search (
    id            bigserial PRIMARY KEY,
    user_id       bigint NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    params        jsonb NOT NULL CHECK (jsonb_typeof(params) = 'object'),
    alert         text NOT NULL DEFAULT 'none' CHECK (alert IN ('none', 'daily', 'weekly')),
    last_alert_at timestamptz NOT NULL DEFAULT now(),
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    version       integer NOT NULL DEFAULT 1
);
CREATE INDEX saved_search_user_idx ON saved_search (user_id, created_at DESC);
CREATE INDEX saved_search_alert_idx ON saved_search (last_alert_at) WHERE alert <> 'none';

-- API keys: a member's keys for partner sites (docs/api.md, "API keys and quotas"). Only the
-- SHA-256 of a secret is kept (hash); prefix is its first characters, shown so that its owner can
-- tell the keys apart. quota_minute and quota_day, when set, replace the configured defaults for
-- this key (partners who need more). A revoked key is kept (revoked_at) so that its use stays
-- readable; the API refuses it.
CREATE TABLE api_key (
    id           bigserial PRIMARY KEY,
    user_id      bigint NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 80),
    prefix       text NOT NULL,
    hash         bytea NOT NULL UNIQUE CHECK (length(hash) = 32),
    quota_minute integer CHECK (quota_minute > 0),
    quota_day    integer CHECK (quota_day > 0),
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at   timestamptz
);
CREATE INDEX api_key_user_idx ON api_key (user_id, created_at DESC);

-- Requests answered per key and day (UTC). The API counts them in Redis; the job runner adds the
-- counts here (task "usage"), so that a request costs PostgreSQL no write.
CREATE TABLE api_key_use (
    key_id   bigint NOT NULL REFERENCES api_key (id) ON DELETE CASCADE,
    day      date NOT NULL,
    requests bigint NOT NULL CHECK (requests >= 0),
    PRIMARY KEY (key_id, day)
);

-- Passwords too common to accept (the list of @zxcvbn-ts/language-common, MIT licence, loaded by
-- sql/load/run.sh), compared in lower case.
CREATE TABLE common_password (
    password text PRIMARY KEY
);


-- ===================================================================================================
-- 8. Mail
-- ===================================================================================================

-- E-mails to send. A message is inserted in the transaction that causes it, so it exists exactly
-- when its cause was committed; the job runner sends it (docs/architecture.md, "E-mail").
CREATE TABLE mail_outbox (
    id              bigserial PRIMARY KEY,
    kind            text NOT NULL,             -- verify, reset, email_change, alert, notice…
    to_addr         text NOT NULL CHECK (length(to_addr) <= 254),
    subject         text NOT NULL,
    body_text       text NOT NULL,
    headers         jsonb NOT NULL DEFAULT '{}', -- extra headers, e.g. List-Unsubscribe
    status          text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    sent_at         timestamptz
);
CREATE INDEX mail_outbox_due_idx ON mail_outbox (next_attempt_at, id) WHERE status = 'queued';

-- A queued e-mail wakes the job runners at once: they LISTEN on mail_outbox and otherwise only
-- poll every SC_JOBS_POLL_MS. The notification is delivered when the inserting transaction
-- commits, so a runner never looks for a message before it can see it.
CREATE FUNCTION mail_outbox_notify() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    PERFORM pg_notify('mail_outbox', '');
    RETURN NULL;
END
$$;

CREATE TRIGGER mail_outbox_notify AFTER INSERT ON mail_outbox
    FOR EACH STATEMENT EXECUTE FUNCTION mail_outbox_notify();


-- ===================================================================================================
-- 9. Contributions and history: revisions, fields held by the community, the sources' changes
--    waiting for a moderator, proposals and corrections, claims
-- ===================================================================================================

-- History: every change of an initiative's fields is a revision, whoever makes it — a source's
-- harvest, a member's contribution approved by a moderator, a carrier's edit, a moderator. All of
-- them go through initiative_revise (or initiative_insert for a new
-- initiative); the current row of `initiative` is the result of its revisions.
--
-- Fields changed by people (not by a harvest) are held by the community
-- (initiative_field_override): the next harvest does not overwrite them. When the source later
-- changes such a field, the change waits in source_change for a moderator to keep our value or
-- take the source's.

ALTER TABLE initiative
    -- +1 at every revision; a write against an older version is refused (409).
    ADD COLUMN version            integer NOT NULL DEFAULT 1,
    -- The member whose approved proposal created the initiative.
    ADD COLUMN proposed_by        bigint REFERENCES app_user (id) ON DELETE SET NULL,
    -- The last edit by one of its carriers (« Fiche mise à jour par le porteur du projet »).
    ADD COLUMN carrier_updated_at timestamptz;

-- One revision: which fields changed, from what to what, and who changed them.
CREATE TABLE initiative_revision (
    initiative_id   bigint NOT NULL REFERENCES initiative (id) ON DELETE CASCADE,
    version         integer NOT NULL,
    actor_kind      text NOT NULL CHECK (actor_kind IN ('harvest', 'member', 'carrier', 'moderator', 'system')),
    user_id         bigint REFERENCES app_user (id) ON DELETE SET NULL, -- member, carrier or moderator
    reviewer_id     bigint REFERENCES app_user (id) ON DELETE SET NULL, -- the moderator who approved a contribution
    source_id       bigint REFERENCES source (id),        -- harvest
    contribution_id bigint,                                -- the approved contribution, if any
    comment         text CHECK (length(comment) <= 2000),
    -- {"field": {"before": value, "after": value}, …} in the shape of initiative_fields().
    changes         jsonb NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT sc_now(),
    PRIMARY KEY (initiative_id, version)
);

-- Fields the community or a carrier changed: held against the harvest. `harvested` is the last
-- value the sources gave for the field (the value replaced when the community took it over), so
-- that a later change at the source can be told apart from the source repeating itself.
CREATE TABLE initiative_field_override (
    initiative_id bigint NOT NULL REFERENCES initiative (id) ON DELETE CASCADE,
    field         text NOT NULL,
    version       integer NOT NULL,   -- the revision that took the field over
    harvested     jsonb,
    PRIMARY KEY (initiative_id, field)
);

-- A source changed a field the community holds: a moderator keeps our value or takes theirs.
CREATE TABLE source_change (
    id            bigserial PRIMARY KEY,
    initiative_id bigint NOT NULL REFERENCES initiative (id) ON DELETE CASCADE,
    field         text NOT NULL,
    source_id     bigint REFERENCES source (id),
    ours          jsonb,              -- the value shown when the source changed
    theirs        jsonb,              -- the source's new value
    status        text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'kept', 'taken')),
    version       integer NOT NULL DEFAULT 1,
    reviewed_by   bigint REFERENCES app_user (id) ON DELETE SET NULL,
    reviewed_at   timestamptz,
    created_at    timestamptz NOT NULL DEFAULT sc_now()
);
-- One open question per field: a source changing it again updates the open one.
CREATE UNIQUE INDEX source_change_open_idx ON source_change (initiative_id, field) WHERE status = 'open';
CREATE INDEX source_change_queue_idx ON source_change (created_at, id) WHERE status = 'open';

-- The fields of an initiative as contributions, revisions and the API's writes name them.
-- `place` is null or {"address", "postcode", "commune_code", "lon", "lat", "precision"}, with
-- coordinates rounded to 6 decimals (about 10 cm) so that equal places compare equal.
CREATE FUNCTION initiative_fields(i initiative) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$
    SELECT jsonb_build_object(
        'title', i.title, 'summary', i.summary, 'description', i.description,
        'actor_name', i.actor_name, 'actor_type', i.actor_type,
        'themes', to_jsonb(i.themes), 'subthemes', to_jsonb(i.subthemes),
        'publics', to_jsonb(i.publics), 'scale', i.scale, 'stage', i.stage,
        'start_year', i.start_year, 'website', i.website, 'image_url', i.image_url,
        'place', CASE WHEN i.geom IS NULL AND i.address IS NULL AND i.commune_code IS NULL
                      THEN 'null'::jsonb
                      ELSE jsonb_build_object('address', i.address, 'postcode', i.postcode,
                                              'commune_code', i.commune_code,
                                              'lon', round(ST_X(i.geom)::numeric, 6),
                                              'lat', round(ST_Y(i.geom)::numeric, 6),
                                              'precision', i.geo_precision) END) $$;

-- The fields of a record that does not exist yet: what a creation revision starts from.
CREATE FUNCTION initiative_fields_empty() RETURNS jsonb
    LANGUAGE sql IMMUTABLE
    AS $$
    SELECT '{"title": null, "summary": null, "description": null, "actor_name": null,
             "actor_type": null, "themes": [], "subthemes": [], "publics": [], "scale": null,
             "stage": null, "start_year": null, "website": null, "image_url": null,
             "place": null}'::jsonb $$;

-- A sub-theme implies its theme: themes followed by the parents of the sub-themes that are not
-- there yet, in order, without repeats.
CREATE FUNCTION initiative_themes_with_parents(themes jsonb, subthemes jsonb) RETURNS jsonb
    LANGUAGE plpgsql STABLE
    AS $$
BEGIN
    RETURN (
    SELECT coalesce(jsonb_agg(w.code ORDER BY w.ord), '[]'::jsonb)
      FROM (SELECT u.code, min(u.ord) AS ord
              FROM (SELECT t.code, t.ord FROM jsonb_array_elements_text(coalesce(initiative_themes_with_parents.themes, '[]')) WITH ORDINALITY AS t(code, ord)
                    UNION ALL
                    SELECT v.parent, 1000000 + s.ord
                      FROM jsonb_array_elements_text(coalesce(initiative_themes_with_parents.subthemes, '[]')) WITH ORDINALITY AS s(code, ord)
                      JOIN vocabulary v ON v.kind = 'subtheme' AND v.code = s.code AND v.parent IS NOT NULL) u
             GROUP BY u.code) w);
END $$;

-- A place from a point typed or moved by a person (and an address, possibly null): the commune
-- whose contour holds the point, its postcode read from the address. NULL when the point is in
-- no commune (outside France).
CREATE FUNCTION initiative_place(p_address text, p_lon float8, p_lat float8) RETURNS jsonb
    LANGUAGE plpgsql STABLE
    AS $$
BEGIN
    RETURN (
    SELECT jsonb_build_object('address', nullif(trim(p_address), ''),
                              'postcode', substring(p_address FROM '\m([0-9][0-9AB][0-9]{3})\M'),
                              'commune_code', t.code,
                              'lon', round(p_lon::numeric, 6), 'lat', round(p_lat::numeric, 6),
                              'precision', 'address')
      FROM territory t
     WHERE p_lon BETWEEN -180 AND 180 AND p_lat BETWEEN -90 AND 90
       AND t.level = 'commune' AND ST_Intersects(t.contour, ST_SetSRID(ST_MakePoint(p_lon, p_lat), 4326))
     ORDER BY t.code LIMIT 1);
END $$;

-- The columns of a fields object (initiative_fields' shape): one conversion for the INSERT of a new
-- initiative and the UPDATE of a change.
CREATE FUNCTION initiative_values(f jsonb)
    RETURNS TABLE (title text, summary text, description text, actor_name text, actor_type text,
                   themes text[], subthemes text[], publics text[], scale text, stage text,
                   start_year smallint, website text, image_url text, address text, postcode text,
                   commune_code text, departement_code text, region_code text, geom geometry,
                   geo_precision text)
    LANGUAGE sql STABLE
    AS $$
    SELECT f->>'title', f->>'summary', f->>'description', f->>'actor_name', f->>'actor_type',
           ARRAY(SELECT jsonb_array_elements_text(coalesce(f->'themes', '[]'))),
           ARRAY(SELECT jsonb_array_elements_text(coalesce(f->'subthemes', '[]'))),
           ARRAY(SELECT jsonb_array_elements_text(coalesce(f->'publics', '[]'))),
           f->>'scale', f->>'stage', (f->>'start_year')::smallint, f->>'website', f->>'image_url',
           x.pl->>'address', x.pl->>'postcode', x.pl->>'commune_code',
           t.departement_code, t.region_code, p.pt,
           CASE WHEN p.pt IS NULL THEN 'none' ELSE coalesce(x.pl->>'precision', 'address') END
      FROM (SELECT CASE WHEN jsonb_typeof(f->'place') = 'object' THEN f->'place' END AS pl) x
     CROSS JOIN LATERAL (SELECT CASE WHEN jsonb_typeof(x.pl->'lon') = 'number'
                                      AND jsonb_typeof(x.pl->'lat') = 'number'
                                     THEN ST_SetSRID(ST_MakePoint((x.pl->>'lon')::float8,
                                                                  (x.pl->>'lat')::float8), 4326)
                                END AS pt) p
      LEFT JOIN territory t ON t.level = 'commune' AND t.code = x.pl->>'commune_code' $$;

-- Writes the fields of f (initiative_fields shape, every key present) into row p_id, and its
-- status when p_status is not NULL.
CREATE FUNCTION initiative_write_fields(p_id bigint, f jsonb, p_kind text, p_status text) RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
    UPDATE initiative SET
        (title, summary, description, actor_name, actor_type, themes, subthemes, publics, scale,
         stage, start_year, website, image_url, address, postcode, commune_code, departement_code,
         region_code, geom, geo_precision) = (SELECT * FROM initiative_values(f)),
        version = version + 1, updated_at = now(), status = coalesce(p_status, status),
        carrier_updated_at = CASE WHEN p_kind = 'carrier' THEN sc_now() ELSE carrier_updated_at END
     WHERE id = p_id;
END $$;

-- The one way fields change. Applies p_fields (any subset of initiative_fields' keys; others are
-- ignored) to initiative p_id when its version is p_expected (NULL: whatever it is), records the
-- revision, and — for writers other than a harvest — marks the changed fields as held by the
-- community. outcome: 'done', 'unchanged' (nothing differed: no revision), 'conflict' (stale
-- p_expected; new_version is the current one) or 'gone'.
CREATE FUNCTION initiative_revise(p_id bigint, p_expected integer, p_fields jsonb, p_kind text,
                                  p_user bigint, p_reviewer bigint, p_source bigint,
                                  p_contribution bigint, p_comment text,
                                  OUT outcome text, OUT new_version integer)
    LANGUAGE plpgsql
    AS $$
DECLARE
    i       initiative;
    cur     jsonb;
    merged  jsonb;
    changes jsonb := '{}';
    k       text;
BEGIN
    SELECT * INTO i FROM initiative WHERE id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        outcome := 'gone';
        RETURN;
    END IF;
    new_version := i.version;
    IF p_expected IS NOT NULL AND p_expected <> i.version THEN
        outcome := 'conflict';
        RETURN;
    END IF;
    cur := initiative_fields(i);
    merged := cur;
    FOR k IN SELECT jsonb_object_keys(p_fields) LOOP
        IF cur ? k THEN
            merged := merged || jsonb_build_object(k, p_fields->k);
        END IF;
    END LOOP;
    merged := merged || jsonb_build_object('themes',
        initiative_themes_with_parents(merged->'themes', merged->'subthemes'));
    FOR k IN SELECT jsonb_object_keys(merged) LOOP
        IF merged->k IS DISTINCT FROM cur->k THEN
            changes := changes || jsonb_build_object(k, jsonb_build_object('before', cur->k, 'after', merged->k));
        END IF;
    END LOOP;
    IF changes = '{}' THEN
        outcome := 'unchanged';
        RETURN;
    END IF;
    PERFORM initiative_write_fields(p_id, merged, p_kind, NULL);
    new_version := i.version + 1;
    INSERT INTO initiative_revision (initiative_id, version, actor_kind, user_id, reviewer_id,
                                     source_id, contribution_id, comment, changes)
    VALUES (p_id, new_version, p_kind, p_user, p_reviewer, p_source, p_contribution, p_comment, changes);
    IF p_kind <> 'harvest' THEN
        INSERT INTO initiative_field_override (initiative_id, field, version, harvested)
        SELECT p_id, c.key, new_version, c.value->'before' FROM jsonb_each(changes) c
        ON CONFLICT (initiative_id, field) DO UPDATE SET version = EXCLUDED.version;
    END IF;
    outcome := 'done';
END $$;

-- A new initiative from fields (initiative_fields shape), inserted with them as version 1 and
-- recorded as its first revision (every field from nothing), so that creation is a revision like
-- every change. p_proposed_by: the member whose approved proposal it is (else NULL). Returns the id.
CREATE FUNCTION initiative_insert(p_slug text, p_fields jsonb, p_status text, p_kind text,
                                  p_user bigint, p_reviewer bigint, p_source bigint,
                                  p_contribution bigint, p_comment text,
                                  p_proposed_by bigint DEFAULT NULL) RETURNS bigint
    LANGUAGE plpgsql
    AS $$
DECLARE
    new_id  bigint;
    empty   jsonb := initiative_fields_empty();
    f       jsonb := empty || p_fields;
    changes jsonb := '{}';
    k       text;
BEGIN
    f := f || jsonb_build_object('themes', initiative_themes_with_parents(f->'themes', f->'subthemes'));
    INSERT INTO initiative (slug, title, summary, description, actor_name, actor_type, themes,
                            subthemes, publics, scale, stage, start_year, website, image_url,
                            address, postcode, commune_code, departement_code, region_code, geom,
                            geo_precision, status, version, carrier_updated_at, proposed_by)
    SELECT p_slug, v.*, coalesce(p_status, 'pending'), 1,
           CASE WHEN p_kind = 'carrier' THEN sc_now() END, p_proposed_by
      FROM initiative_values(f) v
    RETURNING id INTO new_id;
    FOR k IN SELECT jsonb_object_keys(f) LOOP
        IF f->k IS DISTINCT FROM empty->k THEN
            changes := changes || jsonb_build_object(k, jsonb_build_object('before', empty->k, 'after', f->k));
        END IF;
    END LOOP;
    INSERT INTO initiative_revision (initiative_id, version, actor_kind, user_id, reviewer_id,
                                     source_id, contribution_id, comment, changes)
    VALUES (new_id, 1, p_kind, p_user, p_reviewer, p_source, p_contribution, p_comment, changes);
    RETURN new_id;
END $$;

-- The values of initiative p_id's fields as they were at revision p_version: the current values,
-- with each field changed after p_version taken back to its "before" in the first revision after
-- p_version that changed it. NULL when there is no such revision (or p_version is in the future).
CREATE FUNCTION initiative_fields_at(p_id bigint, p_version integer) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$
    SELECT initiative_fields(i) || coalesce(
               (SELECT jsonb_object_agg(f.field, f.before)
                  FROM (SELECT DISTINCT ON (c.key) c.key AS field, c.value->'before' AS before
                          FROM initiative_revision r, jsonb_each(r.changes) c
                         WHERE r.initiative_id = p_id AND r.version > p_version
                         ORDER BY c.key, r.version) f), '{}')
      FROM initiative i
     WHERE i.id = p_id AND p_version >= 1 AND p_version <= i.version $$;

-- Contributions (proposals of new initiatives, corrections of existing ones) and claims (« Je
-- porte ce projet »), reviewed by moderators. Nothing here is public until approved: an approved
-- proposal becomes an initiative, an approved correction a revision (035_revisions.sql). None of
-- these tables feeds data_version: only the initiative's own change does.

CREATE TABLE contribution (
    id               bigserial PRIMARY KEY,
    kind             text NOT NULL CHECK (kind IN ('proposal', 'correction')),
    status           text NOT NULL CHECK (status IN ('draft', 'pending', 'approved', 'rejected',
                                                     'changes_requested', 'withdrawn')),
    author_id        bigint NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    -- The corrected initiative; for a proposal, the initiative it became once approved.
    initiative_id    bigint REFERENCES initiative (id) ON DELETE CASCADE,
    base_version     integer,            -- corrections: the version the author saw
    fields           jsonb NOT NULL DEFAULT '{}',   -- initiative_fields() shape, proposed values
    base             jsonb,              -- corrections: those fields' values when proposed
    comment          text CHECK (length(comment) <= 2000),
    reason           text CHECK (length(reason) <= 2000),   -- the moderator's
    -- For the moderation queue's filters: the proposal's (or corrected initiative's) themes and place.
    themes           text[] NOT NULL DEFAULT '{}',
    commune_code     text,
    departement_code text,
    region_code      text,
    version          integer NOT NULL DEFAULT 1,
    reviewed_by      bigint REFERENCES app_user (id) ON DELETE SET NULL,
    reviewed_at      timestamptz,
    submitted_at     timestamptz,
    created_at       timestamptz NOT NULL DEFAULT sc_now(),
    updated_at       timestamptz NOT NULL DEFAULT sc_now(),
    CHECK (kind = 'proposal' OR initiative_id IS NOT NULL)
);
CREATE INDEX contribution_author_idx ON contribution (author_id, created_at DESC, id DESC);
CREATE INDEX contribution_queue_idx ON contribution (submitted_at, id) WHERE status = 'pending';
CREATE INDEX contribution_initiative_idx ON contribution (initiative_id);

-- A member who says they carry an initiative. Approved claims make carriers, who edit directly.
CREATE TABLE claim (
    id            bigserial PRIMARY KEY,
    initiative_id bigint NOT NULL REFERENCES initiative (id) ON DELETE CASCADE,
    user_id       bigint NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    status        text NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    message       text CHECK (length(message) <= 2000),
    reason        text CHECK (length(reason) <= 2000),
    auto          boolean NOT NULL DEFAULT false,   -- approved at once (e-mail domain = website's)
    version       integer NOT NULL DEFAULT 1,
    reviewed_by   bigint REFERENCES app_user (id) ON DELETE SET NULL,
    reviewed_at   timestamptz,
    created_at    timestamptz NOT NULL DEFAULT sc_now(),
    updated_at    timestamptz NOT NULL DEFAULT sc_now()
);
-- One live claim per person and initiative.
CREATE UNIQUE INDEX claim_live_idx ON claim (initiative_id, user_id) WHERE status IN ('pending', 'approved');
CREATE INDEX claim_user_idx ON claim (user_id, created_at DESC);
CREATE INDEX claim_queue_idx ON claim (created_at, id) WHERE status = 'pending';

-- The first field of p (initiative_fields shape) holding a code that is not in the vocabularies,
-- or a commune that is not one; NULL when every code is known.
CREATE FUNCTION contribution_fields_invalid(p jsonb) RETURNS text
    LANGUAGE plpgsql STABLE
    AS $$
BEGIN
    RETURN (
    SELECT f FROM (
        SELECT 1 AS ord, 'actor_type' AS f WHERE jsonb_typeof(p->'actor_type') = 'string'
           AND NOT EXISTS (SELECT 1 FROM vocabulary WHERE kind = 'actor_type' AND code = p->>'actor_type')
        UNION ALL
        SELECT 2, 'themes' WHERE EXISTS (SELECT 1 FROM jsonb_array_elements_text(coalesce(p->'themes', '[]')) x
                                          WHERE NOT EXISTS (SELECT 1 FROM vocabulary v WHERE v.kind = 'theme' AND v.code = x))
        UNION ALL
        SELECT 3, 'subthemes' WHERE EXISTS (SELECT 1 FROM jsonb_array_elements_text(coalesce(p->'subthemes', '[]')) x
                                             WHERE NOT EXISTS (SELECT 1 FROM vocabulary v WHERE v.kind = 'subtheme' AND v.code = x))
        UNION ALL
        SELECT 4, 'publics' WHERE EXISTS (SELECT 1 FROM jsonb_array_elements_text(coalesce(p->'publics', '[]')) x
                                           WHERE NOT EXISTS (SELECT 1 FROM vocabulary v WHERE v.kind = 'public' AND v.code = x))
        UNION ALL
        SELECT 5, 'scale' WHERE jsonb_typeof(p->'scale') = 'string'
           AND NOT EXISTS (SELECT 1 FROM vocabulary WHERE kind = 'scale' AND code = p->>'scale')
        UNION ALL
        SELECT 6, 'stage' WHERE jsonb_typeof(p->'stage') = 'string'
           AND NOT EXISTS (SELECT 1 FROM vocabulary WHERE kind = 'stage' AND code = p->>'stage')
    ) bad ORDER BY ord LIMIT 1);
END $$;

-- The queue columns of a contribution from its fields (proposal) or its initiative (correction).
CREATE FUNCTION contribution_locate() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    t record;
BEGIN
    IF NEW.kind = 'correction' THEN
        SELECT themes, commune_code, departement_code, region_code INTO t
          FROM initiative WHERE id = NEW.initiative_id;
        NEW.themes := t.themes;
        NEW.commune_code := t.commune_code;
        NEW.departement_code := t.departement_code;
        NEW.region_code := t.region_code;
    ELSE
        NEW.themes := ARRAY(SELECT jsonb_array_elements_text(
                          initiative_themes_with_parents(NEW.fields->'themes', NEW.fields->'subthemes')));
        SELECT code, departement_code, region_code INTO t
          FROM territory WHERE level = 'commune' AND code = NEW.fields->'place'->>'commune_code';
        NEW.commune_code := t.code;
        NEW.departement_code := t.departement_code;
        NEW.region_code := t.region_code;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER contribution_locate BEFORE INSERT OR UPDATE OF fields ON contribution
    FOR EACH ROW EXECUTE FUNCTION contribution_locate();

-- A moderator's decision on a pending contribution at version p_version. outcome: 'done',
-- 'conflict' (stale version or no longer pending; version is the current one), 'gone' (no such
-- contribution, or its initiative is gone). An approved proposal becomes a published initiative;
-- an approved correction a revision by its author, approved by p_reviewer.
CREATE FUNCTION contribution_review(p_id bigint, p_version integer, p_decision text, p_reason text,
                                    p_reviewer bigint,
                                    OUT outcome text, OUT current_version integer, OUT new_initiative bigint)
    LANGUAGE plpgsql
    AS $$
DECLARE
    c  contribution;
    rv record;
BEGIN
    SELECT * INTO c FROM contribution WHERE id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        outcome := 'gone';
        RETURN;
    END IF;
    current_version := c.version;
    new_initiative := c.initiative_id;
    IF c.version <> p_version OR c.status <> 'pending' THEN
        outcome := 'conflict';
        RETURN;
    END IF;
    IF p_decision = 'approve' THEN
        IF c.kind = 'proposal' THEN
            new_initiative := initiative_insert(harvest_slug(c.fields->>'title', 'contribution', c.id::text),
                                               c.fields, 'published', 'member', c.author_id,
                                               p_reviewer, NULL, c.id, c.comment, c.author_id);
        ELSE
            SELECT * INTO rv FROM initiative_revise(c.initiative_id, NULL, c.fields, 'member',
                                                    c.author_id, p_reviewer, NULL, c.id, c.comment);
            IF rv.outcome = 'gone' THEN
                outcome := 'gone';
                RETURN;
            END IF;
        END IF;
    END IF;
    UPDATE contribution
       SET status = CASE p_decision WHEN 'approve' THEN 'approved' WHEN 'reject' THEN 'rejected'
                                    ELSE 'changes_requested' END,
           reason = p_reason, reviewed_by = p_reviewer, reviewed_at = sc_now(),
           initiative_id = new_initiative,
           version = contribution.version + 1, updated_at = sc_now()
     WHERE id = p_id;
    current_version := c.version + 1;
    outcome := 'done';
END $$;

-- Whether the verified e-mail of p_user is at the domain of initiative p_initiative's website.
CREATE FUNCTION claim_domain_matches(p_user bigint, p_initiative bigint) RETURNS boolean
    LANGUAGE sql STABLE
    AS $$
    SELECT coalesce(bool_or(split_part(u.email_norm, '@', 2) =
                            lower(substring(i.website FROM '^https?://(?:www\.)?([^/:?#]+)'))), false)
      FROM app_user u, initiative i
     WHERE u.id = p_user AND u.email_verified_at IS NOT NULL AND i.id = p_initiative
       AND i.website IS NOT NULL $$;

-- A moderator's decision on a pending claim ('approve' or 'reject').
CREATE FUNCTION claim_review(p_id bigint, p_version integer, p_decision text, p_reason text,
                             p_reviewer bigint, OUT outcome text, OUT current_version integer)
    LANGUAGE plpgsql
    AS $$
DECLARE
    c claim;
BEGIN
    SELECT * INTO c FROM claim WHERE id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        outcome := 'gone';
        RETURN;
    END IF;
    current_version := c.version;
    IF c.version <> p_version OR c.status <> 'pending' THEN
        outcome := 'conflict';
        RETURN;
    END IF;
    UPDATE claim SET status = CASE WHEN p_decision = 'approve' THEN 'approved' ELSE 'rejected' END,
                     reason = p_reason, reviewed_by = p_reviewer, reviewed_at = sc_now(),
                     version = claim.version + 1, updated_at = sc_now()
     WHERE id = p_id;
    current_version := c.version + 1;
    outcome := 'done';
END $$;

-- A moderator's decision on a field the source changed: 'keep' our value, or 'take_source' — the
-- source's value becomes current (a revision by the moderator) and the field is the sources'
-- again (no longer held by the community).
CREATE FUNCTION source_change_review(p_id bigint, p_version integer, p_decision text,
                                     p_reviewer bigint, OUT outcome text, OUT current_version integer)
    LANGUAGE plpgsql
    AS $$
DECLARE
    s  source_change;
    rv record;
BEGIN
    SELECT * INTO s FROM source_change WHERE id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        outcome := 'gone';
        RETURN;
    END IF;
    current_version := s.version;
    IF s.version <> p_version OR s.status <> 'open' THEN
        outcome := 'conflict';
        RETURN;
    END IF;
    IF p_decision = 'take_source' THEN
        SELECT * INTO rv FROM initiative_revise(s.initiative_id, NULL, jsonb_build_object(s.field, s.theirs),
                                                'moderator', p_reviewer, NULL, NULL, NULL,
                                                'Valeur de la source reprise');
        DELETE FROM initiative_field_override WHERE initiative_id = s.initiative_id AND field = s.field;
    END IF;
    UPDATE source_change SET status = CASE WHEN p_decision = 'take_source' THEN 'taken' ELSE 'kept' END,
                             reviewed_by = p_reviewer, reviewed_at = sc_now(),
                             version = source_change.version + 1
     WHERE id = p_id;
    current_version := s.version + 1;
    outcome := 'done';
END $$;

-- JSON of the API (docs/api.md, "Contributions"): built here so that every answer has one shape.
CREATE FUNCTION sc_iso(t timestamptz) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') $$;

-- A person as contributions and history show them: the display name only, never the address.
CREATE FUNCTION person_json(p_id bigint) RETURNS jsonb
    LANGUAGE plpgsql STABLE
    AS $$
BEGIN
    RETURN (
    SELECT jsonb_build_object('id', u.id, 'name', coalesce(u.display_name, 'Compte supprimé'))
      FROM app_user u WHERE u.id = p_id);
END $$;

-- A value of field `field` as shown: a place gains the name of its commune.
CREATE FUNCTION field_display(field text, v jsonb) RETURNS jsonb
    LANGUAGE plpgsql STABLE
    AS $$
BEGIN
    RETURN CASE WHEN field = 'place' AND jsonb_typeof(v) = 'object' THEN
                v || jsonb_build_object('commune', (SELECT t.name FROM territory t
                                                     WHERE t.level = 'commune' AND t.code = v->>'commune_code'))
                ELSE v END;
END $$;

-- Fields as shown (field_display on each).
CREATE FUNCTION fields_display(f jsonb) RETURNS jsonb
    LANGUAGE plpgsql STABLE
    AS $$
BEGIN
    RETURN (SELECT coalesce(jsonb_object_agg(e.key, field_display(e.key, e.value)), '{}') FROM jsonb_each(f) e);
END $$;

CREATE FUNCTION contribution_json(c contribution) RETURNS jsonb
    LANGUAGE plpgsql STABLE
    AS $$
BEGIN
    RETURN jsonb_build_object(
        'id', c.id, 'kind', c.kind, 'status', c.status, 'version', c.version,
        'author', person_json(c.author_id),
        'initiative', (SELECT jsonb_build_object('id', i.id, 'title', i.title, 'version', i.version)
                         FROM initiative i WHERE i.id = c.initiative_id),
        'fields', fields_display(c.fields),
        'base', CASE WHEN c.base IS NOT NULL THEN fields_display(c.base) END,
        'current', CASE WHEN c.kind = 'correction' THEN
            (SELECT fields_display(coalesce(jsonb_object_agg(k, f->k), '{}'))
               FROM initiative i, initiative_fields(i) f, jsonb_object_keys(c.fields) k
              WHERE i.id = c.initiative_id) END,
        'comment', c.comment, 'reason', c.reason,
        'created_at', sc_iso(c.created_at), 'updated_at', sc_iso(c.updated_at),
        'submitted_at', sc_iso(c.submitted_at), 'reviewed_at', sc_iso(c.reviewed_at));
END $$;

CREATE FUNCTION claim_json(c claim) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$
    SELECT jsonb_build_object(
        'id', c.id, 'status', c.status, 'version', c.version, 'auto', c.auto,
        'initiative', (SELECT jsonb_build_object('id', i.id, 'title', i.title)
                         FROM initiative i WHERE i.id = c.initiative_id),
        'user', person_json(c.user_id), 'message', c.message, 'reason', c.reason,
        'created_at', sc_iso(c.created_at), 'reviewed_at', sc_iso(c.reviewed_at)) $$;


-- ===================================================================================================
-- 10. Comments and reports
-- ===================================================================================================

-- Comments on initiatives and reports of errors or abuse (docs/architecture.md, "Comments and
-- reports"). Neither feeds data_version: a comment never empties the shared cache of searches.
-- The public list of an initiative's comments is cached under the thread's own version
-- (comment_thread), which every change of one of its comments moves.

CREATE TABLE comment (
    id            bigserial PRIMARY KEY,
    initiative_id bigint NOT NULL REFERENCES initiative (id) ON DELETE CASCADE,
    author_id     bigint NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    body          text NOT NULL CHECK (length(body) BETWEEN 1 AND 5000),   -- as typed
    body_html     text NOT NULL,         -- body escaped, http(s) addresses as links (core/linkify.c)
    status        text NOT NULL DEFAULT 'visible' CHECK (status IN ('visible', 'hidden')),
    version       integer NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT sc_now(), -- the 15-minute edit window runs on sc_now()
    edited_at     timestamptz,
    hidden_at     timestamptz,
    hidden_by     bigint REFERENCES app_user (id) ON DELETE SET NULL,
    hidden_reason text CHECK (length(hidden_reason) <= 2000)
);
-- The public list: visible comments of one initiative in date order (keyset pages).
CREATE INDEX comment_thread_idx ON comment (initiative_id, created_at, id) WHERE status = 'visible';
CREATE INDEX comment_author_idx ON comment (author_id, initiative_id);

-- The version of each initiative's thread of comments: part of the cache key of its public list.
CREATE TABLE comment_thread (
    initiative_id bigint PRIMARY KEY REFERENCES initiative (id) ON DELETE CASCADE,
    version       bigint NOT NULL DEFAULT 1
);

CREATE FUNCTION comment_thread_bump() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    iid bigint := CASE WHEN TG_OP = 'DELETE' THEN OLD.initiative_id ELSE NEW.initiative_id END;
BEGIN
    INSERT INTO comment_thread AS t (initiative_id) VALUES (iid)
        ON CONFLICT (initiative_id) DO UPDATE SET version = t.version + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER comment_thread_version AFTER INSERT OR UPDATE OR DELETE ON comment
    FOR EACH ROW EXECUTE FUNCTION comment_thread_bump();

-- A report: « Signaler une erreur » on an initiative, « Signaler » on a comment. Anyone may send
-- one (reporter_id NULL when signed out). Open reports are part of the moderation queue.
CREATE TABLE report (
    id             bigserial PRIMARY KEY,
    target_kind    text NOT NULL CHECK (target_kind IN ('initiative', 'comment')),
    target_id      bigint NOT NULL,  -- the initiative's or the comment's id (no key: a comment may go)
    initiative_id  bigint NOT NULL REFERENCES initiative (id) ON DELETE CASCADE,
    reason         text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000), -- as typed
    reporter_id    bigint REFERENCES app_user (id) ON DELETE SET NULL,
    reporter_email text CHECK (length(reporter_email) <= 254),  -- optional, to be answered
    status         text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'dismissed', 'resolved')),
    decision       text CHECK (decision IN ('dismiss', 'resolve', 'hide')),
    review_reason  text CHECK (length(review_reason) <= 2000),
    version        integer NOT NULL DEFAULT 1,
    created_at     timestamptz NOT NULL DEFAULT sc_now(),
    reviewed_by    bigint REFERENCES app_user (id) ON DELETE SET NULL,
    reviewed_at    timestamptz,
    CHECK ((status = 'open') = (decision IS NULL))
);
CREATE INDEX report_open_idx ON report (created_at, id) WHERE status = 'open';
CREATE INDEX report_status_idx ON report (status, created_at, id);
CREATE INDEX report_target_idx ON report (target_kind, target_id) WHERE status = 'open';


-- ===================================================================================================
-- 11. Bookkeeping
-- ===================================================================================================

-- The migrations applied to this database, one row each (kept by scripts/migrate.sh; its rows are
-- not compared by the schema check).
CREATE TABLE schema_migrations (
    version text PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT now());

-- What sql/load/run.sh last loaded: a checksum of the input files of each reference data set, so
-- that a run with unchanged inputs skips the work (the gazetteer takes tens of seconds to build).
CREATE TABLE reference_load (
    name      text PRIMARY KEY,         -- 'gazetteer'
    checksum  text NOT NULL,            -- md5 of the inputs and of the loading script
    row_count integer NOT NULL,         -- rows it left in its table, to notice a table emptied since
    loaded_at timestamptz NOT NULL DEFAULT now()
);

-- ===================================================================================================
-- 12. The changes feed
-- ===================================================================================================
-- GET /api/v1/changes (docs/api.md, docs/architecture.md "The change log"): one row per write of a
-- published initiative, or of one that stops being published, written by row triggers in the
-- transaction of the write. Read in (xid, seq) order below the reader's snapshot xmin, so that a
-- transaction that commits late is never skipped.
CREATE TABLE initiative_change (
    seq           bigserial PRIMARY KEY,
    xid           xid8 NOT NULL DEFAULT pg_current_xact_id(),
    initiative_id bigint NOT NULL,
    kind          text NOT NULL CHECK (kind IN ('created', 'updated', 'archived', 'deleted')),
    changed_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX initiative_change_order_idx ON initiative_change (xid, seq);
-- For the compaction of a page (the later rows of the same initiative).
CREATE INDEX initiative_change_initiative_idx ON initiative_change (initiative_id, xid, seq);
-- The collection's temporal extent (first and last update) and the datetime filter of the OGC items
-- read the update time of published initiatives: without an index, min and max read every row.
CREATE INDEX initiative_updated_idx ON initiative (updated_at) WHERE status = 'published';

-- What a partner sees: the published initiatives. Becoming published is "created" (for the
-- partner it appears), a change while published "updated", leaving published "archived" (archived,
-- rejected or back to pending alike: it is gone from the public catalogue), a deletion "deleted".
-- A write to nothing the row holds (UPDATE … SET x = x) logs nothing.
CREATE FUNCTION initiative_change_log() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    was boolean := TG_OP <> 'INSERT' AND OLD.status = 'published';
    now_published boolean := TG_OP <> 'DELETE' AND NEW.status = 'published';
    k text;
BEGIN
    IF TG_OP = 'DELETE' THEN
        k := CASE WHEN was THEN 'deleted' END;
    ELSIF now_published AND NOT was THEN
        k := 'created';
    ELSIF now_published THEN
        k := 'updated';
    ELSIF was THEN
        k := 'archived';
    END IF;
    IF k IS NOT NULL THEN
        INSERT INTO initiative_change (initiative_id, kind)
        VALUES (CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END, k);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER initiative_change_insert AFTER INSERT OR DELETE ON initiative
    FOR EACH ROW EXECUTE FUNCTION initiative_change_log();
CREATE TRIGGER initiative_change_update AFTER UPDATE ON initiative
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION initiative_change_log();

-- The sources an initiative shows (a record that joins it or is gone) change its record as the
-- API shows it without touching its row.
CREATE FUNCTION source_record_change_log() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    INSERT INTO initiative_change (initiative_id, kind)
    SELECT DISTINCT i.id, 'updated'
      FROM initiative i
     WHERE i.status = 'published'
       AND i.id IN (NEW.initiative_id, CASE WHEN TG_OP = 'UPDATE' THEN OLD.initiative_id END);
    RETURN NULL;
END $$;
CREATE TRIGGER source_record_change_insert AFTER INSERT ON source_record
    FOR EACH ROW WHEN (NEW.initiative_id IS NOT NULL) EXECUTE FUNCTION source_record_change_log();
CREATE TRIGGER source_record_change_update AFTER UPDATE OF initiative_id, gone_at, url ON source_record
    FOR EACH ROW WHEN (OLD.initiative_id IS DISTINCT FROM NEW.initiative_id
                       OR OLD.gone_at IS DISTINCT FROM NEW.gone_at
                       OR OLD.url IS DISTINCT FROM NEW.url)
    EXECUTE FUNCTION source_record_change_log();

-- The hourly cleanup keeps each initiative's first and last entries and removes those between once
-- older than SC_CHANGES_KEEP_DAYS, walking the log from a watermark a batch at a time (each call a
-- short transaction: a long one would hold the feed back).
CREATE TABLE initiative_change_compacted (
    one boolean PRIMARY KEY DEFAULT true CHECK (one),
    xid xid8 NOT NULL DEFAULT '0',
    seq bigint NOT NULL DEFAULT 0
);
INSERT INTO initiative_change_compacted DEFAULT VALUES;

CREATE FUNCTION initiative_change_compact(keep interval, batch integer) RETURNS bigint
    LANGUAGE plpgsql
    AS $$
DECLARE
    w record;
    r record;
    horizon timestamptz := sc_now() - keep;
    ids bigint[] := '{}';
    last_xid xid8;
    last_seq bigint;
    n bigint;
BEGIN
    -- One runner at a time walks the log; another one gives up at once (it will come back).
    SELECT xid, seq INTO w FROM initiative_change_compacted FOR UPDATE SKIP LOCKED;
    IF NOT FOUND THEN
        RETURN 0;
    END IF;
    FOR r IN SELECT c.xid, c.seq, c.initiative_id, c.changed_at
               FROM initiative_change c
              WHERE (c.xid, c.seq) > (w.xid, w.seq)
              ORDER BY c.xid, c.seq
              LIMIT batch LOOP
        EXIT WHEN r.changed_at >= horizon;
        ids := ids || r.initiative_id;
        last_xid := r.xid;
        last_seq := r.seq;
    END LOOP;
    IF last_xid IS NULL THEN
        RETURN -1; -- nothing old enough after the watermark: the walk is done for now
    END IF;
    DELETE FROM initiative_change c
     WHERE c.initiative_id = ANY (ids)
       AND c.changed_at < horizon
       AND EXISTS (SELECT 1 FROM initiative_change e
                    WHERE e.initiative_id = c.initiative_id AND (e.xid, e.seq) < (c.xid, c.seq))
       AND EXISTS (SELECT 1 FROM initiative_change l
                    WHERE l.initiative_id = c.initiative_id AND (l.xid, l.seq) > (c.xid, c.seq));
    GET DIAGNOSTICS n = ROW_COUNT;
    UPDATE initiative_change_compacted SET xid = last_xid, seq = last_seq;
    RETURN n;
END $$;

-- ---------------------------------------------------------------------------------------------
-- 13. Communities (docs/api.md, "Communities"; docs/architecture.md, "Communities")
--
-- Groups of members around a theme or a territory. None of these tables feeds data_version:
-- community answers are personal and never in the shared response cache. Each SQL function below
-- does the write or read of one request and answers a JSON object, or {"error": CODE} for a
-- refusal of the domain; none decides who may act (the API's policy does, from
-- community_context).

CREATE TABLE community (
    id               bigserial PRIMARY KEY,
    name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    description      text NOT NULL DEFAULT '' CHECK (length(description) <= 4000),
    visibility       text NOT NULL CHECK (visibility IN ('public', 'restricted', 'private')),
    territory_level  text,
    territory_code   text,
    themes           text[] NOT NULL DEFAULT '{}',
    member_count     integer NOT NULL DEFAULT 0,
    search_norm      text GENERATED ALWAYS AS (sc_normalize(name || ' ' || description)) STORED,
    name_key         text GENERATED ALWAYS AS (sc_normalize(name)) STORED,
    initiatives_seen_at timestamptz NOT NULL DEFAULT now(), -- new initiatives scanned up to here
    created_at       timestamptz NOT NULL DEFAULT sc_now(),
    updated_at       timestamptz NOT NULL DEFAULT sc_now(),
    version          integer NOT NULL DEFAULT 1,
    CHECK ((territory_level IS NULL) = (territory_code IS NULL))
);
-- The directory: by name, public and restricted only.
CREATE INDEX community_directory_idx ON community (name_key, id) WHERE visibility <> 'private';
CREATE INDEX community_themes_idx ON community USING gin (themes);

CREATE TABLE community_member (
    community_id   bigint NOT NULL REFERENCES community (id) ON DELETE CASCADE,
    account_id     bigint NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    role           text NOT NULL DEFAULT 'member' CHECK (role IN ('owner', 'moderator', 'member')),
    status         text NOT NULL DEFAULT 'member' CHECK (status IN ('member', 'pending', 'banned')),
    listed         boolean NOT NULL DEFAULT true,
    digest         text NOT NULL DEFAULT 'weekly' CHECK (digest IN ('daily', 'weekly', 'never')),
    joined_at      timestamptz NOT NULL DEFAULT sc_now(),
    last_digest_at timestamptz NOT NULL DEFAULT sc_now(),
    PRIMARY KEY (community_id, account_id)
);
CREATE INDEX community_member_account_idx ON community_member (account_id);
CREATE INDEX community_member_list_idx ON community_member (community_id, status, account_id);
CREATE INDEX community_member_digest_idx ON community_member (last_digest_at)
    WHERE status = 'member' AND digest <> 'never';
-- One owner per community.
CREATE UNIQUE INDEX community_member_owner_idx ON community_member (community_id) WHERE role = 'owner';

-- An invitation by e-mail; the link carries its id signed with the site's key (no secret stored).
CREATE TABLE community_invitation (
    id           bigserial PRIMARY KEY,
    community_id bigint NOT NULL REFERENCES community (id) ON DELETE CASCADE,
    email        text NOT NULL CHECK (length(email) <= 254),
    invited_by   bigint REFERENCES app_user (id) ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT sc_now(),
    expires_at   timestamptz NOT NULL,
    accepted_at  timestamptz,
    accepted_by  bigint REFERENCES app_user (id) ON DELETE SET NULL
);
CREATE INDEX community_invitation_community_idx ON community_invitation (community_id);

CREATE TABLE community_thread (
    id               bigserial PRIMARY KEY,
    community_id     bigint NOT NULL REFERENCES community (id) ON DELETE CASCADE,
    author_id        bigint REFERENCES app_user (id) ON DELETE SET NULL,
    title            text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    body             text NOT NULL CHECK (length(body) BETWEEN 1 AND 10000),
    mentions         bigint[] NOT NULL DEFAULT '{}',
    pinned           boolean NOT NULL DEFAULT false,
    locked           boolean NOT NULL DEFAULT false,
    reply_count      integer NOT NULL DEFAULT 0,
    last_activity_at timestamptz NOT NULL DEFAULT sc_now(),
    -- The order of the list, one number for the keyset (community_sort_key): pinned first, then by
    -- last activity in microseconds.
    sort_key         bigint NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT sc_now(),
    edited_at        timestamptz,
    version          integer NOT NULL DEFAULT 1
);
CREATE INDEX community_thread_list_idx ON community_thread (community_id, sort_key DESC, id DESC);

CREATE TABLE community_reply (
    id           bigserial PRIMARY KEY,
    thread_id    bigint NOT NULL REFERENCES community_thread (id) ON DELETE CASCADE,
    community_id bigint NOT NULL REFERENCES community (id) ON DELETE CASCADE,
    author_id    bigint REFERENCES app_user (id) ON DELETE SET NULL,
    body         text NOT NULL CHECK (length(body) BETWEEN 1 AND 10000),
    mentions     bigint[] NOT NULL DEFAULT '{}',
    created_at   timestamptz NOT NULL DEFAULT sc_now(),
    edited_at    timestamptz,
    version      integer NOT NULL DEFAULT 1
);
-- A thread of thousands of replies pages by (thread_id, id).
CREATE INDEX community_reply_thread_idx ON community_reply (thread_id, id);

-- The activity feed, written as things happen (and by the job runner for new initiatives).
CREATE TABLE community_event (
    id            bigserial PRIMARY KEY,
    community_id  bigint NOT NULL REFERENCES community (id) ON DELETE CASCADE,
    kind          text NOT NULL CHECK (kind IN ('member_joined', 'thread', 'reply', 'collection_item', 'initiative')),
    at            timestamptz NOT NULL DEFAULT sc_now(),
    actor_id      bigint REFERENCES app_user (id) ON DELETE SET NULL,
    thread_id     bigint REFERENCES community_thread (id) ON DELETE CASCADE,
    reply_id      bigint REFERENCES community_reply (id) ON DELETE CASCADE,
    initiative_id bigint REFERENCES initiative (id) ON DELETE CASCADE,
    collection_id bigint REFERENCES collection (id) ON DELETE CASCADE
);
CREATE INDEX community_event_feed_idx ON community_event (community_id, id DESC);

CREATE TABLE community_notification (
    id           bigserial PRIMARY KEY,
    account_id   bigint NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    kind         text NOT NULL CHECK (kind IN ('mention', 'reply', 'join_request', 'request_approved', 'invitation_accepted', 'proposal')),
    community_id bigint NOT NULL REFERENCES community (id) ON DELETE CASCADE,
    thread_id    bigint REFERENCES community_thread (id) ON DELETE CASCADE,
    actor_id     bigint REFERENCES app_user (id) ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT sc_now(),
    read         boolean NOT NULL DEFAULT false
);
CREATE INDEX community_notification_account_idx ON community_notification (account_id, id DESC);
CREATE INDEX community_notification_unread_idx ON community_notification (account_id) WHERE NOT read;

-- The unread count, kept on write (one row read by GET /me/notifications/unread).
CREATE TABLE notification_unread (
    account_id bigint PRIMARY KEY REFERENCES app_user (id) ON DELETE CASCADE,
    unread     integer NOT NULL DEFAULT 0 CHECK (unread >= 0)
);

-- Proposals of members to add an initiative to one of the community's collections.
CREATE TABLE community_proposal (
    id            bigserial PRIMARY KEY,
    community_id  bigint NOT NULL REFERENCES community (id) ON DELETE CASCADE,
    collection_id bigint NOT NULL REFERENCES collection (id) ON DELETE CASCADE,
    initiative_id bigint NOT NULL REFERENCES initiative (id) ON DELETE CASCADE,
    note          text NOT NULL DEFAULT '' CHECK (length(note) <= 1000),
    author_id     bigint REFERENCES app_user (id) ON DELETE SET NULL,
    created_at    timestamptz NOT NULL DEFAULT sc_now()
);
CREATE INDEX community_proposal_idx ON community_proposal (community_id, id);

-- A community's collections are the ordinary collections with a community owner; user_id stays
-- the moderator who created it.
ALTER TABLE collection ADD CONSTRAINT collection_community_id_fkey
    FOREIGN KEY (community_id) REFERENCES community (id) ON DELETE CASCADE;
CREATE INDEX collection_community_idx ON collection (community_id) WHERE community_id IS NOT NULL;

-- Reports about a thread or a reply land in the site's moderation queue too (table report).
CREATE TABLE community_report (
    id           bigserial PRIMARY KEY,
    community_id bigint NOT NULL REFERENCES community (id) ON DELETE CASCADE,
    thread_id    bigint REFERENCES community_thread (id) ON DELETE CASCADE,
    reply_id     bigint REFERENCES community_reply (id) ON DELETE CASCADE,
    reason       text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
    reporter_id  bigint REFERENCES app_user (id) ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT sc_now(),
    CHECK ((thread_id IS NULL) <> (reply_id IS NULL))
);
CREATE INDEX community_report_idx ON community_report (community_id, id);

-- ---------------------------------------------------------------------------------------------
-- Reading

CREATE FUNCTION community_ts(t timestamptz) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') $$;

-- A member's display name (« compte supprimé » for a deleted account).
CREATE FUNCTION community_person(uid bigint) RETURNS json
    LANGUAGE sql STABLE
    AS $$ SELECT json_build_object('account_id', u.id,
                                   'display_name', coalesce(u.display_name, 'compte supprimé'))
            FROM app_user u WHERE u.id = uid $$;

-- COMMUNITY as viewer (0: signed out) sees it.
CREATE FUNCTION community_json(c community, viewer bigint) RETURNS json
    LANGUAGE sql STABLE
    AS $$
    SELECT json_build_object(
        'id', c.id, 'name', c.name, 'description', c.description, 'visibility', c.visibility,
        'territory', (SELECT json_build_object('ref', t.level || ':' || t.code, 'name', t.name)
                        FROM territory t WHERE t.level = c.territory_level AND t.code = c.territory_code),
        'themes', coalesce((SELECT json_agg(json_build_object('code', v.code, 'label', v.label_fr) ORDER BY v.rank, v.code)
                              FROM vocabulary v WHERE v.kind = 'theme' AND v.code = ANY (c.themes)), '[]'),
        'point', (SELECT json_build_object('lon', round(ST_X(t.point)::numeric, 5), 'lat', round(ST_Y(t.point)::numeric, 5))
                    FROM territory t WHERE t.level = c.territory_level AND t.code = c.territory_code AND t.point IS NOT NULL),
        'member_count', c.member_count,
        'created_at', community_ts(c.created_at), 'updated_at', community_ts(c.updated_at),
        'version', c.version,
        'me', CASE WHEN viewer = 0 THEN NULL ELSE
              coalesce((SELECT json_build_object('status', m.status,
                                                 'role', CASE WHEN m.status = 'member' THEN m.role END,
                                                 'listed', m.listed, 'digest', m.digest)
                          FROM community_member m WHERE m.community_id = c.id AND m.account_id = viewer),
                       json_build_object('status', NULL, 'role', NULL, 'listed', true, 'digest', 'weekly')) END)
    $$;

CREATE FUNCTION community_get(cid bigint, viewer bigint) RETURNS json
    LANGUAGE sql STABLE
    AS $$ SELECT community_json(c, viewer) FROM community c WHERE c.id = cid $$;

-- Whether territory (tl, tc) of a community lies inside or is the territory (rl, rc).
CREATE FUNCTION community_in_territory(tl text, tc text, rl text, rc text) RETURNS boolean
    LANGUAGE sql STABLE
    AS $$
    SELECT (tl = rl AND tc = rc) OR EXISTS (
        SELECT 1 FROM territory t WHERE t.level = tl AND t.code = tc
           AND ((rl = 'region' AND t.region_code = rc) OR (rl = 'departement' AND t.departement_code = rc)))
    $$;

-- The initiatives matching a community's territory and themes (none when it has neither).
CREATE FUNCTION community_match(c community, i initiative) RETURNS boolean
    LANGUAGE sql STABLE
    AS $$
    SELECT (c.territory_level IS NOT NULL OR c.themes <> '{}')
       AND (c.themes = '{}' OR i.themes && c.themes)
       AND (c.territory_level IS NULL
            OR (c.territory_level = 'region' AND i.region_code = c.territory_code)
            OR (c.territory_level = 'departement' AND i.departement_code = c.territory_code)
            OR (c.territory_level = 'commune' AND i.commune_code = c.territory_code)
            OR (c.territory_level = 'arrondissement' AND i.arrondissement_code = c.territory_code))
    $$;

-- ---------------------------------------------------------------------------------------------
-- Writes: communities and membership

CREATE FUNCTION community_notify(uid bigint, k text, cid bigint, tid bigint, actor bigint) RETURNS void
    LANGUAGE sql
    AS $$
    INSERT INTO community_notification (account_id, kind, community_id, thread_id, actor_id)
    VALUES (uid, k, cid, tid, actor);
    INSERT INTO notification_unread (account_id, unread) VALUES (uid, 1)
    ON CONFLICT (account_id) DO UPDATE SET unread = notification_unread.unread + 1;
    $$;

-- Marks as read what uid was told about community cid (they left or were removed).
CREATE FUNCTION community_forget(uid bigint, cid bigint) RETURNS void
    LANGUAGE sql
    AS $$
    WITH r AS (UPDATE community_notification SET read = true
                WHERE account_id = uid AND community_id = cid AND NOT read RETURNING 1)
    UPDATE notification_unread SET unread = greatest(unread - (SELECT count(*) FROM r), 0)
     WHERE account_id = uid AND EXISTS (SELECT 1 FROM r);
    $$;

CREATE FUNCTION community_recount(cid bigint) RETURNS void
    LANGUAGE sql
    AS $$ UPDATE community SET member_count = (SELECT count(*) FROM community_member
                                                WHERE community_id = cid AND status = 'member')
           WHERE id = cid $$;

CREATE FUNCTION community_create(actor bigint, p_name text, p_desc text, p_vis text, tl text, tc text,
                                 p_themes text[]) RETURNS json
    LANGUAGE plpgsql
    AS $$
DECLARE
    c community;
BEGIN
    INSERT INTO community (name, description, visibility, territory_level, territory_code, themes, member_count)
    VALUES (p_name, coalesce(p_desc, ''), p_vis, tl, tc, coalesce(p_themes, '{}'), 1) RETURNING * INTO c;
    INSERT INTO community_member (community_id, account_id, role, status) VALUES (c.id, actor, 'owner', 'member');
    RETURN community_json(c, actor);
END $$;

-- NULL arguments are left as they are; clear_territory removes the territory.
CREATE FUNCTION community_update(cid bigint, actor bigint, p_version integer, p_name text, p_desc text,
                                 p_vis text, tl text, tc text, clear_territory boolean,
                                 p_themes text[]) RETURNS json
    LANGUAGE plpgsql
    AS $$
DECLARE
    c community;
BEGIN
    UPDATE community SET name = coalesce(p_name, name), description = coalesce(p_desc, description),
           visibility = coalesce(p_vis, visibility),
           territory_level = CASE WHEN clear_territory THEN NULL ELSE coalesce(tl, territory_level) END,
           territory_code = CASE WHEN clear_territory THEN NULL ELSE coalesce(tc, territory_code) END,
           themes = coalesce(p_themes, themes), updated_at = sc_now(), version = version + 1
     WHERE id = cid AND version = p_version RETURNING * INTO c;
    IF NOT FOUND THEN
        RETURN json_build_object('error', 'conflict', 'current', community_get(cid, actor));
    END IF;
    RETURN community_json(c, actor);
END $$;

-- $1 q (normalised words, '' for none), theme ('' none), territory level/code ('' none), after
-- (name_key, id) or NULL, limit + 1.
CREATE FUNCTION community_directory(q text, theme text, rl text, rc text, after_key text,
                                    after_id bigint, lim integer, viewer bigint) RETURNS SETOF json
    LANGUAGE sql STABLE
    AS $$
    SELECT json_build_object('j', community_json(c, viewer), 'k', c.name_key, 'id', c.id)
      FROM community c
     WHERE c.visibility <> 'private'
       AND (q = '' OR NOT EXISTS (SELECT 1 FROM unnest(string_to_array(sc_normalize(q), ' ')) w
                                   WHERE w <> '' AND position(w IN c.search_norm) = 0))
       AND (theme = '' OR theme = ANY (c.themes))
       AND (rl = '' OR (c.territory_level IS NOT NULL AND community_in_territory(c.territory_level, c.territory_code, rl, rc)))
       AND (after_key IS NULL OR (c.name_key, c.id) > (after_key, after_id))
     ORDER BY c.name_key, c.id
     LIMIT lim
    $$;

CREATE FUNCTION community_mine(viewer bigint) RETURNS json
    LANGUAGE sql STABLE
    AS $$
    SELECT json_build_object('items', coalesce(json_agg(community_json(c, viewer) ORDER BY c.name_key, c.id), '[]'))
      FROM (SELECT c.* FROM community c JOIN community_member m ON m.community_id = c.id
             WHERE m.account_id = viewer AND m.status <> 'banned'
             ORDER BY c.name_key, c.id LIMIT 200) c
    $$;

-- The actor's membership, for the policy: visibility, status ('' none), role ('' none).
CREATE FUNCTION community_context(cid bigint, viewer bigint)
    RETURNS TABLE (visibility text, status text, role text)
    LANGUAGE sql STABLE
    AS $$
    SELECT c.visibility, coalesce(m.status, ''), coalesce(m.role, '')
      FROM community c LEFT JOIN community_member m ON m.community_id = c.id AND m.account_id = viewer
     WHERE c.id = cid
    $$;

CREATE FUNCTION community_join(cid bigint, actor bigint) RETURNS json
    LANGUAGE plpgsql
    AS $$
DECLARE
    vis text;
    st text;
    m record;
BEGIN
    SELECT visibility INTO vis FROM community WHERE id = cid FOR UPDATE;
    SELECT * INTO m FROM community_member WHERE community_id = cid AND account_id = actor;
    IF FOUND THEN
        RETURN json_build_object('status', m.status, 'created', false);
    END IF;
    st := CASE WHEN vis = 'public' THEN 'member' ELSE 'pending' END;
    INSERT INTO community_member (community_id, account_id, status) VALUES (cid, actor, st);
    IF st = 'member' THEN
        PERFORM community_recount(cid);
        INSERT INTO community_event (community_id, kind, actor_id) VALUES (cid, 'member_joined', actor);
    ELSE
        PERFORM community_notify(mm.account_id, 'join_request', cid, NULL, actor)
           FROM community_member mm
          WHERE mm.community_id = cid AND mm.status = 'member' AND mm.role IN ('owner', 'moderator');
    END IF;
    RETURN json_build_object('status', st, 'created', true);
END $$;

CREATE FUNCTION community_leave(cid bigint, actor bigint) RETURNS json
    LANGUAGE plpgsql
    AS $$
DECLARE
    m record;
BEGIN
    SELECT * INTO m FROM community_member WHERE community_id = cid AND account_id = actor FOR UPDATE;
    IF NOT FOUND OR m.status = 'banned' THEN
        RETURN json_build_object('error', 'not_found');
    END IF;
    IF m.role = 'owner' THEN
        RETURN json_build_object('error', 'owner_must_transfer');
    END IF;
    DELETE FROM community_member WHERE community_id = cid AND account_id = actor;
    PERFORM community_recount(cid);
    PERFORM community_forget(actor, cid);
    RETURN json_build_object('status', NULL);
END $$;

CREATE FUNCTION community_prefs(cid bigint, actor bigint, p_listed boolean, p_digest text) RETURNS json
    LANGUAGE sql
    AS $$
    UPDATE community_member SET listed = coalesce(p_listed, listed), digest = coalesce(p_digest, digest)
     WHERE community_id = cid AND account_id = actor
    RETURNING json_build_object('status', status, 'role', CASE WHEN status = 'member' THEN role END,
                                'listed', listed, 'digest', digest)
    $$;

CREATE FUNCTION community_member_json(m community_member) RETURNS json
    LANGUAGE sql STABLE
    AS $$
    SELECT json_build_object('account_id', m.account_id,
                             'display_name', coalesce((SELECT display_name FROM app_user WHERE id = m.account_id), 'compte supprimé'),
                             'role', m.role, 'status', m.status, 'joined_at', community_ts(m.joined_at))
    $$;

-- Members of status st; all_members: moderators see unlisted members too. Keyset on account_id.
CREATE FUNCTION community_members(cid bigint, st text, all_members boolean, after_id bigint, lim integer)
    RETURNS TABLE (j json, id bigint)
    LANGUAGE sql STABLE
    AS $$
    SELECT community_member_json(m), m.account_id FROM community_member m
     WHERE m.community_id = cid AND m.status = st AND (all_members OR m.listed)
       AND m.account_id > coalesce(after_id, 0)
     ORDER BY m.account_id LIMIT lim
    $$;

-- A moderator's change of a member: p_status 'member' (approve, or lift a ban) or 'banned'; p_role
-- 'moderator' or 'member' (the caller has checked that the actor owns the community).
CREATE FUNCTION community_member_update(cid bigint, actor bigint, target bigint, p_status text,
                                        p_role text) RETURNS json
    LANGUAGE plpgsql
    AS $$
DECLARE
    m community_member;
BEGIN
    SELECT * INTO m FROM community_member WHERE community_id = cid AND account_id = target FOR UPDATE;
    IF NOT FOUND THEN
        IF p_status = 'banned' AND EXISTS (SELECT 1 FROM app_user WHERE id = target AND deleted_at IS NULL) THEN
            INSERT INTO community_member (community_id, account_id, status) VALUES (cid, target, 'banned')
            RETURNING * INTO m;
            RETURN community_member_json(m);
        END IF;
        RETURN json_build_object('error', 'not_found');
    END IF;
    IF m.role = 'owner' THEN
        RETURN json_build_object('error', 'owner');
    END IF;
    IF p_role IS NOT NULL AND coalesce(p_status, m.status) <> 'member' THEN
        RETURN json_build_object('error', 'not_member');
    END IF;
    IF p_status = 'member' AND m.status <> 'member' THEN
        UPDATE community_member SET status = 'member', joined_at = sc_now(), last_digest_at = sc_now()
         WHERE community_id = cid AND account_id = target;
        IF m.status = 'pending' THEN
            PERFORM community_notify(target, 'request_approved', cid, NULL, actor);
        END IF;
        INSERT INTO community_event (community_id, kind, actor_id) VALUES (cid, 'member_joined', target);
    ELSIF p_status = 'banned' AND m.status <> 'banned' THEN
        UPDATE community_member SET status = 'banned', role = 'member'
         WHERE community_id = cid AND account_id = target;
        PERFORM community_forget(target, cid);
    END IF;
    IF p_role IS NOT NULL THEN
        UPDATE community_member SET role = p_role WHERE community_id = cid AND account_id = target;
    END IF;
    PERFORM community_recount(cid);
    SELECT * INTO m FROM community_member WHERE community_id = cid AND account_id = target;
    RETURN community_member_json(m);
END $$;

CREATE FUNCTION community_member_remove(cid bigint, target bigint) RETURNS json
    LANGUAGE plpgsql
    AS $$
DECLARE
    m community_member;
BEGIN
    SELECT * INTO m FROM community_member WHERE community_id = cid AND account_id = target FOR UPDATE;
    IF NOT FOUND THEN
        RETURN json_build_object('error', 'not_found');
    END IF;
    IF m.role = 'owner' THEN
        RETURN json_build_object('error', 'owner');
    END IF;
    DELETE FROM community_member WHERE community_id = cid AND account_id = target;
    PERFORM community_recount(cid);
    PERFORM community_forget(target, cid);
    RETURN json_build_object('removed', true);
END $$;

CREATE FUNCTION community_transfer(cid bigint, actor bigint, target bigint) RETURNS json
    LANGUAGE plpgsql
    AS $$
DECLARE
    c community;
BEGIN
    PERFORM 1 FROM community WHERE id = cid FOR UPDATE;
    IF NOT EXISTS (SELECT 1 FROM community_member WHERE community_id = cid AND account_id = target
                                                    AND status = 'member') THEN
        RETURN json_build_object('error', 'not_member');
    END IF;
    IF target = actor THEN
        SELECT * INTO c FROM community WHERE id = cid;
        RETURN community_json(c, actor);
    END IF;
    UPDATE community_member SET role = 'moderator' WHERE community_id = cid AND account_id = actor;
    UPDATE community_member SET role = 'owner' WHERE community_id = cid AND account_id = target;
    UPDATE community SET updated_at = sc_now(), version = version + 1 WHERE id = cid RETURNING * INTO c;
    RETURN community_json(c, actor);
END $$;

-- Invitation iid (its id drawn first, so that its signed link can be written) of p_email, and its
-- e-mail queued in the outbox in the same statement.
CREATE FUNCTION community_invite(iid bigint, cid bigint, actor bigint, p_email text, token text,
                                 public_url text) RETURNS json
    LANGUAGE sql
    AS $$
    WITH i AS (INSERT INTO community_invitation (id, community_id, email, invited_by, expires_at)
               VALUES (iid, cid, p_email, actor, sc_now() + interval '14 days') RETURNING *),
    mail AS (INSERT INTO mail_outbox (kind, to_addr, subject, body_text)
             SELECT 'community_invitation', p_email,
                    'Invitation à rejoindre « ' || c.name || ' » sur SocialConnect',
                    E'Bonjour,\n\n' || coalesce(u.display_name, 'Un membre') || ' vous invite à rejoindre la communauté « '
                    || c.name || E' » sur SocialConnect.\n\nPour accepter, ouvrez ce lien (valable 14 jours) ; '
                    || E'si vous n\'avez pas encore de compte, vous pourrez en créer un :\n\n'
                    || public_url || '/communautes/invitation?token=' || token
                    || E'\n\nSi vous ne connaissez pas cette communauté, ignorez ce message.\n\n-- \nSocialConnect\n'
               FROM community c LEFT JOIN app_user u ON u.id = actor WHERE c.id = cid)
    SELECT json_build_object('expires_at', community_ts(i.expires_at)) FROM i
    $$;

CREATE FUNCTION community_invitation_get(iid bigint) RETURNS json
    LANGUAGE sql STABLE
    AS $$
    SELECT json_build_object('community', json_build_object('id', c.id, 'name', c.name, 'visibility', c.visibility),
                             'email', i.email, 'expires_at', community_ts(i.expires_at),
                             'status', CASE WHEN i.accepted_at IS NULL THEN 'valid' ELSE 'accepted' END)
      FROM community_invitation i JOIN community c ON c.id = i.community_id
     WHERE i.id = iid AND (i.accepted_at IS NOT NULL OR i.expires_at > sc_now())
    $$;

-- The signed-in actor accepts invitation iid: member of the community whatever its visibility; an
-- account whose address is the invited one is thereby verified.
CREATE FUNCTION community_invitation_accept(iid bigint, actor bigint) RETURNS json
    LANGUAGE plpgsql
    AS $$
DECLARE
    i community_invitation;
    u app_user;
    c community;
    m community_member;
    fresh boolean;
BEGIN
    SELECT * INTO i FROM community_invitation WHERE id = iid FOR UPDATE;
    IF NOT FOUND OR (i.accepted_at IS NULL AND i.expires_at <= sc_now()) THEN
        RETURN json_build_object('error', 'invalid_token');
    END IF;
    SELECT * INTO u FROM app_user WHERE id = actor;
    IF i.accepted_at IS NOT NULL AND i.accepted_by IS DISTINCT FROM actor THEN
        RETURN json_build_object('error', 'invalid_token');
    END IF;
    IF u.email_norm = lower(i.email) AND u.email_verified_at IS NULL THEN
        UPDATE app_user SET email_verified_at = sc_now() WHERE id = actor;
    ELSIF u.email_verified_at IS NULL THEN
        RETURN json_build_object('error', 'unverified');
    END IF;
    SELECT * INTO m FROM community_member WHERE community_id = i.community_id AND account_id = actor FOR UPDATE;
    fresh := NOT FOUND;
    IF NOT fresh AND m.status = 'banned' THEN
        RETURN json_build_object('error', 'banned');
    END IF;
    IF fresh THEN
        INSERT INTO community_member (community_id, account_id) VALUES (i.community_id, actor);
    ELSIF m.status = 'pending' THEN
        UPDATE community_member SET status = 'member', joined_at = sc_now(), last_digest_at = sc_now()
         WHERE community_id = i.community_id AND account_id = actor;
    END IF;
    IF fresh OR m.status = 'pending' THEN
        INSERT INTO community_event (community_id, kind, actor_id) VALUES (i.community_id, 'member_joined', actor);
        IF i.invited_by IS NOT NULL THEN
            PERFORM community_notify(i.invited_by, 'invitation_accepted', i.community_id, NULL, actor);
        END IF;
    END IF;
    UPDATE community_invitation SET accepted_at = coalesce(accepted_at, sc_now()), accepted_by = actor WHERE id = iid;
    PERFORM community_recount(i.community_id);
    SELECT * INTO c FROM community WHERE id = i.community_id;
    RETURN community_json(c, actor);
END $$;

-- The order of the list of threads as one number: pinned first (10^17 added: more than any date in
-- microseconds, and still 18 digits, the most a cursor carries), then by last activity.
CREATE FUNCTION community_sort_key(pinned boolean, at timestamptz) RETURNS bigint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT CASE WHEN pinned THEN 100000000000000000 ELSE 0 END
                 + (extract(epoch FROM at) * 1000000)::bigint $$;

CREATE FUNCTION community_people(ids bigint[]) RETURNS json
    LANGUAGE sql STABLE
    AS $$ SELECT coalesce(json_agg(community_person(x) ORDER BY o), '[]')
            FROM unnest(ids) WITH ORDINALITY AS u (x, o) $$;

-- Drops "body" when the list leaves it out (the other nulls are part of the object).
CREATE FUNCTION community_without_body(j json, with_body boolean) RETURNS json
    LANGUAGE sql IMMUTABLE
    AS $$ SELECT CASE WHEN with_body THEN j ELSE (j::jsonb - 'body')::json END $$;

CREATE FUNCTION community_thread_json(t community_thread, with_body boolean) RETURNS json
    LANGUAGE sql STABLE
    AS $$
    SELECT community_without_body(json_build_object(
        'id', t.id, 'community_id', t.community_id, 'title', t.title,
        'body', CASE WHEN with_body THEN t.body END,
        'author', community_person(t.author_id), 'pinned', t.pinned, 'locked', t.locked,
        'reply_count', t.reply_count, 'last_activity_at', community_ts(t.last_activity_at),
        'created_at', community_ts(t.created_at), 'edited_at', community_ts(t.edited_at),
        'version', t.version, 'mentions', community_people(t.mentions)), with_body)
    $$;

CREATE FUNCTION community_reply_json(r community_reply) RETURNS json
    LANGUAGE sql STABLE
    AS $$
    SELECT json_build_object('id', r.id, 'thread_id', r.thread_id, 'body', r.body,
        'author', community_person(r.author_id), 'created_at', community_ts(r.created_at),
        'edited_at', community_ts(r.edited_at), 'version', r.version,
        'mentions', community_people(r.mentions))
    $$;

-- Whether every id of mentions is a member of the community.
CREATE FUNCTION community_all_members(cid bigint, ids bigint[]) RETURNS boolean
    LANGUAGE sql STABLE
    AS $$ SELECT NOT EXISTS (SELECT 1 FROM unnest(ids) x
                              WHERE NOT EXISTS (SELECT 1 FROM community_member m
                                                 WHERE m.community_id = cid AND m.account_id = x
                                                   AND m.status = 'member')) $$;

CREATE FUNCTION community_thread_create(cid bigint, actor bigint, p_title text, p_body text,
                                        p_mentions bigint[]) RETURNS json
    LANGUAGE plpgsql
    AS $$
DECLARE
    t community_thread;
    ids bigint[] := ARRAY(SELECT DISTINCT x FROM unnest(coalesce(p_mentions, '{}')) x);
BEGIN
    IF NOT community_all_members(cid, ids) THEN
        RETURN json_build_object('error', 'mentions');
    END IF;
    INSERT INTO community_thread (community_id, author_id, title, body, mentions, sort_key)
    VALUES (cid, actor, p_title, p_body, ids, community_sort_key(false, sc_now())) RETURNING * INTO t;
    INSERT INTO community_event (community_id, kind, actor_id, thread_id) VALUES (cid, 'thread', actor, t.id);
    PERFORM community_notify(x, 'mention', cid, t.id, actor) FROM unnest(ids) x WHERE x <> actor;
    RETURN community_thread_json(t, true);
END $$;

CREATE FUNCTION community_thread_get(cid bigint, tid bigint) RETURNS json
    LANGUAGE sql STABLE
    AS $$ SELECT community_thread_json(t, true) FROM community_thread t
           WHERE t.id = tid AND t.community_id = cid $$;

-- The author of thread tid of community cid (0 for a deleted account), or no row.
CREATE FUNCTION community_thread_author(cid bigint, tid bigint) RETURNS bigint
    LANGUAGE sql STABLE
    AS $$ SELECT coalesce(author_id, 0) FROM community_thread WHERE id = tid AND community_id = cid $$;

CREATE FUNCTION community_reply_author(cid bigint, rid bigint) RETURNS bigint
    LANGUAGE sql STABLE
    AS $$ SELECT coalesce(author_id, 0) FROM community_reply WHERE id = rid AND community_id = cid $$;

CREATE FUNCTION community_threads(cid bigint, after_key bigint, after_id bigint, lim integer)
    RETURNS TABLE (j json, k bigint, id bigint)
    LANGUAGE sql STABLE
    AS $$
    SELECT community_thread_json(t, false), t.sort_key, t.id FROM community_thread t
     WHERE t.community_id = cid AND (after_id IS NULL OR (t.sort_key, t.id) < (after_key, after_id))
     ORDER BY t.sort_key DESC, t.id DESC LIMIT lim
    $$;

-- NULL arguments are left as they are.
CREATE FUNCTION community_thread_update(cid bigint, tid bigint, p_version integer, p_title text,
                                        p_body text, p_pinned boolean, p_locked boolean) RETURNS json
    LANGUAGE plpgsql
    AS $$
DECLARE
    t community_thread;
BEGIN
    UPDATE community_thread SET title = coalesce(p_title, title), body = coalesce(p_body, body),
           pinned = coalesce(p_pinned, pinned), locked = coalesce(p_locked, locked),
           sort_key = community_sort_key(coalesce(p_pinned, pinned), last_activity_at),
           edited_at = CASE WHEN p_title IS NOT NULL OR p_body IS NOT NULL THEN sc_now() ELSE edited_at END,
           version = version + 1
     WHERE id = tid AND community_id = cid AND version = p_version RETURNING * INTO t;
    IF NOT FOUND THEN
        RETURN json_build_object('error', 'conflict', 'current', community_thread_get(cid, tid));
    END IF;
    RETURN community_thread_json(t, true);
END $$;

CREATE FUNCTION community_reply_create(cid bigint, tid bigint, actor bigint, p_body text,
                                       p_mentions bigint[]) RETURNS json
    LANGUAGE plpgsql
    AS $$
DECLARE
    t community_thread;
    r community_reply;
    ids bigint[] := ARRAY(SELECT DISTINCT x FROM unnest(coalesce(p_mentions, '{}')) x);
BEGIN
    SELECT * INTO t FROM community_thread WHERE id = tid AND community_id = cid FOR UPDATE;
    IF NOT FOUND THEN
        RETURN json_build_object('error', 'not_found');
    END IF;
    IF t.locked THEN
        RETURN json_build_object('error', 'locked');
    END IF;
    IF NOT community_all_members(cid, ids) THEN
        RETURN json_build_object('error', 'mentions');
    END IF;
    INSERT INTO community_reply (thread_id, community_id, author_id, body, mentions)
    VALUES (tid, cid, actor, p_body, ids) RETURNING * INTO r;
    UPDATE community_thread SET reply_count = reply_count + 1, last_activity_at = r.created_at,
           sort_key = community_sort_key(pinned, r.created_at) WHERE id = tid;
    INSERT INTO community_event (community_id, kind, actor_id, thread_id, reply_id)
    VALUES (cid, 'reply', actor, tid, r.id);
    PERFORM community_notify(x, 'mention', cid, tid, actor) FROM unnest(ids) x WHERE x <> actor;
    IF t.author_id IS NOT NULL AND t.author_id <> actor AND NOT t.author_id = ANY (ids)
       AND EXISTS (SELECT 1 FROM community_member WHERE community_id = cid AND account_id = t.author_id
                                                    AND status = 'member') THEN
        PERFORM community_notify(t.author_id, 'reply', cid, tid, actor);
    END IF;
    RETURN community_reply_json(r);
END $$;

CREATE FUNCTION community_replies(cid bigint, tid bigint, after_id bigint, lim integer)
    RETURNS TABLE (j json, k bigint, id bigint)
    LANGUAGE sql STABLE
    AS $$
    SELECT community_reply_json(r), r.id, r.id FROM community_reply r
     WHERE r.thread_id = tid AND r.community_id = cid AND r.id > coalesce(after_id, 0)
     ORDER BY r.thread_id, r.id LIMIT lim
    $$;

CREATE FUNCTION community_reply_update(cid bigint, rid bigint, p_version integer, p_body text) RETURNS json
    LANGUAGE plpgsql
    AS $$
DECLARE
    r community_reply;
BEGIN
    UPDATE community_reply SET body = p_body, edited_at = sc_now(), version = version + 1
     WHERE id = rid AND community_id = cid AND version = p_version RETURNING * INTO r;
    IF NOT FOUND THEN
        RETURN json_build_object('error', 'conflict',
                                 'current', (SELECT community_reply_json(x) FROM community_reply x
                                              WHERE x.id = rid AND x.community_id = cid));
    END IF;
    RETURN community_reply_json(r);
END $$;

CREATE FUNCTION community_reply_delete(cid bigint, rid bigint) RETURNS json
    LANGUAGE plpgsql
    AS $$
DECLARE
    tid bigint;
BEGIN
    DELETE FROM community_reply WHERE id = rid AND community_id = cid RETURNING thread_id INTO tid;
    IF tid IS NULL THEN
        RETURN json_build_object('error', 'not_found');
    END IF;
    UPDATE community_thread SET reply_count = greatest(reply_count - 1, 0) WHERE id = tid;
    RETURN json_build_object('deleted', true);
END $$;

CREATE FUNCTION community_report_create(cid bigint, tid bigint, rid bigint, actor bigint, p_reason text) RETURNS json
    LANGUAGE plpgsql
    AS $$
DECLARE
    rep community_report;
BEGIN
    IF tid IS NOT NULL AND NOT EXISTS (SELECT 1 FROM community_thread WHERE id = tid AND community_id = cid) THEN
        RETURN json_build_object('error', 'thread_id');
    END IF;
    IF rid IS NOT NULL AND NOT EXISTS (SELECT 1 FROM community_reply WHERE id = rid AND community_id = cid) THEN
        RETURN json_build_object('error', 'reply_id');
    END IF;
    INSERT INTO community_report (community_id, thread_id, reply_id, reason, reporter_id)
    VALUES (cid, tid, rid, p_reason, actor) RETURNING * INTO rep;
    RETURN json_build_object('id', rep.id, 'community_id', cid, 'thread_id', tid, 'reply_id', rid,
                             'reason', rep.reason, 'created_at', community_ts(rep.created_at));
END $$;

-- ---------------------------------------------------------------------------------------------
-- The feed

CREATE FUNCTION community_event_json(e community_event) RETURNS json
    LANGUAGE sql STABLE
    AS $$
    SELECT json_build_object('id', e.id::text, 'kind', e.kind, 'at', community_ts(e.at),
        'actor', (SELECT json_build_object('display_name', coalesce(u.display_name, 'compte supprimé'))
                    FROM app_user u WHERE u.id = e.actor_id),
        'thread', (SELECT json_build_object('id', t.id, 'title', t.title) FROM community_thread t WHERE t.id = e.thread_id),
        'initiative', (SELECT json_build_object('id', i.id, 'slug', i.slug, 'title', i.title)
                         FROM initiative i WHERE i.id = e.initiative_id AND i.status = 'published'),
        'collection', (SELECT json_build_object('id', c.id, 'title', c.title) FROM collection c WHERE c.id = e.collection_id))
    $$;

CREATE FUNCTION community_feed(cid bigint, after_id bigint, lim integer)
    RETURNS TABLE (j json, k bigint, id bigint)
    LANGUAGE sql STABLE
    AS $$
    SELECT community_event_json(e), (extract(epoch FROM e.at) * 1000000)::bigint, e.id FROM community_event e
     WHERE e.community_id = cid AND (after_id IS NULL OR e.id < after_id)
     ORDER BY e.community_id, e.id DESC LIMIT lim
    $$;

-- An item added to a community's collection goes to its feed.
CREATE FUNCTION community_collection_item_event() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    INSERT INTO community_event (community_id, kind, initiative_id, collection_id)
    SELECT c.community_id, 'collection_item', NEW.initiative_id, c.id
      FROM collection c WHERE c.id = NEW.collection_id AND c.community_id IS NOT NULL;
    RETURN NULL;
END $$;
CREATE TRIGGER community_collection_item_event AFTER INSERT ON collection_item
    FOR EACH ROW EXECUTE FUNCTION community_collection_item_event();

-- New published initiatives matching each community's territory and themes, since the last scan
-- (the job runner's task "communities"): at most 200 per community and pass. Returns the events added.
CREATE FUNCTION community_scan_initiatives() RETURNS integer
    LANGUAGE plpgsql
    AS $$
DECLARE
    c community;
    n integer := 0;
    k integer;
    upto timestamptz := now();
BEGIN
    FOR c IN SELECT * FROM community WHERE territory_level IS NOT NULL OR themes <> '{}'
             ORDER BY id FOR UPDATE SKIP LOCKED LOOP
        INSERT INTO community_event (community_id, kind, initiative_id, at)
        SELECT c.id, 'initiative', i.id, sc_now() FROM initiative i
         WHERE i.status = 'published' AND i.created_at > c.initiatives_seen_at AND i.created_at <= upto
           AND community_match(c, i)
         ORDER BY i.created_at, i.id LIMIT 200;
        GET DIAGNOSTICS k = ROW_COUNT;
        n := n + k;
        UPDATE community SET initiatives_seen_at = upto WHERE id = c.id;
    END LOOP;
    RETURN n;
END $$;

-- ---------------------------------------------------------------------------------------------
-- Notifications. The list leaves out private communities the person no longer belongs to.

CREATE FUNCTION community_notification_json(n community_notification) RETURNS json
    LANGUAGE sql STABLE
    AS $$
    SELECT json_build_object('id', n.id, 'kind', n.kind,
        'community', (SELECT json_build_object('id', c.id, 'name', c.name) FROM community c WHERE c.id = n.community_id),
        'thread', (SELECT json_build_object('id', t.id, 'title', t.title) FROM community_thread t WHERE t.id = n.thread_id),
        'actor', (SELECT json_build_object('display_name', coalesce(u.display_name, 'compte supprimé'))
                    FROM app_user u WHERE u.id = n.actor_id),
        'created_at', community_ts(n.created_at), 'read', n.read)
    $$;

CREATE FUNCTION community_notifications(uid bigint, after_id bigint, lim integer)
    RETURNS TABLE (j json, k bigint, id bigint)
    LANGUAGE sql STABLE
    AS $$
    SELECT community_notification_json(n), n.id, n.id FROM community_notification n
      JOIN community c ON c.id = n.community_id
     WHERE n.account_id = uid AND n.id < coalesce(after_id, 9223372036854775807)
       AND (c.visibility <> 'private' OR EXISTS (SELECT 1 FROM community_member m
                                                  WHERE m.community_id = c.id AND m.account_id = uid
                                                    AND m.status = 'member'))
     ORDER BY n.account_id, n.id DESC LIMIT lim
    $$;

CREATE FUNCTION community_notifications_read(uid bigint, ids bigint[], every boolean) RETURNS void
    LANGUAGE sql
    AS $$
    WITH r AS (UPDATE community_notification SET read = true
                WHERE account_id = uid AND NOT read AND (every OR id = ANY (ids)) RETURNING 1)
    UPDATE notification_unread SET unread = greatest(unread - (SELECT count(*) FROM r), 0)
     WHERE account_id = uid AND EXISTS (SELECT 1 FROM r);
    $$;

-- ---------------------------------------------------------------------------------------------
-- Collections, proposals and the map

CREATE FUNCTION community_collections(cid bigint) RETURNS json
    LANGUAGE sql STABLE
    AS $$
    SELECT json_build_object('items', coalesce(json_agg(json_build_object(
               'id', c.id, 'title', c.title, 'description', c.description, 'visibility', c.visibility,
               'owner', json_build_object('display_name', coalesce(u.display_name, 'compte supprimé')),
               'item_count', (SELECT count(*) FROM collection_item ci JOIN initiative ii
                                ON ii.id = ci.initiative_id AND ii.status = 'published'
                               WHERE ci.collection_id = c.id),
               'created_at', community_ts(c.created_at), 'updated_at', community_ts(c.updated_at),
               'version', c.version, 'is_owner', false, 'community_id', c.community_id)
               ORDER BY c.created_at, c.id), '[]'))
      FROM collection c JOIN app_user u ON u.id = c.user_id WHERE c.community_id = cid
    $$;

CREATE FUNCTION community_collection_create(cid bigint, actor bigint, p_title text, p_desc text) RETURNS bigint
    LANGUAGE sql
    AS $$
    -- Kept 'private' as a collection whatever the community's visibility: who may read it is the
    -- community's rule (the API asks the policy with the community's membership), and nothing
    -- that lists public collections can show it.
    INSERT INTO collection (user_id, title, description, visibility, community_id)
    SELECT actor, p_title, coalesce(p_desc, ''), 'private', cid
      FROM community c WHERE c.id = cid
    RETURNING id
    $$;

CREATE FUNCTION community_proposal_json(p community_proposal) RETURNS json
    LANGUAGE sql STABLE
    AS $$
    SELECT json_build_object('id', p.id, 'collection_id', p.collection_id,
        'initiative', (SELECT json_build_object('id', i.id, 'slug', i.slug, 'title', i.title)
                         FROM initiative i WHERE i.id = p.initiative_id),
        'note', p.note, 'author', community_person(p.author_id), 'created_at', community_ts(p.created_at))
    $$;

CREATE FUNCTION community_proposal_create(cid bigint, actor bigint, col bigint, ini bigint, p_note text) RETURNS json
    LANGUAGE plpgsql
    AS $$
DECLARE
    p community_proposal;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM collection WHERE id = col AND community_id = cid) THEN
        RETURN json_build_object('error', 'collection_id');
    END IF;
    IF NOT EXISTS (SELECT 1 FROM initiative WHERE id = ini AND status = 'published') THEN
        RETURN json_build_object('error', 'initiative_id');
    END IF;
    IF EXISTS (SELECT 1 FROM collection_item WHERE collection_id = col AND initiative_id = ini) THEN
        RETURN json_build_object('error', 'already_present');
    END IF;
    INSERT INTO community_proposal (community_id, collection_id, initiative_id, note, author_id)
    VALUES (cid, col, ini, coalesce(p_note, ''), actor) RETURNING * INTO p;
    PERFORM community_notify(m.account_id, 'proposal', cid, NULL, actor) FROM community_member m
      WHERE m.community_id = cid AND m.status = 'member' AND m.role IN ('owner', 'moderator')
        AND m.account_id <> actor;
    RETURN community_proposal_json(p);
END $$;

CREATE FUNCTION community_proposals(cid bigint) RETURNS json
    LANGUAGE sql STABLE
    AS $$ SELECT json_build_object('items', coalesce(json_agg(community_proposal_json(p) ORDER BY p.id), '[]'))
            FROM (SELECT * FROM community_proposal WHERE community_id = cid ORDER BY id LIMIT 200) p $$;

-- Accepting adds the initiative last in the collection (already there: nothing to add).
CREATE FUNCTION community_proposal_decide(cid bigint, pid bigint, accept boolean) RETURNS json
    LANGUAGE plpgsql
    AS $$
DECLARE
    p community_proposal;
BEGIN
    DELETE FROM community_proposal WHERE id = pid AND community_id = cid RETURNING * INTO p;
    IF NOT FOUND THEN
        RETURN json_build_object('error', 'not_found');
    END IF;
    IF accept THEN
        PERFORM 1 FROM collection WHERE id = p.collection_id FOR UPDATE;
        INSERT INTO collection_item (collection_id, initiative_id, position, note)
        SELECT p.collection_id, p.initiative_id,
               coalesce((SELECT max(position) FROM collection_item WHERE collection_id = p.collection_id), 0) + 1,
               p.note
         WHERE EXISTS (SELECT 1 FROM initiative WHERE id = p.initiative_id AND status = 'published')
        ON CONFLICT DO NOTHING;
        UPDATE collection SET updated_at = now() WHERE id = p.collection_id;
    END IF;
    RETURN json_build_object('accepted', accept, 'collection_id', p.collection_id,
                             'initiative_id', p.initiative_id);
END $$;

CREATE FUNCTION community_map(cid bigint) RETURNS json
    LANGUAGE sql STABLE
    AS $$
    WITH c AS (SELECT * FROM community WHERE id = cid),
    col AS (SELECT DISTINCT i.id, i.title, i.geom FROM collection co
              JOIN collection_item ci ON ci.collection_id = co.id
              JOIN initiative i ON i.id = ci.initiative_id AND i.status = 'published' AND i.geom IS NOT NULL
             WHERE co.community_id = cid),
    m AS (SELECT i.id, i.title, i.geom FROM initiative i, c
           WHERE i.status = 'published' AND i.geom IS NOT NULL AND community_match(c, i)
             AND NOT EXISTS (SELECT 1 FROM col WHERE col.id = i.id)
           ORDER BY i.id LIMIT 2000),
    allp AS (SELECT *, 'collection' AS origin FROM col UNION ALL SELECT *, 'match' FROM m LIMIT 2000)
    SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(json_build_object(
               'type', 'Feature',
               'geometry', json_build_object('type', 'Point', 'coordinates',
                   json_build_array(round(ST_X(geom)::numeric, 5), round(ST_Y(geom)::numeric, 5))),
               'properties', json_build_object('id', id, 'title', title, 'origin', origin))), '[]'))
      FROM allp
    $$;

-- ---------------------------------------------------------------------------------------------
-- Digest e-mails: one due membership at a time (daily: a day since the last, weekly: 7 days),
-- queued in mail_outbox when its community's feed has anything new since then; the next digest
-- counts from now either way. Returns false when none is due.

CREATE FUNCTION community_digest_one(public_url text) RETURNS boolean
    LANGUAGE plpgsql
    AS $$
DECLARE
    m community_member;
    c community;
    addr text;
    lines text;
    n integer;
BEGIN
    SELECT * INTO m FROM community_member
     WHERE status = 'member' AND digest <> 'never'
       AND last_digest_at <= sc_now() - CASE WHEN digest = 'daily' THEN interval '1 day' ELSE interval '7 days' END
     ORDER BY last_digest_at LIMIT 1 FOR UPDATE SKIP LOCKED;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    SELECT * INTO c FROM community WHERE id = m.community_id;
    SELECT email INTO addr FROM app_user WHERE id = m.account_id AND deleted_at IS NULL AND email_verified_at IS NOT NULL;
    SELECT count(*), string_agg(x.line, E'\n' ORDER BY x.id) INTO n, lines FROM (
        SELECT e.id, '- ' || CASE e.kind
                 WHEN 'member_joined' THEN coalesce(u.display_name, 'Un membre') || ' a rejoint la communauté'
                 WHEN 'thread' THEN 'Nouvelle discussion : « ' || t.title || ' »'
                 WHEN 'reply' THEN 'Nouvelle réponse dans « ' || t.title || ' »'
                 WHEN 'collection_item' THEN 'Ajout à une collection : ' || coalesce(i.title, '')
                 ELSE 'Nouvelle initiative : ' || coalesce(i.title, '') END AS line
          FROM community_event e
          LEFT JOIN app_user u ON u.id = e.actor_id
          LEFT JOIN community_thread t ON t.id = e.thread_id
          LEFT JOIN initiative i ON i.id = e.initiative_id
         WHERE e.community_id = c.id AND e.at > m.last_digest_at
           AND (e.actor_id IS NULL OR e.actor_id <> m.account_id)
           AND (e.thread_id IS NULL OR t.id IS NOT NULL)
           AND (e.initiative_id IS NULL OR i.status = 'published')
         ORDER BY e.id LIMIT 50) x;
    IF n > 0 AND addr IS NOT NULL THEN
        INSERT INTO mail_outbox (kind, to_addr, subject, body_text)
        VALUES ('community_digest', addr, 'Du nouveau dans « ' || c.name || ' »',
                E'Bonjour,\n\nDu nouveau dans la communauté « ' || c.name || E' » :\n\n' || lines
                || E'\n\nPour tout voir : ' || public_url || '/communautes/' || c.id
                || E'\n\nPour changer la fréquence de ces e-mails (quotidienne, hebdomadaire ou jamais), '
                || E'ouvrez la communauté, rubrique « Mes préférences ».\n\n-- \nSocialConnect\n');
    END IF;
    UPDATE community_member SET last_digest_at = sc_now()
     WHERE community_id = m.community_id AND account_id = m.account_id;
    RETURN true;
END $$;

-- The reports filed in a community, listed for its moderators (newest first).
CREATE FUNCTION community_reports(cid bigint) RETURNS json
    LANGUAGE sql STABLE
    AS $$
    SELECT json_build_object('items', coalesce(json_agg(json_build_object(
               'id', p.id, 'thread_id', p.thread_id, 'reply_id', p.reply_id, 'reason', p.reason,
               'reporter', community_person(p.reporter_id),
               'text', coalesce((SELECT t.title FROM community_thread t WHERE t.id = p.thread_id),
                                (SELECT left(r.body, 300) FROM community_reply r WHERE r.id = p.reply_id)),
               'created_at', community_ts(p.created_at)) ORDER BY p.id DESC), '[]'))
      FROM (SELECT * FROM community_report WHERE community_id = cid ORDER BY id DESC LIMIT 100) p
    $$;

-- Accent-free text stems inconsistently in French: Snowball gives "partag" for "partagés" and
-- "partagé" but "partage" for "partagee", the unaccented "partagée" — so a search typed without
-- accents missed feminine forms. sc_fold() removes accents and folds the feminine ending "ee(s)"
-- to "e(s)" before stemming, on the indexed text and on the words searched alike.
CREATE FUNCTION sc_fold(t text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT regexp_replace(public.unaccent('public.unaccent'::regdictionary, t),
                                '([[:alpha:]])[eE][eE]([sS]?)\M', '\1e\2', 'g') $$;

-- The query of free words (websearch syntax: "phrase", -word, OR), folded like the index.
CREATE FUNCTION sc_tsquery(q text) RETURNS tsquery
    LANGUAGE sql STABLE PARALLEL SAFE STRICT
    AS $$ SELECT websearch_to_tsquery('sc_french', sc_fold(q)) $$;

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
               (SELECT name FROM territory WHERE level = 'region' AND code = NEW.region_code))
      INTO extra;
    NEW.tsv := setweight(to_tsvector('sc_french', sc_fold(coalesce(NEW.title, ''))), 'A')
            || setweight(to_tsvector('sc_french', sc_fold(concat_ws(' ', NEW.summary, NEW.actor_name))), 'B')
            || setweight(to_tsvector('sc_french', sc_fold(coalesce(NEW.description, ''))), 'C')
            || setweight(to_tsvector('sc_french', sc_fold(coalesce(extra, ''))), 'D');
    RETURN NEW;
END $$;

-- Re-index what is there (the trigger recomputes tsv).
UPDATE initiative SET title = title;

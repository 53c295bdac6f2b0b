-- French full-text search that ignores accents.
-- Stop words first: the French list is accented ("à", "été"), so it must see the words before
-- unaccent does; then unaccent; then the Snowball French stemmer.
CREATE TEXT SEARCH DICTIONARY sc_french_stop (TEMPLATE = pg_catalog.simple, STOPWORDS = french, ACCEPT = false);
CREATE TEXT SEARCH CONFIGURATION sc_french (COPY = pg_catalog.french);
ALTER TEXT SEARCH CONFIGURATION sc_french
    ALTER MAPPING FOR asciiword, asciihword, hword_asciipart, word, hword, hword_part
    WITH sc_french_stop, unaccent, french_stem;

-- Lower-case, unaccented, punctuation folded to single spaces: the form names are compared in
-- (territory autocomplete, de-duplication). unaccent() is only STABLE, hence the wrapper that
-- names its dictionary explicitly and can be IMMUTABLE for indexes.
CREATE FUNCTION sc_normalize(t text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT btrim(regexp_replace(lower(public.unaccent('public.unaccent'::regdictionary, t)), '[^a-z0-9]+', ' ', 'g')) $$;

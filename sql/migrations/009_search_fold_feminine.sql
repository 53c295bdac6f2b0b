-- Two more feminine forms that Snowball stems apart from their masculine once accents are gone:
-- "infirmières" gives "infirmier" but "infirmier" gives "infirmi"; "sportive" gives "sportiv" but
-- "sportif" stays "sportif". sc_fold now also writes -iere(s) as -ier(s) and -ive(s) as -if(s),
-- on the index and on the searched words alike; the index is rebuilt.
CREATE OR REPLACE FUNCTION sc_fold(t text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT regexp_replace(regexp_replace(regexp_replace(
                     public.unaccent('public.unaccent'::regdictionary, t),
                     '([[:alpha:]])[eE][eE]([sS]?)\M', '\1e\2', 'g'),
                     '([[:alpha:]])([iI][eE])[rR][eE]([sS]?)\M', '\1\2r\3', 'g'),
                     '([[:alpha:]])[iI][vV][eE]([sS]?)\M', '\1if\2', 'g') $$;

UPDATE initiative SET title = title;

-- The gazetteer: every current commune, arrondissement municipal, département and région, with what
-- the geocoder needs to find them from what people write.

-- The comparison key of a place name: sc_normalize, articles dropped (le, la, les, l') wherever they
-- stand, and St/Ste spelled out. "L'Haÿ-les-Roses" and "hay roses" share a key, as do
-- "St-Étienne" and "Saint Etienne".
CREATE FUNCTION sc_geo_key(t text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT btrim(regexp_replace(regexp_replace(regexp_replace(
                     ' ' || sc_normalize(t) || ' ',
                     ' (le|la|les|l)(?= )', '', 'g'),
                     ' st(?= )', ' saint', 'g'),
                     ' ste(?= )', ' sainte', 'g')) $$;

ALTER TABLE territory
    ADD COLUMN name_key     text GENERATED ALWAYS AS (sc_geo_key(name)) STORED,
    ADD COLUMN commune_code text,                          -- an arrondissement's city (75056, 69123, 13055)
    ADD COLUMN old_codes    text[] NOT NULL DEFAULT '{}';  -- INSEE codes of the communes merged into it
CREATE INDEX territory_name_key_idx ON territory (name_key);
CREATE INDEX territory_name_key_trgm_idx ON territory USING gin (name_key gin_trgm_ops);
CREATE INDEX territory_old_codes_idx ON territory USING gin (old_codes);
CREATE INDEX territory_level_population_idx ON territory (level, population DESC NULLS LAST);

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

-- Where an initiative in Paris, Lyon or Marseille lies more precisely.
ALTER TABLE initiative ADD COLUMN arrondissement_code text;
CREATE INDEX initiative_arrondissement_idx ON initiative (arrondissement_code);

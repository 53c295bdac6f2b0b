-- Controlled vocabularies (../shared/vocabularies/vocabularies.json) and territories.

CREATE TABLE vocabulary (
    kind     text NOT NULL CHECK (kind IN ('theme', 'subtheme', 'actor_type', 'public', 'scale', 'stage', 'method')),
    code     text NOT NULL CHECK (code ~ '^[A-Za-z0-9_]{1,40}$'),
    label_fr text NOT NULL,
    label_en text,
    parent   text,      -- a subtheme's theme
    rank     integer NOT NULL DEFAULT 0,   -- order of the source file
    PRIMARY KEY (kind, code)
);

-- Régions, départements, communes (and later arrondissements and EPCI). Codes are unique within a
-- level only: région 11 (Île-de-France) and département 11 (Aude) both exist.
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
    PRIMARY KEY (level, code)
);
CREATE INDEX territory_contour_idx ON territory USING gist (contour);
CREATE INDEX territory_name_trgm_idx ON territory USING gin (name_norm gin_trgm_ops);
CREATE INDEX territory_postcodes_idx ON territory USING gin (postcodes);

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

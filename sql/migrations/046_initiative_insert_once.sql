-- A new initiative is inserted with its fields in one statement. 035 inserted a bare pending row
-- and then wrote the fields with an UPDATE, so that creation and change shared initiative_write_fields;
-- but then every statement trigger of initiative (facet counts, map points and cells, the full-text
-- vector, theme bits, the total) and the non-partial indexes ran twice for each new initiative.
-- Measured on the test database, 200 initiative_insert() calls in one transaction: 550 ms before,
-- 400 ms with one INSERT (facet_count_add alone went from 400 calls to 200); a first harvest of the
-- fixture sites spends most of its database time there.
-- The conversion of a fields object (initiative_fields' shape) to the columns is now one function,
-- initiative_values(), read by both the INSERT and the UPDATE.

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
CREATE OR REPLACE FUNCTION initiative_write_fields(p_id bigint, f jsonb, p_kind text, p_status text) RETURNS void
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

-- A new initiative from fields (initiative_fields shape), inserted with them as version 1 and
-- recorded as its first revision (every field from nothing), so that creation is a revision like
-- every change. Returns the id.
CREATE OR REPLACE FUNCTION initiative_insert(p_slug text, p_fields jsonb, p_status text, p_kind text,
                                             p_user bigint, p_reviewer bigint, p_source bigint,
                                             p_contribution bigint, p_comment text) RETURNS bigint
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
                            geo_precision, status, version, carrier_updated_at)
    SELECT p_slug, v.*, coalesce(p_status, 'pending'), 1,
           CASE WHEN p_kind = 'carrier' THEN sc_now() END
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

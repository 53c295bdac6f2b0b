-- History: every change of an initiative's fields is a revision, whoever makes it — a source's
-- harvest, a member's contribution approved by a moderator, a carrier's edit, a moderator. All of
-- them go through initiative_revise (or initiative_insert + initiative_revision_initial for a new
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
    LANGUAGE sql STABLE
    AS $$
    SELECT coalesce(jsonb_agg(code ORDER BY ord), '[]'::jsonb)
      FROM (SELECT code, min(ord) AS ord
              FROM (SELECT t.code, t.ord FROM jsonb_array_elements_text(coalesce(themes, '[]')) WITH ORDINALITY AS t(code, ord)
                    UNION ALL
                    SELECT v.parent, 1000000 + s.ord
                      FROM jsonb_array_elements_text(coalesce(subthemes, '[]')) WITH ORDINALITY AS s(code, ord)
                      JOIN vocabulary v ON v.kind = 'subtheme' AND v.code = s.code AND v.parent IS NOT NULL) u
             GROUP BY code) w $$;

-- A place from a point typed or moved by a person (and an address, possibly null): the commune
-- whose contour holds the point, its postcode read from the address. NULL when the point is in
-- no commune (outside France).
CREATE FUNCTION initiative_place(p_address text, p_lon float8, p_lat float8) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$
    SELECT jsonb_build_object('address', nullif(trim(p_address), ''),
                              'postcode', substring(p_address FROM '\m([0-9][0-9AB][0-9]{3})\M'),
                              'commune_code', t.code,
                              'lon', round(p_lon::numeric, 6), 'lat', round(p_lat::numeric, 6),
                              'precision', 'address')
      FROM territory t
     WHERE p_lon BETWEEN -180 AND 180 AND p_lat BETWEEN -90 AND 90
       AND t.level = 'commune' AND ST_Intersects(t.contour, ST_SetSRID(ST_MakePoint(p_lon, p_lat), 4326))
     ORDER BY t.code LIMIT 1 $$;

-- Writes the fields of f (initiative_fields shape, every key present) into row p_id, and its
-- status when p_status is not NULL.
CREATE FUNCTION initiative_write_fields(p_id bigint, f jsonb, p_kind text, p_status text) RETURNS void
    LANGUAGE plpgsql
    AS $$
DECLARE
    pl   jsonb := f->'place';
    dep  text;
    reg  text;
    pt   geometry;
BEGIN
    IF jsonb_typeof(pl) = 'object' THEN
        SELECT departement_code, region_code INTO dep, reg
          FROM territory WHERE level = 'commune' AND code = pl->>'commune_code';
        IF jsonb_typeof(pl->'lon') = 'number' AND jsonb_typeof(pl->'lat') = 'number' THEN
            pt := ST_SetSRID(ST_MakePoint((pl->>'lon')::float8, (pl->>'lat')::float8), 4326);
        END IF;
    END IF;
    UPDATE initiative SET
        title = f->>'title', summary = f->>'summary', description = f->>'description',
        actor_name = f->>'actor_name', actor_type = f->>'actor_type',
        themes = ARRAY(SELECT jsonb_array_elements_text(coalesce(f->'themes', '[]'))),
        subthemes = ARRAY(SELECT jsonb_array_elements_text(coalesce(f->'subthemes', '[]'))),
        publics = ARRAY(SELECT jsonb_array_elements_text(coalesce(f->'publics', '[]'))),
        scale = f->>'scale', stage = f->>'stage', start_year = (f->>'start_year')::smallint,
        website = f->>'website', image_url = f->>'image_url',
        address = pl->>'address', postcode = pl->>'postcode', commune_code = pl->>'commune_code',
        departement_code = dep, region_code = reg, geom = pt,
        geo_precision = CASE WHEN pt IS NULL THEN 'none' ELSE coalesce(pl->>'precision', 'address') END,
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

-- A new initiative from fields (initiative_fields shape): inserted as version 0 (and not yet
-- published, so that the count and map triggers run once), then written by its first revision
-- (version 1, every field from nothing), so that creation and change are one path. Returns the id.
CREATE FUNCTION initiative_insert(p_slug text, p_fields jsonb, p_status text, p_kind text,
                                  p_user bigint, p_reviewer bigint, p_source bigint,
                                  p_contribution bigint, p_comment text) RETURNS bigint
    LANGUAGE plpgsql
    AS $$
DECLARE
    new_id bigint;
    f      jsonb := initiative_fields_empty() || p_fields;
    changes jsonb := '{}';
    k      text;
BEGIN
    f := f || jsonb_build_object('themes', initiative_themes_with_parents(f->'themes', f->'subthemes'));
    INSERT INTO initiative (slug, title, status, version)
    VALUES (p_slug, f->>'title', 'pending', 0)
    RETURNING id INTO new_id;
    PERFORM initiative_write_fields(new_id, f, p_kind, p_status);
    FOR k IN SELECT jsonb_object_keys(f) LOOP
        IF f->k IS DISTINCT FROM initiative_fields_empty()->k THEN
            changes := changes || jsonb_build_object(k, jsonb_build_object('before', initiative_fields_empty()->k, 'after', f->k));
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

-- Harvest step 2 with the revision model: the same as before (011) for finding the initiative and
-- storing the record, but fields now change through initiative_insert / initiative_revise, and a
-- field held by the community is left alone; when the source changed it since the community took
-- it over, a source_change waits for a moderator.
CREATE OR REPLACE FUNCTION harvest_record_save(p_source bigint, p_run bigint, p_external_id text, p_url text,
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

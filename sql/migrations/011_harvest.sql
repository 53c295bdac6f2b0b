-- Harvesting: source documents and schedules, the conditional-request page cache, the job queue
-- shared by harvest daemons, and what a run and a record need to be incremental.

ALTER TABLE source DROP CONSTRAINT IF EXISTS source_kind_check;
ALTER TABLE source ADD CONSTRAINT source_kind_check
    CHECK (kind IN ('html', 'json', 'rss', 'atom', 'csv', 'manual', 'demo'));
ALTER TABLE source
    ADD COLUMN licence         text,
    ADD COLUMN period_hours    integer NOT NULL DEFAULT 24 CHECK (period_hours BETWEEN 1 AND 8760),
    -- A record absent from this many consecutive complete runs is marked gone (never deleted).
    ADD COLUMN gone_after_runs integer NOT NULL DEFAULT 3 CHECK (gone_after_runs BETWEEN 1 AND 100),
    ADD COLUMN next_run_at     timestamptz;

ALTER TABLE harvest_run
    ADD COLUMN pages_not_modified integer NOT NULL DEFAULT 0,
    ADD COLUMN pages_failed       integer NOT NULL DEFAULT 0,
    ADD COLUMN records_failed     integer NOT NULL DEFAULT 0,
    ADD COLUMN bytes_fetched      bigint  NOT NULL DEFAULT 0;

ALTER TABLE source_record
    -- Consecutive complete runs that did not see the record; reset when it is seen again.
    ADD COLUMN missed_runs  integer NOT NULL DEFAULT 0,
    -- The record after transforms and value maps: what fed the initiative.
    ADD COLUMN normalised   jsonb,
    ADD COLUMN last_run_id  bigint REFERENCES harvest_run (id),
    ADD COLUMN changed_at   timestamptz NOT NULL DEFAULT now();
CREATE INDEX source_record_source_seen_idx ON source_record (source_id, last_run_id);

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

-- Work for harvest daemons: taken with FOR UPDATE SKIP LOCKED, so several daemons can share it.
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

-- De-duplication keys: the same project on two platforms is matched by normalised title and
-- commune, or by website host and path.
CREATE FUNCTION sc_website_key(url text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT nullif(regexp_replace(regexp_replace(lower(url), '^https?://(www\.)?', ''), '[/?#]+$', ''), '') $$;
CREATE INDEX initiative_website_key_idx ON initiative (sc_website_key(website)) WHERE website IS NOT NULL;
CREATE INDEX initiative_title_commune_idx ON initiative (title_norm, commune_code);

CREATE TRIGGER harvest_run_version AFTER INSERT OR UPDATE OR DELETE ON harvest_run
    FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump();

-- The slug of a new harvested initiative: its title in lower-case ASCII words, made unique with a
-- short digest of its provenance when taken.
CREATE FUNCTION harvest_slug(p_title text, p_source text, p_external_id text) RETURNS text
    LANGUAGE sql STABLE
    AS $$
    WITH b AS (SELECT coalesce(nullif(left(trim(BOTH '-' FROM regexp_replace(sc_normalize(p_title),
                                              '[^a-z0-9]+', '-', 'g')), 80), ''), 'initiative') AS base)
    SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM initiative WHERE slug = b.base) THEN b.base
                ELSE trim(BOTH '-' FROM b.base) || '-' || left(md5(p_source || ' ' || p_external_id), 8) END
      FROM b $$;

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
        INSERT INTO initiative (slug, title, summary, description, website, image_url, actor_name,
                                actor_type, themes, subthemes, publics, scale, stage, start_year,
                                address, postcode, commune_code, departement_code, region_code,
                                geom, geo_precision, status)
        VALUES (harvest_slug(v_title, v_source, p_external_id), v_title,
                p_norm->>'summary', p_norm->>'description', v_web, p_norm->>'image_url',
                p_norm->>'actor_name', p_norm->>'actor_type',
                ARRAY(SELECT jsonb_array_elements_text(coalesce(p_norm->'themes', '[]'))),
                ARRAY(SELECT jsonb_array_elements_text(coalesce(p_norm->'subthemes', '[]'))),
                ARRAY(SELECT jsonb_array_elements_text(coalesce(p_norm->'publics', '[]'))),
                p_norm->>'scale', p_norm->>'stage', (p_norm->>'start_year')::smallint,
                p_norm->>'address', p_norm->>'postcode', v_commune, c.departement_code,
                c.region_code, pt, v_prec, 'published')
        RETURNING id INTO init_id;
        outcome := 'new';
    ELSE
        -- Owner: this record is the initiative's oldest live record (or it has none left).
        SELECT coalesce(bool_and(sr.source_id = p_source AND sr.external_id = p_external_id), true)
          INTO owner
          FROM (SELECT source_id, external_id FROM source_record
                 WHERE initiative_id = init_id AND gone_at IS NULL
                 ORDER BY first_seen_at, id LIMIT 1) sr;
        outcome := CASE WHEN rec_id IS NULL THEN 'merged' ELSE 'updated' END;
        IF owner THEN
            UPDATE initiative SET
                title = v_title, summary = p_norm->>'summary', description = p_norm->>'description',
                website = v_web, image_url = p_norm->>'image_url', actor_name = p_norm->>'actor_name',
                actor_type = p_norm->>'actor_type',
                themes = ARRAY(SELECT jsonb_array_elements_text(coalesce(p_norm->'themes', '[]'))),
                subthemes = ARRAY(SELECT jsonb_array_elements_text(coalesce(p_norm->'subthemes', '[]'))),
                publics = ARRAY(SELECT jsonb_array_elements_text(coalesce(p_norm->'publics', '[]'))),
                scale = p_norm->>'scale', stage = p_norm->>'stage',
                start_year = (p_norm->>'start_year')::smallint, address = p_norm->>'address',
                postcode = p_norm->>'postcode', commune_code = v_commune,
                departement_code = c.departement_code, region_code = c.region_code, geom = pt,
                geo_precision = v_prec,
                status = CASE WHEN status = 'archived' THEN 'published' ELSE status END,
                updated_at = now()
             WHERE id = init_id;
        ELSE
            UPDATE initiative i SET
                summary = coalesce(i.summary, p_norm->>'summary'),
                description = coalesce(i.description, p_norm->>'description'),
                website = coalesce(i.website, v_web),
                image_url = coalesce(i.image_url, p_norm->>'image_url'),
                actor_name = coalesce(i.actor_name, p_norm->>'actor_name'),
                actor_type = coalesce(i.actor_type, p_norm->>'actor_type'),
                themes = CASE WHEN i.themes = '{}' THEN
                    ARRAY(SELECT jsonb_array_elements_text(coalesce(p_norm->'themes', '[]'))) ELSE i.themes END,
                publics = CASE WHEN i.publics = '{}' THEN
                    ARRAY(SELECT jsonb_array_elements_text(coalesce(p_norm->'publics', '[]'))) ELSE i.publics END,
                start_year = coalesce(i.start_year, (p_norm->>'start_year')::smallint),
                status = CASE WHEN i.status = 'archived' THEN 'published' ELSE i.status END,
                updated_at = now()
             WHERE i.id = init_id;
        END IF;
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

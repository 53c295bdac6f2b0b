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

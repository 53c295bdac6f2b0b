-- Sources, harvest runs, source records and the homogenised initiatives they feed.

CREATE TABLE source (
    id         bigserial PRIMARY KEY,
    code       text NOT NULL UNIQUE CHECK (code ~ '^[a-z0-9][a-z0-9_-]{0,62}$'),
    name       text NOT NULL,
    kind       text NOT NULL CHECK (kind IN ('html', 'json', 'rss', 'csv', 'manual', 'demo')),
    url        text,
    config     jsonb NOT NULL DEFAULT '{}',
    is_demo    boolean NOT NULL DEFAULT false,   -- demonstration data, labelled as such everywhere
    enabled    boolean NOT NULL DEFAULT true,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE harvest_run (
    id                bigserial PRIMARY KEY,
    source_id         bigint NOT NULL REFERENCES source (id),
    started_at        timestamptz NOT NULL DEFAULT now(),
    finished_at       timestamptz,
    status            text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'succeeded', 'failed', 'partial')),
    pages_fetched     integer NOT NULL DEFAULT 0,
    records_seen      integer NOT NULL DEFAULT 0,
    records_new       integer NOT NULL DEFAULT 0,
    records_updated   integer NOT NULL DEFAULT 0,
    records_unchanged integer NOT NULL DEFAULT 0,
    records_gone      integer NOT NULL DEFAULT 0,
    errors            jsonb NOT NULL DEFAULT '[]'
);
CREATE INDEX harvest_run_source_idx ON harvest_run (source_id, started_at DESC);

CREATE TABLE initiative (
    id               bigserial PRIMARY KEY,
    slug             text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$' AND length(slug) <= 200),
    title            text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    summary          text CHECK (length(summary) <= 2000),
    description      text CHECK (length(description) <= 50000),
    website          text CHECK (website ~ '^https?://'),
    image_url        text CHECK (image_url ~ '^https?://'),
    actor_name       text,
    actor_type       text,
    themes           text[] NOT NULL DEFAULT '{}',
    subthemes        text[] NOT NULL DEFAULT '{}',
    publics          text[] NOT NULL DEFAULT '{}',
    scale            text,
    stage            text,
    start_year       smallint CHECK (start_year BETWEEN 1800 AND 2100),
    address          text,
    postcode         text CHECK (postcode ~ '^[0-9][0-9AB][0-9]{3}$'),
    commune_code     text,
    departement_code text,
    region_code      text,
    geom             geometry(Point, 4326) CHECK (geom IS NULL OR (ST_X(geom) BETWEEN -180 AND 180 AND ST_Y(geom) BETWEEN -90 AND 90)),
    geo_precision    text NOT NULL DEFAULT 'none' CHECK (geo_precision IN ('address', 'commune', 'departement', 'region', 'none')),
    status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('published', 'pending', 'rejected', 'archived')),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    -- Weighted French full text, kept up to date by initiative_tsv_update().
    tsv              tsvector NOT NULL DEFAULT ''::tsvector,
    CHECK ((geom IS NULL) = (geo_precision = 'none'))
);
CREATE INDEX initiative_tsv_idx ON initiative USING gin (tsv);
CREATE INDEX initiative_geom_idx ON initiative USING gist (geom);
CREATE INDEX initiative_newest_idx ON initiative (created_at DESC, id DESC) WHERE status = 'published';
CREATE INDEX initiative_themes_idx ON initiative USING gin (themes);
CREATE INDEX initiative_commune_idx ON initiative (commune_code);
CREATE INDEX initiative_departement_idx ON initiative (departement_code);
CREATE INDEX initiative_region_idx ON initiative (region_code);

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
    UNIQUE (source_id, external_id)
);
CREATE INDEX source_record_initiative_idx ON source_record (initiative_id);

-- Title A; summary and actor B; description C; theme labels and place names D.
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
               (SELECT name FROM territory WHERE level = 'region' AND code = NEW.region_code))
      INTO extra;
    NEW.tsv := setweight(to_tsvector('sc_french', coalesce(NEW.title, '')), 'A')
            || setweight(to_tsvector('sc_french', concat_ws(' ', NEW.summary, NEW.actor_name)), 'B')
            || setweight(to_tsvector('sc_french', coalesce(NEW.description, '')), 'C')
            || setweight(to_tsvector('sc_french', coalesce(extra, '')), 'D');
    RETURN NEW;
END $$;
CREATE TRIGGER initiative_tsv BEFORE INSERT OR UPDATE ON initiative
    FOR EACH ROW EXECUTE FUNCTION initiative_tsv_update();

-- The data version: bumped by every write that can change an API answer. Cached responses are
-- keyed by it, so a cached answer is never older than the last write.
CREATE TABLE data_version (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    version   bigint NOT NULL
);
INSERT INTO data_version VALUES (true, 1);

CREATE FUNCTION data_version_bump() RETURNS trigger
    LANGUAGE plpgsql
    AS $$ BEGIN UPDATE data_version SET version = version + 1; RETURN NULL; END $$;
CREATE TRIGGER initiative_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON initiative
    FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump();
CREATE TRIGGER source_record_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON source_record
    FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump();
CREATE TRIGGER source_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON source
    FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump();
CREATE TRIGGER vocabulary_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON vocabulary
    FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump();
CREATE TRIGGER territory_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON territory
    FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump();

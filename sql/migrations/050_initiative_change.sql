-- The change log that GET /api/v1/changes serves, so that a partner can mirror the catalogue:
-- one row per write of a published initiative (or of one that stops being published), written by
-- a row trigger on initiative in the transaction of the write. A trigger rather than the revision
-- path: initiative_insert and initiative_revise are the path of the fields, but a status change
-- (archive, publish) and the demonstration and benchmark loaders write the table directly; the
-- trigger sees every one of them, whoever the writer.
--
-- The order a reader walks is (xid, seq), not seq alone: a bigserial is drawn when the row is
-- inserted, not when its transaction commits, so a transaction that commits late can leave a row
-- below a sequence number that a reader has already passed. The feed serves only rows whose
-- transaction id is below the xmin of the reader's snapshot (pg_snapshot_xmin): every transaction
-- below it has ended, and every transaction that may still commit has an id at or above it, so
-- nothing can appear behind a cursor afterwards. A long transaction that writes nothing to
-- initiative still holds the feed back while it runs (it delays, it never loses).
CREATE TABLE initiative_change (
    seq           bigserial PRIMARY KEY,
    xid           xid8 NOT NULL DEFAULT pg_current_xact_id(),
    initiative_id bigint NOT NULL,
    kind          text NOT NULL CHECK (kind IN ('created', 'updated', 'archived', 'deleted')),
    changed_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX initiative_change_order_idx ON initiative_change (xid, seq);
-- For the compaction of a page (the later rows of the same initiative).
CREATE INDEX initiative_change_initiative_idx ON initiative_change (initiative_id, xid, seq);

-- The collection's temporal extent (first and last update) and the datetime filter of the OGC items
-- read the update time of published initiatives: without an index, min and max read every row.
CREATE INDEX initiative_updated_idx ON initiative (updated_at) WHERE status = 'published';

-- What a partner sees: the published initiatives. Becoming published is "created" (for the
-- partner it appears), a change while published "updated", leaving published "archived" (archived,
-- rejected or back to pending alike: it is gone from the public catalogue), a deletion "deleted".
-- A write to nothing the row holds (UPDATE … SET x = x) logs nothing.
CREATE FUNCTION initiative_change_log() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    was boolean := TG_OP <> 'INSERT' AND OLD.status = 'published';
    now_published boolean := TG_OP <> 'DELETE' AND NEW.status = 'published';
    k text;
BEGIN
    IF TG_OP = 'DELETE' THEN
        k := CASE WHEN was THEN 'deleted' END;
    ELSIF now_published AND NOT was THEN
        k := 'created';
    ELSIF now_published THEN
        k := 'updated';
    ELSIF was THEN
        k := 'archived';
    END IF;
    IF k IS NOT NULL THEN
        INSERT INTO initiative_change (initiative_id, kind)
        VALUES (CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END, k);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER initiative_change_insert AFTER INSERT OR DELETE ON initiative
    FOR EACH ROW EXECUTE FUNCTION initiative_change_log();
CREATE TRIGGER initiative_change_update AFTER UPDATE ON initiative
    FOR EACH ROW WHEN (OLD.* IS DISTINCT FROM NEW.*) EXECUTE FUNCTION initiative_change_log();

-- The sources an initiative shows (a record that joins it or is gone) change its record as the
-- API shows it without touching its row.
CREATE FUNCTION source_record_change_log() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    INSERT INTO initiative_change (initiative_id, kind)
    SELECT DISTINCT i.id, 'updated'
      FROM initiative i
     WHERE i.status = 'published'
       AND i.id IN (NEW.initiative_id, CASE WHEN TG_OP = 'UPDATE' THEN OLD.initiative_id END);
    RETURN NULL;
END $$;
CREATE TRIGGER source_record_change_insert AFTER INSERT ON source_record
    FOR EACH ROW WHEN (NEW.initiative_id IS NOT NULL) EXECUTE FUNCTION source_record_change_log();
CREATE TRIGGER source_record_change_update AFTER UPDATE OF initiative_id, gone_at, url ON source_record
    FOR EACH ROW WHEN (OLD.initiative_id IS DISTINCT FROM NEW.initiative_id
                       OR OLD.gone_at IS DISTINCT FROM NEW.gone_at
                       OR OLD.url IS DISTINCT FROM NEW.url)
    EXECUTE FUNCTION source_record_change_log();

-- The catalogue as it is, so that a mirror started from an empty cursor gets every initiative.
INSERT INTO initiative_change (initiative_id, kind)
SELECT id, 'created' FROM initiative WHERE status = 'published' ORDER BY id;

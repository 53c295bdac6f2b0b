-- The change log (050) grows by one row per write: a harvest that touches every record each night
-- would make it grow without end. What a reader needs of an initiative is its first entry (so that
-- a mirror started from empty knows whether it ever had it) and its last (the state it reads);
-- the entries between are superseded once every reader that could still need them is past them.
-- initiative_change_compact() removes those, for entries older than `keep` only: a reader whose
-- cursor is younger than that meets exactly the entries it met before. A reader that has not read
-- for longer may get a tombstone for a record it never had (deleting it is a no-op for it).
--
-- It walks the log in the readers' order from a watermark, a batch at a time, each call its own
-- short transaction (a long one would hold the feed back: it serves only entries below the oldest
-- running transaction). An entry that was an initiative's last when the walk passed it and is
-- superseded later is removed when the walk meets the newer entry: the deletion looks at every
-- entry of the initiatives met in the batch, not only at the batch.
CREATE TABLE initiative_change_compacted (
    one boolean PRIMARY KEY DEFAULT true CHECK (one),
    xid xid8 NOT NULL DEFAULT '0',
    seq bigint NOT NULL DEFAULT 0
);
INSERT INTO initiative_change_compacted DEFAULT VALUES;

CREATE FUNCTION initiative_change_compact(keep interval, batch integer) RETURNS bigint
    LANGUAGE plpgsql
    AS $$
DECLARE
    w record;
    r record;
    horizon timestamptz := sc_now() - keep;
    ids bigint[] := '{}';
    last_xid xid8;
    last_seq bigint;
    n bigint;
BEGIN
    -- One runner at a time walks the log; another one gives up at once (it will come back).
    SELECT xid, seq INTO w FROM initiative_change_compacted FOR UPDATE SKIP LOCKED;
    IF NOT FOUND THEN
        RETURN 0;
    END IF;
    FOR r IN SELECT c.xid, c.seq, c.initiative_id, c.changed_at
               FROM initiative_change c
              WHERE (c.xid, c.seq) > (w.xid, w.seq)
              ORDER BY c.xid, c.seq
              LIMIT batch LOOP
        EXIT WHEN r.changed_at >= horizon;
        ids := ids || r.initiative_id;
        last_xid := r.xid;
        last_seq := r.seq;
    END LOOP;
    IF last_xid IS NULL THEN
        RETURN -1; -- nothing old enough after the watermark: the walk is done for now
    END IF;
    DELETE FROM initiative_change c
     WHERE c.initiative_id = ANY (ids)
       AND c.changed_at < horizon
       AND EXISTS (SELECT 1 FROM initiative_change e
                    WHERE e.initiative_id = c.initiative_id AND (e.xid, e.seq) < (c.xid, c.seq))
       AND EXISTS (SELECT 1 FROM initiative_change l
                    WHERE l.initiative_id = c.initiative_id AND (l.xid, l.seq) > (c.xid, c.seq));
    GET DIAGNOSTICS n = ROW_COUNT;
    UPDATE initiative_change_compacted SET xid = last_xid, seq = last_seq;
    RETURN n;
END $$;

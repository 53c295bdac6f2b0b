-- The shared counters of the published catalogue (facet_count with its total, map_cell,
-- data_version) are written at commit, not by the statement that changes an initiative.
--
-- Every approval of a proposal (and every other write to initiative) adds to the same rows: the
-- total ('', '', 'total', ''), the facet rows of common themes and régions, the cells of the map's
-- coarse levels, the one data_version row. Written by the statement triggers, their row locks were
-- held from the initiative's INSERT until the end of the transaction, through the revision, the
-- contribution, the outbox row and the commit: concurrent approvals ran one after another, about
-- half of their time spent waiting on those locks.
--
-- Now the statement triggers write what they would add into temporary tables of the session
-- (facet_pending, map_cell_pending, map_cell_dirty: no WAL, no lock shared with anyone), and the
-- first of them in a transaction inserts one row into counter_flush, whose constraint trigger is
-- DEFERRABLE INITIALLY DEFERRED: it fires at COMMIT, after every statement of the transaction, and
-- folds the whole transaction's changes into the shared rows in one statement per table, in key
-- order (no deadlock between two commits). The shared rows are locked only from that fold to the
-- end of the commit: the fold and the commit's WAL flush, instead of the whole transaction. (That
-- flush is what still makes concurrent approvals take turns: 4 ms a sync on average on the loaded
-- development machine, 0.25 ms by pg_test_fsync when it is quiet.)
--
-- What stays true: the fold runs inside the committing transaction, so the counts change in the
-- same commit as the initiatives (exact at every commit, for every reader) and nothing is lost on a
-- crash (a transaction that did not commit added nothing; the temporary tables and the unlogged
-- counter_flush hold only what a running transaction has not folded yet). A subtransaction rolled
-- back takes its pending rows, its flush row and its deferred event with it, and the flag of
-- set_config(…, true) too. The one thing that changes: inside the writing transaction, before its
-- commit, facet_count and map_cell do not show its own changes yet (nothing reads them there).
--
-- The other way considered, counter deltas as insert-only rows added up on read (or folded by the
-- job runner), removes the locks entirely but makes every facet, total and map read add up the
-- recent deltas: the reads (every search with facets, the statistics, the unfiltered map, on each
-- miss of the shared cache) are the hot path, and far more frequent than approvals. The fold at
-- commit keeps the reads as they were.

-- One row per transaction that has counters to fold; removed by the fold. Unlogged: a row lives
-- only inside its transaction, which a crash aborts.
CREATE UNLOGGED TABLE counter_flush (
    pid integer NOT NULL DEFAULT pg_backend_pid()
);

-- The temporary tables of the session that hold what the current transaction adds, created on the
-- session's first write. Not ON COMMIT DELETE ROWS: that empties them by truncating their files
-- during the commit, after the fold, while the shared rows are locked. The fold deletes what it
-- read instead, and a table grown past 256 kB of dead rows is truncated here, at the first write of
-- a transaction (when the flag of counter_flush_due is off, they hold no live row).
CREATE FUNCTION counter_pending_tables() RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF to_regclass('pg_temp.facet_pending') IS NULL THEN
        CREATE TEMP TABLE facet_pending (fkind text, fcode text, kind text, code text, n bigint);
    END IF;
    IF to_regclass('pg_temp.map_cell_pending') IS NULL THEN
        CREATE TEMP TABLE map_cell_pending (g integer, cx integer, cy integer, n integer,
                                            sx float8, sy float8, x0 float8, y0 float8, x1 float8,
                                            y1 float8, min_id bigint);
    END IF;
    IF to_regclass('pg_temp.map_cell_dirty') IS NULL THEN
        CREATE TEMP TABLE map_cell_dirty (g integer, cx integer, cy integer);
    END IF;
    IF current_setting('sc.counter_flush_due', true) IS DISTINCT FROM 'on' THEN
        IF pg_relation_size('pg_temp.facet_pending') > 262144 THEN
            TRUNCATE pg_temp.facet_pending;
        END IF;
        IF pg_relation_size('pg_temp.map_cell_pending') > 262144 THEN
            TRUNCATE pg_temp.map_cell_pending;
        END IF;
        IF pg_relation_size('pg_temp.map_cell_dirty') > 262144 THEN
            TRUNCATE pg_temp.map_cell_dirty;
        END IF;
    END IF;
END $$;

-- Asks for the fold at this transaction's commit (once: the flag lives until the fold or the end
-- of the transaction, and goes back with a subtransaction rolled back, like the flush row).
CREATE FUNCTION counter_flush_due() RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF current_setting('sc.counter_flush_due', true) IS DISTINCT FROM 'on' THEN
        -- The flag first: after SET CONSTRAINTS ALL IMMEDIATE the fold runs within this INSERT,
        -- and turns it off again.
        PERFORM set_config('sc.counter_flush_due', 'on', true);
        INSERT INTO counter_flush DEFAULT VALUES;
    END IF;
END $$;

-- The fold, at commit: facet counts, then map cells, then the data version, each in key order.
CREATE FUNCTION counter_flush() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    v bigint;
BEGIN
    PERFORM counter_pending_tables();
    DELETE FROM counter_flush WHERE ctid = NEW.ctid;
    PERFORM set_config('sc.counter_flush_due', 'off', true);
    -- The pending rows are taken (deleted) before the first shared row is locked.
    WITH p AS (DELETE FROM pg_temp.facet_pending RETURNING *)
    INSERT INTO facet_count AS c (fkind, fcode, kind, code, n)
    SELECT p.fkind, p.fcode, p.kind, p.code, sum(p.n)
      FROM p
     GROUP BY 1, 2, 3, 4
    HAVING sum(p.n) <> 0
     ORDER BY 1, 2, 3, 4
    ON CONFLICT (fkind, fcode, kind, code) DO UPDATE SET n = c.n + EXCLUDED.n;
    -- New points add to their cells; a cell that a point left or moved within is counted again
    -- from map_point as the transaction leaves it, which includes the points it added there.
    WITH p AS (DELETE FROM pg_temp.map_cell_pending RETURNING *)
    INSERT INTO map_cell AS c (g, cx, cy, n, sx, sy, x0, y0, x1, y1, min_id)
    SELECT p.g, p.cx, p.cy, sum(p.n), sum(p.sx), sum(p.sy), min(p.x0), min(p.y0), max(p.x1),
           max(p.y1), min(p.min_id)
      FROM p
     WHERE NOT EXISTS (SELECT 1 FROM pg_temp.map_cell_dirty d
                        WHERE d.g = p.g AND d.cx = p.cx AND d.cy = p.cy)
     GROUP BY 1, 2, 3
     ORDER BY 1, 2, 3
    ON CONFLICT (g, cx, cy) DO UPDATE
       SET n = c.n + EXCLUDED.n, sx = c.sx + EXCLUDED.sx, sy = c.sy + EXCLUDED.sy,
           x0 = least(c.x0, EXCLUDED.x0), y0 = least(c.y0, EXCLUDED.y0),
           x1 = greatest(c.x1, EXCLUDED.x1), y1 = greatest(c.y1, EXCLUDED.y1),
           min_id = least(c.min_id, EXCLUDED.min_id);
    IF EXISTS (SELECT 1 FROM pg_temp.map_cell_dirty) THEN
        PERFORM map_cell_recompute();
    END IF;
    IF current_setting('sc.data_version_due', true) = 'on' THEN
        UPDATE data_version SET version = version + 1 RETURNING version INTO v;
        PERFORM set_config('sc.data_version_due', 'off', true);
        PERFORM pg_notify('sc_data_version', v::text);
    END IF;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER counter_flush_at_commit AFTER INSERT ON counter_flush
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION counter_flush();

-- The data version: one bump per transaction, at its commit (the new version announced then).
CREATE OR REPLACE FUNCTION data_version_bump() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF current_setting('sc.data_version_due', true) IS DISTINCT FROM 'on' THEN
        PERFORM set_config('sc.data_version_due', 'on', true);
        PERFORM counter_flush_due();
    END IF;
    RETURN NULL;
END $$;

-- What facet_count_add would add, kept for the fold at commit.
CREATE FUNCTION facet_count_defer(changes facet_change[]) RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF cardinality(changes) = 0 THEN
        RETURN;
    END IF;
    PERFORM counter_pending_tables();
    INSERT INTO pg_temp.facet_pending (fkind, fcode, kind, code, n)
    SELECT facet_kind(left(p.f, 1)), substr(p.f, 2), facet_kind(left(p.g, 1)), substr(p.g, 2), sum(p.d)
      FROM (SELECT r.d, '' AS f, g FROM unnest(changes) r, unnest(r.a) g
            UNION ALL
            SELECT r.d, f.f, g
              FROM unnest(changes) r,
                   LATERAL (SELECT DISTINCT f FROM unnest(r.a) f WHERE left(f, 1) <> 'y') f,
                   unnest(r.a) g
             WHERE left(f.f, 1) <> left(g, 1)
               AND NOT (left(f.f, 1) IN ('r', 'd') AND left(g, 1) IN ('r', 'd'))) p
     GROUP BY p.f, p.g
    HAVING sum(p.d) <> 0;
    PERFORM counter_flush_due();
END $$;

CREATE OR REPLACE FUNCTION facet_count_trigger() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM facet_count;
        PERFORM counter_pending_tables();
        DELETE FROM pg_temp.facet_pending;
    ELSIF TG_OP = 'INSERT' THEN
        PERFORM facet_count_defer(ARRAY(
            SELECT ROW(1, facet_items(n.themes, n.subthemes, n.publics, n.actor_type, n.scale,
                                      n.stage, n.region_code, n.departement_code,
                                      n.start_year))::facet_change
              FROM new_rows n WHERE n.status = 'published'));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM facet_count_defer(ARRAY(
            SELECT ROW(-1, facet_items(o.themes, o.subthemes, o.publics, o.actor_type, o.scale,
                                       o.stage, o.region_code, o.departement_code,
                                       o.start_year))::facet_change
              FROM old_rows o WHERE o.status = 'published'));
    ELSE
        -- Only the rows whose status or facet values changed.
        PERFORM facet_count_defer(ARRAY(
            SELECT ROW(x.d, x.a)::facet_change
              FROM old_rows o JOIN new_rows n ON n.id = o.id,
                   LATERAL (SELECT -1 AS d,
                                   facet_items(o.themes, o.subthemes, o.publics, o.actor_type,
                                               o.scale, o.stage, o.region_code,
                                               o.departement_code, o.start_year) AS a
                             WHERE o.status = 'published'
                            UNION ALL
                            SELECT 1,
                                   facet_items(n.themes, n.subthemes, n.publics, n.actor_type,
                                               n.scale, n.stage, n.region_code,
                                               n.departement_code, n.start_year)
                             WHERE n.status = 'published') x
             WHERE (o.status, o.themes, o.subthemes, o.publics, o.actor_type, o.scale, o.stage,
                    o.region_code, o.departement_code, o.start_year)
                   IS DISTINCT FROM
                   (n.status, n.themes, n.subthemes, n.publics, n.actor_type, n.scale, n.stage,
                    n.region_code, n.departement_code, n.start_year)));
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION stats_total_trigger() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    d bigint := 0;
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM facet_count WHERE fkind = '' AND fcode = '' AND kind = 'total';
        PERFORM counter_pending_tables();
        DELETE FROM pg_temp.facet_pending WHERE fkind = '' AND fcode = '' AND kind = 'total';
        RETURN NULL;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        d := d + (SELECT count(*) FROM new_rows WHERE status = 'published');
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        d := d - (SELECT count(*) FROM old_rows WHERE status = 'published');
    END IF;
    IF d <> 0 THEN
        PERFORM counter_pending_tables();
        INSERT INTO pg_temp.facet_pending (fkind, fcode, kind, code, n) VALUES ('', '', 'total', '', d);
        PERFORM counter_flush_due();
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION map_cell_trigger() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    PERFORM counter_pending_tables();
    IF TG_OP = 'TRUNCATE' THEN
        TRUNCATE map_cell;
        DELETE FROM pg_temp.map_cell_pending;
        DELETE FROM pg_temp.map_cell_dirty;
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        -- New points only add to their cells.
        INSERT INTO pg_temp.map_cell_pending (g, cx, cy, n, sx, sy, x0, y0, x1, y1, min_id)
        SELECT g, map_cell_of(p.x, g), map_cell_of(p.y, g), count(*), sum(p.x), sum(p.y),
               min(p.x), min(p.y), max(p.x), max(p.y), min(p.id)
          FROM new_rows p, generate_series(3, 8) g
         WHERE p.grid IS NULL OR p.grid > g
         GROUP BY 1, 2, 3;
    ELSE
        -- A point that moves or leaves: its cells are counted again.
        INSERT INTO pg_temp.map_cell_dirty
        SELECT g, map_cell_of(o.x, g), map_cell_of(o.y, g) FROM old_rows o, generate_series(3, 8) g;
        IF TG_OP = 'UPDATE' THEN
            INSERT INTO pg_temp.map_cell_dirty
            SELECT g, map_cell_of(n.x, g), map_cell_of(n.y, g) FROM new_rows n, generate_series(3, 8) g;
        END IF;
    END IF;
    PERFORM counter_flush_due();
    RETURN NULL;
END $$;

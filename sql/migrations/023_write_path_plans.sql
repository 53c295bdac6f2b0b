-- The write path of an initiative, made cheaper for writers that save one initiative per
-- transaction (the harvester, contributions), without changing what is kept:
--
-- 1. Functions in LANGUAGE sql that are not inlined are planned again on every call; in
--    plpgsql their statements are planned once per session. facet_count_apply() ran on every
--    insert or update of an initiative and spent 0.6 of its 1.06 ms planning (PostgreSQL's
--    auto_explain, harvest of the fixture sites); map_cell_recompute() and harvest_slug() had the
--    same overhead on smaller statements. Same statements, same results.
-- 2. Facet counts straight from the rows of the statement, passed as an array, instead of through
--    the temporary table facet_delta: a temporary table created ON COMMIT DELETE ROWS is
--    truncated at the commit of every transaction that used it (file truncations that showed as
--    IO:DataFileTruncate waits of the harvester). The array holds one (sign, facet items) pair per
--    row the statement changed: about 150 bytes a row, so a statement rewriting the whole
--    catalogue (1,000,000 rows) holds some 150 MB while it runs; the generator writes by 20,000.
-- 3. data_version: one bump per transaction is enough (a reader only sees the version and the
--    data together, at commit), and each bump is an update of the same row, which writers in
--    parallel queue on. The bump of a transaction remembers itself in a setting local to the
--    transaction (reset at its end, and undone with a rolled-back savepoint like the update).

CREATE TYPE facet_change AS (d integer, a text[]);

-- Adds to facet_count the changes (d: +1 or -1, a: facet_items of a row). Keys are written in
-- order, so that concurrent writers lock them in the same order.
CREATE FUNCTION facet_count_add(changes facet_change[]) RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
    INSERT INTO facet_count AS c (fkind, fcode, kind, code, n)
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
    HAVING sum(p.d) <> 0
     ORDER BY 1, 2, 3, 4
    ON CONFLICT (fkind, fcode, kind, code) DO UPDATE SET n = c.n + EXCLUDED.n;
END $$;

-- The rows of facet_delta, for a caller that filled it (migration 013).
CREATE OR REPLACE FUNCTION facet_count_apply() RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
    PERFORM facet_count_add(ARRAY(SELECT ROW(r.d, r.a)::facet_change FROM facet_delta r));
END $$;

CREATE OR REPLACE FUNCTION facet_count_trigger() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM facet_count;
    ELSIF TG_OP = 'INSERT' THEN
        PERFORM facet_count_add(ARRAY(
            SELECT ROW(1, facet_items(n.themes, n.subthemes, n.publics, n.actor_type, n.scale,
                                      n.stage, n.region_code, n.departement_code,
                                      n.start_year))::facet_change
              FROM new_rows n WHERE n.status = 'published'));
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM facet_count_add(ARRAY(
            SELECT ROW(-1, facet_items(o.themes, o.subthemes, o.publics, o.actor_type, o.scale,
                                       o.stage, o.region_code, o.departement_code,
                                       o.start_year))::facet_change
              FROM old_rows o WHERE o.status = 'published'));
    ELSE
        -- Only the rows whose status or facet values changed.
        PERFORM facet_count_add(ARRAY(
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

CREATE OR REPLACE FUNCTION map_cell_recompute() RETURNS void
    LANGUAGE plpgsql
    AS $$
BEGIN
    DELETE FROM map_cell c USING (SELECT DISTINCT g, cx, cy FROM map_cell_dirty) d
     WHERE c.g = d.g AND c.cx = d.cx AND c.cy = d.cy;
    INSERT INTO map_cell (g, cx, cy, n, sx, sy, x0, y0, x1, y1, min_id)
    SELECT d.g, d.cx, d.cy, a.n, a.sx, a.sy, a.x0, a.y0, a.x1, a.y1, a.min_id
      FROM (SELECT DISTINCT g, cx, cy FROM map_cell_dirty) d,
           LATERAL (SELECT count(*)::integer AS n, sum(p.x) AS sx, sum(p.y) AS sy, min(p.x) AS x0,
                           min(p.y) AS y0, max(p.x) AS x1, max(p.y) AS y1, min(p.id) AS min_id
                      FROM map_point p
                     WHERE p.x >= d.cx * 360 / 2 ^ (d.g + 5) - 1e-6
                       AND p.x < (d.cx + 1) * 360 / 2 ^ (d.g + 5) + 1e-6
                       AND map_cell_of(p.x, d.g) = d.cx AND map_cell_of(p.y, d.g) = d.cy
                       AND (p.grid IS NULL OR p.grid > d.g)) a
     WHERE a.n > 0
     ORDER BY 1, 2, 3;
    DELETE FROM map_cell_dirty;
END $$;

CREATE OR REPLACE FUNCTION harvest_slug(p_title text, p_source text, p_external_id text) RETURNS text
    LANGUAGE plpgsql STABLE
    AS $$
DECLARE
    base text := coalesce(nullif(left(trim(BOTH '-' FROM regexp_replace(sc_normalize(p_title),
                                                 '[^a-z0-9]+', '-', 'g')), 80), ''), 'initiative');
BEGIN
    IF NOT EXISTS (SELECT 1 FROM initiative WHERE slug = base) THEN
        RETURN base;
    END IF;
    RETURN trim(BOTH '-' FROM base) || '-' || left(md5(p_source || ' ' || p_external_id), 8);
END $$;

CREATE OR REPLACE FUNCTION data_version_bump() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    IF current_setting('sc.data_version_bumped', true) IS DISTINCT FROM 'on' THEN
        UPDATE data_version SET version = version + 1;
        PERFORM set_config('sc.data_version_bumped', 'on', true);
    END IF;
    RETURN NULL;
END $$;

-- The text functions an initiative's write calls many times (generated columns, the tsv trigger,
-- index expressions, the geocoder): in LANGUAGE sql they cannot be inlined (they wrap unaccent(),
-- which is only STABLE, or concat_ws(), or a subquery), so each call site parsed and planned their
-- body again at every statement: about 15 times per harvested record. Same expressions, in
-- plpgsql (results compared on the 35,039 territory names and 100,000 titles and summaries: identical).
CREATE OR REPLACE FUNCTION sc_normalize(t text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE STRICT
    AS $$
BEGIN
    RETURN btrim(regexp_replace(lower(public.unaccent('public.unaccent'::regdictionary, t)),
                                '[^a-z0-9]+', ' ', 'g'));
END $$;

CREATE OR REPLACE FUNCTION sc_fold(t text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE STRICT
    AS $$
BEGIN
    RETURN regexp_replace(regexp_replace(regexp_replace(
               public.unaccent('public.unaccent'::regdictionary, t),
               '([[:alpha:]])[eE][eE]([sS]?)\M', '\1e\2', 'g'),
               '([[:alpha:]])([iI][eE])[rR][eE]([sS]?)\M', '\1\2r\3', 'g'),
               '([[:alpha:]])[iI][vV][eE]([sS]?)\M', '\1if\2', 'g');
END $$;

CREATE OR REPLACE FUNCTION sc_geo_key(t text) RETURNS text
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE STRICT
    AS $$
BEGIN
    RETURN btrim(regexp_replace(regexp_replace(regexp_replace(
               ' ' || sc_normalize(t) || ' ',
               ' (le|la|les|l)(?= )', '', 'g'),
               ' st(?= )', ' saint', 'g'),
               ' ste(?= )', ' sainte', 'g'));
END $$;

CREATE OR REPLACE FUNCTION sc_summary_tsv(summary text, actor_name text) RETURNS tsvector
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    AS $$
BEGIN
    RETURN to_tsvector('sc_french'::regconfig, sc_fold(concat_ws(' ', summary, actor_name)));
END $$;

CREATE OR REPLACE FUNCTION facet_items(themes text[], subthemes text[], publics text[],
                                       actor_type text, scale text, stage text, region text,
                                       departement text, year smallint)
    RETURNS text[]
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    AS $$
BEGIN
    RETURN array(SELECT 't' || c FROM unnest(themes) c)
        || array(SELECT 'u' || c FROM unnest(subthemes) c)
        || array(SELECT 'p' || c FROM unnest(publics) c)
        || array_remove(ARRAY['a' || actor_type, 's' || scale, 'g' || stage, 'r' || region,
                              'd' || departement, 'y' || year::text], NULL);
END $$;

-- map_point's generated column: the first level g of 3..8 on whose cell edges the point lies.
CREATE OR REPLACE FUNCTION map_grid_level(x float8, y float8) RETURNS smallint
    LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
    AS $$
BEGIN
    FOR g IN 3..8 LOOP
        IF x * 2 ^ (g + 5) / 360 = floor(x * 2 ^ (g + 5) / 360)
           OR y * 2 ^ (g + 5) / 360 = floor(y * 2 ^ (g + 5) / 360) THEN
            RETURN g;
        END IF;
    END LOOP;
    RETURN NULL;
END $$;

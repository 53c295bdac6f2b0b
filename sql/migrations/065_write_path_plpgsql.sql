-- The functions that every proposal and every decision call, in PL/pgSQL instead of SQL: same
-- queries, same results, but planned once per connection instead of at each call.
--
-- A function in LANGUAGE sql that the planner cannot inline (its SELECT has a FROM, a LIMIT, or a
-- sub-select) is parsed and planned again every time a query calls it; PL/pgSQL keeps the plan of
-- each of its statements for the life of the connection. A profile of 8 members proposing and a
-- moderator approving at once, at 1,000,000 initiatives, spent about a third of PostgreSQL's time
-- in that planning: initiative_place (2.1 ms a call, the commune of the point of every proposal),
-- contribution_json (1.8 ms, the answer of every write on a contribution, with person_json,
-- fields_display and field_display once per field), contribution_fields_invalid (0.9 ms),
-- initiative_themes_with_parents (0.4 ms) and sc_now (0.08 ms, but about ten calls a request).
-- Each body is the former SELECT, returned as it was (at most one row: a LIMIT 1, an aggregate,
-- a primary key, or no FROM; sc_now reads the one row of sc_clock with SELECT … INTO as before).

CREATE OR REPLACE FUNCTION sc_now() RETURNS timestamptz
    LANGUAGE plpgsql STABLE PARALLEL SAFE
    AS $$
DECLARE
    t timestamptz;
BEGIN
    SELECT now() + offset_s INTO t FROM sc_clock;
    RETURN t;
END $$;

CREATE OR REPLACE FUNCTION initiative_themes_with_parents(themes jsonb, subthemes jsonb) RETURNS jsonb
    LANGUAGE plpgsql STABLE
    AS $$
BEGIN
    RETURN (
    SELECT coalesce(jsonb_agg(w.code ORDER BY w.ord), '[]'::jsonb)
      FROM (SELECT u.code, min(u.ord) AS ord
              FROM (SELECT t.code, t.ord FROM jsonb_array_elements_text(coalesce(initiative_themes_with_parents.themes, '[]')) WITH ORDINALITY AS t(code, ord)
                    UNION ALL
                    SELECT v.parent, 1000000 + s.ord
                      FROM jsonb_array_elements_text(coalesce(initiative_themes_with_parents.subthemes, '[]')) WITH ORDINALITY AS s(code, ord)
                      JOIN vocabulary v ON v.kind = 'subtheme' AND v.code = s.code AND v.parent IS NOT NULL) u
             GROUP BY u.code) w);
END $$;

CREATE OR REPLACE FUNCTION initiative_place(p_address text, p_lon float8, p_lat float8) RETURNS jsonb
    LANGUAGE plpgsql STABLE
    AS $$
BEGIN
    RETURN (
    SELECT jsonb_build_object('address', nullif(trim(p_address), ''),
                              'postcode', substring(p_address FROM '\m([0-9][0-9AB][0-9]{3})\M'),
                              'commune_code', t.code,
                              'lon', round(p_lon::numeric, 6), 'lat', round(p_lat::numeric, 6),
                              'precision', 'address')
      FROM territory t
     WHERE p_lon BETWEEN -180 AND 180 AND p_lat BETWEEN -90 AND 90
       AND t.level = 'commune' AND ST_Intersects(t.contour, ST_SetSRID(ST_MakePoint(p_lon, p_lat), 4326))
     ORDER BY t.code LIMIT 1);
END $$;

CREATE OR REPLACE FUNCTION contribution_fields_invalid(p jsonb) RETURNS text
    LANGUAGE plpgsql STABLE
    AS $$
BEGIN
    RETURN (
    SELECT f FROM (
        SELECT 1 AS ord, 'actor_type' AS f WHERE jsonb_typeof(p->'actor_type') = 'string'
           AND NOT EXISTS (SELECT 1 FROM vocabulary WHERE kind = 'actor_type' AND code = p->>'actor_type')
        UNION ALL
        SELECT 2, 'themes' WHERE EXISTS (SELECT 1 FROM jsonb_array_elements_text(coalesce(p->'themes', '[]')) x
                                          WHERE NOT EXISTS (SELECT 1 FROM vocabulary v WHERE v.kind = 'theme' AND v.code = x))
        UNION ALL
        SELECT 3, 'subthemes' WHERE EXISTS (SELECT 1 FROM jsonb_array_elements_text(coalesce(p->'subthemes', '[]')) x
                                             WHERE NOT EXISTS (SELECT 1 FROM vocabulary v WHERE v.kind = 'subtheme' AND v.code = x))
        UNION ALL
        SELECT 4, 'publics' WHERE EXISTS (SELECT 1 FROM jsonb_array_elements_text(coalesce(p->'publics', '[]')) x
                                           WHERE NOT EXISTS (SELECT 1 FROM vocabulary v WHERE v.kind = 'public' AND v.code = x))
        UNION ALL
        SELECT 5, 'scale' WHERE jsonb_typeof(p->'scale') = 'string'
           AND NOT EXISTS (SELECT 1 FROM vocabulary WHERE kind = 'scale' AND code = p->>'scale')
        UNION ALL
        SELECT 6, 'stage' WHERE jsonb_typeof(p->'stage') = 'string'
           AND NOT EXISTS (SELECT 1 FROM vocabulary WHERE kind = 'stage' AND code = p->>'stage')
    ) bad ORDER BY ord LIMIT 1);
END $$;

CREATE OR REPLACE FUNCTION person_json(p_id bigint) RETURNS jsonb
    LANGUAGE plpgsql STABLE
    AS $$
BEGIN
    RETURN (
    SELECT jsonb_build_object('id', u.id, 'name', coalesce(u.display_name, 'Compte supprimé'))
      FROM app_user u WHERE u.id = p_id);
END $$;

CREATE OR REPLACE FUNCTION field_display(field text, v jsonb) RETURNS jsonb
    LANGUAGE plpgsql STABLE
    AS $$
BEGIN
    RETURN CASE WHEN field = 'place' AND jsonb_typeof(v) = 'object' THEN
                v || jsonb_build_object('commune', (SELECT t.name FROM territory t
                                                     WHERE t.level = 'commune' AND t.code = v->>'commune_code'))
                ELSE v END;
END $$;

CREATE OR REPLACE FUNCTION fields_display(f jsonb) RETURNS jsonb
    LANGUAGE plpgsql STABLE
    AS $$
BEGIN
    RETURN (SELECT coalesce(jsonb_object_agg(e.key, field_display(e.key, e.value)), '{}') FROM jsonb_each(f) e);
END $$;

CREATE OR REPLACE FUNCTION contribution_json(c contribution) RETURNS jsonb
    LANGUAGE plpgsql STABLE
    AS $$
BEGIN
    RETURN jsonb_build_object(
        'id', c.id, 'kind', c.kind, 'status', c.status, 'version', c.version,
        'author', person_json(c.author_id),
        'initiative', (SELECT jsonb_build_object('id', i.id, 'title', i.title, 'version', i.version)
                         FROM initiative i WHERE i.id = c.initiative_id),
        'fields', fields_display(c.fields),
        'base', CASE WHEN c.base IS NOT NULL THEN fields_display(c.base) END,
        'current', CASE WHEN c.kind = 'correction' THEN
            (SELECT fields_display(coalesce(jsonb_object_agg(k, f->k), '{}'))
               FROM initiative i, initiative_fields(i) f, jsonb_object_keys(c.fields) k
              WHERE i.id = c.initiative_id) END,
        'comment', c.comment, 'reason', c.reason,
        'created_at', sc_iso(c.created_at), 'updated_at', sc_iso(c.updated_at),
        'submitted_at', sc_iso(c.submitted_at), 'reviewed_at', sc_iso(c.reviewed_at));
END $$;

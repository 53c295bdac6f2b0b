-- Contributions (proposals of new initiatives, corrections of existing ones) and claims (« Je
-- porte ce projet »), reviewed by moderators. Nothing here is public until approved: an approved
-- proposal becomes an initiative, an approved correction a revision (035_revisions.sql). None of
-- these tables feeds data_version: only the initiative's own change does.

CREATE TABLE contribution (
    id               bigserial PRIMARY KEY,
    kind             text NOT NULL CHECK (kind IN ('proposal', 'correction')),
    status           text NOT NULL CHECK (status IN ('draft', 'pending', 'approved', 'rejected',
                                                     'changes_requested', 'withdrawn')),
    author_id        bigint NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    -- The corrected initiative; for a proposal, the initiative it became once approved.
    initiative_id    bigint REFERENCES initiative (id) ON DELETE CASCADE,
    base_version     integer,            -- corrections: the version the author saw
    fields           jsonb NOT NULL DEFAULT '{}',   -- initiative_fields() shape, proposed values
    base             jsonb,              -- corrections: those fields' values when proposed
    comment          text CHECK (length(comment) <= 2000),
    reason           text CHECK (length(reason) <= 2000),   -- the moderator's
    -- For the moderation queue's filters: the proposal's (or corrected initiative's) themes and place.
    themes           text[] NOT NULL DEFAULT '{}',
    commune_code     text,
    departement_code text,
    region_code      text,
    version          integer NOT NULL DEFAULT 1,
    reviewed_by      bigint REFERENCES app_user (id) ON DELETE SET NULL,
    reviewed_at      timestamptz,
    submitted_at     timestamptz,
    created_at       timestamptz NOT NULL DEFAULT sc_now(),
    updated_at       timestamptz NOT NULL DEFAULT sc_now(),
    CHECK (kind = 'proposal' OR initiative_id IS NOT NULL)
);
CREATE INDEX contribution_author_idx ON contribution (author_id, created_at DESC, id DESC);
CREATE INDEX contribution_queue_idx ON contribution (submitted_at, id) WHERE status = 'pending';
CREATE INDEX contribution_initiative_idx ON contribution (initiative_id);

-- A member who says they carry an initiative. Approved claims make carriers, who edit directly.
CREATE TABLE claim (
    id            bigserial PRIMARY KEY,
    initiative_id bigint NOT NULL REFERENCES initiative (id) ON DELETE CASCADE,
    user_id       bigint NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    status        text NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    message       text CHECK (length(message) <= 2000),
    reason        text CHECK (length(reason) <= 2000),
    auto          boolean NOT NULL DEFAULT false,   -- approved at once (e-mail domain = website's)
    version       integer NOT NULL DEFAULT 1,
    reviewed_by   bigint REFERENCES app_user (id) ON DELETE SET NULL,
    reviewed_at   timestamptz,
    created_at    timestamptz NOT NULL DEFAULT sc_now(),
    updated_at    timestamptz NOT NULL DEFAULT sc_now()
);
-- One live claim per person and initiative.
CREATE UNIQUE INDEX claim_live_idx ON claim (initiative_id, user_id) WHERE status IN ('pending', 'approved');
CREATE INDEX claim_user_idx ON claim (user_id, created_at DESC);
CREATE INDEX claim_queue_idx ON claim (created_at, id) WHERE status = 'pending';

-- The first field of p (initiative_fields shape) holding a code that is not in the vocabularies,
-- or a commune that is not one; NULL when every code is known.
CREATE FUNCTION contribution_fields_invalid(p jsonb) RETURNS text
    LANGUAGE sql STABLE
    AS $$
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
    ) bad ORDER BY ord LIMIT 1 $$;

-- The queue columns of a contribution from its fields (proposal) or its initiative (correction).
CREATE FUNCTION contribution_locate() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    t record;
BEGIN
    IF NEW.kind = 'correction' THEN
        SELECT themes, commune_code, departement_code, region_code INTO t
          FROM initiative WHERE id = NEW.initiative_id;
        NEW.themes := t.themes;
        NEW.commune_code := t.commune_code;
        NEW.departement_code := t.departement_code;
        NEW.region_code := t.region_code;
    ELSE
        NEW.themes := ARRAY(SELECT jsonb_array_elements_text(
                          initiative_themes_with_parents(NEW.fields->'themes', NEW.fields->'subthemes')));
        SELECT code, departement_code, region_code INTO t
          FROM territory WHERE level = 'commune' AND code = NEW.fields->'place'->>'commune_code';
        NEW.commune_code := t.code;
        NEW.departement_code := t.departement_code;
        NEW.region_code := t.region_code;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER contribution_locate BEFORE INSERT OR UPDATE OF fields ON contribution
    FOR EACH ROW EXECUTE FUNCTION contribution_locate();

-- A moderator's decision on a pending contribution at version p_version. outcome: 'done',
-- 'conflict' (stale version or no longer pending; version is the current one), 'gone' (no such
-- contribution, or its initiative is gone). An approved proposal becomes a published initiative;
-- an approved correction a revision by its author, approved by p_reviewer.
CREATE FUNCTION contribution_review(p_id bigint, p_version integer, p_decision text, p_reason text,
                                    p_reviewer bigint,
                                    OUT outcome text, OUT current_version integer, OUT new_initiative bigint)
    LANGUAGE plpgsql
    AS $$
DECLARE
    c  contribution;
    rv record;
BEGIN
    SELECT * INTO c FROM contribution WHERE id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        outcome := 'gone';
        RETURN;
    END IF;
    current_version := c.version;
    new_initiative := c.initiative_id;
    IF c.version <> p_version OR c.status <> 'pending' THEN
        outcome := 'conflict';
        RETURN;
    END IF;
    IF p_decision = 'approve' THEN
        IF c.kind = 'proposal' THEN
            new_initiative := initiative_insert(harvest_slug(c.fields->>'title', 'contribution', c.id::text),
                                               c.fields, 'published', 'member', c.author_id,
                                               p_reviewer, NULL, c.id, c.comment);
            UPDATE initiative SET proposed_by = c.author_id WHERE id = new_initiative;
        ELSE
            SELECT * INTO rv FROM initiative_revise(c.initiative_id, NULL, c.fields, 'member',
                                                    c.author_id, p_reviewer, NULL, c.id, c.comment);
            IF rv.outcome = 'gone' THEN
                outcome := 'gone';
                RETURN;
            END IF;
        END IF;
    END IF;
    UPDATE contribution
       SET status = CASE p_decision WHEN 'approve' THEN 'approved' WHEN 'reject' THEN 'rejected'
                                    ELSE 'changes_requested' END,
           reason = p_reason, reviewed_by = p_reviewer, reviewed_at = sc_now(),
           initiative_id = new_initiative,
           version = contribution.version + 1, updated_at = sc_now()
     WHERE id = p_id;
    current_version := c.version + 1;
    outcome := 'done';
END $$;

-- Whether the verified e-mail of p_user is at the domain of initiative p_initiative's website.
CREATE FUNCTION claim_domain_matches(p_user bigint, p_initiative bigint) RETURNS boolean
    LANGUAGE sql STABLE
    AS $$
    SELECT coalesce(bool_or(split_part(u.email_norm, '@', 2) =
                            lower(substring(i.website FROM '^https?://(?:www\.)?([^/:?#]+)'))), false)
      FROM app_user u, initiative i
     WHERE u.id = p_user AND u.email_verified_at IS NOT NULL AND i.id = p_initiative
       AND i.website IS NOT NULL $$;

-- A moderator's decision on a pending claim ('approve' or 'reject').
CREATE FUNCTION claim_review(p_id bigint, p_version integer, p_decision text, p_reason text,
                             p_reviewer bigint, OUT outcome text, OUT current_version integer)
    LANGUAGE plpgsql
    AS $$
DECLARE
    c claim;
BEGIN
    SELECT * INTO c FROM claim WHERE id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        outcome := 'gone';
        RETURN;
    END IF;
    current_version := c.version;
    IF c.version <> p_version OR c.status <> 'pending' THEN
        outcome := 'conflict';
        RETURN;
    END IF;
    UPDATE claim SET status = CASE WHEN p_decision = 'approve' THEN 'approved' ELSE 'rejected' END,
                     reason = p_reason, reviewed_by = p_reviewer, reviewed_at = sc_now(),
                     version = claim.version + 1, updated_at = sc_now()
     WHERE id = p_id;
    current_version := c.version + 1;
    outcome := 'done';
END $$;

-- A moderator's decision on a field the source changed: 'keep' our value, or 'take_source' — the
-- source's value becomes current (a revision by the moderator) and the field is the sources'
-- again (no longer held by the community).
CREATE FUNCTION source_change_review(p_id bigint, p_version integer, p_decision text,
                                     p_reviewer bigint, OUT outcome text, OUT current_version integer)
    LANGUAGE plpgsql
    AS $$
DECLARE
    s  source_change;
    rv record;
BEGIN
    SELECT * INTO s FROM source_change WHERE id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        outcome := 'gone';
        RETURN;
    END IF;
    current_version := s.version;
    IF s.version <> p_version OR s.status <> 'open' THEN
        outcome := 'conflict';
        RETURN;
    END IF;
    IF p_decision = 'take_source' THEN
        SELECT * INTO rv FROM initiative_revise(s.initiative_id, NULL, jsonb_build_object(s.field, s.theirs),
                                                'moderator', p_reviewer, NULL, NULL, NULL,
                                                'Valeur de la source reprise');
        DELETE FROM initiative_field_override WHERE initiative_id = s.initiative_id AND field = s.field;
    END IF;
    UPDATE source_change SET status = CASE WHEN p_decision = 'take_source' THEN 'taken' ELSE 'kept' END,
                             reviewed_by = p_reviewer, reviewed_at = sc_now(),
                             version = source_change.version + 1
     WHERE id = p_id;
    current_version := s.version + 1;
    outcome := 'done';
END $$;

-- JSON of the API (docs/api.md, "Contributions"): built here so that every answer has one shape.
CREATE FUNCTION sc_iso(t timestamptz) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') $$;

-- A person as contributions and history show them: the display name only, never the address.
CREATE FUNCTION person_json(p_id bigint) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$
    SELECT jsonb_build_object('id', u.id, 'name', coalesce(u.display_name, 'Compte supprimé'))
      FROM app_user u WHERE u.id = p_id $$;

-- A value of field `field` as shown: a place gains the name of its commune.
CREATE FUNCTION field_display(field text, v jsonb) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$
    SELECT CASE WHEN field = 'place' AND jsonb_typeof(v) = 'object' THEN
                v || jsonb_build_object('commune', (SELECT name FROM territory
                                                     WHERE level = 'commune' AND code = v->>'commune_code'))
                ELSE v END $$;

-- Fields as shown (field_display on each).
CREATE FUNCTION fields_display(f jsonb) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$ SELECT coalesce(jsonb_object_agg(e.key, field_display(e.key, e.value)), '{}') FROM jsonb_each(f) e $$;

CREATE FUNCTION contribution_json(c contribution) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$
    SELECT jsonb_build_object(
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
        'submitted_at', sc_iso(c.submitted_at), 'reviewed_at', sc_iso(c.reviewed_at)) $$;

CREATE FUNCTION claim_json(c claim) RETURNS jsonb
    LANGUAGE sql STABLE
    AS $$
    SELECT jsonb_build_object(
        'id', c.id, 'status', c.status, 'version', c.version, 'auto', c.auto,
        'initiative', (SELECT jsonb_build_object('id', i.id, 'title', i.title)
                         FROM initiative i WHERE i.id = c.initiative_id),
        'user', person_json(c.user_id), 'message', c.message, 'reason', c.reason,
        'created_at', sc_iso(c.created_at), 'reviewed_at', sc_iso(c.reviewed_at)) $$;

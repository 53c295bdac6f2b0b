-- An approved proposal becomes an initiative in one INSERT: its proposer is set by
-- initiative_insert (new last parameter) instead of an UPDATE of the row just inserted, which ran
-- every trigger of the table a second time while the approval held its locks on the shared
-- counters (facet counts, map cells). The harvest's call is unchanged (the parameter defaults to
-- NULL).
DROP FUNCTION initiative_insert(text, jsonb, text, text, bigint, bigint, bigint, bigint, text);

-- A new initiative from fields (initiative_fields shape), inserted with them as version 1 and
-- recorded as its first revision (every field from nothing), so that creation is a revision like
-- every change. p_proposed_by: the member whose approved proposal it is (else NULL). Returns the id.
CREATE FUNCTION initiative_insert(p_slug text, p_fields jsonb, p_status text, p_kind text,
                                  p_user bigint, p_reviewer bigint, p_source bigint,
                                  p_contribution bigint, p_comment text,
                                  p_proposed_by bigint DEFAULT NULL) RETURNS bigint
    LANGUAGE plpgsql
    AS $$
DECLARE
    new_id  bigint;
    empty   jsonb := initiative_fields_empty();
    f       jsonb := empty || p_fields;
    changes jsonb := '{}';
    k       text;
BEGIN
    f := f || jsonb_build_object('themes', initiative_themes_with_parents(f->'themes', f->'subthemes'));
    INSERT INTO initiative (slug, title, summary, description, actor_name, actor_type, themes,
                            subthemes, publics, scale, stage, start_year, website, image_url,
                            address, postcode, commune_code, departement_code, region_code, geom,
                            geo_precision, status, version, carrier_updated_at, proposed_by)
    SELECT p_slug, v.*, coalesce(p_status, 'pending'), 1,
           CASE WHEN p_kind = 'carrier' THEN sc_now() END, p_proposed_by
      FROM initiative_values(f) v
    RETURNING id INTO new_id;
    FOR k IN SELECT jsonb_object_keys(f) LOOP
        IF f->k IS DISTINCT FROM empty->k THEN
            changes := changes || jsonb_build_object(k, jsonb_build_object('before', empty->k, 'after', f->k));
        END IF;
    END LOOP;
    INSERT INTO initiative_revision (initiative_id, version, actor_kind, user_id, reviewer_id,
                                     source_id, contribution_id, comment, changes)
    VALUES (new_id, 1, p_kind, p_user, p_reviewer, p_source, p_contribution, p_comment, changes);
    RETURN new_id;
END $$;

-- A moderator's decision on a pending contribution at version p_version. outcome: 'done',
-- 'conflict' (stale version or no longer pending; version is the current one), 'gone' (no such
-- contribution, or its initiative is gone). An approved proposal becomes a published initiative;
-- an approved correction a revision by its author, approved by p_reviewer.
CREATE OR REPLACE FUNCTION contribution_review(p_id bigint, p_version integer, p_decision text, p_reason text,
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
                                               p_reviewer, NULL, c.id, c.comment, c.author_id);
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

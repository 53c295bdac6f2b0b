-- Communities (docs/api.md, "Communities"): groups of members around a theme or a territory, their
-- members, invitations, discussions, activity feed and notifications. None of these tables feeds
-- data_version: community answers are personal and never in the shared response cache.
--
-- The SQL functions below do the writes of one request each, in one statement, and answer a JSON
-- object: either the result, or {"error": CODE} for a refusal of the domain (the HTTP layer maps
-- codes to answers). They decide nothing about who may act: the API asks its one policy first
-- (backend/src/domain/people/policy.c), from the actor's membership read by community_context.

CREATE TABLE community (
    id               bigserial PRIMARY KEY,
    name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    description      text NOT NULL DEFAULT '' CHECK (length(description) <= 4000),
    visibility       text NOT NULL CHECK (visibility IN ('public', 'restricted', 'private')),
    territory_level  text,
    territory_code   text,
    themes           text[] NOT NULL DEFAULT '{}',
    member_count     integer NOT NULL DEFAULT 0,
    search_norm      text GENERATED ALWAYS AS (sc_normalize(name || ' ' || description)) STORED,
    name_key         text GENERATED ALWAYS AS (sc_normalize(name)) STORED,
    initiatives_seen_at timestamptz NOT NULL DEFAULT now(), -- new initiatives scanned up to here
    created_at       timestamptz NOT NULL DEFAULT sc_now(),
    updated_at       timestamptz NOT NULL DEFAULT sc_now(),
    version          integer NOT NULL DEFAULT 1,
    CHECK ((territory_level IS NULL) = (territory_code IS NULL))
);
-- The directory: by name, public and restricted only.
CREATE INDEX community_directory_idx ON community (name_key, id) WHERE visibility <> 'private';
CREATE INDEX community_themes_idx ON community USING gin (themes);

CREATE TABLE community_member (
    community_id   bigint NOT NULL REFERENCES community (id) ON DELETE CASCADE,
    account_id     bigint NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    role           text NOT NULL DEFAULT 'member' CHECK (role IN ('owner', 'moderator', 'member')),
    status         text NOT NULL DEFAULT 'member' CHECK (status IN ('member', 'pending', 'banned')),
    listed         boolean NOT NULL DEFAULT true,
    digest         text NOT NULL DEFAULT 'weekly' CHECK (digest IN ('daily', 'weekly', 'never')),
    joined_at      timestamptz NOT NULL DEFAULT sc_now(),
    last_digest_at timestamptz NOT NULL DEFAULT sc_now(),
    PRIMARY KEY (community_id, account_id)
);
CREATE INDEX community_member_account_idx ON community_member (account_id);
CREATE INDEX community_member_list_idx ON community_member (community_id, status, account_id);
CREATE INDEX community_member_digest_idx ON community_member (last_digest_at)
    WHERE status = 'member' AND digest <> 'never';
-- One owner per community.
CREATE UNIQUE INDEX community_member_owner_idx ON community_member (community_id) WHERE role = 'owner';

-- An invitation by e-mail; the link carries its id signed with the site's key (no secret stored).
CREATE TABLE community_invitation (
    id           bigserial PRIMARY KEY,
    community_id bigint NOT NULL REFERENCES community (id) ON DELETE CASCADE,
    email        text NOT NULL CHECK (length(email) <= 254),
    invited_by   bigint REFERENCES app_user (id) ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT sc_now(),
    expires_at   timestamptz NOT NULL,
    accepted_at  timestamptz,
    accepted_by  bigint REFERENCES app_user (id) ON DELETE SET NULL
);
CREATE INDEX community_invitation_community_idx ON community_invitation (community_id);

CREATE TABLE community_thread (
    id               bigserial PRIMARY KEY,
    community_id     bigint NOT NULL REFERENCES community (id) ON DELETE CASCADE,
    author_id        bigint REFERENCES app_user (id) ON DELETE SET NULL,
    title            text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    body             text NOT NULL CHECK (length(body) BETWEEN 1 AND 10000),
    mentions         bigint[] NOT NULL DEFAULT '{}',
    pinned           boolean NOT NULL DEFAULT false,
    locked           boolean NOT NULL DEFAULT false,
    reply_count      integer NOT NULL DEFAULT 0,
    last_activity_at timestamptz NOT NULL DEFAULT sc_now(),
    -- The order of the list, one number for the keyset (community_sort_key): pinned first, then by
    -- last activity in microseconds.
    sort_key         bigint NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT sc_now(),
    edited_at        timestamptz,
    version          integer NOT NULL DEFAULT 1
);
CREATE INDEX community_thread_list_idx ON community_thread (community_id, sort_key DESC, id DESC);

CREATE TABLE community_reply (
    id           bigserial PRIMARY KEY,
    thread_id    bigint NOT NULL REFERENCES community_thread (id) ON DELETE CASCADE,
    community_id bigint NOT NULL REFERENCES community (id) ON DELETE CASCADE,
    author_id    bigint REFERENCES app_user (id) ON DELETE SET NULL,
    body         text NOT NULL CHECK (length(body) BETWEEN 1 AND 10000),
    mentions     bigint[] NOT NULL DEFAULT '{}',
    created_at   timestamptz NOT NULL DEFAULT sc_now(),
    edited_at    timestamptz,
    version      integer NOT NULL DEFAULT 1
);
-- A thread of thousands of replies pages by (thread_id, id).
CREATE INDEX community_reply_thread_idx ON community_reply (thread_id, id);

-- The activity feed, written as things happen (and by the job runner for new initiatives).
CREATE TABLE community_event (
    id            bigserial PRIMARY KEY,
    community_id  bigint NOT NULL REFERENCES community (id) ON DELETE CASCADE,
    kind          text NOT NULL CHECK (kind IN ('member_joined', 'thread', 'reply', 'collection_item', 'initiative')),
    at            timestamptz NOT NULL DEFAULT sc_now(),
    actor_id      bigint REFERENCES app_user (id) ON DELETE SET NULL,
    thread_id     bigint REFERENCES community_thread (id) ON DELETE CASCADE,
    reply_id      bigint REFERENCES community_reply (id) ON DELETE CASCADE,
    initiative_id bigint REFERENCES initiative (id) ON DELETE CASCADE,
    collection_id bigint REFERENCES collection (id) ON DELETE CASCADE
);
CREATE INDEX community_event_feed_idx ON community_event (community_id, id DESC);

CREATE TABLE community_notification (
    id           bigserial PRIMARY KEY,
    account_id   bigint NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    kind         text NOT NULL CHECK (kind IN ('mention', 'reply', 'join_request', 'request_approved', 'invitation_accepted', 'proposal')),
    community_id bigint NOT NULL REFERENCES community (id) ON DELETE CASCADE,
    thread_id    bigint REFERENCES community_thread (id) ON DELETE CASCADE,
    actor_id     bigint REFERENCES app_user (id) ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT sc_now(),
    read         boolean NOT NULL DEFAULT false
);
CREATE INDEX community_notification_account_idx ON community_notification (account_id, id DESC);
CREATE INDEX community_notification_unread_idx ON community_notification (account_id) WHERE NOT read;

-- The unread count, kept on write (one row read by GET /me/notifications/unread).
CREATE TABLE notification_unread (
    account_id bigint PRIMARY KEY REFERENCES app_user (id) ON DELETE CASCADE,
    unread     integer NOT NULL DEFAULT 0 CHECK (unread >= 0)
);

-- Proposals of members to add an initiative to one of the community's collections.
CREATE TABLE community_proposal (
    id            bigserial PRIMARY KEY,
    community_id  bigint NOT NULL REFERENCES community (id) ON DELETE CASCADE,
    collection_id bigint NOT NULL REFERENCES collection (id) ON DELETE CASCADE,
    initiative_id bigint NOT NULL REFERENCES initiative (id) ON DELETE CASCADE,
    note          text NOT NULL DEFAULT '' CHECK (length(note) <= 1000),
    author_id     bigint REFERENCES app_user (id) ON DELETE SET NULL,
    created_at    timestamptz NOT NULL DEFAULT sc_now()
);
CREATE INDEX community_proposal_idx ON community_proposal (community_id, id);

-- A community's collections are the ordinary collections with a community owner; user_id stays
-- the moderator who created it.
ALTER TABLE collection ADD COLUMN community_id bigint REFERENCES community (id) ON DELETE CASCADE;
CREATE INDEX collection_community_idx ON collection (community_id) WHERE community_id IS NOT NULL;

-- Reports about a thread or a reply land in the site's moderation queue too (table report).
CREATE TABLE community_report (
    id           bigserial PRIMARY KEY,
    community_id bigint NOT NULL REFERENCES community (id) ON DELETE CASCADE,
    thread_id    bigint REFERENCES community_thread (id) ON DELETE CASCADE,
    reply_id     bigint REFERENCES community_reply (id) ON DELETE CASCADE,
    reason       text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000),
    reporter_id  bigint REFERENCES app_user (id) ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT sc_now(),
    CHECK ((thread_id IS NULL) <> (reply_id IS NULL))
);
CREATE INDEX community_report_idx ON community_report (community_id, id);

-- ---------------------------------------------------------------------------------------------
-- Reading

CREATE FUNCTION community_ts(t timestamptz) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') $$;

-- A member's display name (« compte supprimé » for a deleted account).
CREATE FUNCTION community_person(uid bigint) RETURNS json
    LANGUAGE sql STABLE
    AS $$ SELECT json_build_object('account_id', u.id,
                                   'display_name', coalesce(u.display_name, 'compte supprimé'))
            FROM app_user u WHERE u.id = uid $$;

-- COMMUNITY as viewer (0: signed out) sees it.
CREATE FUNCTION community_json(c community, viewer bigint) RETURNS json
    LANGUAGE sql STABLE
    AS $$
    SELECT json_build_object(
        'id', c.id, 'name', c.name, 'description', c.description, 'visibility', c.visibility,
        'territory', (SELECT json_build_object('ref', t.level || ':' || t.code, 'name', t.name)
                        FROM territory t WHERE t.level = c.territory_level AND t.code = c.territory_code),
        'themes', coalesce((SELECT json_agg(json_build_object('code', v.code, 'label', v.label_fr) ORDER BY v.rank, v.code)
                              FROM vocabulary v WHERE v.kind = 'theme' AND v.code = ANY (c.themes)), '[]'),
        'point', (SELECT json_build_object('lon', round(ST_X(t.point)::numeric, 5), 'lat', round(ST_Y(t.point)::numeric, 5))
                    FROM territory t WHERE t.level = c.territory_level AND t.code = c.territory_code AND t.point IS NOT NULL),
        'member_count', c.member_count,
        'created_at', community_ts(c.created_at), 'updated_at', community_ts(c.updated_at),
        'version', c.version,
        'me', CASE WHEN viewer = 0 THEN NULL ELSE
              coalesce((SELECT json_build_object('status', m.status,
                                                 'role', CASE WHEN m.status = 'member' THEN m.role END,
                                                 'listed', m.listed, 'digest', m.digest)
                          FROM community_member m WHERE m.community_id = c.id AND m.account_id = viewer),
                       json_build_object('status', NULL, 'role', NULL, 'listed', true, 'digest', 'weekly')) END)
    $$;

CREATE FUNCTION community_get(cid bigint, viewer bigint) RETURNS json
    LANGUAGE sql STABLE
    AS $$ SELECT community_json(c, viewer) FROM community c WHERE c.id = cid $$;

-- Whether territory (tl, tc) of a community lies inside or is the territory (rl, rc).
CREATE FUNCTION community_in_territory(tl text, tc text, rl text, rc text) RETURNS boolean
    LANGUAGE sql STABLE
    AS $$
    SELECT (tl = rl AND tc = rc) OR EXISTS (
        SELECT 1 FROM territory t WHERE t.level = tl AND t.code = tc
           AND ((rl = 'region' AND t.region_code = rc) OR (rl = 'departement' AND t.departement_code = rc)))
    $$;

-- The initiatives matching a community's territory and themes (none when it has neither).
CREATE FUNCTION community_match(c community, i initiative) RETURNS boolean
    LANGUAGE sql STABLE
    AS $$
    SELECT (c.territory_level IS NOT NULL OR c.themes <> '{}')
       AND (c.themes = '{}' OR i.themes && c.themes)
       AND (c.territory_level IS NULL
            OR (c.territory_level = 'region' AND i.region_code = c.territory_code)
            OR (c.territory_level = 'departement' AND i.departement_code = c.territory_code)
            OR (c.territory_level = 'commune' AND i.commune_code = c.territory_code)
            OR (c.territory_level = 'arrondissement' AND i.arrondissement_code = c.territory_code))
    $$;

-- ---------------------------------------------------------------------------------------------
-- Writes: communities and membership

CREATE FUNCTION community_notify(uid bigint, k text, cid bigint, tid bigint, actor bigint) RETURNS void
    LANGUAGE sql
    AS $$
    INSERT INTO community_notification (account_id, kind, community_id, thread_id, actor_id)
    VALUES (uid, k, cid, tid, actor);
    INSERT INTO notification_unread (account_id, unread) VALUES (uid, 1)
    ON CONFLICT (account_id) DO UPDATE SET unread = notification_unread.unread + 1;
    $$;

-- Marks as read what uid was told about community cid (they left or were removed).
CREATE FUNCTION community_forget(uid bigint, cid bigint) RETURNS void
    LANGUAGE sql
    AS $$
    WITH r AS (UPDATE community_notification SET read = true
                WHERE account_id = uid AND community_id = cid AND NOT read RETURNING 1)
    UPDATE notification_unread SET unread = greatest(unread - (SELECT count(*) FROM r), 0)
     WHERE account_id = uid AND EXISTS (SELECT 1 FROM r);
    $$;

CREATE FUNCTION community_recount(cid bigint) RETURNS void
    LANGUAGE sql
    AS $$ UPDATE community SET member_count = (SELECT count(*) FROM community_member
                                                WHERE community_id = cid AND status = 'member')
           WHERE id = cid $$;

CREATE FUNCTION community_create(actor bigint, p_name text, p_desc text, p_vis text, tl text, tc text,
                                 p_themes text[]) RETURNS json
    LANGUAGE plpgsql
    AS $$
DECLARE
    c community;
BEGIN
    INSERT INTO community (name, description, visibility, territory_level, territory_code, themes, member_count)
    VALUES (p_name, coalesce(p_desc, ''), p_vis, tl, tc, coalesce(p_themes, '{}'), 1) RETURNING * INTO c;
    INSERT INTO community_member (community_id, account_id, role, status) VALUES (c.id, actor, 'owner', 'member');
    RETURN community_json(c, actor);
END $$;

-- NULL arguments are left as they are; clear_territory removes the territory.
CREATE FUNCTION community_update(cid bigint, actor bigint, p_version integer, p_name text, p_desc text,
                                 p_vis text, tl text, tc text, clear_territory boolean,
                                 p_themes text[]) RETURNS json
    LANGUAGE plpgsql
    AS $$
DECLARE
    c community;
BEGIN
    UPDATE community SET name = coalesce(p_name, name), description = coalesce(p_desc, description),
           visibility = coalesce(p_vis, visibility),
           territory_level = CASE WHEN clear_territory THEN NULL ELSE coalesce(tl, territory_level) END,
           territory_code = CASE WHEN clear_territory THEN NULL ELSE coalesce(tc, territory_code) END,
           themes = coalesce(p_themes, themes), updated_at = sc_now(), version = version + 1
     WHERE id = cid AND version = p_version RETURNING * INTO c;
    IF NOT FOUND THEN
        RETURN json_build_object('error', 'conflict', 'current', community_get(cid, actor));
    END IF;
    RETURN community_json(c, actor);
END $$;

-- $1 q (normalised words, '' for none), theme ('' none), territory level/code ('' none), after
-- (name_key, id) or NULL, limit + 1.
CREATE FUNCTION community_directory(q text, theme text, rl text, rc text, after_key text,
                                    after_id bigint, lim integer, viewer bigint) RETURNS SETOF json
    LANGUAGE sql STABLE
    AS $$
    SELECT json_build_object('j', community_json(c, viewer), 'k', c.name_key, 'id', c.id)
      FROM community c
     WHERE c.visibility <> 'private'
       AND (q = '' OR NOT EXISTS (SELECT 1 FROM unnest(string_to_array(sc_normalize(q), ' ')) w
                                   WHERE w <> '' AND position(w IN c.search_norm) = 0))
       AND (theme = '' OR theme = ANY (c.themes))
       AND (rl = '' OR (c.territory_level IS NOT NULL AND community_in_territory(c.territory_level, c.territory_code, rl, rc)))
       AND (after_key IS NULL OR (c.name_key, c.id) > (after_key, after_id))
     ORDER BY c.name_key, c.id
     LIMIT lim
    $$;

CREATE FUNCTION community_mine(viewer bigint) RETURNS json
    LANGUAGE sql STABLE
    AS $$
    SELECT json_build_object('items', coalesce(json_agg(community_json(c, viewer) ORDER BY c.name_key, c.id), '[]'))
      FROM (SELECT c.* FROM community c JOIN community_member m ON m.community_id = c.id
             WHERE m.account_id = viewer AND m.status <> 'banned'
             ORDER BY c.name_key, c.id LIMIT 200) c
    $$;

-- The actor's membership, for the policy: visibility, status ('' none), role ('' none).
CREATE FUNCTION community_context(cid bigint, viewer bigint)
    RETURNS TABLE (visibility text, status text, role text)
    LANGUAGE sql STABLE
    AS $$
    SELECT c.visibility, coalesce(m.status, ''), coalesce(m.role, '')
      FROM community c LEFT JOIN community_member m ON m.community_id = c.id AND m.account_id = viewer
     WHERE c.id = cid
    $$;

CREATE FUNCTION community_join(cid bigint, actor bigint) RETURNS json
    LANGUAGE plpgsql
    AS $$
DECLARE
    vis text;
    st text;
    m record;
BEGIN
    SELECT visibility INTO vis FROM community WHERE id = cid FOR UPDATE;
    SELECT * INTO m FROM community_member WHERE community_id = cid AND account_id = actor;
    IF FOUND THEN
        RETURN json_build_object('status', m.status, 'created', false);
    END IF;
    st := CASE WHEN vis = 'public' THEN 'member' ELSE 'pending' END;
    INSERT INTO community_member (community_id, account_id, status) VALUES (cid, actor, st);
    IF st = 'member' THEN
        PERFORM community_recount(cid);
        INSERT INTO community_event (community_id, kind, actor_id) VALUES (cid, 'member_joined', actor);
    ELSE
        PERFORM community_notify(mm.account_id, 'join_request', cid, NULL, actor)
           FROM community_member mm
          WHERE mm.community_id = cid AND mm.status = 'member' AND mm.role IN ('owner', 'moderator');
    END IF;
    RETURN json_build_object('status', st, 'created', true);
END $$;

CREATE FUNCTION community_leave(cid bigint, actor bigint) RETURNS json
    LANGUAGE plpgsql
    AS $$
DECLARE
    m record;
BEGIN
    SELECT * INTO m FROM community_member WHERE community_id = cid AND account_id = actor FOR UPDATE;
    IF NOT FOUND OR m.status = 'banned' THEN
        RETURN json_build_object('error', 'not_found');
    END IF;
    IF m.role = 'owner' THEN
        RETURN json_build_object('error', 'owner_must_transfer');
    END IF;
    DELETE FROM community_member WHERE community_id = cid AND account_id = actor;
    PERFORM community_recount(cid);
    PERFORM community_forget(actor, cid);
    RETURN json_build_object('status', NULL);
END $$;

CREATE FUNCTION community_prefs(cid bigint, actor bigint, p_listed boolean, p_digest text) RETURNS json
    LANGUAGE sql
    AS $$
    UPDATE community_member SET listed = coalesce(p_listed, listed), digest = coalesce(p_digest, digest)
     WHERE community_id = cid AND account_id = actor
    RETURNING json_build_object('status', status, 'role', CASE WHEN status = 'member' THEN role END,
                                'listed', listed, 'digest', digest)
    $$;

CREATE FUNCTION community_member_json(m community_member) RETURNS json
    LANGUAGE sql STABLE
    AS $$
    SELECT json_build_object('account_id', m.account_id,
                             'display_name', coalesce((SELECT display_name FROM app_user WHERE id = m.account_id), 'compte supprimé'),
                             'role', m.role, 'status', m.status, 'joined_at', community_ts(m.joined_at))
    $$;

-- Members of status st; all_members: moderators see unlisted members too. Keyset on account_id.
CREATE FUNCTION community_members(cid bigint, st text, all_members boolean, after_id bigint, lim integer)
    RETURNS TABLE (j json, id bigint)
    LANGUAGE sql STABLE
    AS $$
    SELECT community_member_json(m), m.account_id FROM community_member m
     WHERE m.community_id = cid AND m.status = st AND (all_members OR m.listed)
       AND m.account_id > coalesce(after_id, 0)
     ORDER BY m.account_id LIMIT lim
    $$;

-- A moderator's change of a member: p_status 'member' (approve, or lift a ban) or 'banned'; p_role
-- 'moderator' or 'member' (the caller has checked that the actor owns the community).
CREATE FUNCTION community_member_update(cid bigint, actor bigint, target bigint, p_status text,
                                        p_role text) RETURNS json
    LANGUAGE plpgsql
    AS $$
DECLARE
    m community_member;
BEGIN
    SELECT * INTO m FROM community_member WHERE community_id = cid AND account_id = target FOR UPDATE;
    IF NOT FOUND THEN
        IF p_status = 'banned' AND EXISTS (SELECT 1 FROM app_user WHERE id = target AND deleted_at IS NULL) THEN
            INSERT INTO community_member (community_id, account_id, status) VALUES (cid, target, 'banned')
            RETURNING * INTO m;
            RETURN community_member_json(m);
        END IF;
        RETURN json_build_object('error', 'not_found');
    END IF;
    IF m.role = 'owner' THEN
        RETURN json_build_object('error', 'owner');
    END IF;
    IF p_role IS NOT NULL AND coalesce(p_status, m.status) <> 'member' THEN
        RETURN json_build_object('error', 'not_member');
    END IF;
    IF p_status = 'member' AND m.status <> 'member' THEN
        UPDATE community_member SET status = 'member', joined_at = sc_now(), last_digest_at = sc_now()
         WHERE community_id = cid AND account_id = target;
        IF m.status = 'pending' THEN
            PERFORM community_notify(target, 'request_approved', cid, NULL, actor);
        END IF;
        INSERT INTO community_event (community_id, kind, actor_id) VALUES (cid, 'member_joined', target);
    ELSIF p_status = 'banned' AND m.status <> 'banned' THEN
        UPDATE community_member SET status = 'banned', role = 'member'
         WHERE community_id = cid AND account_id = target;
        PERFORM community_forget(target, cid);
    END IF;
    IF p_role IS NOT NULL THEN
        UPDATE community_member SET role = p_role WHERE community_id = cid AND account_id = target;
    END IF;
    PERFORM community_recount(cid);
    SELECT * INTO m FROM community_member WHERE community_id = cid AND account_id = target;
    RETURN community_member_json(m);
END $$;

CREATE FUNCTION community_member_remove(cid bigint, target bigint) RETURNS json
    LANGUAGE plpgsql
    AS $$
DECLARE
    m community_member;
BEGIN
    SELECT * INTO m FROM community_member WHERE community_id = cid AND account_id = target FOR UPDATE;
    IF NOT FOUND THEN
        RETURN json_build_object('error', 'not_found');
    END IF;
    IF m.role = 'owner' THEN
        RETURN json_build_object('error', 'owner');
    END IF;
    DELETE FROM community_member WHERE community_id = cid AND account_id = target;
    PERFORM community_recount(cid);
    PERFORM community_forget(target, cid);
    RETURN json_build_object('removed', true);
END $$;

CREATE FUNCTION community_transfer(cid bigint, actor bigint, target bigint) RETURNS json
    LANGUAGE plpgsql
    AS $$
DECLARE
    c community;
BEGIN
    PERFORM 1 FROM community WHERE id = cid FOR UPDATE;
    IF NOT EXISTS (SELECT 1 FROM community_member WHERE community_id = cid AND account_id = target
                                                    AND status = 'member') THEN
        RETURN json_build_object('error', 'not_member');
    END IF;
    IF target = actor THEN
        SELECT * INTO c FROM community WHERE id = cid;
        RETURN community_json(c, actor);
    END IF;
    UPDATE community_member SET role = 'moderator' WHERE community_id = cid AND account_id = actor;
    UPDATE community_member SET role = 'owner' WHERE community_id = cid AND account_id = target;
    UPDATE community SET updated_at = sc_now(), version = version + 1 WHERE id = cid RETURNING * INTO c;
    RETURN community_json(c, actor);
END $$;

-- Invitation iid (its id drawn first, so that its signed link can be written) of p_email, and its
-- e-mail queued in the outbox in the same statement.
CREATE FUNCTION community_invite(iid bigint, cid bigint, actor bigint, p_email text, token text,
                                 public_url text) RETURNS json
    LANGUAGE sql
    AS $$
    WITH i AS (INSERT INTO community_invitation (id, community_id, email, invited_by, expires_at)
               VALUES (iid, cid, p_email, actor, sc_now() + interval '14 days') RETURNING *),
    mail AS (INSERT INTO mail_outbox (kind, to_addr, subject, body_text)
             SELECT 'community_invitation', p_email,
                    'Invitation à rejoindre « ' || c.name || ' » sur SocialConnect',
                    E'Bonjour,\n\n' || coalesce(u.display_name, 'Un membre') || ' vous invite à rejoindre la communauté « '
                    || c.name || E' » sur SocialConnect.\n\nPour accepter, ouvrez ce lien (valable 14 jours) ; '
                    || E'si vous n\'avez pas encore de compte, vous pourrez en créer un :\n\n'
                    || public_url || '/communautes/invitation?token=' || token
                    || E'\n\nSi vous ne connaissez pas cette communauté, ignorez ce message.\n\n-- \nSocialConnect\n'
               FROM community c LEFT JOIN app_user u ON u.id = actor WHERE c.id = cid)
    SELECT json_build_object('expires_at', community_ts(i.expires_at)) FROM i
    $$;

CREATE FUNCTION community_invitation_get(iid bigint) RETURNS json
    LANGUAGE sql STABLE
    AS $$
    SELECT json_build_object('community', json_build_object('id', c.id, 'name', c.name, 'visibility', c.visibility),
                             'email', i.email, 'expires_at', community_ts(i.expires_at),
                             'status', CASE WHEN i.accepted_at IS NULL THEN 'valid' ELSE 'accepted' END)
      FROM community_invitation i JOIN community c ON c.id = i.community_id
     WHERE i.id = iid AND (i.accepted_at IS NOT NULL OR i.expires_at > sc_now())
    $$;

-- The signed-in actor accepts invitation iid: member of the community whatever its visibility; an
-- account whose address is the invited one is thereby verified.
CREATE FUNCTION community_invitation_accept(iid bigint, actor bigint) RETURNS json
    LANGUAGE plpgsql
    AS $$
DECLARE
    i community_invitation;
    u app_user;
    c community;
    m community_member;
    fresh boolean;
BEGIN
    SELECT * INTO i FROM community_invitation WHERE id = iid FOR UPDATE;
    IF NOT FOUND OR (i.accepted_at IS NULL AND i.expires_at <= sc_now()) THEN
        RETURN json_build_object('error', 'invalid_token');
    END IF;
    SELECT * INTO u FROM app_user WHERE id = actor;
    IF i.accepted_at IS NOT NULL AND i.accepted_by IS DISTINCT FROM actor THEN
        RETURN json_build_object('error', 'invalid_token');
    END IF;
    IF u.email_norm = lower(i.email) AND u.email_verified_at IS NULL THEN
        UPDATE app_user SET email_verified_at = sc_now() WHERE id = actor;
    ELSIF u.email_verified_at IS NULL THEN
        RETURN json_build_object('error', 'unverified');
    END IF;
    SELECT * INTO m FROM community_member WHERE community_id = i.community_id AND account_id = actor FOR UPDATE;
    fresh := NOT FOUND;
    IF NOT fresh AND m.status = 'banned' THEN
        RETURN json_build_object('error', 'banned');
    END IF;
    IF fresh THEN
        INSERT INTO community_member (community_id, account_id) VALUES (i.community_id, actor);
    ELSIF m.status = 'pending' THEN
        UPDATE community_member SET status = 'member', joined_at = sc_now(), last_digest_at = sc_now()
         WHERE community_id = i.community_id AND account_id = actor;
    END IF;
    IF fresh OR m.status = 'pending' THEN
        INSERT INTO community_event (community_id, kind, actor_id) VALUES (i.community_id, 'member_joined', actor);
        IF i.invited_by IS NOT NULL THEN
            PERFORM community_notify(i.invited_by, 'invitation_accepted', i.community_id, NULL, actor);
        END IF;
    END IF;
    UPDATE community_invitation SET accepted_at = coalesce(accepted_at, sc_now()), accepted_by = actor WHERE id = iid;
    PERFORM community_recount(i.community_id);
    SELECT * INTO c FROM community WHERE id = i.community_id;
    RETURN community_json(c, actor);
END $$;

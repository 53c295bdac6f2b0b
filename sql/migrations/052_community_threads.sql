-- Communities: discussions, the activity feed, notifications, collections and proposals, the
-- digest e-mails (docs/api.md, "Communities"). Same conventions as 051_communities.sql.

-- The order of the list of threads as one number: pinned first (10^17 added: more than any date in
-- microseconds, and still 18 digits, the most a cursor carries), then by last activity.
CREATE FUNCTION community_sort_key(pinned boolean, at timestamptz) RETURNS bigint
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT CASE WHEN pinned THEN 100000000000000000 ELSE 0 END
                 + (extract(epoch FROM at) * 1000000)::bigint $$;

CREATE FUNCTION community_people(ids bigint[]) RETURNS json
    LANGUAGE sql STABLE
    AS $$ SELECT coalesce(json_agg(community_person(x) ORDER BY o), '[]')
            FROM unnest(ids) WITH ORDINALITY AS u (x, o) $$;

-- Drops "body" when the list leaves it out (the other nulls are part of the object).
CREATE FUNCTION community_without_body(j json, with_body boolean) RETURNS json
    LANGUAGE sql IMMUTABLE
    AS $$ SELECT CASE WHEN with_body THEN j ELSE (j::jsonb - 'body')::json END $$;

CREATE FUNCTION community_thread_json(t community_thread, with_body boolean) RETURNS json
    LANGUAGE sql STABLE
    AS $$
    SELECT community_without_body(json_build_object(
        'id', t.id, 'community_id', t.community_id, 'title', t.title,
        'body', CASE WHEN with_body THEN t.body END,
        'author', community_person(t.author_id), 'pinned', t.pinned, 'locked', t.locked,
        'reply_count', t.reply_count, 'last_activity_at', community_ts(t.last_activity_at),
        'created_at', community_ts(t.created_at), 'edited_at', community_ts(t.edited_at),
        'version', t.version, 'mentions', community_people(t.mentions)), with_body)
    $$;

CREATE FUNCTION community_reply_json(r community_reply) RETURNS json
    LANGUAGE sql STABLE
    AS $$
    SELECT json_build_object('id', r.id, 'thread_id', r.thread_id, 'body', r.body,
        'author', community_person(r.author_id), 'created_at', community_ts(r.created_at),
        'edited_at', community_ts(r.edited_at), 'version', r.version,
        'mentions', community_people(r.mentions))
    $$;

-- Whether every id of mentions is a member of the community.
CREATE FUNCTION community_all_members(cid bigint, ids bigint[]) RETURNS boolean
    LANGUAGE sql STABLE
    AS $$ SELECT NOT EXISTS (SELECT 1 FROM unnest(ids) x
                              WHERE NOT EXISTS (SELECT 1 FROM community_member m
                                                 WHERE m.community_id = cid AND m.account_id = x
                                                   AND m.status = 'member')) $$;

CREATE FUNCTION community_thread_create(cid bigint, actor bigint, p_title text, p_body text,
                                        p_mentions bigint[]) RETURNS json
    LANGUAGE plpgsql
    AS $$
DECLARE
    t community_thread;
    ids bigint[] := ARRAY(SELECT DISTINCT x FROM unnest(coalesce(p_mentions, '{}')) x);
BEGIN
    IF NOT community_all_members(cid, ids) THEN
        RETURN json_build_object('error', 'mentions');
    END IF;
    INSERT INTO community_thread (community_id, author_id, title, body, mentions, sort_key)
    VALUES (cid, actor, p_title, p_body, ids, community_sort_key(false, sc_now())) RETURNING * INTO t;
    INSERT INTO community_event (community_id, kind, actor_id, thread_id) VALUES (cid, 'thread', actor, t.id);
    PERFORM community_notify(x, 'mention', cid, t.id, actor) FROM unnest(ids) x WHERE x <> actor;
    RETURN community_thread_json(t, true);
END $$;

CREATE FUNCTION community_thread_get(cid bigint, tid bigint) RETURNS json
    LANGUAGE sql STABLE
    AS $$ SELECT community_thread_json(t, true) FROM community_thread t
           WHERE t.id = tid AND t.community_id = cid $$;

-- The author of thread tid of community cid (0 for a deleted account), or no row.
CREATE FUNCTION community_thread_author(cid bigint, tid bigint) RETURNS bigint
    LANGUAGE sql STABLE
    AS $$ SELECT coalesce(author_id, 0) FROM community_thread WHERE id = tid AND community_id = cid $$;

CREATE FUNCTION community_reply_author(cid bigint, rid bigint) RETURNS bigint
    LANGUAGE sql STABLE
    AS $$ SELECT coalesce(author_id, 0) FROM community_reply WHERE id = rid AND community_id = cid $$;

CREATE FUNCTION community_threads(cid bigint, after_key bigint, after_id bigint, lim integer)
    RETURNS TABLE (j json, k bigint, id bigint)
    LANGUAGE sql STABLE
    AS $$
    SELECT community_thread_json(t, false), t.sort_key, t.id FROM community_thread t
     WHERE t.community_id = cid AND (after_id IS NULL OR (t.sort_key, t.id) < (after_key, after_id))
     ORDER BY t.sort_key DESC, t.id DESC LIMIT lim
    $$;

-- NULL arguments are left as they are.
CREATE FUNCTION community_thread_update(cid bigint, tid bigint, p_version integer, p_title text,
                                        p_body text, p_pinned boolean, p_locked boolean) RETURNS json
    LANGUAGE plpgsql
    AS $$
DECLARE
    t community_thread;
BEGIN
    UPDATE community_thread SET title = coalesce(p_title, title), body = coalesce(p_body, body),
           pinned = coalesce(p_pinned, pinned), locked = coalesce(p_locked, locked),
           sort_key = community_sort_key(coalesce(p_pinned, pinned), last_activity_at),
           edited_at = CASE WHEN p_title IS NOT NULL OR p_body IS NOT NULL THEN sc_now() ELSE edited_at END,
           version = version + 1
     WHERE id = tid AND community_id = cid AND version = p_version RETURNING * INTO t;
    IF NOT FOUND THEN
        RETURN json_build_object('error', 'conflict', 'current', community_thread_get(cid, tid));
    END IF;
    RETURN community_thread_json(t, true);
END $$;

CREATE FUNCTION community_reply_create(cid bigint, tid bigint, actor bigint, p_body text,
                                       p_mentions bigint[]) RETURNS json
    LANGUAGE plpgsql
    AS $$
DECLARE
    t community_thread;
    r community_reply;
    ids bigint[] := ARRAY(SELECT DISTINCT x FROM unnest(coalesce(p_mentions, '{}')) x);
BEGIN
    SELECT * INTO t FROM community_thread WHERE id = tid AND community_id = cid FOR UPDATE;
    IF NOT FOUND THEN
        RETURN json_build_object('error', 'not_found');
    END IF;
    IF t.locked THEN
        RETURN json_build_object('error', 'locked');
    END IF;
    IF NOT community_all_members(cid, ids) THEN
        RETURN json_build_object('error', 'mentions');
    END IF;
    INSERT INTO community_reply (thread_id, community_id, author_id, body, mentions)
    VALUES (tid, cid, actor, p_body, ids) RETURNING * INTO r;
    UPDATE community_thread SET reply_count = reply_count + 1, last_activity_at = r.created_at,
           sort_key = community_sort_key(pinned, r.created_at) WHERE id = tid;
    INSERT INTO community_event (community_id, kind, actor_id, thread_id, reply_id)
    VALUES (cid, 'reply', actor, tid, r.id);
    PERFORM community_notify(x, 'mention', cid, tid, actor) FROM unnest(ids) x WHERE x <> actor;
    IF t.author_id IS NOT NULL AND t.author_id <> actor AND NOT t.author_id = ANY (ids)
       AND EXISTS (SELECT 1 FROM community_member WHERE community_id = cid AND account_id = t.author_id
                                                    AND status = 'member') THEN
        PERFORM community_notify(t.author_id, 'reply', cid, tid, actor);
    END IF;
    RETURN community_reply_json(r);
END $$;

CREATE FUNCTION community_replies(cid bigint, tid bigint, after_id bigint, lim integer)
    RETURNS TABLE (j json, k bigint, id bigint)
    LANGUAGE sql STABLE
    AS $$
    SELECT community_reply_json(r), r.id, r.id FROM community_reply r
     WHERE r.thread_id = tid AND r.community_id = cid AND r.id > coalesce(after_id, 0)
     ORDER BY r.thread_id, r.id LIMIT lim
    $$;

CREATE FUNCTION community_reply_update(cid bigint, rid bigint, p_version integer, p_body text) RETURNS json
    LANGUAGE plpgsql
    AS $$
DECLARE
    r community_reply;
BEGIN
    UPDATE community_reply SET body = p_body, edited_at = sc_now(), version = version + 1
     WHERE id = rid AND community_id = cid AND version = p_version RETURNING * INTO r;
    IF NOT FOUND THEN
        RETURN json_build_object('error', 'conflict',
                                 'current', (SELECT community_reply_json(x) FROM community_reply x
                                              WHERE x.id = rid AND x.community_id = cid));
    END IF;
    RETURN community_reply_json(r);
END $$;

CREATE FUNCTION community_reply_delete(cid bigint, rid bigint) RETURNS json
    LANGUAGE plpgsql
    AS $$
DECLARE
    tid bigint;
BEGIN
    DELETE FROM community_reply WHERE id = rid AND community_id = cid RETURNING thread_id INTO tid;
    IF tid IS NULL THEN
        RETURN json_build_object('error', 'not_found');
    END IF;
    UPDATE community_thread SET reply_count = greatest(reply_count - 1, 0) WHERE id = tid;
    RETURN json_build_object('deleted', true);
END $$;

CREATE FUNCTION community_report_create(cid bigint, tid bigint, rid bigint, actor bigint, p_reason text) RETURNS json
    LANGUAGE plpgsql
    AS $$
DECLARE
    rep community_report;
BEGIN
    IF tid IS NOT NULL AND NOT EXISTS (SELECT 1 FROM community_thread WHERE id = tid AND community_id = cid) THEN
        RETURN json_build_object('error', 'thread_id');
    END IF;
    IF rid IS NOT NULL AND NOT EXISTS (SELECT 1 FROM community_reply WHERE id = rid AND community_id = cid) THEN
        RETURN json_build_object('error', 'reply_id');
    END IF;
    INSERT INTO community_report (community_id, thread_id, reply_id, reason, reporter_id)
    VALUES (cid, tid, rid, p_reason, actor) RETURNING * INTO rep;
    RETURN json_build_object('id', rep.id, 'community_id', cid, 'thread_id', tid, 'reply_id', rid,
                             'reason', rep.reason, 'created_at', community_ts(rep.created_at));
END $$;

-- ---------------------------------------------------------------------------------------------
-- The feed

CREATE FUNCTION community_event_json(e community_event) RETURNS json
    LANGUAGE sql STABLE
    AS $$
    SELECT json_build_object('id', e.id::text, 'kind', e.kind, 'at', community_ts(e.at),
        'actor', (SELECT json_build_object('display_name', coalesce(u.display_name, 'compte supprimé'))
                    FROM app_user u WHERE u.id = e.actor_id),
        'thread', (SELECT json_build_object('id', t.id, 'title', t.title) FROM community_thread t WHERE t.id = e.thread_id),
        'initiative', (SELECT json_build_object('id', i.id, 'slug', i.slug, 'title', i.title)
                         FROM initiative i WHERE i.id = e.initiative_id AND i.status = 'published'),
        'collection', (SELECT json_build_object('id', c.id, 'title', c.title) FROM collection c WHERE c.id = e.collection_id))
    $$;

CREATE FUNCTION community_feed(cid bigint, after_id bigint, lim integer)
    RETURNS TABLE (j json, k bigint, id bigint)
    LANGUAGE sql STABLE
    AS $$
    SELECT community_event_json(e), (extract(epoch FROM e.at) * 1000000)::bigint, e.id FROM community_event e
     WHERE e.community_id = cid AND (after_id IS NULL OR e.id < after_id)
     ORDER BY e.community_id, e.id DESC LIMIT lim
    $$;

-- An item added to a community's collection goes to its feed.
CREATE FUNCTION community_collection_item_event() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    INSERT INTO community_event (community_id, kind, initiative_id, collection_id)
    SELECT c.community_id, 'collection_item', NEW.initiative_id, c.id
      FROM collection c WHERE c.id = NEW.collection_id AND c.community_id IS NOT NULL;
    RETURN NULL;
END $$;
CREATE TRIGGER community_collection_item_event AFTER INSERT ON collection_item
    FOR EACH ROW EXECUTE FUNCTION community_collection_item_event();

-- New published initiatives matching each community's territory and themes, since the last scan
-- (the job runner's task "communities"): at most 200 per community and pass. Returns the events added.
CREATE FUNCTION community_scan_initiatives() RETURNS integer
    LANGUAGE plpgsql
    AS $$
DECLARE
    c community;
    n integer := 0;
    k integer;
    upto timestamptz := now();
BEGIN
    FOR c IN SELECT * FROM community WHERE territory_level IS NOT NULL OR themes <> '{}'
             ORDER BY id FOR UPDATE SKIP LOCKED LOOP
        INSERT INTO community_event (community_id, kind, initiative_id, at)
        SELECT c.id, 'initiative', i.id, sc_now() FROM initiative i
         WHERE i.status = 'published' AND i.created_at > c.initiatives_seen_at AND i.created_at <= upto
           AND community_match(c, i)
         ORDER BY i.created_at, i.id LIMIT 200;
        GET DIAGNOSTICS k = ROW_COUNT;
        n := n + k;
        UPDATE community SET initiatives_seen_at = upto WHERE id = c.id;
    END LOOP;
    RETURN n;
END $$;

-- ---------------------------------------------------------------------------------------------
-- Notifications. The list leaves out private communities the person no longer belongs to.

CREATE FUNCTION community_notification_json(n community_notification) RETURNS json
    LANGUAGE sql STABLE
    AS $$
    SELECT json_build_object('id', n.id, 'kind', n.kind,
        'community', (SELECT json_build_object('id', c.id, 'name', c.name) FROM community c WHERE c.id = n.community_id),
        'thread', (SELECT json_build_object('id', t.id, 'title', t.title) FROM community_thread t WHERE t.id = n.thread_id),
        'actor', (SELECT json_build_object('display_name', coalesce(u.display_name, 'compte supprimé'))
                    FROM app_user u WHERE u.id = n.actor_id),
        'created_at', community_ts(n.created_at), 'read', n.read)
    $$;

CREATE FUNCTION community_notifications(uid bigint, after_id bigint, lim integer)
    RETURNS TABLE (j json, k bigint, id bigint)
    LANGUAGE sql STABLE
    AS $$
    SELECT community_notification_json(n), n.id, n.id FROM community_notification n
      JOIN community c ON c.id = n.community_id
     WHERE n.account_id = uid AND n.id < coalesce(after_id, 9223372036854775807)
       AND (c.visibility <> 'private' OR EXISTS (SELECT 1 FROM community_member m
                                                  WHERE m.community_id = c.id AND m.account_id = uid
                                                    AND m.status = 'member'))
     ORDER BY n.account_id, n.id DESC LIMIT lim
    $$;

CREATE FUNCTION community_notifications_read(uid bigint, ids bigint[], every boolean) RETURNS void
    LANGUAGE sql
    AS $$
    WITH r AS (UPDATE community_notification SET read = true
                WHERE account_id = uid AND NOT read AND (every OR id = ANY (ids)) RETURNING 1)
    UPDATE notification_unread SET unread = greatest(unread - (SELECT count(*) FROM r), 0)
     WHERE account_id = uid AND EXISTS (SELECT 1 FROM r);
    $$;

-- ---------------------------------------------------------------------------------------------
-- Collections, proposals and the map

CREATE FUNCTION community_collections(cid bigint) RETURNS json
    LANGUAGE sql STABLE
    AS $$
    SELECT json_build_object('items', coalesce(json_agg(json_build_object(
               'id', c.id, 'title', c.title, 'description', c.description, 'visibility', c.visibility,
               'owner', json_build_object('display_name', coalesce(u.display_name, 'compte supprimé')),
               'item_count', (SELECT count(*) FROM collection_item ci JOIN initiative ii
                                ON ii.id = ci.initiative_id AND ii.status = 'published'
                               WHERE ci.collection_id = c.id),
               'created_at', community_ts(c.created_at), 'updated_at', community_ts(c.updated_at),
               'version', c.version, 'is_owner', false, 'community_id', c.community_id)
               ORDER BY c.created_at, c.id), '[]'))
      FROM collection c JOIN app_user u ON u.id = c.user_id WHERE c.community_id = cid
    $$;

CREATE FUNCTION community_collection_create(cid bigint, actor bigint, p_title text, p_desc text) RETURNS bigint
    LANGUAGE sql
    AS $$
    -- Kept 'private' as a collection whatever the community's visibility: who may read it is the
    -- community's rule (the API asks the policy with the community's membership), and nothing
    -- that lists public collections can show it.
    INSERT INTO collection (user_id, title, description, visibility, community_id)
    SELECT actor, p_title, coalesce(p_desc, ''), 'private', cid
      FROM community c WHERE c.id = cid
    RETURNING id
    $$;

CREATE FUNCTION community_proposal_json(p community_proposal) RETURNS json
    LANGUAGE sql STABLE
    AS $$
    SELECT json_build_object('id', p.id, 'collection_id', p.collection_id,
        'initiative', (SELECT json_build_object('id', i.id, 'slug', i.slug, 'title', i.title)
                         FROM initiative i WHERE i.id = p.initiative_id),
        'note', p.note, 'author', community_person(p.author_id), 'created_at', community_ts(p.created_at))
    $$;

CREATE FUNCTION community_proposal_create(cid bigint, actor bigint, col bigint, ini bigint, p_note text) RETURNS json
    LANGUAGE plpgsql
    AS $$
DECLARE
    p community_proposal;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM collection WHERE id = col AND community_id = cid) THEN
        RETURN json_build_object('error', 'collection_id');
    END IF;
    IF NOT EXISTS (SELECT 1 FROM initiative WHERE id = ini AND status = 'published') THEN
        RETURN json_build_object('error', 'initiative_id');
    END IF;
    IF EXISTS (SELECT 1 FROM collection_item WHERE collection_id = col AND initiative_id = ini) THEN
        RETURN json_build_object('error', 'already_present');
    END IF;
    INSERT INTO community_proposal (community_id, collection_id, initiative_id, note, author_id)
    VALUES (cid, col, ini, coalesce(p_note, ''), actor) RETURNING * INTO p;
    PERFORM community_notify(m.account_id, 'proposal', cid, NULL, actor) FROM community_member m
      WHERE m.community_id = cid AND m.status = 'member' AND m.role IN ('owner', 'moderator')
        AND m.account_id <> actor;
    RETURN community_proposal_json(p);
END $$;

CREATE FUNCTION community_proposals(cid bigint) RETURNS json
    LANGUAGE sql STABLE
    AS $$ SELECT json_build_object('items', coalesce(json_agg(community_proposal_json(p) ORDER BY p.id), '[]'))
            FROM (SELECT * FROM community_proposal WHERE community_id = cid ORDER BY id LIMIT 200) p $$;

-- Accepting adds the initiative last in the collection (already there: nothing to add).
CREATE FUNCTION community_proposal_decide(cid bigint, pid bigint, accept boolean) RETURNS json
    LANGUAGE plpgsql
    AS $$
DECLARE
    p community_proposal;
BEGIN
    DELETE FROM community_proposal WHERE id = pid AND community_id = cid RETURNING * INTO p;
    IF NOT FOUND THEN
        RETURN json_build_object('error', 'not_found');
    END IF;
    IF accept THEN
        PERFORM 1 FROM collection WHERE id = p.collection_id FOR UPDATE;
        INSERT INTO collection_item (collection_id, initiative_id, position, note)
        SELECT p.collection_id, p.initiative_id,
               coalesce((SELECT max(position) FROM collection_item WHERE collection_id = p.collection_id), 0) + 1,
               p.note
         WHERE EXISTS (SELECT 1 FROM initiative WHERE id = p.initiative_id AND status = 'published')
        ON CONFLICT DO NOTHING;
        UPDATE collection SET updated_at = now() WHERE id = p.collection_id;
    END IF;
    RETURN json_build_object('accepted', accept, 'collection_id', p.collection_id,
                             'initiative_id', p.initiative_id);
END $$;

CREATE FUNCTION community_map(cid bigint) RETURNS json
    LANGUAGE sql STABLE
    AS $$
    WITH c AS (SELECT * FROM community WHERE id = cid),
    col AS (SELECT DISTINCT i.id, i.title, i.geom FROM collection co
              JOIN collection_item ci ON ci.collection_id = co.id
              JOIN initiative i ON i.id = ci.initiative_id AND i.status = 'published' AND i.geom IS NOT NULL
             WHERE co.community_id = cid),
    m AS (SELECT i.id, i.title, i.geom FROM initiative i, c
           WHERE i.status = 'published' AND i.geom IS NOT NULL AND community_match(c, i)
             AND NOT EXISTS (SELECT 1 FROM col WHERE col.id = i.id)
           ORDER BY i.id LIMIT 2000),
    allp AS (SELECT *, 'collection' AS origin FROM col UNION ALL SELECT *, 'match' FROM m LIMIT 2000)
    SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(json_build_object(
               'type', 'Feature',
               'geometry', json_build_object('type', 'Point', 'coordinates',
                   json_build_array(round(ST_X(geom)::numeric, 5), round(ST_Y(geom)::numeric, 5))),
               'properties', json_build_object('id', id, 'title', title, 'origin', origin))), '[]'))
      FROM allp
    $$;

-- ---------------------------------------------------------------------------------------------
-- Digest e-mails: one due membership at a time (daily: a day since the last, weekly: 7 days),
-- queued in mail_outbox when its community's feed has anything new since then; the next digest
-- counts from now either way. Returns false when none is due.

CREATE FUNCTION community_digest_one(public_url text) RETURNS boolean
    LANGUAGE plpgsql
    AS $$
DECLARE
    m community_member;
    c community;
    addr text;
    lines text;
    n integer;
BEGIN
    SELECT * INTO m FROM community_member
     WHERE status = 'member' AND digest <> 'never'
       AND last_digest_at <= sc_now() - CASE WHEN digest = 'daily' THEN interval '1 day' ELSE interval '7 days' END
     ORDER BY last_digest_at LIMIT 1 FOR UPDATE SKIP LOCKED;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    SELECT * INTO c FROM community WHERE id = m.community_id;
    SELECT email INTO addr FROM app_user WHERE id = m.account_id AND deleted_at IS NULL AND email_verified_at IS NOT NULL;
    SELECT count(*), string_agg(x.line, E'\n' ORDER BY x.id) INTO n, lines FROM (
        SELECT e.id, '- ' || CASE e.kind
                 WHEN 'member_joined' THEN coalesce(u.display_name, 'Un membre') || ' a rejoint la communauté'
                 WHEN 'thread' THEN 'Nouvelle discussion : « ' || t.title || ' »'
                 WHEN 'reply' THEN 'Nouvelle réponse dans « ' || t.title || ' »'
                 WHEN 'collection_item' THEN 'Ajout à une collection : ' || coalesce(i.title, '')
                 ELSE 'Nouvelle initiative : ' || coalesce(i.title, '') END AS line
          FROM community_event e
          LEFT JOIN app_user u ON u.id = e.actor_id
          LEFT JOIN community_thread t ON t.id = e.thread_id
          LEFT JOIN initiative i ON i.id = e.initiative_id
         WHERE e.community_id = c.id AND e.at > m.last_digest_at
           AND (e.actor_id IS NULL OR e.actor_id <> m.account_id)
           AND (e.thread_id IS NULL OR t.id IS NOT NULL)
           AND (e.initiative_id IS NULL OR i.status = 'published')
         ORDER BY e.id LIMIT 50) x;
    IF n > 0 AND addr IS NOT NULL THEN
        INSERT INTO mail_outbox (kind, to_addr, subject, body_text)
        VALUES ('community_digest', addr, 'Du nouveau dans « ' || c.name || ' »',
                E'Bonjour,\n\nDu nouveau dans la communauté « ' || c.name || E' » :\n\n' || lines
                || E'\n\nPour tout voir : ' || public_url || '/communautes/' || c.id
                || E'\n\nPour changer la fréquence de ces e-mails (quotidienne, hebdomadaire ou jamais), '
                || E'ouvrez la communauté, rubrique « Mes préférences ».\n\n-- \nSocialConnect\n');
    END IF;
    UPDATE community_member SET last_digest_at = sc_now()
     WHERE community_id = m.community_id AND account_id = m.account_id;
    RETURN true;
END $$;

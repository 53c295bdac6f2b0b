-- One large community for make bench (scripts/bench-communities.sh): 10,000 members, 5,000 threads,
-- 100,000 replies (10,000 of them in the first thread), the feed events they make, and 1,000
-- notifications of the bench member, who owns it. Deterministic; does nothing when the community
-- already exists. psql variable: owner (the bench member's account id).
\set ON_ERROR_STOP on
SELECT count(*) = 0 AS missing FROM community WHERE name = 'Bench : grande communauté' \gset
\if :missing
BEGIN;
INSERT INTO app_user (email, email_norm, display_name, password_hash, email_verified_at)
SELECT 'bench-member-' || g || '@socialconnect.local', 'bench-member-' || g || '@socialconnect.local',
       'Membre ' || g, '$argon2id$v=19$m=65536,t=3,p=1$YmVuY2g$YmVuY2g', now()
  FROM generate_series(1, 9999) g
ON CONFLICT (email_norm) DO NOTHING;

CREATE TEMP TABLE bench_people AS
SELECT id, row_number() OVER (ORDER BY id) AS n FROM app_user
 WHERE email_norm LIKE 'bench-member-%@socialconnect.local';

INSERT INTO community (name, description, visibility, territory_level, territory_code, themes, member_count)
VALUES ('Bench : grande communauté', 'Communauté générée pour les mesures.', 'restricted', 'region', '84',
        '{ENV}', 10000);
SELECT id AS cid FROM community WHERE name = 'Bench : grande communauté' \gset

INSERT INTO community_member (community_id, account_id, role, status, joined_at, last_digest_at)
VALUES (:cid, :owner, 'owner', 'member', now() - interval '400 days', now());
INSERT INTO community_member (community_id, account_id, role, status, listed, joined_at, last_digest_at)
SELECT :cid, id, CASE WHEN n <= 20 THEN 'moderator' ELSE 'member' END, 'member', n % 7 <> 0,
       now() - interval '400 days' + n * interval '1 hour', now()
  FROM bench_people;

INSERT INTO community_thread (community_id, author_id, title, body, created_at, last_activity_at, sort_key, pinned)
SELECT :cid, (SELECT id FROM bench_people WHERE n = 1 + (g * 7919) % 9999),
       'Discussion ' || g, 'Texte de la discussion ' || g || E'.\nDeuxième ligne.',
       now() - interval '300 days' + g * interval '1 hour', now() - interval '300 days' + g * interval '1 hour', 0,
       g <= 3
  FROM generate_series(1, 5000) g;

CREATE TEMP TABLE bench_threads AS
SELECT id, row_number() OVER (ORDER BY id) AS n FROM community_thread WHERE community_id = :cid;
CREATE UNIQUE INDEX ON bench_threads (n);
ANALYZE bench_threads;

-- 10,000 replies in the first thread, 90,000 spread over the others.
INSERT INTO community_reply (thread_id, community_id, author_id, body, created_at)
SELECT CASE WHEN g <= 10000 THEN (SELECT id FROM bench_threads WHERE n = 1)
            ELSE (SELECT id FROM bench_threads WHERE n = 2 + (g * 104729::bigint) % 4999) END,
       :cid, (SELECT id FROM bench_people WHERE n = 1 + (g * 15485863::bigint) % 9999),
       'Réponse ' || g || ' : merci pour ce partage.', now() - interval '290 days' + g * interval '2 minutes'
  FROM generate_series(1, 100000) g ORDER BY g;

UPDATE community_thread t SET reply_count = r.n, last_activity_at = r.last
  FROM (SELECT thread_id, count(*) AS n, max(created_at) AS last FROM community_reply
         WHERE community_id = :cid GROUP BY thread_id) r
 WHERE t.id = r.thread_id;
UPDATE community_thread SET sort_key = community_sort_key(pinned, last_activity_at) WHERE community_id = :cid;

INSERT INTO community_event (community_id, kind, at, actor_id)
SELECT :cid, 'member_joined', joined_at, account_id FROM community_member WHERE community_id = :cid ORDER BY joined_at;
INSERT INTO community_event (community_id, kind, at, actor_id, thread_id)
SELECT :cid, 'thread', created_at, author_id, id FROM community_thread WHERE community_id = :cid ORDER BY created_at;
INSERT INTO community_event (community_id, kind, at, actor_id, thread_id, reply_id)
SELECT :cid, 'reply', created_at, author_id, thread_id, id FROM community_reply WHERE community_id = :cid ORDER BY created_at;

INSERT INTO community_notification (account_id, kind, community_id, thread_id, actor_id, created_at, read)
SELECT :owner, CASE WHEN g % 3 = 0 THEN 'mention' ELSE 'reply' END, :cid,
       (SELECT id FROM bench_threads WHERE n = 1 + g % 5000), (SELECT id FROM bench_people WHERE n = 1 + g % 9999),
       now() - interval '10 days' + g * interval '1 minute', g <= 900
  FROM generate_series(1, 1000) g;
INSERT INTO notification_unread (account_id, unread) VALUES (:owner, 100)
ON CONFLICT (account_id) DO UPDATE SET unread = 100;
COMMIT;
ANALYZE app_user, community, community_member, community_thread, community_reply, community_event,
        community_notification, notification_unread;
\endif

-- Communities: the reports filed in a community, listed for its moderators (newest first).
CREATE FUNCTION community_reports(cid bigint) RETURNS json
    LANGUAGE sql STABLE
    AS $$
    SELECT json_build_object('items', coalesce(json_agg(json_build_object(
               'id', p.id, 'thread_id', p.thread_id, 'reply_id', p.reply_id, 'reason', p.reason,
               'reporter', community_person(p.reporter_id),
               'text', coalesce((SELECT t.title FROM community_thread t WHERE t.id = p.thread_id),
                                (SELECT left(r.body, 300) FROM community_reply r WHERE r.id = p.reply_id)),
               'created_at', community_ts(p.created_at)) ORDER BY p.id DESC), '[]'))
      FROM (SELECT * FROM community_report WHERE community_id = cid ORDER BY id DESC LIMIT 100) p
    $$;

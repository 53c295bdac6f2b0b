-- Comments on initiatives and reports of errors or abuse (docs/architecture.md, "Comments and
-- reports"). Neither feeds data_version: a comment never empties the shared cache of searches.
-- The public list of an initiative's comments is cached under the thread's own version
-- (comment_thread), which every change of one of its comments moves.

CREATE TABLE comment (
    id            bigserial PRIMARY KEY,
    initiative_id bigint NOT NULL REFERENCES initiative (id) ON DELETE CASCADE,
    author_id     bigint NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
    body          text NOT NULL CHECK (length(body) BETWEEN 1 AND 5000),   -- as typed
    body_html     text NOT NULL,         -- body escaped, http(s) addresses as links (core/linkify.c)
    status        text NOT NULL DEFAULT 'visible' CHECK (status IN ('visible', 'hidden')),
    version       integer NOT NULL DEFAULT 1,
    created_at    timestamptz NOT NULL DEFAULT sc_now(), -- the 15-minute edit window runs on sc_now()
    edited_at     timestamptz,
    hidden_at     timestamptz,
    hidden_by     bigint REFERENCES app_user (id) ON DELETE SET NULL,
    hidden_reason text CHECK (length(hidden_reason) <= 2000)
);
-- The public list: visible comments of one initiative in date order (keyset pages).
CREATE INDEX comment_thread_idx ON comment (initiative_id, created_at, id) WHERE status = 'visible';
CREATE INDEX comment_author_idx ON comment (author_id, initiative_id);

-- The version of each initiative's thread of comments: part of the cache key of its public list.
CREATE TABLE comment_thread (
    initiative_id bigint PRIMARY KEY REFERENCES initiative (id) ON DELETE CASCADE,
    version       bigint NOT NULL DEFAULT 1
);

CREATE FUNCTION comment_thread_bump() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    iid bigint := CASE WHEN TG_OP = 'DELETE' THEN OLD.initiative_id ELSE NEW.initiative_id END;
BEGIN
    INSERT INTO comment_thread AS t (initiative_id) VALUES (iid)
        ON CONFLICT (initiative_id) DO UPDATE SET version = t.version + 1;
    RETURN NULL;
END $$;
CREATE TRIGGER comment_thread_version AFTER INSERT OR UPDATE OR DELETE ON comment
    FOR EACH ROW EXECUTE FUNCTION comment_thread_bump();

-- A report: « Signaler une erreur » on an initiative, « Signaler » on a comment. Anyone may send
-- one (reporter_id NULL when signed out). Open reports are part of the moderation queue.
CREATE TABLE report (
    id             bigserial PRIMARY KEY,
    target_kind    text NOT NULL CHECK (target_kind IN ('initiative', 'comment')),
    target_id      bigint NOT NULL,  -- the initiative's or the comment's id (no key: a comment may go)
    initiative_id  bigint NOT NULL REFERENCES initiative (id) ON DELETE CASCADE,
    reason         text NOT NULL CHECK (length(reason) BETWEEN 1 AND 2000), -- as typed
    reporter_id    bigint REFERENCES app_user (id) ON DELETE SET NULL,
    reporter_email text CHECK (length(reporter_email) <= 254),  -- optional, to be answered
    status         text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'dismissed', 'resolved')),
    decision       text CHECK (decision IN ('dismiss', 'resolve', 'hide')),
    review_reason  text CHECK (length(review_reason) <= 2000),
    version        integer NOT NULL DEFAULT 1,
    created_at     timestamptz NOT NULL DEFAULT sc_now(),
    reviewed_by    bigint REFERENCES app_user (id) ON DELETE SET NULL,
    reviewed_at    timestamptz,
    CHECK ((status = 'open') = (decision IS NULL))
);
CREATE INDEX report_open_idx ON report (created_at, id) WHERE status = 'open';
CREATE INDEX report_status_idx ON report (status, created_at, id);
CREATE INDEX report_target_idx ON report (target_kind, target_id) WHERE status = 'open';

-- A queued e-mail wakes the job runners at once: they LISTEN on mail_outbox and otherwise only
-- poll every SC_JOBS_POLL_MS. The notification is delivered when the inserting transaction
-- commits, so a runner never looks for a message before it can see it.
CREATE FUNCTION mail_outbox_notify() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
BEGIN
    PERFORM pg_notify('mail_outbox', '');
    RETURN NULL;
END
$$;

CREATE TRIGGER mail_outbox_notify AFTER INSERT ON mail_outbox
    FOR EACH STATEMENT EXECUTE FUNCTION mail_outbox_notify();

-- Every bump of the data version is announced on the channel sc_data_version with the new version
-- as its payload. The API's workers LISTEN to it, so that a cached answer needs no query to learn
-- whether it is still current (storage/db.c db_poll_notify, domain/catalog.c). PostgreSQL sends
-- the notification at commit, and not at all when the transaction rolls back.
CREATE OR REPLACE FUNCTION data_version_bump() RETURNS trigger
    LANGUAGE plpgsql
    AS $$
DECLARE
    v bigint;
BEGIN
    IF current_setting('sc.data_version_bumped', true) IS DISTINCT FROM 'on' THEN
        UPDATE data_version SET version = version + 1 RETURNING version INTO v;
        PERFORM set_config('sc.data_version_bumped', 'on', true);
        PERFORM pg_notify('sc_data_version', v::text);
    END IF;
    RETURN NULL;
END $$;

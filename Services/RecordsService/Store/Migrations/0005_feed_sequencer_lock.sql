-- The change feed's sequencer (0002) took the advisory lock 7417001 alone,
-- which is one lock for the whole database: services of other schemas that
-- share the database (tests, a second deployment) waited for one another's
-- sequencing. The lock is now per schema, as retention's is (7417002 and the
-- hash of the schema's name): 7417001 and hashtext of this function's own
-- schema. The name is taken from a qualified literal, renamed with the tables
-- when another schema is migrated, not from the caller's search_path, so that
-- every caller of one schema (the service, an operator's psql) takes the same
-- lock. Everything else is unchanged (docs/records.md, "Change feed").
CREATE OR REPLACE FUNCTION records.sequence_outbox(batch_size integer) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    highest bigint;
BEGIN
    -- 7_417_001 is this feed's advisory lock key ("records" outbox), per schema.
    PERFORM pg_advisory_xact_lock(7417001, hashtext(split_part('records.outbox', '.', 1)));
    -- The positions are drawn in a materialized CTE (a SELECT), not in the
    -- UPDATE's SET list: Citus refuses volatile functions there, and the
    -- workaround it documents is exactly this (docs/scaling.md).
    WITH next AS MATERIALIZED (
        SELECT person_id, event_id
        FROM records.outbox
        WHERE position IS NULL
        ORDER BY event_id
        LIMIT batch_size
    ), numbered AS MATERIALIZED (
        SELECT person_id, event_id, nextval('records.outbox_position') AS position
        FROM (SELECT * FROM next ORDER BY event_id) ordered
    )
    UPDATE records.outbox o
    SET position = numbered.position
    FROM numbered
    WHERE o.person_id = numbered.person_id AND o.event_id = numbered.event_id;
    SELECT coalesce(max(position), 0) INTO highest FROM records.outbox WHERE position IS NOT NULL;
    IF highest > 0 THEN
        PERFORM pg_notify('records_feed', highest::text);
    END IF;
    RETURN highest;
END;
$$;

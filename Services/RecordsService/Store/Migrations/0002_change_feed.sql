-- The change feed's outbox: one row per change, inserted in the same
-- transaction as the change, so the feed never misses or invents a change.
--
-- Positions. A row gets its event_id (identity) when inserted, but
-- transactions commit in another order than they draw ids, so a reader that
-- resumed "after event_id N" could miss a row with a smaller id committed
-- later. The feed's position is therefore assigned after commit by
-- records.sequence_outbox(), which runs under a transaction-scoped advisory
-- lock and numbers the committed, unnumbered rows in event_id order. Every
-- run's positions are larger than the previous run's, and a run commits all
-- its positions at once; so when a reader sees position P, every position
-- below P is already visible. Readers deliver only numbered rows, in
-- position order. Positions are stored, so they survive restarts.
CREATE TABLE records.outbox (
    person_id       uuid NOT NULL,
    event_id        bigint GENERATED ALWAYS AS IDENTITY,
    position        bigint,
    change_type     text NOT NULL CHECK (change_type IN ('person_created', 'person_updated', 'document_issued',
                        'document_status_changed', 'crossing_recorded', 'exit_ban_placed', 'exit_ban_lifted')),
    occurred_at     timestamptz NOT NULL DEFAULT now(),
    -- The serialized immigration.records.v1.ChangeEvent, position left empty.
    payload         bytea NOT NULL,
    PRIMARY KEY (person_id, event_id)
);
-- Readers: WHERE position > $after ORDER BY position.
CREATE INDEX outbox_by_position ON records.outbox (position) WHERE position IS NOT NULL;
-- The sequencer: the committed rows still without a position.
CREATE INDEX outbox_unsequenced ON records.outbox (event_id) WHERE position IS NULL;

CREATE SEQUENCE records.outbox_position AS bigint;

-- What retention has removed: a consumer whose position is below
-- purged_through has missed events and gets OUT_OF_RANGE.
CREATE TABLE records.outbox_retention (
    singleton       boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    purged_through  bigint NOT NULL DEFAULT 0
);
INSERT INTO records.outbox_retention DEFAULT VALUES;

-- Numbers up to batch_size committed rows in event_id order; returns the
-- highest position assigned (0 when there was nothing to number). Run in its
-- own transaction, READ COMMITTED: the lock is taken before the UPDATE's
-- snapshot, so a run sees everything earlier runs numbered.
CREATE FUNCTION records.sequence_outbox(batch_size integer) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    highest bigint;
BEGIN
    -- 7_417_001 is this feed's advisory lock key ("records" outbox).
    PERFORM pg_advisory_xact_lock(7417001);
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

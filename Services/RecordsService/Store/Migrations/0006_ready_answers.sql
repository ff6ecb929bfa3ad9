-- GetPerson's answer kept encoded, one row a person, so that a read is one
-- index look-up and the bytes go out as stored (docs/records.md, "Ready
-- answers"). Derived data: a row is made by the first GetPerson that finds
-- none usable, and every write that changes what GetPerson shows marks it
-- unusable in its own transaction (body NULL, generation + 1). A reader keeps
-- what it computed only while the generation is still the one it read in the
-- same snapshot as the person's rows, so a write that commits in between
-- is never hidden by an older answer.
CREATE TABLE records.ready_answers (
    person_id   uuid PRIMARY KEY,
    -- Raised by every write that changes the answer; never lowered.
    generation  bigint NOT NULL,
    -- The encoded GetPersonResponse (10 recent crossings); NULL when unusable.
    body        bytea,
    -- The checkpoint table's epoch the answer's checkpoints were read at.
    epoch       bigint,
    -- How the service built the answer (ReadyAnswers.format).
    format      smallint,
    -- The day (Vietnam time) its exit bans were sorted into active and other,
    -- and the first day on which that sorting changes (NULL: never).
    written_on  date,
    fresh_until date,
    CHECK (body IS NULL OR (epoch IS NOT NULL AND format IS NOT NULL AND written_on IS NOT NULL))
) WITH (toast_tuple_target = 8160);
-- Answers up to about 8 KB stay in the row, uncompressed (one heap page read).

-- Every change to the checkpoint table (the names and kinds answers show)
-- raises the epoch in its own transaction, which makes every kept answer
-- unusable at once. A migration that changes checkpoints must raise it too.
CREATE TABLE records.ready_answers_epoch (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    epoch     bigint NOT NULL
);
INSERT INTO records.ready_answers_epoch (epoch) VALUES (1);

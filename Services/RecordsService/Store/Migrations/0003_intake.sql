-- Bulk intake (D77 Art 4.2b): jobs, their committed batches and their
-- rejected rows. A batch's rows, its intake_batches row and the job's
-- counters commit in one transaction, so after a failure the job's
-- last_committed_batch is exactly what was loaded: the client resumes with
-- the next batch, nothing lost and nothing doubled (docs/records.md).
CREATE TABLE records.intake_jobs (
    job_id              uuid PRIMARY KEY,
    source_system       text NOT NULL CHECK (source_system <> ''),
    description         text NOT NULL DEFAULT '',
    -- D77 Art 4.2b: converted, national population or other national database.
    source              text NOT NULL CHECK (source IN ('converted_database', 'national_population_database',
                            'other_national_database')),
    unit_code           text NOT NULL,
    actor_id            text NOT NULL,
    state               text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'completed')),
    last_committed_batch bigint NOT NULL DEFAULT 0 CHECK (last_committed_batch >= 0),
    accepted_rows       bigint NOT NULL DEFAULT 0,
    rejected_rows       bigint NOT NULL DEFAULT 0,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE records.intake_batches (
    job_id          uuid NOT NULL REFERENCES records.intake_jobs (job_id),
    batch_sequence  bigint NOT NULL CHECK (batch_sequence >= 1),
    row_count       integer NOT NULL,
    accepted_rows   integer NOT NULL,
    rejected_rows   integer NOT NULL,
    committed_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (job_id, batch_sequence),
    CHECK (accepted_rows + rejected_rows = row_count)
);

CREATE TABLE records.intake_rejections (
    job_id          uuid NOT NULL,
    batch_sequence  bigint NOT NULL,
    row_number      bigint NOT NULL,
    field           text NOT NULL,
    rule            text NOT NULL,
    message         text NOT NULL DEFAULT '',
    PRIMARY KEY (job_id, batch_sequence, row_number),
    FOREIGN KEY (job_id, batch_sequence) REFERENCES records.intake_batches (job_id, batch_sequence)
);
-- GetIntakeStatus pages rejected rows by row number.
CREATE INDEX intake_rejections_by_row ON records.intake_rejections (job_id, row_number, batch_sequence);

-- Bulk intake's staging tables (docs/records.md, "Bulk intake"). A batch is
-- COPied here and moved to the real tables with one INSERT ... SELECT per
-- table, in the batch's transaction, which locks these tables (EXCLUSIVE:
-- intake batches run one at a time) and empties them before it commits. They
-- are ordinary tables of the schema rather than temporary ones because the
-- service's role has no TEMPORARY right on the database (provisioning takes it
-- from PUBLIC), and UNLOGGED because they never hold anything past a commit.
-- Not distributed under Citus: local tables of the coordinator.
CREATE UNLOGGED TABLE records.intake_stage_persons (
    row_no bigint NOT NULL, person_id uuid NOT NULL, citizen_id text, family_name text, middle_name text,
    given_name text, folded_name text, birth_year smallint, birth_month smallint, birth_day smallint, sex text,
    nationalities text[], residence_address text, residence_province text, since_year smallint, since_month smallint,
    since_day smallint, biometric_subject_id text, remarks text, intake_reference text
);
CREATE UNLOGGED TABLE records.intake_stage_documents (
    row_no bigint NOT NULL, person_id uuid NOT NULL, document_id uuid NOT NULL, kind text, number text,
    issuing_state text, symbol text, has_chip boolean, issuing_authority text, issued_on date, valid_from date,
    valid_until date, status text
);
CREATE UNLOGGED TABLE records.intake_stage_crossings (
    row_no bigint NOT NULL, person_id uuid NOT NULL, crossing_id uuid NOT NULL, request_id uuid NOT NULL, kind text,
    number text, issuing_state text, direction text, checkpoint_code text, crossed_at timestamptz, lane text,
    gate_id text
);

-- Loads the CSV files of synthetic/main.swift (folder @DIR@, replaced by check.sh) through staging
-- tables; every row must pass the schema's keys, checks and foreign keys.
\set ON_ERROR_STOP 1
SET search_path = records;
BEGIN;
CREATE TEMP TABLE s_persons (person_id uuid, citizen_id text, family_name text, middle_name text, given_name text, folded_name text,
  birth_year smallint, birth_month smallint, birth_day smallint, sex text, nationalities text, residence_address text, residence_province text);
\copy s_persons FROM '@DIR@/persons.csv' WITH (FORMAT csv)
CREATE TEMP TABLE s_checkpoints (code text, name text, kind text, ministry text, border_country text);
\copy s_checkpoints FROM '@DIR@/checkpoints.csv' WITH (FORMAT csv)
INSERT INTO checkpoints (code, name, kind, ministry, border_country, written_source, written_unit_code, written_actor_id)
SELECT code, name, kind, ministry, nullif(border_country, ''), 'procedure', 'OPS', 'demo' FROM s_checkpoints;
INSERT INTO persons (person_id, citizen_id, family_name, middle_name, given_name, folded_name, birth_year, birth_month, birth_day, sex,
  nationalities, residence_address, residence_province, created_source, created_unit_code, created_actor_id, updated_source,
  updated_unit_code, updated_actor_id)
-- folded_name is only upper-cased here: enough for the constraints; the service folds with Rules/NameFolding.
SELECT person_id, nullif(citizen_id, ''), family_name, coalesce(middle_name, ''), given_name, upper(folded_name), birth_year, birth_month,
  birth_day, sex, nationalities::char(3)[], coalesce(residence_address, ''), coalesce(residence_province, ''),
  'converted_database', 'A08', 'intake', 'converted_database', 'A08', 'intake' FROM s_persons;
\copy citizen_ids FROM '@DIR@/citizen_ids.csv' WITH (FORMAT csv)
CREATE TEMP TABLE s_documents (person_id uuid, document_id uuid, kind text, number text, issuing_state text, symbol text, has_chip boolean,
  issuing_authority text, issued_on date, valid_from date, valid_until date, status text);
\copy s_documents FROM '@DIR@/documents.csv' WITH (FORMAT csv)
INSERT INTO documents (person_id, document_id, kind, number, issuing_state, symbol, has_chip, issuing_authority, issued_on, valid_from,
  valid_until, status, status_source, status_unit_code, status_actor_id, created_source, created_unit_code, created_actor_id)
SELECT person_id, document_id, kind, number, issuing_state, coalesce(symbol, ''), has_chip, issuing_authority, issued_on, valid_from, valid_until,
  status, 'converted_database', 'A08', 'intake', 'converted_database', 'A08', 'intake' FROM s_documents;
\copy document_numbers FROM '@DIR@/document_numbers.csv' WITH (FORMAT csv)
CREATE TEMP TABLE s_crossings (person_id uuid, crossing_id uuid, request_id uuid, document_id uuid, direction text, checkpoint_code text,
  crossed_at timestamptz, lane text, gate_id text, nationality text);
\copy s_crossings FROM '@DIR@/crossings.csv' WITH (FORMAT csv)
INSERT INTO crossings (person_id, crossing_id, request_id, request_fingerprint, document_id, direction, checkpoint_code, crossed_at, lane,
  gate_id, nationality, recorded_source, recorded_unit_code, recorded_actor_id)
SELECT person_id, crossing_id, request_id, '\x00', document_id, direction, checkpoint_code, crossed_at, lane, coalesce(gate_id, ''),
  nationality, 'converted_database', 'A08', 'intake' FROM s_crossings;
COMMIT;
ANALYZE records.persons; ANALYZE records.documents; ANALYZE records.crossings;
SELECT (SELECT count(*) FROM persons) persons, (SELECT count(*) FROM documents) documents, (SELECT count(*) FROM crossings) crossings,
       (SELECT count(*) FROM citizen_ids) citizens;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT date_trunc('month', crossed_at AT TIME ZONE 'Asia/Ho_Chi_Minh') AS period, checkpoint_code, direction, count(*)
FROM crossings WHERE crossed_at >= '2025-01-01 00:00+07' AND crossed_at < '2025-04-01 00:00+07'
GROUP BY 1, 2, 3;
EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF)
SELECT c.* FROM crossings c WHERE person_id = '10000000-0000-4000-8000-000000000064' ORDER BY crossed_at DESC, crossing_id DESC LIMIT 10;
SELECT kind, count(*) FILTER (WHERE status = 'issued') issued, count(*) FILTER (WHERE status = 'expired') expired, count(*) total
FROM documents GROUP BY kind ORDER BY kind;

-- Exercises the schema after the migrations: the keys, checks and indexes
-- the service relies on. Run by check.sh; every \echo line says what is shown.
\set ON_ERROR_STOP 1
SET search_path = records;

INSERT INTO checkpoints (code, name, kind, ministry, border_country, written_source, written_unit_code, written_actor_id)
VALUES ('HAN', 'Nội Bài', 'air', 'public_security', NULL, 'procedure', 'OPS', 'ops-1'),
       ('HUU-NGHI', 'Hữu Nghị', 'land', 'national_defence', 'CHN', 'procedure', 'OPS', 'ops-1');

INSERT INTO persons (person_id, citizen_id, family_name, middle_name, given_name, folded_name, birth_year, birth_month, sex,
                     nationalities, created_source, created_unit_code, created_actor_id, updated_source, updated_unit_code, updated_actor_id)
SELECT ('00000000-0000-4000-8000-' || lpad(i::text, 12, '0'))::uuid, NULL, 'Nguyễn', 'Văn', 'An' || i,
       'NGUYEN VAN AN' || i, 1980 + i % 30, 1 + i % 12, 'M', ARRAY['VNM']::char(3)[], 'procedure', 'A08', 'o-1', 'procedure', 'A08', 'o-1'
FROM generate_series(1, 20000) i;
INSERT INTO citizen_ids VALUES ('001085012345', '00000000-0000-4000-8000-000000000001');
ANALYZE persons;

\echo 'A second person with the same citizen ID is refused by the lookup table:'
DO $$ BEGIN
  INSERT INTO records.citizen_ids VALUES ('001085012345', '00000000-0000-4000-8000-000000000002');
  RAISE EXCEPTION 'duplicate citizen ID accepted';
EXCEPTION WHEN unique_violation THEN RAISE NOTICE 'unique_violation as expected';
END $$;

\echo 'Prefix search by folded name uses the index (range on a "C"-collated column):'
EXPLAIN (COSTS OFF) SELECT person_id FROM persons
WHERE folded_name >= 'NGUYEN VAN AN19' AND folded_name < 'NGUYEN VAN AN19' || chr(1114111)
  AND birth_year = 1999 ORDER BY folded_name, person_id LIMIT 50;

INSERT INTO documents (person_id, document_id, kind, number, issuing_state, issuing_authority, issued_on, valid_from, valid_until,
                       status, status_source, status_unit_code, status_actor_id, created_source, created_unit_code, created_actor_id)
VALUES ('00000000-0000-4000-8000-000000000001', '10000000-0000-4000-8000-000000000001', 'ordinary_passport', 'C1234567', 'VNM',
        'Cục QLXNC', '2020-01-01', '2020-01-01', '2030-01-01', 'issued', 'procedure', 'A08', 'o-1', 'procedure', 'A08', 'o-1');
INSERT INTO document_numbers VALUES ('C1234567', 'VNM', 'ordinary_passport', '00000000-0000-4000-8000-000000000001',
                                     '10000000-0000-4000-8000-000000000001');
INSERT INTO document_status_changes (person_id, document_id, version, from_status, to_status, written_source, written_unit_code, written_actor_id)
VALUES ('00000000-0000-4000-8000-000000000001', '10000000-0000-4000-8000-000000000001', 1, NULL, 'issued', 'procedure', 'A08', 'o-1');

\echo 'The same number for another person is refused by the lookup table:'
DO $$ BEGIN
  INSERT INTO records.document_numbers VALUES ('C1234567', 'VNM', 'ordinary_passport', '00000000-0000-4000-8000-000000000002',
                                               '10000000-0000-4000-8000-000000000002');
  RAISE EXCEPTION 'duplicate document number accepted';
EXCEPTION WHEN unique_violation THEN RAISE NOTICE 'unique_violation as expected';
END $$;

\echo 'A crossing recorded twice with one request_id is stored once; the retry reads the first:'
INSERT INTO crossings (person_id, crossing_id, request_id, request_fingerprint, document_id, direction, checkpoint_code, crossed_at,
                       lane, gate_id, nationality, recorded_source, recorded_unit_code, recorded_actor_id)
VALUES ('00000000-0000-4000-8000-000000000001', '20000000-0000-4000-8000-000000000001', '30000000-0000-4000-8000-000000000001',
        '\x01', '10000000-0000-4000-8000-000000000001', 'exit', 'HAN', '2026-03-01 08:00+07', 'abc_gate', 'HAN-ABC-01', 'VNM',
        'procedure', 'HAN-IMM', 'gate-HAN-ABC-01')
ON CONFLICT (person_id, request_id) DO NOTHING;
INSERT INTO crossings (person_id, crossing_id, request_id, request_fingerprint, document_id, direction, checkpoint_code, crossed_at,
                       lane, gate_id, nationality, recorded_source, recorded_unit_code, recorded_actor_id)
VALUES ('00000000-0000-4000-8000-000000000001', '20000000-0000-4000-8000-000000000002', '30000000-0000-4000-8000-000000000001',
        '\x01', '10000000-0000-4000-8000-000000000001', 'exit', 'HAN', '2026-03-01 08:00+07', 'abc_gate', 'HAN-ABC-01', 'VNM',
        'procedure', 'HAN-IMM', 'gate-HAN-ABC-01')
ON CONFLICT (person_id, request_id) DO NOTHING;
SELECT count(*) AS crossings_stored, min(crossing_id::text) AS first_crossing FROM crossings;

\echo 'An ABC crossing without a gate id, and a crossing at an unknown checkpoint, are refused:'
DO $$ BEGIN
  INSERT INTO records.crossings (person_id, crossing_id, request_id, request_fingerprint, document_id, direction, checkpoint_code,
      crossed_at, lane, gate_id, nationality, recorded_source, recorded_unit_code, recorded_actor_id)
  VALUES ('00000000-0000-4000-8000-000000000001', gen_random_uuid(), gen_random_uuid(), '\x01',
          '10000000-0000-4000-8000-000000000001', 'exit', 'HAN', now(), 'abc_gate', '', 'VNM', 'procedure', 'u', 'a');
  RAISE EXCEPTION 'ABC crossing without gate accepted';
EXCEPTION WHEN check_violation THEN RAISE NOTICE 'check_violation as expected';
END $$;
DO $$ BEGIN
  INSERT INTO records.crossings (person_id, crossing_id, request_id, request_fingerprint, document_id, direction, checkpoint_code,
      crossed_at, lane, gate_id, nationality, recorded_source, recorded_unit_code, recorded_actor_id)
  VALUES ('00000000-0000-4000-8000-000000000001', gen_random_uuid(), gen_random_uuid(), '\x01',
          '10000000-0000-4000-8000-000000000001', 'exit', 'NOPE', now(), 'manual', '', 'VNM', 'procedure', 'u', 'a');
  RAISE EXCEPTION 'unknown checkpoint accepted';
EXCEPTION WHEN foreign_key_violation THEN RAISE NOTICE 'foreign_key_violation as expected';
END $$;

\echo 'A partial date of birth with a day but no month is refused:'
DO $$ BEGIN
  UPDATE records.persons SET birth_month = NULL, birth_day = 3 WHERE person_id = '00000000-0000-4000-8000-000000000001';
  RAISE EXCEPTION 'day without month accepted';
EXCEPTION WHEN check_violation THEN RAISE NOTICE 'check_violation as expected';
END $$;

\echo 'Outbox rows get positions in event order, only when committed, by the sequencer:'
INSERT INTO outbox (person_id, change_type, payload)
SELECT '00000000-0000-4000-8000-000000000001', 'crossing_recorded', '\x00' FROM generate_series(1, 3);
SELECT sequence_outbox(1000) AS highest_position;
SELECT event_id, position FROM outbox ORDER BY event_id;

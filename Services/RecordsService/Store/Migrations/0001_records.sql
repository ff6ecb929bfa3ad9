-- RecordsService, schema "records": the national immigration database
-- (D77 Art 3.1, 4, 5, 6.2). Applied once, in one transaction, by the
-- migration runner as the service's role, which owns the schema; this file
-- creates no role and no schema. Names are qualified with "records." so the
-- file does not depend on search_path.
--
-- Built to be distributed by Citus (docs/scaling.md): person_id is the
-- distribution column of every per-person table, which are co-located; every
-- primary and unique key of those tables includes person_id. Uniqueness that
-- crosses persons (citizen ID, document number) is kept by lookup tables
-- distributed by the unique value itself. checkpoints is a reference table.
--
-- Enumerations are text with CHECK constraints (readable in SQL, extended by
-- a later migration without a type rewrite). Calendar dates are "date" in
-- Vietnam time; instants are timestamptz. Provenance (D77 Art 4.2) is four
-- columns: *_source, *_unit_code, *_actor_id and the server's *_at.

-- Border checkpoints: reference data kept by operators (UpsertCheckpoint).
-- Citus: a reference table, replicated to every node, so that crossings can
-- reference it and join it on any worker.
CREATE TABLE records.checkpoints (
    code            text PRIMARY KEY CHECK (code ~ '^[A-Z0-9-]{2,12}$'),
    name            text NOT NULL CHECK (name <> ''),
    kind            text NOT NULL CHECK (kind IN ('air', 'land', 'sea')),
    -- D77 Art 12.3, 14.2: checkpoints are managed by MPS or MND.
    ministry        text NOT NULL CHECK (ministry IN ('public_security', 'national_defence')),
    border_country  char(3) CHECK (border_country IN ('CHN', 'LAO', 'KHM')),
    -- Closed: no crossing may be recorded there any more.
    retired         boolean NOT NULL DEFAULT false,
    written_source  text NOT NULL,
    written_unit_code text NOT NULL,
    written_actor_id  text NOT NULL,
    written_at      timestamptz NOT NULL DEFAULT now(),
    CHECK ((kind = 'land') = (border_country IS NOT NULL))
);

-- Persons, citizens and foreigners (D77 Art 4.1b). The current version of
-- the details; every version, this one included, is in person_revisions.
CREATE TABLE records.persons (
    person_id           uuid NOT NULL,
    -- 12 digits for citizens (structure checked by the service, Rules/CitizenID).
    citizen_id          char(12) CHECK (citizen_id ~ '^[0-9]{12}$'),
    family_name         text NOT NULL,
    middle_name         text NOT NULL DEFAULT '',
    given_name          text NOT NULL,
    -- Rules/NameFolding of "family middle given". Collation "C": byte order,
    -- so the plain btree below serves both prefix ranges and ORDER BY.
    folded_name         text COLLATE "C" NOT NULL CHECK (folded_name <> ''),
    -- Brief, reading 11: partial dates of birth.
    birth_year          smallint NOT NULL CHECK (birth_year BETWEEN 1 AND 9999),
    birth_month         smallint CHECK (birth_month BETWEEN 1 AND 12),
    birth_day           smallint CHECK (birth_day BETWEEN 1 AND 31),
    sex                 char(1) NOT NULL CHECK (sex IN ('F', 'M', 'X')),
    -- ISO 3166-1 alpha-3; the first is the one statistics count.
    nationalities       char(3)[] NOT NULL CHECK (cardinality(nationalities) >= 1),
    residence_address   text NOT NULL DEFAULT '',
    residence_province  text NOT NULL DEFAULT '',
    residence_since_year  smallint,
    residence_since_month smallint CHECK (residence_since_month BETWEEN 1 AND 12),
    residence_since_day   smallint CHECK (residence_since_day BETWEEN 1 AND 31),
    biometric_subject_id text NOT NULL DEFAULT '',
    remarks             text NOT NULL DEFAULT '',
    -- "source_system:source_key" for persons loaded by bulk intake.
    intake_reference    text,
    version             bigint NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_source      text NOT NULL,
    created_unit_code   text NOT NULL,
    created_actor_id    text NOT NULL,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_source      text NOT NULL,
    updated_unit_code   text NOT NULL,
    updated_actor_id    text NOT NULL,
    updated_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (person_id),
    CHECK (birth_day IS NULL OR birth_month IS NOT NULL),
    CHECK (residence_since_day IS NULL OR residence_since_month IS NOT NULL),
    CHECK (residence_since_month IS NULL OR residence_since_year IS NOT NULL)
);
-- SearchPersons by name: prefix range on the folded name, keyset-paged by
-- (folded_name, person_id); the date of birth is filtered from the index.
CREATE INDEX persons_by_folded_name ON records.persons (folded_name, person_id)
    INCLUDE (birth_year, birth_month, birth_day);

-- Every version of a person's details, never updated or deleted (D77 Art 4.2:
-- who wrote what, from which source, when; corrections never destroy).
CREATE TABLE records.person_revisions (
    person_id       uuid NOT NULL REFERENCES records.persons (person_id),
    version         bigint NOT NULL CHECK (version >= 1),
    -- The details as written in this version (the PersonDetails fields).
    details         jsonb NOT NULL,
    reason          text NOT NULL DEFAULT '',
    written_source  text NOT NULL,
    written_unit_code text NOT NULL,
    written_actor_id  text NOT NULL,
    written_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (person_id, version)
);

-- Citizen ID -> person: keeps citizen IDs unique across persons. Citus:
-- distributed by citizen_id (a unique key must contain the distribution
-- column, and persons is distributed by person_id).
CREATE TABLE records.citizen_ids (
    citizen_id  char(12) PRIMARY KEY,
    person_id   uuid NOT NULL
);

-- Travel and residence documents (D77 Art 4.1b: number, sign, date of issue,
-- type, issuing authority; Art 6.2: issuance, revocation, cancellation,
-- restoration). The status follows Rules/DocumentLifecycle.
CREATE TABLE records.documents (
    person_id           uuid NOT NULL REFERENCES records.persons (person_id),
    document_id         uuid NOT NULL,
    kind                text NOT NULL CHECK (kind IN ('ordinary_passport', 'official_passport', 'diplomatic_passport',
                            'laissez_passer', 'entry_exit_permit', 'temporary_residence_card',
                            'permanent_residence_card', 'visa')),
    number              text NOT NULL CHECK (number ~ '^[A-Z0-9]{4,20}$'),
    issuing_state       char(3) NOT NULL,
    symbol              text NOT NULL DEFAULT '',
    has_chip            boolean NOT NULL DEFAULT false,
    issuing_authority   text NOT NULL,
    issued_on           date NOT NULL,
    valid_from          date NOT NULL,
    valid_until         date NOT NULL,
    status              text NOT NULL CHECK (status IN ('issued', 'revoked', 'cancelled', 'restored',
                            'reported_lost', 'expired', 'withdrawn')),
    status_reason       text NOT NULL DEFAULT '',
    status_source       text NOT NULL,
    status_unit_code    text NOT NULL,
    status_actor_id     text NOT NULL,
    status_changed_at   timestamptz NOT NULL DEFAULT now(),
    version             bigint NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_source      text NOT NULL,
    created_unit_code   text NOT NULL,
    created_actor_id    text NOT NULL,
    created_at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (person_id, document_id),
    UNIQUE (person_id, issuing_state, kind, number),
    CHECK (valid_from <= valid_until),
    CHECK (issued_on <= valid_until)
);
-- GetDocumentStatistics: issued per kind and period (Q679 implementation
-- article), counted from the index.
CREATE INDEX documents_by_issue_date ON records.documents (issued_on, kind)
    INCLUDE (issuing_authority, status);

-- Document number -> document: keeps numbers unique across persons for one
-- issuing state and kind, and finds a document by what is printed on it
-- (gates, SearchPersons). Citus: distributed by number, so a look-up by
-- number is a router query to one shard.
CREATE TABLE records.document_numbers (
    number          text NOT NULL,
    issuing_state   char(3) NOT NULL,
    kind            text NOT NULL,
    person_id       uuid NOT NULL,
    document_id     uuid NOT NULL,
    PRIMARY KEY (number, issuing_state, kind)
);

-- Every status change of a document, issuance included (from_status NULL),
-- never updated or deleted (D77 Art 6.2; DESIGN.md: history kept).
CREATE TABLE records.document_status_changes (
    person_id       uuid NOT NULL,
    document_id     uuid NOT NULL,
    -- The document's version this change produced (1 = issuance).
    version         bigint NOT NULL CHECK (version >= 1),
    from_status     text,
    to_status       text NOT NULL,
    reason          text NOT NULL DEFAULT '',
    -- The exit ban that caused a withdrawal (Q679 Art 7; brief, reading 7).
    exit_ban_id     uuid,
    written_source  text NOT NULL,
    written_unit_code text NOT NULL,
    written_actor_id  text NOT NULL,
    written_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (person_id, document_id, version),
    FOREIGN KEY (person_id, document_id) REFERENCES records.documents (person_id, document_id)
);

-- Entry and exit crossings (D77 Art 4.1b: process of entry and exit).
-- Idempotent by the caller's request_id: UNIQUE (person_id, request_id) makes
-- a retry, even one racing the first call, find the first row instead of
-- writing a second (docs/records.md, "Idempotency").
CREATE TABLE records.crossings (
    person_id           uuid NOT NULL,
    crossing_id         uuid NOT NULL,
    request_id          uuid NOT NULL,
    -- SHA-256 of the request's content: the same request_id with other
    -- content is refused (ALREADY_EXISTS), never silently replayed.
    request_fingerprint bytea NOT NULL,
    document_id         uuid NOT NULL,
    direction           text NOT NULL CHECK (direction IN ('entry', 'exit')),
    checkpoint_code     text NOT NULL REFERENCES records.checkpoints (code),
    crossed_at          timestamptz NOT NULL,
    lane                text NOT NULL CHECK (lane IN ('manual', 'abc_gate')),
    gate_id             text NOT NULL DEFAULT '',
    -- The traveller's first nationality when recorded, for statistics
    -- without a join.
    nationality         char(3) NOT NULL,
    recorded_source     text NOT NULL,
    recorded_unit_code  text NOT NULL,
    recorded_actor_id   text NOT NULL,
    recorded_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (person_id, crossing_id),
    UNIQUE (person_id, request_id),
    FOREIGN KEY (person_id, document_id) REFERENCES records.documents (person_id, document_id),
    CHECK ((lane = 'abc_gate') = (gate_id <> ''))
);
-- ListCrossings and GetPerson's recent crossings: newest first per person.
CREATE INDEX crossings_by_person_time ON records.crossings (person_id, crossed_at DESC, crossing_id DESC);
-- GetCrossingStatistics: a period's crossings counted from the index.
CREATE INDEX crossings_by_time ON records.crossings (crossed_at)
    INCLUDE (checkpoint_code, nationality, direction);

-- Temporary exit bans (Law 49/2019 Art 36-37; Law 47/2014 Art 28). Lifting
-- fills the lifted_* columns once; nothing is deleted.
CREATE TABLE records.exit_bans (
    person_id           uuid NOT NULL REFERENCES records.persons (person_id),
    exit_ban_id         uuid NOT NULL,
    deciding_authority  text NOT NULL CHECK (deciding_authority <> ''),
    legal_basis         text NOT NULL CHECK (legal_basis <> ''),
    starts_on           date NOT NULL,
    -- NULL: until lifted.
    ends_on             date,
    placed_source       text NOT NULL,
    placed_unit_code    text NOT NULL,
    placed_actor_id     text NOT NULL,
    placed_at           timestamptz NOT NULL DEFAULT now(),
    -- The first day without the ban, once lifted.
    lifted_on           date,
    lifted_deciding_authority text,
    lifted_legal_basis  text,
    lifted_source       text,
    lifted_unit_code    text,
    lifted_actor_id     text,
    lifted_at           timestamptz,
    PRIMARY KEY (person_id, exit_ban_id),
    CHECK (ends_on IS NULL OR ends_on >= starts_on),
    CHECK ((lifted_on IS NULL) = (lifted_at IS NULL)),
    CHECK (lifted_on IS NULL OR (lifted_deciding_authority <> '' AND lifted_legal_basis <> ''))
);
-- The eligibility check reads a person's bans not yet lifted.
CREATE INDEX exit_bans_not_lifted ON records.exit_bans (person_id) WHERE lifted_on IS NULL;

-- Idempotency of every mutating RPC but RecordCrossing (which keys its own
-- table) and UpsertCheckpoint (idempotent by nature): the first response is
-- stored with the request's fingerprint in the same transaction as the
-- change; a retry finds it and gets the same response. Keyed by person_id
-- first so that it lives on the same shard as the change it guards;
-- CreatePerson derives the new person_id from the request_id (UUIDv5), so a
-- retried creation targets the same row.
CREATE TABLE records.request_log (
    person_id           uuid NOT NULL,
    request_id          uuid NOT NULL,
    rpc                 text NOT NULL,
    request_fingerprint bytea NOT NULL,
    -- The serialized response message.
    response            bytea NOT NULL,
    recorded_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (person_id, request_id)
);
-- Retention: rows older than the retry window are purged by age.
CREATE INDEX request_log_by_age ON records.request_log (recorded_at);

import Contracts
import Foundation
import Logging
import Postgres

/// Persons and their revisions (D77 Art 4.1b, 4.2). Every version of the
/// details, the first included, is a `person_revisions` row written in the
/// same transaction as the change; corrections never destroy.
struct PersonStore: Sendable {
    let pool: PostgresPool
    /// Reads of the hot paths (GetPerson, the eligibility check), in libpq's
    /// pipeline mode: concurrent callers' statements share round trips.
    let reads: PostgresPipeline

    /// GetPerson's profiles for concurrent callers, read together (`CoalescedReads`).
    let profiles: CoalescedReads<ProfileKey, Profile?>
    /// The checkpoints GetPerson's crossings show, checked against the table at every read.
    let checkpoints: VerifiedCheckpoints
    /// GetPerson's answers kept encoded (`ReadyAnswers`).
    let ready: ReadyAnswers

    init(pool: PostgresPool) {
        self.pool = pool
        let logger = Logger(label: "records.persons")
        let reads = pool.makePipeline(connections: 1, logger: logger)
        self.reads = reads
        ready = ReadyAnswers(pool: pool, reads: reads, logger: logger)
        let checkpoints = VerifiedCheckpoints()
        self.checkpoints = checkpoints
        profiles = CoalescedReads(batch: { try await Self.profiles(of: $0, reads: reads, checkpoints: checkpoints) },
                                  single: { try await Self.profile($0, reads: reads) })
    }

    /// Creates the person derived from the request id, with its first
    /// revision, citizen ID claim, request log and outbox event.
    func create(requestID: UUID, request: [UInt8], details: PersonDetails,
                provenance: ProvenanceInput) async throws -> Immigration_Records_V1_CreatePersonResponse {
        let personID = DerivedID.person(requestID: requestID)
        do {
            return try await pool.idempotentWrite(personID: personID, requestID: requestID, rpc: "CreatePerson",
                                                  request: request) { tx in
                let year = Int16(details.dateOfBirth.year)
                let month = details.dateOfBirth.month.map(Int16.init)
                let day = details.dateOfBirth.day.map(Int16.init)
                let since = details.residenceSince
                _ = try await tx.query("""
                    INSERT INTO persons (person_id, citizen_id, family_name, middle_name, given_name, folded_name,
                        birth_year, birth_month, birth_day, sex, nationalities, residence_address, residence_province,
                        residence_since_year, residence_since_month, residence_since_day, biometric_subject_id, remarks,
                        created_source, created_unit_code, created_actor_id, updated_source, updated_unit_code, updated_actor_id)
                    VALUES (\(personID), \(details.citizenID?.digits), \(details.name.family), \(details.name.middle),
                        \(details.name.given), \(details.foldedName), \(year), \(month), \(day), \(details.sex.rawValue),
                        \(details.nationalities)::char(3)[], \(details.residenceAddress), \(details.residenceProvince),
                        \(since.map { Int16($0.year) }), \(since?.month.map(Int16.init)), \(since?.day.map(Int16.init)),
                        \(details.biometricSubjectID), \(details.remarks),
                        \(provenance.source.rawValue), \(provenance.unitCode), \(provenance.actorID),
                        \(provenance.source.rawValue), \(provenance.unitCode), \(provenance.actorID))
                    """)
                if let citizenID = details.citizenID {
                    _ = try await tx.query("INSERT INTO citizen_ids (citizen_id, person_id) VALUES (\(citizenID.digits), \(personID))")
                }
                try await writeRevision(tx, personID: personID, reason: "")
                let person = try await read(tx, personID: personID)
                try await tx.appendChange(.personCreated, personID: personID, payload: .person(person))
                return .with { $0.person = person }
            }
        } catch let error as PostgresError where error.isUniqueViolation && error.tableName == "citizen_ids" {
            throw StoreError.alreadyExists("the citizen ID belongs to another person")
        }
    }

    /// Replaces the details as a whole; the previous version stays in history.
    func update(requestID: UUID, request: [UInt8], personID: UUID, expectedVersion: Int64?, details: PersonDetails,
                reason: String, provenance: ProvenanceInput) async throws -> Immigration_Records_V1_UpdatePersonResponse {
        do {
            return try await pool.idempotentWrite(personID: personID, requestID: requestID, rpc: "UpdatePerson",
                                                  request: request) { tx in
                let current = try await tx.query("""
                    SELECT version, citizen_id FROM persons WHERE person_id = \(personID) FOR UPDATE
                    """)
                guard let row = current.first else { throw StoreError.notFound("person") }
                let (version, oldCitizenID) = try row.decode((Int64, String?).self)
                if let expectedVersion, expectedVersion != version { throw StoreError.staleVersion(current: version) }
                let since = details.residenceSince
                _ = try await tx.query("""
                    UPDATE persons SET citizen_id = \(details.citizenID?.digits), family_name = \(details.name.family),
                        middle_name = \(details.name.middle), given_name = \(details.name.given), folded_name = \(details.foldedName),
                        birth_year = \(Int16(details.dateOfBirth.year)), birth_month = \(details.dateOfBirth.month.map(Int16.init)),
                        birth_day = \(details.dateOfBirth.day.map(Int16.init)), sex = \(details.sex.rawValue),
                        nationalities = \(details.nationalities)::char(3)[], residence_address = \(details.residenceAddress),
                        residence_province = \(details.residenceProvince), residence_since_year = \(since.map { Int16($0.year) }),
                        residence_since_month = \(since?.month.map(Int16.init)), residence_since_day = \(since?.day.map(Int16.init)),
                        biometric_subject_id = \(details.biometricSubjectID), remarks = \(details.remarks),
                        version = version + 1, updated_source = \(provenance.source.rawValue),
                        updated_unit_code = \(provenance.unitCode), updated_actor_id = \(provenance.actorID), updated_at = now()
                    WHERE person_id = \(personID)
                    """)
                if oldCitizenID != details.citizenID?.digits {
                    if let oldCitizenID {
                        _ = try await tx.query("DELETE FROM citizen_ids WHERE citizen_id = \(oldCitizenID) AND person_id = \(personID)")
                    }
                    if let citizenID = details.citizenID {
                        _ = try await tx.query("INSERT INTO citizen_ids (citizen_id, person_id) VALUES (\(citizenID.digits), \(personID))")
                    }
                }
                try await writeRevision(tx, personID: personID, reason: reason)
                let person = try await read(tx, personID: personID)
                try await tx.appendChange(.personUpdated, personID: personID, payload: .person(person))
                return .with { $0.person = person }
            }
        } catch let error as PostgresError where error.isUniqueViolation && error.tableName == "citizen_ids" {
            throw StoreError.alreadyExists("the citizen ID belongs to another person")
        }
    }

    /// The current version as a revision row (the whole persons row as JSON).
    private func writeRevision(_ tx: PostgresTransaction, personID: UUID, reason: String) async throws {
        _ = try await tx.query("""
            INSERT INTO person_revisions (person_id, version, details, reason, written_source, written_unit_code,
                written_actor_id, written_at)
            SELECT p.person_id, p.version, to_jsonb(p), \(reason), p.updated_source, p.updated_unit_code, p.updated_actor_id,
                p.updated_at
            FROM persons p WHERE p.person_id = \(personID)
            """)
    }

    func read(_ tx: PostgresTransaction, personID: UUID) async throws -> Immigration_Records_V1_Person {
        let rows = try await tx.query("SELECT \(unsafeRaw: PersonRows.columns) FROM persons p WHERE p.person_id = \(personID)")
        guard let row = rows.first else { throw StoreError.notFound("person") }
        return try PersonRows.person(row)
    }

    /// A person with everything GetPerson shows, read in one statement.
    struct Profile: Sendable {
        var person: Immigration_Records_V1_Person
        /// Newest issue first (at most 1,000).
        var documents: [Immigration_Records_V1_Document]
        /// Every ban with its term, oldest first.
        var exitBans: [(ban: Immigration_Records_V1_ExitBan, term: ExitBanTerm)]
        /// Newest first, at most the limit asked for.
        var recentCrossings: [Immigration_Records_V1_Crossing]
        /// Whether a crossing's document is not among `documents` (its reference is still to be read).
        var unreferenced = false
        /// The person's `ready_answers` generation (0: no row) and the
        /// checkpoint epoch, read with the rows (`ReadyAnswers.keep`).
        var readyGeneration: Int64 = 0
        var readyEpoch: Int64 = 0
    }

    /// Whose profile, with how many recent crossings.
    struct ProfileKey: Sendable, Hashable {
        var personID: UUID
        var recentCrossings: Int
    }

    /// The person, their documents, exit bans and latest crossings as one
    /// row: the lists are arrays of records (`Rows.swift`), each read by an
    /// index of its table (documents and bans by their keys' `person_id`,
    /// crossings by `crossings_by_person_time`). One statement and one round
    /// trip instead of four, shared by the callers that ask meanwhile
    /// (`CoalescedReads`); nil when there is no such person.
    func profile(personID: UUID, recentCrossings limit: Int) async throws -> Profile? {
        try await profiles.read(ProfileKey(personID: personID, recentCrossings: limit))
    }

    /// One profile by the statement of one call. Alone, its crossings join
    /// their checkpoints: for one person that costs PostgreSQL less than the
    /// checkpoint table's fingerprint, which a batch shares among its persons.
    static func profile(_ key: ProfileKey, reads: PostgresPipeline) async throws -> Profile? {
        var bindings = PostgresBindings()
        bindings.append(Int64(key.recentCrossings))
        bindings.append(key.personID)
        let rows = try await reads.query(PostgresQuery(unsafeSQL: profileSQL, bindings: bindings))
        guard let row = rows.first else { return nil }
        var profile = try profile(ListedRow(row: row, list: singleList), checkpoints: .joined)
        try await completeReferences(&profile, personID: key.personID, reads: reads)
        return profile
    }

    /// Many profiles by one statement; one answer per key, in order.
    static func profiles(of keys: [ProfileKey], reads: PostgresPipeline,
                         checkpoints: VerifiedCheckpoints) async throws -> CoalescedReads<ProfileKey, Profile?>.Decode {
        var bindings = PostgresBindings()
        bindings.append(keys.map(\.personID))
        bindings.append(keys.map { Int64($0.recentCrossings) })
        let results = try await reads.transaction([PostgresQuery(unsafeSQL: profilesSQL, bindings: bindings), fingerprint])
        return { try await decode(results, keys: keys, reads: reads, checkpoints: checkpoints) }
    }

    /// A batch's result as one answer per key.
    private static func decode(_ results: [PostgresRows], keys: [ProfileKey], reads: PostgresPipeline,
                               checkpoints: VerifiedCheckpoints) async throws -> [Result<Profile?, any Error>] {
        let count = keys.count
        let table = try await checkpoints.table(matching: try results[1].scalar(String.self) ?? "", reads: reads)
        var answers = [Result<Profile?, any Error>](repeating: .success(nil), count: count)
        for row in results[0] {
            let at = try BatchOrdinal.position(row, count: count)
            answers[at] = Result { try profile(ListedRow(row: row, list: batchList, offset: 1), checkpoints: .table(table)) }
        }
        for at in answers.indices {
            guard case .success(var profile?) = answers[at], profile.unreferenced else { continue }
            do {
                try await completeReferences(&profile, personID: keys[at].personID, reads: reads)
                answers[at] = .success(profile)
            } catch {
                answers[at] = .failure(error)
            }
        }
        return answers
    }

    private static let fingerprint = PostgresQuery(unsafeSQL: VerifiedCheckpoints.fingerprintSQL)

    /// Where a profile's crossings take their checkpoints from.
    private enum CheckpointSource {
        /// The table as committed when the batch ran (`VerifiedCheckpoints`): the records carry codes only.
        case table(VerifiedCheckpoints.Table)
        /// The records themselves, joined (`CrossingRows.profileListJoined`).
        case joined
    }

    /// A profile's row, its crossings' checkpoints from `checkpoints` and
    /// their documents' references from the person's documents.
    private static func profile(_ row: ListedRow, checkpoints: CheckpointSource) throws -> Profile {
        let person = try PersonRows.person(row)
        let documents = try row.value("documents", as: RecordArray.self).records(DocumentRows.list).map(DocumentRows.document)
        var unreferenced = false
        var joined: [String: Immigration_Records_V1_Checkpoint] = [:]
        let list: SelectList
        switch checkpoints {
        case .table: list = CrossingRows.profileList
        case .joined: list = CrossingRows.profileListJoined
        }
        let crossings = try row.value("crossings", as: RecordArray.self).records(list).map { record in
            let code: String = try record.value("checkpoint_code")
            let checkpoint: Immigration_Records_V1_Checkpoint
            switch checkpoints {
            case .table(let table):
                guard let held = table.byCode[code] else { throw UnknownCheckpoint() }
                checkpoint = held
            case .joined:
                if let read = joined[code] {
                    checkpoint = read
                } else {
                    checkpoint = try CheckpointRows.checkpoint(record)
                    joined[code] = checkpoint
                }
            }
            let documentID = try record.uuidText("document_id")
            let reference = documents.first(where: { $0.documentID == documentID })?.details?.reference
            if reference == nil { unreferenced = true }
            return try CrossingRows.crossing(record, personID: person.personID, document: reference, checkpoint: checkpoint)
        }
        return Profile(
            person: person, documents: documents,
            exitBans: try row.value("exit_bans", as: RecordArray.self).records(ExitBanRows.list).map {
                (try ExitBanRows.exitBan($0), try ExitBanRows.term($0))
            },
            recentCrossings: crossings, unreferenced: unreferenced,
            readyGeneration: try row.value("ready_generation"), readyEpoch: try row.value("ready_epoch"))
    }

    /// A crossing whose checkpoint code the checkpoint table of the same moment lacks (a foreign key forbids it).
    struct UnknownCheckpoint: Error {}

    /// Fills in the document references of crossings whose document is not
    /// among the person's listed documents (only past the first 1,000): one
    /// statement. A document's kind, number and issuing state never change.
    private static func completeReferences(_ profile: inout Profile, personID: UUID, reads: PostgresPipeline) async throws {
        guard profile.unreferenced else { return }
        let missing = Set(profile.recentCrossings.filter { $0.document == nil }.map(\.documentID)).compactMap(UUID.init(canonicalText:))
        let rows = try await reads.query("""
            SELECT d.document_id, d.kind, d.number, d.issuing_state::text AS issuing_state FROM documents d
            WHERE d.person_id = \(personID) AND d.document_id = ANY(\(missing))
            """)
        var references: [String: Immigration_Common_V1_DocumentReference] = [:]
        for row in rows { references[try row.uuidText("document_id")] = try DocumentRows.reference(row) }
        for index in profile.recentCrossings.indices where profile.recentCrossings[index].document == nil {
            guard let reference = references[profile.recentCrossings[index].documentID] else { throw StoreError.notFound("document") }
            profile.recentCrossings[index].document = reference
        }
        profile.unreferenced = false
    }

    /// A profile's columns for the person `p`: the person's, then the lists;
    /// `limit` the crossings' limit. Rows are read through this list's index
    /// (`ListedRow`), never by a search of the result's column names. The
    /// crossings carry their own columns (`CrossingRows.profileList`) and,
    /// `joined`, their checkpoints' (`profileListJoined`, for one person alone).
    private static func profileList(limit: String, joined: Bool) -> SelectList {
        let crossings = joined ? CrossingRows.profileListJoined : CrossingRows.profileList
        let checkpoints = joined ? "JOIN checkpoints k ON k.code = x.checkpoint_code" : ""
        return SelectList("""
            \(PersonRows.columns), \(ReadyAnswers.profileColumns),
            ARRAY(SELECT \(DocumentRows.list.record) FROM documents d WHERE d.person_id = p.person_id
                  ORDER BY d.issued_on DESC, d.created_at DESC, d.document_id LIMIT 1000) AS documents,
            ARRAY(SELECT \(ExitBanRows.list.record) FROM exit_bans b WHERE b.person_id = p.person_id
                  ORDER BY b.starts_on, b.placed_at) AS exit_bans,
            ARRAY(SELECT \(crossings.record) FROM crossings x \(checkpoints)
                  WHERE x.person_id = p.person_id ORDER BY x.crossed_at DESC, x.crossing_id DESC LIMIT \(limit)) AS crossings
            """)
    }

    private static let singleList = profileList(limit: "$1", joined: true)
    private static let batchList = profileList(limit: "q.crossings", joined: false)

    /// `profile`'s statement, made once: $1 the crossings' limit, $2 the person.
    private static let profileSQL = "SELECT \(singleList.columns) FROM persons p WHERE p.person_id = $2"

    /// `profiles`' statement, made once: $1 the persons, $2 their crossings' limits.
    private static let profilesSQL = """
        SELECT q.ordinal, \(batchList.columns)
        FROM unnest($1::uuid[], $2::int8[]) WITH ORDINALITY AS q(person_id, crossings, ordinal)
        JOIN persons p ON p.person_id = q.person_id
        """

    func get(personID: UUID) async throws -> Immigration_Records_V1_Person? {
        let rows = try await reads.query("SELECT \(unsafeRaw: PersonRows.columns) FROM persons p WHERE p.person_id = \(personID)")
        return try rows.first.map(PersonRows.person)
    }

    /// Every version, newest first, `offset` and `limit` for paging.
    func history(personID: UUID, offset: Int, limit: Int) async throws -> [Immigration_Records_V1_PersonRevision] {
        let rows = try await pool.query("""
            SELECT r.version AS revision, r.reason, r.written_source, r.written_unit_code, r.written_actor_id, r.written_at,
                \(unsafeRaw: PersonRows.columns)
            FROM person_revisions r
            CROSS JOIN LATERAL jsonb_populate_record(NULL::persons, r.details) p
            WHERE r.person_id = \(personID) ORDER BY r.version DESC OFFSET \(offset) LIMIT \(limit)
            """)
        return try rows.map { row in
            var revision = Immigration_Records_V1_PersonRevision()
            revision.version = try row.value("revision")
            revision.details = try PersonRows.details(row)
            revision.provenance = try row.provenance(.written)
            revision.reason = try row.value("reason")
            return revision
        }
    }

    /// Persons by citizen ID (one at most).
    func search(citizenID: String) async throws -> [Immigration_Records_V1_Person] {
        let rows = try await pool.query("""
            SELECT \(unsafeRaw: PersonRows.columns) FROM citizen_ids c
            JOIN persons p ON p.person_id = c.person_id WHERE c.citizen_id = \(citizenID)
            """)
        return try rows.map(PersonRows.person)
    }

    /// Holders of documents with this number (kind and state optional).
    func search(documentNumber: String, kind: DocumentKind?, issuingState: String?) async throws -> [Immigration_Records_V1_Person] {
        let rows = try await pool.query("""
            SELECT DISTINCT ON (p.person_id) \(unsafeRaw: PersonRows.columns) FROM document_numbers n
            JOIN persons p ON p.person_id = n.person_id
            WHERE n.number = \(documentNumber) AND (\(kind?.rawValue)::text IS NULL OR n.kind = \(kind?.rawValue))
              AND (\(issuingState)::text IS NULL OR n.issuing_state = \(issuingState))
            ORDER BY p.person_id
            """)
        return try rows.map(PersonRows.person)
    }

    /// A page of persons whose folded name starts with `prefix` and whose date
    /// of birth is compatible with `dateOfBirth`, after the keyset `after`.
    func search(foldedPrefix prefix: String, dateOfBirth: PartialDate?, after: (String, UUID)?,
                limit: Int) async throws -> [Immigration_Records_V1_Person] {
        let pattern = prefix.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_") + "%"
        let year = dateOfBirth.map { Int16($0.year) }
        let month = dateOfBirth?.month.map(Int16.init)
        let day = dateOfBirth?.day.map(Int16.init)
        let rows = try await pool.query("""
            SELECT \(unsafeRaw: PersonRows.columns) FROM persons p
            WHERE p.folded_name LIKE \(pattern)
              AND (\(after?.0)::text IS NULL OR (p.folded_name, p.person_id) > (\(after?.0)::text COLLATE "C", \(after?.1)))
              AND (\(year)::smallint IS NULL OR p.birth_year = \(year))
              AND (\(month)::smallint IS NULL OR p.birth_month IS NULL OR p.birth_month = \(month))
              AND (\(day)::smallint IS NULL OR p.birth_day IS NULL OR p.birth_day = \(day))
            ORDER BY p.folded_name, p.person_id LIMIT \(limit)
            """)
        return try rows.map(PersonRows.person)
    }
}

import Contracts
import Foundation
import Postgres

// Reading stored rows into the contract's messages. The SELECT lists live
// beside their readers so that a column added to one is added to the other.
// Each list is a set of (expression, name) fields: `columns` selects them as
// named columns of a row, `record` as one composite value (`ROW(...)`), which
// a hot read nests in an array column (`ARRAY(SELECT ROW(...) ...)`) so that a
// person with their documents, bans and crossings is one statement and one row.

/// Columns read by name: a result row, or a record of an array column.
protocol NamedColumns {
    func column<T: PostgresDecodable>(_ name: String, as type: T.Type) throws -> T
}

extension NamedColumns {
    /// The value of a named column.
    func value<T: PostgresDecodable>(_ name: String, as type: T.Type = T.self) throws -> T {
        try column(name, as: type)
    }

    /// Provenance from the four columns `<prefix>_source`, `_unit_code`, `_actor_id`, `_at`.
    func provenance(_ columns: ProvenanceColumns) throws -> Immigration_Common_V1_Provenance {
        var p = Immigration_Common_V1_Provenance()
        if let source = InformationSource(rawValue: try value(columns.source, as: String.self)) {
            p.source = .init(rule: source)
        }
        p.unitCode = try value(columns.unitCode)
        p.actorID = try value(columns.actorID)
        p.recordedAt = ProtoTimestamp(try value(columns.at, as: Date.self))
        return p
    }
}

/// The names of a provenance's four columns, made once (rows are read by name on every call).
struct ProvenanceColumns: Sendable {
    let source: String, unitCode: String, actorID: String, at: String

    init(_ prefix: String, at: String? = nil) {
        source = prefix + "_source"
        unitCode = prefix + "_unit_code"
        actorID = prefix + "_actor_id"
        self.at = at ?? prefix + "_at"
    }

    static let created = ProvenanceColumns("created")
    static let updated = ProvenanceColumns("updated")
    static let status = ProvenanceColumns("status", at: "status_changed_at")
    static let written = ProvenanceColumns("written")
    static let recorded = ProvenanceColumns("recorded")
    static let placed = ProvenanceColumns("placed")
}

extension PostgresRow: NamedColumns {
    func column<T: PostgresDecodable>(_ name: String, as type: T.Type) throws -> T {
        try decode(T.self, column: name)
    }
}

/// A SELECT list as (expression, name) pairs, selectable as columns or as one record.
struct SelectList: Sendable {
    let fields: [(expression: String, name: String)]

    /// Parses `t.column, expression AS name, ...` (commas inside parentheses
    /// belong to their expression); a field without `AS` is named by its column.
    init(_ text: String) {
        var fields: [(expression: String, name: String)] = []
        var depth = 0, current = ""
        func finish() {
            let field = current.trimmingCharacters(in: .whitespacesAndNewlines)
            current = ""
            if let alias = field.range(of: " AS ", options: .backwards) {
                fields.append((String(field[..<alias.lowerBound]), String(field[alias.upperBound...])))
            } else {
                fields.append((field, String(field.split(separator: ".").last ?? Substring(field))))
            }
        }
        for character in text {
            switch character {
            case "(": depth += 1
            case ")": depth -= 1
            case "," where depth == 0: finish(); continue
            default: break
            }
            current.append(character)
        }
        finish()
        self.fields = fields
        columns = fields.map { "\($0.expression) AS \($0.name)" }.joined(separator: ", ")
        record = "ROW(" + fields.map(\.expression).joined(separator: ", ") + ")"
        names = fields.map(\.name)
        positions = FieldPositions(names)
    }

    /// `expression AS name, ...`: named columns of a row.
    let columns: String
    /// `ROW(expression, ...)`: one record, read with `RecordArray.records(self)`.
    let record: String
    let names: [String]
    /// Each name's position.
    let positions: FieldPositions

    func position(of name: String) -> Int? { positions.position(of: name) }
}

/// Field names to positions, looked up without hashing the name: the readers
/// of a profile look up some 400 names per call, and `String`'s hashing
/// (SipHash) of each was 8 % of the service's CPU under GetPerson. A slot is
/// chosen from the name's length and two of its bytes (open addressing, the
/// table a quarter full); a candidate is confirmed by comparing the bytes.
struct FieldPositions: Sendable {
    private let names: [[UInt8]]
    private let slots: [Int]
    private let mask: Int

    init(_ names: [String]) {
        var size = 8
        while size < names.count * 4 { size *= 2 }
        var slots = [Int](repeating: -1, count: size)
        var kept: [[UInt8]] = [], seen: Set<[UInt8]> = []
        for name in names {
            let bytes = Array(name.utf8)
            kept.append(bytes)
            guard seen.insert(bytes).inserted else { continue }     // the first of a name wins
            var slot = Self.slot(bytes.count, bytes.last ?? 0, bytes.isEmpty ? 0 : bytes[bytes.count / 2]) & (size - 1)
            while slots[slot] >= 0 { slot = (slot + 1) & (size - 1) }
            slots[slot] = kept.count - 1
        }
        self.names = kept
        self.slots = slots
        mask = size - 1
    }

    func position(of name: String) -> Int? {
        var name = name
        return name.withUTF8 { key -> Int? in
            var slot = Self.slot(key.count, key.last ?? 0, key.isEmpty ? 0 : key[key.count / 2]) & mask
            while true {
                let position = slots[slot]
                if position < 0 { return nil }
                let candidate = names[position]
                if candidate.count == key.count,
                   candidate.withUnsafeBytes({ memcmp($0.baseAddress!, key.baseAddress!, key.count) == 0 }) {
                    return position
                }
                slot = (slot + 1) & mask
            }
        }
    }

    private static func slot(_ count: Int, _ last: UInt8, _ middle: UInt8) -> Int {
        count &* 97 &+ Int(last) &* 31 &+ Int(middle)
    }
}

/// A result row whose leading columns are a `SelectList`'s, read by name
/// through the list's index instead of a search of the row's column names.
struct ListedRow: NamedColumns {
    let row: PostgresRow
    let list: SelectList
    /// Columns before the list's (a batch's ordinal).
    var offset = 0

    func column<T: PostgresDecodable>(_ name: String, as type: T.Type) throws -> T {
        guard let index = list.position(of: name) else { return try row.decode(T.self, column: name) }
        return try row.decode(T.self, column: offset + index)
    }
}

/// An array column of records (`ARRAY(SELECT ROW(...) ...)`), copied out of
/// the result and split into records by the binary array and record formats.
struct RecordArray: PostgresDecodable {
    let bytes: [UInt8]

    static func decode(from bytes: UnsafeRawBufferPointer?, type: PostgresType) throws(PostgresDecodingError) -> RecordArray {
        guard let bytes else { throw PostgresDecodingError(.unexpectedNull, swiftType: "RecordArray", postgresType: type) }
        return RecordArray(bytes: Array(bytes))
    }

    /// The records, their fields named by `list` (in its order).
    func records(_ list: SelectList) throws -> [PostgresRecord] {
        var reader = ByteReader(bytes: bytes)
        let dimensions = try reader.int32()
        _ = try reader.int32()     // has nulls
        _ = try reader.int32()     // element type: record
        if dimensions == 0 { return [] }
        guard dimensions == 1 else { throw reader.malformed }
        let count = try reader.int32()
        _ = try reader.int32()     // lower bound
        var records: [PostgresRecord] = []
        records.reserveCapacity(Int(max(0, count)))
        for _ in 0..<count {
            let length = try reader.int32()
            guard length >= 0 else { throw reader.malformed }
            let end = reader.offset + Int(length)
            let fieldCount = try reader.int32()
            guard fieldCount == list.names.count else { throw reader.malformed }
            var fields: [(type: PostgresType, range: Range<Int>?)] = []
            fields.reserveCapacity(Int(fieldCount))
            for _ in 0..<fieldCount {
                let type = PostgresType(UInt32(bitPattern: try reader.int32()))
                let size = try reader.int32()
                if size < 0 { fields.append((type: type, range: nil)); continue }
                let start = reader.offset
                try reader.skip(Int(size))
                fields.append((type: type, range: start..<reader.offset))
            }
            guard reader.offset == end else { throw reader.malformed }
            records.append(PostgresRecord(positions: list.positions, bytes: bytes, fields: fields))
        }
        return records
    }
}

/// One record of a `RecordArray`, its fields read by name.
struct PostgresRecord: NamedColumns {
    let positions: FieldPositions
    let bytes: [UInt8]
    let fields: [(type: PostgresType, range: Range<Int>?)]

    func column<T: PostgresDecodable>(_ name: String, as type: T.Type) throws -> T {
        guard let index = positions.position(of: name) else {
            throw PostgresDecodingError(.noSuchColumn, swiftType: String(describing: T.self), postgresType: .unknown, column: name)
        }
        let field = fields[index]
        let result: Result<T, PostgresDecodingError> = bytes.withUnsafeBytes { all in
            do throws(PostgresDecodingError) {
                return .success(try T.decode(from: field.range.map { UnsafeRawBufferPointer(rebasing: all[$0]) }, type: field.type))
            } catch {
                var error = error
                error.column = name
                return .failure(error)
            }
        }
        return try result.get()
    }
}

/// A `uuid` column read straight into the contract's text form (lower-case
/// hex with hyphens), without `UUID` and its `uuidString` (`snprintf`): the
/// readers of the hot paths make tens of these per call.
struct UUIDText: PostgresDecodable {
    let text: String

    static func decode(from bytes: UnsafeRawBufferPointer?, type: PostgresType) throws(PostgresDecodingError) -> UUIDText {
        guard let bytes else { throw PostgresDecodingError(.unexpectedNull, swiftType: "UUIDText", postgresType: type) }
        guard type == .uuid, bytes.count == 16 else {
            throw PostgresDecodingError(.typeMismatch, swiftType: "UUIDText", postgresType: type)
        }
        let digits: StaticString = "0123456789abcdef"
        let text = String(unsafeUninitializedCapacity: 36) { out in
            digits.withUTF8Buffer { hex in
                var at = 0
                for (index, byte) in bytes.enumerated() {
                    if index == 4 || index == 6 || index == 8 || index == 10 { out[at] = UInt8(ascii: "-"); at += 1 }
                    out[at] = hex[Int(byte >> 4)]
                    out[at + 1] = hex[Int(byte & 0x0f)]
                    at += 2
                }
            }
            return 36
        }
        return UUIDText(text: text)
    }
}

extension NamedColumns {
    /// A `uuid` column as the contract's text.
    func uuidText(_ name: String) throws -> String { try value(name, as: UUIDText.self).text }
}

/// Big-endian reads over a byte array, for `RecordArray`.
private struct ByteReader {
    let bytes: [UInt8]
    var offset = 0

    var malformed: PostgresDecodingError { PostgresDecodingError(.malformed, swiftType: "RecordArray", postgresType: .unknown) }

    mutating func int32() throws(PostgresDecodingError) -> Int32 {
        guard offset + 4 <= bytes.count else { throw malformed }
        let value = UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8
            | UInt32(bytes[offset + 3])
        offset += 4
        return Int32(bitPattern: value)
    }

    mutating func skip(_ count: Int) throws(PostgresDecodingError) {
        guard count >= 0, offset + count <= bytes.count else { throw malformed }
        offset += count
    }
}

enum PersonRows {
    /// The person columns, from a relation aliased `p`.
    static let list = SelectList("""
        p.person_id, p.citizen_id, p.family_name, p.middle_name, p.given_name, p.folded_name, p.birth_year, \
        p.birth_month, p.birth_day, p.sex, p.nationalities::text[] AS nationalities, p.residence_address, \
        p.residence_province, p.residence_since_year, p.residence_since_month, p.residence_since_day, \
        p.biometric_subject_id, p.remarks, p.version, p.created_source, p.created_unit_code, p.created_actor_id, \
        p.created_at, p.updated_source, p.updated_unit_code, p.updated_actor_id, p.updated_at
        """)
    static let columns = list.columns

    static func details(_ row: some NamedColumns) throws -> Immigration_Records_V1_PersonDetails {
        var d = Immigration_Records_V1_PersonDetails()
        d.citizenID = try row.value("citizen_id", as: String?.self) ?? ""
        d.name = .with {
            $0.familyName = (try? row.value("family_name", as: String.self)) ?? ""
            $0.middleName = (try? row.value("middle_name", as: String.self)) ?? ""
            $0.givenName = (try? row.value("given_name", as: String.self)) ?? ""
        }
        let year = try row.value("birth_year", as: Int16.self)
        let month = try row.value("birth_month", as: Int16?.self)
        let day = try row.value("birth_day", as: Int16?.self)
        d.dateOfBirth = .with { $0.year = Int32(year); $0.month = Int32(month ?? 0); $0.day = Int32(day ?? 0) }
        if let sex = Sex(rawValue: try row.value("sex", as: String.self)) { d.sex = .init(rule: sex) }
        d.nationalities = try row.value("nationalities")
        let address: String = try row.value("residence_address")
        let province: String = try row.value("residence_province")
        let sinceYear = try row.value("residence_since_year", as: Int16?.self)
        if !address.isEmpty || !province.isEmpty || sinceYear != nil {
            var residence = Immigration_Records_V1_Residence()
            residence.address = address
            residence.province = province
            if let sinceYear {
                let m = try row.value("residence_since_month", as: Int16?.self)
                let dd = try row.value("residence_since_day", as: Int16?.self)
                residence.since = .with { $0.year = Int32(sinceYear); $0.month = Int32(m ?? 0); $0.day = Int32(dd ?? 0) }
            }
            d.residence = residence
        }
        d.biometricSubjectID = try row.value("biometric_subject_id")
        d.remarks = try row.value("remarks")
        return d
    }

    static func person(_ row: some NamedColumns) throws -> Immigration_Records_V1_Person {
        var p = Immigration_Records_V1_Person()
        p.personID = try row.uuidText("person_id")
        p.details = try details(row)
        p.foldedName = try row.value("folded_name")
        p.version = try row.value("version")
        p.created = try row.provenance(.created)
        p.updated = try row.provenance(.updated)
        return p
    }
}

enum DocumentRows {
    /// The document columns, from `documents d`.
    static let list = SelectList("""
        d.person_id, d.document_id, d.kind, d.number, d.issuing_state::text AS issuing_state, d.symbol, d.has_chip, \
        d.issuing_authority, d.issued_on, d.valid_from, d.valid_until, d.status, d.status_reason, d.status_source, \
        d.status_unit_code, d.status_actor_id, d.status_changed_at, d.version, d.created_source, d.created_unit_code, \
        d.created_actor_id, d.created_at
        """)
    static let columns = list.columns

    static func reference(_ row: some NamedColumns) throws -> Immigration_Common_V1_DocumentReference {
        var r = Immigration_Common_V1_DocumentReference()
        if let kind = DocumentKind(rawValue: try row.value("kind", as: String.self)) { r.kind = .init(rule: kind) }
        r.number = try row.value("number")
        r.issuingState = try row.value("issuing_state")
        return r
    }

    static func document(_ row: some NamedColumns) throws -> Immigration_Records_V1_Document {
        var d = Immigration_Records_V1_Document()
        d.documentID = try row.uuidText("document_id")
        d.personID = try row.uuidText("person_id")
        var details = Immigration_Records_V1_DocumentDetails()
        details.reference = try reference(row)
        details.symbol = try row.value("symbol")
        details.hasChip = try row.value("has_chip")
        details.issuingAuthority = try row.value("issuing_authority")
        details.issuedOn = CalendarDay(try row.value("issued_on", as: PostgresDate.self)).proto
        details.validFrom = CalendarDay(try row.value("valid_from", as: PostgresDate.self)).proto
        details.validUntil = CalendarDay(try row.value("valid_until", as: PostgresDate.self)).proto
        d.details = details
        if let status = DocumentStatus(rawValue: try row.value("status", as: String.self)) { d.status = .init(rule: status) }
        d.statusReason = try row.value("status_reason")
        d.statusChanged = try row.provenance(.status)
        d.version = try row.value("version")
        d.created = try row.provenance(.created)
        return d
    }

    static let changeColumns = """
        c.from_status, c.to_status, c.reason, c.exit_ban_id, c.written_source, c.written_unit_code, \
        c.written_actor_id, c.written_at
        """

    static func change(_ row: some NamedColumns) throws -> Immigration_Records_V1_DocumentStatusChange {
        var c = Immigration_Records_V1_DocumentStatusChange()
        if let from = try row.value("from_status", as: String?.self), let status = DocumentStatus(rawValue: from) {
            c.fromStatus = .init(rule: status)
        }
        if let status = DocumentStatus(rawValue: try row.value("to_status", as: String.self)) { c.toStatus = .init(rule: status) }
        c.reason = try row.value("reason")
        c.exitBanID = try row.value("exit_ban_id", as: UUID?.self)?.text ?? ""
        c.provenance = try row.provenance(.written)
        return c
    }
}

enum CheckpointRows {
    static let list = SelectList("""
        k.code, k.name, k.kind AS checkpoint_kind, k.ministry, coalesce(k.border_country::text, '') AS border_country, \
        k.retired, k.written_source, k.written_unit_code, k.written_actor_id, k.written_at
        """)
    static let columns = list.columns

    static func checkpoint(_ row: some NamedColumns) throws -> Immigration_Records_V1_Checkpoint {
        var k = Immigration_Records_V1_Checkpoint()
        k.code = try row.value("code")
        k.name = try row.value("name")
        if let kind = CheckpointKind(rawValue: try row.value("checkpoint_kind", as: String.self)) { k.kind = .init(rule: kind) }
        if let ministry = Ministry(rawValue: try row.value("ministry", as: String.self)) { k.ministry = .init(rule: ministry) }
        k.borderCountry = try row.value("border_country")
        k.retired = try row.value("retired")
        k.provenance = try row.provenance(.written)
        return k
    }
}

enum CrossingRows {
    /// A crossing with its document's reference and its checkpoint.
    static let list = SelectList("""
        x.crossing_id, x.person_id, x.document_id, x.request_id, x.direction, x.crossed_at, x.lane, x.gate_id, \
        x.recorded_source, x.recorded_unit_code, x.recorded_actor_id, x.recorded_at, \
        d.kind, d.number, d.issuing_state::text AS issuing_state, \(CheckpointRows.columns)
        """)
    /// The crossings `x` with their documents `d` and checkpoints `k`.
    static let from = """
        FROM crossings x
        JOIN documents d ON d.person_id = x.person_id AND d.document_id = x.document_id
        JOIN checkpoints k ON k.code = x.checkpoint_code
        """
    static let select = "SELECT \(list.columns) \(from)"

    static func crossing(_ row: some NamedColumns) throws -> Immigration_Records_V1_Crossing {
        try crossing(row, checkpoint: try CheckpointRows.checkpoint(row))
    }

    private static func crossing(_ row: some NamedColumns,
                                 checkpoint: Immigration_Records_V1_Checkpoint) throws -> Immigration_Records_V1_Crossing {
        try crossing(row, personID: try row.uuidText("person_id"), document: try DocumentRows.reference(row),
                     checkpoint: checkpoint)
    }

    /// A person's crossing as GetPerson reads it: the crossing's own columns;
    /// its person, its document's reference and its checkpoint are known from
    /// elsewhere in the answer (`PersonStore.profileList`).
    static let profileList = SelectList("""
        x.crossing_id, x.document_id, x.request_id, x.direction, x.crossed_at, x.lane, x.gate_id, x.checkpoint_code, \
        x.recorded_source, x.recorded_unit_code, x.recorded_actor_id, x.recorded_at
        """)

    /// The same with its checkpoint's columns, `checkpoints k` joined (GetPerson alone).
    static let profileListJoined = SelectList(profileList.fields.map { "\($0.expression) AS \($0.name)" }
        .joined(separator: ", ") + ", " + CheckpointRows.columns)

    static func crossing(_ row: some NamedColumns, personID: String, document: Immigration_Common_V1_DocumentReference?,
                         checkpoint: Immigration_Records_V1_Checkpoint) throws -> Immigration_Records_V1_Crossing {
        var x = Immigration_Records_V1_Crossing()
        x.crossingID = try row.uuidText("crossing_id")
        x.personID = personID
        x.documentID = try row.uuidText("document_id")
        x.requestID = try row.uuidText("request_id")
        x.document = document
        x.direction = try row.value("direction", as: String.self) == "entry" ? .entry : .exit
        x.checkpoint = checkpoint
        x.crossedAt = ProtoTimestamp(try row.value("crossed_at", as: Date.self))
        x.lane = try row.value("lane", as: String.self) == "manual" ? .manual : .abcGate
        x.gateID = try row.value("gate_id")
        x.provenance = try row.provenance(.recorded)
        return x
    }
}

enum ExitBanRows {
    static let list = SelectList("""
        b.person_id, b.exit_ban_id, b.deciding_authority, b.legal_basis, b.starts_on, b.ends_on, b.placed_source, \
        b.placed_unit_code, b.placed_actor_id, b.placed_at, b.lifted_on, b.lifted_deciding_authority, \
        b.lifted_legal_basis, b.lifted_source, b.lifted_unit_code, b.lifted_actor_id, b.lifted_at, \
        ARRAY(SELECT c.document_id FROM document_status_changes c
              WHERE c.person_id = b.person_id AND c.exit_ban_id = b.exit_ban_id ORDER BY c.document_id) AS withdrawn
        """)
    static let columns = list.columns

    static func term(_ row: some NamedColumns) throws -> ExitBanTerm {
        ExitBanTerm(startsOn: CalendarDay(try row.value("starts_on", as: PostgresDate.self)),
                    endsOn: try row.value("ends_on", as: PostgresDate?.self).map(CalendarDay.init),
                    liftedFrom: try row.value("lifted_on", as: PostgresDate?.self).map(CalendarDay.init))
    }

    static func exitBan(_ row: some NamedColumns) throws -> Immigration_Records_V1_ExitBan {
        var b = Immigration_Records_V1_ExitBan()
        b.exitBanID = try row.uuidText("exit_ban_id")
        b.personID = try row.uuidText("person_id")
        b.decidingAuthority = try row.value("deciding_authority")
        b.legalBasis = try row.value("legal_basis")
        b.startsOn = CalendarDay(try row.value("starts_on", as: PostgresDate.self)).proto
        if let ends = try row.value("ends_on", as: PostgresDate?.self) { b.endsOn = CalendarDay(ends).proto }
        b.placed = try row.provenance(.placed)
        if let lifted = try row.value("lifted_on", as: PostgresDate?.self) {
            var l = Immigration_Records_V1_ExitBanLifting()
            l.effectiveOn = CalendarDay(lifted).proto
            l.decidingAuthority = try row.value("lifted_deciding_authority", as: String?.self) ?? ""
            l.legalBasis = try row.value("lifted_legal_basis", as: String?.self) ?? ""
            var p = Immigration_Common_V1_Provenance()
            if let s = try row.value("lifted_source", as: String?.self), let source = InformationSource(rawValue: s) {
                p.source = .init(rule: source)
            }
            p.unitCode = try row.value("lifted_unit_code", as: String?.self) ?? ""
            p.actorID = try row.value("lifted_actor_id", as: String?.self) ?? ""
            if let at = try row.value("lifted_at", as: Date?.self) { p.recordedAt = ProtoTimestamp(at) }
            l.provenance = p
            b.lifted = l
        }
        b.withdrawnDocumentIds = try row.value("withdrawn", as: [UUID].self).map(\.text)
        return b
    }
}

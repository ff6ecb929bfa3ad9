import Contracts
import Foundation
import Postgres

// Reading stored rows into the contract's messages. The SELECT lists live
// beside their readers so that a column added to one is added to the other.

extension PostgresRow {
    /// The value of a named column.
    func value<T: PostgresDecodable>(_ name: String, as type: T.Type = T.self) throws -> T {
        try decode(T.self, column: name)
    }

    /// Provenance from the four columns `<prefix>_source`, `_unit_code`, `_actor_id`, `_at`.
    func provenance(_ prefix: String, at: String? = nil) throws -> Immigration_Common_V1_Provenance {
        var p = Immigration_Common_V1_Provenance()
        if let source = InformationSource(rawValue: try value("\(prefix)_source", as: String.self)) {
            p.source = .init(rule: source)
        }
        p.unitCode = try value("\(prefix)_unit_code")
        p.actorID = try value("\(prefix)_actor_id")
        p.recordedAt = ProtoTimestamp(try value(at ?? "\(prefix)_at", as: Date.self))
        return p
    }
}

enum PersonRows {
    /// The person columns, from a relation aliased `p`.
    static let columns = """
        p.person_id, p.citizen_id, p.family_name, p.middle_name, p.given_name, p.folded_name, p.birth_year, \
        p.birth_month, p.birth_day, p.sex, p.nationalities::text[] AS nationalities, p.residence_address, \
        p.residence_province, p.residence_since_year, p.residence_since_month, p.residence_since_day, \
        p.biometric_subject_id, p.remarks, p.version, p.created_source, p.created_unit_code, p.created_actor_id, \
        p.created_at, p.updated_source, p.updated_unit_code, p.updated_actor_id, p.updated_at
        """

    static func details(_ row: PostgresRow) throws -> Immigration_Records_V1_PersonDetails {
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

    static func person(_ row: PostgresRow) throws -> Immigration_Records_V1_Person {
        var p = Immigration_Records_V1_Person()
        p.personID = try row.value("person_id", as: UUID.self).text
        p.details = try details(row)
        p.foldedName = try row.value("folded_name")
        p.version = try row.value("version")
        p.created = try row.provenance("created")
        p.updated = try row.provenance("updated")
        return p
    }
}

enum DocumentRows {
    /// The document columns, from `documents d`.
    static let columns = """
        d.person_id, d.document_id, d.kind, d.number, d.issuing_state::text AS issuing_state, d.symbol, d.has_chip, \
        d.issuing_authority, d.issued_on, d.valid_from, d.valid_until, d.status, d.status_reason, d.status_source, \
        d.status_unit_code, d.status_actor_id, d.status_changed_at, d.version, d.created_source, d.created_unit_code, \
        d.created_actor_id, d.created_at
        """

    static func reference(_ row: PostgresRow) throws -> Immigration_Common_V1_DocumentReference {
        var r = Immigration_Common_V1_DocumentReference()
        if let kind = DocumentKind(rawValue: try row.value("kind", as: String.self)) { r.kind = .init(rule: kind) }
        r.number = try row.value("number")
        r.issuingState = try row.value("issuing_state")
        return r
    }

    static func document(_ row: PostgresRow) throws -> Immigration_Records_V1_Document {
        var d = Immigration_Records_V1_Document()
        d.documentID = try row.value("document_id", as: UUID.self).text
        d.personID = try row.value("person_id", as: UUID.self).text
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
        d.statusChanged = try row.provenance("status", at: "status_changed_at")
        d.version = try row.value("version")
        d.created = try row.provenance("created")
        return d
    }

    static let changeColumns = """
        c.from_status, c.to_status, c.reason, c.exit_ban_id, c.written_source, c.written_unit_code, \
        c.written_actor_id, c.written_at
        """

    static func change(_ row: PostgresRow) throws -> Immigration_Records_V1_DocumentStatusChange {
        var c = Immigration_Records_V1_DocumentStatusChange()
        if let from = try row.value("from_status", as: String?.self), let status = DocumentStatus(rawValue: from) {
            c.fromStatus = .init(rule: status)
        }
        if let status = DocumentStatus(rawValue: try row.value("to_status", as: String.self)) { c.toStatus = .init(rule: status) }
        c.reason = try row.value("reason")
        c.exitBanID = try row.value("exit_ban_id", as: UUID?.self)?.text ?? ""
        c.provenance = try row.provenance("written")
        return c
    }
}

enum CheckpointRows {
    static let columns = """
        k.code, k.name, k.kind AS checkpoint_kind, k.ministry, coalesce(k.border_country::text, '') AS border_country, \
        k.retired, k.written_source, k.written_unit_code, k.written_actor_id, k.written_at
        """

    static func checkpoint(_ row: PostgresRow) throws -> Immigration_Records_V1_Checkpoint {
        var k = Immigration_Records_V1_Checkpoint()
        k.code = try row.value("code")
        k.name = try row.value("name")
        if let kind = CheckpointKind(rawValue: try row.value("checkpoint_kind", as: String.self)) { k.kind = .init(rule: kind) }
        if let ministry = Ministry(rawValue: try row.value("ministry", as: String.self)) { k.ministry = .init(rule: ministry) }
        k.borderCountry = try row.value("border_country")
        k.retired = try row.value("retired")
        k.provenance = try row.provenance("written")
        return k
    }
}

enum CrossingRows {
    /// A crossing with its document's reference and its checkpoint.
    static let select = """
        SELECT x.crossing_id, x.person_id, x.document_id, x.request_id, x.direction, x.crossed_at, x.lane, x.gate_id, \
        x.recorded_source, x.recorded_unit_code, x.recorded_actor_id, x.recorded_at, \
        d.kind, d.number, d.issuing_state::text AS issuing_state, \(CheckpointRows.columns)
        FROM crossings x
        JOIN documents d ON d.person_id = x.person_id AND d.document_id = x.document_id
        JOIN checkpoints k ON k.code = x.checkpoint_code
        """

    static func crossing(_ row: PostgresRow) throws -> Immigration_Records_V1_Crossing {
        var x = Immigration_Records_V1_Crossing()
        x.crossingID = try row.value("crossing_id", as: UUID.self).text
        x.personID = try row.value("person_id", as: UUID.self).text
        x.documentID = try row.value("document_id", as: UUID.self).text
        x.requestID = try row.value("request_id", as: UUID.self).text
        x.document = try DocumentRows.reference(row)
        x.direction = try row.value("direction", as: String.self) == "entry" ? .entry : .exit
        x.checkpoint = try CheckpointRows.checkpoint(row)
        x.crossedAt = ProtoTimestamp(try row.value("crossed_at", as: Date.self))
        x.lane = try row.value("lane", as: String.self) == "manual" ? .manual : .abcGate
        x.gateID = try row.value("gate_id")
        x.provenance = try row.provenance("recorded")
        return x
    }
}

enum ExitBanRows {
    static let columns = """
        b.person_id, b.exit_ban_id, b.deciding_authority, b.legal_basis, b.starts_on, b.ends_on, b.placed_source, \
        b.placed_unit_code, b.placed_actor_id, b.placed_at, b.lifted_on, b.lifted_deciding_authority, \
        b.lifted_legal_basis, b.lifted_source, b.lifted_unit_code, b.lifted_actor_id, b.lifted_at, \
        ARRAY(SELECT c.document_id FROM document_status_changes c
              WHERE c.person_id = b.person_id AND c.exit_ban_id = b.exit_ban_id ORDER BY c.document_id) AS withdrawn
        """

    static func term(_ row: PostgresRow) throws -> ExitBanTerm {
        ExitBanTerm(startsOn: CalendarDay(try row.value("starts_on", as: PostgresDate.self)),
                    endsOn: try row.value("ends_on", as: PostgresDate?.self).map(CalendarDay.init),
                    liftedFrom: try row.value("lifted_on", as: PostgresDate?.self).map(CalendarDay.init))
    }

    static func exitBan(_ row: PostgresRow) throws -> Immigration_Records_V1_ExitBan {
        var b = Immigration_Records_V1_ExitBan()
        b.exitBanID = try row.value("exit_ban_id", as: UUID.self).text
        b.personID = try row.value("person_id", as: UUID.self).text
        b.decidingAuthority = try row.value("deciding_authority")
        b.legalBasis = try row.value("legal_basis")
        b.startsOn = CalendarDay(try row.value("starts_on", as: PostgresDate.self)).proto
        if let ends = try row.value("ends_on", as: PostgresDate?.self) { b.endsOn = CalendarDay(ends).proto }
        b.placed = try row.provenance("placed")
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

import Contracts
import Foundation

// Reading request messages into the rules' inputs, collecting every broken
// rule with the field path as the caller wrote it.

enum RequestInput {
    static func provenance(_ p: Immigration_Common_V1_Provenance?, field: String = "provenance") throws(ValidationErrors) -> ProvenanceInput {
        guard let p else {
            throw ValidationErrors(errors: [ValidationError(field: field, rule: "required", "source, unit and actor are required (D77 Art 4.2)")])
        }
        return try ProvenanceInput.validated(source: p.source.rule, unitCode: p.unitCode, actorID: p.actorID, field: field)
    }

    static func personDetails(_ d: Immigration_Records_V1_PersonDetails?, field: String = "details") throws(ValidationErrors) -> PersonDetails {
        guard let d else {
            throw ValidationErrors(errors: [ValidationError(field: field, rule: "required", "the person's details are required")])
        }
        var input = PersonDetailsInput()
        input.citizenID = d.citizenID
        input.name = PersonName(family: d.name?.familyName ?? "", middle: d.name?.middleName ?? "", given: d.name?.givenName ?? "")
        input.birthYear = Int(d.dateOfBirth?.year ?? 0)
        input.birthMonth = Int(d.dateOfBirth?.month ?? 0)
        input.birthDay = Int(d.dateOfBirth?.day ?? 0)
        input.sex = d.sex.rule
        input.nationalities = d.nationalities
        input.residenceAddress = d.residence?.address ?? ""
        input.residenceProvince = d.residence?.province ?? ""
        input.residenceSinceYear = Int(d.residence?.since?.year ?? 0)
        input.residenceSinceMonth = Int(d.residence?.since?.month ?? 0)
        input.residenceSinceDay = Int(d.residence?.since?.day ?? 0)
        input.biometricSubjectID = d.biometricSubjectID
        input.remarks = d.remarks
        return try PersonRules.validated(input, field: field, today: .today)
    }

    static func documentDetails(_ d: Immigration_Records_V1_DocumentDetails?, field: String = "details") throws(ValidationErrors) -> DocumentDetails {
        guard let d else {
            throw ValidationErrors(errors: [ValidationError(field: field, rule: "required", "the document's details are required")])
        }
        var input = DocumentDetailsInput()
        input.kind = d.reference?.kind.rule
        input.number = d.reference?.number ?? ""
        input.issuingState = d.reference?.issuingState ?? ""
        input.symbol = d.symbol
        input.hasChip = d.hasChip
        input.issuingAuthority = d.issuingAuthority
        input.issuedOn = d.issuedOn?.parts
        input.validFrom = d.validFrom?.parts
        input.validUntil = d.validUntil?.parts
        return try DocumentRules.validated(input, field: field, today: .today)
    }

    /// A required UUID field.
    static func uuid(_ raw: String, field: String) throws(ValidationError) -> UUID {
        guard let id = UUID(canonicalText: raw) else {
            throw ValidationError(field: field, rule: raw.isEmpty ? "required" : "uuid", "a UUID is required")
        }
        return id
    }

    /// A document named by ids or by kind, number and issuing state.
    static func selector(_ s: Immigration_Records_V1_DocumentSelector?, field: String = "document") throws(ValidationErrors) -> DocumentStore.Selector {
        switch s?.selector {
        case .key(let key)?:
            var report = ValidationReport()
            let person = report.check { () throws(ValidationError) in try uuid(key.personID, field: "\(field).key.person_id") }
            let document = report.check { () throws(ValidationError) in try uuid(key.documentID, field: "\(field).key.document_id") }
            try report.throwIfAny()
            return .key(personID: person!, documentID: document!)
        case .reference(let reference)?:
            return try self.reference(reference, field: "\(field).reference")
        case nil:
            throw ValidationErrors(errors: [ValidationError(field: field, rule: "required", "a document key or reference is required")])
        }
    }

    static func reference(_ r: Immigration_Common_V1_DocumentReference, field: String) throws(ValidationErrors) -> DocumentStore.Selector {
        var report = ValidationReport()
        let kind = r.kind.rule
        if kind == nil { report.add(ValidationError(field: "\(field).kind", rule: "required", "the kind of document is required")) }
        let number = report.check { () throws(ValidationError) in try DocumentNumber.validated(r.number, field: "\(field).number") }
        let state = report.check { () throws(ValidationError) in
            try NationalityCode.validated(r.issuingState, field: "\(field).issuing_state")
        }
        try report.throwIfAny()
        return .reference(kind: kind!, number: number!, issuingState: state!)
    }

    /// Runs a throwing check and turns a single error into the collection.
    static func check<T>(_ body: () throws(ValidationError) -> T) throws(ValidationErrors) -> T {
        do { return try body() } catch { throw ValidationErrors(errors: [error]) }
    }
}

/// Opaque page tokens: base64 of a short text the server wrote, such as an
/// offset or a keyset. A token the server did not write is INVALID_ARGUMENT.
enum PageToken {
    static func make(_ parts: [String]) -> String {
        Data(("p1|" + parts.joined(separator: "|")).utf8).base64EncodedString()
    }

    static func read(_ token: String, count: Int, field: String = "page_token") throws(ValidationError) -> [String]? {
        if token.isEmpty { return nil }
        guard let data = Data(base64Encoded: token), let text = String(data: data, encoding: .utf8), text.hasPrefix("p1|") else {
            throw ValidationError(field: field, rule: "page_token", "not a token this server issued")
        }
        let parts = text.dropFirst(3).split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == count else { throw ValidationError(field: field, rule: "page_token", "not a token this server issued") }
        return parts
    }

    static func offset(_ token: String, field: String = "page_token") throws(ValidationError) -> Int {
        guard let parts = try read(token, count: 1, field: field) else { return 0 }
        guard let offset = Int(parts[0]), offset >= 0 else {
            throw ValidationError(field: field, rule: "page_token", "not a token this server issued")
        }
        return offset
    }
}

import Contracts
import Foundation
import GRPCRuntime

extension RecordsServiceProvider {
    nonisolated(nonsending) func createPerson(request: Immigration_Records_V1_CreatePersonRequest,
                      context: ServerContext) async throws -> Immigration_Records_V1_CreatePersonResponse {
        var checks = Checks()
        let requestID = checks.one { () throws(ValidationError) in try RequestID.validated(request.requestID) }
        let details = checks.run { () throws(ValidationErrors) in try RequestInput.personDetails(request.details) }
        let provenance = checks.run { () throws(ValidationErrors) in try RequestInput.provenance(request.provenance) }
        try checks.throwIfAny()
        return try await handle {
            try await persons.create(requestID: requestID!, request: try request.serializedBytes(), details: details!,
                                     provenance: provenance!)
        }
    }

    nonisolated(nonsending) func updatePerson(request: Immigration_Records_V1_UpdatePersonRequest,
                      context: ServerContext) async throws -> Immigration_Records_V1_UpdatePersonResponse {
        var checks = Checks()
        let requestID = checks.one { () throws(ValidationError) in try RequestID.validated(request.requestID) }
        let personID = checks.one { () throws(ValidationError) in try RequestInput.uuid(request.personID, field: "person_id") }
        let details = checks.run { () throws(ValidationErrors) in try RequestInput.personDetails(request.details) }
        if request.reason.trimmed.isEmpty || request.reason.count > 1000 {
            checks.add("reason", "required", "why the details are corrected, up to 1000 characters")
        }
        let provenance = checks.run { () throws(ValidationErrors) in try RequestInput.provenance(request.provenance) }
        try checks.throwIfAny()
        return try await handle {
            try await persons.update(requestID: requestID!, request: try request.serializedBytes(), personID: personID!,
                                     expectedVersion: request.expectedVersion, details: details!, reason: request.reason,
                                     provenance: provenance!)
        }
    }

    nonisolated(nonsending) func getPerson(request: Immigration_Records_V1_GetPersonRequest,
                   context: ServerContext) async throws -> Immigration_Records_V1_GetPersonResponse {
        var checks = Checks()
        let personID = checks.one { () throws(ValidationError) in try RequestInput.uuid(request.personID, field: "person_id") }
        if request.recentCrossingsLimit < 0 || request.recentCrossingsLimit > QueryRules.maximumRecentCrossings {
            checks.add("recent_crossings_limit", "range",
                       "0 (meaning \(QueryRules.defaultRecentCrossings)) to \(QueryRules.maximumRecentCrossings)")
        }
        try checks.throwIfAny()
        let limit = request.recentCrossingsLimit == 0 ? QueryRules.defaultRecentCrossings : Int(request.recentCrossingsLimit)
        let keepable = limit == QueryRules.defaultRecentCrossings   // only such answers are kept
        return try await handle {
            // A kept answer that does not parse (never written so) is answered from the records.
            if keepable, let body = try await persons.ready.usable(personID: personID!),
               let kept = try? Immigration_Records_V1_GetPersonResponse(kept: body) {
                return kept
            }
            guard let profile = try await persons.profile(personID: personID!, recentCrossings: limit) else {
                throw StoreError.notFound("person")
            }
            let answer = PersonAnswer(profile, today: .today)
            if keepable, let computed = answer.computed(personID: personID!, readWith: profile) { persons.ready.keep(computed) }
            return answer.response
        }
    }

    nonisolated(nonsending) func getPersonHistory(request: Immigration_Records_V1_GetPersonHistoryRequest,
                          context: ServerContext) async throws -> Immigration_Records_V1_GetPersonHistoryResponse {
        var checks = Checks()
        let personID = checks.one { () throws(ValidationError) in try RequestInput.uuid(request.personID, field: "person_id") }
        let size = checks.one { () throws(ValidationError) in try Paging.pageSize(request.pageSize) }
        let offset = checks.one { () throws(ValidationError) in try PageToken.offset(request.pageToken) }
        try checks.throwIfAny()
        return try await handle {
            let revisions = try await persons.history(personID: personID!, offset: offset!, limit: size! + 1)
            if revisions.isEmpty && offset == 0 { throw StoreError.notFound("person") }
            var response = Immigration_Records_V1_GetPersonHistoryResponse()
            response.revisions = Array(revisions.prefix(size!))
            if revisions.count > size! { response.nextPageToken = PageToken.make([String(offset! + size!)]) }
            return response
        }
    }

    nonisolated(nonsending) func searchPersons(request: Immigration_Records_V1_SearchPersonsRequest,
                       context: ServerContext) async throws -> Immigration_Records_V1_SearchPersonsResponse {
        var checks = Checks()
        let size = checks.one { () throws(ValidationError) in try Paging.pageSize(request.pageSize) } ?? 0
        switch request.query {
        case .citizenID(let citizenID)?:
            if citizenID.utf8.count != 12 || !citizenID.utf8.allSatisfy({ (0x30...0x39).contains($0) }) {
                checks.add("citizen_id", "twelve_digits", "a citizen ID number is exactly 12 digits")
            }
            try checks.throwIfAny()
            let found = try await handle { try await reads.read { try await $0.persons.search(citizenID: citizenID) } }
            return .with { $0.persons = found }
        case .document(let reference)?:
            let number = checks.one { () throws(ValidationError) in try DocumentNumber.validated(reference.number, field: "document.number") }
            var state: String?
            if !reference.issuingState.isEmpty {
                state = checks.one { () throws(ValidationError) in
                    try NationalityCode.validated(reference.issuingState, field: "document.issuing_state")
                }
            }
            try checks.throwIfAny()
            let found = try await handle {
                try await reads.read { try await $0.persons.search(documentNumber: number!, kind: reference.kind.rule, issuingState: state) }
            }
            return .with { $0.persons = found }
        case .name(let query)?:
            let prefix = checks.one { () throws(ValidationError) in try QueryRules.namePrefix(query.namePrefix, field: "name.name_prefix") }
            var dateOfBirth: PartialDate?
            if let d = query.dateOfBirth {
                dateOfBirth = checks.one { () throws(ValidationError) in
                    try PartialDate.validated(year: Int(d.year), month: Int(d.month), day: Int(d.day), field: "name.date_of_birth")
                }
            }
            var after: (String, UUID)?
            do {
                if let parts = try PageToken.read(request.pageToken, count: 2) {
                    guard let id = UUID(canonicalText: parts[1]) else { throw ValidationError(field: "page_token", rule: "page_token") }
                    after = (parts[0], id)
                }
            } catch let error as ValidationError {
                checks.add(error.field, error.rule, error.message)
            }
            try checks.throwIfAny()
            let found = try await handle {
                try await reads.read {
                    try await $0.persons.search(foldedPrefix: prefix!, dateOfBirth: dateOfBirth, after: after, limit: size + 1)
                }
            }
            var response = Immigration_Records_V1_SearchPersonsResponse()
            response.persons = Array(found.prefix(size))
            if found.count > size, let last = response.persons.last {
                response.nextPageToken = PageToken.make([last.foldedName, last.personID])
            }
            return response
        case nil:
            checks.add("query", "required", "a citizen ID, a document or a name is required")
            try checks.throwIfAny()
            return .init()
        }
    }
}

import Contracts
import Foundation
import GRPCRuntime

extension RecordsServiceProvider {
    nonisolated(nonsending) func recordCrossing(request: Immigration_Records_V1_RecordCrossingRequest,
                        context: ServerContext) async throws -> Immigration_Records_V1_RecordCrossingResponse {
        var checks = Checks()
        let requestID = checks.one { () throws(ValidationError) in try RequestID.validated(request.requestID) }
        let selector = checks.run { () throws(ValidationErrors) in try RequestInput.selector(request.document) }
        let direction = request.direction.rule
        if direction == nil { checks.add("direction", "required", "entry or exit") }
        let code = request.checkpoint?.code ?? ""
        if code.isEmpty { checks.add("checkpoint.code", "required", "the checkpoint's code") }
        checks.run { () throws(ValidationErrors) in
            try CrossingRules.validate(lane: request.lane.rule, gateID: request.gateID, crossedAt: request.crossedAt?.date, now: Date())
        }
        let provenance = checks.run { () throws(ValidationErrors) in try RequestInput.provenance(request.provenance) }
        try checks.throwIfAny()
        return try await handle {
            guard let checkpoint = try await checkpointCache.get(code: code) else {
                throw StoreError.invalid(field: "checkpoint.code", rule: "known_checkpoint", message: "not in the reference data")
            }
            if checkpoint.retired {
                throw StoreError.refused(rule: "checkpoint_retired", message: "the checkpoint is closed")
            }
            return try await crossings.record(.init(
                requestID: requestID!, fingerprintSource: try request.serializedBytes(), document: selector!,
                direction: direction!, checkpoint: checkpoint, crossedAt: request.crossedAt!.date,
                lane: request.lane.rule!, gateID: request.gateID, provenance: provenance!))
        }
    }

    nonisolated(nonsending) func listCrossings(request: Immigration_Records_V1_ListCrossingsRequest,
                       context: ServerContext) async throws -> Immigration_Records_V1_ListCrossingsResponse {
        var checks = Checks()
        let personID = checks.one { () throws(ValidationError) in try RequestInput.uuid(request.personID, field: "person_id") }
        let size = checks.one { () throws(ValidationError) in try Paging.pageSize(request.pageSize) }
        if let start = request.startTime, let end = request.endTime, end < start {
            checks.add("end_time", "not_before_start_time", "the end is before the start")
        }
        var after: (Date, UUID)?
        do {
            if let parts = try PageToken.read(request.pageToken, count: 2) {
                guard let micros = Int64(parts[0]), let id = UUID(canonicalText: parts[1]) else {
                    throw ValidationError(field: "page_token", rule: "page_token", "not a token this server issued")
                }
                after = (Date(timeIntervalSince1970: Double(micros) / 1e6), id)
            }
        } catch let error as ValidationError {
            checks.add(error.field, error.rule, error.message)
        }
        try checks.throwIfAny()
        return try await handle {
            guard try await persons.get(personID: personID!) != nil else { throw StoreError.notFound("person") }
            let found = try await crossings.list(
                personID: personID!, from: request.startTime?.date, until: request.endTime?.date,
                checkpointCode: request.checkpointCode.isEmpty ? nil : request.checkpointCode,
                direction: request.direction.rule, after: after, limit: size! + 1)
            var response = Immigration_Records_V1_ListCrossingsResponse()
            response.crossings = Array(found.prefix(size!))
            if found.count > size!, let last = response.crossings.last, let at = last.crossedAt {
                let micros = at.seconds * 1_000_000 + Int64(at.nanos / 1000)
                response.nextPageToken = PageToken.make([String(micros), last.crossingID])
            }
            return response
        }
    }

    nonisolated(nonsending) func checkCrossingEligibility(request: Immigration_Records_V1_CheckCrossingEligibilityRequest,
                                  context: ServerContext) async throws -> Immigration_Records_V1_CheckCrossingEligibilityResponse {
        var checks = Checks()
        let selector = checks.run { () throws(ValidationErrors) in try RequestInput.selector(request.document) }
        let direction = request.direction.rule
        if direction == nil { checks.add("direction", "required", "entry or exit") }
        try checks.throwIfAny()
        let at = request.at?.date ?? Date()
        let day = CalendarDay(vietnamDateOf: at)
        return try await handle {
            var checkpointKind: CheckpointKind?
            if let code = request.checkpoint?.code, !code.isEmpty {
                guard let checkpoint = try await checkpointCache.get(code: code) else {
                    throw StoreError.invalid(field: "checkpoint.code", rule: "known_checkpoint", message: "not in the reference data")
                }
                checkpointKind = checkpoint.kind.rule
            }
            var response = Immigration_Records_V1_CheckCrossingEligibilityResponse()
            response.checkedAt = ProtoTimestamp(at)
            var facts: CrossingEligibility.DocumentFacts?
            var bans: [CrossingEligibility.BanFacts] = []
            if let found = try await documents.eligibilityFacts(selector!), let document = found.document {
                facts = document
                response.personID = found.personID
                response.documentID = found.documentID
                response.documentStatus = found.status
                response.validUntil = found.validUntil.proto
                bans = found.unliftedBans
            }
            let reasons = CrossingEligibility.reasons(document: facts, direction: direction!, checkpointKind: checkpointKind,
                                                      day: day, exitBans: bans)
            response.reasons = reasons.map(\.proto)
            response.allowed = reasons.isEmpty
            return response
        }
    }
}

extension CrossingEligibility.Reason {
    /// "The document is revoked." and the like, made once per status (not per check).
    private static let statusSentences = Dictionary(uniqueKeysWithValues: DocumentStatus.allCases.map {
        ($0, "The document is \(String($0.rawValue.map { $0 == "_" ? " " : $0 })).")
    })

    /// The contract's form, with a sentence for the officer (D77 Art 11.2).
    var proto: Immigration_Records_V1_EligibilityReason {
        var r = Immigration_Records_V1_EligibilityReason()
        switch self {
        case .documentUnknown:
            r.code = .documentUnknown
            r.message = "The national database holds no such document."
        case .documentStatus(let status):
            r.code = .documentStatus
            r.documentStatus = .init(rule: status)
            r.message = Self.statusSentences[status] ?? ""
        case .documentExpired(let until):
            r.code = .documentExpired
            r.message = "The document was valid until \(until)."
        case .documentNotYetValid(let from):
            r.code = .documentNotYetValid
            r.message = "The document is valid from \(from)."
        case .notATravelDocument:
            r.code = .notATravelDocument
            r.message = "Visas and residence cards accompany a travel document; they are not one."
        case .exitBan(let id):
            r.code = .exitBan
            r.exitBanID = id
            r.message = "An exit ban is in force."
        case .laissezPasserLandOnly:
            r.code = .laissezPasserLandOnly
            r.message = "A laissez-passer is for land border checkpoints only."
        }
        return r
    }
}

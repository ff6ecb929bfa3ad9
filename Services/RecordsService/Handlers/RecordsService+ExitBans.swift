import Contracts
import Foundation
import GRPCRuntime

extension RecordsServiceProvider {
    nonisolated(nonsending) func placeExitBan(request: Immigration_Records_V1_PlaceExitBanRequest,
                      context: ServerContext) async throws -> Immigration_Records_V1_PlaceExitBanResponse {
        var checks = Checks()
        let requestID = checks.one { () throws(ValidationError) in try RequestID.validated(request.requestID) }
        let personID = checks.one { () throws(ValidationError) in try RequestInput.uuid(request.personID, field: "person_id") }
        var startsOn: CalendarDay?
        if let d = request.startsOn {
            startsOn = checks.one { () throws(ValidationError) in try d.validated(field: "starts_on") }
        } else {
            checks.add("starts_on", "required", "the first day of the ban")
        }
        let endsOn = request.endsOn.flatMap { d in checks.one { () throws(ValidationError) in try d.validated(field: "ends_on") } }
        var term: ExitBanTerm?
        if let startsOn, request.endsOn == nil || endsOn != nil {
            term = checks.run { () throws(ValidationErrors) in
                try ExitBanTerm.validatedPlacement(decidingAuthority: request.decidingAuthority, legalBasis: request.legalBasis,
                                                   startsOn: startsOn, endsOn: endsOn)
            }
        }
        if request.decidingAuthority.count > 300 { checks.add("deciding_authority", "max_length", "at most 300 characters") }
        if request.legalBasis.count > 500 { checks.add("legal_basis", "max_length", "at most 500 characters") }
        let provenance = checks.run { () throws(ValidationErrors) in try RequestInput.provenance(request.provenance) }
        try checks.throwIfAny()
        return try await handle {
            try await exitBans.place(requestID: requestID!, request: try request.serializedBytes(), personID: personID!,
                                     decidingAuthority: request.decidingAuthority, legalBasis: request.legalBasis,
                                     term: term!, provenance: provenance!)
        }
    }

    nonisolated(nonsending) func liftExitBan(request: Immigration_Records_V1_LiftExitBanRequest,
                     context: ServerContext) async throws -> Immigration_Records_V1_LiftExitBanResponse {
        var checks = Checks()
        let requestID = checks.one { () throws(ValidationError) in try RequestID.validated(request.requestID) }
        let personID = checks.one { () throws(ValidationError) in try RequestInput.uuid(request.personID, field: "person_id") }
        let banID = checks.one { () throws(ValidationError) in try RequestInput.uuid(request.exitBanID, field: "exit_ban_id") }
        let effectiveOn = request.effectiveOn.map { d in checks.one { () throws(ValidationError) in try d.validated(field: "effective_on") } }
            ?? CalendarDay.today
        if request.decidingAuthority.trimmed.isEmpty { checks.add("deciding_authority", "required", "the authority lifting the ban") }
        if request.legalBasis.trimmed.isEmpty { checks.add("legal_basis", "required", "the decision lifting the ban") }
        let provenance = checks.run { () throws(ValidationErrors) in try RequestInput.provenance(request.provenance) }
        try checks.throwIfAny()
        return try await handle {
            try await exitBans.lift(requestID: requestID!, request: try request.serializedBytes(), personID: personID!,
                                    exitBanID: banID!, effectiveOn: effectiveOn!, decidingAuthority: request.decidingAuthority,
                                    legalBasis: request.legalBasis, provenance: provenance!)
        }
    }
}

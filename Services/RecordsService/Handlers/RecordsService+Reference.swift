import Contracts
import Foundation
import GRPCRuntime

extension RecordsServiceProvider {
    nonisolated(nonsending) func listCheckpoints(request: Immigration_Records_V1_ListCheckpointsRequest,
                         context: ServerContext) async throws -> Immigration_Records_V1_ListCheckpointsResponse {
        var checks = Checks()
        let size = checks.one { () throws(ValidationError) in try Paging.pageSize(request.pageSize) }
        var after: String?
        do { after = try PageToken.read(request.pageToken, count: 1)?.first } catch { checks.add(error.field, error.rule, error.message) }
        try checks.throwIfAny()
        return try await handle {
            let found = try await checkpoints.list(kind: request.kind.rule, includeRetired: request.includeRetired, after: after,
                                                   limit: size! + 1)
            var response = Immigration_Records_V1_ListCheckpointsResponse()
            response.checkpoints = Array(found.prefix(size!))
            if found.count > size!, let last = response.checkpoints.last { response.nextPageToken = PageToken.make([last.code]) }
            return response
        }
    }

    nonisolated(nonsending) func upsertCheckpoint(request: Immigration_Records_V1_UpsertCheckpointRequest,
                          context: ServerContext) async throws -> Immigration_Records_V1_UpsertCheckpointResponse {
        var checks = Checks()
        _ = checks.one { () throws(ValidationError) in try RequestID.validated(request.requestID) }
        let k = request.checkpoint ?? .init()
        if request.checkpoint == nil { checks.add("checkpoint", "required", "the checkpoint") }
        let record = checks.run { () throws(ValidationErrors) in
            try CheckpointRecord.validated(code: k.code, name: k.name, kind: k.kind.rule, ministry: k.ministry.rule,
                                           borderCountry: k.borderCountry, retired: k.retired, field: "checkpoint")
        }
        let provenance = checks.run { () throws(ValidationErrors) in try RequestInput.provenance(request.provenance) }
        try checks.throwIfAny()
        let stored = try await handle { try await checkpoints.upsert(record!, provenance: provenance!) }
        checkpointCache.invalidate()
        return .with { $0.checkpoint = stored }
    }
}

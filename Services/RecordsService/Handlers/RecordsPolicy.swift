import Contracts
import GRPCRuntime

/// Who may call which RPC (docs/records.md, "Who may call what"), for the
/// runtime's AuthorizationInterceptor. Portals and agencies never call
/// RecordsService directly: their services do, as `service` (D77 Art 6.4).
enum RecordsPolicy {
    typealias RPC = Immigration_Records_V1_RecordsService

    static let readers: Set<CallerRole> = [.service, .issuingAuthority, .controlUnit, .ops]

    static let roles: [MethodDescriptor: Set<CallerRole>] = [
        RPC.createPerson: readers,
        RPC.updatePerson: readers,
        RPC.getPersonHistory: readers,
        RPC.searchPersons: readers,
        RPC.listDocuments: readers,
        RPC.listCrossings: readers,
        RPC.changeDocumentStatus: readers,
        RPC.getPerson: readers.union([.gate]),
        RPC.getDocument: readers.union([.gate]),
        RPC.issueDocument: [.service, .issuingAuthority, .ops],
        RPC.recordCrossing: [.service, .controlUnit, .gate],
        RPC.checkCrossingEligibility: [.service, .controlUnit, .gate],
        RPC.placeExitBan: [.service, .controlUnit, .ops],
        RPC.liftExitBan: [.service, .controlUnit, .ops],
        RPC.streamChanges: [.service, .ops],
        RPC.getCrossingStatistics: [.service, .ops],
        RPC.getDocumentStatistics: [.service, .ops],
        RPC.bulkIntake: [.service, .ops],
        RPC.getIntakeStatus: [.service, .ops],
        RPC.listCheckpoints: readers.union([.gate]),
        RPC.upsertCheckpoint: [.ops],
    ]

    static var interceptor: AuthorizationInterceptor { AuthorizationInterceptor(policy: roles) }
}

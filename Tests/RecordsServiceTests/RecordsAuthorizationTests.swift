import Contracts
import Foundation
import GRPCRuntime
import XCTest
@testable import RecordsService

/// Every RPC against every caller role over mutual TLS with certificates made
/// by openssl: a role the policy does not list gets PERMISSION_DENIED, a role
/// it lists gets past the interceptor (then the handler answers, here with
/// INVALID_ARGUMENT or UNIMPLEMENTED for an empty request).
final class RecordsAuthorizationTests: XCTestCase {
    func testEveryRPCRefusesEveryRoleThePolicyDoesNotListAndAdmitsTheOthers() async throws {
        let certificates = try RoleCertificates.make()
        let records = try await RecordsTestServer.start(security: .mutualTLS(
            certificateChainPath: certificates.serverChain, privateKeyPath: certificates.serverKey, clientCARootsPath: certificates.ca))
        do {
            try await checkEveryRPCAndRole(port: records.port, certificates: certificates)
        } catch {
            await records.stop()
            throw error
        }
        await records.stop()
    }

    func checkEveryRPCAndRole(port: Int, certificates: RoleCertificates) async throws {
        typealias RPC = Immigration_Records_V1_RecordsService
        XCTAssertEqual(Set(RecordsPolicy.roles.keys.map(\.path)), Set(RPC.methodDescriptors.map(\.path)), "every RPC has a policy")
        var checked = 0
        for role in CallerRole.allCases {
            let channel = try Channel(target: "127.0.0.1:\(port)", security: .mutualTLS(
                certificateChainPath: certificates.chain(role), privateKeyPath: certificates.key(role), trustRootsPath: certificates.ca,
                serverNameOverride: "localhost"))
            defer { channel.close() }
            let client = RPC.Client(channel: channel)
            for method in RPC.methodDescriptors {
                let allowed = RecordsPolicy.roles[method]!.contains(role)
                let code = await Self.statusOfAnEmptyCall(method, client: client)
                if allowed {
                    XCTAssertNotEqual(code, .permissionDenied, "\(role.rawValue) → \(method.method)")
                    XCTAssertNotEqual(code, .unauthenticated, "\(role.rawValue) → \(method.method)")
                } else {
                    XCTAssertEqual(code, .permissionDenied, "\(role.rawValue) → \(method.method)")
                }
                checked += 1
            }
        }
        XCTAssertEqual(checked, CallerRole.allCases.count * RPC.methodDescriptors.count)
    }

    /// The table of docs/records.md ("Who may call what"), written out again so
    /// that a change of the policy that the documentation does not share fails.
    func testThePolicyIsTheDocumentedTable() {
        let readers = "service issuing-authority control-unit ops"
        let documented: [String: String] = [
            "CreatePerson": readers, "UpdatePerson": readers, "GetPersonHistory": readers, "SearchPersons": readers,
            "ListDocuments": readers, "ListCrossings": readers, "ChangeDocumentStatus": readers,
            "GetPerson": readers + " gate", "GetDocument": readers + " gate", "ListCheckpoints": readers + " gate",
            "IssueDocument": "service issuing-authority ops",
            "RecordCrossing": "service control-unit gate", "CheckCrossingEligibility": "service control-unit gate",
            "PlaceExitBan": "service control-unit ops", "LiftExitBan": "service control-unit ops",
            "StreamChanges": "service ops", "GetCrossingStatistics": "service ops", "GetDocumentStatistics": "service ops",
            "BulkIntake": "service ops", "GetIntakeStatus": "service ops", "UpsertCheckpoint": "ops",
        ]
        let actual = Dictionary(uniqueKeysWithValues: RecordsPolicy.roles.map { ($0.key.method, Set($0.value.map(\.rawValue))) })
        XCTAssertEqual(actual, documented.mapValues { Set($0.split(separator: " ").map(String.init)) })
    }

    /// Calls `method` with an empty (invalid) request and returns the status.
    static func statusOfAnEmptyCall(_ method: MethodDescriptor, client: Immigration_Records_V1_RecordsService.Client) async -> StatusCode {
        let options = CallOptions(timeout: .seconds(10))
        do {
            switch method.method {
            case "CreatePerson": _ = try await client.createPerson(.init(), options: options)
            case "UpdatePerson": _ = try await client.updatePerson(.init(), options: options)
            case "GetPerson": _ = try await client.getPerson(.init(), options: options)
            case "GetPersonHistory": _ = try await client.getPersonHistory(.init(), options: options)
            case "SearchPersons": _ = try await client.searchPersons(.init(), options: options)
            case "IssueDocument": _ = try await client.issueDocument(.init(), options: options)
            case "ChangeDocumentStatus": _ = try await client.changeDocumentStatus(.init(), options: options)
            case "GetDocument": _ = try await client.getDocument(.init(), options: options)
            case "ListDocuments": _ = try await client.listDocuments(.init(), options: options)
            case "RecordCrossing": _ = try await client.recordCrossing(.init(), options: options)
            case "ListCrossings": _ = try await client.listCrossings(.init(), options: options)
            case "PlaceExitBan": _ = try await client.placeExitBan(.init(), options: options)
            case "LiftExitBan": _ = try await client.liftExitBan(.init(), options: options)
            case "CheckCrossingEligibility": _ = try await client.checkCrossingEligibility(.init(), options: options)
            case "StreamChanges":
                _ = try await client.streamChanges(.with { $0.afterPosition = "not-a-position" }, options: options) { responses in
                    for try await _ in responses {}
                }
            case "BulkIntake": _ = try await client.bulkIntake(options: options) { _ in }
            case "GetIntakeStatus": _ = try await client.getIntakeStatus(.init(), options: options)
            case "GetCrossingStatistics": _ = try await client.getCrossingStatistics(.init(), options: options)
            case "GetDocumentStatistics": _ = try await client.getDocumentStatistics(.init(), options: options)
            case "ListCheckpoints": _ = try await client.listCheckpoints(.with { $0.pageSize = -1 }, options: options)
            case "UpsertCheckpoint": _ = try await client.upsertCheckpoint(.init(), options: options)
            default: return .unknown
            }
            return .ok
        } catch let error as RPCError {
            return error.code
        } catch {
            return .unknown
        }
    }
}

/// A CA, a server certificate for localhost and one client certificate per
/// caller role (`spiffe://immigration.example/<role>/test`), made by openssl
/// in a temporary folder; nothing is committed.
struct RoleCertificates {
    let folder: String
    var ca: String { folder + "/ca.pem" }
    var serverChain: String { folder + "/server.pem" }
    var serverKey: String { folder + "/server.key" }
    func chain(_ role: CallerRole) -> String { folder + "/\(role.rawValue).pem" }
    func key(_ role: CallerRole) -> String { folder + "/\(role.rawValue).key" }

    static func make() throws -> RoleCertificates {
        let folder = NSTemporaryDirectory() + "records-certs-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try openssl(folder, ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                             "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=Records Test CA",
                             "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
        try issue(folder, "server", "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
        for role in CallerRole.allCases {
            try issue(folder, role.rawValue,
                      "subjectAltName=URI:spiffe://immigration.example/\(role.rawValue)/test\nextendedKeyUsage=clientAuth\n")
        }
        return RoleCertificates(folder: folder)
    }

    private static func issue(_ folder: String, _ name: String, _ extensions: String) throws {
        try (extensions + "basicConstraints=CA:FALSE\n").write(toFile: folder + "/\(name).ext", atomically: true, encoding: .utf8)
        try openssl(folder, ["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                             "-keyout", "\(name).key", "-out", "\(name).csr", "-subj", "/CN=\(name)"])
        try openssl(folder, ["x509", "-req", "-in", "\(name).csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                             "-out", "\(name).pem", "-days", "2", "-extfile", "\(name).ext"])
    }

    private static func openssl(_ folder: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw RPCError(.internalError, "openssl \(arguments.first ?? "") failed") }
    }
}

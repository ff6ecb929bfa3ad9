import Contracts
import Foundation
import GRPCRuntime
import Logging

/// A server on a free loopback port hosting the test and health services, as
/// one service of the suite would be.
struct RunningServer {
    let server: Server
    let gate: StreamGate
    var address: String { "127.0.0.1:\(server.port)" }

    static func start(security: ServerSecurity = .plaintextForDevelopment,
                      health: Grpc_Health_V1_HealthCheckResponse.ServingStatus = .serving) throws -> RunningServer {
        let gate = StreamGate()
        let configuration = ServerConfiguration(address: "127.0.0.1:0", security: security,
                                                logger: Logger(label: "immigctl-test"), name: "immigctl-test")
        let server = try Server(configuration: configuration,
                                services: [DemoTestService(gate: gate), DemoHealthService(status: health)])
        try server.start()
        return RunningServer(server: server, gate: gate)
    }

    func stop() async { await server.shutdown(gracePeriod: .seconds(1)) }
}

/// A scratch checkout with the runner's `.run/` folder: endpoints.tsv and,
/// when asked, the development certificates made by scripts/dev-ca.sh.
struct RunFolderFixture {
    let root: URL
    var runFolder: URL { root.appendingPathComponent(".run") }
    var certificates: URL { runFolder.appendingPathComponent("certs") }
    /// A folder two levels below the root, to show that `.run` is found by walking up.
    var nestedDirectory: URL { root.appendingPathComponent("Services/Records") }

    init(endpoints: [(String, String)]) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("immigctl-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("Services/Records"),
                                                withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: runFolder, withIntermediateDirectories: true)
        let table = "# name\taddress\n" + endpoints.map { "\($0.0)\t\($0.1)\n" }.joined()
        try table.write(to: runFolder.appendingPathComponent("endpoints.tsv"), atomically: true, encoding: .utf8)
    }

    /// Issues the CA, service and demo-caller certificates with the suite's own script.
    func issueCertificates() throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("scripts/dev-ca.sh")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script.path, certificates.path]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "dev-ca.sh failed"])
        }
    }

    func certificate(_ name: String) -> String { certificates.appendingPathComponent(name).path }

    /// Deletes the scratch checkout, keys included.
    func remove() { try? FileManager.default.removeItem(at: root) }
}

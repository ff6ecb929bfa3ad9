import Foundation

/// A CA, a server certificate (localhost, 127.0.0.1) and client certificates
/// carrying SPIFFE ids, made by the `openssl` CLI into a temporary folder
/// once per test run. Nothing is committed: the repository holds no keys.
struct TestCertificates: Sendable {
    let folder: String
    var caPath: String { folder + "/ca.pem" }
    var serverChainPath: String { folder + "/server.pem" }
    var serverKeyPath: String { folder + "/server.key" }
    /// spiffe://immigration.example/gate/HAN-T2-07
    var gateChainPath: String { folder + "/gate.pem" }
    var gateKeyPath: String { folder + "/gate.key" }
    /// spiffe://immigration.example/agency/police-hanoi
    var agencyChainPath: String { folder + "/agency.pem" }
    var agencyKeyPath: String { folder + "/agency.key" }
    /// A certificate from another CA, with the gate's SPIFFE id.
    var strangerChainPath: String { folder + "/stranger.pem" }
    var strangerKeyPath: String { folder + "/stranger.key" }

    static let shared: TestCertificates = {
        do {
            return try generate()
        } catch {
            fatalError("cannot generate test certificates: \(error)")
        }
    }()

    private static func generate() throws -> TestCertificates {
        let folder = NSTemporaryDirectory() + "grpc-runtime-tests-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let certificates = TestCertificates(folder: folder)
        try makeCA(folder, "ca", "Immigration Test CA")
        try makeCA(folder, "otherca", "Stranger CA")
        try issue(folder, ca: "ca", name: "server", subject: "/CN=localhost",
                  extensions: "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n")
        try issue(folder, ca: "ca", name: "gate", subject: "/CN=gate HAN-T2-07",
                  extensions: "subjectAltName=URI:spiffe://immigration.example/gate/HAN-T2-07\nextendedKeyUsage=clientAuth\n")
        try issue(folder, ca: "ca", name: "agency", subject: "/CN=agency police-hanoi",
                  extensions: "subjectAltName=URI:spiffe://immigration.example/agency/police-hanoi\nextendedKeyUsage=clientAuth\n")
        try issue(folder, ca: "otherca", name: "stranger", subject: "/CN=stranger",
                  extensions: "subjectAltName=URI:spiffe://immigration.example/gate/HAN-T2-07\nextendedKeyUsage=clientAuth\n")
        return certificates
    }

    private static func makeCA(_ folder: String, _ name: String, _ commonName: String) throws {
        try openssl(folder, ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                             "-keyout", "\(name).key", "-out", "\(name).pem", "-days", "2", "-subj", "/CN=\(commonName)",
                             "-addext", "basicConstraints=critical,CA:TRUE",
                             "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
    }

    private static func issue(_ folder: String, ca: String, name: String, subject: String, extensions: String) throws {
        try (extensions + "basicConstraints=CA:FALSE\n").write(toFile: folder + "/\(name).ext", atomically: true, encoding: .utf8)
        try openssl(folder, ["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                             "-keyout", "\(name).key", "-out", "\(name).csr", "-subj", subject])
        try openssl(folder, ["x509", "-req", "-in", "\(name).csr", "-CA", "\(ca).pem", "-CAkey", "\(ca).key",
                             "-CAcreateserial", "-out", "\(name).pem", "-days", "2", "-extfile", "\(name).ext"])
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
        guard process.terminationStatus == 0 else {
            throw NSError(domain: "openssl", code: Int(process.terminationStatus),
                          userInfo: [NSLocalizedDescriptionKey: "openssl \(arguments.joined(separator: " ")) failed"])
        }
    }
}

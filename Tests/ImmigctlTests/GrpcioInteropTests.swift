import Foundation
import XCTest

/// immigctl against a server that is not ours: grpcio's health servicer (Python).
final class GrpcioInteropTests: XCTestCase {
    private var server: Process?
    private var serverInput: Pipe?

    private func startServer() async throws -> String {
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/grpcio_health_server.py")
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("grpcio-port-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: output) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", fixture.path]
        let input = Pipe()
        process.standardInput = input
        process.standardOutput = try FileHandle(forWritingTo: output)
        try process.run()
        server = process
        serverInput = input
        for _ in 0..<200 {
            let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
            if let port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)), text.hasSuffix("\n") {
                return "127.0.0.1:\(port)"
            }
            if !process.isRunning { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey:
            "the grpcio server did not start (python3 with grpcio and grpcio-health-checking is required)"])
    }

    override func tearDown() {
        try? serverInput?.fileHandleForWriting.close()
        if server?.isRunning == true { server?.terminate() }
        server?.waitUntilExit()
        server = nil
        serverInput = nil
    }

    func testHealthCallAndWatchStreamAgainstGrpcio() async throws {
        let address = try await startServer()
        let health = try await ImmigctlProcess.run(["health", address, "--plaintext", "--service", "records"])
        XCTAssertEqual(health.status, 0, health.stderr)
        XCTAssertEqual(health.lines.last?.split(separator: " ").last, "SERVING")

        let check = try await ImmigctlProcess.run(["call", address, "grpc.health.v1.Health/Check", "--plaintext",
                                                   "--data", #"{"service":"records"}"#])
        XCTAssertEqual(check.stdout, #"{"status":"SERVING"}"# + "\n")

        let unknown = try await ImmigctlProcess.run(["call", address, "grpc.health.v1.Health/Check", "--plaintext",
                                                     "--data", #"{"service":"nope"}"#])
        XCTAssertEqual(unknown.status, 64 + 5)
        XCTAssertTrue(unknown.stderr.hasPrefix("ERROR: NOT_FOUND (5)"), unknown.stderr)

        // Watch never ends by itself; the deadline ends it after a few status changes.
        let watch = try await ImmigctlProcess.run(["call", address, "grpc.health.v1.Health/Watch", "--plaintext",
                                                   "--timeout", "2s"])
        XCTAssertEqual(watch.status, 64 + 4, watch.stderr)
        XCTAssertGreaterThanOrEqual(watch.lines.count, 3, watch.stdout)
        for line in watch.lines {
            XCTAssertTrue([#"{"status":"SERVING"}"#, #"{"status":"NOT_SERVING"}"#].contains(line), line)
        }
        XCTAssertTrue(watch.stderr.hasPrefix("ERROR: DEADLINE_EXCEEDED (4)"), watch.stderr)
    }
}

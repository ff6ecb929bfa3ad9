import Contracts
import Foundation
import TestContracts
import XCTest

/// Checks the generated Swift API against an independent implementation,
/// Python `protobuf`, both ways: Python encodes every case, Swift decodes it
/// (and compares with the same case built in Swift) and re-encodes it, and
/// Python decodes Swift's bytes and compares with its own message.
///
/// Needs `python3` with `protobuf` and `grpcio-tools` (Tests/Python/requirements.txt);
/// fails, never skips, when they are missing.
final class PythonCrossCheckTests: XCTestCase {
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let fixture = repositoryRoot.appendingPathComponent("Tests/Python/test_contracts_wire.py")

    func testPythonAndSwiftDecodeEachOthersEncodingsOfEveryFieldKind() throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("contracts-cross-check-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }

        try runFixture("write", directory)
        let names = try String(contentsOf: directory.appendingPathComponent("cases.txt"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        let cases = FieldKindsCases.all
        XCTAssertEqual(Set(names), Set(cases.keys), "the Swift and Python case lists differ")

        for name in names {
            let pythonBytes = [UInt8](try Data(contentsOf: directory.appendingPathComponent("\(name).python.bin")))
            let decoded = try FieldKinds(serializedBytes: pythonBytes)
            let expected = try XCTUnwrap(cases[name], name)
            if name == "nan" {
                XCTAssertTrue(decoded.floatValue.isNaN && decoded.doubleValue.isNaN, name)
            } else {
                XCTAssertEqual(decoded, expected, "\(name): Swift decoded Python's bytes to a different message")
            }
            try write(decoded.serializedBytes(), directory, "\(name).swift-reencoded.bin")
            try write(expected.serializedBytes(), directory, "\(name).swift-built.bin")
            if FieldKindsCases.subsetCases.contains(name) {
                let subset = try Immigration_Testing_V1_FieldKindsSubset(serializedBytes: pythonBytes)
                XCTAssertFalse(subset.unknownFields.isEmpty, name)
                try write(subset.serializedBytes(), directory, "\(name).subset-reencoded.bin")
            }
        }
        try runFixture("check", directory)
    }

    private func write(_ bytes: [UInt8], _ directory: URL, _ name: String) throws {
        try Data(bytes).write(to: directory.appendingPathComponent(name))
    }

    private func runFixture(_ command: String, _ directory: URL, file: StaticString = #filePath, line: UInt = #line) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.fixture.path, command, directory.path]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            XCTFail("cannot run python3 (install it and Tests/Python/requirements.txt): \(error)", file: file, line: line)
            throw error
        }
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        if process.terminationStatus != 0 {
            XCTFail("python3 \(Self.fixture.lastPathComponent) \(command) failed (status \(process.terminationStatus)) "
                    + "[an ImportError means Tests/Python/requirements.txt is not installed]:\n\(message)", file: file, line: line)
            throw CocoaError(.executableLoad)
        }
    }
}

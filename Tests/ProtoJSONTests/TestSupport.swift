import CContracts
import Foundation
import CProtobufC
import ProtoJSON
import ProtoJSONTestMessages
import XCTest

/// The address of a message type's static descriptor. C `const` globals import
/// into Swift as values, so the address is read from a message that the
/// generated `__init` function set up.
func descriptor<Message>(_ initialise: (UnsafeMutablePointer<Message>) -> Void) -> UnsafePointer<ProtobufCMessageDescriptor> {
    let message = UnsafeMutablePointer<Message>.allocate(capacity: 1)
    defer { message.deallocate() }
    initialise(message)
    return UnsafeRawPointer(message).load(as: ProtobufCMessage.self).descriptor
}

/// The descriptors the tests use, by full protobuf name.
enum Descriptors {
    nonisolated(unsafe) static let scalars = descriptor(protojson__test__scalars__init)
    nonisolated(unsafe) static let lists = descriptor(protojson__test__lists__init)
    nonisolated(unsafe) static let maps = descriptor(protojson__test__maps__init)
    nonisolated(unsafe) static let choice = descriptor(protojson__test__choice__init)
    nonisolated(unsafe) static let wellKnown = descriptor(protojson__test__well_known__init)
    nonisolated(unsafe) static let tree = descriptor(protojson__test__tree__init)
    nonisolated(unsafe) static let names = descriptor(protojson__test__names__init)

    nonisolated(unsafe) static let personName = descriptor(immigration__common__v1__person_name__init)
    nonisolated(unsafe) static let partialDate = descriptor(immigration__common__v1__partial_date__init)
    nonisolated(unsafe) static let calendarDate = descriptor(immigration__common__v1__calendar_date__init)
    nonisolated(unsafe) static let documentReference = descriptor(immigration__common__v1__document_reference__init)
    nonisolated(unsafe) static let provenance = descriptor(immigration__common__v1__provenance__init)
    nonisolated(unsafe) static let simpleRequest = descriptor(grpc__testing__simple_request__init)
    nonisolated(unsafe) static let simpleResponse = descriptor(grpc__testing__simple_response__init)
    nonisolated(unsafe) static let orcaReport = descriptor(grpc__testing__test_orca_report__init)
    nonisolated(unsafe) static let streamingOutputCallRequest = descriptor(grpc__testing__streaming_output_call_request__init)
    nonisolated(unsafe) static let badRequest = descriptor(google__rpc__bad_request__init)
    nonisolated(unsafe) static let errorInfo = descriptor(google__rpc__error_info__init)
    nonisolated(unsafe) static let retryInfo = descriptor(google__rpc__retry_info__init)
    nonisolated(unsafe) static let debugInfo = descriptor(google__rpc__debug_info__init)
    nonisolated(unsafe) static let status = descriptor(google__rpc__status__init)
    nonisolated(unsafe) static let reflectionRequest = descriptor(grpc__reflection__v1__server_reflection_request__init)
    nonisolated(unsafe) static let reflectionResponse = descriptor(grpc__reflection__v1__server_reflection_response__init)
    nonisolated(unsafe) static let reflectionRequestV1Alpha = descriptor(grpc__reflection__v1alpha__server_reflection_request__init)
    nonisolated(unsafe) static let reflectionResponseV1Alpha = descriptor(grpc__reflection__v1alpha__server_reflection_response__init)
    nonisolated(unsafe) static let timestamp = descriptor(google__protobuf__timestamp__init)
    nonisolated(unsafe) static let duration = descriptor(google__protobuf__duration__init)
    nonisolated(unsafe) static let int64Value = descriptor(google__protobuf__int64_value__init)
    nonisolated(unsafe) static let stringValue = descriptor(google__protobuf__string_value__init)
    nonisolated(unsafe) static let any = descriptor(google__protobuf__any__init)
    nonisolated(unsafe) static let empty = descriptor(google__protobuf__empty__init)

    nonisolated(unsafe) static let all: [UnsafePointer<ProtobufCMessageDescriptor>] = [
        scalars, lists, maps, choice, wellKnown, tree, names, personName, partialDate, calendarDate,
        documentReference, provenance, simpleRequest, simpleResponse, orcaReport, streamingOutputCallRequest,
        badRequest, errorInfo, retryInfo, debugInfo, status, reflectionRequest, reflectionResponse,
        reflectionRequestV1Alpha, reflectionResponseV1Alpha, timestamp, duration, int64Value, stringValue,
        any, empty,
    ]

    static func named(_ fullName: String) -> UnsafePointer<ProtobufCMessageDescriptor>? {
        all.first { String(cString: $0.pointee.name) == fullName }
    }

    /// Every message above, for `google.protobuf.Any`.
    static let registry = ProtoJSON.TypeRegistry(all)
}

extension XCTestCase {
    /// JSON → wire → JSON through the codec.
    func reencode(_ json: String, _ descriptor: UnsafePointer<ProtobufCMessageDescriptor>,
                  encoding: ProtoJSON.EncodingOptions = .init(),
                  file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let wire = try ProtoJSON.decode(json: json, descriptor: descriptor,
                                        options: .init(typeRegistry: Descriptors.registry))
        var options = encoding
        options.typeRegistry = Descriptors.registry
        let canonical = try ProtoJSON.encodeCanonical(wire: wire, descriptor: descriptor, options: options)
        XCTAssertEqual(try ProtoJSON.encode(wire: wire, descriptor: descriptor, options: options), canonical,
                       "the lenient encoder differs from the canonical one", file: file, line: line)
        return canonical
    }

    /// Asserts that decoding `json` fails with exactly this path and reason.
    func assertDecodingFails(_ json: String, _ descriptor: UnsafePointer<ProtobufCMessageDescriptor>,
                             path: String, reason: String,
                             options: ProtoJSON.DecodingOptions = .init(typeRegistry: Descriptors.registry),
                             file: StaticString = #filePath, line: UInt = #line) {
        do {
            let wire = try ProtoJSON.decode(json: json, descriptor: descriptor, options: options)
            XCTFail("decoded to \(wire.count) bytes instead of failing", file: file, line: line)
        } catch {
            XCTAssertEqual(error.path, path, file: file, line: line)
            XCTAssertEqual(error.reason, reason, file: file, line: line)
        }
    }

    /// The reason of a failing decode (for syntax errors, whose path is empty).
    func decodingFailure(_ json: [UInt8], _ descriptor: UnsafePointer<ProtobufCMessageDescriptor>,
                         options: ProtoJSON.DecodingOptions = .init(),
                         file: StaticString = #filePath, line: UInt = #line) -> ProtoJSONError? {
        do {
            _ = try ProtoJSON.decode(json: json, descriptor: descriptor, options: options)
            XCTFail("decoding succeeded", file: file, line: line)
            return nil
        } catch {
            return error
        }
    }
}

/// Runs a tool found on PATH; stdout is returned, and stderr (kept in a file in
/// `workdir` so that neither pipe can fill up and block the child) for messages.
func runTool(_ command: [String], in workdir: URL) throws -> (status: Int32, output: String, errors: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = command
    let errorFile = workdir.appendingPathComponent("stderr-\(UUID().uuidString).txt")
    _ = FileManager.default.createFile(atPath: errorFile.path, contents: nil)
    let errors = try FileHandle(forWritingTo: errorFile)
    defer { try? errors.close() }
    let stdout = Pipe()
    process.standardOutput = stdout
    process.standardError = errors
    try process.run()
    let outputData = stdout.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let errorText = (try? String(contentsOf: errorFile, encoding: .utf8)) ?? ""
    return (process.terminationStatus, String(decoding: outputData, as: UTF8.self), errorText)
}

/// A fresh temporary folder, removed by the caller.
func makeWorkdir() throws -> URL {
    let workdir = FileManager.default.temporaryDirectory.appendingPathComponent("protojson-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: workdir, withIntermediateDirectories: true)
    return workdir
}

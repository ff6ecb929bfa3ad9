@testable import immigctl
import XCTest

final class MessageTemplateTests: XCTestCase {
    func testEveryMessageTemplateReadsBackThroughTheJSONCodec() throws {
        let catalog = ContractCatalog.embedded
        var checked = 0
        for case .message(let message, _) in catalog.symbols.values where !message.isMapEntry {
            let json = MessageTemplate(catalog: catalog).json(for: message)
            let type = try MessageType(named: message.fullName)
            do {
                _ = try type.decode(json: Array(json.utf8), ignoreUnknownFields: false)
            } catch {
                XCTFail("\(message.fullName): \(error)\n\(json)")
            }
            checked += 1
        }
        XCTAssertGreaterThan(checked, 100, "every message of the contracts, nested ones included")
    }

    func testTemplateFillsNestedMessagesListsMapsAndTheFirstOneofMember() async throws {
        let person = try await ImmigctlProcess.run(["describe", "immigration.records.v1.Person", "--template"])
        XCTAssertEqual(person.status, 0, person.stderr)
        XCTAssertTrue(person.stdout.contains(#"  "version": "0","#), person.stdout)
        XCTAssertTrue(person.stdout.contains(#"    "nationalities": ["# + "\n" + #"      """#), person.stdout)
        XCTAssertTrue(person.stdout.contains(#"    "recordedAt": "1970-01-01T00:00:00Z""#), person.stdout)
        let errorInfo = try await ImmigctlProcess.run(["describe", "google.rpc.ErrorInfo", "--template"])
        XCTAssertTrue(errorInfo.stdout.contains(#"  "metadata": {"# + "\n" + #"    "key": """#), errorInfo.stdout)
        let request = try await ImmigctlProcess.run(["describe", "grpc.reflection.v1.ServerReflectionRequest", "--template"])
        XCTAssertTrue(request.stdout.contains(#"  "fileByFilename": """#), request.stdout)
        XCTAssertFalse(request.stdout.contains("fileContainingSymbol"), "one member per oneof")
        let retry = try await ImmigctlProcess.run(["describe", "google.rpc.RetryInfo", "--template"])
        XCTAssertEqual(retry.stdout, "{\n  \"retryDelay\": \"0s\"\n}\n")

        let method = try await ImmigctlProcess.run(["describe", "grpc.health.v1.Health/Check", "--template"])
        XCTAssertEqual(method.stdout, "{\n  \"service\": \"\"\n}\n")
        let service = try await ImmigctlProcess.run(["describe", "grpc.health.v1.Health", "--template"])
        XCTAssertEqual(service.status, 1)
    }
}

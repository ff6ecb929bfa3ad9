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
        let result = try await ImmigctlProcess.run(["describe", "immigration.testing.v1.FieldKinds", "--template"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains(#"  "int64Value": "0","#), result.stdout)
        XCTAssertTrue(result.stdout.contains(#"  "labels": {"# + "\n" + #"    "key": """#), result.stdout)
        XCTAssertTrue(result.stdout.contains(#"  "choiceText": "","#), result.stdout)
        XCTAssertFalse(result.stdout.contains("choiceNumber"), "one member per oneof")
        XCTAssertTrue(result.stdout.contains(#"  "instant": "1970-01-01T00:00:00Z","#), result.stdout)
        XCTAssertTrue(result.stdout.contains(#"  "elapsed": "0s","#), result.stdout)

        let method = try await ImmigctlProcess.run(["describe", "grpc.health.v1.Health/Check", "--template"])
        XCTAssertEqual(method.stdout, "{\n  \"service\": \"\"\n}\n")
        let service = try await ImmigctlProcess.run(["describe", "grpc.health.v1.Health", "--template"])
        XCTAssertEqual(service.status, 1)
    }
}

import Foundation
import XCTest

/// The committed protoc-c output of the test proto is what protoc-c writes today.
final class TestMessagesFreshnessTests: XCTestCase {
    func testTheCommittedTestMessagesMatchProtocCOutput() throws {
        let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        let workdir = try makeWorkdir()
        defer { try? FileManager.default.removeItem(at: workdir) }
        let run = try runTool(["protoc-c", "-I\(here.appendingPathComponent("Fixtures").path)", "-I/usr/include",
                               "--c_out=\(workdir.path)", "protojson_test.proto"], in: workdir)
        XCTAssertEqual(run.status, 0, "protoc-c failed: \(run.errors)")
        for (generated, committed) in [("protojson_test.pb-c.h", "TestMessages/include/protojson_test.pb-c.h"),
                                       ("protojson_test.pb-c.c", "TestMessages/src/protojson_test.pb-c.c")] {
            let fresh = try Data(contentsOf: workdir.appendingPathComponent(generated))
            let kept = try Data(contentsOf: here.appendingPathComponent(committed))
            XCTAssertEqual(fresh, kept, "\(committed) is stale: run Tests/ProtoJSONTests/Fixtures/generate-test-messages.sh")
        }
    }
}

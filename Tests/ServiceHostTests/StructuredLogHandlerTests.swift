import Logging
import XCTest
@testable import ServiceHost

final class StructuredLogHandlerTests: XCTestCase {
    func testJSONLinesAreOneObjectWithEscapedTextAndSortedMetadata() throws {
        let line = StructuredLogHandler.render(format: .json, timestamp: "2026-01-01T00:00:00.000Z", level: .notice,
                                               service: "records", logger: "immigration.records",
                                               message: "said \"hi\"\nthen left",
                                               metadata: ["z": "last", "trace.id": "abc", "n": .stringConvertible(3)])
        XCTAssertFalse(line.contains("\n"))
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])
        XCTAssertEqual(object, ["ts": "2026-01-01T00:00:00.000Z", "level": "notice", "service": "records",
                                "logger": "immigration.records", "msg": "said \"hi\"\nthen left",
                                "n": "3", "trace.id": "abc", "z": "last"])
        XCTAssertLessThan(try XCTUnwrap(line.range(of: "\"n\"")).lowerBound, try XCTUnwrap(line.range(of: "\"z\"")).lowerBound)
    }

    func testLogfmtQuotesOnlyValuesThatNeedIt() {
        let line = StructuredLogHandler.render(format: .logfmt, timestamp: "2026-01-01T00:00:00.000Z", level: .info,
                                               service: "records", logger: "l", message: "serving",
                                               metadata: ["grpc.port": "50051", "note": "two words"])
        XCTAssertEqual(line, "ts=2026-01-01T00:00:00.000Z level=info service=records logger=l msg=serving "
                             + "grpc.port=50051 note=\"two words\"")
    }

    func testTheTimestampIsRFC3339UTCWithMilliseconds() {
        let timestamp = StructuredLogHandler.timestamp()
        XCTAssertNotNil(timestamp.wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/), timestamp)
    }
}

import Contracts
import XCTest

/// `ProtoTimestamp` and the `Duration` conversions hold what the proto holds.
final class ProtoTimestampTests: XCTestCase {
    func testDescriptionIsRFC3339InUTC() {
        XCTAssertEqual(ProtoTimestamp.epoch.description, "1970-01-01T00:00:00Z")
        XCTAssertEqual(ProtoTimestamp(seconds: -1, nanos: 999_999_999).description, "1969-12-31T23:59:59.999999999Z")
        XCTAssertEqual(ProtoTimestamp(seconds: 253_402_300_799).description, "9999-12-31T23:59:59Z")
        XCTAssertEqual(ProtoTimestamp(seconds: -62_135_596_800).description, "0001-01-01T00:00:00Z")
        XCTAssertEqual(ProtoTimestamp(seconds: 1_709_164_800, nanos: 500_000_000).description, "2024-02-29T00:00:00.5Z")
    }

    func testNanosecondsCarryIntoSeconds() {
        XCTAssertEqual(ProtoTimestamp(seconds: 0, nanos: -1), ProtoTimestamp(seconds: -1, nanos: 999_999_999))
        XCTAssertEqual(ProtoTimestamp(seconds: 0, nanos: 1_500_000_000), ProtoTimestamp(seconds: 1, nanos: 500_000_000))
    }

    func testArithmeticWithDuration() {
        let start = ProtoTimestamp(seconds: 100, nanos: 900_000_000)
        XCTAssertEqual(start + .milliseconds(200), ProtoTimestamp(seconds: 101, nanos: 100_000_000))
        XCTAssertEqual(start - .seconds(101), ProtoTimestamp(seconds: -1, nanos: 900_000_000))
        XCTAssertEqual((start + .seconds(5)) - start, .seconds(5))
        XCTAssertLessThan(start, start + .nanoseconds(1))
        XCTAssertLessThan(ProtoTimestamp.epoch, ProtoTimestamp.now())
    }

    func testDurationComponentsShareOneSign() {
        XCTAssertTrue(Duration.milliseconds(-1500).protoComponents == (-1, -500_000_000))
        XCTAssertTrue(Duration.milliseconds(1500).protoComponents == (1, 500_000_000))
        XCTAssertTrue(Duration.nanoseconds(-1).protoComponents == (0, -1))
        XCTAssertEqual(Duration(protoSeconds: -1, nanos: -500_000_000), .milliseconds(-1500))
    }
}

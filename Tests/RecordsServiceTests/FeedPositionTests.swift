import XCTest
@testable import RecordsService

final class FeedPositionTests: XCTestCase {
    func testATokenReadsBackAsItsPosition() throws {
        for position: Int64 in [0, 1, 42, 9_000_000_000] {
            XCTAssertEqual(try FeedPosition.parse(FeedPosition.token(position)), position)
        }
        XCTAssertEqual(try FeedPosition.parse(""), 0)
    }

    func testATokenTheFeedDidNotIssueIsBadInput() {
        for bad in ["42", "1:", "1:-3", "1:+3", "1:007", "2:42", "1:42x", "1: 42"] {
            XCTAssertThrowsError(try FeedPosition.parse(bad), bad) {
                XCTAssertEqual(($0 as? ValidationError)?.rule, "feed_position")
            }
        }
    }

    func testAConsumerBehindTheRetentionIsOutOfRange() {
        XCTAssertThrowsError(try FeedPosition.checkRetained(after: 99, purgedThrough: 100, fromOldest: false))
        XCTAssertNoThrow(try FeedPosition.checkRetained(after: 100, purgedThrough: 100, fromOldest: false))
        XCTAssertNoThrow(try FeedPosition.checkRetained(after: 0, purgedThrough: 100, fromOldest: true))
    }
}

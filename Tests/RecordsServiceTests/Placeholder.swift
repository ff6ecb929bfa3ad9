import XCTest
final class RecordsServiceTestsPlaceholder: XCTestCase { func testPlaceholder() {} }

import XCTest
final class ProtoJSONTestsPlaceholder: XCTestCase { func testPlaceholder() {} }

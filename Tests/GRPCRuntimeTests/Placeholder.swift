import XCTest
final class GRPCRuntimeTestsPlaceholder: XCTestCase { func testPlaceholder() {} }

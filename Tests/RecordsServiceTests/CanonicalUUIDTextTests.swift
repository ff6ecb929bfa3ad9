import Foundation
import XCTest
@testable import RecordsService

/// `UUID(canonicalText:)`: every UUID reads back from its text, and no other text is read.
final class CanonicalUUIDTextTests: XCTestCase {
    func testEveryUUIDReadsBackFromItsTextInEitherCase() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let id = UUID()
            XCTAssertEqual(UUID(canonicalText: id.uuidString), id)
            XCTAssertEqual(UUID(canonicalText: id.uuidString.lowercased()), id)
            // Mixed case, one character at a time.
            let mixed = String(id.uuidString.map { Bool.random(using: &generator) ? Character($0.lowercased()) : $0 })
            XCTAssertEqual(UUID(canonicalText: mixed), id, mixed)
        }
        XCTAssertEqual(UUID(canonicalText: "00000000-0000-0000-0000-000000000000"), UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)))
        XCTAssertEqual(UUID(canonicalText: "ffffffff-ffff-ffff-ffff-ffffffffffff")?.uuidString, "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF")
    }

    /// The forms `UUID(uuidString:)` (sscanf) reads as another id.
    func testASignOrABlankInAGroupIsRefusedNotReadAsAnotherID() {
        for text in ["+f2504e0-4f89-41d3-9a0c-0305e82c3301", " f2504e0-4f89-41d3-9a0c-0305e82c3301",
                     "3f2504e0-+f89-41d3-9a0c-0305e82c3301", "3f2504e0-4f89-41d3-9a0c-0305e82c330 ",
                     "3f2504e0-4f89-41d3-9a0c--305e82c3301", "3f2504e0-4f89-41d3-9a0c-0x05e82c3301"] {
            XCTAssertNil(UUID(canonicalText: text), text)
        }
    }

    func testEveryOtherMalformedTextIsRefused() {
        let good = "3f2504e0-4f89-41d3-9a0c-0305e82c3301"
        XCTAssertNotNil(UUID(canonicalText: good))
        for text in ["", good.dropLast().description, good + "1", "{\(good)}", good.replacingOccurrences(of: "-", with: ""),
                     "3f2504e0-4f89-41d3-9a0c0-305e82c3301", "3f2504e04-f89-41d3-9a0c-0305e82c3301",
                     "3f2504e0_4f89_41d3_9a0c_0305e82c3301", "3f2504e0-4f89-41d3-9a0c-0305e82c330g",
                     "3f2504e0-4f89-41d3-9a0c-0305e82c33é", "３f2504e0-4f89-41d3-9a0c-0305e82c3301"] {
            XCTAssertNil(UUID(canonicalText: text), text)
        }
        // Each position of the good text changed to a character that is not allowed there.
        for (offset, character) in good.enumerated() {
            var bytes = Array(good.utf8)
            bytes[offset] = character == "-" ? UInt8(ascii: "0") : UInt8(ascii: "-")
            XCTAssertNil(UUID(canonicalText: String(decoding: bytes, as: UTF8.self)), "position \(offset)")
            bytes[offset] = UInt8(ascii: "g")
            XCTAssertNil(UUID(canonicalText: String(decoding: bytes, as: UTF8.self)), "position \(offset)")
        }
    }

    /// Where both read a text, they read the same id: the canonical forms
    /// Foundation reads are read alike.
    func testCanonicalTextIsReadAsFoundationReadsIt() {
        for _ in 0..<500 {
            let text = UUID().uuidString
            XCTAssertEqual(UUID(canonicalText: text), UUID(uuidString: text))
            XCTAssertEqual(UUID(canonicalText: text.lowercased()), UUID(uuidString: text.lowercased()))
        }
    }
}

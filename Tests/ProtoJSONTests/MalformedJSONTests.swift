import ProtoJSON
import XCTest

/// Hostile or broken JSON gives a precise error, never a crash.
final class MalformedJSONTests: XCTestCase {
    private func reason(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> String? {
        reason(Array(text.utf8), file: file, line: line)
    }

    private func reason(_ bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line) -> String? {
        let error = decodingFailure(bytes, Descriptors.lists, file: file, line: line)
        XCTAssertEqual(error?.path, "", file: file, line: line)
        return error?.reason
    }

    func testTruncatedDocumentsAreRejectedWithTheirPosition() {
        XCTAssertEqual(reason(""), "invalid JSON at line 1, column 1: unexpected end of input")
        XCTAssertEqual(reason(#"{"strings":["a""#), "invalid JSON at line 1, column 16: expected ',' or ']' in an array")
        XCTAssertEqual(reason(#"{"strings":["a"#), "invalid JSON at line 1, column 15: unterminated string")
        XCTAssertEqual(reason("{\n  \"bools\": [tr"), "invalid JSON at line 2, column 13: unexpected end of input")
        XCTAssertEqual(reason(#"{"bools""#), "invalid JSON at line 1, column 9: expected ':' after an object key")
        XCTAssertEqual(reason(#"{"s":"\u12"#), #"invalid JSON at line 1, column 9: unterminated \u escape"#)
    }

    func testSyntaxErrorsAreRejected() {
        XCTAssertEqual(reason(#"{"bools":[true,]}"#), "invalid JSON at line 1, column 16: unexpected character")
        XCTAssertEqual(reason(#"{"bools":[true] "x":1}"#), "invalid JSON at line 1, column 17: expected ',' or '}' in an object")
        XCTAssertEqual(reason(#"{bools:1}"#), "invalid JSON at line 1, column 2: expected a string key")
        XCTAssertEqual(reason(#"{"packedInt32":[01]}"#), "invalid JSON at line 1, column 18: numbers may not have leading zeros")
        XCTAssertEqual(reason(#"{"doubles":[1.]}"#), "invalid JSON at line 1, column 15: expected a digit after '.'")
        XCTAssertEqual(reason(#"{"doubles":[NaN]}"#), "invalid JSON at line 1, column 13: unexpected character")
        XCTAssertEqual(reason(#"{"doubles":[+1]}"#), "invalid JSON at line 1, column 13: unexpected character")
        XCTAssertEqual(reason(#"{} {}"#), "invalid JSON at line 1, column 4: unexpected text after the JSON value")
        XCTAssertEqual(reason(#"{"strings":["a\x"]}"#), #"invalid JSON at line 1, column 16: invalid escape sequence"#)
        XCTAssertEqual(reason("{\"strings\":[\"tab\there\"]}"),
                       "invalid JSON at line 1, column 17: control character in a string must be escaped")
        XCTAssertEqual(reason(#"{"strings":['a']}"#), "invalid JSON at line 1, column 13: unexpected character")
    }

    func testUnpairedSurrogatesAreRejected() {
        XCTAssertEqual(reason(#"{"strings":["\ud800"]}"#),
                       #"invalid JSON at line 1, column 20: unpaired UTF-16 surrogate in a \u escape"#)
        XCTAssertEqual(reason(#"{"strings":["\udc00\ud800"]}"#),
                       #"invalid JSON at line 1, column 20: unpaired UTF-16 surrogate in a \u escape"#)
        XCTAssertEqual(reason(#"{"strings":["\ud800\u0041"]}"#),
                       #"invalid JSON at line 1, column 26: unpaired UTF-16 surrogate in a \u escape"#)
    }

    func testInvalidUTF8IsRejectedWithItsPosition() {
        let prefix = Array(#"{"strings":[""#.utf8)
        let suffix = Array(#""]}"#.utf8)
        for bad: [UInt8] in [[0xFF], [0xC0, 0xAF], [0xE0, 0x80, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80],
                             [0xC3], [0x80], [0xE1, 0xBB]] {
            XCTAssertEqual(reason(prefix + bad + suffix), "invalid JSON at line 1, column 14: invalid UTF-8", "\(bad)")
        }
        // Valid multi-byte sequences up to U+10FFFF pass.
        XCTAssertNoThrow(try ProtoJSON.decode(json: prefix + [0xF4, 0x8F, 0xBF, 0xBF, 0xE1, 0xBB, 0x85] + suffix,
                                              descriptor: Descriptors.lists))
    }

    func testDuplicateKeysAreRejected() {
        XCTAssertEqual(reason(#"{"bools":[true],"bools":[false]}"#), #"invalid JSON at line 1, column 17: duplicate key "bools""#)
        let error = decodingFailure(Array(#"{"stringToString":{"k":"a","k":"b"}}"#.utf8), Descriptors.maps)
        XCTAssertEqual(error?.reason, #"invalid JSON at line 1, column 28: duplicate key "k""#)
    }

    func testDeepNestingStopsAtTheDepthLimit() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        XCTAssertEqual(reason(deep), "invalid JSON at line 1, column 101: nesting deeper than 100 levels")
        let objects = String(repeating: #"{"a":"#, count: 50_000)
        XCTAssertEqual(reason(objects), "invalid JSON at line 1, column 501: nesting deeper than 100 levels")
    }

    func testDeeplyNestedMessagesWithinTheLimitDecodeAndEncode() throws {
        let depth = 90
        let json = String(repeating: #"{"onlyChild":"#, count: depth) + #"{"name":"leaf"}"# + String(repeating: "}", count: depth)
        let wire = try ProtoJSON.decode(json: json, descriptor: Descriptors.tree)
        XCTAssertEqual(try ProtoJSON.encode(wire: wire, descriptor: Descriptors.tree), json)
        XCTAssertThrowsError(try ProtoJSON.encodeCanonical(wire: wire, descriptor: Descriptors.tree,
                                                           options: .init(maxDepth: 50))) { error in
            XCTAssertEqual((error as? ProtoJSONError)?.reason, "messages nest deeper than 50 levels")
        }
        let shown = try ProtoJSON.encode(wire: wire, descriptor: Descriptors.tree, options: .init(maxDepth: 3))
        XCTAssertEqual(shown, #"{"onlyChild":{"onlyChild":{"onlyChild":"(messages nest deeper than 3 levels; left out)"}}}"#)
    }

    func testAFailureHalfWayThroughALargeMessageIsAnErrorNotACrash() {
        // The last list element fails after many allocations; everything is freed (see the ASan run in docs/json.md).
        let strings = (0..<1000).map { "\"s\($0)\"" }.joined(separator: ",")
        let messages = (0..<200).map { #"{"fString":"m\#($0)","fBytes":"AAEC"}"# }.joined(separator: ",")
        let json = #"{"strings":[\#(strings)],"messages":[\#(messages),{"fInt32":"bad"}]}"#
        let error = decodingFailure(Array(json.utf8), Descriptors.lists)
        XCTAssertEqual(error?.path, "messages[200].fInt32")
    }
}

import Contracts
import ProtobufC
import TestContracts
import XCTest

/// `UnknownFields(encodedFields:messageType:)`, which GetPerson's kept answers
/// stand on: an encoded message taken field by field and set as an empty
/// message's unknown fields is encoded again byte for byte as it was, and
/// decodes as the original; bytes that are not a sequence of fields throw
/// `WireFormatError.malformed`, never crash or pass.
final class KeptFieldsTests: XCTestCase {
    static let type = "immigration.testing.v1.FieldKinds"

    /// Encodes `message`, takes its fields as they are, and checks that an empty
    /// message carrying them encodes to the same bytes and decodes as `message`.
    func assertKeptAsEncoded(_ message: FieldKinds, _ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let bytes = try message.serializedBytes()
        var kept = FieldKinds()
        kept.unknownFields = try UnknownFields(encodedFields: bytes, messageType: Self.type)
        XCTAssertEqual(kept.unknownFields.isEmpty, bytes.isEmpty, name, file: file, line: line)
        XCTAssertEqual(try kept.serializedBytes(), bytes, "\(name): re-encoded bytes differ", file: file, line: line)
        let decoded = try FieldKinds(serializedBytes: try kept.serializedBytes())
        if name == "nan" {  // NaN equals nothing: the floats' bits instead
            XCTAssertEqual(decoded.floatValue.bitPattern, message.floatValue.bitPattern, name, file: file, line: line)
            XCTAssertEqual(decoded.doubleValue.bitPattern, message.doubleValue.bitPattern, name, file: file, line: line)
        } else {
            XCTAssertEqual(decoded, message, name, file: file, line: line)
        }
        XCTAssertTrue(decoded.unknownFields.isEmpty, "\(name): the receiver knows every field", file: file, line: line)
    }

    func testAMessageOfEveryWireTypeAndNestingIsEncodedAgainExactlyAsItWas() throws {
        let message = FieldKinds.with {
            $0.int32Value = 150                      // varint
            $0.int64Value = -1                       // ten-byte varint
            $0.sint64Value = .min                    // zig-zag varint
            $0.fixed32Value = 0xdead_beef            // fixed32
            $0.sfixed64Value = -2                    // fixed64
            $0.floatValue = 1.5                      // fixed32
            $0.doubleValue = -0.25                   // fixed64
            $0.boolValue = true
            $0.stringValue = FieldKindsCases.vietnamese  // length-delimited
            $0.bytesValue = Array(0...255)           // length with a two-byte varint
            $0.nested = FieldKindsCases.nested("outer", 2, .inner, leaf: ("leaf", [0, 1, 2]))  // nested, two levels
            $0.name = .with { $0.familyName = "Nguyễn"; $0.givenName = "An" }
            $0.packedInt32 = [0, -1, .max]
            $0.unpackedSfixed64 = [.min, .max]
            $0.nestedList = [FieldKindsCases.nested("a", 1), Nested()]
            $0.labels = ["tên": "An"]
        }
        try assertKeptAsEncoded(message, "every wire type")
        for (name, message) in FieldKindsCases.all.sorted(by: { $0.key < $1.key }) {
            try assertKeptAsEncoded(message, name)
        }
    }

    func testEachFieldIsTakenWithItsNumberWireTypeAndValueBytesLengthIncluded() throws {
        let bytes: [UInt8] = [0x08, 0x96, 0x01,                              // 1: varint 150
                              0x15, 0x01, 0x02, 0x03, 0x04,                  // 2: fixed32
                              0x19, 1, 2, 3, 4, 5, 6, 7, 8,                  // 3: fixed64
                              0x22, 0x02, 0x68, 0x69,                        // 4: "hi"
                              0xfa, 0xff, 0xff, 0xff, 0x0f, 0x00]            // 536870911: empty bytes
        let fields = try UnknownFields(encodedFields: bytes, messageType: Self.type).fields
        XCTAssertEqual(fields, [
            .init(number: 1, wireType: 0, data: [0x96, 0x01]),
            .init(number: 2, wireType: 5, data: [1, 2, 3, 4]),
            .init(number: 3, wireType: 1, data: [1, 2, 3, 4, 5, 6, 7, 8]),
            .init(number: 4, wireType: 2, data: [0x02, 0x68, 0x69]),
            .init(number: 0x1fff_ffff, wireType: 2, data: [0x00]),
        ])
    }

    func testEmptyInputGivesNoFields() throws {
        let none = try UnknownFields(encodedFields: [], messageType: Self.type)
        XCTAssertTrue(none.isEmpty)
        XCTAssertEqual(none.fields, [])
        XCTAssertEqual(none, UnknownFields())
        var message = FieldKinds()
        message.unknownFields = none
        XCTAssertEqual(try message.serializedBytes(), [])
    }

    func assertMalformed(_ bytes: [UInt8], _ what: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try UnknownFields(encodedFields: bytes, messageType: Self.type), what, file: file, line: line) { error in
            XCTAssertEqual(error as? WireFormatError, .malformed(messageType: Self.type, byteCount: bytes.count), what,
                           file: file, line: line)
        }
    }

    func testBytesThatAreNotASequenceOfFieldsThrowMalformed() {
        assertMalformed([0x08], "varint value missing")
        assertMalformed([0x08, 0x80], "varint value truncated")
        assertMalformed([0x80], "tag truncated")
        assertMalformed([0x08, 0x01, 0x96], "tag truncated after a good field")
        assertMalformed([0x0d, 0x01, 0x02], "fixed32 truncated")
        assertMalformed([0x09, 0x01], "fixed64 truncated")
        assertMalformed([0x12, 0x05, 0x61], "length past the end")
        assertMalformed([0x12, 0x01], "length past the end, nothing after it")
        assertMalformed([0x12, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x00], "length near 2^63")
        assertMalformed([0x12, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], "length of 2^64 - 1")
        assertMalformed([0x12], "length missing")
        assertMalformed([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02], "a tenth varint byte past the 64th bit")
        assertMalformed([0x00, 0x01], "field number 0, varint")
        assertMalformed([0x02, 0x00], "field number 0, length-delimited")
        assertMalformed([0x08, 0x01, 0x05, 0x00, 0x00, 0x00, 0x00], "field number 0 after a good field")
        assertMalformed([0x80, 0x80, 0x80, 0x80, 0x10, 0x00], "field number 2^29, past the largest")
        for wireType: UInt8 in [3, 4, 6, 7] {
            assertMalformed([0x08 | wireType, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00], "wire type \(wireType)")
        }
        assertMalformed([0x08] + [UInt8](repeating: 0xff, count: 10) + [0x01], "an 11-byte varint value")
        assertMalformed([UInt8](repeating: 0x88, count: 11) + [0x01], "an 11-byte tag")
    }

    func testATenByteVarintIsTheLongestAccepted() throws {
        let longest = [0x08] + [UInt8](repeating: 0xff, count: 9) + [0x01]
        let fields = try UnknownFields(encodedFields: longest, messageType: Self.type).fields
        XCTAssertEqual(fields, [.init(number: 1, wireType: 0, data: Array(longest.dropFirst()))])
        XCTAssertEqual(try FieldKinds(serializedBytes: longest).int32Value, -1)
    }
}

import Contracts
import TestContracts
import XCTest

/// Every field kind survives an encode and decode through protobuf-c, and the
/// bytes on the wire are the ones the protobuf encoding prescribes.
final class FieldKindsRoundTripTests: XCTestCase {
    static let cases = FieldKindsCases.all

    func testEveryCaseRoundTripsThroughTheWire() throws {
        for (name, message) in Self.cases.sorted(by: { $0.key < $1.key }) {
            let decoded = try FieldKinds(serializedBytes: try message.serializedBytes())
            if name == "nan" {
                XCTAssertTrue(decoded.floatValue.isNaN && decoded.doubleValue.isNaN, name)
            } else {
                XCTAssertEqual(decoded, message, name)
            }
        }
    }

    func testDefaultMessageEncodesToNoBytes() throws {
        XCTAssertEqual(try FieldKinds().serializedBytes(), [])
        XCTAssertEqual(try FieldKinds(serializedBytes: []), FieldKinds())
    }

    func testVietnameseNameIsEncodedAsUTF8InFieldOrder() throws {
        let name = Immigration_Common_V1_PersonName.with {
            $0.familyName = "Nguyễn"
            $0.givenName = "Ánh"
        }
        let family = Array("Nguyễn".utf8)
        let given = Array("Ánh".utf8)
        XCTAssertEqual(try name.serializedBytes(),
                       [0x0a, UInt8(family.count)] + family + [0x1a, UInt8(given.count)] + given)
        XCTAssertEqual(try Immigration_Common_V1_PersonName(serializedBytes: try name.serializedBytes()), name)
    }

    func testNegativeInt32IsATenByteVarint() throws {
        let bytes = try FieldKinds.with { $0.int32Value = -1 }.serializedBytes()
        XCTAssertEqual(bytes, [0x08] + [UInt8](repeating: 0xff, count: 9) + [0x01])
    }

    func testSint64ExtremesUseZigZagEncoding() throws {
        // Field 6, wire type 0: tag 0x30. Zig-zag maps min to 2^64-1 and max to 2^64-2.
        XCTAssertEqual(try FieldKinds.with { $0.sint64Value = .min }.serializedBytes(),
                       [0x30] + [UInt8](repeating: 0xff, count: 9) + [0x01])
        XCTAssertEqual(try FieldKinds.with { $0.sint64Value = .max }.serializedBytes(),
                       [0x30, 0xfe] + [UInt8](repeating: 0xff, count: 8) + [0x01])
        XCTAssertEqual(try FieldKinds.with { $0.sint32Value = -1 }.serializedBytes(), [0x28, 0x01])
    }

    func testPackedFieldsAreOneRecordAndUnpackedFieldsRepeatTheTag() throws {
        let bytes = try FieldKinds.with {
            $0.packedInt32 = [1, 2, 3]
            $0.unpackedInt32 = [1, 2, 3]
        }.serializedBytes()
        // Field 20 packed (tag 0xa2 0x01, length 3); field 30 unpacked (tag 0xf0 0x01 per value).
        XCTAssertEqual(bytes, [0xa2, 0x01, 0x03, 1, 2, 3, 0xf0, 0x01, 1, 0xf0, 0x01, 2, 0xf0, 0x01, 3])
    }

    func testNilWrapperIsAbsentAndZeroWrapperIsPresent() throws {
        XCTAssertEqual(try FieldKinds.with { $0.wrappedInt32 = nil }.serializedBytes(), [])
        let zero = try FieldKinds.with { $0.wrappedInt32 = 0 }.serializedBytes()
        XCTAssertEqual(zero, [0xd2, 0x04, 0x00])  // field 74, length 0: an Int32Value holding 0
        XCTAssertEqual(try FieldKinds(serializedBytes: zero).wrappedInt32, 0)
        XCTAssertNil(try FieldKinds(serializedBytes: []).wrappedInt32)
        XCTAssertEqual(try FieldKinds(serializedBytes: try FieldKinds.with { $0.wrappedString = "" }.serializedBytes()).wrappedString, "")
    }

    func testOneFieldOneofGivesPresenceToZero() throws {
        let zero = try FieldKinds.with { $0.maybeCount = 0 }.serializedBytes()
        XCTAssertEqual(zero, [0x90, 0x04, 0x00])  // field 66, varint 0
        XCTAssertEqual(try FieldKinds(serializedBytes: zero).maybeCount, 0)
        XCTAssertNil(try FieldKinds(serializedBytes: []).maybeCount)
    }

    func testEmptyOneofMembersArePresent() throws {
        for choice: FieldKinds.OneOf_Choice in [.choiceText(""), .choiceBytes([]), .choiceNumber(0),
                                                 .choiceNested(Nested()), .choiceColor(.unspecified), .choiceWrapped(0)] {
            let decoded = try FieldKinds(serializedBytes: try FieldKinds.with { $0.choice = choice }.serializedBytes())
            XCTAssertEqual(decoded.choice, choice)
        }
        XCTAssertNil(try FieldKinds(serializedBytes: []).choice)
    }

    func testUnknownEnumValuesAreKept() throws {
        let message = try XCTUnwrap(Self.cases["unknown_enum_values"])
        let decoded = try FieldKinds(serializedBytes: try message.serializedBytes())
        XCTAssertEqual(decoded.color, .unrecognized(42))
        XCTAssertEqual(decoded.color.rawValue, 42)
        XCTAssertEqual(decoded.packedColors.map(\.rawValue), [1, 99, -5])
        XCTAssertEqual(Immigration_Testing_V1_Color(rawValue: -1), .infrared)
    }

    func testUnknownFieldsAreKeptAndEmittedAgain() throws {
        for name in FieldKindsCases.subsetCases.sorted() {
            let full = try XCTUnwrap(Self.cases[name])
            let subset = try Immigration_Testing_V1_FieldKindsSubset(serializedBytes: try full.serializedBytes())
            XCTAssertFalse(subset.unknownFields.isEmpty, name)
            XCTAssertEqual(try FieldKinds(serializedBytes: try subset.serializedBytes()), full, name)
        }
    }

    func testRecursiveMessagesKeepEveryLevel() throws {
        let message = try XCTUnwrap(Self.cases["recursive"])
        let decoded = try FieldKinds(serializedBytes: try message.serializedBytes())
        XCTAssertEqual(decoded.tree?.child?.child?.name, "grandchild")
        XCTAssertEqual(decoded.tree?.child?.child?.end, "leaf")
        XCTAssertEqual(decoded.tree?.children.first?.next.name, "b")
    }

    func testTimestampAndDurationKeepSignAndNanoseconds() throws {
        let message = try XCTUnwrap(Self.cases["time"])
        let decoded = try FieldKinds(serializedBytes: try message.serializedBytes())
        XCTAssertEqual(decoded.instant, ProtoTimestamp(seconds: -1, nanos: 999_999_999))
        XCTAssertEqual(decoded.elapsed, .milliseconds(-1500))
        XCTAssertEqual(decoded.elapsed?.protoComponents.seconds, -1)
        XCTAssertEqual(decoded.elapsed?.protoComponents.nanos, -500_000_000)
    }

    func testStringContainingNULCannotBeEncoded() {
        XCTAssertThrowsError(try FieldKinds.with { $0.stringValue = "a\u{0}b" }.serializedBytes()) { error in
            XCTAssertEqual(error as? WireFormatError,
                           .stringContainsNUL(field: "immigration.testing.v1.FieldKinds.string_value"))
        }
    }

    func testMapsEncodeInKeyOrder() throws {
        let message = FieldKinds.with { $0.labels = ["b": "2", "a": "1", "c": "3"] }
        let first = try message.serializedBytes()
        for _ in 0..<5 { XCTAssertEqual(try message.serializedBytes(), first) }
        let keys = first.indices.filter { first[$0] == 0x0a && first[$0 + 1] == 0x01 }.map { first[$0 + 2] }
        XCTAssertEqual(keys, Array("abc".utf8))
    }

    func testKeywordAndClashingNamesRoundTrip() throws {
        let message = Immigration_Testing_V1_ReservedNames.with {
            $0.default = "mặc định"
            $0.in = -3
            $0.protocol = true
            $0.unknownFields_p = "kept apart from unknownFields"
            $0.serializedBytes_p = [1, 2]
            $0.unsigned = .max
            $0.type = .with { $0.name = "type" }
            $0.keyword = .self_
            $0.for = ["a", "b"]
            $0.case = ["x": 1]
            $0.while = "loop"
        }
        let decoded = try Immigration_Testing_V1_ReservedNames(serializedBytes: try message.serializedBytes())
        XCTAssertEqual(decoded, message)
        XCTAssertEqual(decoded.switch, .while("loop"))
        XCTAssertEqual(Immigration_Testing_V1_ReservedNames.Keyword.allCases, [.unspecified, .default, .class, .self_])
    }
}

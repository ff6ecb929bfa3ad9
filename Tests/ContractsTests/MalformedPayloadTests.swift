import Contracts
import TestContracts
import XCTest

/// Bad bytes give a `WireFormatError` that names the message or field, never a crash.
final class MalformedPayloadTests: XCTestCase {
    func assertMalformed(_ bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try FieldKinds(serializedBytes: bytes), file: file, line: line) { error in
            XCTAssertEqual(error as? WireFormatError,
                           .malformed(messageType: "immigration.testing.v1.FieldKinds", byteCount: bytes.count),
                           file: file, line: line)
        }
    }

    func testTruncatedVarintIsRejected() {
        assertMalformed([0x08])
        assertMalformed([0x08, 0x80])
    }

    func testTruncatedFixedWidthValueIsRejected() {
        assertMalformed([0x3d, 0x01, 0x02])  // fixed32 field 7, two of four bytes
        assertMalformed([0x41, 0x01])  // fixed64 field 8, one of eight bytes
    }

    func testWrongWireTypeIsRejected() {
        assertMalformed([0x0d, 0x00, 0x00, 0x00, 0x00])  // int32 field 1 as fixed32
        assertMalformed([0x70, 0x01])  // string field 14 as a varint
        assertMalformed([0x88, 0x01, 0x01])  // message field 17 as a varint
    }

    func testOverLongVarintIsRejected() {
        assertMalformed([0x08] + [UInt8](repeating: 0xff, count: 10) + [0x01])
    }

    func testLengthPastTheEndIsRejected() {
        assertMalformed([0x72, 0x05, 0x61])
        assertMalformed([0x7a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x00])
        assertMalformed([0x8a, 0x01, 0x10, 0x0a, 0x01])  // nested message longer than the data
    }

    func testInvalidUTF8InAStringNamesTheField() {
        XCTAssertThrowsError(try FieldKinds(serializedBytes: [0x72, 0x02, 0xc3, 0x28])) { error in
            XCTAssertEqual(error as? WireFormatError, .invalidUTF8(field: "immigration.testing.v1.FieldKinds.string_value"))
            XCTAssertTrue(String(describing: error).contains("string_value"))
        }
        // Inside a nested message of another package.
        XCTAssertThrowsError(try FieldKinds(serializedBytes: [0x92, 0x01, 0x03, 0x0a, 0x01, 0xff])) { error in
            XCTAssertEqual(error as? WireFormatError, .invalidUTF8(field: "immigration.common.v1.PersonName.family_name"))
        }
        // In a repeated string and in a map key.
        XCTAssertThrowsError(try FieldKinds(serializedBytes: [0xc2, 0x02, 0x01, 0x80])) { error in
            XCTAssertEqual(error as? WireFormatError, .invalidUTF8(field: "immigration.testing.v1.FieldKinds.strings"))
        }
        XCTAssertThrowsError(try FieldKinds(serializedBytes: [0x92, 0x03, 0x03, 0x0a, 0x01, 0xfe])) { error in
            XCTAssertEqual(error as? WireFormatError, .invalidUTF8(field: "immigration.testing.v1.FieldKinds.labels.key"))
        }
    }

    func testEveryTruncationAndCorruptionOfARichMessageFailsCleanlyOrDecodes() throws {
        var rich = try XCTUnwrap(FieldKindsCases.all["repeated"])
        rich.labels = ["tên": "Phạm"]
        rich.tree = try XCTUnwrap(FieldKindsCases.all["recursive"]?.tree)
        let bytes = try rich.serializedBytes()
        for length in 0..<bytes.count {
            do {
                _ = try FieldKinds(serializedBytes: Array(bytes[..<length]))
            } catch {
                XCTAssertTrue(error is WireFormatError, "prefix \(length): \(error)")
            }
        }
        var generator = SplitMix64(seed: 0x1a2b_3c4d)
        for _ in 0..<2000 {
            var corrupted = bytes
            for _ in 0..<3 {
                corrupted[Int(generator.next() % UInt64(corrupted.count))] = UInt8(truncatingIfNeeded: generator.next())
            }
            do {
                let decoded = try FieldKinds(serializedBytes: corrupted)
                _ = try? decoded.serializedBytes()
            } catch {
                XCTAssertTrue(error is WireFormatError, "\(error)")
            }
        }
    }
}

/// A small deterministic generator, so the corruption test is the same on every run.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

import Contracts
import TestContracts

typealias FieldKinds = Immigration_Testing_V1_FieldKinds
typealias Nested = Immigration_Testing_V1_Nested
typealias Node = Immigration_Testing_V1_Node

/// The cases of the Python cross-check, built in Swift. The same cases are
/// built in Python in Tests/Python/test_contracts_wire.py; keep them in step.
enum FieldKindsCases {
    static let vietnamese = "Nguyễn Văn An — Đặng Thị Ánh, Hồ Chí Minh, Quảng Ngãi, Bà Rịa–Vũng Tàu"

    /// Cases Swift also decodes as FieldKindsSubset, keeping unknown fields.
    static let subsetCases: Set<String> = ["scalars_max", "repeated", "maps", "wrappers_set", "recursive"]

    static func nested(_ note: String, _ depth: Int32, _ level: Nested.Level = .unspecified,
                       leaf: (String, [UInt8])? = nil) -> Nested {
        Nested.with {
            $0.note = note
            $0.depth = depth
            $0.level = level
            if let leaf { $0.leaf = .with { $0.label = leaf.0; $0.data = leaf.1 } }
        }
    }

    static var all: [String: FieldKinds] {
        var cases: [String: FieldKinds] = [:]
        cases["empty"] = FieldKinds()
        cases["scalars_max"] = .with {
            $0.int32Value = .max; $0.int64Value = .max; $0.uint32Value = .max; $0.uint64Value = .max
            $0.sint32Value = .max; $0.sint64Value = .max; $0.fixed32Value = .max; $0.fixed64Value = .max
            $0.sfixed32Value = .max; $0.sfixed64Value = .max; $0.floatValue = .greatestFiniteMagnitude
            $0.doubleValue = .greatestFiniteMagnitude; $0.boolValue = true; $0.stringValue = vietnamese
            $0.bytesValue = Array(0...255); $0.color = .blue; $0.level = .inner
        }
        cases["scalars_min"] = .with {
            $0.int32Value = .min; $0.int64Value = .min; $0.sint32Value = .min; $0.sint64Value = .min
            $0.sfixed32Value = .min; $0.sfixed64Value = .min; $0.floatValue = -.greatestFiniteMagnitude
            $0.doubleValue = .leastNonzeroMagnitude; $0.stringValue = "a"; $0.bytesValue = [0]; $0.color = .infrared
        }
        cases["negative_small"] = .with {
            $0.int32Value = -1; $0.int64Value = -1; $0.sint32Value = -1; $0.sint64Value = -2; $0.sfixed32Value = -3
            $0.sfixed64Value = -4; $0.floatValue = -0.5; $0.doubleValue = -1.25
        }
        cases["infinities"] = .with {
            $0.floatValue = .infinity; $0.doubleValue = -.infinity; $0.packedDouble = [.infinity, -.infinity, 0]
        }
        cases["nan"] = .with { $0.floatValue = .nan; $0.doubleValue = .nan }
        cases["repeated"] = .with {
            $0.packedInt32 = [0, -1, 1, .min, .max]
            $0.packedSint64 = [.min, -1, 0, 1, .max]
            $0.packedDouble = [0.5, -2.25, 1e300]
            $0.packedBool = [true, false, true]
            $0.packedColors = [.red, .infrared, .blue]
            $0.packedFixed32 = [0, 1, .max]
            $0.packedUint64 = [0, .max]
            $0.packedFloat = [1.5, -0.0]
            $0.unpackedInt32 = [-7, 0, 7]
            $0.unpackedFloat = [0.25, -8]
            $0.unpackedColors = [.green, .unspecified]
            $0.unpackedBool = [false, true]
            $0.unpackedSfixed64 = [.min, .max]
            $0.strings = ["", vietnamese, "x"]
            $0.blobs = [[], [0xff, 0x00, 0x01]]
            $0.wrappedStrings = ["", "Phạm"]
            $0.nestedList = [nested("first", 1, .top, leaf: ("leaf", [1])), Nested()]
            $0.instants = [ProtoTimestamp(seconds: 0), ProtoTimestamp(seconds: -62_135_596_800),
                           ProtoTimestamp(seconds: 253_402_300_799, nanos: 999_999_999)]
        }
        cases["maps"] = .with {
            $0.labels = ["": "empty key", "tên": vietnamese, "z": ""]
            $0.nestedByID = [-5: nested("minus five", -5), 0: Nested(), .max: nested("max", 3, .inner, leaf: ("l", []))]
            $0.namesByNumber = [.min: "min", 42: "forty-two"]
            $0.countsByFlag = [true: 1, false: -1]
            $0.blobsByID = [0: [], .max: [9, 8, 7]]
            $0.colorsByName = ["red": .red, "infrared": .infrared]
            $0.weights = [-1: 0.5, .max: -1e-3]
            $0.instantsByName = ["epoch": ProtoTimestamp(), "later": ProtoTimestamp(seconds: 1_700_000_000, nanos: 5)]
        }
        cases["oneof_text"] = .with { $0.choiceText = vietnamese }
        cases["oneof_text_empty"] = .with { $0.choice = .choiceText("") }
        cases["oneof_number_zero"] = .with { $0.choice = .choiceNumber(0) }
        cases["oneof_nested"] = .with { $0.choiceNested = nested("chosen", 2) }
        cases["oneof_nested_default"] = .with { $0.choice = .choiceNested(Nested()) }
        cases["oneof_bytes_empty"] = .with { $0.choice = .choiceBytes([]) }
        cases["oneof_color"] = .with { $0.choiceColor = .green }
        cases["oneof_wrapped_zero"] = .with { $0.choice = .choiceWrapped(0) }
        cases["wrappers_zero"] = .with {
            $0.maybeCount = 0
            $0.wrappedDouble = 0; $0.wrappedFloat = 0; $0.wrappedInt64 = 0; $0.wrappedUint64 = 0
            $0.wrappedInt32 = 0; $0.wrappedUint32 = 0; $0.wrappedBool = false; $0.wrappedString = ""
            $0.wrappedBytes = []
        }
        cases["wrappers_set"] = .with {
            $0.maybeCount = -9
            $0.wrappedDouble = -2.5; $0.wrappedFloat = 0.125; $0.wrappedInt64 = .min; $0.wrappedUint64 = .max
            $0.wrappedInt32 = -1; $0.wrappedUint32 = .max; $0.wrappedBool = true; $0.wrappedString = vietnamese
            $0.wrappedBytes = [0x00, 0xff]
        }
        cases["unknown_enum_values"] = .with {
            $0.color = .unrecognized(42)
            $0.level = .unrecognized(9)
            $0.packedColors = [.red, .unrecognized(99), .unrecognized(-5)]
            $0.unpackedColors = [.unrecognized(77)]
            $0.choiceColor = .unrecognized(1000)
            $0.colorsByName = ["x": .unrecognized(123)]
        }
        cases["large"] = .with {
            $0.bytesValue = (0..<(1 << 20)).map { UInt8($0 % 251) }
            $0.stringValue = String(repeating: vietnamese, count: 2000)
        }
        cases["time"] = .with {
            $0.instant = ProtoTimestamp(seconds: -1, nanos: 999_999_999)
            $0.elapsed = .seconds(-1) - .milliseconds(500)
        }
        cases["nested"] = .with {
            $0.name = .with { $0.familyName = "Nguyễn"; $0.middleName = "Thị Minh"; $0.givenName = "Khai" }
            $0.nested = nested("outer", 1, .top, leaf: ("lá", [0, 0]))
        }
        cases["recursive"] = .with {
            $0.tree = .with { root in
                root.name = "root"
                root.child = .with { child in
                    child.name = "child"
                    child.child = .with { $0.name = "grandchild"; $0.end = "leaf" }
                }
                root.children = [.with { $0.name = "a"; $0.next = .with { $0.name = "b" } }, .with { $0.name = "c" }]
            }
        }
        return cases
    }
}

/// How one proto value (a field's element type) looks in Swift and how it
/// converts to and from its protobuf-c representation, as source expressions.
struct ValueCodec {
    enum Kind {
        case scalar(ProtoField.Kind)
        case enumeration(TypeRegistry.EnumInfo)
        case message(TypeRegistry.MessageInfo)
        case timestamp
        case duration
        case wrapper(ProtoField.Kind)
    }

    let kind: Kind
    /// `package.Message.field`, named in decoding and encoding errors.
    let fieldPath: String

    init(field: ProtoField, registry: TypeRegistry, fieldPath: String) throws {
        self.fieldPath = fieldPath
        switch field.kind {
        case .enumeration:
            kind = .enumeration(try registry.enumeration(field.typeName))
        case .message:
            let info = try registry.message(field.typeName)
            switch info.mapping {
            case .generated: kind = .message(info)
            case .timestamp: kind = .timestamp
            case .duration: kind = .duration
            case .wrapper(let scalar): kind = .wrapper(scalar)
            }
        case .group:
            throw GeneratorError("\(fieldPath): groups are not supported")
        default:
            kind = .scalar(field.kind)
        }
    }

    static func swiftScalar(_ kind: ProtoField.Kind) -> String {
        switch kind {
        case .double: "Double"
        case .float: "Float"
        case .int64, .sint64, .sfixed64: "Int64"
        case .uint64, .fixed64: "UInt64"
        case .int32, .sint32, .sfixed32: "Int32"
        case .uint32, .fixed32: "UInt32"
        case .bool: "Bool"
        case .string: "String"
        case .bytes: "[UInt8]"
        case .group, .message, .enumeration: "Never"
        }
    }

    static func scalarDefault(_ kind: ProtoField.Kind) -> String {
        switch kind {
        case .bool: "false"
        case .string: "\"\""
        case .bytes: "[]"
        default: "0"
        }
    }

    static let wrapperHelpers: [ProtoField.Kind: String] = [
        .double: "doubleValue", .float: "floatValue", .int64: "int64Value", .uint64: "uint64Value",
        .int32: "int32Value", .uint32: "uint32Value", .bool: "boolValue", .string: "stringValue",
        .bytes: "bytesValue",
    ]

    var swiftType: String {
        switch kind {
        case .scalar(let scalar), .wrapper(let scalar): Self.swiftScalar(scalar)
        case .enumeration(let info): info.swiftName
        case .message(let info): info.swiftName
        case .timestamp: "ProtoTimestamp"
        case .duration: "Duration"
        }
    }

    /// The value a non-optional Swift property starts with.
    var defaultValue: String {
        switch kind {
        case .scalar(let scalar), .wrapper(let scalar): Self.scalarDefault(scalar)
        case .enumeration(let info): "\(info.swiftName)()"
        case .message(let info): "\(info.swiftName)()"
        case .timestamp: "ProtoTimestamp()"
        case .duration: "Duration.zero"
        }
    }

    /// Whether protobuf-c holds the value behind a pointer (a sub-message).
    var isPointer: Bool {
        switch kind {
        case .message, .timestamp, .duration, .wrapper: true
        case .scalar, .enumeration: false
        }
    }

    /// Whether a Swift array of it can be copied bit for bit into protobuf-c's array.
    var isBitwiseArray: Bool {
        guard case .scalar(let scalar) = kind else { return false }
        return ![.bool, .string, .bytes].contains(scalar)
    }

    var readThrows: Bool {
        switch kind {
        case .scalar(let scalar), .wrapper(let scalar): scalar == .string
        case .message: true
        case .enumeration, .timestamp, .duration: false
        }
    }

    var writeThrows: Bool { readThrows }

    private var field: String { swiftStringLiteral(fieldPath) }

    /// Swift value from a C value (for pointer kinds: a non-nil pointer).
    func read(_ c: String) -> String {
        switch kind {
        case .scalar(.bool): "(\(c) != 0)"
        case .scalar(.string): "try ProtobufCRead.string(\(c), field: \(field))"
        case .scalar(.bytes): "ProtobufCRead.bytes(\(c))"
        case .scalar: c
        case .enumeration(let info): "\(info.swiftName)(rawValue: Int32(truncatingIfNeeded: \(c).rawValue))"
        case .message(let info): "try \(info.swiftName)(protobufC: \(c))"
        case .timestamp: "WellKnownValues.timestamp(\(c))"
        case .duration: "WellKnownValues.duration(\(c))"
        case .wrapper(let scalar):
            scalar == .string
                ? "try WellKnownValues.stringValue(\(c), field: \(field))"
                : "WellKnownValues.\(Self.wrapperHelpers[scalar]!)(\(c))"
        }
    }

    /// C value from a Swift value.
    func write(_ value: String) -> String {
        switch kind {
        case .scalar(.bool): "(\(value) ? 1 : 0)"
        case .scalar(.string): "try arena.string(\(value), field: \(field))"
        case .scalar(.bytes): "arena.bytes(\(value))"
        case .scalar: value
        case .enumeration(let info): "\(info.cType)(rawValue: .init(truncatingIfNeeded: \(value).rawValue))"
        case .message: "try arena.message(\(value))"
        case .timestamp: "arena.timestamp(\(value))"
        case .duration: "arena.duration(\(value))"
        case .wrapper(let scalar):
            scalar == .string
                ? "try arena.stringValue(\(value), field: \(field))"
                : "arena.\(Self.wrapperHelpers[scalar]!)(\(value))"
        }
    }

    /// Swift value from a C array element (pointer kinds may be nil).
    func readElement(_ element: String) -> String {
        guard isPointer else { return read(element) }
        return (readThrows ? "try " : "") + "\(element).map { pointer in \(read("pointer")) } ?? \(defaultValue)"
    }
}

/// Every message and enum of the descriptor set by fully qualified name, with
/// its Swift and C names and how the generated API represents it.
struct TypeRegistry {
    /// How the Swift API shows a message type.
    enum Mapping {
        /// A generated struct.
        case generated
        /// `google.protobuf.Timestamp` as `ProtoTimestamp`.
        case timestamp
        /// `google.protobuf.Duration` as Swift's `Duration`.
        case duration
        /// A `google.protobuf` wrapper as its Swift scalar (optional where singular).
        case wrapper(ProtoField.Kind)
    }

    struct MessageInfo {
        var message: ProtoMessage
        var file: String
        var swiftName: String
        var cType: String
        var cFunctionPrefix: String
        var mapping: Mapping
    }

    struct EnumInfo {
        var value: ProtoEnum
        var file: String
        var swiftName: String
        var cType: String
    }

    private(set) var messages: [String: MessageInfo] = [:]
    private(set) var enums: [String: EnumInfo] = [:]

    static let wrappers: [String: ProtoField.Kind] = [
        "google.protobuf.DoubleValue": .double, "google.protobuf.FloatValue": .float,
        "google.protobuf.Int64Value": .int64, "google.protobuf.UInt64Value": .uint64,
        "google.protobuf.Int32Value": .int32, "google.protobuf.UInt32Value": .uint32,
        "google.protobuf.BoolValue": .bool, "google.protobuf.StringValue": .string,
        "google.protobuf.BytesValue": .bytes,
    ]

    init(files: [ProtoFile]) throws {
        for file in files {
            let prefix = Naming.swiftPrefix(package: file.package)
            for message in file.messages { try register(message, file: file.name, swiftName: prefix + message.name) }
            for value in file.enums { register(value, file: file.name, swiftName: prefix + value.name) }
        }
    }

    private mutating func register(_ message: ProtoMessage, file: String, swiftName: String) throws {
        for field in message.fields where field.isProto3Optional {
            throw GeneratorError("\(message.fullName).\(field.name): proto3 `optional` is not supported by protoc-c 1.4; use a google.protobuf wrapper or a one-field oneof (docs/contracts.md)")
        }
        for field in message.fields where field.kind == .group {
            throw GeneratorError("\(message.fullName).\(field.name): groups are not supported")
        }
        let mapping: Mapping
        switch message.fullName {
        case "google.protobuf.Timestamp": mapping = .timestamp
        case "google.protobuf.Duration": mapping = .duration
        default: mapping = Self.wrappers[message.fullName].map(Mapping.wrapper) ?? .generated
        }
        messages["." + message.fullName] = MessageInfo(
            message: message, file: file, swiftName: swiftName, cType: Naming.cTypeName(message.fullName),
            cFunctionPrefix: Naming.cFunctionPrefix(message.fullName), mapping: mapping)
        for nested in message.nestedMessages {
            try register(nested, file: file, swiftName: swiftName + "." + Naming.nestedTypeName(nested.name))
        }
        for nested in message.nestedEnums {
            register(nested, file: file, swiftName: swiftName + "." + Naming.nestedTypeName(nested.name))
        }
    }

    private mutating func register(_ value: ProtoEnum, file: String, swiftName: String) {
        enums["." + value.fullName] = EnumInfo(value: value, file: file, swiftName: swiftName,
                                               cType: Naming.cTypeName(value.fullName))
    }

    func message(_ typeName: String) throws -> MessageInfo {
        guard let info = messages[typeName] else { throw GeneratorError("unknown message type \(typeName)") }
        return info
    }

    func enumeration(_ typeName: String) throws -> EnumInfo {
        guard let info = enums[typeName] else { throw GeneratorError("unknown enum type \(typeName)") }
        return info
    }

    /// Whether a value of message `from` can hold, inline (not through an
    /// array or dictionary), a value of message `to`: such a field of `to`
    /// typed `from` needs heap storage in Swift.
    func reachesInline(from: String, to: String) -> Bool {
        var visited: Set<String> = []
        var stack = [from]
        while let current = stack.popLast() {
            if current == to { return true }
            guard visited.insert(current).inserted, let info = messages[current] else { continue }
            for field in info.message.fields where field.kind == .message && !field.isRepeated {
                if case .generated = messages[field.typeName]?.mapping { stack.append(field.typeName) }
            }
        }
        return false
    }
}

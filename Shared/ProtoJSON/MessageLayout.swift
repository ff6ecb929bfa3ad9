import CProtobufC

/// One field of a protobuf-c message as the JSON codec sees it: names, kind and
/// where its value (and its presence flag or oneof case) lives in the C struct.
struct FieldLayout {
    let field: UnsafePointer<ProtobufCFieldDescriptor>
    /// The name in the .proto file, such as `date_of_birth`.
    let name: String
    /// The lowerCamelCase JSON name protoc derives, such as `dateOfBirth`.
    let jsonName: String
    let type: ProtobufCType
    let label: ProtobufCLabel
    let isOneofMember: Bool
    let offset: Int
    let quantifierOffset: Int
    /// Set when this is a `map<K, V>`: the synthesized entry message.
    let isMap: Bool

    var id: UInt32 { field.pointee.id }
    var isRepeated: Bool { label == PROTOBUF_C_LABEL_REPEATED }
    var messageDescriptor: UnsafePointer<ProtobufCMessageDescriptor> {
        field.pointee.descriptor.assumingMemoryBound(to: ProtobufCMessageDescriptor.self)
    }
    var enumDescriptor: UnsafePointer<ProtobufCEnumDescriptor> {
        field.pointee.descriptor.assumingMemoryBound(to: ProtobufCEnumDescriptor.self)
    }
    var defaultValue: UnsafeRawPointer? { field.pointee.default_value }

    /// Bytes one value of this type takes in the C struct (or in a repeated array).
    var elementSize: Int {
        switch type {
        case PROTOBUF_C_TYPE_INT64, PROTOBUF_C_TYPE_SINT64, PROTOBUF_C_TYPE_SFIXED64,
             PROTOBUF_C_TYPE_UINT64, PROTOBUF_C_TYPE_FIXED64, PROTOBUF_C_TYPE_DOUBLE:
            return 8
        case PROTOBUF_C_TYPE_STRING, PROTOBUF_C_TYPE_MESSAGE:
            return MemoryLayout<UnsafeMutableRawPointer?>.size
        case PROTOBUF_C_TYPE_BYTES:
            return MemoryLayout<ProtobufCBinaryData>.stride
        default:
            return 4  // 32-bit integers, float, enum, protobuf_c_boolean
        }
    }
}

/// The well-known types whose JSON form is not the generic object form.
enum WellKnownType {
    case timestamp, duration, wrapper, any, unsupported
}

/// A protobuf-c message descriptor read once into the shape the codec walks:
/// fields with their JSON names, a name index accepting both spellings, and the
/// well-known type it is, if any.
final class MessageLayout {
    let descriptor: UnsafePointer<ProtobufCMessageDescriptor>
    let fullName: String
    let fields: [FieldLayout]
    let wellKnownType: WellKnownType?
    private let indexByName: [String: Int]

    init(_ descriptor: UnsafePointer<ProtobufCMessageDescriptor>) {
        self.descriptor = descriptor
        let fullName = String(cString: descriptor.pointee.name)
        self.fullName = fullName
        var fields: [FieldLayout] = []
        var index: [String: Int] = [:]
        for i in 0..<Int(descriptor.pointee.n_fields) {
            let field = descriptor.pointee.fields + i
            let name = String(cString: field.pointee.name)
            let jsonName = Self.jsonName(of: name)
            let isMap = field.pointee.label == PROTOBUF_C_LABEL_REPEATED
                && field.pointee.type == PROTOBUF_C_TYPE_MESSAGE
                && Self.isMapEntry(field.pointee.descriptor.assumingMemoryBound(to: ProtobufCMessageDescriptor.self),
                                   fieldName: name, parentName: fullName)
            fields.append(FieldLayout(
                field: field, name: name, jsonName: jsonName,
                type: field.pointee.type, label: field.pointee.label,
                isOneofMember: field.pointee.flags & PROTOBUF_C_FIELD_FLAG_ONEOF.rawValue != 0,
                offset: Int(field.pointee.offset), quantifierOffset: Int(field.pointee.quantifier_offset),
                isMap: isMap))
            index[jsonName] = i
            index[name] = i
        }
        self.fields = fields
        self.indexByName = index
        self.wellKnownType = Self.wellKnownTypes[fullName]
    }

    func field(named name: String) -> FieldLayout? {
        indexByName[name].map { fields[$0] }
    }

    func field(id: UInt32) -> FieldLayout? {
        fields.first { $0.id == id }
    }

    private static let wellKnownTypes: [String: WellKnownType] = [
        "google.protobuf.Timestamp": .timestamp,
        "google.protobuf.Duration": .duration,
        "google.protobuf.Any": .any,
        "google.protobuf.DoubleValue": .wrapper, "google.protobuf.FloatValue": .wrapper,
        "google.protobuf.Int64Value": .wrapper, "google.protobuf.UInt64Value": .wrapper,
        "google.protobuf.Int32Value": .wrapper, "google.protobuf.UInt32Value": .wrapper,
        "google.protobuf.BoolValue": .wrapper, "google.protobuf.StringValue": .wrapper,
        "google.protobuf.BytesValue": .wrapper,
        "google.protobuf.Struct": .unsupported, "google.protobuf.Value": .unsupported,
        "google.protobuf.ListValue": .unsupported, "google.protobuf.FieldMask": .unsupported,
    ]

    /// protoc's rule (`ToJsonName`): drop each underscore and upper-case the next letter.
    static func jsonName(of name: String) -> String {
        var result: [UInt8] = []
        result.reserveCapacity(name.utf8.count)
        var capitalizeNext = false
        for byte in name.utf8 {
            if byte == UInt8(ascii: "_") {
                capitalizeNext = true
            } else if capitalizeNext {
                result.append(byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") ? byte - 32 : byte)
                capitalizeNext = false
            } else {
                result.append(byte)
            }
        }
        return String(decoding: result, as: UTF8.self)
    }

    /// protoc synthesizes `map<K, V> some_field` as a nested `SomeFieldEntry`
    /// message with `key = 1` and `value = 2`; protobuf-c keeps no map flag, so the
    /// codec recognises that shape.
    private static func isMapEntry(_ entry: UnsafePointer<ProtobufCMessageDescriptor>,
                                   fieldName: String, parentName: String) -> Bool {
        guard entry.pointee.n_fields == 2 else { return false }
        let key = entry.pointee.fields[0]
        let value = entry.pointee.fields[1]
        guard key.id == 1, value.id == 2,
              String(cString: key.name) == "key", String(cString: value.name) == "value" else { return false }
        var expected: [UInt8] = []
        var capitalizeNext = true
        for byte in fieldName.utf8 {
            if byte == UInt8(ascii: "_") {
                capitalizeNext = true
            } else if capitalizeNext {
                expected.append(byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") ? byte - 32 : byte)
                capitalizeNext = false
            } else {
                expected.append(byte)
            }
        }
        let entryName = String(decoding: expected, as: UTF8.self) + "Entry"
        return String(cString: entry.pointee.name) == parentName + "." + entryName
    }
}

/// Layouts built during one encode or decode call, so arrays of the same message
/// type read their descriptor once. Not shared between calls or threads.
final class LayoutCache {
    private var layouts: [UnsafeRawPointer: MessageLayout] = [:]

    func layout(for descriptor: UnsafePointer<ProtobufCMessageDescriptor>) -> MessageLayout {
        if let layout = layouts[UnsafeRawPointer(descriptor)] { return layout }
        let layout = MessageLayout(descriptor)
        layouts[UnsafeRawPointer(descriptor)] = layout
        return layout
    }
}

import CProtobufC

/// Walks a protobuf-c message by its descriptor and builds its canonical proto3
/// JSON form. One encoder serves one call.
///
/// A few messages have no canonical JSON (a Timestamp past year 9999, an `Any` of
/// an unregistered type, a string that is not UTF-8, nesting past the limit).
/// A strict encoder throws for them; a lenient one writes a documented fallback
/// (see docs/json.md), for display where failing helps nobody.
struct MessageEncoder {
    let options: ProtoJSON.EncodingOptions
    let strict: Bool
    let layouts = LayoutCache()
    var path = FieldPath()
    private var depth = 0

    init(options: ProtoJSON.EncodingOptions, strict: Bool) {
        self.options = options
        self.strict = strict
    }

    /// Throws in strict mode; otherwise the fallback stands in for the value.
    func problem(_ reason: String, fallback: () throws(ProtoJSONError) -> JSONValue) throws(ProtoJSONError) -> JSONValue {
        if strict { throw path.error(reason) }
        return try fallback()
    }

    mutating func encode(_ message: UnsafeRawPointer,
                         _ descriptor: UnsafePointer<ProtobufCMessageDescriptor>) throws(ProtoJSONError) -> JSONValue {
        depth += 1
        defer { depth -= 1 }
        if depth > options.maxDepth {
            let reason = "messages nest deeper than \(options.maxDepth) levels"
            if strict { throw path.error(reason) }
            return .string("(\(reason); left out)")
        }
        let layout = layouts.layout(for: descriptor)
        if let wellKnown = layout.wellKnownType {
            return try encodeWellKnown(wellKnown, message, layout)
        }
        return .object(try encodeMembers(message, layout))
    }

    /// The members of a message's JSON object (also used to inline a message in `Any`).
    mutating func encodeMembers(_ message: UnsafeRawPointer, _ layout: MessageLayout) throws(ProtoJSONError) -> [(key: String, value: JSONValue)] {
        var members: [(key: String, value: JSONValue)] = []
        members.reserveCapacity(layout.fields.count)
        for field in layout.fields {
            guard let value = try encodeField(field, message) else { continue }
            members.append((options.useProtoFieldNames ? field.name : field.jsonName, value))
        }
        return members
    }

    /// The field's JSON value, or nil when the field is absent from the output.
    private mutating func encodeField(_ field: FieldLayout, _ message: UnsafeRawPointer) throws(ProtoJSONError) -> JSONValue? {
        path.push(field: field.jsonName)
        defer { path.pop() }
        if field.isRepeated {
            let count = CMemory.load(message, field.quantifierOffset, as: Int.self)
            if count == 0 && !options.emitDefaultValues { return nil }
            let array = count == 0 ? nil : CMemory.load(message, field.offset, as: UnsafeRawPointer?.self)
            guard let array else { return field.isMap ? .object([]) : .array([]) }
            return field.isMap ? try encodeMap(field, array, count) : try encodeList(field, array, count)
        }
        let storage = message + field.offset
        if field.isOneofMember {
            guard CMemory.load(message, field.quantifierOffset, as: UInt32.self) == field.id,
                  !pointsToNothing(field, storage) else { return nil }
            return try encodeValue(field, storage)
        }
        switch field.label {
        case PROTOBUF_C_LABEL_NONE:
            if field.type == PROTOBUF_C_TYPE_MESSAGE {
                guard storage.load(as: UnsafeRawPointer?.self) != nil else { return nil }
            } else if !options.emitDefaultValues && isZero(field, storage) {
                return nil
            }
        case PROTOBUF_C_LABEL_OPTIONAL:
            if field.type == PROTOBUF_C_TYPE_MESSAGE || field.type == PROTOBUF_C_TYPE_STRING {
                if pointsToNothing(field, storage) { return nil }
            } else if CMemory.load(message, field.quantifierOffset, as: Int32.self) == 0 {
                return nil
            }
        default:
            break  // required: always present
        }
        return try encodeValue(field, storage)
    }

    /// protobuf-c's own test for an unset string or message with presence.
    private func pointsToNothing(_ field: FieldLayout, _ storage: UnsafeRawPointer) -> Bool {
        guard field.type == PROTOBUF_C_TYPE_MESSAGE || field.type == PROTOBUF_C_TYPE_STRING else { return false }
        let pointer = storage.load(as: UnsafeRawPointer?.self)
        return pointer == nil || pointer == field.defaultValue
    }

    /// proto3 implicit presence: the value protobuf-c would not put on the wire.
    private func isZero(_ field: FieldLayout, _ storage: UnsafeRawPointer) -> Bool {
        switch field.type {
        case PROTOBUF_C_TYPE_FLOAT: return storage.load(as: Float.self) == 0
        case PROTOBUF_C_TYPE_DOUBLE: return storage.load(as: Double.self) == 0
        case PROTOBUF_C_TYPE_STRING:
            guard let string = storage.load(as: UnsafePointer<CChar>?.self) else { return true }
            return string.pointee == 0
        case PROTOBUF_C_TYPE_BYTES: return storage.load(as: ProtobufCBinaryData.self).len == 0
        case PROTOBUF_C_TYPE_MESSAGE: return storage.load(as: UnsafeRawPointer?.self) == nil
        default: return field.elementSize == 8 ? storage.load(as: UInt64.self) == 0 : storage.load(as: UInt32.self) == 0
        }
    }

    private mutating func encodeList(_ field: FieldLayout, _ array: UnsafeRawPointer, _ count: Int) throws(ProtoJSONError) -> JSONValue {
        var elements: [JSONValue] = []
        elements.reserveCapacity(count)
        for i in 0..<count {
            path.push(index: i)
            defer { path.pop() }
            elements.append(try encodeValue(field, array + i * field.elementSize))
        }
        return .array(elements)
    }

    private mutating func encodeMap(_ field: FieldLayout, _ array: UnsafeRawPointer, _ count: Int) throws(ProtoJSONError) -> JSONValue {
        let entryLayout = layouts.layout(for: field.messageDescriptor)
        let keyField = entryLayout.fields[0]
        let valueField = entryLayout.fields[1]
        var members: [(key: String, value: JSONValue)] = []
        members.reserveCapacity(count)
        var positionByKey: [String: Int] = [:]
        for i in 0..<count {
            guard let entry = array.load(fromByteOffset: i * field.elementSize, as: UnsafeRawPointer?.self) else { continue }
            let key = try mapKey(keyField, entry + keyField.offset)
            path.push(key: key)
            defer { path.pop() }
            let value = try encodeValue(valueField, entry + valueField.offset)
            // On the wire a later entry with the same key replaces an earlier one.
            if let position = positionByKey[key] {
                members[position].value = value
            } else {
                positionByKey[key] = members.count
                members.append((key, value))
            }
        }
        return .object(members)
    }

    private func mapKey(_ field: FieldLayout, _ storage: UnsafeRawPointer) throws(ProtoJSONError) -> String {
        switch try scalarValue(field, storage) {
        case .string(let text): return text
        case .number(let literal): return literal
        case .bool(let flag): return flag ? "true" : "false"
        default: throw path.error("map key type \(field.type.rawValue) is not allowed")
        }
    }

    /// One value (singular or a repeated element) at `storage`.
    mutating func encodeValue(_ field: FieldLayout, _ storage: UnsafeRawPointer) throws(ProtoJSONError) -> JSONValue {
        guard field.type == PROTOBUF_C_TYPE_MESSAGE else { return try scalarValue(field, storage) }
        if let message = storage.load(as: UnsafeRawPointer?.self) {
            return try encode(message, field.messageDescriptor)
        }
        // A map value or list element without a message: the default instance.
        let empty = CMemory.newMessage(field.messageDescriptor)
        defer { CMemory.release(empty) }
        return try encode(UnsafeRawPointer(empty), field.messageDescriptor)
    }

    func scalarValue(_ field: FieldLayout, _ storage: UnsafeRawPointer) throws(ProtoJSONError) -> JSONValue {
        switch field.type {
        case PROTOBUF_C_TYPE_INT32, PROTOBUF_C_TYPE_SINT32, PROTOBUF_C_TYPE_SFIXED32:
            return .number(String(storage.load(as: Int32.self)))
        case PROTOBUF_C_TYPE_UINT32, PROTOBUF_C_TYPE_FIXED32:
            return .number(String(storage.load(as: UInt32.self)))
        case PROTOBUF_C_TYPE_INT64, PROTOBUF_C_TYPE_SINT64, PROTOBUF_C_TYPE_SFIXED64:
            return .string(String(storage.load(as: Int64.self)))
        case PROTOBUF_C_TYPE_UINT64, PROTOBUF_C_TYPE_FIXED64:
            return .string(String(storage.load(as: UInt64.self)))
        case PROTOBUF_C_TYPE_FLOAT:
            let value = storage.load(as: Float.self)
            return value.isFinite ? .number(JSONNumber.format(value)) : .string(Self.nonFinite(Double(value)))
        case PROTOBUF_C_TYPE_DOUBLE:
            let value = storage.load(as: Double.self)
            return value.isFinite ? .number(JSONNumber.format(value)) : .string(Self.nonFinite(value))
        case PROTOBUF_C_TYPE_BOOL:
            return .bool(storage.load(as: Int32.self) != 0)
        case PROTOBUF_C_TYPE_ENUM:
            let number = storage.load(as: Int32.self)
            guard let value = protobuf_c_enum_descriptor_get_value(field.enumDescriptor, number) else {
                return .number(String(number))  // open enum: a value this contract does not name
            }
            return .string(String(cString: value.pointee.name))
        case PROTOBUF_C_TYPE_STRING:
            guard let pointer = storage.load(as: UnsafePointer<CChar>?.self) else { return .string("") }
            guard let text = String(validatingCString: pointer) else {
                if strict { throw path.error("string is not valid UTF-8") }
                return .string(String(cString: pointer))  // invalid bytes become U+FFFD
            }
            return .string(text)
        case PROTOBUF_C_TYPE_BYTES:
            let data = storage.load(as: ProtobufCBinaryData.self)
            guard data.len > 0, let bytes = data.data else { return .string("") }
            return .string(Base64.encode(UnsafeBufferPointer(start: bytes, count: data.len)))
        default:
            throw path.error("unknown protobuf-c field type \(field.type.rawValue)")
        }
    }

    static func nonFinite(_ value: Double) -> String {
        value.isNaN ? "NaN" : (value < 0 ? "-Infinity" : "Infinity")
    }
}

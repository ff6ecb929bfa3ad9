import CProtobufC

/// Fills a protobuf-c message, allocated on the C heap, from a parsed JSON tree,
/// following the message's descriptor. One decoder serves one call.
///
/// Memory rule: every block is linked into its parent (and counted) as soon as it
/// is allocated, so that whatever fails half way, `protobuf_c_message_free_unpacked`
/// on the root frees all of it.
struct MessageDecoder {
    let options: ProtoJSON.DecodingOptions
    let layouts = LayoutCache()
    var path = FieldPath()

    init(options: ProtoJSON.DecodingOptions) {
        self.options = options
    }

    /// Decodes `json` into `message`, which was initialised with its defaults.
    mutating func decode(_ json: JSONValue, into message: UnsafeMutableRawPointer,
                         _ descriptor: UnsafePointer<ProtobufCMessageDescriptor>) throws(ProtoJSONError) {
        let layout = layouts.layout(for: descriptor)
        if let wellKnown = layout.wellKnownType {
            return try decodeWellKnown(wellKnown, json, into: message, layout)
        }
        guard case .object(let members) = json else {
            throw path.error("expected an object for \(layout.fullName), got \(json.kindName)")
        }
        try decodeMembers(members, into: message, layout)
    }

    mutating func decodeMembers(_ members: [(key: String, value: JSONValue)], into message: UnsafeMutableRawPointer,
                                _ layout: MessageLayout) throws(ProtoJSONError) {
        var given: [UInt32: String] = [:]
        for (key, value) in members {
            guard let field = layout.field(named: key) else {
                if options.ignoreUnknownFields { continue }
                throw path.error("unknown field \"\(key)\" in \(layout.fullName)")
            }
            if let earlier = given.updateValue(key, forKey: field.id) {
                path.push(field: field.jsonName)
                defer { path.pop() }
                throw path.error("field given twice, as \"\(earlier)\" and as \"\(key)\"")
            }
            if case .null = value { continue }  // null means the default value
            path.push(field: field.jsonName)
            defer { path.pop() }
            try decodeField(field, value, into: message, layout)
        }
    }

    private mutating func decodeField(_ field: FieldLayout, _ json: JSONValue, into message: UnsafeMutableRawPointer,
                                      _ layout: MessageLayout) throws(ProtoJSONError) {
        if field.isMap {
            try decodeMap(field, json, into: message)
        } else if field.isRepeated {
            try decodeList(field, json, into: message)
        } else {
            try decodeSingular(field, json, into: message, layout)
        }
    }

    /// Sets one non-repeated field, with its presence flag or oneof case.
    mutating func decodeSingular(_ field: FieldLayout, _ json: JSONValue, into message: UnsafeMutableRawPointer,
                                 _ layout: MessageLayout) throws(ProtoJSONError) {
        if field.isOneofMember {
            let current = CMemory.load(message, field.quantifierOffset, as: UInt32.self)
            if current != 0 && current != field.id {
                let other = layout.field(id: current)?.jsonName ?? String(current)
                throw path.error("only one field of a oneof may be set, and \"\(other)\" already is")
            }
            CMemory.store(field.id, message, field.quantifierOffset)
        } else if field.label == PROTOBUF_C_LABEL_OPTIONAL
                    && field.type != PROTOBUF_C_TYPE_MESSAGE && field.type != PROTOBUF_C_TYPE_STRING {
            CMemory.store(Int32(1), message, field.quantifierOffset)
        }
        try decodeValue(field, json, into: message + field.offset)
    }

    private mutating func decodeList(_ field: FieldLayout, _ json: JSONValue, into message: UnsafeMutableRawPointer) throws(ProtoJSONError) {
        guard case .array(let elements) = json else { throw path.error("expected an array, got \(json.kindName)") }
        guard !elements.isEmpty else { return }
        let array = CMemory.newArray(count: elements.count, size: field.elementSize)
        CMemory.store(array, message, field.offset)
        for (i, element) in elements.enumerated() {
            path.push(index: i)
            defer { path.pop() }
            if case .null = element { throw path.error("null is not allowed in a list") }
            // Count the element first: a failing message element is then freed with the rest.
            CMemory.store(i + 1, message, field.quantifierOffset)
            try decodeValue(field, element, into: array + i * field.elementSize)
        }
    }

    private mutating func decodeMap(_ field: FieldLayout, _ json: JSONValue, into message: UnsafeMutableRawPointer) throws(ProtoJSONError) {
        guard case .object(let members) = json else { throw path.error("expected an object (a map), got \(json.kindName)") }
        guard !members.isEmpty else { return }
        let entryDescriptor = field.messageDescriptor
        let entryLayout = layouts.layout(for: entryDescriptor)
        let keyField = entryLayout.fields[0]
        let valueField = entryLayout.fields[1]
        let array = CMemory.newArray(count: members.count, size: field.elementSize)
        CMemory.store(array, message, field.offset)
        for (i, member) in members.enumerated() {
            path.push(key: member.key)
            defer { path.pop() }
            if case .null = member.value { throw path.error("null is not allowed as a map value") }
            let entry = CMemory.newMessage(entryDescriptor)
            array.storeBytes(of: entry, toByteOffset: i * field.elementSize, as: UnsafeMutableRawPointer.self)
            CMemory.store(i + 1, message, field.quantifierOffset)
            let key: JSONValue
            if keyField.type == PROTOBUF_C_TYPE_BOOL {
                switch member.key {
                case "true": key = .bool(true)
                case "false": key = .bool(false)
                default: throw path.error("map key must be \"true\" or \"false\"")
                }
            } else if keyField.type == PROTOBUF_C_TYPE_STRING {
                key = .string(member.key)
            } else {
                guard JSONNumber.isValidLiteral(Substring(member.key).utf8) else {
                    throw path.error("map key must be an integer")
                }
                key = .number(member.key)
            }
            try decodeSingular(keyField, key, into: entry, entryLayout)
            try decodeSingular(valueField, member.value, into: entry, entryLayout)
        }
    }

    /// One value at `storage` (a struct member or an array element). Messages
    /// recurse from here; scalars are read in a separate function so that the
    /// recursive path keeps small stack frames.
    mutating func decodeValue(_ field: FieldLayout, _ json: JSONValue, into storage: UnsafeMutableRawPointer) throws(ProtoJSONError) {
        guard field.type == PROTOBUF_C_TYPE_MESSAGE else { return try decodeScalar(field, json, into: storage) }
        let child = CMemory.newMessage(field.messageDescriptor)
        storage.storeBytes(of: child, as: UnsafeMutableRawPointer.self)
        try decode(json, into: child, field.messageDescriptor)
    }

    @inline(never)
    private func decodeScalar(_ field: FieldLayout, _ json: JSONValue, into storage: UnsafeMutableRawPointer) throws(ProtoJSONError) {
        switch field.type {
        case PROTOBUF_C_TYPE_INT32, PROTOBUF_C_TYPE_SINT32, PROTOBUF_C_TYPE_SFIXED32:
            let value = try integer(json, "int32") { text throws(JSONNumber.IntegerProblem) in
                let value = try JSONNumber.int64(text)
                guard let narrow = Int32(exactly: value) else { throw .outOfRange }
                return narrow
            }
            storage.storeBytes(of: value, as: Int32.self)
        case PROTOBUF_C_TYPE_UINT32, PROTOBUF_C_TYPE_FIXED32:
            let value = try integer(json, "uint32") { text throws(JSONNumber.IntegerProblem) in
                let value = try JSONNumber.uint64(text)
                guard let narrow = UInt32(exactly: value) else { throw .outOfRange }
                return narrow
            }
            storage.storeBytes(of: value, as: UInt32.self)
        case PROTOBUF_C_TYPE_INT64, PROTOBUF_C_TYPE_SINT64, PROTOBUF_C_TYPE_SFIXED64:
            storage.storeBytes(of: try integer(json, "int64") { text throws(JSONNumber.IntegerProblem) in try JSONNumber.int64(text) },
                               as: Int64.self)
        case PROTOBUF_C_TYPE_UINT64, PROTOBUF_C_TYPE_FIXED64:
            storage.storeBytes(of: try integer(json, "uint64") { text throws(JSONNumber.IntegerProblem) in try JSONNumber.uint64(text) },
                               as: UInt64.self)
        case PROTOBUF_C_TYPE_FLOAT:
            let value = try floatingPoint(json)
            if value.isFinite && Float(value).isInfinite {
                throw path.error("value out of range for float")
            }
            storage.storeBytes(of: Float(value), as: Float.self)
        case PROTOBUF_C_TYPE_DOUBLE:
            storage.storeBytes(of: try floatingPoint(json), as: Double.self)
        case PROTOBUF_C_TYPE_BOOL:
            guard case .bool(let flag) = json else { throw path.error("expected true or false, got \(json.kindName)") }
            storage.storeBytes(of: Int32(flag ? 1 : 0), as: Int32.self)
        case PROTOBUF_C_TYPE_ENUM:
            storage.storeBytes(of: try enumValue(field, json), as: Int32.self)
        case PROTOBUF_C_TYPE_STRING:
            guard case .string(let text) = json else { throw path.error("expected a string, got \(json.kindName)") }
            guard !text.utf8.contains(0) else { throw path.error("strings may not contain U+0000 (protobuf-c strings end at NUL)") }
            storage.storeBytes(of: CMemory.newCString(text), as: UnsafeMutablePointer<CChar>.self)
        case PROTOBUF_C_TYPE_BYTES:
            guard case .string(let text) = json else { throw path.error("expected a base64 string, got \(json.kindName)") }
            guard let data = Base64.decode(text) else { throw path.error("expected base64, got a string that is not") }
            storage.storeBytes(of: CMemory.newBinary(data), as: ProtobufCBinaryData.self)
        default:
            throw path.error("unknown protobuf-c field type \(field.type.rawValue)")
        }
    }

    private func integer<T>(_ json: JSONValue, _ typeName: String,
                            _ convert: (String) throws(JSONNumber.IntegerProblem) -> T) throws(ProtoJSONError) -> T {
        let literal: String
        switch json {
        case .number(let text): literal = text
        case .string(let text): literal = text
        default: throw path.error("expected an integer, got \(json.kindName)")
        }
        do throws(JSONNumber.IntegerProblem) {
            return try convert(literal)
        } catch {
            switch error {
            case .notANumber: throw path.error("expected an integer, got a string that is not a number")
            case .notAnInteger: throw path.error("expected an integer, got a number with a fraction")
            case .outOfRange: throw path.error("value out of range for \(typeName)")
            }
        }
    }

    private func floatingPoint(_ json: JSONValue) throws(ProtoJSONError) -> Double {
        let literal: String
        switch json {
        case .number(let text): literal = text
        case .string("NaN"): return .nan
        case .string("Infinity"): return .infinity
        case .string("-Infinity"): return -.infinity
        case .string(let text):
            guard JSONNumber.isValidLiteral(Substring(text).utf8) else {
                throw path.error("expected a number, \"NaN\", \"Infinity\" or \"-Infinity\", got another string")
            }
            literal = text
        default: throw path.error("expected a number, got \(json.kindName)")
        }
        guard let value = Double(literal), value.isFinite else { throw path.error("value out of range for double") }
        return value
    }

    private func enumValue(_ field: FieldLayout, _ json: JSONValue) throws(ProtoJSONError) -> Int32 {
        switch json {
        case .string(let name):
            if let value = name.withCString({ protobuf_c_enum_descriptor_get_value_by_name(field.enumDescriptor, $0) }) {
                return value.pointee.value
            }
            if JSONNumber.isValidLiteral(Substring(name).utf8), let number = try? JSONNumber.int64(name),
               let narrow = Int32(exactly: number) {
                return narrow
            }
            if options.ignoreUnknownFields { return 0 }
            throw path.error("unknown value name for enum \(String(cString: field.enumDescriptor.pointee.name))")
        case .number:
            return try integer(json, "enum") { text throws(JSONNumber.IntegerProblem) in
                guard let narrow = Int32(exactly: try JSONNumber.int64(text)) else { throw .outOfRange }
                return narrow
            }
        default:
            throw path.error("expected an enum value name or number, got \(json.kindName)")
        }
    }
}

import CProtobufC

extension MessageDecoder {
    /// Reads the special JSON forms of Timestamp, Duration, the wrappers and Any.
    mutating func decodeWellKnown(_ kind: WellKnownType, _ json: JSONValue, into message: UnsafeMutableRawPointer,
                                  _ layout: MessageLayout) throws(ProtoJSONError) {
        switch kind {
        case .timestamp:
            guard case .string(let text) = json else {
                throw path.error("expected an RFC 3339 timestamp string, got \(json.kindName)")
            }
            guard let (seconds, nanos) = CivilTime.parse(text) else {
                throw path.error("expected an RFC 3339 timestamp such as \"2024-01-31T08:30:00Z\" between years 1 and 9999")
            }
            try setSecondsAndNanos(seconds, nanos, message, layout)
        case .duration:
            guard case .string(let text) = json else {
                throw path.error("expected a duration string such as \"1.5s\", got \(json.kindName)")
            }
            guard let (seconds, nanos) = DurationText.parse(text) else {
                throw path.error("expected a duration such as \"1.5s\" within ±315576000000s")
            }
            try setSecondsAndNanos(seconds, nanos, message, layout)
        case .wrapper:
            try decodeSingular(layout.fields[0], json, into: message, layout)
        case .any:
            try decodeAny(json, into: message, layout)
        case .unsupported:
            throw path.error("\(layout.fullName) is not supported by this codec")
        }
    }

    private mutating func setSecondsAndNanos(_ seconds: Int64, _ nanos: Int32, _ message: UnsafeMutableRawPointer,
                                             _ layout: MessageLayout) throws(ProtoJSONError) {
        guard let secondsField = layout.field(id: 1), let nanosField = layout.field(id: 2) else {
            throw path.error("\(layout.fullName) lacks its seconds and nanos fields")
        }
        try decodeSingular(secondsField, .number(String(seconds)), into: message, layout)
        try decodeSingular(nanosField, .number(String(nanos)), into: message, layout)
    }

    /// `{"@type": url, ...fields}` or `{"@type": url, "value": json}`: the packed
    /// message is decoded on its own, packed by protobuf-c, and stored as bytes.
    private mutating func decodeAny(_ json: JSONValue, into message: UnsafeMutableRawPointer,
                                    _ layout: MessageLayout) throws(ProtoJSONError) {
        guard case .object(var members) = json else {
            throw path.error("expected an object for google.protobuf.Any, got \(json.kindName)")
        }
        guard let urlField = layout.field(id: 1), let valueField = layout.field(id: 2) else {
            throw path.error("google.protobuf.Any lacks its type_url and value fields")
        }
        if members.isEmpty { return }
        guard let typeIndex = members.firstIndex(where: { $0.key == "@type" }) else {
            throw path.error("google.protobuf.Any needs an \"@type\" member")
        }
        guard case .string(let typeURL) = members[typeIndex].value, let slash = typeURL.lastIndex(of: "/") else {
            throw path.error("\"@type\" must be a type URL such as \"type.googleapis.com/google.rpc.BadRequest\"")
        }
        members.remove(at: typeIndex)
        let typeName = String(typeURL[typeURL.index(after: slash)...])
        guard let descriptor = options.typeRegistry.descriptor(named: typeName) else {
            // The form `encode` writes for such an Any: the packed bytes in base64.
            if members.count == 1, members[0].key == "value", case .string = members[0].value {
                try decodeSingular(urlField, .string(typeURL), into: message, layout)
                path.push(field: "value")
                defer { path.pop() }
                return try decodeSingular(valueField, members[0].value, into: message, layout)
            }
            throw path.error("Any names type \"\(typeName)\", which is not in the type registry")
        }
        let inner = CMemory.newMessage(descriptor)
        defer { protobuf_c_message_free_unpacked(inner.assumingMemoryBound(to: ProtobufCMessage.self), nil) }
        let innerLayout = layouts.layout(for: descriptor)
        if innerLayout.wellKnownType != nil {
            var value: JSONValue = .object([])
            for member in members {
                guard member.key == "value" else {
                    if options.ignoreUnknownFields { continue }
                    throw path.error("unknown field \"\(member.key)\" in google.protobuf.Any holding \(typeName)")
                }
                value = member.value
            }
            try decode(value, into: inner, descriptor)
        } else {
            try decodeMembers(members, into: inner, innerLayout)
        }
        let bytes = CMemory.pack(UnsafePointer(inner.assumingMemoryBound(to: ProtobufCMessage.self)))
        try decodeSingular(urlField, .string(typeURL), into: message, layout)
        (message + valueField.offset).storeBytes(of: CMemory.newBinary(bytes), as: ProtobufCBinaryData.self)
    }
}

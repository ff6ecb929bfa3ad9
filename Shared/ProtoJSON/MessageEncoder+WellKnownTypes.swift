import CProtobufC

extension MessageEncoder {
    /// The special JSON forms of Timestamp, Duration, the wrappers and Any.
    mutating func encodeWellKnown(_ kind: WellKnownType, _ message: UnsafeRawPointer,
                                  _ layout: MessageLayout) throws(ProtoJSONError) -> JSONValue {
        switch kind {
        case .timestamp:
            let (seconds, nanos) = secondsAndNanos(message, layout)
            guard let text = CivilTime.format(seconds: seconds, nanos: nanos) else {
                return try problem("Timestamp is outside 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z") {
                    () throws(ProtoJSONError) in .object(try encodeMembers(message, layout))
                }
            }
            return .string(text)
        case .duration:
            let (seconds, nanos) = secondsAndNanos(message, layout)
            guard let text = DurationText.format(seconds: seconds, nanos: nanos) else {
                return try problem("Duration is out of range or its seconds and nanos differ in sign") {
                    () throws(ProtoJSONError) in .object(try encodeMembers(message, layout))
                }
            }
            return .string(text)
        case .wrapper:
            let field = layout.fields[0]
            return try scalarValue(field, message + field.offset)
        case .any:
            return try encodeAny(message, layout)
        case .unsupported:
            return try problem("\(layout.fullName) is not supported by this codec") {
                () throws(ProtoJSONError) in .object(try encodeMembers(message, layout))
            }
        }
    }

    private func secondsAndNanos(_ message: UnsafeRawPointer, _ layout: MessageLayout) -> (Int64, Int32) {
        let seconds = layout.field(id: 1).map { CMemory.load(message, $0.offset, as: Int64.self) } ?? 0
        let nanos = layout.field(id: 2).map { CMemory.load(message, $0.offset, as: Int32.self) } ?? 0
        return (seconds, nanos)
    }

    /// `{"@type": url, ...fields}`, or `{"@type": url, "value": json}` when the
    /// packed message is itself a well-known type with a special form.
    private mutating func encodeAny(_ message: UnsafeRawPointer, _ layout: MessageLayout) throws(ProtoJSONError) -> JSONValue {
        guard let urlField = layout.field(id: 1), let valueField = layout.field(id: 2) else {
            throw path.error("google.protobuf.Any lacks its type_url and value fields")
        }
        let url = try scalarValue(urlField, message + urlField.offset)
        guard case .string(let typeURL) = url else { throw path.error("Any type_url is not a string") }
        let value = CMemory.load(message, valueField.offset, as: ProtobufCBinaryData.self)
        if typeURL.isEmpty {
            guard value.len == 0 else {
                return try problem("Any has a value but no type_url") {
                    () throws(ProtoJSONError) in .object(try encodeMembers(message, layout))
                }
            }
            return .object([])
        }
        // Fallback: the type URL and the packed bytes as base64.
        let raw: () throws(ProtoJSONError) -> JSONValue = { () throws(ProtoJSONError) in
            .object([("@type", .string(typeURL)), ("value", try self.scalarValue(valueField, message + valueField.offset))])
        }
        let typeName = String(typeURL.split(separator: "/", omittingEmptySubsequences: false).last ?? "")
        guard let descriptor = options.typeRegistry.descriptor(named: typeName) else {
            return try problem("Any holds type \"\(typeName)\", which is not in the type registry", fallback: raw)
        }
        guard let inner = protobuf_c_message_unpack(descriptor, nil, value.len, value.data) else {
            return try problem("Any value is not a valid \(typeName)", fallback: raw)
        }
        defer { protobuf_c_message_free_unpacked(inner, nil) }
        let innerLayout = layouts.layout(for: descriptor)
        var members: [(key: String, value: JSONValue)] = [("@type", .string(typeURL))]
        if innerLayout.wellKnownType != nil {
            members.append(("value", try encode(UnsafeRawPointer(inner), descriptor)))
        } else {
            members.append(contentsOf: try encodeMembers(UnsafeRawPointer(inner), innerLayout))
        }
        return .object(members)
    }
}

import CProtobufC

/// The canonical proto3 JSON mapping for any protobuf-c message, driven by the
/// message's runtime descriptor, so one codec serves every contract: immigctl
/// reads and prints requests and responses with it, and error messages show
/// messages with it.
///
/// Writing: lowerCamelCase names, defaults left out, enums by name, 64-bit
/// integers as strings, bytes as base64, Timestamp and Duration as text,
/// wrappers as bare values. Reading: both name spellings, numbers or strings for
/// integers, unknown names rejected with their path unless told otherwise. See
/// docs/json.md for the full mapping and the choices made.
///
/// Every function is reentrant and keeps no state between calls. Descriptors
/// are the static ones protoc-c generates (`..._descriptor`).
public enum ProtoJSON {
    /// The JSON text of a protobuf-c message.
    public static func encode(_ message: UnsafePointer<ProtobufCMessage>,
                              options: EncodingOptions = EncodingOptions()) throws(ProtoJSONError) -> String {
        var encoder = MessageEncoder(options: options)
        let json = try encoder.encode(UnsafeRawPointer(message), message.pointee.descriptor)
        return JSONWriter.write(json, pretty: options.prettyPrinted)
    }

    /// The JSON text of a message given in its wire form.
    public static func encode(wire: [UInt8], descriptor: UnsafePointer<ProtobufCMessageDescriptor>,
                              options: EncodingOptions = EncodingOptions()) throws(ProtoJSONError) -> String {
        let unpacked = wire.withUnsafeBufferPointer { buffer in
            protobuf_c_message_unpack(descriptor, nil, buffer.count, buffer.baseAddress)
        }
        guard let unpacked else {
            throw ProtoJSONError(path: "", reason: "the bytes are not a valid \(String(cString: descriptor.pointee.name))")
        }
        defer { protobuf_c_message_free_unpacked(unpacked, nil) }
        return try encode(UnsafePointer(unpacked), options: options)
    }

    /// The wire form of the message that a JSON text describes.
    public static func decode(json: String, descriptor: UnsafePointer<ProtobufCMessageDescriptor>,
                              options: DecodingOptions = DecodingOptions()) throws(ProtoJSONError) -> [UInt8] {
        try decode(json: Array(json.utf8), descriptor: descriptor, options: options)
    }

    /// The wire form of the message that a JSON text, given as UTF-8 bytes, describes.
    /// Bytes that are not UTF-8 are an error (a `String` would have replaced them).
    public static func decode(json: [UInt8], descriptor: UnsafePointer<ProtobufCMessageDescriptor>,
                              options: DecodingOptions = DecodingOptions()) throws(ProtoJSONError) -> [UInt8] {
        let message = try decodeMessage(json: json, descriptor: descriptor, options: options)
        defer { protobuf_c_message_free_unpacked(message, nil) }
        return CMemory.pack(UnsafePointer(message))
    }

    /// A protobuf-c message built from JSON on the C heap. The caller owns it and
    /// frees it with `protobuf_c_message_free_unpacked(message, nil)`, as if
    /// `protobuf_c_message_unpack` had made it.
    public static func decodeMessage(json: [UInt8], descriptor: UnsafePointer<ProtobufCMessageDescriptor>,
                                     options: DecodingOptions = DecodingOptions()) throws(ProtoJSONError) -> UnsafeMutablePointer<ProtobufCMessage> {
        let tree = try JSONParser.parse(json, maxDepth: options.maxDepth)
        let message = CMemory.newMessage(descriptor)
        var decoder = MessageDecoder(options: options)
        do {
            try decoder.decode(tree, into: message, descriptor)
        } catch {
            protobuf_c_message_free_unpacked(message.assumingMemoryBound(to: ProtobufCMessage.self), nil)
            throw error
        }
        return message.assumingMemoryBound(to: ProtobufCMessage.self)
    }
}

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
    /// The JSON text of a protobuf-c message, for showing it (immigctl's output,
    /// error messages). Never fails: the few messages that have no canonical JSON
    /// (a Timestamp past year 9999, an `Any` of a type outside the registry, a
    /// string that is not UTF-8, nesting past `maxDepth`) are written in the
    /// fallback forms docs/json.md lists. Use `encodeCanonical` to reject them.
    public static func encode(_ message: UnsafePointer<ProtobufCMessage>,
                              options: EncodingOptions = EncodingOptions()) -> String {
        do {
            return try encode(message, options: options, strict: false)
        } catch {
            // Only a descriptor that protoc-c would never write gets here.
            return JSONWriter.write(.object([("@error", .string(error.description))]), pretty: options.prettyPrinted)
        }
    }

    /// The JSON text of a message given in its wire form; fails only when the
    /// bytes are not that message. Fallbacks as in `encode(_:options:)`.
    public static func encode(wire: [UInt8], descriptor: UnsafePointer<ProtobufCMessageDescriptor>,
                              options: EncodingOptions = EncodingOptions()) throws(ProtoJSONError) -> String {
        try withUnpacked(wire, descriptor) { message in encode(message, options: options) }
    }

    /// The canonical proto3 JSON of a message, or an error naming the field that
    /// has none (see `encode(_:options:)` for which).
    public static func encodeCanonical(_ message: UnsafePointer<ProtobufCMessage>,
                                       options: EncodingOptions = EncodingOptions()) throws(ProtoJSONError) -> String {
        try encode(message, options: options, strict: true)
    }

    /// The canonical proto3 JSON of a message given in its wire form.
    public static func encodeCanonical(wire: [UInt8], descriptor: UnsafePointer<ProtobufCMessageDescriptor>,
                                       options: EncodingOptions = EncodingOptions()) throws(ProtoJSONError) -> String {
        try withUnpacked(wire, descriptor) { message throws(ProtoJSONError) in
            try encode(message, options: options, strict: true)
        }
    }

    private static func encode(_ message: UnsafePointer<ProtobufCMessage>, options: EncodingOptions,
                               strict: Bool) throws(ProtoJSONError) -> String {
        var encoder = MessageEncoder(options: options, strict: strict)
        let json = try encoder.encode(UnsafeRawPointer(message), message.pointee.descriptor)
        return JSONWriter.write(json, pretty: options.prettyPrinted)
    }

    private static func withUnpacked(_ wire: [UInt8], _ descriptor: UnsafePointer<ProtobufCMessageDescriptor>,
                                     _ body: (UnsafePointer<ProtobufCMessage>) throws(ProtoJSONError) -> String) throws(ProtoJSONError) -> String {
        let unpacked = wire.withUnsafeBufferPointer { buffer in
            protobuf_c_message_unpack(descriptor, nil, buffer.count, buffer.baseAddress)
        }
        guard let unpacked else {
            throw ProtoJSONError(path: "", reason: "the bytes are not a valid \(String(cString: descriptor.pointee.name))")
        }
        defer { protobuf_c_message_free_unpacked(unpacked, nil) }
        return try body(UnsafePointer(unpacked))
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

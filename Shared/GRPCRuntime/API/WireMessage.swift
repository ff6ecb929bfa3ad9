/// A message the runtime can put on the wire and take off it.
///
/// The runtime moves bytes; generated contract types (Shared/Contracts) conform
/// to this protocol so that typed stubs and handlers can sit on top of it.
/// Decoding failures throw, and the server answers them with INVALID_ARGUMENT.
///
/// The two buffer requirements let a codec read the core's received bytes in
/// place and hand its encoding over without an array in between; their
/// defaults go through `init(serializedBytes:)` and `serializedBytes()`.
public protocol WireMessage: Sendable {
    /// Decodes a message from its protobuf wire form.
    init(serializedBytes: [UInt8]) throws
    /// Encodes the message to its protobuf wire form.
    func serializedBytes() throws -> [UInt8]
    /// Decodes a message from borrowed bytes, valid only during the call.
    init(serializedBuffer: UnsafeRawBufferPointer) throws
    /// Encodes the message and lends its wire form to `body`, valid only
    /// during that call (the runtime copies it into the core's buffer).
    func withSerializedBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) throws -> Result
}

extension WireMessage {
    public init(serializedBuffer buffer: UnsafeRawBufferPointer) throws {
        try self.init(serializedBytes: [UInt8](buffer))
    }

    public func withSerializedBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) throws -> Result {
        try serializedBytes().withUnsafeBytes(body)
    }
}

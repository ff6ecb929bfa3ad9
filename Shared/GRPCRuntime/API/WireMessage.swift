/// A message the runtime can put on the wire and take off it.
///
/// The runtime moves bytes; generated contract types (Shared/Contracts) conform
/// to this protocol so that typed stubs and handlers can sit on top of it.
/// Decoding failures throw, and the server answers them with INVALID_ARGUMENT.
public protocol WireMessage: Sendable {
    /// Decodes a message from its protobuf wire form.
    init(serializedBytes: [UInt8]) throws
    /// Encodes the message to its protobuf wire form.
    func serializedBytes() throws -> [UInt8]
}

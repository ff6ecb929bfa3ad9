/// Why a message could not be decoded from, or encoded to, the protobuf wire form.
///
/// Thrown by every generated contract type's `init(serializedBytes:)` and
/// `serializedBytes()`; the gRPC server answers decoding failures with
/// INVALID_ARGUMENT. The description names the message type or field, never
/// the data.
public enum WireFormatError: Error, Sendable, Hashable, CustomStringConvertible {
    /// protobuf-c rejected the bytes: truncated, a wrong wire type, an over-long
    /// varint, a length past the end, or an unsupported tag.
    case malformed(messageType: String, byteCount: Int)
    /// A `string` field held bytes that are not valid UTF-8.
    case invalidUTF8(field: String)
    /// A `string` field to encode contains U+0000, which protobuf-c's
    /// NUL-terminated strings cannot carry.
    case stringContainsNUL(field: String)

    public var description: String {
        switch self {
        case .malformed(let messageType, let byteCount):
            "malformed protobuf data for \(messageType) (\(byteCount) bytes): truncated, wrong wire type, over-long varint or length past the end"
        case .invalidUTF8(let field):
            "string field \(field) is not valid UTF-8"
        case .stringContainsNUL(let field):
            "string field \(field) contains U+0000, which the wire codec cannot carry"
        }
    }
}

import CGRPC

/// An encoded message in a byte buffer of the core, ready for SEND_MESSAGE.
///
/// Ownership: `init(copying:)` creates the buffer; exactly one of these
/// takes it over: the `Batch` that sends it (destroyed in the batch's
/// `deinit`), or `discard()` when it will not be sent.
@usableFromInline
struct OutgoingMessage: @unchecked Sendable {
    let buffer: UnsafeMutablePointer<grpc_byte_buffer>

    @usableFromInline
    init(copying bytes: UnsafeRawBufferPointer) {
        buffer = ByteBuffer.make(copying: bytes)
    }

    init(_ bytes: [UInt8]) {
        buffer = ByteBuffer.make(bytes)
    }

    /// Frees a message that will not be sent.
    func discard() { grpc_byte_buffer_destroy(buffer) }
}

import CGRPC

/// A unary call in one object: the `grpc_call`, its single batch (request
/// headers, message and half-close; response headers, message and status)
/// and the memory the core writes into.
///
/// It exists because a unary call needs neither the send lock nor the status
/// waiters of a streaming `ClientCall`, nor a `BatchResult` copied out on the
/// completion-queue thread: the caller's task reads the status and decodes
/// the response in place from the core's buffer once it resumes.
///
/// Ownership: holds the one reference `grpc_channel_create_call` returned,
/// dropped in `deinit`. `slots` is one allocation: the operations and what
/// they receive; `deinit` frees it with the received metadata arrays, byte
/// buffer, status slice and error string, and frees the request headers
/// (`OutgoingMetadata`) and the sent byte buffer. The object is its own tag:
/// retained for the core by `run`, released once by the completion-queue
/// thread, or by `run` itself when the core refuses the batch.
final class UnaryCall: CompletionTag, @unchecked Sendable {
    let pointer: OpaquePointer
    private let slots: UnsafeMutablePointer<cgrpc_batch_slots>
    private let headers: OutgoingMetadata
    private let request: UnsafeMutablePointer<grpc_byte_buffer>
    private var continuation: UnsafeContinuation<Bool, Never>?

    /// Takes `call` over, and `message` (its buffer is destroyed with this object).
    init(call: OpaquePointer, message: OutgoingMessage, options: CallOptions) {
        pointer = call
        request = message.buffer
        headers = OutgoingMetadata(options.metadata)
        slots = .allocate(capacity: 1)
        slots.initialize(to: cgrpc_batch_slots())
        grpc_metadata_array_init(&slots.pointee.initial_metadata)
        grpc_metadata_array_init(&slots.pointee.trailing_metadata)
        slots.pointee.status_details = grpc_empty_slice()
        // Read as UNKNOWN should the core fail the batch without writing a status.
        slots.pointee.status = GRPC_STATUS_UNKNOWN
        super.init()
        prepareOperations(flags: ClientCall.initialMetadataFlags(options))
    }

    deinit {
        grpc_metadata_array_destroy(field(Batch.Offset.initialMetadata))
        grpc_metadata_array_destroy(field(Batch.Offset.trailingMetadata))
        grpc_slice_unref(slots.pointee.status_details)
        if let error = slots.pointee.error_string { gpr_free(UnsafeMutableRawPointer(mutating: error)) }
        if let message = slots.pointee.message { grpc_byte_buffer_destroy(message) }
        slots.deallocate()
        headers.free()
        grpc_byte_buffer_destroy(request)
        grpc_call_unref(pointer)
    }

    /// The address of one slot (offsets computed once, by `Batch`).
    private func field<T>(_ offset: Int, as type: T.Type = T.self) -> UnsafeMutablePointer<T> {
        (UnsafeMutableRawPointer(slots) + offset).assumingMemoryBound(to: T.self)
    }

    private var ops: UnsafeMutablePointer<grpc_op> { field(Batch.Offset.ops) }

    private func prepareOperations(flags: UInt32) {
        let ops = self.ops
        ops[0].op = GRPC_OP_SEND_INITIAL_METADATA
        ops[0].flags = flags
        ops[0].data.send_initial_metadata.count = headers.count
        ops[0].data.send_initial_metadata.metadata = headers.entries
        ops[1].op = GRPC_OP_SEND_MESSAGE
        ops[1].data.send_message.send_message = request
        ops[2].op = GRPC_OP_SEND_CLOSE_FROM_CLIENT
        ops[3].op = GRPC_OP_RECV_INITIAL_METADATA
        ops[3].data.recv_initial_metadata.recv_initial_metadata = field(Batch.Offset.initialMetadata)
        ops[4].op = GRPC_OP_RECV_MESSAGE
        ops[4].data.recv_message.recv_message = field(Batch.Offset.message)
        ops[5].op = GRPC_OP_RECV_STATUS_ON_CLIENT
        ops[5].data.recv_status_on_client.trailing_metadata = field(Batch.Offset.trailingMetadata)
        ops[5].data.recv_status_on_client.status = field(Batch.Offset.status)
        ops[5].data.recv_status_on_client.status_details = field(Batch.Offset.statusDetails)
        ops[5].data.recv_status_on_client.error_string = field(Batch.Offset.errorString)
    }

    func cancel() { grpc_call_cancel(pointer, nil) }

    /// Starts the batch and waits until it completed; `false` when the core
    /// refused to start it.
    func run() async -> Bool {
        await withUnsafeContinuation { continuation in
            self.continuation = continuation
            let tag = retainedPointer()
            let error = grpc_call_start_batch(pointer, ops, 6, tag, nil)
            if error != GRPC_CALL_OK {
                self.continuation = nil
                CompletionTag.releaseUnsubmitted(tag)
                continuation.resume(returning: false)
            }
        }
    }

    override func complete(success: Bool) {
        let continuation = self.continuation
        self.continuation = nil
        continuation?.resume(returning: true)
    }

    // MARK: After completion (read by the resumed caller)

    /// The call's failure, or `nil` for OK.
    var error: RPCError? {
        let slots = self.slots
        guard slots.pointee.status != GRPC_STATUS_OK else { return nil }
        return ReceivedStatus(code: StatusCode(rawValue: Int32(slots.pointee.status.rawValue)),
                              message: Slice.string(field(Batch.Offset.statusDetails)),
                              trailingMetadata: trailingMetadata).error
    }

    var initialMetadata: Metadata { Metadata(reading: field(Batch.Offset.initialMetadata)) }
    var trailingMetadata: Metadata { Metadata(reading: field(Batch.Offset.trailingMetadata)) }

    /// The response decoded in place from the core's buffer; `nil` when none came.
    func response<Res: WireMessage>(as type: Res.Type = Res.self) throws -> Res? {
        guard let message = slots.pointee.message else { return nil }
        do {
            guard let response = try ByteBuffer.withBytes(of: message, { try Res(serializedBuffer: $0) }) else {
                throw RPCError(.internalError, "response could not be read")
            }
            return response
        } catch let error as RPCError {
            throw error
        } catch {
            throw RPCError(.internalError, "response could not be decoded")
        }
    }
}

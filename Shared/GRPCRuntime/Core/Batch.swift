import CGRPC

/// The status a client received, with its trailers.
struct ReceivedStatus: Sendable {
    var code: StatusCode
    var message: String
    var trailingMetadata: Metadata

    var error: RPCError? {
        guard code != .ok else { return nil }
        let details = trailingMetadata.firstBinary(StatusDetails.metadataKey)
        let violations = details.flatMap { StatusDetails.decode($0)?.fieldViolations } ?? []
        return RPCError(code, message, fieldViolations: violations, trailingMetadata: trailingMetadata)
    }
}

/// What a completed batch brought back.
struct BatchResult: Sendable {
    /// Whether the core ran every operation of the batch.
    var success: Bool
    /// Set when `grpc_call_start_batch` refused the batch (the tag never completes).
    var startError: grpc_call_error?
    var initialMetadata: Metadata?
    /// `nil` when no message was asked for or the stream ended.
    var message: [UInt8]?
    var status: ReceivedStatus?
    var cancelled = false
}

/// One `grpc_call_start_batch`: its operations, the memory they point into,
/// and who to tell when it completes.
///
/// Ownership: everything the operations point at is owned here. Outgoing
/// metadata and the outgoing byte buffer are freed when the batch completes
/// (or is refused); received metadata arrays, the received byte buffer, the
/// status slice and the error string are read and freed in `complete`. The
/// batch is its own tag: retained by `start` for the core, released once by the
/// completion-queue thread. It retains `owner` (the Swift call object, which
/// owns the `grpc_call`) so the call outlives every operation on it.
final class Batch: CompletionTag, @unchecked Sendable {
    private var ops: [grpc_op] = []
    private let slots: UnsafeMutablePointer<cgrpc_batch_slots>
    private var outgoing: [OutgoingMetadata] = []
    private var sendBuffer: UnsafeMutablePointer<grpc_byte_buffer>?
    private var receivesInitialMetadata = false
    private var receivesMessage = false
    private var receivesStatus = false
    private var receivesClose = false
    private var continuation: UnsafeContinuation<BatchResult, Never>?
    private var callback: (@Sendable (BatchResult) -> Void)?
    private let owner: AnyObject?

    init(owner: AnyObject?) {
        self.owner = owner
        slots = .allocate(capacity: 1)
        slots.initialize(to: cgrpc_batch_slots())
        super.init()
        grpc_metadata_array_init(field(\.initial_metadata))
        grpc_metadata_array_init(field(\.trailing_metadata))
        slots.pointee.status_details = grpc_empty_slice()
        // Read as UNKNOWN should the core fail the batch without writing a status.
        slots.pointee.status = GRPC_STATUS_UNKNOWN
        ops.reserveCapacity(6)
    }

    deinit {
        grpc_metadata_array_destroy(field(\.initial_metadata))
        grpc_metadata_array_destroy(field(\.trailing_metadata))
        grpc_slice_unref(slots.pointee.status_details)
        if let error = slots.pointee.error_string { gpr_free(UnsafeMutableRawPointer(mutating: error)) }
        if let message = slots.pointee.message { grpc_byte_buffer_destroy(message) }
        slots.deallocate()
        for metadata in outgoing { metadata.free() }
        if let sendBuffer { grpc_byte_buffer_destroy(sendBuffer) }
    }

    /// The address of one slot, which the core writes into until completion.
    private func field<T>(_ path: WritableKeyPath<cgrpc_batch_slots, T>) -> UnsafeMutablePointer<T> {
        (UnsafeMutableRawPointer(slots) + MemoryLayout<cgrpc_batch_slots>.offset(of: path)!)
            .assumingMemoryBound(to: T.self)
    }

    func sendInitialMetadata(_ metadata: Metadata, flags: UInt32 = 0) {
        let outgoing = OutgoingMetadata(metadata)
        self.outgoing.append(outgoing)
        var op = grpc_op()
        op.op = GRPC_OP_SEND_INITIAL_METADATA
        op.flags = flags
        op.data.send_initial_metadata.count = outgoing.count
        op.data.send_initial_metadata.metadata = outgoing.entries
        ops.append(op)
    }

    func sendMessage(_ bytes: [UInt8]) {
        let buffer = ByteBuffer.make(bytes)
        sendBuffer = buffer
        var op = grpc_op()
        op.op = GRPC_OP_SEND_MESSAGE
        op.data.send_message.send_message = buffer
        ops.append(op)
    }

    func sendCloseFromClient() {
        var op = grpc_op()
        op.op = GRPC_OP_SEND_CLOSE_FROM_CLIENT
        ops.append(op)
    }

    /// The status message is copied by the core during `start`.
    private var statusMessage: String?

    func sendStatus(_ code: StatusCode, message: String, trailingMetadata: Metadata) {
        let outgoing = OutgoingMetadata(trailingMetadata)
        self.outgoing.append(outgoing)
        statusMessage = message
        var op = grpc_op()
        op.op = GRPC_OP_SEND_STATUS_FROM_SERVER
        op.data.send_status_from_server.status = grpc_status_code(rawValue: code.rawValue)
        op.data.send_status_from_server.trailing_metadata_count = outgoing.count
        op.data.send_status_from_server.trailing_metadata = outgoing.entries
        ops.append(op)
    }

    func receiveInitialMetadata() {
        receivesInitialMetadata = true
        var op = grpc_op()
        op.op = GRPC_OP_RECV_INITIAL_METADATA
        op.data.recv_initial_metadata.recv_initial_metadata = field(\.initial_metadata)
        ops.append(op)
    }

    func receiveMessage() {
        receivesMessage = true
        var op = grpc_op()
        op.op = GRPC_OP_RECV_MESSAGE
        op.data.recv_message.recv_message = field(\.message)
        ops.append(op)
    }

    func receiveStatusOnClient() {
        receivesStatus = true
        var op = grpc_op()
        op.op = GRPC_OP_RECV_STATUS_ON_CLIENT
        op.data.recv_status_on_client.trailing_metadata = field(\.trailing_metadata)
        op.data.recv_status_on_client.status = field(\.status)
        op.data.recv_status_on_client.status_details = field(\.status_details)
        op.data.recv_status_on_client.error_string = field(\.error_string)
        ops.append(op)
    }

    func receiveCloseOnServer() {
        receivesClose = true
        var op = grpc_op()
        op.op = GRPC_OP_RECV_CLOSE_ON_SERVER
        op.data.recv_close_on_server.cancelled = field(\.cancelled)
        ops.append(op)
    }

    /// Starts the batch; `callback` runs on the completion-queue thread.
    /// Returns the core's refusal, if any (the callback then never runs).
    @discardableResult
    func start(on call: OpaquePointer, callback: @escaping @Sendable (BatchResult) -> Void) -> grpc_call_error {
        self.callback = callback
        return submit(on: call)
    }

    /// Starts the batch and waits for it.
    func run(on call: OpaquePointer) async -> BatchResult {
        await withUnsafeContinuation { continuation in
            self.continuation = continuation
            let error = submit(on: call)
            if error != GRPC_CALL_OK {
                self.continuation = nil
                continuation.resume(returning: BatchResult(success: false, startError: error))
            }
        }
    }

    private func submit(on call: OpaquePointer) -> grpc_call_error {
        let tag = retainedPointer()
        var details = statusMessage.map { Slice.make($0) }
        let error: grpc_call_error
        if details != nil {
            error = withUnsafeMutablePointer(to: &details!) { detailsPointer in
                for index in ops.indices where ops[index].op == GRPC_OP_SEND_STATUS_FROM_SERVER {
                    ops[index].data.send_status_from_server.status_details = detailsPointer
                }
                return ops.withUnsafeBufferPointer { grpc_call_start_batch(call, $0.baseAddress, $0.count, tag, nil) }
            }
            grpc_slice_unref(details!)
        } else {
            error = ops.withUnsafeBufferPointer { grpc_call_start_batch(call, $0.baseAddress, $0.count, tag, nil) }
        }
        if error != GRPC_CALL_OK { CompletionTag.releaseUnsubmitted(tag) }
        return error
    }

    override func complete(success: Bool) {
        var result = BatchResult(success: success)
        if receivesInitialMetadata {
            result.initialMetadata = Metadata(reading: field(\.initial_metadata))
        }
        if receivesMessage, let message = slots.pointee.message {
            slots.pointee.message = nil
            result.message = ByteBuffer.consume(message)
        }
        if receivesStatus {
            result.status = ReceivedStatus(
                code: StatusCode(rawValue: Int32(slots.pointee.status.rawValue)),
                message: Slice.string(field(\.status_details)),
                trailingMetadata: Metadata(reading: field(\.trailing_metadata)))
        }
        if receivesClose { result.cancelled = slots.pointee.cancelled != 0 }
        if let continuation {
            self.continuation = nil
            continuation.resume(returning: result)
        } else if let callback {
            self.callback = nil
            callback(result)
        }
    }
}

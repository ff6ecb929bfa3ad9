import CGRPC
#if canImport(Glibc)
import Glibc
#endif

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
    /// The operations and everything they receive into, in one allocation:
    /// `malloc`'d, freed in `deinit` (`UnsafeMutablePointer.allocate` goes
    /// through `posix_memalign` on Linux, slower for one object per batch).
    let slots: UnsafeMutablePointer<cgrpc_batch_slots>
    var opCount = 0
    var outgoingHeaders: OutgoingMetadata?
    var outgoingTrailers: OutgoingMetadata?
    var sendBuffer: UnsafeMutablePointer<grpc_byte_buffer>?
    var receivesInitialMetadata = false
    var receivesMessage = false
    var receivesStatus = false
    var receivesClose = false
    private var continuation: UnsafeContinuation<BatchResult, Never>?
    private var callback: (@Sendable (BatchResult) -> Void)?
    private let owner: AnyObject?
    /// The server call whose RECV_CLOSE_ON_SERVER this batch carries (a
    /// unary handler's final batch): told when the batch completes.
    var closeWatcher: ServerCall?
    /// The status message; copied by the core during `start`.
    var statusMessage: String?

    init(owner: AnyObject?) {
        self.owner = owner
        guard let memory = malloc(MemoryLayout<cgrpc_batch_slots>.stride) else { fatalError("out of memory") }
        slots = memory.bindMemory(to: cgrpc_batch_slots.self, capacity: 1)
        slots.initialize(to: cgrpc_batch_slots())
        super.init()
        grpc_metadata_array_init(field(Offset.initialMetadata))
        grpc_metadata_array_init(field(Offset.trailingMetadata))
        slots.pointee.status_details = grpc_empty_slice()
        // Read as UNKNOWN should the core fail the batch without writing a status.
        slots.pointee.status = GRPC_STATUS_UNKNOWN
    }

    deinit {
        grpc_metadata_array_destroy(field(Offset.initialMetadata))
        grpc_metadata_array_destroy(field(Offset.trailingMetadata))
        grpc_slice_unref(slots.pointee.status_details)
        if let error = slots.pointee.error_string { gpr_free(UnsafeMutableRawPointer(mutating: error)) }
        if let message = slots.pointee.message { grpc_byte_buffer_destroy(message) }
        free(slots)
        outgoingHeaders?.free()
        outgoingTrailers?.free()
        if let sendBuffer { grpc_byte_buffer_destroy(sendBuffer) }
    }

    /// Slot offsets: constants the compiler folds (no lazy global, no `swift_once` per access).
    enum Offset {
        static var ops: Int { MemoryLayout<cgrpc_batch_slots>.offset(of: \.ops)! }
        static var initialMetadata: Int { MemoryLayout<cgrpc_batch_slots>.offset(of: \.initial_metadata)! }
        static var trailingMetadata: Int { MemoryLayout<cgrpc_batch_slots>.offset(of: \.trailing_metadata)! }
        static var message: Int { MemoryLayout<cgrpc_batch_slots>.offset(of: \.message)! }
        static var status: Int { MemoryLayout<cgrpc_batch_slots>.offset(of: \.status)! }
        static var statusDetails: Int { MemoryLayout<cgrpc_batch_slots>.offset(of: \.status_details)! }
        static var errorString: Int { MemoryLayout<cgrpc_batch_slots>.offset(of: \.error_string)! }
        static var cancelled: Int { MemoryLayout<cgrpc_batch_slots>.offset(of: \.cancelled)! }
    }

    /// The address of one slot, which the core writes into until completion.
    func field<T>(_ offset: Int, as type: T.Type = T.self) -> UnsafeMutablePointer<T> {
        (UnsafeMutableRawPointer(slots) + offset).assumingMemoryBound(to: T.self)
    }

    var ops: UnsafeMutablePointer<grpc_op> {
        field(Offset.ops)
    }

    /// Adds one operation (at most one of each kind, six in all).
    func append(_ op: grpc_op) {
        precondition(opCount < 6, "a batch holds at most six operations")
        ops[opCount] = op
        opCount += 1
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
                for index in 0..<opCount where ops[index].op == GRPC_OP_SEND_STATUS_FROM_SERVER {
                    ops[index].data.send_status_from_server.status_details = detailsPointer
                }
                return grpc_call_start_batch(call, ops, opCount, tag, nil)
            }
            grpc_slice_unref(details!)
        } else {
            error = grpc_call_start_batch(call, ops, opCount, tag, nil)
        }
        if error != GRPC_CALL_OK { CompletionTag.releaseUnsubmitted(tag) }
        return error
    }

    override func complete(success: Bool) {
        var result = BatchResult(success: success)
        if receivesInitialMetadata {
            result.initialMetadata = Metadata(reading: field(Offset.initialMetadata))
        }
        if receivesMessage, let message = slots.pointee.message {
            slots.pointee.message = nil
            result.message = ByteBuffer.consume(message)
        }
        if receivesStatus {
            result.status = ReceivedStatus(
                code: StatusCode(rawValue: Int32(slots.pointee.status.rawValue)),
                message: Slice.string(field(Offset.statusDetails)),
                trailingMetadata: Metadata(reading: field(Offset.trailingMetadata)))
        }
        if receivesClose { result.cancelled = slots.pointee.cancelled != 0 }
        if let closeWatcher {
            self.closeWatcher = nil
            closeWatcher.closed(cancelled: !success || result.cancelled)
        }
        if let continuation {
            self.continuation = nil
            continuation.resume(returning: result)
        } else if let callback {
            self.callback = nil
            callback(result)
        }
    }
}

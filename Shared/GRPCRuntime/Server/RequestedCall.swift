import CGRPC

/// A request for the next incoming call, kept armed on one completion queue:
/// each time it completes, it is armed again with the same slots.
///
/// Ownership: `slots` is allocated here and freed in `deinit` (once the
/// server stopped and the last request failed); when the tag completes, the
/// `grpc_call` inside moves to a `ServerCall` (or is unref'd at once if the
/// server is stopping), the request metadata array and payload buffer move
/// to the call, call details are read, then destroyed (or reset for the next request) here.
final class RequestedCall: CompletionTag, @unchecked Sendable {
    private let engine: ServerEngine
    /// `nil` asks for calls to methods nobody registered (answered UNIMPLEMENTED).
    private let method: RegisteredMethod?
    private let queue: CompletionQueue
    /// The queue's handler workers, which run the calls this request announces.
    private let workers: HandlerWorkers
    private let slots: UnsafeMutablePointer<cgrpc_requested_call_slots>

    init(engine: ServerEngine, method: RegisteredMethod?, queue: CompletionQueue, workers: HandlerWorkers) {
        self.engine = engine
        self.method = method
        self.queue = queue
        self.workers = workers
        slots = .allocate(capacity: 1)
        slots.initialize(to: cgrpc_requested_call_slots())
        super.init()
        grpc_metadata_array_init(field(Offset.requestMetadata))
        grpc_call_details_init(field(Offset.details))
    }

    deinit {
        grpc_metadata_array_destroy(field(Offset.requestMetadata))
        grpc_call_details_destroy(field(Offset.details))
        if let payload = slots.pointee.payload { grpc_byte_buffer_destroy(payload) }
        slots.deallocate()
    }

    /// Slot offsets: constants the compiler folds (no lazy global, no `swift_once` per access).
    private enum Offset {
        static var call: Int { MemoryLayout<cgrpc_requested_call_slots>.offset(of: \.call)! }
        static var deadline: Int { MemoryLayout<cgrpc_requested_call_slots>.offset(of: \.deadline)! }
        static var requestMetadata: Int { MemoryLayout<cgrpc_requested_call_slots>.offset(of: \.request_metadata)! }
        static var payload: Int { MemoryLayout<cgrpc_requested_call_slots>.offset(of: \.payload)! }
        static var details: Int { MemoryLayout<cgrpc_requested_call_slots>.offset(of: \.details)! }
        static var detailsMethod: Int { MemoryLayout<cgrpc_requested_call_slots>.offset(of: \.details.method)! }
    }

    /// The address of one slot, which the core writes into until the tag completes.
    private func field<T>(_ offset: Int, as type: T.Type = T.self) -> UnsafeMutablePointer<T> {
        (UnsafeMutableRawPointer(slots) + offset).assumingMemoryBound(to: T.self)
    }

    /// Hands the request to the core. Returns false if the core refused it.
    func arm() -> Bool {
        let tag = retainedPointer()
        let error: grpc_call_error
        if let method {
            error = grpc_server_request_registered_call(
                engine.pointer, method.handle, field(Offset.call), field(Offset.deadline), field(Offset.requestMetadata),
                method.readsInitialPayload ? field(Offset.payload) : nil, queue.pointer, queue.pointer, tag)
        } else {
            error = grpc_server_request_call(
                engine.pointer, field(Offset.call), field(Offset.details), field(Offset.requestMetadata),
                queue.pointer, queue.pointer, tag)
        }
        if error != GRPC_CALL_OK { CompletionTag.releaseUnsubmitted(tag) }
        return error == GRPC_CALL_OK
    }

    override func complete(success: Bool) {
        guard success, let call = slots.pointee.call else { return }
        slots.pointee.call = nil
        guard engine.isAccepting else {
            grpc_call_unref(call)
            return
        }
        let deadline = Self.instant(slots.pointee.deadline)
        // The payload buffer moves to the call, which decodes it in place.
        let payload = slots.pointee.payload
        slots.pointee.payload = nil
        let path = method == nil ? Slice.string(field(Offset.detailsMethod)) : ""
        // Everything is copied or moved out: the slots are free for the next
        // request. The header array moves to the call, which reads it only if asked.
        let headers = slots.pointee.request_metadata
        grpc_metadata_array_init(field(Offset.requestMetadata))
        if method == nil {
            var unused = headers
            grpc_metadata_array_destroy(&unused)
            grpc_call_details_destroy(field(Offset.details))
            grpc_call_details_init(field(Offset.details))
        }
        // Armed again right after the handler started (it runs on this thread
        // up to its first suspension; a unary handler that never suspends has
        // started its response batch by then): the response leaves a few
        // microseconds sooner, so more responses share the transport's writes,
        // and the other requests armed on this queue keep a backlog meanwhile.
        defer { _ = arm() }
        guard let method else {
            engine.rejectUnimplemented(call: call, path: path)
            return
        }
        let serverCall = ServerCall(pointer: call, engine: engine, queue: queue, registered: method,
                                    requestHeaders: headers, deadline: deadline, initialPayload: payload)
        serverCall.startHandler(on: workers)
    }

    /// The call's deadline on the continuous clock; `nil` when infinite.
    static func instant(_ deadline: gpr_timespec) -> ContinuousClock.Instant? {
        if gpr_time_cmp(deadline, gpr_inf_future(deadline.clock_type)) == 0 { return nil }
        let remaining = gpr_time_sub(gpr_convert_clock_type(deadline, GPR_CLOCK_MONOTONIC), gpr_now(GPR_CLOCK_MONOTONIC))
        return ContinuousClock.now + .seconds(remaining.tv_sec) + .nanoseconds(remaining.tv_nsec)
    }
}

/// A method registered with the core (`grpc_server_register_method`).
/// The handle belongs to the `grpc_server` and dies with it.
/// A class: each call keeps a reference to it (one retain) instead of a copy
/// of the method, its descriptor's strings and what the interceptors prepared.
final class RegisteredMethod: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer
    let method: ServerMethod
    /// What each observing interceptor prepared for this method (by interceptor index).
    let prepared: [(any AnyObject & Sendable)?]
    /// `method.readsInitialPayload`, read each time a request is armed.
    let readsInitialPayload: Bool

    init(handle: UnsafeMutableRawPointer, method: ServerMethod, prepared: [(any AnyObject & Sendable)?]) {
        self.handle = handle
        self.method = method
        self.prepared = prepared
        readsInitialPayload = method.readsInitialPayload
    }
}

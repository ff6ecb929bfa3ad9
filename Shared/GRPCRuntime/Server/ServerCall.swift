import CGRPC
import Logging
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The server side of one accepted call. It is also the tag of its
/// RECV_CLOSE_ON_SERVER operation (the close watcher).
///
/// Ownership: holds the one reference to the `grpc_call` that the core gave
/// the request tag, and drops it (`grpc_call_unref`) in `deinit`. Every batch
/// on the call retains this object, the close watcher is retained as a tag
/// until it completes, and so does the worker Task running the handler
/// (until `run(on:)` returns; a parked worker holds no call), so the call is
/// released exactly once, after its last operation completed. `closeSlot`
/// (where the core writes whether the call was cancelled) is allocated by
/// `watchForClose` when the close watcher is a tag of its own, and freed in `deinit`.
/// Threading: receives happen one at a time (one iterator), sends are
/// serialised by `sendLock`; the close watcher runs on a completion-queue thread.
@usableFromInline
final class ServerCall: CompletionTag, @unchecked Sendable {
    let pointer: OpaquePointer
    let engine: ServerEngine
    /// The method called, and what the observing interceptors prepared for it.
    let registered: RegisteredMethod
    /// The request headers as the core gave them, read into `Metadata` only
    /// when a handler asks (`requestMetadata`). The array is this object's
    /// (destroyed in `deinit`); its keys and values belong to the `grpc_call`
    /// and stay valid until it is unref'd, also in `deinit`.
    private let requestHeaders: grpc_metadata_array
    private let readRequestMetadata = Mutex<Metadata?>(nil)
    let deadline: ContinuousClock.Instant?
    /// Response headers and trailers, made when a handler first asks for them
    /// (`response`): most calls send none, and save the object.
    private let madeResponse = Mutex<ResponseMetadata?>(nil)
    /// The single request of unary and server-streaming calls, read by the
    /// core with the call; this object's, destroyed in `deinit`.
    private let initialPayload: UnsafeMutablePointer<grpc_byte_buffer>?
    /// The request's bytes in one piece when the core's buffer holds several
    /// slices (large messages); made by the handler's Task on first use, freed in `deinit`.
    private var flattenedPayload: UnsafeMutableRawBufferPointer?
    private let sendLock = SendLock()
    /// Where the core writes whether the call was cancelled, allocated by
    /// `watchForClose` (a close watcher of its own; not when the final batch
    /// carries it). Written once, before the core sees it.
    private var closeSlot: UnsafeMutablePointer<Int32>?
    private let state = Mutex<State>(State())

    private struct State {
        /// The worker running the handler, until it returns (`HandlerWorkers`).
        var worker: HandlerWorker?
        /// Set when the handler has finished (it may run to its end before
        /// `startHandler` goes on, on this queue's thread).
        var handlerDone = false
        var cancelled = false
        /// Whether the close watcher completed, and a handler waiting for it.
        var closed = false
        var closeWaiter: UnsafeContinuation<Void, Never>?
        var initialMetadataSent = false
        var statusSent = false
        var receiving = false
        /// Whether RECV_CLOSE_ON_SERVER was started: alone once the handler
        /// first suspends, or in the final batch when it never did.
        var closeWatchStarted = false
    }

    /// The queue that announced the call; its completions and its handler run there.
    let queue: CompletionQueue

    // What the call's `ServerContext` reads (the context has no storage of its
    // own). Set once by `ServerEngine.prepareContext` in the handler's Task,
    // before the first context is made; never changed after.
    var caller: CallerIdentity?
    var trace = TraceContext(traceID: "", parentID: "")
    /// The call's own logger, made only when the configured one cannot take the
    /// per-call metadata from a provider; otherwise every call shares `engine.callLogger`.
    var ownLogger: Logger?
    var logger: Logger { ownLogger ?? engine.callLogger! }

    init(pointer: OpaquePointer, engine: ServerEngine, queue: CompletionQueue, registered: RegisteredMethod,
         requestHeaders: grpc_metadata_array, deadline: ContinuousClock.Instant?,
         initialPayload: UnsafeMutablePointer<grpc_byte_buffer>?) {
        self.pointer = pointer
        self.queue = queue
        self.engine = engine
        self.registered = registered
        self.requestHeaders = requestHeaders
        self.deadline = deadline
        self.initialPayload = initialPayload
        super.init()
        engine.callStarted()
    }

    deinit {
        var headers = requestHeaders
        grpc_metadata_array_destroy(&headers)
        if let initialPayload { grpc_byte_buffer_destroy(initialPayload) }
        flattenedPayload?.deallocate()
        grpc_call_unref(pointer)
        closeSlot?.deallocate()
        engine.callEnded()
    }

    /// The request headers, read from the core's array on first use.
    var requestMetadata: Metadata {
        readRequestMetadata.withLock { read in
            if let read { return read }
            let metadata = withUnsafePointer(to: requestHeaders) { Metadata(reading: $0) }
            read = metadata
            return metadata
        }
    }

    /// Where the handler puts response headers and trailers, made on first use.
    var response: ResponseMetadata {
        madeResponse.withLock { made in
            if let made { return made }
            let response = ResponseMetadata()
            made = response
            return response
        }
    }

    /// The first value of a request header as text, read without making a
    /// `String` of any other header. `key` is lower-case, as on the wire.
    func firstRequestHeader(_ key: StaticString) -> String? {
        withFirstRequestHeader(key) { String(decoding: $0, as: UTF8.self) }
    }

    /// Lends the first value of a request header to `body`, without making a
    /// `String`; the bytes belong to the `grpc_call`. Keys are compared with
    /// `memcmp` (the runtime looks up two headers on every call).
    func withFirstRequestHeader<Result>(_ key: StaticString, _ body: (UnsafeRawBufferPointer) -> Result) -> Result? {
        let count = requestHeaders.count
        guard count > 0, let entries = requestHeaders.metadata else { return nil }
        let wanted = UnsafeRawPointer(key.utf8Start)
        let wantedCount = key.utf8CodeUnitCount
        for index in 0..<count {
            let matches = withUnsafePointer(to: entries[index].key) { slice -> Bool in
                guard cgrpc_slice_length(slice) == wantedCount else { return false }
                return wantedCount == 0 || memcmp(cgrpc_slice_start(slice), wanted, wantedCount) == 0
            }
            if matches {
                return withUnsafePointer(to: entries[index].value) { value in
                    body(UnsafeRawBufferPointer(start: cgrpc_slice_start(value), count: cgrpc_slice_length(value)))
                }
            }
        }
        return nil
    }

    /// Starts RECV_CLOSE_ON_SERVER: it completes when the call ends, and says
    /// whether it ended early (client cancel, deadline, network), which cancels the handler.
    func watchForClose() {
        var op = grpc_op()
        op.op = GRPC_OP_RECV_CLOSE_ON_SERVER
        let slot = UnsafeMutablePointer<Int32>.allocate(capacity: 1)
        slot.initialize(to: 0)
        closeSlot = slot
        op.data.recv_close_on_server.cancelled = slot
        let tag = retainedPointer()
        let error = grpc_call_start_batch(pointer, &op, 1, tag, nil)
        if error != GRPC_CALL_OK {
            CompletionTag.releaseUnsubmitted(tag)
            closed(cancelled: true)
        }
    }

    /// The close watcher completed.
    override func complete(success: Bool) {
        closed(cancelled: !success || (closeSlot?.pointee ?? 0) != 0)
    }

    func closed(cancelled: Bool) {
        let (worker, waiter) = state.withLock { state in
            state.closed = true
            if cancelled { state.cancelled = true }
            defer { state.closeWaiter = nil }
            return (cancelled ? state.worker : nil, state.closeWaiter)
        }
        worker?.cancel(running: self)
        waiter?.resume()
    }

    /// Returns once the close watcher has completed.
    private nonisolated(nonsending) func waitForClose() async {
        await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
            let done = state.withLock { state -> Bool in
                if state.closed { return true }
                state.closeWaiter = continuation
                return false
            }
            if done { continuation.resume() }
        }
    }

    /// Runs the handler on one of the queue's handler workers (a long-lived
    /// Task; `HandlerWorkers`), on this queue's thread: it runs before `run`
    /// returns, up to its first suspension. A handler that finishes without
    /// suspending (most unary calls) sends RECV_CLOSE_ON_SERVER in its final
    /// batch, with the response and the status: one batch and one completion
    /// per call less. One that suspends gets the close watcher when it first
    /// does, so a cancel still reaches it while it waits. A cancel reaches the
    /// worker in one of two places: `closed` once the worker is known, `run(on:)`
    /// when the worker learns of a cancel that came before it.
    func startHandler(on workers: HandlerWorkers) {
        workers.run(self)
        let watch = state.withLock { state -> Bool in
            defer { state.closeWatchStarted = true }
            return !state.closeWatchStarted
        }
        if watch { watchForClose() }
    }

    var isCancelled: Bool { state.withLock { $0.cancelled } }

    /// The handler's whole life on `worker`: context, interceptors, handler, final batch.
    nonisolated(nonsending) func run(on worker: HandlerWorker) async {
        // A cancel that came before the worker was known here (`closed` found no
        // worker to cancel) is passed on now: none is lost.
        let cancelledAlready = state.withLock { state -> Bool in
            state.worker = worker
            return state.cancelled
        }
        if cancelledAlready { worker.cancel(running: self) }
        engine.prepareContext(of: self)
        let context = ServerContext(call: self)
        do {
            let response = try await TraceContext.$current.withValue(trace) {
                try await engine.intercept(call: self, context: context, index: 0)
            }
            if !finishAtOnce(error: nil, response: response) { await finish(error: nil, response: response) }
        } catch {
            let status = RPCError.from(error)
            if !finishAtOnce(error: status, response: nil) { await finish(error: status, response: nil) }
        }
        state.withLock { state in
            state.worker = nil
            state.handlerDone = true
        }
    }

    /// The bytes of the single request, read with the call, valid while this
    /// call lives; `nil` when it did not come. Synchronous, so a unary call
    /// has no await before its handler. Called once, by the handler's Task.
    ///
    /// Without it, either the stream was cut off (reset, connection lost) or the
    /// client half-closed without a message. The core cannot always tell yet
    /// which, so the call is answered INTERNAL, and once it has ended the close
    /// watcher tells: a cancelled call throws CANCELLED (no client heard the
    /// answer), a half-closed one INTERNAL, so interceptors count the right code.
    @usableFromInline
    func initialRequest() -> UnsafeRawBufferPointer? {
        guard let initialPayload else { return nil }
        var start: UnsafePointer<UInt8>?
        var length = 0
        if cgrpc_byte_buffer_single_slice(initialPayload, &start, &length) != 0 {
            return UnsafeRawBufferPointer(start: start, count: length)
        }
        if let flattenedPayload { return UnsafeRawBufferPointer(flattenedPayload) }
        guard let bytes = ByteBuffer.read(initialPayload) else { return nil }
        let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 1)
        bytes.withUnsafeBytes { copy.copyMemory(from: $0) }
        flattenedPayload = copy
        return UnsafeRawBufferPointer(copy)
    }

    /// Ends a unary or server-streaming call that came without its request
    /// (see `initialRequest`); always throws.
    @usableFromInline
    nonisolated(nonsending) func requestMissing() async throws -> Never {
        let cutOff = RPCError(.cancelled, "call cancelled before its request arrived")
        if isCancelled || grpc_call_failed_before_recv_message(pointer) != 0 { throw cutOff }
        let missing = RPCError(.internalError, "request message missing")
        await finish(error: missing, response: nil)
        await waitForClose()
        throw isCancelled ? cutOff : missing
    }

    /// The next request message, `nil` at the end of the stream.
    nonisolated(nonsending) func receiveMessage() async throws -> [UInt8]? {
        let busy = state.withLock { state -> Bool in
            defer { state.receiving = true }
            return state.receiving
        }
        guard !busy else { throw RPCError(.failedPrecondition, "request stream read by two tasks at once") }
        defer { state.withLock { $0.receiving = false } }
        let batch = Batch(owner: self)
        batch.receiveMessage()
        let result = await batch.run(on: pointer)
        guard result.success else { throw RPCError(.cancelled, "call ended while receiving") }
        if result.message == nil, grpc_call_failed_before_recv_message(pointer) != 0 || isCancelled {
            // Not a half-close: the client cancelled or went away. A handler must
            // not mistake a cut-off upload for a complete one.
            throw RPCError(.cancelled, "call cancelled before the request stream ended")
        }
        return result.message
    }

    /// Sends one message of a response stream (taking `message` over).
    nonisolated(nonsending) func sendMessage(_ message: OutgoingMessage) async throws {
        await sendLock.acquire()
        defer { sendLock.release() }
        guard !state.withLock({ $0.statusSent }) else {
            message.discard()
            throw RPCError(.failedPrecondition, "call already finished")
        }
        let headers = takeInitialMetadataTurn()
        let batch = Batch(owner: self)
        if let headers { batch.sendInitialMetadata(headers) }
        batch.sendMessage(message)
        let result = await batch.run(on: pointer)
        guard result.success else { throw RPCError(.cancelled, "call ended while sending") }
    }

    /// The response headers if they still have to go out, marking them sent.
    private func takeInitialMetadataTurn() -> Metadata? {
        let first = state.withLock { state -> Bool in
            defer { state.initialMetadataSent = true }
            return !state.initialMetadataSent
        }
        return first ? (madeResponse.withLock { $0 }?.headers ?? Metadata()) : nil
    }

    /// Sends headers if still due, the single response if any, and the status.
    /// No send can follow (the status is marked sent under the send lock).
    /// Takes `message` over.
    nonisolated(nonsending) func finish(error: RPCError?, response message: OutgoingMessage?) async {
        await sendLock.acquire()
        defer { sendLock.release() }
        finishLocked(error: error, response: message)
    }

    /// `finish` without waiting, when no send is in flight (always, for a
    /// unary handler): no await, so no executor check after it. Returns false,
    /// having done nothing (`message` still the caller's), when a send holds the lock.
    func finishAtOnce(error: RPCError?, response message: OutgoingMessage?) -> Bool {
        guard sendLock.tryAcquire() else { return false }
        defer { sendLock.release() }
        finishLocked(error: error, response: message)
        return true
    }

    /// `finish`'s work, with the send lock held.
    private func finishLocked(error: RPCError?, response message: OutgoingMessage?) {
        // One turn of the lock: the status, the close watcher and the headers' turn.
        let (alreadySent, watchesClose, sendsHeaders) = state.withLock { state -> (Bool, Bool, Bool) in
            defer {
                state.statusSent = true
                state.closeWatchStarted = true
                state.initialMetadataSent = true
            }
            return (state.statusSent, !state.closeWatchStarted, !state.initialMetadataSent)
        }
        guard !alreadySent else {
            message?.discard()
            return
        }
        let batch = Batch(owner: self)
        if watchesClose { batch.receiveCloseOnServer() }
        let response = madeResponse.withLock { $0 }
        if sendsHeaders { batch.sendInitialMetadata(response?.headers ?? Metadata()) }
        var trailers = response?.trailers ?? Metadata()
        if let error {
            trailers.merge(error.trailingMetadata)
            if !error.fieldViolations.isEmpty {
                trailers.add(StatusDetails.metadataKey, binary: StatusDetails.encode(
                    code: error.code, message: error.message, fieldViolations: error.fieldViolations))
            }
            batch.sendStatus(error.code, message: error.message, trailingMetadata: trailers)
            message?.discard()
        } else {
            if let message { batch.sendMessage(message) }
            batch.sendStatus(.ok, message: "", trailingMetadata: trailers)
        }
        // Not awaited: nothing depends on its completion but the close
        // watcher it may carry. The batch keeps this call (and so the
        // grpc_call) alive until the core is done.
        if watchesClose {
            // The batch tells this call when it completes (no closure to allocate).
            batch.closeWatcher = self
            if batch.start(on: pointer, callback: { _ in }) != GRPC_CALL_OK { closed(cancelled: true) }
        } else {
            batch.start(on: pointer) { _ in }
        }
    }
}

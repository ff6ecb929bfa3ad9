import CGRPC
import Synchronization

/// The client side of one call.
///
/// Ownership: holds the one reference `grpc_channel_create_call` returned,
/// dropped in `deinit`; every batch on the call retains this object, so the
/// reference goes after the last operation completed.
/// Threading: sends are serialised by `sendLock`; receives come from one iterator.
final class ClientCall: @unchecked Sendable {
    let pointer: OpaquePointer
    private let sendLock = SendLock()
    private let state = Mutex<State>(State())

    private struct State {
        var status: ReceivedStatus?
        var statusWaiters: [UnsafeContinuation<ReceivedStatus, Never>] = []
        var initialMetadata: Metadata?
        var receivedInitialMetadata = false
    }

    init(pointer: OpaquePointer) { self.pointer = pointer }

    deinit { grpc_call_unref(pointer) }

    func cancel() { grpc_call_cancel(pointer, nil) }

    static func initialMetadataFlags(_ options: CallOptions) -> UInt32 {
        options.waitForReady
            ? UInt32(GRPC_INITIAL_METADATA_WAIT_FOR_READY | GRPC_INITIAL_METADATA_WAIT_FOR_READY_EXPLICITLY_SET)
            : 0
    }

    /// Starts the streaming call: request headers, optionally the single
    /// request and half-close, and the wait for the status, in one batch
    /// (which takes the request's buffer over).
    func start(options: CallOptions, singleRequest: OutgoingMessage?) throws {
        let batch = Batch(owner: self)
        batch.sendInitialMetadata(options.metadata, flags: Self.initialMetadataFlags(options))
        if let singleRequest {
            batch.sendMessage(singleRequest)
            batch.sendCloseFromClient()
        }
        batch.receiveStatusOnClient()
        let error = batch.start(on: pointer) { [self] result in
            deliver(result.status ?? ReceivedStatus(code: .unknown, message: "call failed", trailingMetadata: [:]))
        }
        guard error == GRPC_CALL_OK else { throw RPCError(.internalError, "call could not start") }
    }

    private func deliver(_ status: ReceivedStatus) {
        let waiters = state.withLock { state -> [UnsafeContinuation<ReceivedStatus, Never>] in
            state.status = status
            defer { state.statusWaiters = [] }
            return state.statusWaiters
        }
        waiters.forEach { $0.resume(returning: status) }
    }

    /// The call's status, once the server sent it (or the call failed).
    func status() async -> ReceivedStatus {
        if let status = state.withLock({ $0.status }) { return status }
        return await withUnsafeContinuation { continuation in
            let status = state.withLock { state -> ReceivedStatus? in
                if let status = state.status { return status }
                state.statusWaiters.append(continuation)
                return nil
            }
            if let status { continuation.resume(returning: status) }
        }
    }

    var hasStatus: Bool { state.withLock { $0.status != nil } }

    /// The next response, `nil` at the end of the stream or when the call failed.
    func receiveMessage() async -> [UInt8]? {
        let batch = Batch(owner: self)
        let first = state.withLock { state -> Bool in
            defer { state.receivedInitialMetadata = true }
            return !state.receivedInitialMetadata
        }
        if first { batch.receiveInitialMetadata() }
        batch.receiveMessage()
        let result = await batch.run(on: pointer)
        if let metadata = result.initialMetadata { state.withLock { $0.initialMetadata = metadata } }
        return result.message
    }

    var initialMetadata: Metadata? { state.withLock { $0.initialMetadata } }

    /// Sends one request (its buffer taken over by the batch); throws the
    /// call's status if the call has ended.
    func send(_ message: OutgoingMessage) async throws {
        await sendLock.acquire()
        defer { sendLock.release() }
        let batch = Batch(owner: self)
        batch.sendMessage(message)
        let result = await batch.run(on: pointer)
        if !result.success { throw await failure() }
    }

    /// Half-closes: tells the server no more requests follow.
    func closeSend() async throws {
        await sendLock.acquire()
        defer { sendLock.release() }
        let batch = Batch(owner: self)
        batch.sendCloseFromClient()
        let result = await batch.run(on: pointer)
        if !result.success { throw await failure() }
    }

    private func failure() async -> RPCError {
        await status().error ?? RPCError(.unknown, "call ended")
    }
}

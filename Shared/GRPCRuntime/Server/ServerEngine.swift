import CGRPC
import Logging
import Synchronization

/// The `grpc_server`, its completion queues and the calls in flight.
///
/// Ownership: the `grpc_server` is created by `start` and destroyed by
/// `stop` after the core reported shutdown and every `ServerCall` is gone;
/// only then are the completion queues shut down, drained and destroyed.
final class ServerEngine: @unchecked Sendable {
    let configuration: ServerConfiguration
    let pointer: OpaquePointer
    let queues: CompletionQueueGroup
    private(set) var methods: [RegisteredMethod] = []
    private let interceptors: [any ServerInterceptor]
    /// The configured logger with the per-call metadata provider; `nil` when
    /// its handler does not support providers (metadata is then set per call).
    private let callLogger: Logger?
    private let accepting = Atomic<Bool>(true)
    /// Whether `grpc_server_destroy` ran (by a failed start or by `stop`).
    private let destroyed = Atomic<Bool>(false)
    private let calls = Mutex<(live: Int, drained: UnsafeContinuation<Void, Never>?)>((0, nil))

    init(configuration: ServerConfiguration, methods: [ServerMethod]) throws {
        GRPCLibrary.ensureInitialised()
        self.configuration = configuration
        interceptors = configuration.interceptors
        callLogger = CallLogMetadata.attach(to: configuration.logger)
        var arguments = ChannelArguments()
        arguments.set("grpc.max_receive_message_length", Int32(clamping: configuration.maxReceiveMessageBytes))
        arguments.set("grpc.max_send_message_length", Int32(clamping: configuration.maxSendMessageBytes))
        arguments.set("grpc.keepalive_time_ms", configuration.keepalive.interval.milliseconds)
        arguments.set("grpc.keepalive_timeout_ms", configuration.keepalive.timeout.milliseconds)
        arguments.set("grpc.keepalive_permit_without_calls", configuration.keepalive.permitWithoutCalls ? 1 : 0)
        arguments.set("grpc.http2.min_ping_interval_without_data_ms",
                      configuration.keepalive.minimumClientPingInterval.milliseconds)
        arguments.set("grpc.so_reuseport", configuration.sharesPort ? 1 : 0)
        pointer = arguments.withCArguments { grpc_server_create($0, nil) }
        queues = CompletionQueueGroup(name: configuration.name, count: configuration.completionQueueCount)
        for queue in queues.queues {
            grpc_server_register_completion_queue(pointer, queue.pointer, nil)
        }
        var seen = Set<String>()
        for method in methods {
            // Throwing here runs deinit, which destroys the server and its queues.
            guard seen.insert(method.descriptor.path).inserted else {
                throw RuntimeError("method \(method.descriptor.path) registered twice")
            }
            let handling = method.readsInitialPayload ? GRPC_SRM_PAYLOAD_READ_INITIAL_BYTE_BUFFER : GRPC_SRM_PAYLOAD_NONE
            guard let handle = grpc_server_register_method(pointer, method.descriptor.path, nil, handling, 0) else {
                throw RuntimeError("the core refused to register \(method.descriptor.path)")
            }
            self.methods.append(RegisteredMethod(handle: handle, method: method))
        }
    }

    /// Binds the port and starts serving; returns the bound port.
    func start() throws -> Int {
        let credentials: OpaquePointer
        do {
            credentials = try Credentials.server(configuration.security)
        } catch {
            destroyUnstarted()
            throw error
        }
        let port = grpc_server_add_http2_port(pointer, configuration.address, credentials)
        grpc_server_credentials_release(credentials)
        guard port > 0 else {
            destroyUnstarted()
            throw RuntimeError("cannot listen on \(configuration.address)")
        }
        queues.start()
        grpc_server_start(pointer)
        for queue in queues.queues {
            for method in methods {
                for _ in 0..<max(1, configuration.pendingRequestsPerMethod) {
                    _ = RequestedCall(engine: self, method: method, queue: queue).arm()
                }
            }
            _ = RequestedCall(engine: self, method: nil, queue: queue).arm()
            _ = RequestedCall(engine: self, method: nil, queue: queue).arm()
        }
        return Int(port)
    }

    /// Frees a server that never started, and its queues (shut down, drained, destroyed).
    private func destroyUnstarted() {
        guard !destroyed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        grpc_server_destroy(pointer)
        queues.start()
        queues.shutdownAndJoin()
    }

    deinit {
        // Only a server that never started can get here undestroyed: a started
        // one is kept alive by its armed requests until `stop`.
        destroyUnstarted()
    }

    var isAccepting: Bool { accepting.load(ordering: .relaxed) }

    // MARK: Calls in flight

    func callStarted() { calls.withLock { $0.live += 1 } }

    func callEnded() {
        let waiter = calls.withLock { state -> UnsafeContinuation<Void, Never>? in
            state.live -= 1
            guard state.live == 0, let waiter = state.drained else { return nil }
            state.drained = nil
            return waiter
        }
        waiter?.resume()
    }

    private func waitForCallsToEnd() async {
        await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
            let done = calls.withLock { state -> Bool in
                if state.live == 0 { return true }
                state.drained = continuation
                return false
            }
            if done { continuation.resume() }
        }
    }

    // MARK: Shutdown

    /// Stops listening, lets calls in flight finish within `gracePeriod`,
    /// cancels the rest, then frees the server and its queues.
    func stop(gracePeriod: Duration) async {
        let shutdownDone = OneShot()
        grpc_server_shutdown_and_notify(pointer, queues.queues[0].pointer, ClosureTag { _ in shutdownDone.fire() }.retainedPointer())
        let finishedInTime = await shutdownDone.wait(timeout: gracePeriod)
        accepting.store(false, ordering: .relaxed)
        if !finishedInTime {
            configuration.logger.notice("grace period over, cancelling calls in flight")
            grpc_server_cancel_all_calls(pointer)
            _ = await shutdownDone.wait(timeout: nil)
        }
        await waitForCallsToEnd()
        destroyed.store(true, ordering: .releasing)
        grpc_server_destroy(pointer)
        await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
            // Joining blocks: do it on a thread of our own, not the cooperative pool.
            let queues = self.queues
            DetachedThread.start(name: "cq-\(configuration.name)-stop") {
                queues.shutdownAndJoin()
                continuation.resume()
            }
        }
    }

    // MARK: Unknown methods

    /// Answers a call to a method nobody registered with UNIMPLEMENTED.
    func rejectUnimplemented(call: OpaquePointer, path: String) {
        let owner = UnregisteredCall(pointer: call, engine: self)
        let batch = Batch(owner: owner)
        batch.receiveCloseOnServer()
        batch.sendInitialMetadata([:])
        batch.sendStatus(.unimplemented, message: "method not found: \(path)", trailingMetadata: [:])
        batch.start(on: call) { _ in }
    }

    // MARK: Handler chain

    func intercept(call: ServerCall, context: ServerContext, index: Int) async throws -> [UInt8]? {
        if index == interceptors.count {
            return try await call.method.invoke(call, context)
        }
        var response: [UInt8]?
        try await interceptors[index].intercept(context: context) { context in
            response = try await intercept(call: call, context: context, index: index + 1)
        }
        return response
    }

    /// The handler's context and the trace its Task carries.
    func makeContext(for call: ServerCall) -> (ServerContext, TraceContext) {
        var caller: CallerIdentity?
        if configuration.isDevelopmentPlaintext {
            caller = call.requestMetadata.first("x-dev-caller")
                .flatMap { CallerIdentity(spiffeID: $0, trustDomain: configuration.trustDomain) }
        } else if let id = PeerIdentity.spiffeID(of: call.pointer) {
            caller = CallerIdentity(spiffeID: id, trustDomain: configuration.trustDomain)
        }
        let trace = TraceContext(incoming: call.requestMetadata.first(TraceContext.metadataKey))
        let traceID = trace.traceID
        let logger: Logger
        if let callLogger {
            logger = callLogger
        } else {
            var perCall = configuration.logger
            perCall[metadataKey: "trace.id"] = .string(traceID)
            perCall[metadataKey: "rpc.method"] = .string(call.method.descriptor.path)
            logger = perCall
        }
        let context = ServerContext(method: call.method.descriptor, requestMetadata: call.requestMetadata,
                                    deadline: call.deadline, caller: caller, logger: logger, traceID: traceID,
                                    response: call.response)
        return (context, trace)
    }
}

/// Holds the reference to a call answered without a handler; unref'd once its batch is done.
final class UnregisteredCall: @unchecked Sendable {
    let pointer: OpaquePointer
    let engine: ServerEngine

    init(pointer: OpaquePointer, engine: ServerEngine) {
        self.pointer = pointer
        self.engine = engine
        engine.callStarted()
    }

    deinit {
        grpc_call_unref(pointer)
        engine.callEnded()
    }
}

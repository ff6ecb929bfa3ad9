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
    /// The handler workers of each queue (same order as `queues.queues`).
    let workers: [HandlerWorkers]
    private(set) var methods: [RegisteredMethod] = []
    let interceptors: [any ServerInterceptor]
    /// `interceptors[i]` as an observer when it is one (run without a `next` closure).
    /// Each behind a reference, so a call borrows the interceptor instead of
    /// copying its value (and retaining what it holds) out of the array.
    let observers: [ObserverReference?]
    /// The configured logger with the per-call metadata provider; `nil` when
    /// its handler does not support providers (metadata is then set per call).
    let callLogger: Logger?
    let accepting = Atomic<Bool>(true)
    /// Whether `grpc_server_destroy` ran (by a failed start or by `stop`).
    let destroyed = Atomic<Bool>(false)
    /// Calls in flight (`ServerCall`s alive), and who waits for none to be left.
    let liveCalls = Atomic<Int>(0)
    let drainedWaiter = Mutex<UnsafeContinuation<Void, Never>?>(nil)
    /// Callers by SPIFFE id (see `callerIdentity(spiffeID:)`).
    let knownCallers = Mutex<[String: CallerIdentity]>([:])

    init(configuration: ServerConfiguration, methods: [ServerMethod]) throws {
        GRPCLibrary.ensureInitialised()
        self.configuration = configuration
        interceptors = configuration.interceptors
        observers = interceptors.map { ($0 as? any ServerCallObserver).map(ObserverReference.init) }
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
        workers = queues.queues.map { HandlerWorkers(queue: $0) }
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
            let prepared = observers.map { $0?.observer.prepare(for: method.descriptor) }
            self.methods.append(RegisteredMethod(handle: handle, method: method, prepared: prepared))
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
        for (queue, workers) in zip(queues.queues, workers) {
            for method in methods {
                for _ in 0..<max(1, configuration.pendingRequestsPerMethod) {
                    _ = RequestedCall(engine: self, method: method, queue: queue, workers: workers).arm()
                }
            }
            _ = RequestedCall(engine: self, method: nil, queue: queue, workers: workers).arm()
            _ = RequestedCall(engine: self, method: nil, queue: queue, workers: workers).arm()
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

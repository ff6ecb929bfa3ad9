import CGRPC
import Synchronization

/// A client connection to one service, at one or several addresses, which
/// the core balances (`round_robin`) and reconnects.
///
/// Calls complete on one process-wide completion-queue thread
/// (`cq-client-#0`). Thread-safe; `close()` ends every call still running.
/// Ownership: the `grpc_channel` is created in `init` and destroyed once, by
/// `close()` or `deinit`; calls keep the core's channel stack alive on their own.
public final class Channel: Sendable {
    private let state: Mutex<ChannelState>
    let interceptors: [any ClientInterceptor]
    /// The target handed to the core, such as `ipv4:127.0.0.1:5001,127.0.0.1:5002`.
    public let target: String

    /// A channel to `host:port`, or any target the core resolves (`dns:///`, `ipv4:`, `unix:`).
    public convenience init(target: String, security: ChannelSecurity,
                            configuration: ChannelConfiguration = ChannelConfiguration()) throws {
        try self.init(resolvedTarget: target, several: false, security: security, configuration: configuration)
    }

    /// A channel balanced over several `ip:port` addresses (IPv4, or `[v6]:port`).
    public convenience init(addresses: [String], security: ChannelSecurity,
                            configuration: ChannelConfiguration = ChannelConfiguration()) throws {
        guard !addresses.isEmpty else { throw RuntimeError("a channel needs at least one address") }
        if addresses.count == 1 {
            try self.init(resolvedTarget: addresses[0], several: false, security: security, configuration: configuration)
            return
        }
        let scheme = addresses.allSatisfy { $0.hasPrefix("[") } ? "ipv6" : "ipv4"
        for address in addresses where scheme == "ipv4" && !address.allSatisfy({ $0.isNumber || $0 == "." || $0 == ":" }) {
            throw RuntimeError("several addresses must be IP literals: \(address)")
        }
        try self.init(resolvedTarget: "\(scheme):" + addresses.joined(separator: ","), several: true,
                      security: security, configuration: configuration)
    }

    private init(resolvedTarget: String, several: Bool, security: ChannelSecurity,
                 configuration: ChannelConfiguration) throws {
        GRPCLibrary.ensureInitialised()
        target = resolvedTarget
        interceptors = configuration.interceptors
        var arguments = ChannelArguments()
        let roundRobin = configuration.loadBalancing.map { $0 == .roundRobin } ?? several
        arguments.set("grpc.service_config", configuration.serviceConfigJSON(roundRobin: roundRobin))
        arguments.set("grpc.enable_retries", configuration.retryPolicy == nil ? 0 : 1)
        arguments.set("grpc.max_receive_message_length", Int32(clamping: configuration.maxReceiveMessageBytes))
        arguments.set("grpc.max_send_message_length", Int32(clamping: configuration.maxSendMessageBytes))
        if let keepalive = configuration.keepalive {
            arguments.set("grpc.keepalive_time_ms", keepalive.interval.milliseconds)
            arguments.set("grpc.keepalive_timeout_ms", keepalive.timeout.milliseconds)
            arguments.set("grpc.keepalive_permit_without_calls", keepalive.permitWithoutCalls ? 1 : 0)
        }
        if let name = security.serverNameOverride { arguments.set("grpc.ssl_target_name_override", name) }
        let credentials = try Credentials.channel(security)
        defer { grpc_channel_credentials_release(credentials) }
        guard let channel = arguments.withCArguments({ grpc_channel_create(resolvedTarget, credentials, $0) }) else {
            throw RuntimeError("the core could not create a channel to \(resolvedTarget)")
        }
        state = Mutex(ChannelState(channel: CoreChannel(pointer: channel)))
    }

    deinit { close() }

    /// Closes the channel; calls still running end with an error.
    public func close() {
        if let channel = state.withLock({ state -> CoreChannel? in
            defer { state.close() }
            return state.channel
        }) {
            grpc_channel_destroy(channel.pointer)
        }
    }

    /// Creates a call on a client completion queue.
    func makeCall(_ method: MethodDescriptor, options: CallOptions) throws -> ClientCall {
        ClientCall(pointer: try makeCorePointer(method, options: options))
    }

    /// Creates a `grpc_call` on a client completion queue; the caller owns
    /// the reference returned. Methods seen before use the handle the core
    /// registered for their path (no path slice made per call).
    func makeCorePointer(_ method: MethodDescriptor, options: CallOptions) throws -> OpaquePointer {
        // A deadline that has already passed fails at once, as in grpc-java and
        // grpc-go: nothing is sent, so a fast server cannot win the race.
        if let timeout = options.timeout, timeout <= .zero {
            throw RPCError(.deadlineExceeded, "deadline exceeded before the call started")
        }
        let deadline = Self.deadline(after: options.timeout)
        let queue = ClientQueues.queue.pointer
        let call = state.withLock { state -> CoreCall? in
            guard let channel = state.channel?.pointer else { return nil }
            if let handle = state.registeredCall(for: method.path) {
                return grpc_channel_create_registered_call(channel, nil, cgrpc_propagate_defaults(), queue,
                                                           handle, deadline, nil).map(CoreCall.init)
            }
            let path = Slice.make(method.path)
            defer { grpc_slice_unref(path) }
            return grpc_channel_create_call(channel, nil, cgrpc_propagate_defaults(), queue, path, nil, deadline, nil)
                .map(CoreCall.init)
        }
        guard let call else { throw RPCError(.unavailable, "channel closed") }
        return call.pointer
    }

    /// A deadline `timeout` from now on the monotonic clock; none (infinite)
    /// for `nil` or a timeout too long to represent; now for zero or less.
    static func deadline(after timeout: Duration?) -> gpr_timespec {
        guard let timeout else { return gpr_inf_future(GPR_CLOCK_REALTIME) }
        let (seconds, attoseconds) = timeout.components
        guard seconds > 0 || (seconds == 0 && attoseconds > 0) else { return gpr_now(GPR_CLOCK_MONOTONIC) }
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow, scaled < Int64.max - 1_000_000_000 else { return gpr_inf_future(GPR_CLOCK_REALTIME) }
        let nanos = scaled + attoseconds / 1_000_000_000
        return gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC), gpr_time_from_nanos(nanos, GPR_TIMESPAN))
    }

    /// The connection state; `tryToConnect` starts connecting an idle channel.
    public func connectivityState(tryToConnect: Bool = false) -> ConnectivityState {
        state.withLock { state in
            guard let channel = state.channel else { return .shutdown }
            return ConnectivityState(grpc_channel_check_connectivity_state(channel.pointer, tryToConnect ? 1 : 0))
        }
    }

    /// Waits until the state differs from `state` or the timeout passes;
    /// returns whether it changed.
    public func waitForStateChange(from state: ConnectivityState, timeout: Duration) async -> Bool {
        await withUnsafeContinuation { (continuation: UnsafeContinuation<Bool, Never>) in
            let tag = ClosureTag { changed in continuation.resume(returning: changed) }
            let deadline = gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC),
                                        gpr_time_from_millis(Int64(timeout.milliseconds), GPR_TIMESPAN))
            let watched = self.state.withLock { locked -> Bool in
                guard let channel = locked.channel else { return false }
                grpc_channel_watch_connectivity_state(channel.pointer, state.core, deadline,
                                                      ClientQueues.queue.pointer, tag.retainedPointer())
                return true
            }
            if !watched { continuation.resume(returning: false) }
        }
    }
}

/// A channel's connection state, as the core reports it.
public enum ConnectivityState: Sendable, Hashable {
    case idle, connecting, ready, transientFailure, shutdown

    init(_ state: grpc_connectivity_state) {
        switch state {
        case GRPC_CHANNEL_IDLE: self = .idle
        case GRPC_CHANNEL_CONNECTING: self = .connecting
        case GRPC_CHANNEL_READY: self = .ready
        case GRPC_CHANNEL_TRANSIENT_FAILURE: self = .transientFailure
        default: self = .shutdown
        }
    }

    var core: grpc_connectivity_state {
        switch self {
        case .idle: return GRPC_CHANNEL_IDLE
        case .connecting: return GRPC_CHANNEL_CONNECTING
        case .ready: return GRPC_CHANNEL_READY
        case .transientFailure: return GRPC_CHANNEL_TRANSIENT_FAILURE
        case .shutdown: return GRPC_CHANNEL_SHUTDOWN
        }
    }
}

extension Channel {
    /// The executor of the thread that completes every client call of the
    /// process. A task that prefers it (`Task(executorPreference:)`,
    /// `withTaskExecutorPreference`) runs its code on that thread after each
    /// call, as server handlers run on theirs: no hop to Swift's pool and no
    /// wake-up per call. That code must not block, nor compute for long: it
    /// holds back the completions of every other client call meanwhile.
    public static var completionExecutor: any TaskExecutor { ClientQueues.queue }
}

/// The completion queue every channel of the process shares. Started on
/// first use and never shut down: it lives as long as the process.
///
/// One, not several: the core's poller (epoll1) lets one thread poll at a
/// time, and with two queues each completion also handed the polling over
/// to the other thread (a futex wake and a sleep more per call); the
/// client's own work (encoding, decoding, the caller's code) runs on
/// Swift's pool, not here. Measured: docs/runtime.md, Client per-call cost.
enum ClientQueues {
    static let group: CompletionQueueGroup = {
        let group = CompletionQueueGroup(name: "client", count: 1)
        group.start()
        return group
    }()

    /// The one queue (no round-robin counter shared by every call).
    static var queue: CompletionQueue { group.queues[0] }
}

/// What a channel guards with its lock: the `grpc_channel` (`nil` once
/// closed) and the core's handles of the paths called on it.
///
/// Ownership: the handles belong to the `grpc_channel` (the core frees them
/// with it); they are dropped here when the channel closes.
struct ChannelState: @unchecked Sendable {
    private(set) var channel: CoreChannel?
    private var registeredCalls: [String: UnsafeMutableRawPointer] = [:]

    /// At most this many paths are registered; calls to others make their
    /// path slice each time (a client calls a contract's methods, a
    /// bounded set; a generic proxy must not grow the channel without end).
    static let maximumRegisteredCalls = 256

    init(channel: CoreChannel) { self.channel = channel }

    /// The core's handle for `path`, registered on first use.
    mutating func registeredCall(for path: String) -> UnsafeMutableRawPointer? {
        if let handle = registeredCalls[path] { return handle }
        guard let channel, registeredCalls.count < Self.maximumRegisteredCalls,
              let handle = grpc_channel_register_call(channel.pointer, path, nil, nil) else { return nil }
        registeredCalls[path] = handle
        return handle
    }

    mutating func close() {
        channel = nil
        registeredCalls = [:]
    }
}

/// A `grpc_channel*` moved between threads under the channel's lock.
struct CoreChannel: @unchecked Sendable { let pointer: OpaquePointer }

/// A `grpc_call*` just created, on its way to its owner.
struct CoreCall: @unchecked Sendable { let pointer: OpaquePointer }

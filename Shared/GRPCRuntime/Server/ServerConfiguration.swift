import Logging

/// How a server listens and protects its port.
public enum ServerSecurity: Sendable {
    /// No TLS, for local development only. Caller identity may then come from
    /// the `x-dev-caller` header (a SPIFFE id); see docs/security.md.
    case plaintextForDevelopment
    /// TLS with the server's certificate chain and key (PEM files); clients are not authenticated.
    case tls(certificateChainPath: String, privateKeyPath: String)
    /// Mutual TLS: clients must present a certificate that chains to the
    /// given CA roots; their SPIFFE id becomes `ServerContext.caller`.
    case mutualTLS(certificateChainPath: String, privateKeyPath: String, clientCARootsPath: String)
}

/// HTTP/2 keepalive pings, and how often clients may send them.
public struct Keepalive: Sendable, Hashable {
    /// Interval between pings on an idle connection.
    public var interval: Duration
    /// How long to wait for a ping's acknowledgement before closing.
    public var timeout: Duration
    /// Shortest interval between client pings the server tolerates.
    public var minimumClientPingInterval: Duration
    /// Whether pings are sent when no call is in flight.
    public var permitWithoutCalls: Bool

    public init(interval: Duration = .seconds(120), timeout: Duration = .seconds(20),
                minimumClientPingInterval: Duration = .seconds(30), permitWithoutCalls: Bool = false) {
        self.interval = interval
        self.timeout = timeout
        self.minimumClientPingInterval = minimumClientPingInterval
        self.permitWithoutCalls = permitWithoutCalls
    }
}

/// Everything a `Server` needs besides its services.
public struct ServerConfiguration: Sendable {
    /// `host:port`; port 0 picks a free port (read it from `Server.port`).
    public var address: String
    public var security: ServerSecurity
    /// Interceptors, outermost first.
    public var interceptors: [any ServerInterceptor]
    /// The logger handlers receive, with per-call metadata added.
    public var logger: Logger
    /// Completion queues, each drained by its own thread. The first also
    /// reads the sockets; the others only take completions (docs/runtime.md,
    /// Threading model).
    public var completionQueueCount: Int
    /// Requests kept armed per registered method and completion queue.
    public var pendingRequestsPerMethod: Int
    /// Largest request accepted; larger ones get RESOURCE_EXHAUSTED from the core.
    public var maxReceiveMessageBytes: Int
    /// Largest response sent; larger ones fail with RESOURCE_EXHAUSTED.
    public var maxSendMessageBytes: Int
    public var keepalive: Keepalive
    /// The SPIFFE trust domain whose ids become callers.
    public var trustDomain: String
    /// Name used for completion-queue threads (`cq-<name>-#n`).
    public var name: String
    /// Lets several processes bind the same port (`SO_REUSEPORT`). Off by
    /// default, so that a port already in use fails `start()` loudly.
    public var sharesPort: Bool = false

    public init(address: String, security: ServerSecurity, interceptors: [any ServerInterceptor] = [],
                logger: Logger, completionQueueCount: Int = 2, pendingRequestsPerMethod: Int = 8,
                maxReceiveMessageBytes: Int = 4 * 1024 * 1024, maxSendMessageBytes: Int = 4 * 1024 * 1024,
                keepalive: Keepalive = Keepalive(), trustDomain: String = CallerIdentity.defaultTrustDomain,
                name: String = "server") {
        self.address = address
        self.security = security
        self.interceptors = interceptors
        self.logger = logger
        self.completionQueueCount = completionQueueCount
        self.pendingRequestsPerMethod = pendingRequestsPerMethod
        self.maxReceiveMessageBytes = maxReceiveMessageBytes
        self.maxSendMessageBytes = maxSendMessageBytes
        self.keepalive = keepalive
        self.trustDomain = trustDomain
        self.name = name
    }

    var isDevelopmentPlaintext: Bool {
        if case .plaintextForDevelopment = security { return true }
        return false
    }
}

extension Duration {
    /// Whole milliseconds, clamped to `Int32` for channel arguments.
    var milliseconds: Int32 {
        let (seconds, attoseconds) = components
        let total = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        return Int32(clamping: total)
    }
}

/// How a channel protects its connections.
public enum ChannelSecurity: Sendable {
    /// No TLS, for local development and tests only.
    case plaintext
    /// TLS; `trustRootsPath` `nil` uses the system roots. `serverNameOverride`
    /// checks the server certificate against another name than the target's
    /// (`grpc.ssl_target_name_override`, for tests).
    case tls(trustRootsPath: String?, serverNameOverride: String? = nil)
    /// TLS with a client certificate (the caller's SPIFFE id) and key.
    case mutualTLS(certificateChainPath: String, privateKeyPath: String, trustRootsPath: String?,
                   serverNameOverride: String? = nil)

    var serverNameOverride: String? {
        switch self {
        case .plaintext: return nil
        case .tls(_, let name): return name
        case .mutualTLS(_, _, _, let name): return name
        }
    }
}

/// Retries of idempotent methods, done by the core from the service config:
/// only the listed methods are retried, only on the listed codes.
public struct RetryPolicy: Sendable, Hashable {
    /// Methods that are safe to retry.
    public var methods: [MethodDescriptor]
    /// Attempts in all, first one included (the core caps it at 5).
    public var maxAttempts: Int
    public var initialBackoff: Duration
    public var maxBackoff: Duration
    public var backoffMultiplier: Double
    public var retryableCodes: [StatusCode]

    public init(methods: [MethodDescriptor], maxAttempts: Int = 3, initialBackoff: Duration = .milliseconds(100),
                maxBackoff: Duration = .seconds(1), backoffMultiplier: Double = 2,
                retryableCodes: [StatusCode] = [.unavailable]) {
        self.methods = methods
        self.maxAttempts = maxAttempts
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.backoffMultiplier = backoffMultiplier
        self.retryableCodes = retryableCodes
    }

    /// The same, naming methods by path (`/package.Service/Method`); paths
    /// that are not of that form are ignored.
    public init(paths: [String], maxAttempts: Int = 3, initialBackoff: Duration = .milliseconds(100),
                maxBackoff: Duration = .seconds(1), backoffMultiplier: Double = 2,
                retryableCodes: [StatusCode] = [.unavailable]) {
        let methods = paths.compactMap { path -> MethodDescriptor? in
            let parts = path.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 3, parts[0].isEmpty, !parts[1].isEmpty, !parts[2].isEmpty else { return nil }
            return MethodDescriptor(service: String(parts[1]), method: String(parts[2]), kind: .unary)
        }
        self.init(methods: methods, maxAttempts: maxAttempts, initialBackoff: initialBackoff, maxBackoff: maxBackoff,
                  backoffMultiplier: backoffMultiplier, retryableCodes: retryableCodes)
    }
}

/// Client channel settings besides the target and security.
public struct ChannelConfiguration: Sendable {
    /// How the core spreads calls over the addresses: the first that works, or each in turn.
    public enum LoadBalancing: Sendable { case pickFirst, roundRobin }

    /// `nil`: round robin when several addresses are given, else pick-first.
    public var loadBalancing: LoadBalancing?
    public var retryPolicy: RetryPolicy?
    public var maxReceiveMessageBytes: Int
    public var maxSendMessageBytes: Int
    /// Client keepalive pings; `nil` leaves the core's defaults.
    public var keepalive: Keepalive?
    /// Interceptors, outermost first.
    public var interceptors: [any ClientInterceptor]

    public init(loadBalancing: LoadBalancing? = nil, retryPolicy: RetryPolicy? = nil,
                maxReceiveMessageBytes: Int = 4 * 1024 * 1024, maxSendMessageBytes: Int = 4 * 1024 * 1024,
                keepalive: Keepalive? = nil, interceptors: [any ClientInterceptor] = []) {
        self.loadBalancing = loadBalancing
        self.retryPolicy = retryPolicy
        self.maxReceiveMessageBytes = maxReceiveMessageBytes
        self.maxSendMessageBytes = maxSendMessageBytes
        self.keepalive = keepalive
        self.interceptors = interceptors
    }

    /// The service config the core applies: balancing and retries.
    func serviceConfigJSON(roundRobin: Bool) -> String {
        var parts: [String] = []
        if roundRobin { parts.append(#""loadBalancingConfig":[{"round_robin":{}}]"#) }
        if let retry = retryPolicy, !retry.methods.isEmpty {
            let names = retry.methods.map { #"{"service":"\#(jsonEscaped($0.service))","method":"\#(jsonEscaped($0.method))"}"# }
            let codes = retry.retryableCodes.map { #""\#($0.name)""# }
            parts.append(#""methodConfig":[{"name":[\#(names.joined(separator: ","))],"retryPolicy":{"#
                + #""maxAttempts":\#(max(2, retry.maxAttempts)),"#
                + #""initialBackoff":"\#(seconds(retry.initialBackoff))s","#
                + #""maxBackoff":"\#(seconds(retry.maxBackoff))s","#
                + #""backoffMultiplier":\#(retry.backoffMultiplier),"#
                + #""retryableStatusCodes":[\#(codes.joined(separator: ","))]}}]"#)
        }
        return "{" + parts.joined(separator: ",") + "}"
    }

    private func seconds(_ duration: Duration) -> String {
        let (whole, atto) = duration.components
        let nanos = atto / 1_000_000_000
        return nanos == 0 ? "\(whole)" : "\(whole).\(String(String(nanos + 1_000_000_000).dropFirst()))"
    }
}

func jsonEscaped(_ text: String) -> String {
    var out = ""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case _ where scalar.value < 0x20: out += "\\u" + String(String(scalar.value + 0x10000, radix: 16).dropFirst())
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out
}

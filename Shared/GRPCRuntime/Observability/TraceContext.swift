import Synchronization

/// The W3C Trace Context of the current call (`traceparent`), so that one gate
/// transaction can be followed across services.
///
/// The server reads it from the request (or starts a new trace) and binds it
/// to the handler's Task; `TracePropagationInterceptor` puts it on outgoing
/// calls with a new parent id.
public struct TraceContext: Sendable, Hashable {
    public static let metadataKey = "traceparent"

    /// 32 lower-case hex digits, not all zero.
    public var traceID: String
    /// 16 lower-case hex digits: the span that made this call.
    public var parentID: String
    /// The trace flags byte as two hex digits (`01` = sampled).
    public var flags: String

    /// The trace of the handler running in the current Task, if any.
    @TaskLocal public static var current: TraceContext?

    public init(traceID: String, parentID: String, flags: String = "01") {
        self.traceID = traceID
        self.parentID = parentID
        self.flags = flags
    }

    /// Reads a `traceparent` header (version 00 layout; later versions are read
    /// by their first four fields as the spec asks). `nil` when malformed.
    public init?(traceparent: String) {
        let parts = traceparent.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 4, parts[0].count == 2, parts[0] != "ff",
              parts[1].count == 32, parts[2].count == 16, parts[3].count == 2,
              parts.prefix(4).allSatisfy(TraceContext.isLowerHex),
              parts[1] != Substring(repeating: "0", count: 32),
              parts[2] != Substring(repeating: "0", count: 16) else { return nil }
        if parts[0] == "00" && parts.count != 4 { return nil }
        self.init(traceID: String(parts[1]), parentID: String(parts[2]), flags: String(parts[3]))
    }

    /// The incoming trace, or a new one when the header is missing or malformed.
    init(incoming header: String?) {
        if let header, let parsed = TraceContext(traceparent: header) {
            self = parsed
        } else {
            self = TraceContext.newTrace()
        }
    }

    /// A new trace with random ids.
    public static func newTrace() -> TraceContext {
        TraceContext(traceID: randomHex(bytes: 16), parentID: randomHex(bytes: 8))
    }

    /// The same trace with a new span id, for an outgoing call.
    public func child() -> TraceContext {
        TraceContext(traceID: traceID, parentID: TraceContext.randomHex(bytes: 8), flags: flags)
    }

    public var traceparent: String { "00-\(traceID)-\(parentID)-\(flags)" }

    private static func isLowerHex(_ part: Substring) -> Bool {
        part.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
    }

    /// Random-looking hex ids without a system call per id: a process-wide
    /// counter mixed by SplitMix64 from a seed drawn once from the system
    /// generator. Unique within the process; across processes as unlikely to
    /// collide as random ids.
    static func randomHex(bytes count: Int) -> String {
        let digits: StaticString = "0123456789abcdef"
        return String(unsafeUninitializedCapacity: count * 2) { buffer in
            var written = 0
            while written < count * 2 {
                var word = IDSource.next()
                for _ in 0..<min(16, count * 2 - written) {
                    buffer[written] = digits.utf8Start[Int(word & 0xf)]
                    word >>= 4
                    written += 1
                }
            }
            return written
        }
    }
}

/// The source of trace and span ids.
enum IDSource {
    private static let seed: UInt64 = {
        var generator = SystemRandomNumberGenerator()
        return generator.next()
    }()
    private static let counter = Atomic<UInt64>(0)

    static func next() -> UInt64 {
        var z = seed &+ counter.wrappingAdd(1, ordering: .relaxed).newValue &* 0x9e37_79b9_7f4a_7c15
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

/// Puts the current trace (or a new one) on every outgoing call as
/// `traceparent`, unless the caller set one.
public struct TracePropagationInterceptor: ClientInterceptor {
    public init() {}

    public func intercept(method: MethodDescriptor, options: CallOptions,
                          next: (CallOptions) async throws -> Void) async throws {
        var options = options
        if options.metadata.first(TraceContext.metadataKey) == nil {
            let trace = TraceContext.current?.child() ?? TraceContext.newTrace()
            options.metadata.add(TraceContext.metadataKey, trace.traceparent)
        }
        try await next(options)
    }
}

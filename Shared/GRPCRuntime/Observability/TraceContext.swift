import Synchronization

/// The W3C Trace Context of the current call (`traceparent`), so that one gate
/// transaction can be followed across services.
///
/// The server reads it from the request (or starts a new trace) and binds it
/// to the handler's Task; `TracePropagationInterceptor` puts it on outgoing
/// calls with a new parent id.
public struct TraceContext: Sendable, Hashable {
    public static let metadataKey = "traceparent"

    /// The ids, kept as they came until someone reads them as text: most
    /// calls never log, so a server does not format ids for every call.
    private var ids: IDs
    /// The trace flags byte as two hex digits (`01` = sampled).
    public var flags: String
    /// The path of the method whose handler runs with this trace, for log
    /// lines (`rpc.method`); not part of the trace, nor of equality.
    var method: String?

    private enum IDs: Sendable {
        case text(traceID: String, parentID: String)
        /// A valid `traceparent`: the trace id is at UTF-8 offsets 3..<35, the parent id at 36..<52.
        case header(String)
        case generated(high: UInt64, low: UInt64, parent: UInt64)
    }

    /// The trace of the handler running in the current Task, if any.
    @TaskLocal public static var current: TraceContext?

    public init(traceID: String, parentID: String, flags: String = "01") {
        ids = .text(traceID: traceID, parentID: parentID)
        self.flags = flags
    }

    /// 32 lower-case hex digits, not all zero.
    public var traceID: String {
        get {
            switch ids {
            case .text(let traceID, _): return traceID
            case .header(let header): return TraceContext.slice(header, 3..<35)
            case .generated(let high, let low, _): return TraceContext.hex([high, low])
            }
        }
        set { ids = .text(traceID: newValue, parentID: parentID) }
    }

    /// 16 lower-case hex digits: the span that made this call.
    public var parentID: String {
        get {
            switch ids {
            case .text(_, let parentID): return parentID
            case .header(let header): return TraceContext.slice(header, 36..<52)
            case .generated(_, _, let parent): return TraceContext.hex([parent])
            }
        }
        set { ids = .text(traceID: traceID, parentID: newValue) }
    }

    /// Reads a `traceparent` header (version 00 layout; later versions are read
    /// by their first four fields as the spec asks). `nil` when malformed.
    public init?(traceparent: String) {
        var header = traceparent
        let valid = header.withUTF8 { TraceContext.isValidTraceparent($0) }
        guard valid else { return nil }
        ids = .header(header)
        flags = TraceContext.slice(header, 53..<55)
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
        var trace = TraceContext(traceID: "", parentID: "")
        trace.ids = .generated(high: IDSource.next(), low: IDSource.next(), parent: IDSource.next())
        return trace
    }

    /// The same trace with a new span id, for an outgoing call.
    public func child() -> TraceContext {
        var child = TraceContext(traceID: traceID, parentID: TraceContext.randomHex(bytes: 8), flags: flags)
        child.method = method
        return child
    }

    public var traceparent: String { "00-\(traceID)-\(parentID)-\(flags)" }

    public static func == (lhs: TraceContext, rhs: TraceContext) -> Bool {
        lhs.traceID == rhs.traceID && lhs.parentID == rhs.parentID && lhs.flags == rhs.flags
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(traceID)
        hasher.combine(parentID)
        hasher.combine(flags)
    }

    /// `version-traceid-parentid-flags[-...]`: lower-case hex fields of 2, 32,
    /// 16 and 2 digits, version not `ff`, ids not all zero; version 00 has
    /// exactly four fields. Checked on the bytes, without splitting.
    private static func isValidTraceparent(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard bytes.count >= 55, bytes[2] == 0x2d, bytes[35] == 0x2d, bytes[52] == 0x2d else { return false }
        func hex(_ range: Range<Int>) -> Bool {
            range.allSatisfy { (0x30...0x39).contains(bytes[$0]) || (0x61...0x66).contains(bytes[$0]) }
        }
        func zero(_ range: Range<Int>) -> Bool { range.allSatisfy { bytes[$0] == 0x30 } }
        guard hex(0..<2), hex(3..<35), hex(36..<52), hex(53..<55),
              !(bytes[0] == 0x66 && bytes[1] == 0x66), !zero(3..<35), !zero(36..<52) else { return false }
        if bytes[0] == 0x30 && bytes[1] == 0x30 { return bytes.count == 55 }
        return bytes.count == 55 || bytes[55] == 0x2d
    }

    /// Part of an ASCII string, by UTF-8 offsets.
    private static func slice(_ text: String, _ range: Range<Int>) -> String {
        let utf8 = text.utf8
        let start = utf8.index(utf8.startIndex, offsetBy: range.lowerBound)
        let end = utf8.index(start, offsetBy: range.count)
        return String(Substring(utf8[start..<end]))
    }

    /// Words as lower-case hex, 16 digits each.
    private static func hex(_ words: [UInt64]) -> String {
        let digits: StaticString = "0123456789abcdef"
        return String(unsafeUninitializedCapacity: words.count * 16) { buffer in
            var written = 0
            for var word in words {
                for _ in 0..<16 {
                    buffer[written] = digits.utf8Start[Int(word & 0xf)]
                    word >>= 4
                    written += 1
                }
            }
            return written
        }
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

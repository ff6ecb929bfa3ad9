import Synchronization

/// Response headers and trailers a handler sets while it runs.
///
/// Headers go out with the first response message (or the status when there
/// is none), so set them before the first send; trailers go out with the status.
/// Thread-safe.
public final class ResponseMetadata: Sendable {
    private let state = Mutex<(headers: Metadata, trailers: Metadata)>(([:], [:]))

    public init() {}

    /// Adds to the response headers.
    public func addHeaders(_ metadata: Metadata) { state.withLock { $0.headers.merge(metadata) } }
    /// Adds to the response trailers.
    public func addTrailers(_ metadata: Metadata) { state.withLock { $0.trailers.merge(metadata) } }

    public var headers: Metadata { state.withLock { $0.headers } }
    public var trailers: Metadata { state.withLock { $0.trailers } }
}

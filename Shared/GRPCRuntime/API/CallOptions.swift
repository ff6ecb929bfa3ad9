/// What a client sets for one call: its timeout, its request metadata and
/// whether it waits for the channel to become ready.
public struct CallOptions: Sendable {
    /// Time allowed for the whole call; `nil` means no deadline.
    public var timeout: Duration?
    /// Request headers.
    public var metadata: Metadata
    /// Wait for a connection rather than failing fast with UNAVAILABLE.
    public var waitForReady: Bool

    public init(timeout: Duration? = nil, metadata: Metadata = [:], waitForReady: Bool = false) {
        self.timeout = timeout
        self.metadata = metadata
        self.waitForReady = waitForReady
    }
}

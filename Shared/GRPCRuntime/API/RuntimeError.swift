/// A failure wider than one RPC: a server that cannot listen, credentials
/// that cannot be read, a channel target that cannot be built.
public struct RuntimeError: Error, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }
}

/// A unary call's response with the headers and trailers that came with it.
public struct UnaryResponse<Message: WireMessage>: Sendable {
    public var message: Message
    public var initialMetadata: Metadata
    public var trailingMetadata: Metadata
}

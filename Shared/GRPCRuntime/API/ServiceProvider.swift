/// A service the server hosts: its methods, each bound to a handler.
/// Generated contracts make each service protocol conform by listing its RPCs.
public protocol ServiceProvider: Sendable {
    var methods: [ServerMethod] { get }
}

/// Heap storage for a message field whose type contains the message itself,
/// which a Swift struct cannot hold inline. Generated code wraps such fields;
/// callers see a plain optional property.
public final class Indirect<Value: Sendable & Hashable>: Sendable, Hashable {
    /// The stored value.
    public let value: Value

    public init(_ value: Value) { self.value = value }

    public static func == (lhs: Indirect, rhs: Indirect) -> Bool { lhs.value == rhs.value }

    public func hash(into hasher: inout Hasher) { hasher.combine(value) }
}

/// The headers and trailers of a call: ordered (key, value) pairs.
///
/// gRPC metadata is HTTP/2 headers. Keys are lower-case ASCII; keys ending in
/// `-bin` carry bytes (the core base64-encodes them on the wire), all others
/// carry printable text. Order is kept and keys may repeat.
public struct Metadata: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral, CustomStringConvertible {
    /// One value: text, or bytes for a `-bin` key.
    public enum Value: Sendable, Hashable, ExpressibleByStringLiteral {
        case string(String)
        case binary([UInt8])

        public init(stringLiteral value: String) { self = .string(value) }

        /// The bytes that go on the wire (UTF-8 for text).
        public var bytes: [UInt8] {
            switch self {
            case .string(let text): return Array(text.utf8)
            case .binary(let bytes): return bytes
            }
        }
    }

    /// One header: a lower-case key and its value (`for (key, value) in metadata`).
    public typealias Element = (key: String, value: Value)

    private var elements: [Element]

    public init() { elements = [] }

    public init(dictionaryLiteral pairs: (String, Value)...) {
        elements = []
        elements.reserveCapacity(pairs.count)
        for (key, value) in pairs {
            if case .string(let text) = value { add(key, text) } else { add(key, value: value) }
        }
    }

    /// Keys are lower-case on the wire; most already are, so only those with
    /// an upper-case letter are copied.
    static func normalized(_ key: String) -> String {
        key.utf8.contains(where: { $0 >= 0x41 && $0 <= 0x5a }) ? key.lowercased() : key
    }

    mutating func reserveCapacity(_ count: Int) { elements.reserveCapacity(count) }

    /// Appends a pair read from the wire, whose key is already lower-case.
    mutating func appendReceived(_ key: String, _ value: Value) {
        elements.append((key, value))
    }

    /// Whether a key names a binary header.
    public static func isBinaryKey(_ key: String) -> Bool { key.hasSuffix("-bin") }

    /// Adds a text value. A text value given for a `-bin` key is stored as its UTF-8 bytes.
    public mutating func add(_ key: String, _ value: String) {
        let key = Metadata.normalized(key)
        if Metadata.isBinaryKey(key) {
            elements.append((key, .binary(Array(value.utf8))))
        } else {
            elements.append((key, .string(value)))
        }
    }

    /// Adds a binary value; the key should end in `-bin`.
    public mutating func add(_ key: String, binary: [UInt8]) {
        elements.append((Metadata.normalized(key), .binary(binary)))
    }

    /// Adds a value as it is.
    public mutating func add(_ key: String, value: Value) {
        elements.append((Metadata.normalized(key), value))
    }

    /// Replaces every value of a key by one text value.
    public mutating func replace(_ key: String, _ value: String) {
        removeAll(key)
        add(key, value)
    }

    /// Removes every value of a key.
    public mutating func removeAll(_ key: String) {
        let key = Metadata.normalized(key)
        elements.removeAll { $0.key == key }
    }

    /// Appends all pairs of another set.
    public mutating func merge(_ other: Metadata) {
        elements.append(contentsOf: other.elements)
    }

    /// The first text value of a key (binary values read as UTF-8).
    public func first(_ key: String) -> String? {
        guard let value = firstValue(key) else { return nil }
        switch value {
        case .string(let text): return text
        case .binary(let bytes): return String(decoding: bytes, as: UTF8.self)
        }
    }

    /// The first bytes of a key.
    public func firstBinary(_ key: String) -> [UInt8]? { firstValue(key)?.bytes }

    /// The first value of a key.
    public func firstValue(_ key: String) -> Value? {
        let key = Metadata.normalized(key)
        return elements.first { $0.key == key }?.value
    }

    /// Every value of a key, in order.
    public func values(_ key: String) -> [Value] {
        let key = Metadata.normalized(key)
        return elements.filter { $0.key == key }.map(\.value)
    }

    public var count: Int { elements.count }
    public var isEmpty: Bool { elements.isEmpty }

    public func makeIterator() -> IndexingIterator<[Element]> { elements.makeIterator() }

    public static func == (lhs: Metadata, rhs: Metadata) -> Bool {
        lhs.elements.count == rhs.elements.count
            && zip(lhs.elements, rhs.elements).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(elements.count)
        for (key, value) in elements {
            hasher.combine(key)
            hasher.combine(value)
        }
    }

    /// Keys and, for text, values; binary values as their size only.
    public var description: String {
        "[" + elements.map { key, value in
            switch value {
            case .string(let text): return "\(key): \(text)"
            case .binary(let bytes): return "\(key): <\(bytes.count) bytes>"
            }
        }.joined(separator: ", ") + "]"
    }
}

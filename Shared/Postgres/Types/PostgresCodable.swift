/// A Swift value that can be sent as a bind parameter (or a binary COPY field).
///
/// Values travel in PostgreSQL's binary format with their type OID declared, so
/// the server never parses them as SQL: this is what keeps values out of the
/// statement text. Implement it for a new type by appending the binary form.
public protocol PostgresEncodable: Sendable {
    /// The type the parameter is declared as.
    static var postgresType: PostgresType { get }
    /// Appends the binary send format of the value.
    func encode(into buffer: inout [UInt8])
    /// Whether the value is SQL NULL (only `Optional.none` is).
    var isPostgresNull: Bool { get }
}

extension PostgresEncodable {
    public var isPostgresNull: Bool { false }
}

extension Optional: PostgresEncodable where Wrapped: PostgresEncodable {
    public static var postgresType: PostgresType { Wrapped.postgresType }
    public func encode(into buffer: inout [UInt8]) { self?.encode(into: &buffer) }
    public var isPostgresNull: Bool { self == nil || self!.isPostgresNull }
}

/// A Swift value that can be read from a result column (binary format).
public protocol PostgresDecodable: Sendable {
    /// Reads the value; `bytes` is nil for SQL NULL, and `type` is the column's type.
    static func decode(from bytes: UnsafeRawBufferPointer?, type: PostgresType) throws(PostgresDecodingError) -> Self
}

/// A value of both directions.
public typealias PostgresCodable = PostgresEncodable & PostgresDecodable

/// A column could not be read as the requested Swift type: a programming error
/// (wrong type asked for, NULL into a non-optional), reported without the value.
public struct PostgresDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Reason: Sendable, Hashable {
        case unexpectedNull
        case typeMismatch
        case malformed
        case outOfRange
        case noSuchColumn
    }
    public var reason: Reason
    public var swiftType: String
    public var postgresType: PostgresType
    public var column: String

    public init(_ reason: Reason, swiftType: String, postgresType: PostgresType, column: String = "?") {
        self.reason = reason
        self.swiftType = swiftType
        self.postgresType = postgresType
        self.column = column
    }

    public var description: String {
        "cannot decode column \(column) (\(postgresType)) as \(swiftType): \(reason)"
    }

    static func of<T>(_ reason: Reason, _ type: T.Type, _ postgresType: PostgresType) -> PostgresDecodingError {
        PostgresDecodingError(reason, swiftType: String(describing: type), postgresType: postgresType)
    }
}

extension Optional: PostgresDecodable where Wrapped: PostgresDecodable {
    public static func decode(from bytes: UnsafeRawBufferPointer?, type: PostgresType)
        throws(PostgresDecodingError) -> Wrapped? {
        guard let bytes else { return nil }
        return try Wrapped.decode(from: bytes, type: type)
    }
}

/// Big-endian reading of a binary value.
struct BinaryReader {
    let bytes: UnsafeRawBufferPointer
    var offset = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    var remaining: Int { bytes.count - offset }

    mutating func read<T: FixedWidthInteger>(_: T.Type) -> T? {
        guard remaining >= MemoryLayout<T>.size else { return nil }
        var value: T = 0
        for _ in 0..<MemoryLayout<T>.size {
            value = value << 8 | T(bytes[offset])
            offset += 1
        }
        return value
    }

    mutating func readBytes(_ count: Int) -> UnsafeRawBufferPointer? {
        guard count >= 0, remaining >= count else { return nil }
        defer { offset += count }
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + count])
    }
}

extension Array where Element == UInt8 {
    @inlinable mutating func appendBigEndian<T: FixedWidthInteger>(_ value: T) {
        var big = value.bigEndian
        Swift.withUnsafeBytes(of: &big) { append(contentsOf: $0) }
    }
}

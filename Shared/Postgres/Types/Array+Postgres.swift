/// An element type of a PostgreSQL one-dimensional array (`text[]`, `int8[]`, …).
///
/// Arrays are sent and read in the binary array format. The element type decides
/// how a Swift array travels, which is how `[UInt8]` becomes `bytea` (see `UInt8`).
public protocol PostgresArrayElement: PostgresEncodable, PostgresDecodable {
    /// The array type, such as `.textArray` for `String`.
    static var postgresArrayType: PostgresType { get }
}

/// How a Swift array of this element type is encoded; `PostgresArrayElement`
/// types get the PostgreSQL array format, `UInt8` gets `bytea`.
public protocol PostgresArrayEncodingElement: Sendable {
    static var postgresArrayType: PostgresType { get }
    static func encodeArray(_ elements: [Self], into buffer: inout [UInt8])
}

/// How a Swift array of this element type is decoded.
public protocol PostgresArrayDecodingElement: Sendable {
    static func decodeArray(from bytes: UnsafeRawBufferPointer?, type: PostgresType)
        throws(PostgresDecodingError) -> [Self]
}

extension Array: PostgresEncodable where Element: PostgresArrayEncodingElement {
    public static var postgresType: PostgresType { Element.postgresArrayType }
    public func encode(into buffer: inout [UInt8]) { Element.encodeArray(self, into: &buffer) }
}

extension Array: PostgresDecodable where Element: PostgresArrayDecodingElement {
    public static func decode(from bytes: UnsafeRawBufferPointer?, type: PostgresType)
        throws(PostgresDecodingError) -> [Element] {
        try Element.decodeArray(from: bytes, type: type)
    }
}

extension PostgresArrayElement {
    public static func encodeArray(_ elements: [Self], into buffer: inout [UInt8]) {
        buffer.appendBigEndian(Int32(1))                    // dimensions
        buffer.appendBigEndian(Int32(0))                    // has nulls
        buffer.appendBigEndian(postgresType.rawValue)       // element type
        buffer.appendBigEndian(Int32(elements.count))       // length
        buffer.appendBigEndian(Int32(1))                    // lower bound
        var element: [UInt8] = []
        for value in elements {
            element.removeAll(keepingCapacity: true)
            value.encode(into: &element)
            buffer.appendBigEndian(Int32(element.count))
            buffer.append(contentsOf: element)
        }
    }

    public static func decodeArray(from bytes: UnsafeRawBufferPointer?, type: PostgresType)
        throws(PostgresDecodingError) -> [Self] {
        guard let bytes else { throw .of(.unexpectedNull, [Self].self, type) }
        var reader = BinaryReader(bytes)
        guard let dimensions = reader.read(Int32.self), reader.read(Int32.self) != nil,
              let elementType = reader.read(UInt32.self) else { throw .of(.malformed, [Self].self, type) }
        if dimensions == 0 { return [] }
        guard dimensions == 1 else { throw .of(.typeMismatch, [Self].self, type) }
        guard let count = reader.read(Int32.self), reader.read(Int32.self) != nil, count >= 0 else {
            throw .of(.malformed, [Self].self, type)
        }
        var result: [Self] = []
        result.reserveCapacity(Int(count))
        for _ in 0..<count {
            guard let length = reader.read(Int32.self) else { throw .of(.malformed, [Self].self, type) }
            if length < 0 {
                result.append(try decode(from: nil, type: PostgresType(elementType)))
            } else {
                guard let element = reader.readBytes(Int(length)) else { throw .of(.malformed, [Self].self, type) }
                result.append(try decode(from: element, type: PostgresType(elementType)))
            }
        }
        return result
    }
}

extension Int16: PostgresArrayEncodingElement, PostgresArrayDecodingElement {}
extension Int32: PostgresArrayEncodingElement, PostgresArrayDecodingElement {}
extension Int64: PostgresArrayEncodingElement, PostgresArrayDecodingElement {}
extension Int: PostgresArrayEncodingElement, PostgresArrayDecodingElement {}
extension Bool: PostgresArrayEncodingElement, PostgresArrayDecodingElement {}
extension Double: PostgresArrayEncodingElement, PostgresArrayDecodingElement {}
extension String: PostgresArrayEncodingElement, PostgresArrayDecodingElement {}

/// `[UInt8]` is `bytea`, sent and read as raw bytes.
extension UInt8: PostgresArrayEncodingElement, PostgresArrayDecodingElement {
    public static var postgresArrayType: PostgresType { .bytea }

    public static func encodeArray(_ elements: [UInt8], into buffer: inout [UInt8]) {
        buffer.append(contentsOf: elements)
    }

    public static func decodeArray(from bytes: UnsafeRawBufferPointer?, type: PostgresType)
        throws(PostgresDecodingError) -> [UInt8] {
        guard let bytes else { throw .of(.unexpectedNull, [UInt8].self, type) }
        guard type == .bytea else { throw .of(.typeMismatch, [UInt8].self, type) }
        return [UInt8](bytes)
    }
}

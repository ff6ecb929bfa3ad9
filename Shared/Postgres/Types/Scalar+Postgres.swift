extension Bool: PostgresArrayElement {
    public static var postgresType: PostgresType { .bool }
    public static var postgresArrayType: PostgresType { .boolArray }
    public func encode(into buffer: inout [UInt8]) { buffer.append(self ? 1 : 0) }
    public static func decode(from bytes: UnsafeRawBufferPointer?, type: PostgresType)
        throws(PostgresDecodingError) -> Bool {
        guard let bytes else { throw .of(.unexpectedNull, Bool.self, type) }
        guard type == .bool else { throw .of(.typeMismatch, Bool.self, type) }
        guard bytes.count == 1 else { throw .of(.malformed, Bool.self, type) }
        return bytes[0] != 0
    }
}

extension Double: PostgresArrayElement {
    public static var postgresType: PostgresType { .float8 }
    public static var postgresArrayType: PostgresType { .float8Array }
    public func encode(into buffer: inout [UInt8]) { buffer.appendBigEndian(bitPattern) }
    public static func decode(from bytes: UnsafeRawBufferPointer?, type: PostgresType)
        throws(PostgresDecodingError) -> Double {
        guard let bytes else { throw .of(.unexpectedNull, Double.self, type) }
        var reader = BinaryReader(bytes)
        switch type {
        case .float8:
            guard bytes.count == 8, let bits = reader.read(UInt64.self) else { throw .of(.malformed, Double.self, type) }
            return Double(bitPattern: bits)
        case .float4:
            guard bytes.count == 4, let bits = reader.read(UInt32.self) else { throw .of(.malformed, Double.self, type) }
            return Double(Float(bitPattern: bits))
        default:
            throw .of(.typeMismatch, Double.self, type)
        }
    }
}

extension String: PostgresArrayElement {
    public static var postgresType: PostgresType { .text }
    public static var postgresArrayType: PostgresType { .textArray }
    public func encode(into buffer: inout [UInt8]) { buffer.append(contentsOf: utf8) }
    /// Reads any textual column: text, varchar, char(n), name, json, jsonb, xml,
    /// and `unknown` (an untyped literal).
    public static func decode(from bytes: UnsafeRawBufferPointer?, type: PostgresType)
        throws(PostgresDecodingError) -> String {
        guard let bytes else { throw .of(.unexpectedNull, String.self, type) }
        switch type {
        case .text, .varchar, .bpchar, .name, .json, .xml, .unknown:
            return String(decoding: bytes, as: UTF8.self)
        case .jsonb:
            guard bytes.first == 1 else { throw .of(.malformed, String.self, type) }
            return String(decoding: UnsafeRawBufferPointer(rebasing: bytes.dropFirst()), as: UTF8.self)
        default:
            throw .of(.typeMismatch, String.self, type)
        }
    }
}

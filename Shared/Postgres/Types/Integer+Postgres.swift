extension Int16: PostgresArrayElement {
    public static var postgresType: PostgresType { .int2 }
    public static var postgresArrayType: PostgresType { .int2Array }
    public func encode(into buffer: inout [UInt8]) { buffer.appendBigEndian(self) }
    public static func decode(from bytes: UnsafeRawBufferPointer?, type: PostgresType)
        throws(PostgresDecodingError) -> Int16 {
        try decodeInteger(bytes, type)
    }
}

extension Int32: PostgresArrayElement {
    public static var postgresType: PostgresType { .int4 }
    public static var postgresArrayType: PostgresType { .int4Array }
    public func encode(into buffer: inout [UInt8]) { buffer.appendBigEndian(self) }
    public static func decode(from bytes: UnsafeRawBufferPointer?, type: PostgresType)
        throws(PostgresDecodingError) -> Int32 {
        try decodeInteger(bytes, type)
    }
}

extension Int64: PostgresArrayElement {
    public static var postgresType: PostgresType { .int8 }
    public static var postgresArrayType: PostgresType { .int8Array }
    public func encode(into buffer: inout [UInt8]) { buffer.appendBigEndian(self) }
    public static func decode(from bytes: UnsafeRawBufferPointer?, type: PostgresType)
        throws(PostgresDecodingError) -> Int64 {
        try decodeInteger(bytes, type)
    }
}

/// `Int` is sent as int8.
extension Int: PostgresArrayElement {
    public static var postgresType: PostgresType { .int8 }
    public static var postgresArrayType: PostgresType { .int8Array }
    public func encode(into buffer: inout [UInt8]) { buffer.appendBigEndian(Int64(self)) }
    public static func decode(from bytes: UnsafeRawBufferPointer?, type: PostgresType)
        throws(PostgresDecodingError) -> Int {
        try decodeInteger(bytes, type)
    }
}

/// Reads int2, int4, int8 or oid into any integer type that holds the value.
func decodeInteger<T: FixedWidthInteger>(_ bytes: UnsafeRawBufferPointer?, _ type: PostgresType)
    throws(PostgresDecodingError) -> T {
    guard let bytes else { throw .of(.unexpectedNull, T.self, type) }
    var reader = BinaryReader(bytes)
    let wide: Int64?
    switch type {
    case .int2 where bytes.count == 2: wide = reader.read(Int16.self).map(Int64.init)
    case .int4 where bytes.count == 4: wide = reader.read(Int32.self).map(Int64.init)
    case .oid where bytes.count == 4: wide = reader.read(UInt32.self).map(Int64.init)
    case .int8 where bytes.count == 8: wide = reader.read(Int64.self)
    case .int2, .int4, .int8, .oid: throw .of(.malformed, T.self, type)
    default: throw .of(.typeMismatch, T.self, type)
    }
    guard let wide, let value = T(exactly: wide) else { throw .of(.outOfRange, T.self, type) }
    return value
}

import Foundation

extension UUID: PostgresArrayElement, PostgresArrayEncodingElement, PostgresArrayDecodingElement {
    public static var postgresType: PostgresType { .uuid }
    public static var postgresArrayType: PostgresType { .uuidArray }

    public func encode(into buffer: inout [UInt8]) {
        withUnsafeBytes(of: uuid) { buffer.append(contentsOf: $0) }
    }

    public static func decode(from bytes: UnsafeRawBufferPointer?, type: PostgresType)
        throws(PostgresDecodingError) -> UUID {
        guard let bytes else { throw .of(.unexpectedNull, UUID.self, type) }
        guard type == .uuid else { throw .of(.typeMismatch, UUID.self, type) }
        guard bytes.count == 16 else { throw .of(.malformed, UUID.self, type) }
        var value: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &value) { $0.copyMemory(from: bytes) }
        return UUID(uuid: value)
    }
}

/// A JSON document, sent as `jsonb` and read from `json` or `jsonb` columns.
///
/// The library does not parse it: services hold proto3 JSON (ProtoJSON) or
/// their own encoders, and PostgreSQL validates it on the way in.
public struct PostgresJSON: Sendable, Hashable {
    /// The UTF-8 text of the document.
    public var bytes: [UInt8]

    public init(bytes: [UInt8]) { self.bytes = bytes }
    public init(_ text: String) { self.bytes = Array(text.utf8) }

    public var text: String { String(decoding: bytes, as: UTF8.self) }
}

extension PostgresJSON: PostgresArrayElement, PostgresArrayEncodingElement, PostgresArrayDecodingElement {
    public static var postgresType: PostgresType { .jsonb }
    public static var postgresArrayType: PostgresType { .jsonbArray }

    public func encode(into buffer: inout [UInt8]) {
        buffer.append(1)   // jsonb binary format version
        buffer.append(contentsOf: bytes)
    }

    public static func decode(from bytes: UnsafeRawBufferPointer?, type: PostgresType)
        throws(PostgresDecodingError) -> PostgresJSON {
        guard let bytes else { throw .of(.unexpectedNull, PostgresJSON.self, type) }
        switch type {
        case .json, .text:
            return PostgresJSON(bytes: [UInt8](bytes))
        case .jsonb:
            guard bytes.first == 1 else { throw .of(.malformed, PostgresJSON.self, type) }
            return PostgresJSON(bytes: [UInt8](bytes.dropFirst()))
        default:
            throw .of(.typeMismatch, PostgresJSON.self, type)
        }
    }
}

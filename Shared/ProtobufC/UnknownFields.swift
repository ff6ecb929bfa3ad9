import CProtobufC

/// Fields a message received that its contract does not know, kept so that a
/// service built against an older contract passes newer data through intact.
///
/// Decoding stores each unknown field's tag, wire type and raw value; encoding
/// emits them again after the known fields (protobuf-c's order).
public struct UnknownFields: Sendable, Hashable {
    /// One unknown field as it arrived.
    public struct Field: Sendable, Hashable {
        /// The field number.
        public var number: UInt32
        /// The wire type (0 varint, 1 64-bit, 2 length-delimited, 5 32-bit).
        public var wireType: UInt8
        /// The value's bytes as on the wire (length prefix included for wire type 2).
        public var data: [UInt8]

        public init(number: UInt32, wireType: UInt8, data: [UInt8]) {
            self.number = number
            self.wireType = wireType
            self.data = data
        }
    }

    /// The unknown fields in arrival order.
    @inlinable
    public var fields: [Field] {
        get { storage ?? [] }
        set { storage = newValue.isEmpty ? nil : newValue }
    }

    /// The fields, nil when there are none (nearly always): every message has
    /// an `UnknownFields`, and a nil reference costs nothing to copy, compare
    /// or destroy where even an empty array is retained and released.
    @usableFromInline var storage: [Field]?

    @inlinable public init() { storage = nil }

    /// Whether the message carried no unknown fields.
    @inlinable public var isEmpty: Bool { storage == nil }

    /// Takes every field of an encoded message as it is, without decoding it.
    ///
    /// Why: a message kept encoded (an answer stored ready in a database) can
    /// be sent again by setting these as an empty message's unknown fields,
    /// which the encoder writes out exactly as they are: the receiver decodes
    /// the same fields it would have decoded from the stored bytes. Throws
    /// `WireFormatError.malformed` for bytes that are not a sequence of
    /// fields: a truncated value, a varint past 64 bits (more than ten bytes,
    /// or a tenth above 1), field number 0 or past 2^29 - 1, or wire types
    /// 3, 4, 6 and 7 (proto3 has no groups).
    public init(encodedFields bytes: [UInt8], messageType: String) throws(WireFormatError) {
        var fields: [Field] = []
        var at = 0
        let malformed = WireFormatError.malformed(messageType: messageType, byteCount: bytes.count)
        func varint() throws(WireFormatError) -> UInt64 {
            var value: UInt64 = 0
            for shift in stride(from: UInt64(0), to: 70, by: 7) {
                guard at < bytes.count, shift < 64 else { throw malformed }
                let byte = bytes[at]
                at += 1
                // The tenth byte carries the 64th bit only.
                guard shift < 63 || byte <= 1 else { throw malformed }
                value |= UInt64(byte & 0x7f) << shift
                if byte < 0x80 { return value }
            }
            throw malformed
        }
        while at < bytes.count {
            let tag = try varint()
            let number = tag >> 3
            guard number > 0, number <= 0x1fff_ffff else { throw malformed }
            let start = at
            switch tag & 7 {
            case 0: _ = try varint()
            case 1: at += 8
            case 2:
                let length = try varint()
                guard length <= UInt64(bytes.count - at) else { throw malformed }
                at += Int(length)
            case 5: at += 4
            default: throw malformed
            }
            guard at <= bytes.count else { throw malformed }
            fields.append(Field(number: UInt32(number), wireType: UInt8(tag & 7), data: Array(bytes[start..<at])))
        }
        storage = fields.isEmpty ? nil : fields
    }

    /// Reads the unknown fields protobuf-c kept in a decoded message.
    @inlinable
    public init(protobufC base: ProtobufCMessage) {
        guard base.n_unknown_fields > 0 else {
            self.init()
            return
        }
        self.init(reading: base)
    }

    @usableFromInline
    init(reading base: ProtobufCMessage) {
        storage = nil
        guard let unknown = base.unknown_fields else { return }
        let count = Int(base.n_unknown_fields)
        var fields: [Field] = []
        fields.reserveCapacity(count)
        for index in 0..<count {
            let field = unknown[index]
            let data = field.len > 0 ? [UInt8](UnsafeBufferPointer(start: field.data, count: field.len)) : []
            fields.append(Field(number: field.tag, wireType: UInt8(truncatingIfNeeded: field.wire_type.rawValue), data: data))
        }
        self.fields = fields
    }

    /// Writes the unknown fields into a message about to be packed.
    @inlinable
    public func write(into base: inout ProtobufCMessage, arena: ProtobufCArena) {
        guard let fields = storage else { return }
        Self.write(fields, into: &base, arena: arena)
    }

    @usableFromInline
    static func write(_ fields: [Field], into base: inout ProtobufCMessage, arena: ProtobufCArena) {
        let array = arena.allocate(ProtobufCMessageUnknownField.self, count: fields.count)
        for (index, field) in fields.enumerated() {
            let data = arena.allocate(UInt8.self, count: max(field.data.count, 1))
            field.data.withUnsafeBufferPointer { data.update(from: $0.baseAddress!, count: $0.count) }
            (array + index).initialize(to: ProtobufCMessageUnknownField(
                tag: field.number, wire_type: ProtobufCWireType(rawValue: .init(field.wireType)),
                len: field.data.count, data: data))
        }
        base.n_unknown_fields = UInt32(fields.count)
        base.unknown_fields = array
    }
}

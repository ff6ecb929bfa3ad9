import CProtobufC

/// A generated contract type that converts to and from its protobuf-c struct,
/// so that protobuf-c does the wire encoding and decoding.
///
/// Only generated code (Shared/Contracts/Generated) conforms and calls the
/// requirements; services use `init(serializedBytes:)`/`serializedBytes()` and
/// never see the C structs. Conversions run on the caller's thread and keep no
/// C memory: every pointer comes from a `ProtobufCArena` released on return.
public protocol ProtobufCConvertible: Sendable, Hashable {
    /// The protobuf-c struct, such as `Immigration__Common__V1__PersonName`.
    associatedtype CStruct
    /// The message's fully qualified proto name, such as `immigration.common.v1.PersonName`.
    static var protoMessageName: String { get }
    /// protobuf-c's runtime descriptor of the message.
    static var protobufCDescriptor: UnsafePointer<ProtobufCMessageDescriptor> { get }
    /// Sets `c` to the message's default value (protoc-c's `__init` function).
    static func initializeProtobufC(_ c: UnsafeMutablePointer<CStruct>)
    /// A message with every field at its default.
    init()
    /// Sets the fields of a default message from one that protobuf-c decoded,
    /// in place; validates strings as UTF-8.
    mutating func read(protobufC c: UnsafePointer<CStruct>) throws
    /// Writes the message into an initialised struct, allocating from `arena`.
    /// The struct may point into this message's strings and arrays: pack it
    /// while the message is alive and unchanged.
    func fill(protobufC c: UnsafeMutablePointer<CStruct>, arena: ProtobufCArena) throws
}

extension ProtobufCConvertible {
    /// Encodes through protobuf-c: builds the C struct in an arena, then packs it.
    /// The struct borrows this message's long strings and arrays, so the
    /// message is kept alive until the pack returns.
    @inlinable
    public func protobufCBytes() throws -> [UInt8] {
        try withFilledProtobufC { message, arena in
            let size = protobuf_c_message_get_packed_size(message)
            guard size > 0 else { return [] }
            if size <= Self.packedInArenaLimit {
                // Packed in the arena, then copied: creating the array from a
                // buffer is specialised, where unsafeUninitializedCapacity looks
                // up the array's generic metadata in the runtime on every call.
                let buffer = arena.allocate(UInt8.self, count: size)
                let written = protobuf_c_message_pack(message, buffer)
                return [UInt8](UnsafeBufferPointer(start: buffer, count: written))
            }
            return [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
                count = protobuf_c_message_pack(message, buffer.baseAddress!)
            }
        }
    }

    /// Encodes through protobuf-c and lends the packed bytes to `body`, valid
    /// only during that call: packed in the arena, never copied into an array
    /// (the gRPC runtime copies them once, into the core's buffer).
    @inlinable
    public func withProtobufCBytes<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) throws -> Result {
        try withFilledProtobufC { message, arena in
            let size = protobuf_c_message_get_packed_size(message)
            guard size > 0 else { return try body(UnsafeRawBufferPointer(start: nil, count: 0)) }
            let buffer = arena.allocate(UInt8.self, count: size)
            let written = protobuf_c_message_pack(message, buffer)
            return try body(UnsafeRawBufferPointer(start: buffer, count: written))
        }
    }

    /// Builds the C struct of this message in an arena and hands it to `body`
    /// with the arena; the message is kept alive until `body` returns.
    @inlinable
    func withFilledProtobufC<Result>(
        _ body: (UnsafePointer<ProtobufCMessage>, ProtobufCArena) throws -> Result
    ) throws -> Result {
        try withExtendedLifetime(self) {
            try ProtobufCArena.withArena { arena in
                let c = arena.allocate(CStruct.self)
                Self.initializeProtobufC(c)
                try fill(protobufC: c, arena: arena)
                return try body(UnsafeRawPointer(c).assumingMemoryBound(to: ProtobufCMessage.self), arena)
            }
        }
    }

    /// `fill` called on this message's own storage (an exclusive access), so
    /// that the message is read in place rather than copied; it does not
    /// change the message.
    @inlinable
    mutating func fillInPlace(protobufC c: UnsafeMutablePointer<CStruct>, arena: ProtobufCArena) throws {
        try fill(protobufC: c, arena: arena)
    }

    /// Encodings up to this size are packed in the arena and copied out; larger
    /// ones straight into the result, to copy them only once.
    @inlinable
    static var packedInArenaLimit: Int { 2048 }

    /// Decodes through protobuf-c into an arena, then reads the C struct.
    @inlinable
    public init(protobufCBytes bytes: [UInt8]) throws {
        self.init()
        try bytes.withUnsafeBufferPointer { buffer in
            try self.decodeProtobufC(UnsafeRawBufferPointer(buffer))
        }
    }

    /// Decodes through protobuf-c from borrowed bytes.
    @inlinable
    public init(protobufCBuffer buffer: UnsafeRawBufferPointer) throws {
        self.init()
        try decodeProtobufC(buffer)
    }

    /// Decodes into this default message: protobuf-c unpacks into an arena,
    /// then the fields are read in place.
    @inlinable
    public mutating func decodeProtobufC(_ buffer: UnsafeRawBufferPointer) throws {
        try ProtobufCArena.withArena { arena in
            guard let decoded = protobuf_c_message_unpack(
                Self.protobufCDescriptor, arena.allocator, buffer.count,
                buffer.baseAddress?.assumingMemoryBound(to: UInt8.self))
            else {
                throw WireFormatError.malformed(messageType: Self.protoMessageName, byteCount: buffer.count)
            }
            try self.read(protobufC: UnsafeRawPointer(decoded).assumingMemoryBound(to: CStruct.self))
        }
    }

    /// A message read from a struct that protobuf-c decoded.
    @inlinable
    public init(protobufC c: UnsafePointer<CStruct>) throws {
        self.init()
        try read(protobufC: c)
    }

    /// A message built by setting fields on a default one.
    @inlinable
    public static func with(_ populate: (inout Self) throws -> Void) rethrows -> Self {
        var message = Self()
        try populate(&message)
        return message
    }
}

import CProtobufC
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Writing Swift values into protobuf-c structs: every pointer comes from the arena.
extension ProtobufCArena {
    /// A NUL-terminated copy of `value`; throws when it contains U+0000.
    @inlinable
    public func string(_ value: String, field: String) throws -> UnsafeMutablePointer<CChar> {
        if let copy = try value.utf8.withContiguousStorageIfAvailable({ try cString($0, field: field) }) {
            return copy
        }
        var contiguous = value
        return try contiguous.withUTF8 { try cString($0, field: field) }
    }

    @inlinable
    func cString(_ utf8: UnsafeBufferPointer<UInt8>, field: String) throws -> UnsafeMutablePointer<CChar> {
        let copy = allocate(CChar.self, count: utf8.count + 1)
        if let source = utf8.baseAddress, utf8.count > 0 {
            // Short strings (names, codes, numbers) are scanned inline; long ones with memchr.
            let containsNUL = utf8.count <= 32 ? utf8.contains(0) : memchr(source, 0, utf8.count) != nil
            if containsNUL { throw WireFormatError.stringContainsNUL(field: field) }
            UnsafeMutableRawPointer(copy).copyMemory(from: source, byteCount: utf8.count)
        }
        copy[utf8.count] = 0
        return copy
    }

    /// A copy of `value` as protobuf-c bytes.
    @inlinable
    public func bytes(_ value: [UInt8]) -> ProtobufCBinaryData {
        guard !value.isEmpty else { return ProtobufCBinaryData(len: 0, data: nil) }
        let copy = allocate(UInt8.self, count: value.count)
        value.withUnsafeBufferPointer { copy.initialize(from: $0.baseAddress!, count: $0.count) }
        return ProtobufCBinaryData(len: value.count, data: copy)
    }

    /// A copy of an array of plain values (integers, floating point), or nil when empty.
    @inlinable
    public func array<T: BitwiseCopyable>(_ values: [T]) -> UnsafeMutablePointer<T>? {
        guard !values.isEmpty else { return nil }
        let copy = allocate(T.self, count: values.count)
        values.withUnsafeBufferPointer { copy.initialize(from: $0.baseAddress!, count: $0.count) }
        return copy
    }

    /// An array of converted values, or nil when empty.
    @inlinable
    public func array<T, C>(_ values: [T], _ convert: (T) throws -> C) rethrows -> UnsafeMutablePointer<C>? {
        guard !values.isEmpty else { return nil }
        let copy = allocate(C.self, count: values.count)
        for index in values.indices { (copy + index).initialize(to: try convert(values[index])) }
        return copy
    }

    /// A protobuf-c struct holding `value`.
    @inlinable
    public func message<M: ProtobufCConvertible>(_ value: M) throws -> UnsafeMutablePointer<M.CStruct> {
        let c = allocate(M.CStruct.self)
        M.initializeProtobufC(c)
        try value.fill(protobufC: c, arena: self)
        return c
    }

    /// An array of pointers to protobuf-c structs, or nil when empty.
    @inlinable
    public func messages<M: ProtobufCConvertible>(_ values: [M]) throws -> UnsafeMutablePointer<UnsafeMutablePointer<M.CStruct>?>? {
        guard !values.isEmpty else { return nil }
        let pointers = allocate(UnsafeMutablePointer<M.CStruct>?.self, count: values.count)
        try values.withUnsafeBufferPointer { buffer in
            for index in buffer.indices {
                let c = allocate(M.CStruct.self)
                M.initializeProtobufC(c)
                try (buffer.baseAddress! + index).pointee.fill(protobufC: c, arena: self)
                (pointers + index).initialize(to: c)
            }
        }
        return pointers
    }
}

/// Reading protobuf-c structs back into Swift values; used by generated code.
public enum ProtobufCRead {
    /// The descriptor that protoc-c's `__init` function puts in a message:
    /// the address of the generated C constant (Swift cannot take the
    /// address of an imported C constant directly).
    public static func descriptor<C>(of type: C.Type, _ initialize: (UnsafeMutablePointer<C>?) -> Void)
        -> UnsafePointer<ProtobufCMessageDescriptor>
    {
        withUnsafeTemporaryAllocation(of: C.self, capacity: 1) { buffer in
            initialize(buffer.baseAddress!)
            return UnsafeRawPointer(buffer.baseAddress!).assumingMemoryBound(to: ProtobufCMessage.self).pointee.descriptor
        }
    }

    /// A decoded string, validated as UTF-8; nil reads as empty.
    @inlinable
    public static func string(_ pointer: UnsafePointer<CChar>?, field: String) throws -> String {
        guard let pointer, pointer.pointee != 0 else { return "" }
        guard let value = String(validatingCString: pointer) else { throw WireFormatError.invalidUTF8(field: field) }
        return value
    }

    /// Decoded bytes.
    @inlinable
    public static func bytes(_ data: ProtobufCBinaryData) -> [UInt8] {
        guard data.len > 0, let start = data.data else { return [] }
        return [UInt8](UnsafeBufferPointer(start: start, count: data.len))
    }

    /// A decoded array of plain values.
    @inlinable
    public static func array<T: BitwiseCopyable>(_ pointer: UnsafePointer<T>?, count: Int) -> [T] {
        guard count > 0, let pointer else { return [] }
        return [T](UnsafeBufferPointer(start: pointer, count: count))
    }

    /// A decoded array of converted values.
    @inlinable
    public static func array<T, R>(_ pointer: UnsafePointer<T>?, count: Int, _ convert: (T) throws -> R) rethrows -> [R] {
        guard count > 0, let pointer else { return [] }
        var result = [R]()
        result.reserveCapacity(count)
        for index in 0..<count { result.append(try convert(pointer[index])) }
        return result
    }

    /// Decoded repeated messages, each read in place.
    @inlinable
    public static func messages<M: ProtobufCConvertible>(
        _ pointer: UnsafePointer<UnsafeMutablePointer<M.CStruct>?>?, count: Int, as type: M.Type = M.self
    ) throws -> [M] {
        guard count > 0, let pointer else { return [] }
        return try [M](unsafeUninitializedCapacity: count) { buffer, initialized in
            for index in 0..<count {
                (buffer.baseAddress! + index).initialize(to: M())
                initialized += 1
                if let element = pointer[index] { try buffer[index].read(protobufC: element) }
            }
        }
    }
}

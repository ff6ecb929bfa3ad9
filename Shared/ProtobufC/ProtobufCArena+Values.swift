import CProtobufC
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Writing Swift values into protobuf-c structs. Small values are copied into the
// arena; long strings, bytes and numeric arrays are borrowed: protobuf-c reads
// the Swift value's own storage. A struct filled this way is valid only while
// the values it was filled from are alive and unchanged, which holds during
// `protobufCBytes()` (the message is borrowed until the pack returns).
extension ProtobufCArena {
    /// `value` as a NUL-terminated string for protobuf-c; throws when it
    /// contains U+0000. Long native strings (and literals) are NUL-terminated
    /// in their own storage and are borrowed; other strings are copied into the
    /// arena. The pointer is valid while `value`, or a message holding it, is alive.
    @inlinable
    public func string(_ value: String, field: String) throws -> UnsafeMutablePointer<CChar> {
        let count = value.utf8.count
        return try value.withCString { pointer in
            // One pass finds both the length and an embedded NUL.
            guard strlen(pointer) == count else { throw WireFormatError.stringContainsNUL(field: field) }
            // A small string (up to 15 bytes) lives inside the String value and
            // withCString hands over a temporary copy; so does a string whose
            // storage is not NUL-terminated. Only the string's own storage is borrowed.
            if count >= MemoryLayout<String>.size, Self.isOwnStorage(pointer, of: value) {
                return UnsafeMutablePointer(mutating: pointer)
            }
            let copy = allocate(CChar.self, count: count + 1)
            copy.initialize(from: pointer, count: count + 1)
            return copy
        }
    }

    /// Whether `pointer` is the start of `value`'s own contiguous UTF-8 storage.
    @usableFromInline
    static func isOwnStorage(_ pointer: UnsafePointer<CChar>, of value: String) -> Bool {
        value.utf8.withContiguousStorageIfAvailable { UnsafeRawPointer($0.baseAddress) == UnsafeRawPointer(pointer) } ?? false
    }

    /// `value` as protobuf-c bytes, borrowing the array's storage (valid while
    /// `value`, or a message holding it, is alive).
    @inlinable
    public func bytes(_ value: [UInt8]) -> ProtobufCBinaryData {
        guard !value.isEmpty else { return ProtobufCBinaryData(len: 0, data: nil) }
        let data = value.withUnsafeBufferPointer { UnsafeMutablePointer(mutating: $0.baseAddress) }
        return ProtobufCBinaryData(len: value.count, data: data)
    }

    /// An array of plain values (integers, floating point) borrowing the
    /// array's storage, or nil when empty.
    @inlinable
    public func array<T: BitwiseCopyable>(_ values: [T]) -> UnsafeMutablePointer<T>? {
        guard !values.isEmpty else { return nil }
        return values.withUnsafeBufferPointer { UnsafeMutablePointer(mutating: $0.baseAddress) }
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
            // Each element is filled through an inout access to its place in
            // the array, which the optimiser knows nothing else writes during
            // the call; through the plain (borrowed) element it copied every
            // element out first (an outlined copy and destroy of the whole
            // message, ~390 instructions each). Nothing is written: fill reads.
            let elements = UnsafeMutablePointer(mutating: buffer.baseAddress!)
            for index in buffer.indices {
                let c = allocate(M.CStruct.self)
                M.initializeProtobufC(c)
                try (elements + index).pointee.fillInPlace(protobufC: c, arena: self)
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
        // reserveCapacity and append are specialised here, where Array's
        // unsafeUninitializedCapacity initialiser looks up the array's generic
        // metadata in the runtime on every call. Each element is read in place
        // (reading into a local and appending it copies the element).
        var result = [M]()
        result.reserveCapacity(count)
        for index in 0..<count {
            result.append(M())
            if let c = pointer[index] { try result[index].read(protobufC: c) }
        }
        return result
    }
}

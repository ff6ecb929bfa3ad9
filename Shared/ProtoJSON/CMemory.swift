import CProtobufC

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Raw access to protobuf-c message structs, and allocation with the C heap so
/// that `protobuf_c_message_free_unpacked` (which frees with protobuf-c's default
/// allocator, the system `free`) releases everything the decoder built.
enum CMemory {
    static func load<T>(_ base: UnsafeRawPointer, _ offset: Int, as type: T.Type) -> T {
        base.load(fromByteOffset: offset, as: type)
    }

    static func store<T>(_ value: T, _ base: UnsafeMutableRawPointer, _ offset: Int) {
        base.storeBytes(of: value, toByteOffset: offset, as: T.self)
    }

    /// A new message initialised with its defaults; the caller owns it.
    static func newMessage(_ descriptor: UnsafePointer<ProtobufCMessageDescriptor>) -> UnsafeMutableRawPointer {
        guard let memory = malloc(descriptor.pointee.sizeof_message) else { fatalError("out of memory") }
        protobuf_c_message_init(descriptor, memory)
        return memory
    }

    /// Frees one block from the C heap (not a whole message tree).
    static func release(_ memory: UnsafeMutableRawPointer) {
        free(memory)
    }

    /// A zeroed array for `count` repeated values of `size` bytes each.
    static func newArray(count: Int, size: Int) -> UnsafeMutableRawPointer {
        guard let memory = calloc(max(count, 1), size) else { fatalError("out of memory") }
        return memory
    }

    /// A NUL-terminated copy of `text` on the C heap.
    static func newCString(_ text: String) -> UnsafeMutablePointer<CChar> {
        var text = text
        return text.withUTF8 { utf8 in
            guard let memory = malloc(utf8.count + 1) else { fatalError("out of memory") }
            if let base = utf8.baseAddress { memory.copyMemory(from: base, byteCount: utf8.count) }
            memory.storeBytes(of: 0, toByteOffset: utf8.count, as: UInt8.self)
            return memory.assumingMemoryBound(to: CChar.self)
        }
    }

    /// A copy of `data` on the C heap, as protobuf-c's bytes struct.
    static func newBinary(_ data: [UInt8]) -> ProtobufCBinaryData {
        guard !data.isEmpty else { return ProtobufCBinaryData(len: 0, data: nil) }
        guard let memory = malloc(data.count) else { fatalError("out of memory") }
        data.withUnsafeBytes { memory.copyMemory(from: $0.baseAddress!, byteCount: data.count) }
        return ProtobufCBinaryData(len: data.count, data: memory.assumingMemoryBound(to: UInt8.self))
    }

    /// The wire form of a message, through protobuf-c.
    static func pack(_ message: UnsafePointer<ProtobufCMessage>) -> [UInt8] {
        let size = protobuf_c_message_get_packed_size(message)
        return [UInt8](unsafeUninitializedCapacity: max(size, 1)) { buffer, count in
            count = protobuf_c_message_pack(message, buffer.baseAddress!)
        }
    }
}

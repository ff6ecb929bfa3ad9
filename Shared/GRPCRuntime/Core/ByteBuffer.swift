import CGRPC

/// Conversions between Swift bytes and the core's slices and byte buffers.
enum ByteBuffer {
    /// A new byte buffer holding a copy of `bytes`.
    /// Ownership: the caller owns the result and destroys it with
    /// `grpc_byte_buffer_destroy` once the batch that sent it completed.
    static func make(_ bytes: [UInt8]) -> UnsafeMutablePointer<grpc_byte_buffer> {
        bytes.withUnsafeBytes { make(copying: $0) }
    }

    /// A new byte buffer holding a copy of `bytes`; same ownership as `make(_:)`.
    static func make(copying bytes: UnsafeRawBufferPointer) -> UnsafeMutablePointer<grpc_byte_buffer> {
        var slice = grpc_slice_from_copied_buffer(bytes.baseAddress?.assumingMemoryBound(to: CChar.self), bytes.count)
        // The buffer takes its own reference to the slice; drop ours.
        let buffer = grpc_raw_byte_buffer_create(&slice, 1)!
        grpc_slice_unref(slice)
        return buffer
    }

    /// Lends the bytes of a received buffer (not destroyed): in place when
    /// they lie in one uncompressed slice, else read into a temporary array.
    static func withBytes<Result>(of buffer: UnsafeMutablePointer<grpc_byte_buffer>,
                                  _ body: (UnsafeRawBufferPointer) throws -> Result) throws -> Result? {
        var start: UnsafePointer<UInt8>?
        var length = 0
        if cgrpc_byte_buffer_single_slice(buffer, &start, &length) != 0 {
            return try body(UnsafeRawBufferPointer(start: start, count: length))
        }
        guard let bytes = read(buffer) else { return nil }
        return try bytes.withUnsafeBytes(body)
    }

    /// The bytes of a received buffer (decompressed by the reader), which is
    /// then destroyed: received buffers are owned by whoever reads them, once.
    static func consume(_ buffer: UnsafeMutablePointer<grpc_byte_buffer>) -> [UInt8]? {
        defer { grpc_byte_buffer_destroy(buffer) }
        return read(buffer)
    }

    /// The bytes of a received buffer (decompressed by the reader), which is not destroyed.
    static func read(_ buffer: UnsafeMutablePointer<grpc_byte_buffer>) -> [UInt8]? {
        var reader = grpc_byte_buffer_reader()
        guard grpc_byte_buffer_reader_init(&reader, buffer) != 0 else { return nil }
        defer { grpc_byte_buffer_reader_destroy(&reader) }
        var bytes = [UInt8]()
        bytes.reserveCapacity(grpc_byte_buffer_length(buffer))
        var slice = grpc_slice()
        while grpc_byte_buffer_reader_next(&reader, &slice) != 0 {
            let start = cgrpc_slice_start(&slice)
            let length = cgrpc_slice_length(&slice)
            if let start, length > 0 {
                bytes.append(contentsOf: UnsafeBufferPointer(start: start, count: length))
            }
            grpc_slice_unref(slice)
        }
        return bytes
    }
}

enum Slice {
    /// A new slice copying a string. Ownership: the caller unrefs it.
    static func make(_ string: String) -> grpc_slice {
        var string = string
        return string.withUTF8 { utf8 in
            grpc_slice_from_copied_buffer(utf8.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) }, utf8.count)
        }
    }

    /// A new slice copying bytes. Ownership: the caller unrefs it.
    static func make(_ bytes: [UInt8]) -> grpc_slice {
        bytes.withUnsafeBufferPointer { buffer in
            grpc_slice_from_copied_buffer(buffer.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) }, buffer.count)
        }
    }

    /// The slice's bytes as a string (the slice is not unref'd).
    static func string(_ slice: UnsafePointer<grpc_slice>) -> String {
        let length = cgrpc_slice_length(slice)
        guard length > 0, let start = cgrpc_slice_start(slice) else { return "" }
        return String(decoding: UnsafeBufferPointer(start: start, count: length), as: UTF8.self)
    }

    /// The slice's bytes (the slice is not unref'd).
    static func bytes(_ slice: UnsafePointer<grpc_slice>) -> [UInt8] {
        let length = cgrpc_slice_length(slice)
        guard length > 0, let start = cgrpc_slice_start(slice) else { return [] }
        return Array(UnsafeBufferPointer(start: start, count: length))
    }
}

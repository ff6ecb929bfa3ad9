import CProtobufC
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Bump allocator handed to protobuf-c for one encode or one decode, so that a
/// single release frees every C allocation on every path, errors included.
///
/// Generated contract code builds protobuf-c structs in an arena before
/// packing, and asks protobuf-c to unpack into one. The first block lives on
/// the stack; larger messages spill into heap blocks that are released when
/// `withArena` returns. An arena is valid only inside the closure that received
/// it and is used by one thread at a time.
public struct ProtobufCArena {
    /// The protobuf-c allocator that draws from this arena (its `free` does nothing).
    public let allocator: UnsafeMutablePointer<ProtobufCAllocator>
    @usableFromInline let state: UnsafeMutablePointer<ArenaState>

    @usableFromInline init(allocator: UnsafeMutablePointer<ProtobufCAllocator>, state: UnsafeMutablePointer<ArenaState>) {
        self.allocator = allocator
        self.state = state
    }

    /// Size of the stack block every arena starts with.
    public static let stackBlockSize = 4096

    /// Runs `body` with a fresh arena and releases all its memory afterwards.
    @inlinable
    public static func withArena<R>(_ body: (ProtobufCArena) throws -> R) rethrows -> R {
        try withUnsafeTemporaryAllocation(byteCount: stackBlockSize, alignment: 16) { block in
            var state = ArenaState(cursor: block.baseAddress!, end: block.baseAddress! + block.count)
            return try withUnsafeMutablePointer(to: &state) { statePointer in
                defer { statePointer.pointee.releaseHeapBlocks() }
                var allocator = ProtobufCAllocator(
                    alloc: { data, size in
                        data!.assumingMemoryBound(to: ArenaState.self).pointee.allocate(byteCount: size, alignment: 8)
                    },
                    free: { _, _ in },
                    allocator_data: UnsafeMutableRawPointer(statePointer))
                return try withUnsafeMutablePointer(to: &allocator) { allocatorPointer in
                    try body(ProtobufCArena(allocator: allocatorPointer, state: statePointer))
                }
            }
        }
    }

    /// Uninitialised memory for `count` values of `T`, aligned for `T`.
    @inlinable
    public func allocate<T>(_ type: T.Type, count: Int = 1) -> UnsafeMutablePointer<T> {
        let raw = state.pointee.allocate(
            byteCount: MemoryLayout<T>.stride * count, alignment: MemoryLayout<T>.alignment)
        return raw.bindMemory(to: T.self, capacity: count)
    }
}

/// The arena's bookkeeping: the current block and the heap blocks to release.
@usableFromInline
struct ArenaState {
    @usableFromInline var cursor: UnsafeMutableRawPointer
    @usableFromInline var end: UnsafeMutableRawPointer
    /// Heap blocks, each starting with a pointer to the previous one.
    @usableFromInline var heapBlocks: UnsafeMutableRawPointer?
    @usableFromInline var nextBlockSize: Int

    @usableFromInline init(cursor: UnsafeMutableRawPointer, end: UnsafeMutableRawPointer) {
        self.cursor = cursor
        self.end = end
        self.heapBlocks = nil
        self.nextBlockSize = 16384
    }

    @inlinable
    mutating func allocate(byteCount: Int, alignment: Int) -> UnsafeMutableRawPointer {
        let align = max(alignment, 8)
        let aligned = UnsafeMutableRawPointer(
            bitPattern: (UInt(bitPattern: cursor) + UInt(align - 1)) & ~UInt(align - 1))!
        if aligned + byteCount <= end {
            cursor = aligned + byteCount
            return aligned
        }
        return allocateInNewBlock(byteCount: byteCount)
    }

    @usableFromInline
    mutating func allocateInNewBlock(byteCount: Int) -> UnsafeMutableRawPointer {
        let header = 16
        let size = max(nextBlockSize, byteCount + header)
        nextBlockSize = min(nextBlockSize * 2, 1 << 24)
        guard let block = malloc(size) else { fatalError("ProtobufCArena: out of memory (\(size) bytes)") }
        block.storeBytes(of: heapBlocks, as: UnsafeMutableRawPointer?.self)
        heapBlocks = block
        let start = block + header
        cursor = start + byteCount
        end = block + size
        return start
    }

    @usableFromInline
    mutating func releaseHeapBlocks() {
        while let block = heapBlocks {
            heapBlocks = block.load(as: UnsafeMutableRawPointer?.self)
            free(block)
        }
    }
}

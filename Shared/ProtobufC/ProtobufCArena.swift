import CProtobufC
import CProtobufCArena

/// Bump allocator handed to protobuf-c for one encode or one decode, so that a
/// single release frees every C allocation on every path, errors included.
///
/// Generated contract code builds protobuf-c structs in an arena before
/// packing, and asks protobuf-c to unpack into one. The arena itself is C
/// (`CProtobufCArena`), so protobuf-c calls its allocator directly rather than
/// Swift through a function pointer. Its first block (16 KiB) comes from a
/// small per-thread free list and goes back to it when `withArena` returns,
/// so an ordinary message needs no malloc for arena memory (Swift's temporary
/// allocations above 1 KiB go to the heap on Linux); each live arena, nested
/// ones included, has a block of its own. Larger messages spill into malloc'd
/// blocks that are freed when `withArena` returns. An arena is valid only
/// inside the closure that received it and is used by one thread at a time.
public struct ProtobufCArena {
    @usableFromInline let state: UnsafeMutablePointer<ProtobufCArenaState>

    @usableFromInline init(state: UnsafeMutablePointer<ProtobufCArenaState>) {
        self.state = state
    }

    /// The protobuf-c allocator that draws from this arena (its `free` does nothing).
    @inlinable
    public var allocator: UnsafeMutablePointer<ProtobufCAllocator> {
        // The allocator is the state's first member.
        UnsafeMutableRawPointer(state).assumingMemoryBound(to: ProtobufCAllocator.self)
    }

    /// Size of the first block every arena starts with.
    public static let firstBlockSize = Int(PROTOBUF_C_ARENA_FIRST_BLOCK)

    /// Runs `body` with a fresh arena and releases all its memory afterwards.
    @inlinable
    public static func withArena<R>(_ body: (ProtobufCArena) throws -> R) rethrows -> R {
        // The state is small: this temporary allocation is on the stack.
        try withUnsafeTemporaryAllocation(of: ProtobufCArenaState.self, capacity: 1) { buffer in
            let state = buffer.baseAddress!
            guard protobuf_c_arena_init(state) else { outOfMemory(firstBlockSize) }
            defer { protobuf_c_arena_release(state) }
            return try body(ProtobufCArena(state: state))
        }
    }

    /// Uninitialised memory for `count` values of `T`, aligned for `T`.
    @inlinable
    public func allocate<T>(_ type: T.Type, count: Int = 1) -> UnsafeMutablePointer<T> {
        guard let raw = protobuf_c_arena_alloc(
            state, MemoryLayout<T>.stride * count, MemoryLayout<T>.alignment)
        else { Self.outOfMemory(MemoryLayout<T>.stride * count) }
        return raw.bindMemory(to: T.self, capacity: count)
    }

    @usableFromInline
    static func outOfMemory(_ byteCount: Int) -> Never {
        fatalError("ProtobufCArena: out of memory (\(byteCount) bytes)")
    }
}

import CProtobufC
import CProtobufCArena
import Contracts
import Foundation
import ProtobufC
import TestContracts
import XCTest

/// The arena that protobuf-c allocates from: memory aligned as malloc's,
/// messages larger than its first block spilling into heap blocks, every
/// block released on return, errors included, and first blocks recycled per
/// thread without two live arenas ever sharing one (the ASan run checks for
/// leaks, and poisons kept blocks so that a read after release is reported).
final class ProtobufCArenaTests: XCTestCase {
    private struct Failure: Error {}

    func testProtobufCAllocationsAreAlignedAsMallocsAndDoNotOverlap() throws {
        try ProtobufCArena.withArena { arena in
            let allocator = arena.allocator.pointee
            var previousEnd: UInt?
            for size in [1, 3, 8, 17, 5, 64, 2] {
                let pointer = try XCTUnwrap(allocator.alloc(allocator.allocator_data, size))
                let address = UInt(bitPattern: pointer)
                XCTAssertEqual(address % UInt(MemoryLayout<max_align_t>.alignment), 0, "allocation of \(size) bytes")
                if let previousEnd { XCTAssertGreaterThanOrEqual(address, previousEnd) }
                memset(pointer, 0xAB, size)
                previousEnd = address + UInt(size)
            }
        }
    }

    func testAllocationsBeyondTheFirstBlockSpillIntoHeapBlocksThatStayUsable() {
        ProtobufCArena.withArena { arena in
            // Far more than the 16 KiB first block: several heap blocks, one
            // larger than the heap blocks' usual size.
            var blocks: [UnsafeMutablePointer<UInt64>] = []
            for count in [100, 600, 3000, 50_000, 10] {
                let block = arena.allocate(UInt64.self, count: count)
                XCTAssertEqual(UInt(bitPattern: block) % UInt(MemoryLayout<UInt64>.alignment), 0)
                block.initialize(repeating: UInt64(count), count: count)
                blocks.append(block)
            }
            for (block, count) in zip(blocks, [100, 600, 3000, 50_000, 10]) {
                XCTAssertEqual(block[0], UInt64(count))
                XCTAssertEqual(block[count - 1], UInt64(count))
            }
        }
    }

    func testAThrowingBodyStillReleasesTheHeapBlocks() {
        XCTAssertThrowsError(try ProtobufCArena.withArena { arena in
            _ = arena.allocate(UInt8.self, count: 100_000)
            throw Failure()
        }) { error in XCTAssertTrue(error is Failure) }
    }

    func testNestedArenasOnOneThreadEachHaveTheirOwnMemory() {
        // Six arenas alive at once on this thread, more than the thread keeps
        // free: each fills its first block with its own byte, and none sees
        // another's byte afterwards.
        func nest(_ depth: Int, _ outer: [(UnsafeMutablePointer<UInt8>, UInt8)]) {
            ProtobufCArena.withArena { arena in
                let size = ProtobufCArena.firstBlockSize - 256
                let block = arena.allocate(UInt8.self, count: size)
                let mark = UInt8(depth + 1)
                block.initialize(repeating: mark, count: size)
                let all = outer + [(block, mark)]
                if depth < 5 { nest(depth + 1, all) }
                for (other, otherMark) in all {
                    XCTAssertTrue(UnsafeBufferPointer(start: other, count: size).allSatisfy { $0 == otherMark },
                                  "arena \(otherMark) overwritten at depth \(depth)")
                }
            }
        }
        nest(0, [])
        XCTAssertEqual(protobuf_c_arena_cached_blocks(), Int(PROTOBUF_C_ARENA_CACHED_BLOCKS))
    }

    func testAnEncodeAndADecodeInsideAnotherArenaGiveTheSameMessage() throws {
        let person = Self.person(familyName: "Nguyễn Thị Thanh Hương, thường trú tại Hà Nội")
        let bytes = try person.serializedBytes()
        try ProtobufCArena.withArena { arena in
            let outer = arena.allocate(UInt8.self, count: 1000)
            outer.initialize(repeating: 0x5A, count: 1000)
            // A decode and an encode nested in a live arena, the decoded value
            // read after the inner arenas are released.
            let decoded = try Immigration_Testing_V1_PersonWithDocuments(serializedBytes: bytes)
            let again = try decoded.serializedBytes()
            XCTAssertEqual(decoded, person)
            XCTAssertEqual(again, bytes)
            XCTAssertTrue(UnsafeBufferPointer(start: outer, count: 1000).allSatisfy { $0 == 0x5A })
        }
    }

    func testAnArenaReleasedOnAnotherThreadLeavesItsBlockToThatThread() throws {
        // The Swift API cannot do this (an arena lives inside one synchronous
        // closure); the C functions allow it, and the block simply joins the
        // releasing thread's list, freed when that thread exits (LeakSanitizer
        // in the ASan run would report it otherwise).
        let state = UnsafeMutablePointer<ProtobufCArenaState>.allocate(capacity: 1)
        defer { state.deallocate() }
        XCTAssertTrue(protobuf_c_arena_init(state))
        let memory = try XCTUnwrap(protobuf_c_arena_alloc(state, 64, 8))
        memset(memory, 0x11, 64)
        let address = UInt(bitPattern: state)
        let counts = Self.onNewThread {
            let state = UnsafeMutablePointer<ProtobufCArenaState>(bitPattern: address)!
            let before = protobuf_c_arena_cached_blocks()
            protobuf_c_arena_release(state)
            return (before, protobuf_c_arena_cached_blocks())
        }
        XCTAssertEqual(counts.0, 0)
        XCTAssertEqual(counts.1, 1)
    }

    func testThreadsThatEncodeAndDecodeAndExitLeaveNoBlocksBehind() throws {
        let person = Self.person(familyName: "Trần")
        let bytes = try person.serializedBytes()
        for _ in 0..<8 {
            let ok = Self.onNewThread { () -> Bool in
                guard let decoded = try? Immigration_Testing_V1_PersonWithDocuments(serializedBytes: bytes),
                      let again = try? decoded.serializedBytes() else { return false }
                return again == bytes && protobuf_c_arena_cached_blocks() == 1
            }
            XCTAssertTrue(ok)
        }
    }

    private static func person(familyName: String) -> Immigration_Testing_V1_PersonWithDocuments {
        var person = Immigration_Testing_V1_PersonWithDocuments()
        person.personID = "3f1c2a9e-7b4d-4e2a-9c1d-5a6b7c8d9e0f"
        person.name = Immigration_Common_V1_PersonName.with {
            $0.familyName = familyName
            $0.givenName = "Hương"
        }
        return person
    }

    /// Runs `body` on a thread of its own, which exits afterwards.
    private static func onNewThread<T: Sendable>(_ body: @escaping @Sendable () -> T) -> T {
        let result = LockedResult<T>()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            result.set(body())
            done.signal()
        }
        thread.start()
        done.wait()
        return result.get()!
    }
}

/// A value handed from a test's thread back to the test.
private final class LockedResult<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: T?
    func set(_ newValue: T) { lock.withLock { value = newValue } }
    func get() -> T? { lock.withLock { value } }
}

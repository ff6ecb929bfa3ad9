import CProtobufC
import ProtobufC
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// The arena that protobuf-c allocates from: memory aligned as malloc's,
/// messages larger than its first block spilling into heap blocks, every block
/// released on return, errors included, and each thread's cached first block
/// freed when the thread exits (the ASan run checks for leaks).
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

    func testAnArenaOpenedInsideAnotherGetsItsOwnFirstBlock() {
        ProtobufCArena.withArena { outer in
            let outerBytes = outer.allocate(UInt8.self, count: 1000)
            outerBytes.initialize(repeating: 0x11, count: 1000)
            ProtobufCArena.withArena { inner in
                // The thread's cached block is the outer arena's: the inner one must not reuse it.
                let innerBytes = inner.allocate(UInt8.self, count: 1000)
                innerBytes.initialize(repeating: 0x22, count: 1000)
                let outerRange = UInt(bitPattern: outerBytes)..<UInt(bitPattern: outerBytes) + 1000
                XCTAssertFalse(outerRange.contains(UInt(bitPattern: innerBytes)))
                XCTAssertEqual(innerBytes[999], 0x22)
            }
            XCTAssertTrue((0..<1000).allSatisfy { outerBytes[$0] == 0x11 })
        }
    }

    func testArenasOnThreadsThatExitLeaveTheirMemoryUsableAndFreed() throws {
        // Each thread caches a first block on its first arena; the block must be
        // freed at the thread's exit (ASan's leak check fails the run otherwise).
        var threads: [pthread_t] = []
        for index in 0..<4 {
            var thread = pthread_t()
            let seed = UnsafeMutablePointer<Int>.allocate(capacity: 1)
            seed.initialize(to: index)
            let created = pthread_create(&thread, nil, { argument in
                let seed = argument!.assumingMemoryBound(to: Int.self)
                let index = seed.pointee
                seed.deallocate()
                for round in 0..<50 {
                    ProtobufCArena.withArena { arena in
                        let bytes = arena.allocate(UInt32.self, count: 512)
                        bytes.initialize(repeating: UInt32(index * 1000 + round), count: 512)
                        precondition(bytes[511] == UInt32(index * 1000 + round))
                    }
                }
                return nil
            }, seed)
            XCTAssertEqual(created, 0)
            threads.append(thread)
        }
        for thread in threads { XCTAssertEqual(pthread_join(thread, nil), 0) }
    }
}

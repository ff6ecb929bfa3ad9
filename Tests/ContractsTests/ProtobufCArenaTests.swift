import CProtobufC
import ProtobufC
import XCTest

/// The arena that protobuf-c allocates from: memory aligned as malloc's,
/// messages larger than its stack block spilling into heap blocks, and every
/// block released on return, errors included (the ASan run checks for leaks).
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

    func testAllocationsBeyondTheStackBlockSpillIntoHeapBlocksThatStayUsable() {
        ProtobufCArena.withArena { arena in
            // Far more than the 4 KiB stack block: several heap blocks, one
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
}

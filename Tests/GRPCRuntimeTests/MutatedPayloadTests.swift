import Foundation
import GRPCRuntime
import XCTest

struct StrictService: ServiceProvider {
    static let accept = MethodDescriptor(service: "test.Strict", method: "Accept", kind: .unary)
    var methods: [ServerMethod] {
        [.unary(Self.accept) { (request: StrictProto, _: ServerContext) in StrictProto(bytes: [0x08, UInt8(request.bytes.count & 0x7f)]) }]
    }
}

final class MutatedPayloadTests: XCTestCase {
    /// Mutated payloads (random bytes, truncations, huge declared lengths,
    /// wrong wire types, flipped bytes, oversized) each get the status they
    /// deserve: OK when still well formed, INVALID_ARGUMENT when not,
    /// RESOURCE_EXHAUSTED when too large; the server answers every one and
    /// keeps serving. 5,000 by default; GRPC_RUNTIME_MUTATIONS sets the count
    /// (run 100000 under `--sanitize=address` for the full check).
    func testEveryMutatedPayloadGetsTheRightStatusAndTheServerStaysUp() async throws {
        let count = ProcessInfo.processInfo.environment["GRPC_RUNTIME_MUTATIONS"].flatMap(Int.init) ?? 5_000
        let seed = UInt64.random(in: 0...UInt64.max)
        let limit = 16 * 1024
        let running = try RunningServer.start(services: [StrictService()]) { $0.maxReceiveMessageBytes = limit }
        let channel = running.channel
        let tally = Tally()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for worker in 0..<32 {
                group.addTask {
                    var mutator = PayloadMutator(generator: SeededGenerator(state: seed &+ UInt64(worker)))
                    for index in stride(from: worker, to: count, by: 32) {
                        let payload = mutator.mutate(StrictProto.sample(index), oversizeLimit: limit)
                        let expected: StatusCode = payload.count > limit ? .resourceExhausted
                            : StrictProto.isWellFormed(payload[...]) ? .ok : .invalidArgument
                        var got = StatusCode.ok
                        do {
                            let _: StrictProto = try await channel.unary(StrictService.accept, request: StrictProto(bytes: payload),
                                                                         options: CallOptions(timeout: .seconds(30)))
                        } catch let error as RPCError {
                            got = error.code
                        }
                        tally.record(expected)
                        XCTAssertEqual(got, expected, "seed \(seed), payload \(payload.prefix(40))")
                    }
                }
            }
            try await group.waitForAll()
        }
        let counts = tally.counts
        XCTAssertEqual(counts.values.reduce(0, +), count)
        XCTAssertGreaterThan(counts[.invalidArgument] ?? 0, count / 10)
        XCTAssertGreaterThan(counts[.ok] ?? 0, count / 20)
        XCTAssertGreaterThan(counts[.resourceExhausted] ?? 0, count / 20)
        let alive: StrictProto = try await channel.unary(StrictService.accept, request: StrictProto(bytes: StrictProto.sample(1)),
                                                        options: CallOptions())
        XCTAssertEqual(alive.bytes.first, 0x08)
        await running.stop()
    }
}

final class Tally: Sendable {
    private let state = Mutex<[StatusCode: Int]>([:])
    func record(_ code: StatusCode) { state.withLock { $0[code, default: 0] += 1 } }
    var counts: [StatusCode: Int] { state.withLock { $0 } }
}

import Synchronization

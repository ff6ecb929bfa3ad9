import Foundation
import GRPCRuntime
import XCTest

/// A method that answers with the name of the thread its handler started on, after
/// a short pause (so that a burst of calls is in flight together).
struct ThreadNameService: ServiceProvider {
    static let whereAmI = MethodDescriptor(service: "test.ThreadName", method: "WhereAmI", kind: .unary)

    var methods: [ServerMethod] {
        [.unary(Self.whereAmI) { (_: Bytes, _: ServerContext) -> Bytes in
            let started = (try? String(contentsOfFile: "/proc/thread-self/comm", encoding: .utf8))?
                .trimmingCharacters(in: .newlines) ?? "?"
            try await Task.sleep(for: .milliseconds(20))
            return Bytes(started)
        }]
    }
}

final class PollingQueueTests: XCTestCase {
    /// Only a server's queue #0 polls the sockets; the others take the calls the core
    /// matches to their requests. Those calls must be served there like any other: a
    /// queue that does not poll still gets its completions (this fails, by a missing
    /// thread name or a deadline, if they stop coming; whether a queue polls is not
    /// visible through the C API, and the benchmark is what shows the difference).
    func testCallsMatchedToNonPollingQueuesAreServedThere() async throws {
        let running = try RunningServer.start(services: [ThreadNameService()]) {
            $0.completionQueueCount = 3
            $0.pendingRequestsPerMethod = 1  // a burst overflows queue #0's one request
            $0.name = "polling"
        }
        let channel = running.channel
        var threads = Set<String>()
        for _ in 0..<10 where !(threads.contains("cq-polling-#1") && threads.contains("cq-polling-#2")) {
            let names = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<48 {
                    group.addTask {
                        let reply: Bytes = try await channel.unary(ThreadNameService.whereAmI, request: Bytes(""),
                                                                   options: CallOptions(timeout: .seconds(10)))
                        return reply.text
                    }
                }
                return try await group.reduce(into: [String]()) { $0.append($1) }
            }
            XCTAssertEqual(names.count, 48)
            threads.formUnion(names)
        }
        XCTAssertTrue(threads.isSubset(of: ["cq-polling-#0", "cq-polling-#1", "cq-polling-#2"]), "\(threads)")
        XCTAssertTrue(threads.contains("cq-polling-#1"), "\(threads)")
        XCTAssertTrue(threads.contains("cq-polling-#2"), "\(threads)")
        await running.stop()
    }
}

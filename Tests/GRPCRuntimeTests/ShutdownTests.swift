import GRPCRuntime
import XCTest

final class ShutdownTests: XCTestCase {
    func testGracefulShutdownLetsACallInFlightFinish() async throws {
        let observer = HandlerObserver()
        let running = try RunningServer.start(services: [EchoService(observer: observer)])
        let channel = running.channel
        let call = Task { () -> Bytes in
            try await channel.unary(Echo.sleep, request: Bytes("300"), options: CallOptions())
        }
        let started = await observer.eventually { $0.startedCount == 1 }
        XCTAssertTrue(started)
        await running.server.shutdown(gracePeriod: .seconds(5))
        let response = try await call.value
        XCTAssertEqual(response.text, "300")
        XCTAssertEqual(observer.finishedCount, 1)
        await assertRPCError(.unavailable) {
            let _: Bytes = try await channel.unary(Echo.get, request: Bytes("late"), options: CallOptions(timeout: .seconds(2)))
        }
        channel.close()
    }

    func testCallsStillRunningAfterTheGracePeriodAreCancelled() async throws {
        let observer = HandlerObserver()
        let running = try RunningServer.start(services: [EchoService(observer: observer)])
        let channel = running.channel
        let call = Task { () -> Bytes in
            try await channel.unary(Echo.sleep, request: Bytes("10000"), options: CallOptions())
        }
        let started = await observer.eventually { $0.startedCount == 1 }
        XCTAssertTrue(started)
        let before = ContinuousClock.now
        await running.server.shutdown(gracePeriod: .milliseconds(200))
        XCTAssertLessThan(ContinuousClock.now - before, .seconds(3))
        do {
            _ = try await call.value
            XCTFail("the call outlived the grace period")
        } catch let error as RPCError {
            XCTAssertTrue([.cancelled, .unavailable].contains(error.code), "\(error)")
        }
        XCTAssertEqual(observer.cancelledCount, 1)
        channel.close()
    }

    func testAServerThatCannotBindReportsIt() throws {
        let first = try RunningServer.start()
        let second = try Server(
            configuration: ServerConfiguration(address: "127.0.0.1:\(first.port)", security: .plaintextForDevelopment,
                                               logger: .init(label: "test")),
            services: [EchoService()])
        XCTAssertThrowsError(try second.start())
        let done = expectation(description: "stopped")
        Task {
            await first.stop()
            done.fulfill()
        }
        wait(for: [done], timeout: 10)
    }
}

final class TerminationSignalTests: XCTestCase {
    func testSIGTERMShutsTheServerDownGracefully() async throws {
        let observer = HandlerObserver()
        let running = try RunningServer.start(services: [EchoService(observer: observer)])
        let server = running.server
        let signals = TerminationSignal()
        let stopped = Task { await server.runUntilTerminated(gracePeriod: .seconds(5), signals: signals) }
        let channel = running.channel
        let call = Task { () -> Bytes in
            try await channel.unary(Echo.sleep, request: Bytes("1000"), options: CallOptions())
        }
        let started = await observer.eventually { $0.startedCount == 1 }
        XCTAssertTrue(started)
        kill(getpid(), SIGTERM)
        let response = try await call.value
        XCTAssertEqual(response.text, "1000")
        let finished = expectation(description: "server stopped")
        Task {
            await stopped.value
            finished.fulfill()
        }
        await fulfillment(of: [finished], timeout: 10)
        channel.close()
    }
}

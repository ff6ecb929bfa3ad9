import CLibPQ
import Foundation
import Glibc
import Logging
import Synchronization

/// One pipelined session and the thread that drives it (see `PostgresPipeline`).
final class PipelineLoop: @unchecked Sendable {
    // `queue` and `stopping` are guarded by `lock`; everything else belongs to the thread.
    private let lock = Mutex<(queue: [PipelineRequest], stopping: Bool)>(([], false))
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let alive = Atomic<Bool>(true)
    private let outstanding = Atomic<Int>(0)
    private let session: LibPQConnection
    private let logger: Logger

    private var inFlight: [InFlight] = []
    private var inFlightHead = 0
    private var prepared: [PreparedKey: String] = [:]
    private var statementNumber = 0

    private struct PreparedKey: Hashable {
        var sql: String
        var types: [PostgresType]
    }

    private struct InFlight {
        var request: PipelineRequest
        var awaitingPrepare: Bool
        var result: PostgresResult?
        var error: PostgresError?
    }

    var isAlive: Bool { alive.load(ordering: .acquiring) }
    /// Statements queued or in flight.
    var load: Int { outstanding.load(ordering: .relaxed) }

    private init(session: LibPQConnection, logger: Logger) throws(PostgresError) {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else {
            throw PostgresError(code: .systemError, origin: .client, unsafeMessage: "pipe")
        }
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        wakeRead = fds[0]
        wakeWrite = fds[1]
        self.session = session
        self.logger = logger
    }

    deinit {
        close(wakeRead)
        close(wakeWrite)
    }

    static func start(configuration: PostgresConfiguration, name: String, logger: Logger) async throws -> PipelineLoop {
        try await withUnsafeThrowingContinuation { continuation in
            let thread = Thread {
                do {
                    let session = try LibPQConnection(configuration: configuration)
                    guard PQsetnonblocking(session.handle, 1) == 0, PQenterPipelineMode(session.handle) == 1 else {
                        throw PostgresError.protocolViolation("cannot enter pipeline mode")
                    }
                    let loop = try PipelineLoop(session: session, logger: logger)
                    continuation.resume(returning: loop)
                    loop.run()
                } catch {
                    continuation.resume(throwing: error)
                }
            }
            thread.name = name
            thread.start()
        }
    }

    func submit(_ request: PipelineRequest) {
        outstanding.add(1, ordering: .relaxed)
        let accepted = lock.withLock { state in
            guard !state.stopping, alive.load(ordering: .acquiring) else { return false }
            state.queue.append(request)
            return true
        }
        guard accepted else {
            outstanding.subtract(1, ordering: .relaxed)
            request.continuation.resume(throwing: PostgresError.connectionLost("pipeline connection closed"))
            return
        }
        wake()
    }

    func stop() {
        lock.withLock { $0.stopping = true }
        wake()
    }

    private func wake() {
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    // MARK: The thread

    private func run() {
        let handle = session.handle
        var fds = [pollfd(fd: PQsocket(handle), events: 0, revents: 0),
                   pollfd(fd: wakeRead, events: Int16(POLLIN), revents: 0)]
        var drain = [UInt8](repeating: 0, count: 256)
        while true {
            let (incoming, stopping) = lock.withLock { state in
                defer { state.queue.removeAll(keepingCapacity: true) }
                return (state.queue, state.stopping)
            }
            for request in incoming where !send(request) {
                fail(all: session.error(from: nil))
                return
            }
            if stopping && inFlightHead == inFlight.count {
                finish()
                return
            }
            let flush = PQflush(handle)
            if flush < 0 {
                fail(all: session.error(from: nil))
                return
            }
            fds[0].events = Int16(POLLIN) | (flush == 1 ? Int16(POLLOUT) : 0)
            fds[0].revents = 0
            fds[1].revents = 0
            if poll(&fds, 2, -1) < 0 {
                if errno == EINTR { continue }
                fail(all: .connectionLost("poll failed"))
                return
            }
            if fds[1].revents != 0 {
                while read(wakeRead, &drain, drain.count) > 0 {}
            }
            if fds[0].revents & Int16(POLLIN | POLLERR | POLLHUP) != 0 {
                if PQconsumeInput(handle) == 0 {
                    fail(all: session.error(from: nil))
                    return
                }
                if !collectResults() {
                    fail(all: session.error(from: nil))
                    return
                }
            }
        }
    }

    /// Queues the statement (prepared the first time), then a Sync.
    private func send(_ request: PipelineRequest) -> Bool {
        let handle = session.handle
        let query = request.query
        let key = PreparedKey(sql: query.sql, types: query.bindings.types)
        var awaitingPrepare = false
        let name: String
        if let existing = prepared[key] {
            name = existing
        } else {
            statementNumber += 1
            name = "p\(statementNumber)"
            let oids = key.types.map(\.rawValue)
            let sent = oids.withUnsafeBufferPointer {
                PQsendPrepare(handle, name, query.sql, Int32(oids.count), $0.baseAddress)
            }
            guard sent == 1 else { return false }
            prepared[key] = name
            awaitingPrepare = true
        }
        let sent = query.bindings.withLibPQArguments { values, lengths, formats in
            PQsendQueryPrepared(handle, name, Int32(query.bindings.count), values, lengths, formats, 1)
        }
        guard sent == 1, PQpipelineSync(handle) == 1 else { return false }
        inFlight.append(InFlight(request: request, awaitingPrepare: awaitingPrepare))
        return true
    }

    /// Reads every result that arrived; completes statements at their Sync.
    /// Returns false when the connection failed.
    private func collectResults() -> Bool {
        let handle = session.handle
        while inFlightHead < inFlight.count, PQisBusy(handle) == 0 {
            guard let result = PQgetResult(handle) else { continue }   // end of one statement's results
            switch PQresultStatus(result) {
            case PGRES_PIPELINE_SYNC:
                PQclear(result)
                complete(inFlight[inFlightHead])
                inFlight[inFlightHead].result = nil
                inFlightHead += 1
                if inFlightHead == inFlight.count {
                    inFlight.removeAll(keepingCapacity: true)
                    inFlightHead = 0
                }
            case PGRES_PIPELINE_ABORTED:
                PQclear(result)
            case PGRES_COMMAND_OK, PGRES_TUPLES_OK:
                if inFlight[inFlightHead].awaitingPrepare {
                    inFlight[inFlightHead].awaitingPrepare = false
                    PQclear(result)
                } else {
                    inFlight[inFlightHead].result = PostgresResult(result)
                }
            default:
                let error = session.error(from: result)
                PQclear(result)
                if inFlight[inFlightHead].awaitingPrepare {
                    inFlight[inFlightHead].awaitingPrepare = false
                    let query = inFlight[inFlightHead].request.query
                    prepared[PreparedKey(sql: query.sql, types: query.bindings.types)] = nil
                }
                if inFlight[inFlightHead].error == nil { inFlight[inFlightHead].error = error }
                if session.isBroken { return false }
            }
        }
        return !session.isBroken
    }

    private func complete(_ entry: InFlight) {
        outstanding.subtract(1, ordering: .relaxed)
        if let error = entry.error {
            entry.request.continuation.resume(throwing: error)
        } else if let result = entry.result {
            entry.request.continuation.resume(returning: PostgresRows(result: result))
        } else {
            entry.request.continuation.resume(throwing: PostgresError.protocolViolation("statement without result"))
        }
    }

    /// The connection is gone: every statement queued or in flight fails.
    private func fail(all error: PostgresError) {
        alive.store(false, ordering: .releasing)
        logger.warning("postgres pipeline connection lost", metadata: ["pg.sqlstate": "\(error.code)"])
        let queued = lock.withLock { state in
            defer { state.queue.removeAll() }
            return state.queue
        }
        let failed = Array(inFlight[inFlightHead...].map(\.request)) + queued
        inFlight.removeAll()
        inFlightHead = 0
        for request in failed {
            outstanding.subtract(1, ordering: .relaxed)
            request.continuation.resume(throwing: error)
        }
    }

    private func finish() {
        alive.store(false, ordering: .releasing)
        _ = PQexitPipelineMode(session.handle)
    }
}

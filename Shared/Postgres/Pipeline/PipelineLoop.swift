import CLibPQ
import Foundation
import Glibc
import Logging
import Synchronization

/// One pipelined session and the thread that drives it (see `PostgresPipeline`).
final class PipelineLoop: @unchecked Sendable {
    // `queue` and `stopping` are guarded by `lock`; everything else belongs to the thread.
    // `gathering`: the queue length at which a submitter wakes the thread gathering a batch.
    private let lock = Mutex<(queue: [PipelineRequest], stopping: Bool, gathering: Int)>(([], false, .max))
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private let alive = Atomic<Bool>(true)
    /// Whether the thread sleeps (or is about to) in `poll`: only then does a
    /// submitter pay for a write to the wake-up pipe.
    private let sleeping = Atomic<Bool>(false)
    private let outstanding = Atomic<Int>(0)
    private let session: LibPQConnection
    private let logger: Logger
    /// Whether the thread has closed the session and returned, and who waits for that.
    private let end = Mutex<(ended: Bool, waiters: [UnsafeContinuation<Void, Never>])>((false, []))

    /// Sync segments sent and not yet answered, oldest first.
    private var segments: [Segment] = []
    private var segmentHead = 0
    /// Requests waiting to be sent: those resent after another's error first, then
    /// those that arrived while the connection had `maxSegmentsInFlight` batches out.
    private var retry: [PipelineRequest] = []
    private var backlog: [PipelineRequest] = []
    /// Batches sent and unanswered, at most. While they are out, new statements
    /// gather into the next batch: that is what makes batches (and shared commits).
    let maxSegmentsInFlight = 1
    /// Requests expected in a segment (from the last ones), and the last round trip (send to Sync).
    private var lastBatch = 0
    private var lastRoundTrip: Duration = .zero
    private var prepared: [PreparedKey: String] = [:]
    private var statementNumber = 0
    private var idleSpin = IdleSpin()
    let maxBatch: Int

    private struct PreparedKey: Hashable {
        var sql: String
        var types: [PostgresType]
    }

    /// The requests between two Syncs: one implicit transaction.
    private struct Segment {
        var requests: [PipelineRequest] = []
        /// Each request's results, one per statement, in order.
        var results: [[PostgresResult]] = []
        /// What the server answers, in order: a Parse (`prepares` set) or a statement.
        var steps: [Step] = []
        var cursor = 0
        /// The first statement that failed (its request) and its error.
        var failure: (request: Int, error: PostgresError)?
        var sentAt = ContinuousClock.now
    }

    private struct Step {
        var request: Int
        var prepares: PreparedKey?
    }

    var isAlive: Bool { alive.load(ordering: .acquiring) }
    /// Requests queued or in flight.
    var load: Int { outstanding.load(ordering: .relaxed) }

    private init(session: LibPQConnection, maxBatch: Int, logger: Logger) throws(PostgresError) {
        self.maxBatch = maxBatch
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

    static func start(configuration: PostgresConfiguration, name: String, maxBatch: Int,
                      logger: Logger) async throws -> PipelineLoop {
        try await withUnsafeThrowingContinuation { continuation in
            let thread = Thread {
                _ = clibpq_name_current_thread(name)
                do {
                    let session = try LibPQConnection(configuration: configuration)
                    guard PQsetnonblocking(session.handle, 1) == 0, PQenterPipelineMode(session.handle) == 1 else {
                        throw PostgresError.protocolViolation("cannot enter pipeline mode")
                    }
                    let loop = try PipelineLoop(session: session, maxBatch: maxBatch, logger: logger)
                    continuation.resume(returning: loop)
                    loop.run()
                    loop.ending()
                } catch {
                    continuation.resume(throwing: error)
                }
            }
            thread.stackSize = 512 * 1024
            thread.start()
        }
    }

    func submit(_ request: PipelineRequest) {
        outstanding.add(1, ordering: .relaxed)
        let accepted: Bool? = lock.withLock { state in
            guard !state.stopping, alive.load(ordering: .acquiring) else { return nil }
            state.queue.append(request)
            return state.queue.count == state.gathering
        }
        guard let completesBatch = accepted else {
            outstanding.subtract(1, ordering: .relaxed)
            request.continuation.resume(throwing: PostgresError.connectionLost("pipeline connection closed"))
            return
        }
        if completesBatch || sleeping.load(ordering: .acquiring) { wake() }
    }

    func stop() {
        lock.withLock { $0.stopping = true }
        wake()
    }

    /// Returns once the thread has closed the session (after `stop`, or a lost
    /// connection). The awaiting task is resumed by the thread.
    func ended() async {
        await withUnsafeContinuation { (continuation: UnsafeContinuation<Void, Never>) in
            let done = end.withLock { end in
                if end.ended { return true }
                end.waiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    /// The thread's last act: closes the session (PQfinish) and answers `ended()`.
    private func ending() {
        session.finish()
        let waiters = end.withLock { end in
            end.ended = true
            defer { end.waiters.removeAll() }
            return end.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    private func wake() {
        var byte: UInt8 = 1
        _ = write(wakeWrite, &byte, 1)
    }

    // MARK: The thread

    private var idle: Bool { segmentHead == segments.count }

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
            if !retry.isEmpty {
                backlog = retry + backlog
                retry.removeAll()
            }
            backlog += incoming
            if !stopping, !backlog.isEmpty, segments.count - segmentHead < maxSegmentsInFlight {
                gatherCompany()
            }
            while !backlog.isEmpty, segments.count - segmentHead < maxSegmentsInFlight {
                let count = nextSegmentSize()
                guard sendSegment(backlog[0..<count]) else {
                    fail(all: session.error(from: nil))
                    return
                }
                backlog.removeFirst(count)
            }
            if stopping && idle && backlog.isEmpty {
                finish()
                return
            }
            let flush = PQflush(handle)
            if flush < 0 {
                fail(all: session.error(from: nil))
                return
            }
            if idle && backlog.isEmpty && flush == 0 && awaitNextRequestBriefly() { continue }
            // With a batch out, new requests can only wait for its answer, which wakes
            // the thread anyway: submitters need not write to the pipe. Otherwise
            // announce the sleep, then look once more (a request queued before the
            // announcement was seen by nobody's wake-up).
            if segments.count - segmentHead < maxSegmentsInFlight {
                sleeping.store(true, ordering: .sequentiallyConsistent)
                if lock.withLock({ !$0.queue.isEmpty || $0.stopping }) {
                    sleeping.store(false, ordering: .relaxed)
                    continue
                }
            }
            fds[0].events = Int16(POLLIN) | (flush == 1 ? Int16(POLLOUT) : 0)
            fds[0].revents = 0
            fds[1].revents = 0
            let polled = poll(&fds, 2, -1)
            sleeping.store(false, ordering: .relaxed)
            if polled < 0 {
                if errno == EINTR { continue }
                fail(all: .connectionLost("poll failed"))
                return
            }
            if fds[1].revents != 0 {
                while read(wakeRead, &drain, drain.count) > 0 {}
            }
            if fds[0].revents & Int16(POLLIN | POLLERR | POLLHUP) != 0 {
                if PQconsumeInput(handle) == 0 || !collectResults() {
                    fail(all: session.error(from: nil))
                    return
                }
            }
        }
    }

    /// Group commit's wait: the callers of the last segment usually come back with
    /// their next statements within microseconds of one another, and sending the
    /// first arrival alone would make the others wait a whole commit for the next
    /// segment. So while fewer requests wait than the last segment carried, the
    /// batch waits for them up to a quarter of the last round trip (at most 1 ms;
    /// PostgreSQL's `commit_delay` does the same on the server side), asleep: the
    /// submitter whose request completes the batch wakes the thread (`gathering`),
    /// so the wait costs one wake-up, not a core spinning. The expected size shrinks
    /// by one per shorter segment. A lone caller (segments of one) never waits, nor
    /// do the requests resent after a failure.
    private func gatherCompany() {
        guard backlog.count < lastBatch, !backlog[0].alone else { return }
        let wait = min(lastRoundTrip / 4, .milliseconds(1))
        guard wait > .microseconds(5) else { return }
        let deadline = ContinuousClock.now + wait
        let wanted = lastBatch - backlog.count
        while true {
            let complete = lock.withLock { state in
                if state.queue.count >= wanted || state.stopping { return true }
                state.gathering = wanted
                return false
            }
            let left = deadline - .now
            if complete || left <= .zero { break }
            let nanoseconds = left.components.seconds * 1_000_000_000 + left.components.attoseconds / 1_000_000_000
            if clibpq_wait_readable(wakeRead, nanoseconds) == 1 { drainWakeUps() }
        }
        backlog += lock.withLock { state in
            state.gathering = .max
            defer { state.queue.removeAll(keepingCapacity: true) }
            return state.queue
        }
    }

    private func drainWakeUps() {
        var bytes = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        while withUnsafeMutableBytes(of: &bytes, { read(wakeRead, $0.baseAddress, $0.count) }) > 0 {}
    }

    /// How many requests of the backlog go into the next segment: a request marked
    /// `alone` goes by itself; the others gather up to `maxBatch` statements.
    private func nextSegmentSize() -> Int {
        if backlog[0].alone { return 1 }
        var count = 0, statements = 0
        for request in backlog {
            if request.alone { break }
            if count > 0 && statements + request.statements.count > maxBatch { break }
            count += 1
            statements += request.statements.count
        }
        return count
    }

    /// With nothing in flight, a caller in a loop usually sends its next statement
    /// within microseconds: look for it (yielding the core) for up to
    /// `idleSpin` before sleeping in poll, which saves two thread wake-ups per
    /// statement for a lone caller. Only while such looks pay (`IdleSpin`): callers
    /// slower than the spin would have it burn CPU for nothing after every
    /// statement. Returns true when a statement arrived.
    private func awaitNextRequestBriefly() -> Bool {
        guard idleSpin.shouldSpin() else { return false }
        let deadline = ContinuousClock.now + PipelineLoop.idleSpin
        while ContinuousClock.now < deadline {
            if lock.withLock({ !$0.queue.isEmpty || $0.stopping }) {
                idleSpin.spun(found: true)
                return true
            }
            sched_yield()
        }
        idleSpin.spun(found: false)
        return false
    }

    static let idleSpin: Duration = .microseconds(50)

    /// Sends the requests' statements (each prepared the first time), then one Sync.
    private func sendSegment(_ requests: ArraySlice<PipelineRequest>) -> Bool {
        let handle = session.handle
        var segment = Segment()
        for request in requests {
            let index = segment.requests.count
            segment.requests.append(request)
            segment.results.append([])
            for query in request.statements {
                let key = PreparedKey(sql: query.sql, types: query.bindings.types)
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
                    segment.steps.append(Step(request: index, prepares: key))
                }
                // withCString: a short Swift string passed as a C string is otherwise copied to the heap.
                let sent = name.withCString { name in
                    query.bindings.withLibPQArguments { values, lengths, formats in
                        PQsendQueryPrepared(handle, name, Int32(query.bindings.count), values, lengths, formats, 1)
                    }
                }
                guard sent == 1 else { return false }
                segment.steps.append(Step(request: index, prepares: nil))
            }
        }
        guard PQpipelineSync(handle) == 1 else { return false }
        segments.append(segment)
        return true
    }

    /// Reads every result that arrived; completes a segment at its Sync.
    /// Returns false when the connection failed.
    private func collectResults() -> Bool {
        let handle = session.handle
        while !idle, PQisBusy(handle) == 0 {
            guard let result = PQgetResult(handle) else {
                // The end of one step's results: a Parse, or a statement.
                segments[segmentHead].cursor += 1
                continue
            }
            let status = PQresultStatus(result)
            if status == PGRES_PIPELINE_SYNC {
                PQclear(result)
                let segment = segments[segmentHead]
                // One short batch (a caller a little late) does not end the waiting.
                lastBatch = max(segment.requests.count, lastBatch - 1)
                lastRoundTrip = .now - segment.sentAt
                segmentHead += 1
                if segmentHead == segments.count {
                    segments.removeAll(keepingCapacity: true)
                    segmentHead = 0
                }
                complete(segment)
                continue
            }
            let cursor = segments[segmentHead].cursor
            guard cursor < segments[segmentHead].steps.count else {
                PQclear(result)
                continue
            }
            let step = segments[segmentHead].steps[cursor]
            switch status {
            case PGRES_COMMAND_OK, PGRES_TUPLES_OK:
                if step.prepares == nil {
                    segments[segmentHead].results[step.request].append(PostgresResult(result))
                } else {
                    PQclear(result)
                }
            case PGRES_PIPELINE_ABORTED:
                PQclear(result)
                if let key = step.prepares { prepared[key] = nil }   // the Parse never ran
            default:
                let error = session.error(from: result)
                PQclear(result)
                if let key = step.prepares { prepared[key] = nil }
                if segments[segmentHead].failure == nil {
                    segments[segmentHead].failure = (step.request, error)
                }
                if session.isBroken { return false }
            }
        }
        return !session.isBroken
    }

    /// Answers a segment's requests. When a statement failed, the implicit
    /// transaction rolled back everything in the segment. A request that was alone
    /// in it gets the error: it is its own. Otherwise the error may come from the
    /// company (a deadlock with another batch, a duplicate key inserted by a request
    /// that is now rolled back), so the failed request is sent again alone and the
    /// others together: nothing of theirs was applied, and each is applied once.
    private func complete(_ segment: Segment) {
        if let failure = segment.failure {
            if segment.requests.count == 1 {
                finished(segment.requests[0], with: .failure(failure.error))
                return
            }
            lastBatch = 0   // resend at once
            var failed = segment.requests[failure.request]
            failed.alone = true
            for (index, request) in segment.requests.enumerated() where index != failure.request {
                retry.append(request)
            }
            retry.append(failed)
            return
        }
        for (index, request) in segment.requests.enumerated() {
            let results = segment.results[index]
            if results.count == request.statements.count {
                finished(request, with: .success(results.map { PostgresRows(result: $0) }))
            } else {
                finished(request, with: .failure(.protocolViolation("statement without result")))
            }
        }
    }

    private func finished(_ request: PipelineRequest, with result: Result<[PostgresRows], PostgresError>) {
        outstanding.subtract(1, ordering: .relaxed)
        request.continuation.resume(with: result.mapError { $0 as any Error })
    }

    /// The connection is gone: every statement queued or in flight fails.
    private func fail(all error: PostgresError) {
        alive.store(false, ordering: .releasing)
        logger.warning("postgres pipeline connection lost", metadata: ["pg.sqlstate": "\(error.code)"])
        let queued = lock.withLock { state in
            defer { state.queue.removeAll() }
            return state.queue
        }
        var failed = segments[segmentHead...].flatMap(\.requests)
        failed += retry + backlog + queued
        segments.removeAll()
        segmentHead = 0
        retry.removeAll()
        backlog.removeAll()
        for request in failed { finished(request, with: .failure(error)) }
    }

    private func finish() {
        alive.store(false, ordering: .releasing)
        _ = PQexitPipelineMode(session.handle)
    }
}

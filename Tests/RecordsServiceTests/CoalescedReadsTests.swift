import Contracts
import Foundation
import GRPCRuntime
import Synchronization
import XCTest
@testable import RecordsService

/// The gates' reads of concurrent callers answered together (`CoalescedReads`)
/// answer exactly what each call answers alone: over real gRPC and a real
/// PostgreSQL, with found, unknown and malformed requests mixed.
final class CoalescedHotReadsTests: RecordsOverGRPCTestCase {
    override func setUp() async throws {
        try await super.setUp()
        _ = try await client.upsertCheckpoint(Sample.checkpoint(), options: caller("ops"))
        _ = try await client.upsertCheckpoint(Sample.checkpoint(code: "HUU-NGHI", kind: .land), options: caller("ops"))
    }

    /// Persons with documents of several kinds and states, bans and crossings.
    private func population(_ count: Int) async throws -> [(person: String, documents: [Immigration_Records_V1_Document])] {
        var made: [(person: String, documents: [Immigration_Records_V1_Document])] = []
        for index in 0..<count {
            let person = try await client.createPerson(Sample.createPerson(Sample.foreigner(given: "P\(index)")),
                                                       options: caller("ops")).person!
            var documents = [try await client.issueDocument(Sample.issue(personID: person.personID), options: caller("ops")).document!]
            if index % 2 == 0 {
                documents.append(try await client.issueDocument(
                    Sample.issue(personID: person.personID, kind: .laissezPasser,
                                 until: CalendarDay.today.adding(days: index % 4 == 0 ? -1 : 100)),
                    options: caller("ops")).document!)
            }
            if index % 3 == 0 {
                _ = try await client.placeExitBan(.with {
                    $0.requestID = UUID().uuidString
                    $0.personID = person.personID
                    $0.decidingAuthority = "Tòa án nhân dân TP Hà Nội"
                    $0.legalBasis = "QĐ \(index)/2026"
                    $0.startsOn = CalendarDay.today.adding(days: index % 2 == 0 ? -1 : 3).proto
                    $0.provenance = Sample.provenance(unit: "C01", actor: "judge-1")
                }, options: caller("control-unit"))
            }
            if index % 5 == 1 {
                _ = try await client.changeDocumentStatus(.with {
                    $0.requestID = UUID().uuidString
                    $0.document = .with { $0.personID = person.personID; $0.documentID = documents[0].documentID }
                    $0.targetStatus = .reportedLost
                    $0.reason = "reported at the ward"
                    $0.provenance = Sample.provenance()
                }, options: caller("ops"))
            }
            for crossing in 0..<(index % 4) {
                _ = try await client.recordCrossing(
                    Sample.crossing(key: documents[0], direction: crossing % 2 == 0 ? .exit : .entry,
                                    checkpoint: crossing % 2 == 0 ? "HAN" : "HUU-NGHI",
                                    at: Date().addingTimeInterval(Double(-7200 + crossing * 60))),
                    options: caller("gate"))
            }
            made.append((person.personID, documents))
        }
        return made
    }

    /// What a call answered: the response, or the status code it failed with.
    private enum Answer<Response: Equatable & Sendable>: Equatable, Sendable {
        case response(Response)
        case failed(StatusCode)
    }

    private static func answer<Response: Equatable & Sendable>(_ call: () async throws -> Response) async -> Answer<Response> {
        do { return .response(try await call()) } catch let error as RPCError { return .failed(error.code) } catch {
            return .failed(.unknown)
        }
    }

    /// Each request alone, one after the other: nothing in flight, the single statement.
    private func oneByOne<Request: Sendable, Response: Equatable & Sendable>(
        _ requests: [Request], _ call: @escaping @Sendable (Request) async throws -> Response
    ) async -> [Answer<Response>] {
        var answers: [Answer<Response>] = []
        for request in requests { answers.append(await Self.answer { try await call(request) }) }
        return answers
    }

    /// All the requests at once.
    private func allAtOnce<Request: Sendable, Response: Equatable & Sendable>(
        _ requests: [Request], _ call: @escaping @Sendable (Request) async throws -> Response
    ) async -> [Answer<Response>] {
        await withTaskGroup(of: (Int, Answer<Response>).self) { group in
            for (index, request) in requests.enumerated() {
                group.addTask { (index, await Self.answer { try await call(request) }) }
            }
            var answers = [Answer<Response>?](repeating: nil, count: requests.count)
            for await (index, answer) in group { answers[index] = answer }
            return answers.map { $0! }
        }
    }

    func testConcurrentEligibilityChecksAnswerWhatEachCheckAnswersAloneForKnownUnknownAndMalformedDocuments() async throws {
        let made = try await population(12)
        let at = ProtoTimestamp(Date())
        var requests: [Immigration_Records_V1_CheckCrossingEligibilityRequest] = []
        for (index, (_, documents)) in made.enumerated() {
            for document in documents {
                for direction in [Immigration_Common_V1_Direction.exit, .entry] {
                    requests.append(.with {
                        // By printed reference and by ids, both forms in one batch.
                        if index % 2 == 0 {
                            $0.document = .with { $0.reference = document.details!.reference! }
                        } else {
                            $0.document = .with { $0.key = .with { $0.personID = document.personID; $0.documentID = document.documentID } }
                        }
                        $0.direction = direction
                        $0.checkpoint = .with { $0.code = index % 3 == 0 ? "HUU-NGHI" : "HAN" }
                        $0.at = at
                    })
                }
            }
        }
        let known = requests.count
        requests.append(.with {     // unknown number: an answer (DOCUMENT_UNKNOWN), not an error
            $0.document = .with { $0.reference = .with { $0.kind = .ordinaryPassport; $0.number = "Z9999999"; $0.issuingState = "VNM" } }
            $0.direction = .exit
            $0.at = at
        })
        requests.append(.with {     // unknown ids
            $0.document = .with { $0.key = .with { $0.personID = UUID().uuidString; $0.documentID = UUID().uuidString } }
            $0.direction = .entry
            $0.at = at
        })
        requests.append(.with {     // malformed: no direction
            $0.document = .with { $0.reference = made[0].documents[0].details!.reference! }
            $0.at = at
        })
        requests.append(.with {     // unknown checkpoint
            $0.document = .with { $0.reference = made[0].documents[0].details!.reference! }
            $0.direction = .exit
            $0.checkpoint = .with { $0.code = "NOWHERE" }
            $0.at = at
        })
        let client = client!
        let before = records.provider.documents.eligibility.keysReadTogether
        let check: @Sendable (Immigration_Records_V1_CheckCrossingEligibilityRequest) async throws
            -> Immigration_Records_V1_CheckCrossingEligibilityResponse = {
            try await client.checkCrossingEligibility($0, options: caller("gate"))
        }
        let alone = await oneByOne(requests, check)
        XCTAssertEqual(records.provider.documents.eligibility.keysReadTogether, before, "one by one, no call is batched")
        for _ in 0..<3 {
            let together = await allAtOnce(requests, check)
            XCTAssertEqual(together, alone)
        }

        // The alone answers are the ones the rules give.
        guard case .response(let unknown) = alone[known] else { return XCTFail("unknown document: \(alone[known])") }
        XCTAssertEqual(unknown.reasons.map(\.code), [.documentUnknown])
        XCTAssertEqual(alone[known + 2], .failed(.invalidArgument))
        XCTAssertEqual(alone[known + 3], .failed(.invalidArgument))
        let refusals = alone[..<known].compactMap { if case .response(let r) = $0 { return r } else { return nil } }
        XCTAssertEqual(refusals.count, known)
        let codes = Set(refusals.flatMap { $0.reasons.map(\.code) })
        XCTAssertTrue(codes.isSuperset(of: [.exitBan, .documentStatus, .documentExpired, .laissezPasserLandOnly]), "\(codes)")
        XCTAssertTrue(refusals.contains { $0.allowed })
        XCTAssertGreaterThan(records.provider.documents.eligibility.keysReadTogether, 0, "concurrent checks were read together")
    }

    func testConcurrentGetPersonCallsAnswerWhatEachAnswersAloneForFoundMissingAndMalformedIDs() async throws {
        let made = try await population(10)
        var requests: [Immigration_Records_V1_GetPersonRequest] = made.enumerated().map { index, made in
            .with { $0.personID = made.person; $0.recentCrossingsLimit = Int32(index % 3) }
        }
        requests += made.map { made in .with { $0.personID = made.person; $0.recentCrossingsLimit = 1 } }
        let found = requests.count
        requests.append(.with { $0.personID = UUID().uuidString })
        requests.append(.with { $0.personID = "not-a-uuid" })
        requests.append(.with { $0.personID = made[0].person; $0.recentCrossingsLimit = 101 })
        let client = client!
        let get: @Sendable (Immigration_Records_V1_GetPersonRequest) async throws -> Immigration_Records_V1_GetPersonResponse = {
            try await client.getPerson($0, options: caller("gate"))
        }
        let alone = await oneByOne(requests, get)
        XCTAssertEqual(records.provider.persons.profiles.keysReadTogether, 0, "one by one, no call is batched")
        for _ in 0..<3 {
            let together = await allAtOnce(requests, get)
            XCTAssertEqual(together, alone)
        }
        XCTAssertEqual(alone[found...].map { $0 }, [.failed(.notFound), .failed(.invalidArgument), .failed(.invalidArgument)])
        for (index, answer) in alone[..<found].enumerated() {
            guard case .response(let response) = answer else { return XCTFail("\(index): \(answer)") }
            XCTAssertEqual(response.person?.personID, requests[index].personID)
        }
        XCTAssertTrue(alone.contains { if case .response(let r) = $0 { return r.recentCrossings.count == 2 } else { return false } })
        XCTAssertGreaterThan(records.provider.persons.profiles.keysReadTogether, 0, "concurrent reads were read together")
    }

    /// Answers read together are kept as those read alone are (the batch
    /// statement reads each person's `ready_answers` generation and the
    /// checkpoint epoch too): after concurrent GetPersons, each is then sent
    /// as kept, and is what the concurrent call answered.
    func testGetPersonAnswersReadTogetherAreKeptAndThenSentAsKept() async throws {
        let made = try await population(12)
        let requests: [Immigration_Records_V1_GetPersonRequest] = made.map { made in .with { $0.personID = made.person } }
        let client = client!
        let get: @Sendable (Immigration_Records_V1_GetPersonRequest) async throws -> Immigration_Records_V1_GetPersonResponse = {
            try await client.getPerson($0, options: caller("gate"))
        }
        let store = records.provider.persons
        let together = await allAtOnce(requests, get)
        for _ in 0..<4 where store.profiles.keysReadTogether == 0 {   // rarely, a round overlaps too little
            await store.ready.settled()
            _ = try await records.pool.query("UPDATE ready_answers SET body = NULL, generation = generation + 1")
            let again = await allAtOnce(requests, get)
            XCTAssertEqual(again, together)
        }
        XCTAssertGreaterThan(store.profiles.keysReadTogether, 0, "concurrent reads were read together")
        await store.ready.settled()
        let used = store.ready.used
        let kept = await oneByOne(requests, get)
        XCTAssertEqual(store.ready.used - used, requests.count, "every answer was kept")
        XCTAssertEqual(kept, together)
    }

    func testACheckAfterABanIsCommittedWeighsTheBanWhileOtherChecksAreInFlight() async throws {
        let person = try await client.createPerson(Sample.createPerson(Sample.foreigner()), options: caller("ops")).person!
        let passport = try await client.issueDocument(Sample.issue(personID: person.personID), options: caller("ops")).document!
        let check = Immigration_Records_V1_CheckCrossingEligibilityRequest.with {
            $0.document = .with { $0.reference = passport.details!.reference! }
            $0.direction = .exit
        }
        let client = client!
        // Other gates keep checking the same document the whole time.
        let stop = StopFlag()
        let traffic = Task {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<16 {
                    group.addTask {
                        while !stop.raised.load(ordering: .relaxed) {
                            _ = try? await client.checkCrossingEligibility(check, options: caller("gate"))
                        }
                    }
                }
            }
        }
        for round in 0..<5 {
            let ban = try await client.placeExitBan(.with {
                $0.requestID = UUID().uuidString
                $0.personID = person.personID
                $0.decidingAuthority = "Tòa án nhân dân TP Hà Nội"
                $0.legalBasis = "QĐ \(round)/2026"
                $0.startsOn = CalendarDay.today.proto
                $0.provenance = Sample.provenance(unit: "C01", actor: "judge-1")
            }, options: caller("control-unit")).exitBan!
            let banned = try await client.checkCrossingEligibility(check, options: caller("gate"))
            XCTAssertEqual(banned.reasons.map(\.code), [.exitBan], "round \(round)")
            _ = try await client.liftExitBan(Sample.lift(personID: person.personID, exitBanID: ban.exitBanID,
                                                         legalBasis: "QĐ \(round)b/2026", authority: "Tòa án nhân dân TP Hà Nội",
                                                         actor: "judge-1"), options: caller("control-unit"))
            let lifted = try await client.checkCrossingEligibility(check, options: caller("gate"))
            XCTAssertTrue(lifted.allowed, "round \(round): \(lifted.reasons)")
        }
        stop.raised.store(true, ordering: .relaxed)
        await traffic.value
        XCTAssertGreaterThan(records.provider.documents.eligibility.keysReadTogether, 0)
    }
}

private final class StopFlag: Sendable {
    let raised = Atomic<Bool>(false)
}

/// `CoalescedReads` on its own: who waits, who leads, what fails.
final class CoalescedReadsTests: XCTestCase {
    /// A batch that waits until released, recording the keys of each batch.
    private final class Gate: Sendable {
        let batches = Mutex<[[Int]]>([])
        let singles = Mutex<[Int]>([])
        let open = Atomic<Bool>(false)

        func waitUntilOpen() async {
            while !open.load(ordering: .acquiring) { try? await Task.sleep(for: .milliseconds(1)) }
        }

        /// Reads whose batches are recorded and whose single statements are
        /// recorded and held until the gate opens; `answer` gives each value.
        func reads(batch answer: @escaping @Sendable ([Int]) throws -> [Result<Int, any Error>],
                   single value: @escaping @Sendable (Int) throws -> Int) -> CoalescedReads<Int, Int> {
            CoalescedReads(
                batch: { keys in
                    self.batches.withLock { $0.append(keys) }
                    let answers = try answer(keys)
                    return { answers }
                },
                single: { key in
                    self.singles.withLock { $0.append(key) }
                    await self.waitUntilOpen()
                    return try value(key)
                })
        }

        /// Reads 0 (alone: held in its single statement until the gate opens),
        /// then `keys` while it is in flight; opens once they all wait.
        func read(_ reads: CoalescedReads<Int, Int>, _ keys: ClosedRange<Int>) async throws
            -> (first: Int, later: [Result<Int, any Error>]) {
            let first = Task { try await reads.read(0) }
            while singles.withLock({ $0.isEmpty }) { try await Task.sleep(for: .milliseconds(1)) }
            let later = keys.map { key in Task { try await reads.read(key) } }
            while reads.waitingCount < keys.count { try await Task.sleep(for: .milliseconds(1)) }
            open.store(true, ordering: .releasing)
            let firstValue = try await first.value
            var results: [Result<Int, any Error>] = []
            for task in later { results.append(await task.result) }
            return (firstValue, results)
        }
    }

    func testKeysArrivingDuringAStatementGoTogetherInTheNextAndNeverJoinOneAlreadySent() async throws {
        let gate = Gate()
        let reads = gate.reads(batch: { keys in keys.map { .success($0 * 10) } }, single: { $0 * 10 })
        let (first, later) = try await gate.read(reads, 1...20)
        XCTAssertEqual(first, 0)
        for (index, result) in later.enumerated() {
            XCTAssertEqual(try result.get(), (index + 1) * 10)
        }
        XCTAssertEqual(gate.singles.withLock { $0 }, [0], "the first caller, alone, is read at once by the single statement")
        let batches = gate.batches.withLock { $0 }
        XCTAssertEqual(batches.count, 1)
        XCTAssertEqual(Set(batches.first ?? []), Set(1...20), "the 20 that arrived meanwhile go in one statement")
        XCTAssertEqual(reads.keysReadTogether, 20)
    }

    func testAFailedBatchStatementReadsEachKeyAloneSoOnlyTheKeyThatFailsAloneFails() async throws {
        struct Poisoned: Error {}
        let gate = Gate()
        let reads = gate.reads(
            batch: { keys in
                if keys.contains(13) { throw Poisoned() }
                return keys.map { .success($0) }
            },
            single: { key in
                if key == 13 { throw Poisoned() }
                return key
            })
        let (_, later) = try await gate.read(reads, 1...20)
        for (index, result) in later.enumerated() {
            let key = index + 1
            do {
                let value = try result.get()
                XCTAssertNotEqual(key, 13)
                XCTAssertEqual(value, key)
            } catch {
                XCTAssertEqual(key, 13, "\(error)")
                XCTAssertTrue(error is Poisoned)
            }
        }
        XCTAssertEqual(Set(gate.singles.withLock { $0 }), Set(0...20), "after the batch failed, every key was read alone")
        XCTAssertEqual(reads.keysReadTogether, 0)
    }

    func testAKeyWhoseRowCannotBeReadFailsAloneAndTheOthersOfItsBatchAreAnswered() async throws {
        struct Unreadable: Error {}
        let gate = Gate()
        let reads = gate.reads(batch: { keys in keys.map { $0 == 7 ? .failure(Unreadable()) : .success($0) } }, single: { $0 })
        let (_, later) = try await gate.read(reads, 1...10)
        let failed = later.enumerated().filter { if case .failure = $0.element { return true } else { return false } }.map { $0.offset + 1 }
        XCTAssertEqual(failed, [7])
        XCTAssertEqual(gate.singles.withLock { $0 }, [0], "no key was read again alone")
        XCTAssertEqual(reads.keysReadTogether, 10)
    }

    func testTheLeaderOfABatchBeingCancelledDoesNotFailTheOthersOfItsBatch() async throws {
        // Statements that honour cancellation, as the Postgres layer's do.
        let gate = Gate()
        let batchMayEnd = Atomic<Bool>(false)
        let reads = CoalescedReads<Int, Int>(
            batch: { keys in
                gate.batches.withLock { $0.append(keys) }
                while !batchMayEnd.load(ordering: .acquiring) { try await Task.sleep(for: .milliseconds(1)) }
                try Task.checkCancellation()
                let answers: [Result<Int, any Error>] = keys.map { .success($0 * 10) }
                return { answers }
            },
            single: { key in
                gate.singles.withLock { $0.append(key) }
                await gate.waitUntilOpen()
                try Task.checkCancellation()
                return key * 10
            })
        let first = Task { try await reads.read(0) }
        while gate.singles.withLock({ $0.isEmpty }) { try await Task.sleep(for: .milliseconds(1)) }
        let later = Dictionary(uniqueKeysWithValues: (1...5).map { key in (key, Task { try await reads.read(key) }) })
        while reads.waitingCount < 5 { try await Task.sleep(for: .milliseconds(1)) }
        gate.open.store(true, ordering: .releasing)
        let firstValue = try await first.value
        XCTAssertEqual(firstValue, 0)
        while gate.batches.withLock({ $0.isEmpty }) { try await Task.sleep(for: .milliseconds(1)) }
        let leader = try XCTUnwrap(gate.batches.withLock { $0.first?.first }, "the batch's first key is its leader's")
        later[leader]!.cancel()
        batchMayEnd.store(true, ordering: .releasing)
        for (key, task) in later where key != leader {
            let value = try await task.value
            XCTAssertEqual(value, key * 10, "key \(key) got another key's value")
        }
        XCTAssertEqual(gate.batches.withLock { $0.count }, 1)
    }

    func testAWaitingCallThatIsCancelledLeavesTheQueueAndItsKeyIsNotRead() async throws {
        let gate = Gate()
        let reads = gate.reads(batch: { keys in keys.map { .success($0 * 10) } }, single: { $0 * 10 })
        let first = Task { try await reads.read(0) }
        while gate.singles.withLock({ $0.isEmpty }) { try await Task.sleep(for: .milliseconds(1)) }
        let staying = Task { try await reads.read(1) }
        let leaving = Task { try await reads.read(2) }
        while reads.waitingCount < 2 { try await Task.sleep(for: .milliseconds(1)) }
        leaving.cancel()
        while reads.waitingCount > 1 { try await Task.sleep(for: .milliseconds(1)) }
        let left = await leaving.result
        XCTAssertThrowsError(try left.get()) { XCTAssertTrue($0 is CancellationError, "\($0)") }
        gate.open.store(true, ordering: .releasing)
        let firstValue = try await first.value
        let stayingValue = try await staying.value
        XCTAssertEqual([firstValue, stayingValue], [0, 10])
        XCTAssertFalse(gate.batches.withLock { $0 }.joined().contains(2), "a cancelled call's key was read")
        XCTAssertFalse(gate.singles.withLock { $0 }.contains(2), "a cancelled call's key was read")
    }

    func testACallBeyondTheWaitingLimitIsRefusedAsOverloadedAndTheOthersAreAnswered() async throws {
        let gate = Gate()
        let single: @Sendable (Int) throws -> Int = { $0 * 10 }
        let reads = CoalescedReads<Int, Int>(maxBatch: 2, maxWaiting: 2,
            batch: { keys in
                let answers: [Result<Int, any Error>] = keys.map { .success($0 * 10) }
                return { answers }
            },
            single: { key in
                gate.singles.withLock { $0.append(key) }
                await gate.waitUntilOpen()
                return try single(key)
            })
        let first = Task { try await reads.read(0) }
        while gate.singles.withLock({ $0.isEmpty }) { try await Task.sleep(for: .milliseconds(1)) }
        let queued = [Task { try await reads.read(1) }, Task { try await reads.read(2) }]
        while reads.waitingCount < 2 { try await Task.sleep(for: .milliseconds(1)) }
        do {
            _ = try await reads.read(3)
            XCTFail("a third waiting call was queued past the limit of 2")
        } catch StoreError.overloaded {}
        gate.open.store(true, ordering: .releasing)
        let firstValue = try await first.value
        XCTAssertEqual(firstValue, 0)
        var values: [Int] = []
        for task in queued { values.append(try await task.value) }
        XCTAssertEqual(values, [10, 20])
        XCTAssertEqual(StoreError.overloaded.rpcError.code, .unavailable)
    }

    func testManyCallersInALoopAreAllAnsweredWithTheirOwnValues() async throws {
        let reads = CoalescedReads<Int, Int>(maxBatch: 8,
            batch: { keys in
                try await Task.sleep(for: .microseconds(200))
                let answers: [Result<Int, any Error>] = keys.map { .success($0 &* 31) }
                return { answers }
            },
            single: { key in
                try await Task.sleep(for: .microseconds(200))
                return key &* 31
            })
        try await withThrowingTaskGroup(of: Void.self) { group in
            for caller in 0..<64 {
                group.addTask {
                    for call in 0..<50 {
                        let key = caller * 1000 + call
                        let value = try await reads.read(key)
                        XCTAssertEqual(value, key &* 31)
                    }
                }
            }
            try await group.waitForAll()
        }
        XCTAssertGreaterThan(reads.keysReadTogether, 0)
    }
}

// The client side of benchmarks/records/run.sh. One process per measurement:
//
//   RecordsBenchmark generate PERSONS PERSONS_PER_BATCH      time the generator alone (no network)
//   RecordsBenchmark checkpoints                             upsert the synthetic checkpoints (ops)
//   RecordsBenchmark intake PERSONS PERSONS_PER_BATCH        load through one BulkIntake stream
//   RecordsBenchmark crossings CONCURRENCY SECONDS DOCS [RATE]   RecordCrossing
//   RecordsBenchmark get-person CONCURRENCY SECONDS IDS [RATE]   GetPerson
//   RecordsBenchmark can-cross CONCURRENCY SECONDS DOCS [RATE]   CheckCrossingEligibility
//   RecordsBenchmark requests get-person IDS OUT | requests can-cross DOCS OUT
//                                    every sample entry's request, for grpc-load.c
//
// DOCS is a file of "kind number issuing_state" lines, IDS one of person ids
// (run.sh samples both from the loaded database). Without RATE, CONCURRENCY
// callers call in a closed loop; with RATE, calls start at that many per second
// (open loop), at most CONCURRENCY in flight. Environment: RECORDS_TARGET
// (127.0.0.1:50051), TLS_CERT, TLS_KEY, TLS_CA (mutual TLS; absent: plaintext
// with DEV_CALLER as x-dev-caller), SEED (20260101), CHANNELS (1), WARMUP_SECONDS (2: a
// closed-loop warm-up before the measured run, whose calls and CPU are not reported).
//
// Prints one line: MODE CONCURRENCY CALLS SECONDS PER_SECOND P50_US P99_US CLIENT_CPU_S ERRORS
// (intake: intake PERSONS ROWS SECONDS ROWS_PER_SECOND ACCEPTED REJECTED CLIENT_CPU_S BATCHES RESUMED).
// `requests` writes OUT as repeated (u32 little-endian length, request message, u32
// length, expected bytes), entry i built as the read modes build call i's request
// (one function each, below) with what its answer must contain: GetPerson's the person
// id (the answer's person.person_id), the check's nothing (grpc-load then requires
// the answer's person_id, as this client does).
import Contracts
import Foundation
import GRPCRuntime
import SyntheticIntake
import SyntheticPopulation

let environment = ProcessInfo.processInfo.environment
let arguments = Array(CommandLine.arguments.dropFirst())
let seed = UInt64(environment["SEED"] ?? "") ?? 20_260_101
let population = SyntheticPopulation(seed: seed)

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("RecordsBenchmark: \(message)\n".utf8))
    exit(2)
}

/// Where this process's draws start: one `getrandom` per process, so that two
/// runs (a warm-up process and the measured one, two rounds, two rates) do not
/// replay the same sequence of samples.
let drawOffset = UInt64.random(in: 0...UInt64.max)

/// The sample entry of call `n` (0..<count): SplitMix64 of the call's number
/// and the process's offset, so that picking costs no system call
/// (`Int.random` asks the kernel, `getrandom`, on every call).
func pick(_ n: Int, _ count: Int) -> Int {
    var z = (UInt64(truncatingIfNeeded: n) &+ drawOffset) &* 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return Int((z ^ (z >> 31)) % UInt64(count))
}

func integer(_ index: Int, _ name: String) -> Int {
    guard arguments.count > index, let value = Int(arguments[index]), value > 0 else { fail("\(name) must be a positive number") }
    return value
}

/// Channels to the service, calls spread over them.
let clients: [Immigration_Records_V1_RecordsService.Client] = {
    let target = environment["RECORDS_TARGET"] ?? "127.0.0.1:50051"
    let security: ChannelSecurity
    if let cert = environment["TLS_CERT"], let key = environment["TLS_KEY"] {
        security = .mutualTLS(certificateChainPath: cert, privateKeyPath: key, trustRootsPath: environment["TLS_CA"],
                              serverNameOverride: environment["TLS_SERVER_NAME"])
    } else {
        security = .plaintext
    }
    let count = Int(environment["CHANNELS"] ?? "") ?? 1
    return (0..<max(1, count)).map { _ in
        do {
            return Immigration_Records_V1_RecordsService.Client(
                channel: try Channel(target: target, security: security,
                                     configuration: ChannelConfiguration(maxSendMessageBytes: 64 * 1024 * 1024)))
        } catch {
            fail("cannot open a channel to \(target): \(error)")
        }
    }
}()
let options = CallOptions(timeout: .seconds(600),
                          metadata: environment["TLS_CERT"] == nil
                              ? ["x-dev-caller": .string(environment["DEV_CALLER"] ?? "spiffe://immigration.example/service/benchmark")] : [:])

func documents(_ path: String) -> [Immigration_Common_V1_DocumentReference] {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { fail("cannot read \(path)") }
    let kinds = Dictionary(uniqueKeysWithValues: SyntheticDocumentKind.allCases.map { ($0.rawValue, IntakeBatches.kind($0)) })
    let references = text.split(separator: "\n").compactMap { line -> Immigration_Common_V1_DocumentReference? in
        let parts = line.split(separator: " ")
        guard parts.count == 3, let kind = kinds[String(parts[0])] else { return nil }
        return .with { $0.kind = kind; $0.number = String(parts[1]); $0.issuingState = String(parts[2]) }
    }
    guard !references.isEmpty else { fail("no documents in \(path)") }
    return references
}

/// The person ids of a sample (IDS), one a line.
func personIDs(_ path: String) -> [String] {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { fail("cannot read \(path)") }
    let ids = text.split(separator: "\n").map(String.init)
    guard !ids.isEmpty else { fail("no person ids in \(path)") }
    return ids
}

/// The request of the `get-person` mode (and of its `requests` entries).
func getPersonRequest(_ id: String) -> Immigration_Records_V1_GetPersonRequest {
    .with { $0.personID = id }
}

/// The request of the `can-cross` mode: exit for even `n`, entry for odd (the call's
/// number there, the entry's in `requests`), at HAN.
func eligibilityRequest(_ reference: Immigration_Common_V1_DocumentReference, _ n: Int)
    -> Immigration_Records_V1_CheckCrossingEligibilityRequest {
    .with {
        $0.document = .with { $0.reference = reference }
        $0.direction = n % 2 == 0 ? .exit : .entry
        $0.checkpoint = .with { $0.code = "HAN" }
    }
}

/// Writes grpc-load's requests file: each entry's message and expected bytes, length-prefixed.
func writeRequests(_ path: String, _ entries: [(message: [UInt8], expected: [UInt8])]) {
    var bytes: [UInt8] = []
    func append(_ part: [UInt8]) {
        withUnsafeBytes(of: UInt32(part.count).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: part)
    }
    for entry in entries {
        append(entry.message)
        append(entry.expected)
    }
    guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else { fail("cannot write \(path)") }
}

func report(_ mode: String, _ load: LoadRun, _ latencies: Latencies, _ elapsed: Double, _ cpu: Double) {
    if let error = latencies.firstError {
        FileHandle.standardError.write(Data("RecordsBenchmark: \(latencies.errors) errors, first: \(error)\n".utf8))
    }
    let calls = latencies.values.count
    print(mode, load.rate.map { "\(load.concurrency)@\($0)" } ?? "\(load.concurrency)", calls, String(format: "%.2f", elapsed),
          Int(Double(calls) / elapsed), String(format: "%.0f", latencies.percentile(0.5)),
          String(format: "%.0f", latencies.percentile(0.99)), String(format: "%.2f", cpu), latencies.errors)
}

/// Runs `call` for the mode's load after a warm-up (closed loop) of WARMUP_SECONDS (2; 0: none).
func measure(_ mode: String, _ call: @escaping @Sendable (Int) async throws -> Void) async {
    let load = LoadRun(concurrency: integer(1, "CONCURRENCY"), duration: .seconds(integer(2, "SECONDS")),
                       rate: arguments.count > 4 ? integer(4, "RATE") : nil)
    let warmUp = Int(environment["WARMUP_SECONDS"] ?? "") ?? 2
    if warmUp > 0 {
        // Call numbers of their own: other draws than the run's (from the same sample).
        _ = await LoadRun(concurrency: load.concurrency, duration: .seconds(warmUp), rate: nil).run { n in try await call(n + 1 << 40) }
    }
    let cpu = processCPUSeconds()
    let (latencies, elapsed) = await load.run(call)
    report(mode, load, latencies, elapsed, processCPUSeconds() - cpu)
}

let provenance = Immigration_Common_V1_Provenance.with {
    $0.source = .procedure
    $0.unitCode = "HAN-BORDER"
    $0.actorID = "records-benchmark"
}

switch arguments.first {
case "generate":
    let persons = integer(1, "PERSONS"), per = integer(2, "PERSONS_PER_BATCH")
    let batches = IntakeBatches(population: population, persons: persons, personsPerBatch: per, jobID: "", sourceSystem: "")
    let start = ContinuousClock.now, cpu = processCPUSeconds()
    var rows = 0, bytes = 0
    for index in 0..<batches.count {
        let batch = batches.batch(index)
        rows += batch.persons + batch.documents + batch.crossings
        bytes += try batch.request.serializedBytes().count
    }
    let elapsed = seconds(ContinuousClock.now - start)
    print("generate", persons, rows, String(format: "%.2f", elapsed), Int(Double(rows) / elapsed), bytes,
          String(format: "%.2f", processCPUSeconds() - cpu))

case "checkpoints":
    for checkpoint in SyntheticCheckpoints.all {
        _ = try await clients[0].upsertCheckpoint(.with {
            $0.requestID = UUID().uuidString.lowercased()
            $0.provenance = provenance
            $0.checkpoint = SyntheticIntake.checkpoint(checkpoint)
        }, options: options)
    }
    print("checkpoints", SyntheticCheckpoints.all.count)

case "intake":
    let persons = integer(1, "PERSONS"), per = integer(2, "PERSONS_PER_BATCH")
    let batches = IntakeBatches(population: population, persons: persons, personsPerBatch: per,
                                jobID: UUID().uuidString.lowercased(), sourceSystem: "bench-\(seed)")
    let start = ContinuousClock.now, cpu = processCPUSeconds()
    let result = try await intake(batches, client: clients[0])
    let elapsed = seconds(ContinuousClock.now - start)
    print("intake", persons, result.rows, String(format: "%.2f", elapsed), Int(Double(result.rows) / elapsed), result.accepted,
          result.rejected, String(format: "%.2f", processCPUSeconds() - cpu), batches.count, result.resumed)

case "crossings":
    guard arguments.count > 3 else { fail("crossings CONCURRENCY SECONDS DOCS [RATE]") }
    let references = documents(arguments[3])
    let codes = SyntheticCheckpoints.all.filter { $0.kind != .land }.map(\.code)
    await measure("crossings") { n in
        let client = clients[n % clients.count]
        let request = Immigration_Records_V1_RecordCrossingRequest.with {
            $0.requestID = UUID().uuidString.lowercased()
            $0.document = .with { $0.reference = references[pick(n, references.count)] }
            $0.direction = Bool.random() ? .entry : .exit
            $0.checkpoint = .with { $0.code = codes[n % codes.count] }
            let now = Date().timeIntervalSince1970
            $0.crossedAt = ProtoTimestamp(seconds: Int64(now), nanos: Int32((now - now.rounded(.down)) * 1e9))
            $0.lane = .manual
            $0.provenance = provenance
        }
        let response = try await client.recordCrossing(request, options: options)
        guard response.crossing != nil, !response.replayed else { throw RPCError(.dataLoss, "no new crossing") }
    }

case "get-person":
    guard arguments.count > 3 else { fail("get-person CONCURRENCY SECONDS IDS [RATE]") }
    let ids = personIDs(arguments[3])
    await measure("get-person") { n in
        let client = clients[n % clients.count]
        let id = ids[pick(n, ids.count)]
        let response = try await client.getPerson(getPersonRequest(id), options: options)
        guard response.person?.personID == id else { throw RPCError(.dataLoss, "another person") }
    }

case "can-cross":
    guard arguments.count > 3 else { fail("can-cross CONCURRENCY SECONDS DOCS [RATE]") }
    let references = documents(arguments[3])
    await measure("can-cross") { n in
        let client = clients[n % clients.count]
        let response = try await client.checkCrossingEligibility(eligibilityRequest(references[pick(n, references.count)], n),
                                                                 options: options)
        guard !response.personID.isEmpty else { throw RPCError(.dataLoss, "document unknown") }
    }

case "requests":
    guard arguments.count == 4 else { fail("requests get-person IDS OUT | requests can-cross DOCS OUT") }
    switch arguments[1] {
    case "get-person":
        writeRequests(arguments[3], try personIDs(arguments[2]).map { id in
            (try getPersonRequest(id).serializedBytes(), Array(id.utf8))
        })
    case "can-cross":
        writeRequests(arguments[3], try documents(arguments[2]).enumerated().map { n, reference in
            (try eligibilityRequest(reference, n).serializedBytes(), [])
        })
    default:
        fail("requests: get-person or can-cross, not \(arguments[1])")
    }

default:
    fail("usage: RecordsBenchmark generate|checkpoints|intake|crossings|get-person|can-cross|requests ...")
}
for client in clients { client.channel.close() }

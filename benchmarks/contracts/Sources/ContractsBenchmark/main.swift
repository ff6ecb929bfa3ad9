// Encode and decode of SamplePerson through the generated Swift API.
// Usage: ContractsBenchmark ITERATIONS
// Prints one line: swift ITERATIONS ENCODE_SECONDS DECODE_SECONDS BYTES FNV1A64
import Contracts
import TestContracts

#if canImport(Glibc)
import Glibc
#endif

let iterations = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 0 : 0
guard iterations > 0 else {
    print("usage: ContractsBenchmark ITERATIONS")
    exit(2)
}

let message = SamplePerson.message
let bytes = try message.serializedBytes()
guard try Immigration_Testing_V1_PersonWithDocuments(serializedBytes: bytes) == message else {
    print("swift: the message does not survive a round trip")
    exit(1)
}

/// CPU time of the process (single-threaded here): less disturbed than wall
/// time by other work on a shared machine.
func processCPUTime() -> Duration {
    var now = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now)
    return .seconds(now.tv_sec) + .nanoseconds(now.tv_nsec)
}

/// Times `iterations` encodes, then `iterations` decodes; returns both and a
/// total of work the optimiser cannot drop.
func measure(_ message: Immigration_Testing_V1_PersonWithDocuments, _ bytes: [UInt8],
             iterations: Int) throws -> (encode: Duration, decode: Duration, sink: Int) {
    var sink = 0
    let encodeStart = processCPUTime()
    for _ in 0..<iterations {
        sink &+= try message.serializedBytes().count
    }
    let encodeTime = processCPUTime() - encodeStart
    let decodeStart = processCPUTime()
    for _ in 0..<iterations {
        let decoded = try Immigration_Testing_V1_PersonWithDocuments(serializedBytes: bytes)
        sink &+= decoded.documents.count &+ decoded.name!.givenName.utf8.count
    }
    return (encodeTime, processCPUTime() - decodeStart, sink)
}

let (encodeTime, decodeTime, sink) = try measure(message, bytes, iterations: iterations)
guard sink == iterations * (bytes.count + message.documents.count + message.name!.givenName.utf8.count) else {
    print("swift: unexpected work total \(sink)")
    exit(1)
}
var hash: UInt64 = 0xcbf2_9ce4_8422_2325
for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }

func seconds(_ duration: Duration) -> String {
    let (whole, attoseconds) = duration.components
    return String(Double(whole) + Double(attoseconds) / 1e18)
}
print("swift \(iterations) \(seconds(encodeTime)) \(seconds(decodeTime)) \(bytes.count) \(String(hash, radix: 16))")

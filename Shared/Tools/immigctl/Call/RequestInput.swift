import Foundation

/// Where the request JSON comes from: `--data TEXT`, `--data @file`, or standard
/// input (`--data @-`, or no `--data` when stdin is not a terminal or the
/// method takes a stream of requests).
///
/// Standard input is read on a thread of its own (blocking `read`, never on
/// Swift's cooperative pool) and handed over chunk by chunk, so client streams
/// send each request as soon as it is read.
enum RequestInput {
    case text([UInt8])
    case standardInput
    /// No input at all (stdin is a terminal and no `--data`): an empty request.
    case none

    /// `streaming`: the method takes a stream of requests, which a person may
    /// type on the terminal, one JSON object a line, ending with Ctrl-D.
    static func from(data: String?, streaming: Bool) throws(CommandFailure) -> RequestInput {
        guard let data else {
            guard isatty(0) == 1 else { return .standardInput }
            guard streaming else { return .none }
            Console.error("immigctl: reading requests from the terminal, one JSON object a line; Ctrl-D ends the stream")
            return .standardInput
        }
        if data == "@-" { return .standardInput }
        if data.hasPrefix("@") {
            let path = String(data.dropFirst())
            guard let contents = FileManager.default.contents(atPath: path) else {
                throw CommandFailure("cannot read the request file \(path)")
            }
            return .text(Array(contents))
        }
        return .text(Array(data.utf8))
    }

    /// The chunks of input as they arrive.
    func chunks() -> AsyncStream<[UInt8]> {
        switch self {
        case .none: return AsyncStream { $0.finish() }
        case .text(let bytes): return AsyncStream { $0.yield(bytes); $0.finish() }
        case .standardInput: return StandardInputReader.start()
        }
    }

    /// All of the input, for a single request.
    func readAll() async -> [UInt8] {
        var bytes: [UInt8] = []
        for await chunk in chunks() { bytes += chunk }
        return bytes
    }

    /// The request objects, one by one as they are completed.
    func objects() -> AsyncThrowingStream<[UInt8], any Error> {
        let chunks = chunks()
        return AsyncThrowingStream { continuation in
            let task = Task {
                var splitter = JSONStreamSplitter()
                do {
                    for await chunk in chunks {
                        for object in try splitter.feed(chunk) { continuation.yield(object) }
                    }
                    try splitter.finish()
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }
}

/// Reads file descriptor 0 on a dedicated thread until end of input.
enum StandardInputReader {
    static func start() -> AsyncStream<[UInt8]> {
        let (stream, continuation) = AsyncStream<[UInt8]>.makeStream()
        let thread = Thread {
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(0, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                continuation.yield(Array(buffer[0..<count]))
            }
            continuation.finish()
        }
        thread.name = "immigctl-stdin"
        thread.start()
        return stream
    }
}

import Foundation
import XCTest

/// The built immigctl binary, run as a subprocess the way an operator runs it.
///
/// Found beside the test bundle (the build's products folder), where
/// `swift build` put it. Output goes to files, so the test can watch a stream
/// grow while the process still runs.
struct ImmigctlProcess {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
        var lines: [String] { stdout.split(separator: "\n").map(String.init) }
    }

    static var binary: URL {
        let candidates = [
            URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent(),
            Bundle.main.bundleURL.deletingLastPathComponent(),
        ].map { $0.appendingPathComponent("immigctl") }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
    }

    let process = Process()
    let stdoutURL: URL
    let stderrURL: URL
    private let exited: AsyncStream<Int32>

    /// Starts immigctl; `environment` adds to (or, with nil values, removes from) the test's own.
    init(_ arguments: [String], stdin: String? = nil, directory: URL? = nil,
         environment: [String: String?] = [:]) throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("immigctl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        stdoutURL = scratch.appendingPathComponent("stdout")
        stderrURL = scratch.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        guard FileManager.default.isExecutableFile(atPath: Self.binary.path) else {
            throw CocoaError(.fileNoSuchFile, userInfo: [
                NSLocalizedDescriptionKey: "no immigctl at \(Self.binary.path); build it with swift build --product immigctl"])
        }
        process.executableURL = Self.binary
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env["IMMIGRATION_RUN_DIR"] = nil
        for (key, value) in environment { env[key] = value }
        process.environment = env
        process.currentDirectoryURL = directory ?? scratch
        process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        if let stdin {
            let pipe = Pipe()
            process.standardInput = pipe
            let (stream, continuation) = AsyncStream<Int32>.makeStream()
            exited = stream
            process.terminationHandler = { continuation.yield($0.terminationStatus); continuation.finish() }
            try process.run()
            pipe.fileHandleForWriting.write(Data(stdin.utf8))
            try pipe.fileHandleForWriting.close()
        } else {
            process.standardInput = FileHandle.nullDevice
            let (stream, continuation) = AsyncStream<Int32>.makeStream()
            exited = stream
            process.terminationHandler = { continuation.yield($0.terminationStatus); continuation.finish() }
            try process.run()
        }
    }

    /// Runs immigctl to the end.
    static func run(_ arguments: [String], stdin: String? = nil, directory: URL? = nil,
                    environment: [String: String?] = [:]) async throws -> Result {
        try await ImmigctlProcess(arguments, stdin: stdin, directory: directory, environment: environment).finish()
    }

    /// What it printed so far.
    var stdoutSoFar: String { (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? "" }

    /// Waits for the exit (at most 60 s) and collects the output.
    func finish() async throws -> Result {
        let watchdog = Task { [process] in
            try await Task.sleep(for: .seconds(60))
            if process.isRunning { process.terminate() }
        }
        defer { watchdog.cancel() }
        var status: Int32 = -1
        for await code in exited { status = code }
        defer { try? FileManager.default.removeItem(at: stdoutURL.deletingLastPathComponent()) }
        return Result(status: status, stdout: (try? String(contentsOf: stdoutURL, encoding: .utf8)) ?? "",
                      stderr: (try? String(contentsOf: stderrURL, encoding: .utf8)) ?? "")
    }
}

import ArgumentParser

/// A failure that immigctl reports itself (one line on stderr) before exiting
/// with its code: bad input, an unknown method, missing certificates.
struct CommandFailure: Error, CustomStringConvertible {
    var message: String
    var exitCode: Int32

    init(_ message: String, exitCode: Int32 = ExitCodes.localFailure) {
        self.message = message
        self.exitCode = exitCode
    }

    var description: String { message }
}

/// The exit codes, in one place (docs/immigctl.md lists them).
enum ExitCodes {
    static let success: Int32 = 0
    /// Bad JSON, unknown method or symbol, unreadable files or certificates.
    static let localFailure: Int32 = 1
    /// `health`: at least one service is not SERVING (or did not answer).
    static let notServing: Int32 = 2
    /// grpcurl's convention: 64 + the status code of the failed RPC.
    static func rpcFailure(_ code: Int32) -> Int32 { 64 + code }
}

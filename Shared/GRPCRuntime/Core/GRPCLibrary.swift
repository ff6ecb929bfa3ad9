import CAbseilSettings
import CGRPC

/// The C core's process-wide state. `grpc_init` runs once, on first use of the
/// runtime; `grpc_shutdown` is never called, because the core's background
/// threads and the client completion queues live as long as the process.
enum GRPCLibrary {
    private static let initialised: Bool = {
        // Debian's abseil runs a deadlock detector on every mutex of the core
        // (built without NDEBUG): 5 to 10 % of a server's CPU per call. Off, as
        // in a release build of abseil (docs/runtime.md, What each call costs).
        cabseil_ignore_deadlock_cycles()
        grpc_init()
        return true
    }()

    /// Makes sure the core is initialised before any C object is created.
    static func ensureInitialised() {
        _ = initialised
    }
}

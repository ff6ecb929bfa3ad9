import CGRPC

/// The C core's process-wide state. `grpc_init` runs once, on first use of the
/// runtime; `grpc_shutdown` is never called, because the core's background
/// threads and the client completion queues live as long as the process.
enum GRPCLibrary {
    private static let initialised: Bool = {
        grpc_init()
        return true
    }()

    /// Makes sure the core is initialised before any C object is created.
    static func ensureInitialised() {
        _ = initialised
    }
}

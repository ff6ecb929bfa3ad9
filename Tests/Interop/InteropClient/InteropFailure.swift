/// Why an interop case failed: the message printed before the client exits
/// non-zero.
struct InteropFailure: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) { self.description = description }
}

/// Fails the case with `message` unless `condition` holds.
func expect(_ condition: Bool, _ message: @autoclosure () -> String) throws(InteropFailure) {
    if !condition { throw InteropFailure(message()) }
}

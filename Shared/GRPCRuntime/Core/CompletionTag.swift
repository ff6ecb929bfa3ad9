/// Something the core reports on a completion queue.
///
/// Ownership: a tag is retained once (`retainedPointer`) right before the C
/// call that takes it, and released exactly once: by the completion-queue
/// thread when its event is read (`complete(pointer:success:)`), or by the
/// submitter when the C call refused it (`releaseUnsubmitted`).
@usableFromInline
class CompletionTag: @unchecked Sendable {
    /// Runs on a completion-queue thread; must not block.
    func complete(success: Bool) {}

    final func retainedPointer() -> UnsafeMutableRawPointer {
        Unmanaged.passRetained(self).toOpaque()
    }

    static func complete(pointer: UnsafeMutableRawPointer, success: Bool) {
        Unmanaged<CompletionTag>.fromOpaque(pointer).takeRetainedValue().complete(success: success)
    }

    static func releaseUnsubmitted(_ pointer: UnsafeMutableRawPointer) {
        Unmanaged<CompletionTag>.fromOpaque(pointer).release()
    }
}

/// A tag that runs a closure, for rare events (shutdown, connectivity changes).
final class ClosureTag: CompletionTag, @unchecked Sendable {
    private let body: @Sendable (Bool) -> Void

    init(_ body: @escaping @Sendable (Bool) -> Void) { self.body = body }

    override func complete(success: Bool) { body(success) }
}

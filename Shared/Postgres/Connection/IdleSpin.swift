/// Whether a connection's thread should look for the next statement (spinning,
/// yielding the core) before it sleeps.
///
/// A caller in a loop sends its next statement within microseconds, and catching
/// it saves thread wake-ups; callers slower than the spin (a service at a modest
/// rate) would have every statement followed by a spin that finds nothing and
/// burns CPU. So a spin that found nothing stops the spinning; it is tried again
/// once every `retryEvery` idle moments, and resumes for good when it pays again.
struct IdleSpin {
    static let retryEvery = 16
    private var paying = true
    private var skipped = 0

    mutating func shouldSpin() -> Bool {
        if paying { return true }
        skipped += 1
        guard skipped >= IdleSpin.retryEvery else { return false }
        skipped = 0
        return true
    }

    mutating func spun(found: Bool) {
        paying = found
    }
}

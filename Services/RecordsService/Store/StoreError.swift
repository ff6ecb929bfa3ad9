/// What the store refuses for reasons of the data it holds (not of the
/// request's form): the handlers turn each into its gRPC status.
enum StoreError: Error, Hashable, Sendable {
    /// No such person, document, ban, job (NOT_FOUND).
    case notFound(String)
    /// A unique value taken, or a request_id reused for other content (ALREADY_EXISTS).
    case alreadyExists(String)
    /// `expected_version` no longer current (ABORTED).
    case staleVersion(current: Int64)
    /// Concurrent writers kept taking the keys a write needed; sending it again
    /// is safe and expected to succeed (ABORTED).
    case contended(String)
    /// More calls wait for a hot read than the service queues (UNAVAILABLE:
    /// retry with backoff).
    case overloaded
    /// A state the data is in forbids the change (FAILED_PRECONDITION).
    case refused(rule: String, message: String)
    /// A value that names something the reference data lacks (INVALID_ARGUMENT).
    case invalid(field: String, rule: String, message: String)
}

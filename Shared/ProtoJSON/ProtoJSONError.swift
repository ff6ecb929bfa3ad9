/// Why a JSON document could not become a protobuf message, or a message could
/// not become canonical JSON: the field's path and the rule it broke.
///
/// `path` uses the JSON field names (`person.dateOfBirth.month`, `documents[2].number`,
/// `labels["key"]`); it is empty for the message itself and for syntax errors, whose
/// `reason` carries the line and column. Reasons never quote the offending value,
/// so they are safe to log and to return to callers.
public struct ProtoJSONError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Where in the message the problem is, in JSON field names; empty for the root.
    public var path: String
    /// The rule that was broken, such as "expected an integer, got string".
    public var reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String {
        path.isEmpty ? reason : "\(path): \(reason)"
    }
}

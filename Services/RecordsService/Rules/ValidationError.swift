/// A rule of input that a value broke: the field path as the caller wrote it
/// (such as `details.date_of_birth.day`) and the rule's name (such as
/// `day_in_month`). Handlers turn these into INVALID_ARGUMENT with one field
/// violation each; the rule's article is cited where the rule is checked.
struct ValidationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The field path, dotted, as in the request message.
    var field: String
    /// The rule's short name, stable for clients to match on.
    var rule: String
    /// A sentence for people; never contains the offending personal data.
    var message: String

    init(field: String, rule: String, _ message: String = "") {
        self.field = field
        self.rule = rule
        self.message = message.isEmpty ? "\(field) breaks rule \(rule)" : message
    }

    var description: String { "\(field): \(rule): \(message)" }
}

/// Every rule a request broke, so that the caller learns them all at once.
struct ValidationErrors: Error, Hashable, Sendable {
    /// The broken rules, in the order they were checked.
    var errors: [ValidationError]
}

/// Collects validation errors while a request is checked field by field.
struct ValidationReport: Sendable {
    private(set) var errors: [ValidationError] = []

    /// Runs one check and keeps its error, if any.
    mutating func check<T>(_ body: () throws(ValidationError) -> T) -> T? {
        do { return try body() } catch { errors.append(error); return nil }
    }

    /// Records an error found directly.
    mutating func add(_ error: ValidationError) { errors.append(error) }

    /// Throws all collected errors, if there are any.
    func throwIfAny() throws(ValidationErrors) {
        if !errors.isEmpty { throw ValidationErrors(errors: errors) }
    }
}

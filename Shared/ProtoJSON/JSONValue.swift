/// A parsed JSON document, kept close to its text: numbers stay as their literal
/// so 64-bit integers keep every digit, and objects keep their key order.
///
/// The codec parses input into this tree before it touches any C memory, and
/// builds output as this tree before it writes text.
///
/// `Sendable` is declared, not inferred: Swift 6.3 reports a false "circular
/// reference" when it infers it through the labeled tuples of `object`.
enum JSONValue: Sendable {
    case null
    case bool(Bool)
    /// A number as written in the document (validated against JSON's grammar).
    case number(String)
    case string(String)
    case array([JSONValue])
    /// Members in document order. The parser rejects duplicate keys.
    case object([(key: String, value: JSONValue)])

    /// The JSON kind in words, for error messages ("got string").
    var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .number: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}

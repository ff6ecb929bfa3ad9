import Foundation

/// The client-generated UUID on every mutating RPC that makes retries
/// idempotent (docs/records.md, "Idempotency").
enum RequestID {
    /// Parses a UUID in its canonical text form; required.
    static func validated(_ raw: String, field: String = "request_id") throws(ValidationError) -> UUID {
        guard let id = UUID(canonicalText: raw) else {
            throw ValidationError(field: field, rule: "uuid", "a UUID such as 123e4567-e89b-12d3-a456-426614174000")
        }
        return id
    }
}

/// Page sizes and tokens shared by every listing RPC.
enum Paging {
    /// The page size when the caller gives 0.
    static let defaultPageSize = 50
    /// The largest page; larger requests are served this many.
    static let maximumPageSize = 1000

    /// Checks a page size: negative is refused, 0 is the default, larger
    /// than the maximum is the maximum.
    static func pageSize(_ requested: Int32, field: String = "page_size") throws(ValidationError) -> Int {
        guard requested >= 0 else {
            throw ValidationError(field: field, rule: "non_negative", "the page size cannot be negative")
        }
        return requested == 0 ? defaultPageSize : min(Int(requested), maximumPageSize)
    }
}

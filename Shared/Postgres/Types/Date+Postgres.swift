import Foundation

/// `Date` is `timestamptz`: microseconds since 2000-01-01 00:00 UTC on the wire.
/// `timestamp` (without time zone) columns are read as UTC. PostgreSQL's
/// `infinity` and `-infinity` read as `Date.distantFuture` and `.distantPast`.
extension Date: PostgresArrayElement, PostgresArrayEncodingElement, PostgresArrayDecodingElement {
    public static var postgresType: PostgresType { .timestamptz }
    public static var postgresArrayType: PostgresType { .timestamptzArray }

    /// 2000-01-01 00:00:00 UTC in seconds since 1970.
    static let postgresEpoch: Double = 946_684_800

    public func encode(into buffer: inout [UInt8]) {
        let micros: Int64
        if self == .distantFuture {
            micros = .max
        } else if self == .distantPast {
            micros = .min
        } else {
            micros = Int64(((timeIntervalSince1970 - Date.postgresEpoch) * 1_000_000).rounded())
        }
        buffer.appendBigEndian(micros)
    }

    public static func decode(from bytes: UnsafeRawBufferPointer?, type: PostgresType)
        throws(PostgresDecodingError) -> Date {
        guard let bytes else { throw .of(.unexpectedNull, Date.self, type) }
        guard type == .timestamptz || type == .timestamp else { throw .of(.typeMismatch, Date.self, type) }
        var reader = BinaryReader(bytes)
        guard bytes.count == 8, let micros = reader.read(Int64.self) else { throw .of(.malformed, Date.self, type) }
        if micros == .max { return .distantFuture }
        if micros == .min { return .distantPast }
        // Whole seconds and the remainder separately, so microseconds survive.
        let seconds = micros / 1_000_000
        let remainder = micros % 1_000_000
        return Date(timeIntervalSince1970: Date.postgresEpoch + Double(seconds) + Double(remainder) / 1_000_000)
    }
}

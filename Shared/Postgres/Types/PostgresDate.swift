/// A calendar day without time or zone: PostgreSQL `date`.
///
/// Dates of birth, validity end dates and working days are days, not instants; a
/// `Date` would carry a time zone problem into every one of them.
public struct PostgresDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Days since 2000-01-01 (PostgreSQL's own epoch); negative before it.
    public var daysSince2000: Int32

    public init(daysSince2000: Int32) { self.daysSince2000 = daysSince2000 }

    /// A proleptic Gregorian day. Returns nil for a day that does not exist.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...12).contains(month), (1...31).contains(day) else { return nil }
        let days = PostgresDate.daysFromCivil(year: year, month: month, day: day)
        self.daysSince2000 = Int32(days - PostgresDate.daysFromCivil(year: 2000, month: 1, day: 1))
        guard components == (year, month, day) else { return nil }
    }

    public var components: (year: Int, month: Int, day: Int) {
        PostgresDate.civil(fromDays: Int(daysSince2000) + PostgresDate.daysFromCivil(year: 2000, month: 1, day: 1))
    }

    public var description: String {
        let (y, m, d) = components
        func pad(_ n: Int, _ width: Int) -> String {
            let s = String(n)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))"
    }

    public static func < (lhs: PostgresDate, rhs: PostgresDate) -> Bool { lhs.daysSince2000 < rhs.daysSince2000 }

    // Days since 1970-01-01 of a civil date, and back (H. Hinnant's algorithms).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

extension PostgresDate: PostgresArrayElement, PostgresArrayEncodingElement, PostgresArrayDecodingElement {
    public static var postgresType: PostgresType { .date }
    public static var postgresArrayType: PostgresType { .dateArray }
    public func encode(into buffer: inout [UInt8]) { buffer.appendBigEndian(daysSince2000) }
    public static func decode(from bytes: UnsafeRawBufferPointer?, type: PostgresType)
        throws(PostgresDecodingError) -> PostgresDate {
        guard let bytes else { throw .of(.unexpectedNull, PostgresDate.self, type) }
        guard type == .date else { throw .of(.typeMismatch, PostgresDate.self, type) }
        var reader = BinaryReader(bytes)
        guard bytes.count == 4, let days = reader.read(Int32.self) else { throw .of(.malformed, PostgresDate.self, type) }
        return PostgresDate(daysSince2000: days)
    }
}
